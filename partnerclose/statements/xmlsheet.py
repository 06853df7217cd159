"""One worksheet of a template package, filled: the XML backend's `Sheet`.

`XmlSheet` applies a plan to a light copy of a template sheet's rows (parsed once by
`package.py`): new rows take their template rows' style ids and row attributes,
values become cell XML (text always an inline string, never a formula), and what
names rows outside the cells (merged ranges, conditional formats, data validations,
hyperlinks, page breaks, drawing anchors, chart series, the dimension, the print
area) follows the inserted rows. `render` gives the sheet's XML again.

`StyleBook` is the template's styles.xml, `Styles` one workbook's: the currency in
the number formats, and a date format for a date written into a cell without one
(as openpyxl gives it, so that both backends write the same cells).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import accumulate
from xml.etree.ElementTree import Element

from defusedxml.ElementTree import fromstring
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import to_excel

from partnerclose.statements.heights import (
    DEFAULT_FONT_SIZE,
    EMPTY_ROW_HEIGHT,
    cell_height,
    line_length,
)
from partnerclose.statements.sheet import RowInsert, SheetContent
from partnerclose.statements.template import column_letter, replace_in_format
from partnerclose.statements.values import CellValue, Formula, Text, clean_text

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
M = "{" + MAIN + "}"  # the main namespace, as ElementTree names it
# Number formats openpyxl gives a date written into a cell that has none (the
# openpyxl backend does the same, so both give the same cells).
_DATE_FORMATS: Mapping[type, str] = {datetime: "yyyy-mm-dd h:mm:ss", date: "yyyy-mm-dd"}

Box = tuple[int, int, int, int]  # top, left, bottom, right (1-based, inclusive)
# A reference in a sqref list: a box, a row span (top, None, bottom, None) or
# text the backend leaves alone (whole columns).
Ref = Box | tuple[int, None, int, None] | str
Cell = tuple[int, str, object]  # style id, the XML after `<c r=".." s=".."`, value
Segment = str | int  # text, or the index of a slot


class UnsupportedTemplateError(Exception):
    """The XML backend cannot fill this template (the openpyxl backend can)."""


# --- XML text ---------------------------------------------------------------------------


def escape_text(text: str) -> str:
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def escape_attribute(text: str) -> str:
    text = escape_text(text).replace('"', "&quot;")
    return text.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#09;")


_ENTITY = re.compile(r"&(#x[0-9A-Fa-f]+|#\d+|amp|lt|gt|quot|apos);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def unescape(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("#x"):
            return chr(int(name[2:], 16))
        if name.startswith("#"):
            return chr(int(name[1:]))
        return _NAMED[name]

    return _ENTITY.sub(one, text) if "&" in text else text


# --- references -----------------------------------------------------------------------

CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")
_ROW_REF = re.compile(r"^\$?(\d+):\$?(\d+)$")


def column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def parse_ref(text: str) -> Ref:
    rows = _ROW_REF.match(text)
    if rows:
        return (int(rows.group(1)), None, int(rows.group(2)), None)
    first, _, last = text.partition(":")
    a, b = CELL_REF.match(first), CELL_REF.match(last or first)
    if a is None or b is None:
        return text
    top, bottom = sorted((int(a.group(2)), int(b.group(2))))
    left, right = sorted((column_number(a.group(1)), column_number(b.group(1))))
    return (top, left, bottom, right)


def parse_refs(text: str) -> list[Ref]:
    return [parse_ref(part) for part in text.split()]


def _ref_text(ref: Ref) -> str:
    if isinstance(ref, str):
        return ref
    top, left, bottom, right = ref
    if left is None or right is None:
        return f"{top}:{bottom}"
    first = f"{_letter(left)}{top}"
    return first if (top, left) == (bottom, right) else f"{first}:{_letter(right)}{bottom}"


def _letter(column: int) -> str:
    return _LETTERS[column] if column < len(_LETTERS) else column_letter(column)


def _moved_ref(ref: Ref, moved: Callable[[int], int]) -> Ref:
    if isinstance(ref, str):
        return ref
    top, left, bottom, right = ref
    if left is None or right is None:
        return (moved(top), None, moved(bottom), None)
    return (moved(top), left, moved(bottom), right)


def _repeated_refs(refs: list[Ref], first: int, last: int, shifts: range) -> list[Ref]:
    """`refs` plus a copy, per shift, of each reference within rows first..last."""
    result = list(refs)
    for ref in refs:
        if not isinstance(ref, str) and first <= ref[0] and ref[2] <= last:
            for shift in shifts:
                top, left, bottom, right = ref
                if left is None or right is None:
                    result.append((top + shift, None, bottom + shift, None))
                else:
                    result.append((top + shift, left, bottom + shift, right))
    return result


def _mover(inserts: Sequence[RowInsert]) -> Callable[[int], int] | None:
    points = sorted((i.before, i.count) for i in inserts if i.count > 0)
    if not points:
        return None
    befores = [before for before, _ in points]
    above = [0, *accumulate(count for _, count in points)]  # rows inserted above

    def moved(row: int) -> int:
        return row + above[bisect_right(befores, row)]

    return moved


# --- styles --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Xf:
    """One entry of cellXfs: what heights and dates need, and its XML."""

    num_fmt: int
    font_size: float | None
    wrap: bool
    styled: bool  # openpyxl's `has_style`: anything but the defaults
    xml: str


_CELL_XFS = re.compile(r"<cellXfs\b[^>]*?(?:/>|>(.*?)</cellXfs>)", re.S)
_XF = re.compile(r"<xf\b[^>]*?/>|<xf\b[^>]*>.*?</xf>", re.S)
_FORMAT_CODE = re.compile(r"(<numFmt\b[^>]*?\bformatCode=)(\"[^\"]*\"|'[^']*')")
_NUM_FMTS = re.compile(r"<numFmts\b[^>]*?(?:/>|>.*?</numFmts>)", re.S)
_STYLESHEET = re.compile(r"<styleSheet\b[^>]*>")
_COUNT = re.compile(r'\bcount="\d+"')


class StyleBook:
    """styles.xml of a template, parsed once."""

    def __init__(self, text: str) -> None:
        self.text = text
        root = fromstring(text.encode())
        custom = {
            int(n.get("numFmtId", "0")): n.get("formatCode", "")
            for n in root.iterfind(f"{M}numFmts/{M}numFmt")
        }
        self.custom_ids = set(custom)
        self.formats: dict[int, str] = {**BUILTIN_FORMATS, **custom}
        sizes: list[float | None] = []
        for font in root.iterfind(f"{M}fonts/{M}font"):
            size = font.find(f"{M}sz")
            sizes.append(float(size.get("val", "0")) if size is not None else None)
        found = _CELL_XFS.search(text)
        xml = _XF.findall(found.group(1) or "") if found else []
        elements = list(root.iterfind(f"{M}cellXfs/{M}xf"))
        if len(xml) != len(elements):
            raise UnsupportedTemplateError("styles.xml: cannot read the cell formats")
        self.xfs = [_xf(element, text, sizes) for element, text in zip(elements, xml, strict=True)]
        if not self.xfs:
            self.xfs = [
                Xf(
                    0,
                    None,
                    False,
                    False,
                    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>',
                )
            ]
        self._replaced: dict[tuple[tuple[str, str, int], ...], tuple[dict[int, str], str]] = {}

    def replaced(
        self, replacements: tuple[tuple[str, str, int], ...]
    ) -> tuple[dict[int, str], str]:
        """Number formats and styles.xml with `{{ placeholder }}` replaced (memoized:
        every statement of a close has the same currency)."""
        if replacements not in self._replaced:
            formats = dict(self.formats)
            for number in self.custom_ids:
                for placeholder, value, decimals in replacements:
                    formats[number] = replace_in_format(
                        formats[number], placeholder, value, decimals
                    )

            def edit(match: re.Match[str]) -> str:
                code = unescape(match.group(2)[1:-1])
                for placeholder, value, decimals in replacements:
                    code = replace_in_format(code, placeholder, value, decimals)
                return f'{match.group(1)}"{escape_attribute(code)}"'

            self._replaced[replacements] = (formats, _FORMAT_CODE.sub(edit, self.text))
        return self._replaced[replacements]


def _xf(element: Element, xml: str, sizes: Sequence[float | None]) -> Xf:
    def number(name: str) -> int:
        return int(element.get(name, "0") or 0)

    font = number("fontId")
    alignment = element.find(f"{M}alignment")
    protection = element.find(f"{M}protection")
    styled = (
        any(number(n) for n in ("numFmtId", "fontId", "fillId", "borderId", "xfId"))
        or (alignment is not None and bool(alignment.attrib))
        or (protection is not None and dict(protection.attrib) not in ({}, {"locked": "1"}))
        or element.get("quotePrefix") in ("1", "true")
        or element.get("pivotButton") in ("1", "true")
    )
    wrap = alignment is not None and alignment.get("wrapText") in ("1", "true")
    return Xf(number("numFmtId"), sizes[font] if font < len(sizes) else None, wrap, styled, xml)


class Styles:
    """The styles of one filled workbook: the template's, with the currency in the
    number formats and, when a date lands in a cell without a date format, a copy
    of the cell's format with one."""

    def __init__(self, book: StyleBook) -> None:
        self.book = book
        self.replacements: tuple[tuple[str, str, int], ...] = ()
        self.formats = book.formats
        self.extra: list[Xf] = []
        self.extra_formats: dict[int, str] = {}
        self._dated: dict[tuple[int, str], int] = {}
        self._is_date: dict[int, bool] = {}

    def replace(self, placeholder: str, text: str, decimals: int = 2) -> None:
        if (placeholder, text, decimals) not in self.replacements:
            self.replacements += ((placeholder, text, decimals),)
            self.formats = self.book.replaced(self.replacements)[0]
            self._is_date.clear()

    def xf(self, style: int) -> Xf:
        xfs = self.book.xfs
        if style < len(xfs):
            return xfs[style]
        if style - len(xfs) < len(self.extra):
            return self.extra[style - len(xfs)]
        return xfs[0]

    def date_style(self, style: int, value: date) -> int:
        """`style`, or a copy of it with a date format if it has none."""
        if style not in self._is_date:
            code = self.formats.get(self.xf(style).num_fmt) or self.extra_formats.get(
                self.xf(style).num_fmt, ""
            )
            self._is_date[style] = is_date_format(code)
        if self._is_date[style]:
            return style
        code = _DATE_FORMATS[datetime if isinstance(value, datetime) else date]
        key = (style, code)
        if key not in self._dated:
            number = next((n for n, c in self.formats.items() if c == code), None)
            if number is None:
                number = next((n for n, c in self.extra_formats.items() if c == code), None)
            if number is None:
                number = max([163, *self.book.custom_ids, *self.extra_formats]) + 1
                self.extra_formats[number] = code
            base = self.xf(style)
            opening = re.sub(r'\s(?:numFmtId|applyNumberFormat)="[^"]*"', "", base.xml, count=2)
            xml = opening.replace("<xf", f'<xf numFmtId="{number}" applyNumberFormat="1"', 1)
            self.extra.append(Xf(number, base.font_size, base.wrap, True, xml))
            self._dated[key] = len(self.book.xfs) + len(self.extra) - 1
            self._is_date[self._dated[key]] = True
        return self._dated[key]

    def render(self) -> bytes | None:
        """styles.xml when it differs from the template's, else None."""
        if not self.replacements and not self.extra:
            return None
        text = self.book.replaced(self.replacements)[1]
        if self.extra:
            found = _CELL_XFS.search(text)
            assert found is not None  # the book has read cellXfs
            count = len(self.book.xfs) + len(self.extra)
            xfs = "".join(xf.xml for xf in (*self.book.xfs, *self.extra))
            block = f'<cellXfs count="{count}">{xfs}</cellXfs>'
            text = text[: found.start()] + block + text[found.end() :]
        if self.extra_formats:
            added = "".join(
                f'<numFmt numFmtId="{n}" formatCode="{escape_attribute(c)}"/>'
                for n, c in self.extra_formats.items()
            )
            found = _NUM_FMTS.search(text)
            if found is None:
                opening = _STYLESHEET.search(text)
                assert opening is not None
                at = opening.end()
                block = f'<numFmts count="{len(self.extra_formats)}">{added}</numFmts>'
                text = text[:at] + block + text[at:]
            else:
                block = found.group(0)
                count = len(self.book.custom_ids) + len(self.extra_formats)
                if block.endswith("/>"):
                    block = f"{block[:-2]}>{added}</numFmts>"
                else:
                    block = block[: -len("</numFmts>")] + added + "</numFmts>"
                block = _COUNT.sub(f'count="{count}"', block, count=1)
                text = text[: found.start()] + block + text[found.end() :]
        return text.encode()


