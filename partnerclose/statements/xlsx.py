"""The openpyxl backend of the template engine: a worksheet as a `Sheet`.

`insert_rows` behaves as Excel's Insert (openpyxl's own moves cells only):
cells with their styles, row heights, merged ranges, conditional formats,
data validations, hyperlinks, tables, page breaks and drawing anchors move
down. Formulas, the print area and chart references are rewritten by the
plan itself, so that every backend gets the same result.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from copy import copy, deepcopy
from datetime import date, datetime
from decimal import Decimal
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.formatting.formatting import ConditionalFormattingList
from openpyxl.utils import column_index_from_string
from openpyxl.utils import get_column_letter as _letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.cell_range import CellRange, MultiCellRange
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.worksheet import Worksheet

from partnerclose.statements.heights import (
    DEFAULT_COLUMN_WIDTH,
    DEFAULT_FONT_SIZE,
    EMPTY_ROW_HEIGHT,
    cell_height,
)
from partnerclose.statements.plan import DEFAULT_MAX_BLOCKS, FillPlan, fill_sheet
from partnerclose.statements.sheet import RowInsert, SheetContent
from partnerclose.statements.template import TemplateError, replace_in_format
from partnerclose.statements.values import CellValue, Fill, Formula, Text, clean_text

# Chart parts that hold cell references (`.f`), per series.
_SERIES_PARTS = ("tx", "cat", "val", "xVal", "yVal", "bubbleSize")
_REF_KINDS = ("strRef", "numRef", "multiLvlStrRef")


class WorksheetSheet:
    """An openpyxl worksheet behind the `Sheet` protocol."""

    def __init__(self, worksheet: Worksheet) -> None:
        self.ws = worksheet

    # --- the one read ---------------------------------------------------------

    def read(self) -> SheetContent:
        cells: dict[tuple[int, int], CellValue] = {}
        for (row, column), cell in self.ws._cells.items():
            value = _read_value(cell)
            if value is not None:
                cells[row, column] = value
        area = self.ws.print_area or None
        return SheetContent(
            title=self.ws.title,
            cells=cells,
            print_area=area,
            print_title_rows=self.ws.print_title_rows or None,
            chart_references=tuple(
                tuple(ref.f for ref in _chart_refs(chart))
                for chart in _drawings(self.ws, "_charts")
            ),
            merged=tuple(
                (r.min_row, r.min_col, r.max_row, r.max_col) for r in self.ws.merged_cells.ranges
            ),
        )

    # --- the plan's operations ---------------------------------------------------

    def replace_in_number_formats(self, placeholder: str, text: str, decimals: int = 2) -> None:
        for cell in self.ws._cells.values():
            fmt = cell.number_format
            if "{{" in fmt:
                cell.number_format = replace_in_format(fmt, placeholder, text, decimals)

    def insert_rows(self, inserts: Sequence[RowInsert]) -> None:
        points = sorted((i.before, i.count) for i in inserts if i.count > 0)
        if not points:
            return

        def moved(row: int) -> int:
            return row + sum(count for before, count in points if before <= row)

        ws = self.ws
        cells = {}
        for (row, column), cell in sorted(ws._cells.items()):
            cell.row = moved(row)
            cells[cell.row, column] = cell
            if cell.hyperlink is not None:
                cell.hyperlink.ref = cell.coordinate
        ws._cells = cells
        dimensions = list(ws.row_dimensions.items())
        ws.row_dimensions.clear()
        for row, dimension in dimensions:
            dimension.index = moved(row)
            ws.row_dimensions[dimension.index] = dimension
        merges = list(ws.merged_cells.ranges)
        for merged in merges:
            _move_range(merged, moved)
        ws.merged_cells.ranges = merges  # a set keyed by the bounds: rebuild it
        _move_formats(ws, lambda ranges: _moved_multi(ranges, moved))
        for validation in ws.data_validations.dataValidation:
            validation.sqref = _moved_multi(validation.sqref, moved)
        for table in ws.tables.values():
            table.ref = _moved_ref(table.ref, moved)
        if ws.auto_filter.ref:
            ws.auto_filter.ref = _moved_ref(ws.auto_filter.ref, moved)
        for brk in ws.row_breaks.brk:
            if brk.id is not None:
                brk.id = moved(brk.id)
        for drawing in (*_drawings(ws, "_charts"), *_drawings(ws, "_images")):
            _move_anchor(drawing.anchor, moved)

    def copy_row_formats(self, source: tuple[int, int], target: tuple[int, int]) -> None:
        ws = self.ws
        first, last = source
        height = last - first + 1
        styles: dict[int, list[tuple[int, Any]]] = defaultdict(list)
        for (row, column), cell in ws._cells.items():
            if first <= row <= last and cell.has_style:
                styles[row].append((column, _style_of(cell)))
        merges = [
            (m.min_row, m.min_col, m.max_row, m.max_col)
            for m in ws.merged_cells.ranges
            if first <= m.min_row and m.max_row <= last
        ]
        for row in range(target[0], target[1] + 1):
            origin = first + (row - target[0]) % height
            for column, style in styles[origin]:
                target_cell: Any = ws.cell(row=row, column=column)
                target_cell._style = copy(style)
            if origin in ws.row_dimensions:
                src, dst = ws.row_dimensions[origin], ws.row_dimensions[row]
                dst.ht, dst.hidden = src.ht, src.hidden
        copies = range(target[0] - first, target[1] - first + 1, height)
        added = []
        for shift in copies:
            for top, left, bottom, right in merges:
                coord = f"{_letter(left)}{top + shift}:{_letter(right)}{bottom + shift}"
                merged = MergedCellRange(ws, coord)
                cells = merged.cells
                next(cells)  # the first cell keeps its value; the others become merged cells
                for row, column in cells:
                    part: Any = MergedCell(ws, row, column)
                    origin_cell = ws._cells.get((row - shift, column))
                    if origin_cell is not None and origin_cell.has_style:
                        part._style = copy(_style_of(origin_cell))  # borders, as the template's
                    ws._cells[row, column] = part
                added.append(merged)
        if added:  # one update: `merge_cells` checks every range against every other
            ws.merged_cells.ranges = [*ws.merged_cells.ranges, *added]
        _move_formats(ws, lambda ranges: _repeated(ranges, first, last, copies))
        for validation in ws.data_validations.dataValidation:
            validation.sqref = _repeated(validation.sqref, first, last, copies)

    def write_block(self, top: int, left: int, values: Sequence[Sequence[CellValue]]) -> None:
        ws = self.ws
        for i, row in enumerate(values):
            for j, value in enumerate(row):
                at = (top + i, left + j)
                existing = ws._cells.get(at)
                if isinstance(existing, MergedCell):
                    continue  # only a merged range's first cell holds a value
                if value is None:
                    if existing is not None and existing.value is not None:
                        existing.value = None
                    continue
                cell = ws.cell(row=at[0], column=at[1])
                if isinstance(cell, Cell):
                    _write(cell, value)

    def fit_row_heights(self, rows: Sequence[tuple[int, int]]) -> None:
        ws = self.ws
        wanted = {r for first, last in rows for r in range(first, last + 1)}
        wanted = {r for r in wanted if not (r in ws.row_dimensions and ws.row_dimensions[r].ht)}
        columns = _column_widths(ws)
        widths = _merged_widths(ws, columns)
        heights: dict[int, float] = {}
        for (row, column), cell in ws._cells.items():
            if row not in wanted or isinstance(cell, MergedCell):
                continue
            size: float = DEFAULT_FONT_SIZE
            if cell.has_style:
                size = cell.font.sz or DEFAULT_FONT_SIZE
            text = None if cell.value is None else str(cell.value)
            wrap = text is not None and bool(cell.alignment.wrap_text)
            width = 0.0
            if wrap:
                width = widths[row, column] if (row, column) in widths else columns(column)
            height = cell_height(text, wrap, size, width)
            heights[row] = max(heights.get(row, 0.0), height)
        for row in wanted:
            ws.row_dimensions[row].height = round(heights.get(row, EMPTY_ROW_HEIGHT), 2)

    def set_print_area(self, area: str | None, title_rows: str | None) -> None:
        self.ws.print_area = area
        if title_rows:
            self.ws.print_title_rows = title_rows.split("!")[-1]

    def set_chart_references(self, chart: int, references: Mapping[str, str]) -> None:
        for ref in _chart_refs(_drawings(self.ws, "_charts")[chart]):
            if ref.f in references:
                ref.f = references[ref.f]


# --- values ----------------------------------------------------------------------


def _drawings(ws: Worksheet, kind: str) -> list[Any]:
    """The sheet's charts or images (openpyxl keeps them private)."""
    drawings: list[Any] = getattr(ws, kind, [])
    return drawings


