"""The template engine's `Sheet` on a live Excel worksheet, through xlwings.

`partnerclose.statements.plan` reads a template sheet once, plans, and hands
its operations to a `Sheet`. Here each operation is one range operation on the
open workbook, so a statement takes the same number of them with 10 lines or
1,000:

- `insert_rows`: whole rows inserted below each growing region (one call per
  region, bottom-up);
- `copy_row_formats`: the template rows copied over the new rows (Excel repeats
  a copied block over a destination that is a multiple of it): styles, number
  formats, row heights, merged cells, conditional formats and validations come
  along; the values that come along are all written over by the plan;
- `write_block`: one 2-D write; text goes in with a leading apostrophe, so that
  Excel stores it as text, never as a formula, number or date. `read` reports
  the used range as one merged range, so the plan writes it as one block and no
  merged range is ever cut (Excel refuses to write part of one);
- `fit_row_heights`: Excel's AutoFit over the tables' rows, one call per
  table (Excel fits only the first area of a multi-area range);
- `set_print_area`: the grown print area (Excel keeps the print titles itself).

Reading a template sheet (values, formulas, print area) and putting the
currency into its number formats (asked row by row: Excel cannot search
formats) happen once per close, on a working copy of the template
(`prepare_template`); every statement sheet is a copy of that copy, so its
`read` and `replace_in_number_formats` cost nothing.

Values are read through `calls.range_values`, so a currency-formatted number
in a template is its double, not COM's 4-decimal Currency.

Chart series are left to Excel: it moves them with inserted rows; a series on a
single template-row cell does not grow (the file backend grows it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import groupby

import xlwings as xw

from excel_addin.calls import as_rows, autofit_rows, range_values
from excel_addin.cells import Box, box_address, from_excel, to_excel
from partnerclose.template_api import (
    CellValue,
    Formula,
    RowInsert,
    SheetContent,
    Text,
    replace_in_format,
)


@dataclass(frozen=True, slots=True)
class PreparedTemplate:
    """A template sheet read once, its number formats already given `currency`.

    Statement sheets are copies of the prepared sheet, so they share this
    content: their `read` and `replace_in_number_formats` touch nothing.
    """

    content: SheetContent
    # the number formats' (placeholder, text, decimals) the working copy has already
    replacements: tuple[tuple[str, str, int], ...] = ()


class XlwingsSheet:
    """A live worksheet behind the `partnerclose.statements.sheet.Sheet` protocol."""

    def __init__(
        self,
        sheet: xw.Sheet,
        prepared: PreparedTemplate | None = None,
    ) -> None:
        self.sheet = sheet
        self.prepared = prepared
        self._content: SheetContent | None = prepared.content if prepared else None

    # --- the one read ------------------------------------------------------------

    def read(self) -> SheetContent:
        if self._content is None:
            self._content = read_content(self.sheet)
        return self._content

    # --- the plan's operations -------------------------------------------------------

    def replace_in_number_formats(self, placeholder: str, text: str, decimals: int = 2) -> None:
        prepared = self.prepared
        if prepared is not None and (placeholder, text, decimals) in prepared.replacements:
            return  # the sheet is a copy of a template that has it already
        replace_number_formats(self.sheet, self.read(), placeholder, text, decimals)

    def insert_rows(self, inserts: Sequence[RowInsert]) -> None:
        # One insertion per growing region, bottom-up so that the rows above stay where
        # the template has them. (A multi-area insertion would be one call, but its
        # areas may not overlap: k rows cannot go before a row fewer than k rows above
        # the next insertion point.)
        for insert in sorted(inserts, key=lambda i: i.before, reverse=True):
            if insert.count > 0:
                last = insert.before + insert.count - 1
                self.sheet.range(f"{insert.before}:{last}").insert("down")

    def copy_row_formats(self, source: tuple[int, int], target: tuple[int, int]) -> None:
        rows = self.sheet.range(f"{source[0]}:{source[1]}")
        rows.copy(self.sheet.range(f"{target[0]}:{target[1]}"))

    def write_block(self, top: int, left: int, values: Sequence[Sequence[CellValue]]) -> None:
        if not values or not values[0]:
            return
        bottom, right = top + len(values) - 1, left + len(values[0]) - 1
        target = self.sheet.range((top, left), (bottom, right))
        target.value = [[to_excel(value) for value in row] for row in values]

    def fit_row_heights(self, rows: Sequence[tuple[int, int]]) -> None:
        # Rows Excel sizes itself (no fixed height) grow with wrapped text as values
        # are written; AutoFit makes sure for the inserted ones, table by table.
        # (Excel never fits merged cells: neither does this.)
        autofit_rows(self.sheet, rows)

    def set_print_area(self, area: str | None, title_rows: str | None) -> None:
        # Excel moves the print titles itself when rows are inserted below them.
        self.sheet.page_setup.print_area = None if area is None else unqualified(area)

    def set_chart_references(self, chart: int, references: Mapping[str, str]) -> None:
        # `read` reports no chart references, so the plan never asks for this.
        return


# --- reading a template sheet (once per close) --------------------------------------


def used_extent(sheet: xw.Sheet) -> tuple[int, int]:
    """The last row and column of the sheet's used range (A1 at least)."""
    last = sheet.used_range.last_cell
    return max(1, last.row), max(1, last.column)