# --- a template sheet ----------------------------------------------------------------------


@dataclass(slots=True)
class SheetRow:
    attrs: dict[str, str]  # qualified name -> value, without `r` and `spans`
    cells: dict[int, Cell]
    fixed: bool  # a height the template gives (customHeight)


@dataclass(frozen=True, slots=True)
class Slot:
    """A place in the sheet XML outside sheetData that names rows."""

    kind: str  # "cells" (moved and repeated), "moved", "row", "merges"
    refs: tuple[Ref, ...] = ()
    row: int = 0


CHART_F = re.compile(r"(<(?P<t>(?:[A-Za-z_][\w.-]*:)?f)>)([^<]*)(</(?P=t)>)")


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart of the sheet's drawing: its part, and the cell references it names."""

    part: str
    references: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SheetTemplate:
    """A worksheet of a template, parsed once (`package.py`): what every fill shares."""

    title: str
    index: int  # localSheetId
    part: str
    head: str  # up to and including <sheetData>, with the dimension cut out
    dimension: tuple[str, str] | None  # text around the last row of `dimension ref`
    dimension_ref: Ref | None
    rows: Mapping[int, SheetRow]
    tail: tuple[Segment, ...]
    slots: tuple[Slot, ...]
    merges: tuple[Box, ...]
    columns: tuple[tuple[int, int, float], ...]  # min, max, width
    default_width: float
    content: SheetContent
    drawing: str | None
    drawing_text: tuple[Segment, ...]
    anchors: tuple[int, ...]  # 0-based rows of drawing anchors
    charts: tuple[Chart, ...]
    widths: dict[tuple[int, int], float] = field(default_factory=dict)  # a cache
    # (style, text) -> the cell's XML: the sheet's labels, written once per process
    text_cells: dict[tuple[int, str], Cell] = field(default_factory=dict)
    # id of a template row's attributes -> (them, their XML): every fill writes them
    attribute_texts: dict[int, tuple[dict[str, str], str]] = field(default_factory=dict)

    def row_attributes(self) -> dict[int, tuple[dict[str, str], str]]:
        """The XML of the template rows' attributes, by the id of their dict (once)."""
        if not self.attribute_texts:
            for row in self.rows.values():
                self.attribute_texts[id(row.attrs)] = (row.attrs, _attribute_text(row.attrs))
        return self.attribute_texts

    def column_width(self, column: int) -> float:
        return next(
            (w for low, high, w in self.columns if low <= column <= high), self.default_width
        )

    def span_width(self, left: int, right: int) -> float:
        """The width of columns left..right (a merged range), in characters."""
        key = (left, right)
        if key not in self.widths:
            self.widths[key] = sum(self.column_width(c) for c in range(left, right + 1))
        return self.widths[key]


