"""The Program page shows which dated program rows (rules.md E1) the chosen period uses."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from desktop.presenters.main import MainPresenter, Page
from desktop.presenters.session import Session
from desktop.presenters.settings import AppSettings, MemorySettings
from partnerclose.api import Period
from tests.desktop.conftest import wait_idle
from tests.desktop.fakes import FakeMainView
from tests.test_terms_over_time import e_a_program, write_month
from tests.workbook_files import PROGRAM, write_program

OCT, SEP = Period(2026, 10), Period(2026, 9)


def e_a_workbook(folder: Path) -> Path:
    return write_month(folder, e_a_program(), OCT, [])


def test_the_presenter_lists_the_dated_rows_and_which_apply(tmp_path):
    session = Session(AppSettings(MemorySettings()), today=date(2026, 11, 15))
    main = MainPresenter(session)
    main.bind(FakeMainView())
    main.open_program(e_a_workbook(tmp_path))
    assert session.period == OCT
    text, rows = main.terms_in_force()
    assert text == (
        "1 of 2 dated rows in force in 2026-10; rows without valid_from or valid_to always apply."
    )
    assert rows == [
        ("RevenueTiers!A2", "Gold / sourced / 0", "until 2026-09", "not in 2026-10"),
        ("RevenueTiers!A3", "Gold / sourced / 0", "from 2026-10", "applies in 2026-10"),
    ]
    main.set_period(SEP)
    _, rows = main.terms_in_force()
    assert [row[3] for row in rows] == ["applies in 2026-09", "not in 2026-09"]


def test_a_program_without_dated_rows_says_every_row_applies(tmp_path):
    session = Session(AppSettings(MemorySettings()), today=date(2026, 11, 15))
    main = MainPresenter(session)
    main.bind(FakeMainView())
    main.open_program(write_program(tmp_path, PROGRAM))
    assert main.terms_in_force() == (
        "Every program row applies in every period (no valid_from or valid_to).",
        [],
    )


def test_the_program_page_shows_the_rows_of_the_chosen_period(qtbot, window, tmp_path):
    window.main.open_program(e_a_workbook(tmp_path))
    wait_idle(qtbot, window)
    page = window.pages[Page.PROGRAM]
    page.refresh()
    table = page.terms
    cells = [
        [table.item(r, c).text() for c in range(table.columnCount())]
        for r in range(table.rowCount())
    ]
    assert cells[1] == [
        "RevenueTiers!A3",
        "Gold / sourced / 0",
        "from 2026-10",
        "applies in 2026-10",
    ]
    assert page.terms_text.text().startswith("1 of 2 dated rows in force in 2026-10")
    page.period.setDate(page.period.date().addMonths(-1))
    wait_idle(qtbot, window)
    page.refresh()
    assert table.item(0, 3).text() == "applies in 2026-09"
    assert table.item(1, 3).text() == "not in 2026-09"
