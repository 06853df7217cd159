"""A text dump of a workbook, for golden files and for comparing workbooks.

One line per fact: the print setup, merged ranges, chart references, then every
non-empty cell in row order with its type, value and number format. Volatile
values (temporary paths, the user, file hashes) become placeholders.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

SHA256 = re.compile(r"\b[0-9a-f]{64}\b")


def cell_text(cell: Cell, volatile: Mapping[str, str], exact: Mapping[str, str]) -> str:
    value: Any = cell.value
    if cell.data_type == "f":
        kind, text = "f", str(value)
    elif isinstance(value, bool):
        kind, text = "b", str(value)
    elif isinstance(value, int | float):
        kind, text = "n", repr(value)
    elif isinstance(value, datetime):
        kind, text = "d", value.isoformat(sep=" ")
    elif isinstance(value, date):
        kind, text = "d", value.isoformat()
    else:
        kind, text = "s", str(value)
    if text in exact:
        text = exact[text]
    for real, placeholder in volatile.items():
        if real:
            text = text.replace(real, placeholder)
    text = SHA256.sub("<sha256>", text)
    return f"{cell.coordinate}\t{kind}\t{text!r}\t{cell.number_format}"


def dump_sheet(
    ws: Worksheet,
    volatile: Mapping[str, str] | None = None,
    exact: Mapping[str, str] | None = None,
) -> list[str]:
    """`volatile`: text replaced wherever it occurs; `exact`: whole cell texts replaced."""
    volatile, exact = volatile or {}, exact or {}
    setup = ws.page_setup
    lines = [
        f"print_area\t{ws.print_area}",
        f"print_title_rows\t{ws.print_title_rows}",
        f"page\t{setup.orientation}\tfitToWidth={setup.fitToWidth}\tfitToHeight={setup.fitToHeight}",
        f"row_breaks\t{[b.id for b in ws.row_breaks.brk]}",
    ]
    lines += [f"merged\t{r.coord}" for r in ws.merged_cells.sorted()]
    charts: list[Any] = getattr(ws, "_charts", [])  # openpyxl keeps them private
    for i, chart in enumerate(charts):
        refs = [s.val.numRef.f for s in chart.series] + [
            (s.cat.numRef or s.cat.strRef).f for s in chart.series if s.cat is not None
        ]
        lines.append(f"chart {i}\t{chart.anchor._from.row + 1}\t{refs}")
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is not None and isinstance(cell, Cell):
                lines.append(cell_text(cell, volatile, exact))
    return lines


def dump_workbook(
    path: Path,
    volatile: Mapping[str, str] | None = None,
    exact: Mapping[str, str] | None = None,
) -> dict[str, list[str]]:
    book = load_workbook(path)
    return {
        ws.title: dump_sheet(ws, volatile, exact)
        for ws in book.worksheets
        if isinstance(ws, Worksheet)
    }


def golden_text(dump: Mapping[str, list[str]]) -> str:
    parts = []
    for title, lines in dump.items():
        parts.append(f"# sheet {title}")
        parts.extend(lines)
    return "\n".join(parts) + "\n"
