"""Everything a statement shows, as comparable facts: to check that two backends
write the same workbook (values, formats, merges, print setup, styles, heights)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

from tests.statements.dump import dump_sheet


def _side(side: Any) -> object:
    """A border edge; no edge and an edge without a style both draw nothing."""
    if side is None or side.style is None:
        return None
    return (side.style, side.color.rgb if side.color else None)


def sheet_facts(ws: Worksheet) -> dict[str, object]:
    """The dump (values, types, number formats, merges, print area and titles, page
    breaks, chart anchors and references) plus styles, heights and ranged rules."""
    styles = [
        (
            c.coordinate,
            c.font.name,
            c.font.sz,
            c.font.b,
            c.font.color.rgb if c.font.color else None,
            c.fill.fgColor.rgb,
            c.number_format,
            c.alignment.horizontal,
            c.alignment.wrap_text,
            _side(c.border.top),
            _side(c.border.bottom),
        )
        for row in ws.iter_rows()
        for c in row
        if isinstance(c, Cell)
    ]
    return {
        "dump": dump_sheet(ws),
        "styles": styles,
        "heights": {r: d.height for r, d in ws.row_dimensions.items() if d.height},
        "conditional": sorted(
            (str(cf.sqref), rule.formula) for cf in ws.conditional_formatting for rule in cf.rules
        ),
        "validations": [str(v.sqref) for v in ws.data_validations.dataValidation],
        "hyperlinks": sorted(
            (c.coordinate, c.hyperlink.target) for r in ws.iter_rows() for c in r if c.hyperlink
        ),
        "columns": {k: d.width for k, d in ws.column_dimensions.items() if d.width},
    }


def workbook_facts(path: Path) -> dict[str, dict[str, object]]:
    book = load_workbook(path)
    return {ws.title: sheet_facts(ws) for ws in book.worksheets if isinstance(ws, Worksheet)}


def differences(a: Path, b: Path) -> list[str]:
    """What differs between two workbooks, fact by fact (empty: the same)."""
    left, right = workbook_facts(a), workbook_facts(b)
    if left.keys() != right.keys():
        return [f"sheets {list(left)} != {list(right)}"]
    found = []
    for title, facts in left.items():
        for name, value in facts.items():
            other = right[title][name]
            if value == other:
                continue
            if isinstance(value, list) and isinstance(other, list):
                pairs = [(x, y) for x, y in zip(value, other, strict=False) if x != y]
                found.append(f"{title} {name}: {pairs[:3]} (lengths {len(value)}, {len(other)})")
            else:
                found.append(f"{title} {name}: {value!r} != {other!r}")
    return found