# --- one fill of it -------------------------------------------------------------------------


class XmlSheet:
    """A worksheet of a template package behind the `Sheet` protocol (one fill)."""

    def __init__(self, template: SheetTemplate, styles: Styles, epoch: datetime) -> None:
        self.template = template
        self.styles = styles
        self.epoch = epoch
        self.rows = {
            number: SheetRow(row.attrs, dict(row.cells), row.fixed)
            for number, row in template.rows.items()
        }
        self.slots = list(template.slots)
        self.merges = list(template.merges)
        self.anchors = list(template.anchors)
        self.dimension = template.dimension_ref
        self.print_area = template.content.print_area
        self.print_titles = template.content.print_title_rows
        self.chart_changes: dict[int, Mapping[str, str]] = {}
        self._covered: dict[int, set[int]] | None = None

    # --- the one read ------------------------------------------------------------------

    def read(self) -> SheetContent:
        return self.template.content  # the same object for every fill: plans reuse its parse

    # --- the plan's operations -----------------------------------------------------------

    def replace_in_number_formats(self, placeholder: str, text: str, decimals: int = 2) -> None:
        self.styles.replace(placeholder, text, decimals)

    def insert_rows(self, inserts: Sequence[RowInsert]) -> None:
        moved = _mover(inserts)
        if moved is None:
            return
        self.rows = {moved(number): row for number, row in self.rows.items()}
        self.merges = [(moved(t), left, moved(b), right) for t, left, b, right in self.merges]
        self.slots = [_moved_slot(slot, moved) for slot in self.slots]
        self.anchors = [moved(row + 1) - 1 for row in self.anchors]
        if self.dimension is not None:
            self.dimension = _moved_ref(self.dimension, moved)
        self._covered = None

    def copy_row_formats(self, source: tuple[int, int], target: tuple[int, int]) -> None:
        first, last = source
        height = last - first + 1
        styles = self.styles
        protos: dict[int, tuple[SheetRow, dict[int, Cell]]] = {}
        for origin in range(first, last + 1):
            row = self.rows.get(origin)
            if row is not None:
                styled: dict[int, Cell] = {
                    column: (cell[0], "/>", None)
                    for column, cell in row.cells.items()
                    if styles.xf(cell[0]).styled
                }
                protos[origin] = (row, styled)
        for number in range(target[0], target[1] + 1):
            proto = protos.get(first + (number - target[0]) % height)
            if proto is None:
                continue
            row, styled = proto
            existing = self.rows.get(number)
            cells = dict(styled)
            if existing is not None:
                for column, cell in existing.cells.items():
                    style = styled[column][0] if column in styled else cell[0]
                    cells[column] = (style, cell[1], cell[2])
            self.rows[number] = SheetRow(row.attrs, cells, row.fixed)
        shifts = range(target[0] - first, target[1] - first + 1, height)
        repeated = [m for m in self.merges if first <= m[0] and m[2] <= last]
        for shift in shifts:
            self.merges.extend(
                (t + shift, left, b + shift, right) for t, left, b, right in repeated
            )
        self.slots = [
            Slot(s.kind, tuple(_repeated_refs(list(s.refs), first, last, shifts)))
            if s.kind == "cells"
            else s
            for s in self.slots
        ]
        self._covered = None

    def write_block(self, top: int, left: int, values: Sequence[Sequence[CellValue]]) -> None:
        covered = self.covered()
        rows = self.rows
        make = self._cell
        texts = self.template.text_cells
        if len(texts) > _MAX_TEXT_CELLS:
            texts.clear()
        for i, line in enumerate(values):
            number = top + i
            row = rows.get(number)
            if row is None:
                row = rows[number] = SheetRow({}, {}, False)
            cells = row.cells
            skip = covered.get(number, _NONE)
            for column, value in enumerate(line, left):
                if value is None:
                    existing = cells.get(column)
                    if existing is not None and existing[2] is not None:
                        cells[column] = (existing[0], "/>", None)
                    continue
                if column in skip:
                    continue  # only a merged range's first cell holds a value
                existing = cells.get(column)
                style = existing[0] if existing is not None else 0
                if type(value) is Decimal:  # the most common value: as `_cell` writes it
                    cells[column] = (style, f' t="n"><v>{_number(value)}</v></c>', value)
                elif type(value) is Text:  # labels repeat in every fill: written once
                    key = (style, value.value)
                    cell = texts.get(key)
                    if cell is None:
                        cell = texts[key] = make(style, value)
                    cells[column] = cell
                else:
                    cells[column] = make(style, value)

    def fit_row_heights(self, rows: Sequence[tuple[int, int]]) -> None:
        covered = self.covered()
        ends: dict[int, dict[int, int]] = {}  # row -> a merged range's first column -> last
        for top, left, _, right in self.merges:
            ends.setdefault(top, {})[left] = right
        width_of = self.template.span_width
        # style -> its heights, made as met; a list, for no lookup by key a cell
        known = len(self.styles.book.xfs) + len(self.styles.extra)
        fonts: list[_Font | None] = [None] * known
        fitted: dict[tuple[int, float], dict[str, str]] = {}
        spans: dict[tuple[float, int, int], int] = {}  # (size, left, right): a line's text
        rounded: dict[float, float] = {}  # a row's height as written: few distinct ones
        for number in sorted({r for first, last in rows for r in range(first, last + 1)}):
            row = self.rows.get(number)
            if row is not None and row.fixed:
                continue
            cells = row.cells if row is not None else {}
            skip = covered.get(number, _NONE)
            starts = ends.get(number, _NO_ENDS)
            height = 0.0
            for column, (style, _, value) in cells.items():
                if column in skip:
                    continue
                font = fonts[style] if 0 <= style < known else None
                if font is None:
                    font = _font(self.styles.xf(style))
                    if 0 <= style < known:
                        fonts[style] = font
                if value is None:
                    needed = font[0]
                elif not font[3]:
                    needed = font[1]
                else:
                    right = starts.get(column, column) if starts else column
                    if right == column:  # one column: its line's length by column
                        length = font[4].get(column)
                        if length is None:
                            length = font[4][column] = line_length(
                                width_of(column, column), font[2]
                            )
                    else:
                        span = (font[2], column, right)
                        length = spans.get(span)
                        if length is None:
                            length = spans[span] = line_length(width_of(column, right), font[2])
                    text = value if type(value) is str else str(value)
                    if len(text) <= length and "\n" not in text:
                        needed = font[1]  # it fits on one line, as most do
                    else:
                        needed = cell_height(text, True, font[2], width_of(column, right))
                height = needed if needed > height else height
            base = row.attrs if row is not None else _NO_ATTRIBUTES
            shown = rounded.get(height)
            if shown is None:
                shown = rounded[height] = round(height or EMPTY_ROW_HEIGHT, 2)
            key = (id(base), shown)
            attrs = fitted.get(key)
            if attrs is None:  # rows of a region share their attributes
                attrs = {k: v for k, v in base.items() if k not in _HEIGHT}
                attrs["ht"] = _number(shown)
                attrs["customHeight"] = "1"
                fitted[key] = attrs
            self.rows[number] = SheetRow(attrs, cells, True)

    def set_print_area(self, area: str | None, title_rows: str | None) -> None:
        self.print_area = area
        if title_rows:
            self.print_titles = title_rows

    def set_chart_references(self, chart: int, references: Mapping[str, str]) -> None:
        self.chart_changes[chart] = {**self.chart_changes.get(chart, {}), **references}

    # --- cells ---------------------------------------------------------------------------

    def covered(self) -> dict[int, set[int]]:
        """Row -> columns of merged ranges' cells other than their first."""
        if self._covered is None:
            covered: dict[int, set[int]] = {}
            for top, left, bottom, right in self.merges:
                for r in range(top, bottom + 1):
                    columns = covered.setdefault(r, set())
                    columns.update(range(left if r > top else left + 1, right + 1))
            self._covered = covered
        return self._covered

    def _cell(self, style: int, value: CellValue) -> Cell:
        if type(value) is Decimal:  # the most common value: amounts, rates, quantities
            return (style, f' t="n"><v>{_number(value)}</v></c>', value)
        if isinstance(value, Text):
            text = clean_text(value.value)
            if not text:  # as openpyxl: an empty inline string, read back as empty
                return (style, ' t="inlineStr"/>', "")
            stripped = text.strip()
            space = ' xml:space="preserve"' if stripped and stripped != text else ""
            return (style, f' t="inlineStr"><is><t{space}>{escape_text(text)}</t></is></c>', text)
        if isinstance(value, Formula):
            if len(value.value) > 1 and value.value.startswith("="):
                return (style, f"><f>{escape_text(value.value[1:])}</f><v></v></c>", value.value)
            return self._cell(style, Text(value.value))  # as openpyxl: not a formula
        if isinstance(value, bool):
            return (style, f' t="b"><v>{int(value)}</v></c>', value)
        if isinstance(value, date):  # datetimes too
            style = self.styles.date_style(style, value)
            serial: float = to_excel(value, self.epoch)  # type: ignore[no-untyped-call]
            return (style, f' t="n"><v>{_number(serial)}</v></c>', value)
        if value is None:
            return (style, "/>", None)
        return (style, f' t="n"><v>{_number(value)}</v></c>', value)

    # --- the sheet's XML -------------------------------------------------------------------

    def _covering(self, dimension: Ref) -> Ref:
        """`dimension` grown to every row and column that has a cell: rows added below the
        template's last row (a table at the end of a sheet) must be inside it, or a reader
        that trusts the dimension (openpyxl's read-only mode) stops at the old last row."""
        if isinstance(dimension, str):
            return dimension
        top, left, bottom, right = dimension
        filled = [number for number, row in self.rows.items() if row.cells]
        if not filled:
            return dimension
        bottom = max(bottom, *filled)
        if left is None or right is None:
            return (min(top, *filled), None, bottom, None)
        rows = self.rows
        first = min(min(rows[number].cells) for number in filled)
        last = max(max(rows[number].cells) for number in filled)
        return (min(top, *filled), min(left, first), bottom, max(right, last))

    def render(self) -> bytes:
        template = self.template
        out: list[str] = []
        if template.dimension is not None and self.dimension is not None:
            before, after = template.dimension
            out.append(before)
            out.append(_ref_text(self._covering(self.dimension)))
            out.append(after)
        else:
            out.append(template.head)
        openings = _OPENINGS
        texts: dict[int, str] = {}  # rows of a region share their attributes: render once
        template_texts = template.row_attributes()
        # style -> '" s="12"' (0: '"'), for every style of the workbook
        styles = len(self.styles.book.xfs) + len(self.styles.extra)
        quotes = ['"', *(f'" s="{style}"' for style in range(1, styles))]
        append = out.append
        for number in sorted(self.rows):
            row = self.rows[number]
            if not row.cells and not row.attrs:
                continue
            known = template_texts.get(id(row.attrs))
            if known is not None and known[0] is row.attrs:
                attrs = known[1]
            elif id(row.attrs) in texts:
                attrs = texts[id(row.attrs)]
            else:
                attrs = texts[id(row.attrs)] = _attribute_text(row.attrs)
            if not row.cells:
                out.append(f'<row r="{number}"{attrs}/>')
                continue
            suffix = str(number)
            out.append(f'<row r="{suffix}"{attrs}>')
            cells = row.cells
            for column in sorted(cells):
                style, body, _ = cells[column]
                try:  # a tuple's and a list's item: no lookup by key a cell
                    append(f"{openings[column]}{suffix}{quotes[style]}{body}")
                except IndexError:  # beyond column ZZ, or a style the workbook lacks
                    quoted = f'" s="{style}"' if style else '"'
                    append(f'<c r="{column_letter(column)}{suffix}{quoted}{body}')
            append("</row>")
        for segment in template.tail:
            out.append(segment if isinstance(segment, str) else self._slot_text(segment))
        return "".join(out).encode("utf-8")

    def _slot_text(self, index: int) -> str:
        slot = self.slots[index]
        if slot.kind == "row":
            return str(slot.row)
        if slot.kind == "merges":
            if not self.merges:
                return ""
            merges = "".join(f'<mergeCell ref="{_ref_text(m)}"/>' for m in self.merges)
            return f'<mergeCells count="{len(self.merges)}">{merges}</mergeCells>'
        return " ".join(_ref_text(ref) for ref in slot.refs)

    def render_drawing(self) -> bytes | None:
        if self.template.drawing is None or self.anchors == list(self.template.anchors):
            return None
        return "".join(
            s if isinstance(s, str) else str(self.anchors[s]) for s in self.template.drawing_text
        ).encode("utf-8")

    def render_charts(self, parts: Mapping[str, bytes]) -> Iterator[tuple[str, bytes]]:
        for index, changes in self.chart_changes.items():
            chart = self.template.charts[index]

            def edit(match: re.Match[str], changes: Mapping[str, str] = changes) -> str:
                old = unescape(match.group(3))
                new = changes.get(old, old)
                return f"{match.group(1)}{escape_text(new)}{match.group(4)}"

            yield chart.part, CHART_F.sub(edit, parts[chart.part].decode("utf-8")).encode("utf-8")


