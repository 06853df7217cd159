"""What a worksheet's XML holds, found before calamine reads it.

calamine builds a sheet as one rectangle from A1 to its farthest non-empty cell:
two cells, A1 and XFD200000, make it allocate 3.3 billion cells. So the real used
range is measured first, from every `<row>` and `<c>` element (not `<dimension>`,
which may say anything), positioned as calamine positions them: a cell's `r`
attribute when it has one, else the cell after the previous one; a row's `r`, else
the row after the previous one. Prefixed elements (`<x:c>`) count too.

Two passes do it. Files that Excel, LibreOffice and openpyxl write are regular (every
row and cell carries a plain `r` first, no comments or CDATA, no prefixes): C-speed
regular expressions measure them. Anything else goes through expat, element by
element, which also reads what the regular expressions cannot be trusted with.
The same pass finds formula cells saved without a value and cells that hold an
error (`t="e"`), which calamine would both return as empty.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from xml.parsers import expat

_CHUNK = 1 << 20
# A prefixed element that positions or fills cells (`<x:c>`): its prefix is dropped.
_PREFIXED = re.compile(rb":(?:c|row|f|v|is)[\s/>]")
_UNPREFIX = re.compile(rb"<(/?)[A-Za-z_][\w.-]*:")
# A cell that is not plain: no `r` first, a reference not in capitals, a second
# attribute starting with r, single quotes, other white space, a value with < or >.
_CELL_NOT_PLAIN = re.compile(
    rb'<c(?:[>/\t\n\r]| (?!r="[A-Z]{1,3}[1-9][0-9]*"(?: [a-qs-z][a-z]*="[^"<>]*")*/?>))'
)
_COLUMNS = re.compile(rb'<c r="([A-Z]{1,3})')
_TWO_LETTERS = re.compile(rb'<c r="[A-Z]{2}')
_CELL_ROWS = re.compile(rb'<c r="[A-Z]{1,3}([0-9]+)"')
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_CELL_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_HAS_VALUE = re.compile(rb"<v>[^<]|<is>")
_VALUE = re.compile(rb"<v>([^<]*)</v>")
_FORMULA = re.compile(rb"<f[\s>/]")
_NOT_NARROW: dict[int, re.Pattern[bytes]] = {}  # by the number of digits of row numbers
_LETTERS_DIGITS = re.compile(r"^([A-Za-z]*)([0-9]+)$")
_FAR = 10**12  # a bound past any limit


class SheetXmlError(Exception):
    """The sheet's XML cannot be read; the message says where."""