def _style_of(cell: Any) -> Any:
    return cell._style


def _read_value(cell: Cell | MergedCell) -> CellValue:
    if isinstance(cell, MergedCell):
        return None
    value = cell.value
    if value is None or isinstance(value, bool | int | Decimal | datetime | date):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))  # the shortest decimal of the stored double
    if isinstance(value, ArrayFormula):
        return Formula(value.text or "")
    if cell.data_type == "f" and isinstance(value, str):
        return Formula(value)
    return Text(str(value))  # text, rich text, times


def _write(cell: Cell, value: CellValue) -> None:
    if isinstance(value, Text):
        cell.value = clean_text(value.value)
        cell.data_type = "s"  # never a formula, whatever the text starts with
    elif isinstance(value, Formula):
        cell.value = value.value
    else:
        cell.value = value


# --- row heights ----------------------------------------------------------------------


def _column_widths(ws: Worksheet) -> Callable[[int], float]:
    """Column -> width in characters; a `<col>` may cover several columns."""
    default: float = ws.sheet_format.defaultColWidth or DEFAULT_COLUMN_WIDTH
    spans = []
    for dimension in ws.column_dimensions.values():
        if dimension.width:
            low = dimension.min or column_index_from_string(dimension.index)
            spans.append((low, dimension.max or low, float(dimension.width)))

    def width(column: int) -> float:
        return next((w for low, high, w in spans if low <= column <= high), default)

    return width


