"""The open workbook: its program sheets as grids, and the templates it lacks."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import xlwings as xw

from excel_addin.calls import copy_sheet, range_values
from excel_addin.layout import CLOSE_SHEET, STATEMENT_TEMPLATE_SHEET
from excel_addin.marks import SheetSwap
from excel_addin.sheet import used_extent
from partnerclose.api import SheetGrid, WorkbookGrids
from partnerclose.template_api import STATEMENT_TEMPLATE, TEMPLATES

PROGRAM_TEMPLATE = TEMPLATES / "program_template.xlsx"


def find_sheet(book: xw.Book, name: str) -> xw.Sheet | None:
    wanted = name.lower()
    for sheet in book.sheets:
        if sheet.name.lower() == wanted:
            return sheet
    return None


def read_grids(book: xw.Book, skip: Collection[str]) -> WorkbookGrids:
    """Every sheet but `skip` (the add-in's own) as it stands, unsaved edits included:
    one range read per sheet, A1 to the end of its used range, as Excel returns
    values (numbers as doubles, currency-formatted ones too; dates as datetimes;
    empty as None; errors as text)."""
    skipped = {name.lower() for name in skip}
    sheets: dict[str, SheetGrid] = {}
    for sheet in book.sheets:
        name = sheet.name
        if name.lower() in skipped:
            continue
        last_row, last_column = used_extent(sheet)
        whole = sheet.range((1, 1), (last_row, last_column))
        sheets[name] = SheetGrid(name, range_values(whole, err_to_str=True))
    return WorkbookGrids(book.name, sheets)


def insert_sheet(
    book: xw.Book, source: Path, name: str, *, first: bool = False, sheet: str | None = None
) -> xw.Sheet:
    """Copy a sheet (`sheet`, default the first) of the workbook file `source` into
    `book`, first or last, named `name`. The file is opened in the same Excel and
    closed again (unless it was open already)."""
    app = book.app
    was_open = any(open_book.name.lower() == source.name.lower() for open_book in app.books)
    known = {existing.name.lower() for existing in book.sheets}
    template = app.books.open(str(source), update_links=False, read_only=True)
    try:
        copied = template.sheets[sheet] if sheet else template.sheets[0]
        new = copy_sheet(copied, book, known=known, first=first)
        if new.name != name:
            new.name = name
        return new
    finally:
        if not was_open:
            template.close()


def ensure_close_sheet(book: xw.Book) -> tuple[xw.Sheet, bool]:
    """The Close sheet, inserted from the program template when the workbook has
    none (then True: the user has not picked anything yet)."""
    found = find_sheet(book, CLOSE_SHEET)
    if found is not None:
        return found, False
    sheet = insert_sheet(book, PROGRAM_TEMPLATE, CLOSE_SHEET, first=True, sheet=CLOSE_SHEET)
    sheet.activate()
    return sheet, True


def ensure_statement_template(book: xw.Book, swap: SheetSwap) -> xw.Sheet:
    """The workbook's Statement Template sheet, inserted from templates/statement.xlsx
    when absent (kept for the user to restyle; removed again if the run fails)."""
    found = find_sheet(book, STATEMENT_TEMPLATE_SHEET)
    if found is not None:
        return found
    sheet = insert_sheet(book, STATEMENT_TEMPLATE, STATEMENT_TEMPLATE_SHEET)
    swap.inserted(sheet)
    return sheet
