"""Where template rows land once table regions have grown, and formulas that follow.

Pure text work on A1 references, no spreadsheet library. A region of `height`
template rows `first..last` is repeated `copies` times: `(copies - 1) * height`
rows are inserted right below it and every row further down moves.

Rules (the same for formulas, the print area and chart series):

- a single cell reference points to the first copy of its row;
- a range `r1:r2` starts at the first copy of `r1` and ends at the LAST copy
  of `r2`, so a range that covers a region (`=SUM(K20:K20)` over a one-row
  region at row 20) grows with its lines; a range that ends just above a
  region does not grow;
- a formula inside a region is filled down like Excel's fill handle: in copy
  `c`, relative row references move by `c * height`, absolute ones (`$20`)
  stay; ranges into its own region do not grow;
- chart series may name a single template-row cell (`$C$17`): it grows into
  the column of all copies;
- references to other sheets are left alone; strings in formulas are never
  touched.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

# One reference, optionally sheet-qualified: a cell or cell range, a row range
# (`3:5`) or a column range (`A:C`, kept as it is). Matched only where a name
# cannot continue (so `LOG10(` and `Sheet1_total` are not references).
_SHEET = r"(?:(?P<sheet>'(?:[^']|'')+'|[A-Za-z_][\w.]*)!)?"
_CELL_RANGE = r"(?P<c1>\$?[A-Za-z]{1,3})(?P<r1>\$?\d+)(?::(?P<c2>\$?[A-Za-z]{1,3})(?P<r2>\$?\d+))?"
_ROW_RANGE = r"(?P<rr1>\$?\d+):(?P<rr2>\$?\d+)"
_COL_RANGE = r"\$?[A-Za-z]{1,3}:\$?[A-Za-z]{1,3}"
REFERENCE = re.compile(
    rf"(?<![\w.$'!]){_SHEET}(?:{_CELL_RANGE}|{_ROW_RANGE}|{_COL_RANGE})(?![\w(.!])"
)
_STRING = re.compile(r'"(?:[^"]|"")*"')
MAX_ROW = 1_048_576


@dataclass(frozen=True, slots=True)
class Region:
    """Template rows `first..last` (1-based, inclusive), repeated `copies` times (≥ 1)."""

    first: int
    last: int
    copies: int

    @property
    def height(self) -> int:
        return self.last - self.first + 1

    @property
    def extra(self) -> int:
        """Rows inserted below the region."""
        return (self.copies - 1) * self.height

    def __contains__(self, row: object) -> bool:
        return isinstance(row, int) and self.first <= row <= self.last


class RowMap:
    """Template row -> row after every region has grown."""

    def __init__(self, regions: Sequence[Region]) -> None:
        ordered = sorted(regions, key=lambda r: r.first)
        for above, below in pairwise(ordered):
            if below.first <= above.last:
                raise ValueError(f"regions at rows {above.first} and {below.first} overlap")
        self.regions = tuple(ordered)
        self._lasts = [r.last for r in ordered]
        shift, shifts = 0, []
        for region in ordered:
            shifts.append(shift)
            shift += region.extra
        self._shifts = shifts  # rows inserted above each region
        # rows inserted above a row below regions 0..i-1 (and within region i)
        self._below = [0, *(s + r.extra for s, r in zip(shifts, ordered, strict=True))]
        self.total_extra = shift

    def region_of(self, row: int) -> Region | None:
        i = bisect.bisect_left(self._lasts, row)
        if i < len(self.regions) and row in self.regions[i]:
            return self.regions[i]
        return None

    def first(self, row: int) -> int:
        """The row of `row` in the first copy (rows outside regions: where they move)."""
        # regions ending above `row`: 0..i-1
        return row + self._below[bisect.bisect_left(self._lasts, row)]

    def last(self, row: int) -> int:
        """The row of `row` in the last copy of its region (outside regions: `first`)."""
        region = self.region_of(row)
        return self.first(row) + (region.extra if region is not None else 0)

    def final_first_row(self, region: Region) -> int:
        return self.first(region.first)


def _outside_strings(formula: str, edit: Callable[[str], str]) -> str:
    """Apply `edit` to the parts of a formula that are not string literals."""
    parts, pos = [], 0
    for match in _STRING.finditer(formula):
        parts.append(edit(formula[pos : match.start()]))
        parts.append(match.group(0))
        pos = match.end()
    parts.append(edit(formula[pos:]))
    return "".join(parts)


def _row(text: str, row: int) -> str:
    """A row number keeping its `$` marker."""
    return f"${row}" if text.startswith("$") else str(row)


def _number(text: str) -> int:
    return int(text.lstrip("$"))


def _same_sheet(sheet: str | None, own: str) -> bool:
    if sheet is None:
        return True
    name = sheet[1:-1].replace("''", "'") if sheet.startswith("'") else sheet
    return name == own


@dataclass(frozen=True, slots=True)
class Adjuster:
    """Rewrites the references of one sheet's formulas after regions grew.

    `inside` is the region the formula's own cell belongs to (None: outside
    every region) and `copy` which copy of it the cell is.
    """

    rows: RowMap
    sheet: str

    def formula(self, formula: str, inside: Region | None = None, copy: int = 0) -> str:
        def edit(chunk: str) -> str:
            return REFERENCE.sub(
                lambda m: self._reference(m, inside, copy, grow_cells=False), chunk
            )

        return _outside_strings(formula, edit)

    def chart_reference(self, reference: str) -> str:
        """A chart series or title reference: single template-row cells grow too."""
        return REFERENCE.sub(lambda m: self._reference(m, None, 0, grow_cells=True), reference)

    def area(self, reference: str) -> str:
        """A print area or print-title reference."""
        return REFERENCE.sub(lambda m: self._reference(m, None, 0, grow_cells=False), reference)

    def _reference(
        self, match: re.Match[str], inside: Region | None, copy: int, *, grow_cells: bool
    ) -> str:
        text = match.group(0)
        if not _same_sheet(match.group("sheet"), self.sheet):
            return text
        prefix = f"{match.group('sheet')}!" if match.group("sheet") else ""
        if match.group("c1") is not None:
            c1, r1, c2, r2 = (match.group(k) for k in ("c1", "r1", "c2", "r2"))
            if c2 is None:
                if grow_cells and self.rows.region_of(_number(r1)) is not None:
                    start, end = self._span(r1, r1, inside, copy)
                    if start != end:
                        return f"{prefix}{c1}{_row(r1, start)}:{c1}{_row(r1, end)}"
                return f"{prefix}{c1}{_row(r1, self._single(r1, inside, copy))}"
            start, end = self._span(r1, r2, inside, copy)
            return f"{prefix}{c1}{_row(r1, start)}:{c2}{_row(r2, end)}"
        if match.group("rr1") is not None:
            rr1, rr2 = match.group("rr1"), match.group("rr2")
            start, end = self._span(rr1, rr2, inside, copy)
            return f"{prefix}{_row(rr1, start)}:{_row(rr2, end)}"
        return text  # a column range: rows do not matter

    def _moved(self, text: str, row: int, copy: int, inside: Region | None) -> int:
        """Fill-down: relative rows move with the copy of the formula's own region."""
        if inside is None or text.startswith("$"):
            return row
        return min(row + copy * inside.height, MAX_ROW)

    def _single(self, text: str, inside: Region | None, copy: int) -> int:
        return self._moved(text, self.rows.first(_number(text)), copy, inside)

    def _span(self, t1: str, t2: str, inside: Region | None, copy: int) -> tuple[int, int]:
        r1, r2 = _number(t1), _number(t2)
        if r1 > r2:
            r1, r2, t1, t2 = r2, r1, t2, t1
        start = self.rows.first(r1)
        own = inside is not None and r2 in inside
        end = self.rows.first(r2) if own else self.rows.last(r2)
        return self._moved(t1, start, copy, inside), self._moved(t2, end, copy, inside)