@dataclass(frozen=True, slots=True)
class SheetScan:
    """A sheet's extent and its cells calamine cannot tell apart from empty ones."""

    # The highest row and column numbers (1-based) of any cell, 0 when none: exact
    # past the limits given to `scan_sheet`, within them possibly a bound.
    rows: int
    columns: int
    # (row, column), 0-based: formula cells saved without a value
    uncached: frozenset[tuple[int, int]] = frozenset()
    # (row, column), 0-based -> the error a cell holds, e.g. "#DIV/0!"
    errors: Mapping[tuple[int, int], str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def cells(self) -> int:
        """The cells of the rectangle calamine builds (from A1)."""
        return self.rows * self.columns


def scan_sheet(xml: bytes, within: tuple[int, int] | None = None) -> SheetScan:
    """Measure a worksheet part (UTF-8). With `within` (rows, cells), a regular sheet
    is measured only as precisely as needed to tell whether it is within them."""
    if _PREFIXED.search(xml):
        xml = _UNPREFIX.sub(rb"<\1", xml)
    if within is not None and _narrow_and_short(xml, within):  # most sheets: one search
        return SheetScan(*_narrow_bound(xml), *_regular_marks(xml))
    if _CELL_NOT_PLAIN.search(xml) is None:
        return _regular(xml, within)
    return _parsed(xml)


def column_number(letters: str) -> int:
    """A = 1, Z = 26, AA = 27 (any case, as calamine reads them)."""
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


# --- the fast pass: a regular sheet ------------------------------------------------------


def _regular(xml: bytes, within: tuple[int, int] | None) -> SheetScan:
    """Every cell carries its reference: the extent is the farthest of them (rows
    without cells do not count: calamine keeps only cells). Within the limits, bounds
    from a few C-speed searches are enough; past them, the exact extent is counted."""
    rows = columns = 0
    if xml.find(b'<c r="') >= 0:
        wide = _TWO_LETTERS.search(xml) is not None
        columns = 26 if not wide else _exact_columns(xml)
        rows = _row_bound(xml)
        if within is None or rows > within[0] or rows * columns > within[1]:
            rows = max(map(int, set(_CELL_ROWS.findall(xml))))
            columns = _exact_columns(xml)
    return SheetScan(rows, columns, *_regular_marks(xml))


def _narrow_bound(xml: bytes) -> tuple[int, int]:
    """Rows and columns at most, for a sheet whose cells are all in A–Z and whose row
    numbers have no more digits than its last row's (`_narrow_and_short`)."""
    return 10 ** _digits_of_last_row(xml) - 1, 26


def _digits_of_last_row(xml: bytes) -> int:
    at = xml.rfind(b'<row r="')
    end = xml.find(b'"', at + 8) if at >= 0 else -1
    number = xml[at + 8 : end] if end > 0 else b""
    return len(number) if number.isdigit() else 1


def _narrow_and_short(xml: bytes, within: tuple[int, int]) -> bool:
    """One C-speed search shows that every cell is plain, in columns A–Z, with a row
    number of no more digits than the last row's, and that this is within limits."""
    rows, columns = _narrow_bound(xml)
    if rows > within[0] or rows * columns > within[1]:
        return False
    digits = _digits_of_last_row(xml)
    pattern = _NOT_NARROW.get(digits)
    if pattern is None:
        pattern = _NOT_NARROW[digits] = re.compile(
            rb'<c(?:[>/\t\n\r]| (?!r="[A-Z][1-9][0-9]{0,%d}"(?: [a-qs-z][a-z]*="[^"<>]*")*/?>))'
            % (digits - 1)
        )
    return pattern.search(xml) is None


def _row_bound(xml: bytes) -> int:
    """A bound of the highest row of any cell, from its number of digits and its first
    digit (a few C-speed searches instead of reading every reference)."""
    if re.search(rb'<c r="[A-Z]{1,3}[0-9]{8}', xml):
        return _FAR  # ten million rows or more: count exactly
    digits = next(
        (d for d in range(7, 1, -1) if re.search(rb'<c r="[A-Z]{1,3}[0-9]{%d}' % d, xml)), 1
    )
    unit = int(10 ** (digits - 1))
    rest = b"[0-9]{%d}" % (digits - 1)
    for first, top in ((b"[5-9]", 9), (b"[34]", 4), (b"2", 2), (b"1", 1)):
        if re.search(rb'<c r="[A-Z]{1,3}' + first + rest + rb'"', xml):
            return (top + 1) * unit - 1
    return 10 * unit - 1


def _exact_columns(xml: bytes) -> int:
    return max(column_number(c.decode()) for c in set(_COLUMNS.findall(xml)))


def _regular_marks(
    xml: bytes,
) -> tuple[frozenset[tuple[int, int]], Mapping[tuple[int, int], str]]:
    formulas = _FORMULA.search(xml) is not None  # `<f>`, `<f t="shared"…/>`, not `<formula1>`
    if not formulas and xml.find(b' t="e"') < 0:
        return frozenset(), MappingProxyType({})
    uncached: set[tuple[int, int]] = set()
    errors: dict[tuple[int, int], str] = {}
    for match in _CELL.finditer(xml):
        attributes, inner = match.group(1), match.group(2) or b""
        ref = _CELL_REF.search(attributes)
        if ref is None:
            continue
        position = (int(ref.group(2)) - 1, column_number(ref.group(1).decode()) - 1)
        if b't="e"' in attributes:
            value = _VALUE.search(inner)
            if value is not None and value.group(1):
                errors[position] = value.group(1).decode("utf-8", "replace")
        # t="str" with an empty <v> is a formula whose saved result is "".
        elif (
            _FORMULA.search(inner) and not _HAS_VALUE.search(inner) and b't="str"' not in attributes
        ):
            uncached.add(position)
    return frozenset(uncached), MappingProxyType(errors)


# --- the exact pass: anything else, through expat ---------------------------------------


class _Positions:
    """Cells positioned as calamine positions them, and what the cells hold."""

    def __init__(self) -> None:
        self.row = 0  # 0-based: the row of the next cell without `r`
        self.column = 0
        self.max_row = -1
        self.max_column = -1
        self.uncached: set[tuple[int, int]] = set()
        self.errors: dict[tuple[int, int], str] = {}
        self.cell: tuple[int, int] | None = None
        self.cell_type = ""
        self.formula = self.value = False
        self.in_value = False
        self.text: list[str] = []

    def start(self, name: str, attributes: dict[str, str]) -> None:
        local = name.rsplit(":", 1)[-1]
        if local == "row":
            refs = _refs(attributes)
            if refs:
                self.row = max(row for row, _ in refs)
                self.max_row = max(self.max_row, self.row)
        elif local == "c":
            refs = [ref for ref in _refs(attributes) if ref[1] >= 0]
            if refs:  # two `r`s (one prefixed): the farther of each, to be safe
                position = (max(row for row, _ in refs), max(column for _, column in refs))
                self.column = position[1]
            else:
                position = (self.row, self.column)
            self.column += 1
            self.max_row = max(self.max_row, position[0])
            self.max_column = max(self.max_column, position[1])
            self.cell = position
            self.cell_type = attributes.get("t", "")
            self.formula = self.value = False
        elif self.cell is not None:
            if local == "f":
                self.formula = True
            elif local == "is":
                self.value = True
            elif local == "v":
                self.in_value = True
                self.text = []

    def end(self, name: str) -> None:
        local = name.rsplit(":", 1)[-1]
        if local == "row":
            self.row += 1
            self.column = 0
        elif local == "v" and self.in_value:
            self.in_value = False
            text = "".join(self.text)
            if text:
                self.value = True
                if self.cell is not None and self.cell_type == "e":
                    self.errors[self.cell] = text
        elif local == "c" and self.cell is not None:
            if self.formula and not self.value and self.cell_type not in ("str", "e"):
                self.uncached.add(self.cell)
            self.cell = None

    def characters(self, text: str) -> None:
        if self.in_value:
            self.text.append(text)


def _refs(attributes: dict[str, str]) -> list[tuple[int, int]]:
    """(row, column), 0-based, of every `r` attribute (any prefix: counted either way);
    column -1 for a row's reference. A reference calamine cannot read is refused."""
    found = []
    for key, value in attributes.items():
        if key == "r" or key.endswith(":r"):
            match = _LETTERS_DIGITS.match(value.strip())
            if match is None or int(match.group(2)) < 1:
                raise SheetXmlError(f'a cell reference is not one ("{value[:20]}")')
            found.append((int(match.group(2)) - 1, column_number(match.group(1)) - 1))
    return found


def _parsed(xml: bytes) -> SheetScan:
    positions = _Positions()
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_: object) -> None:
        raise SheetXmlError("it declares XML entities or a DTD")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = positions.start
    parser.EndElementHandler = positions.end
    parser.CharacterDataHandler = positions.characters
    try:
        for at in range(0, len(xml), _CHUNK):
            parser.Parse(xml[at : at + _CHUNK], False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise SheetXmlError(
            f"bad XML at line {exc.lineno}: {expat.errors.messages[exc.code]}"
        ) from exc
    return SheetScan(
        positions.max_row + 1,
        positions.max_column + 1,
        frozenset(positions.uncached),
        MappingProxyType(positions.errors),
    )