def _merged_widths(ws: Worksheet, columns: Callable[[int], float]) -> dict[tuple[int, int], float]:
    """The width of each merged range, at its first cell."""
    return {
        (m.min_row, m.min_col): sum(columns(c) for c in range(m.min_col, m.max_col + 1))
        for m in ws.merged_cells.ranges
    }


# --- moving things down ------------------------------------------------------------


def _move_range(cell_range: CellRange, moved: Callable[[int], int]) -> None:
    cell_range.min_row, cell_range.max_row = moved(cell_range.min_row), moved(cell_range.max_row)


def _moved_ref(ref: str, moved: Callable[[int], int]) -> str:
    cell_range = CellRange(ref)
    _move_range(cell_range, moved)
    return cell_range.coord


def _moved_multi(ranges: MultiCellRange, moved: Callable[[int], int]) -> MultiCellRange:
    return MultiCellRange([_moved_ref(r.coord, moved) for r in ranges.ranges])


def _repeated(ranges: MultiCellRange, first: int, last: int, shifts: range) -> MultiCellRange:
    """`ranges` plus a copy, per shift, of each range that lies within rows first..last."""
    result = [r.coord for r in ranges.ranges]
    for r in ranges.ranges:
        if first <= r.min_row and r.max_row <= last:
            for shift in shifts:
                copied = CellRange(r.coord)
                copied.shift(row_shift=shift)
                result.append(copied.coord)
    return MultiCellRange(result)


def _move_formats(ws: Worksheet, change: Callable[[MultiCellRange], MultiCellRange]) -> None:
    old = ws.conditional_formatting
    if not old:
        return
    new = ConditionalFormattingList()
    for formatting in old:
        for rule in formatting.rules:
            new.add(str(change(formatting.sqref)), rule)
    ws.conditional_formatting = new


def _move_anchor(anchor: Any, moved: Callable[[int], int]) -> None:
    """Drawing anchors count rows from 0."""
    for marker in (getattr(anchor, "_from", None), getattr(anchor, "to", None)):
        if marker is not None:
            marker.row = moved(marker.row + 1) - 1