_LETTERS = ("", *(column_letter(c) for c in range(1, 703)))  # A..ZZ
_OPENINGS = tuple(f'<c r="{letter}' for letter in _LETTERS)  # a cell's XML up to its row
_HEIGHT = ("ht", "customHeight")
_MAX_TEXT_CELLS = 50_000  # texts of cells remembered per template sheet (deals' vary)
_NONE: frozenset[int] = frozenset()
_NO_ATTRIBUTES: dict[str, str] = {}  # never changed: shared by rows without attributes


# A style's heights for `fit_row_heights`: an empty cell's, one line's, its font size,
# whether it wraps, and (filled as met) a line's length in characters by column.
_Font = tuple[float, float, float, bool, dict[int, int]]
_NO_ENDS: dict[int, int] = {}  # never changed: rows where no merged range starts


def _font(xf: Xf) -> _Font:
    size = (xf.font_size or DEFAULT_FONT_SIZE) if xf.styled else DEFAULT_FONT_SIZE
    empty = cell_height(None, False, size, 0.0)
    return (empty, cell_height("", False, size, 0.0), size, xf.wrap, {})


def _attribute_text(attrs: Mapping[str, str]) -> str:
    """A row's attributes as XML (after its `r`)."""
    return "".join(f' {k}="{escape_attribute(v)}"' for k, v in attrs.items())


def _number(value: Decimal | float) -> str:
    """A number as openpyxl writes it (`%.16g`), or, for short decimals, their own
    digits, which read back as the same double (and are faster to write)."""
    if isinstance(value, Decimal):
        text = str(value)
        if len(text) <= 15 and "E" not in text:  # at most 15 significant digits
            return text.rstrip("0").rstrip(".") if "." in text else text  # 1400.00: 1400
        if not value.is_finite():
            return ""
    elif isinstance(value, int) and -(10**15) < value < 10**15:
        return str(value)
    return "%.16g" % value  # noqa: UP031 - openpyxl's own format


def _moved_slot(slot: Slot, moved: Callable[[int], int]) -> Slot:
    if slot.kind == "row":
        return Slot("row", row=moved(slot.row))
    if slot.kind == "merges":
        return slot
    return Slot(slot.kind, tuple(_moved_ref(ref, moved) for ref in slot.refs))
