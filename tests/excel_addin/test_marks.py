"""Sheets the add-in made: marked, found again, swapped in at once or rolled back."""

from __future__ import annotations

from pathlib import Path

import pytest
import xlwings as xw
from openpyxl import Workbook

from excel_addin.marks import (
    MARK,
    Kind,
    Made,
    SheetSwap,
    made_sheets,
    mark_formula,
    parse_mark,
)
from tests.excel_addin.fake_excel import FakeExcel


@pytest.fixture
def book(excel: FakeExcel, tmp_path: Path) -> xw.Book:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Program"
    workbook.create_sheet("Notes")
    path = tmp_path / "program.xlsx"
    workbook.save(path)
    return excel.open(path)


def names(book: xw.Book) -> list[str]:
    return [sheet.name for sheet in book.sheets]


def test_a_mark_says_what_the_sheet_is_and_the_name_it_was_given() -> None:
    formula = mark_formula(Kind.STATEMENT, "P001", 'Stmt "P001"')
    assert formula == '="statement|P001|Stmt ""P001"""'
    assert parse_mark(formula) == (Kind.STATEMENT, "P001", 'Stmt "P001"')
    assert parse_mark('="chart|x|y"') is None
    assert parse_mark("=Sheet1!$A$1") is None
    assert parse_mark(None) is None


def test_a_commit_swaps_the_new_sheets_in_and_marks_them(book: xw.Book) -> None:
    swap = SheetSwap(book, set(Kind), made_sheets(book))
    swap.add(Kind.STATEMENT, "P001", swap.allocate("Stmt P001"))
    swap.add(Kind.SUMMARY, "", swap.allocate("Close Summary"))
    assert names(book) == ["Program", "Notes", "PC~1", "PC~2"]  # not shown yet
    swap.commit()
    assert names(book) == ["Program", "Notes", "Stmt P001", "Close Summary"]
    made = made_sheets(book)
    assert made == [
        Made("Stmt P001", Kind.STATEMENT, "P001", "Stmt P001"),
        Made("Close Summary", Kind.SUMMARY, "", "Close Summary"),
    ]
    hidden = [n for n in book.names if n.name.endswith(MARK)]
    assert hidden
    assert all(n.api.Visible is False for n in hidden)


def test_the_next_commit_replaces_only_sheets_still_the_add_ins(book: xw.Book) -> None:
    first = SheetSwap(book, set(Kind), made_sheets(book))
    for pid in ("P001", "P002", "P003"):
        first.add(Kind.STATEMENT, pid, first.allocate(f"Stmt {pid}"))
    first.add(Kind.EXCEPTIONS, "", first.allocate("Exceptions"))
    first.commit()
    book.sheets["Stmt P002"].copy(name="Stmt P002 (2)")  # the user's copy: keeps the mark
    book.sheets["Stmt P003"].name = "P003 as sent"  # renamed by the user

    second = SheetSwap(book, {Kind.STATEMENT}, made_sheets(book))
    for pid in ("P001", "P002"):
        second.add(Kind.STATEMENT, pid, second.allocate(f"Stmt {pid}"))
    second.commit()

    assert sorted(names(book)) == sorted(
        [
            "Program",
            "Notes",
            "Stmt P001",
            "Stmt P002",
            "Stmt P002 (2)",
            "P003 as sent",
            "Exceptions",
        ]
    )
    assert {m.sheet for m in made_sheets(book)} == {"Stmt P001", "Stmt P002", "Exceptions"}


def test_names_are_allocated_within_31_characters_beside_the_user_s(book: xw.Book) -> None:
    book.sheets.add("Exceptions")  # the user's own sheet of that name stays
    swap = SheetSwap(book, set(Kind), made_sheets(book))
    assert swap.allocate("Exceptions") == "Exceptions (2)"
    long = "Stmt " + "A" * 60
    assert swap.allocate(long) == "Stmt " + "A" * 26
    assert swap.allocate(long + "B") == "Stmt " + "A" * 22 + " (2)"


def test_a_rollback_leaves_the_workbook_as_it_was(book: xw.Book) -> None:
    before = names(book)
    swap = SheetSwap(book, set(Kind), made_sheets(book))
    work = swap.add(Kind.WORK, "", None, source=book.sheets["Notes"])
    swap.add(Kind.STATEMENT, "P001", swap.allocate("Stmt P001"), source=work)
    swap.rollback()
    assert names(book) == before


def test_leftovers_of_a_run_cut_short_are_removed_by_the_next(book: xw.Book) -> None:
    cut_short = SheetSwap(book, set(Kind), made_sheets(book))
    cut_short.add(Kind.STATEMENT, "P001", cut_short.allocate("Stmt P001"))
    # ... Excel closed here: PC~1 stays, marked
    assert [m.sheet for m in made_sheets(book)] == ["PC~1"]
    swap = SheetSwap(book, {Kind.EXCEPTIONS}, made_sheets(book))
    swap.add(Kind.EXCEPTIONS, "", swap.allocate("Exceptions"))
    swap.commit()
    assert names(book) == ["Program", "Notes", "Exceptions"]


def test_copies_of_a_marked_sheet_keep_a_temporary_name_and_get_their_own_mark(
    excel: FakeExcel, book: xw.Book
) -> None:
    swap = SheetSwap(book, set(Kind), made_sheets(book))
    work = swap.add(Kind.WORK, "", None, source=book.sheets["Notes"])
    excel.app.ops.clear()
    copy = swap.add(Kind.STATEMENT, "P001", swap.allocate("Stmt P001"), source=work)
    assert copy.name == "PC~1 (2)"  # Excel's name for a copy: temporary already
    ws = copy.impl.ws
    assert [op.kind for op in excel.app.ops_on(ws)] == ["copy sheet", "set name"]
    swap.commit()
    assert names(book) == ["Program", "Notes", "Stmt P001"]  # the working copy is gone
    assert made_sheets(book) == [Made("Stmt P001", Kind.STATEMENT, "P001", "Stmt P001")]