def read_content(sheet: xw.Sheet, title: str | None = None) -> SheetContent:
    """Values and formulas from A1 to the end of the used range and the print
    area: what the template engine needs to plan (two reads and a question)."""
    last_row, last_column = used_extent(sheet)
    whole = sheet.range((1, 1), (last_row, last_column))
    values = range_values(whole)
    formulas = as_rows(whole.formula)
    cells: dict[tuple[int, int], CellValue] = {}
    for r, (value_row, formula_row) in enumerate(zip(values, formulas, strict=False), start=1):
        for c, (value, formula) in enumerate(zip(value_row, formula_row, strict=False), start=1):
            cell = _cell(value, formula)
            if cell is not None:
                cells[r, c] = cell
    area = sheet.page_setup.print_area
    return SheetContent(
        title=title or sheet.name,
        cells=cells,
        print_area=area or None,
        print_title_rows=None,
        chart_references=(),
        # Excel can only be asked cell by cell which cells are merged. Reported as
        # one merged range, the used range makes the plan write it as one block,
        # which cuts no merged range: no need to find them.
        merged=((1, 1, last_row, last_column),),
    )


def _cell(value: object, formula: object) -> CellValue:
    # `Range.Formula` gives a text cell's text too (`=x` stored as text reads
    # `=x`): a formula is a cell whose formula differs from its value.
    if isinstance(formula, str) and formula.startswith("=") and formula != value:
        return Formula(formula)
    return from_excel(value)


# --- number formats (once per close) -----------------------------------------------


def _takes_a_number_format(value: CellValue) -> bool:
    """Cells whose number format shows: numbers, dates, formulas, placeholders."""
    if isinstance(value, Text):
        return "{{" in value.value
    return value is not None


def replace_number_formats(
    sheet: xw.Sheet, content: SheetContent, placeholder: str, text: str, decimals: int = 2
) -> None:
    """`{{ placeholder }}` -> `text` in the number formats of the cells that show one.

    Excel has no search in number formats: each row's span of such cells is
    asked once (one answer when they share a format), cells one by one where
    they do not; then each changed format is written per run of cells.
    """
    wanted = sorted(at for at, value in content.cells.items() if _takes_a_number_format(value))
    formats: dict[tuple[int, int], str] = {}
    for row, group in groupby(wanted, key=lambda at: at[0]):
        columns = [column for _, column in group]
        shared = sheet.range((row, columns[0]), (row, columns[-1])).number_format
        for column in columns:
            found = shared if isinstance(shared, str) else sheet.range((row, column)).number_format
            if isinstance(found, str):
                formats[row, column] = found
    changed: dict[str, list[tuple[int, int]]] = {}
    for at, number_format in formats.items():
        new = replace_in_format(number_format, placeholder, text, decimals)
        if new != number_format:
            changed.setdefault(new, []).append(at)
    for new, cells in changed.items():
        for box in _row_runs(cells):
            sheet.range(box_address(box)).number_format = new


def _row_runs(cells: Sequence[tuple[int, int]]) -> Iterator[Box]:
    """Cells grouped into runs of neighbouring columns of one row."""
    for row, group in groupby(sorted(cells), key=lambda at: at[0]):
        columns = [column for _, column in group]
        start = previous = columns[0]
        for column in columns[1:]:
            if column != previous + 1:
                yield row, start, row, previous
                start = column
            previous = column
        yield row, start, row, previous


# --- the prepared template -------------------------------------------------------


def prepare_template(
    sheet: xw.Sheet, title: str, replacements: Sequence[tuple[str, str, int]] = ()
) -> PreparedTemplate:
    """Read a (working copy of a) template sheet once and give its number formats the
    `replacements` (placeholder, text, decimals) that all its statements share.

    `title` names the template in messages; formulas that name the sheet itself
    lose the name, so that they keep pointing at whichever copy holds them.
    """
    content = read_content(sheet, title)
    own = sheet.name
    content = replace(content, cells=_unqualified_cells(content.cells, own))
    for placeholder, text, decimals in replacements:
        replace_number_formats(sheet, content, placeholder, text, decimals)
    return PreparedTemplate(content, tuple(replacements))


def _unqualified_cells(
    cells: Mapping[tuple[int, int], CellValue], sheet: str
) -> dict[tuple[int, int], CellValue]:
    quoted = "'" + sheet.replace("'", "''") + "'!"
    own = re.compile(re.escape(quoted) + "|" + r"(?<![\w.'])" + re.escape(sheet + "!"))
    return {
        at: Formula(own.sub("", value.value)) if isinstance(value, Formula) else value
        for at, value in cells.items()
    }


_SHEET_PREFIX = re.compile(r"'(?:[^']|'')+'!|[A-Za-z_][\w.]*!")


def unqualified(area: str) -> str:
    """A print area without sheet names: `'Statement'!$A$1:$K$92` -> `$A$1:$K$92`."""
    return _SHEET_PREFIX.sub("", area)
