"""The small sheet interface the template engine works through.

The engine reads a sheet once (`Sheet.read`), computes a backend-neutral
`FillPlan` (partnerclose.statements.plan), and hands the plan's operations to
the same sheet. An openpyxl worksheet (files) and a live Excel sheet (xlwings)
implement it; every method is meant to be one range operation, so that a plan
takes a bounded number of them whatever the number of lines.

Coordinates are 1-based. Rows in `insert_rows` are the template's rows (before
any insertion); every other method takes rows as they are after insertion.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from partnerclose.statements.values import CellValue


@dataclass(frozen=True, slots=True)
class SheetContent:
    """What one read of a template sheet gives the engine.

    It must not change once read: a backend that reads its template once returns the
    same object for every fill, and `build_plan` parses each object once.
    """

    title: str
    cells: Mapping[tuple[int, int], CellValue]  # (row, column) -> value; non-empty only
    print_area: str | None = None  # e.g. "'Statement'!$A$1:$K$90"
    print_title_rows: str | None = None  # e.g. "$1:$2"
    # Per chart (in the sheet's order): every cell reference its series and titles use.
    chart_references: tuple[tuple[str, ...], ...] = field(default=())
    # Merged ranges (first row, first column, last row, last column), when the
    # backend can tell; write blocks then never cut through one.
    merged: tuple[tuple[int, int, int, int], ...] = field(default=())


@dataclass(frozen=True, slots=True)
class RowInsert:
    """Insert `count` empty rows before template row `before`."""

    before: int
    count: int


class Sheet(Protocol):
    """One worksheet, as the template engine needs it."""

    def read(self) -> SheetContent:
        """Values and formulas of the used range, print area, chart references."""
        ...

    def replace_in_number_formats(self, placeholder: str, text: str, decimals: int = 2) -> None:
        """Put `text` for `{{ placeholder }}` in every number format of the sheet, and
        show the amounts of those formats to `decimals` places (`replace_in_format`)."""
        ...

    def insert_rows(self, inserts: Sequence[RowInsert]) -> None:
        """All insertions at once, in template rows; everything below moves down
        (cells, styles, merged ranges, row heights, drawings), as Excel's Insert."""
        ...

    def copy_row_formats(self, source: tuple[int, int], target: tuple[int, int]) -> None:
        """Styles, row heights and merged ranges of rows `source` (first, last),
        repeated over rows `target` (a whole number of times)."""
        ...

    def write_block(self, top: int, left: int, values: Sequence[Sequence[CellValue]]) -> None:
        """Values of a rectangle; `Text` is stored as text, never as a formula."""
        ...

    def fit_row_heights(self, rows: Sequence[tuple[int, int]]) -> None:
        """Give rows (first, last) without a fixed height one that fits their
        wrapped text (Excel: AutoFit)."""
        ...

    def set_print_area(self, area: str | None, title_rows: str | None) -> None: ...

    def set_chart_references(self, chart: int, references: Mapping[str, str]) -> None:
        """Replace chart `chart`'s references: old reference text -> new."""
        ...