def _chart_refs(chart: Any) -> Iterator[Any]:
    """Every reference object (with `.f`) of a chart's series and title."""
    for series in getattr(chart, "series", ()):
        for part_name in _SERIES_PARTS:
            part = getattr(series, part_name, None)
            if part is None:
                continue
            for kind in _REF_KINDS:
                ref = getattr(part, kind, None)
                if ref is not None and getattr(ref, "f", None):
                    yield ref
    title = getattr(chart, "title", None)
    tx = getattr(title, "tx", None) if title is not None else None
    if tx is not None and getattr(tx, "strRef", None) is not None and tx.strRef.f:
        yield tx.strRef


# --- whole workbooks -----------------------------------------------------------------


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")
_LOADED: dict[bytes, Workbook] = {}  # template file digest -> parsed template


def load_template(template: Path | bytes) -> Workbook:
    """A fresh copy of a template workbook; each file is parsed once per process
    (copying a parsed workbook is several times faster than parsing it again)."""
    data = template if isinstance(template, bytes) else template.read_bytes()
    key = hashlib.sha256(data).digest()
    if key not in _LOADED:
        _check_pictures(data)
        if len(_LOADED) >= 8:
            _LOADED.clear()
        _LOADED[key] = load_workbook(io.BytesIO(data), rich_text=False)
    return _copy_workbook(_LOADED[key])


def _copy_workbook(workbook: Workbook) -> Workbook:
    """A deep copy, repaired where openpyxl's containers do not survive `deepcopy`:
    an IndexedList (the style tables) restores its index before its items, which
    then look like duplicates and are dropped; a dimension holder loses the
    factory that creates missing rows and columns. (A test checks that a copy
    fills and saves exactly as a freshly parsed template.)"""
    copied = deepcopy(workbook)
    for name, value in vars(workbook).items():
        if isinstance(value, IndexedList):
            setattr(copied, name, IndexedList(deepcopy(list(value))))
    for sheet in copied.worksheets:
        if isinstance(sheet, Worksheet):
            holder: Any = sheet
            holder.row_dimensions.default_factory = holder._add_row
            holder.column_dimensions.default_factory = holder._add_column
    return copied


def _check_pictures(data: bytes) -> None:
    """openpyxl drops pictures (a logo) it cannot read without Pillow: refuse instead."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        pictures = [n for n in package.namelist() if n.startswith("xl/media/")]
    if pictures and find_spec("PIL") is None:
        raise TemplateError(
            f"the template has pictures ({', '.join(pictures)}) that would be lost: "
            "install the Pillow package to keep them"
        )


def fill_workbook(
    template: Path | bytes,
    fill: Fill,
    *,
    produced: datetime | None = None,
    max_blocks: int = DEFAULT_MAX_BLOCKS,
) -> tuple[Workbook, dict[str, FillPlan]]:
    """A filled copy of the template: every worksheet is filled from `fill`.

    `produced` (naive, UTC) becomes the workbook's created and modified time, so
    that the same close gives the same file.
    """
    workbook = load_template(template)
    plans = {
        ws.title: fill_sheet(WorksheetSheet(ws), fill, max_blocks)
        for ws in workbook.worksheets
        if isinstance(ws, Worksheet)
    }
    if produced is not None:
        workbook.properties.created = produced
        workbook.properties.modified = produced
    workbook.properties.lastModifiedBy = "PartnerClose"
    return workbook, plans


def save(workbook: Workbook, path: Path, stamp: datetime | None = None) -> None:
    """Save with the zip entries dated `stamp` (default: 1 Jan 2026), so that the
    same workbook gives the same bytes."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    moment = stamp or datetime(2026, 1, 1)  # noqa: DTZ001 - zip times have no zone
    zip_time = (max(moment.year, 1980), moment.month, moment.day, moment.hour, moment.minute, 0)
    stamp_text = moment.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(buffer) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time
                content = _MODIFIED.sub(rb"\g<1>" + stamp_text + rb"\g<2>", content)
            entry = zipfile.ZipInfo(info.filename, date_time=zip_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, content)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())
