"""Each ribbon button's Python, as its VBA callback runs it
(`PC_RunPython "import partnerclose_addin; partnerclose_addin.<python>"`), on the fake
engine with the demo program as the calling workbook."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import xlwings as xw

from excel_addin import checks
from excel_addin.build import ADDIN_MODULE
from excel_addin.ribbon import BUTTONS
from partnerclose.api import Ledger, default_ledger, open_ledger
from tests.excel_addin.conftest import PERIOD
from tests.excel_addin.fake_excel import FakeExcel
from tests.excel_addin.test_entry import outcome_cells, statement_names, worksheet


def press(callback: str) -> None:
    """What the button whose callback is `callback` makes Python run."""
    button = next(b for b in BUTTONS if b.callback == callback)
    exec(f"import {ADDIN_MODULE}; {ADDIN_MODULE}.{button.python}", {})


def close_sheet(book: xw.Book, action: str = "Draft close", reason: str = "") -> None:
    """The Close sheet's period, its Action cell (which a button overrides) and reason."""
    sheet = book.sheets["Close"]
    sheet["B4"].value = f"'{PERIOD}"
    sheet["B5"].value = action
    sheet["B6"].value = reason


def test_every_button_is_pressed_below() -> None:
    pressed = {
        "PC_Validate",
        "PC_DraftClose",
        "PC_FinalClose",
        "PC_RunClose",
        "PC_Reopen",
        "PC_History",
        "PC_CheckComputer",
        "PC_SelfTest",
    }
    assert {button.callback for button in BUTTONS} == pressed


def test_validate_validates_whatever_the_action_cell_says(book: xw.Book) -> None:
    close_sheet(book, action="Final close")
    press("PC_Validate")
    cells = outcome_cells(book)
    assert (cells["Status"], cells["Action taken"]) == ("Valid", "Validate")
    assert statement_names(book) == []


def test_draft_close_writes_the_statements(book: xw.Book, demo: Path) -> None:
    close_sheet(book, action="Validate")
    press("PC_DraftClose")
    cells = outcome_cells(book)
    assert (cells["Status"], cells["Action taken"]) == ("Closed", "Draft close")
    files = list((demo.parent / f"close-{PERIOD}" / "statements").glob("*.xlsx"))
    assert len(statement_names(book)) == cells["Statements"] == len(files) > 0
    with Ledger(default_ledger(demo)) as ledger:
        assert ledger.final_periods() == []


def test_final_close_asks_then_locks_and_reopen_unlocks(
    excel: FakeExcel, book: xw.Book, demo: Path
) -> None:
    close_sheet(book, action="Validate")
    excel.app.answers.append("ok")
    press("PC_FinalClose")
    assert "Close 2026-10 FINAL?" in excel.app.alerts[0].prompt
    assert outcome_cells(book)["Status"] == "Closed"
    with Ledger(default_ledger(demo)) as ledger:
        assert ledger.final_periods() == ["2026-10"]

    close_sheet(book, action="Validate", reason="a late invoice from P003")
    excel.app.answers.append("ok")
    press("PC_Reopen")
    assert "Reopen 2026-10?" in excel.app.alerts[-2].prompt
    cells = outcome_cells(book)
    assert (cells["Status"], cells["Action taken"]) == ("Reopened", "Reopen")
    with Ledger(default_ledger(demo)) as ledger:
        assert ledger.final_periods() == []
        assert "a late invoice from P003" in str(ledger.audit_trail())


def test_run_close_does_what_the_action_cell_says(book: xw.Book) -> None:
    close_sheet(book, action="Validate")
    press("PC_RunClose")
    cells = outcome_cells(book)
    assert (cells["Status"], cells["Action taken"]) == ("Valid", "Validate")


def test_history_lists_the_ledger_s_runs(book: xw.Book) -> None:
    close_sheet(book)
    press("PC_DraftClose")
    press("PC_History")
    assert outcome_cells(book)["Status"] == "Listed"
    history = worksheet(book, "Close History")
    assert book.sheets.active.name == "Close History"
    assert any(cell.value == "draft" for row in history.iter_rows() for cell in row), (
        "the draft run is listed"
    )


def test_check_this_computer_reports_in_excel(
    excel: FakeExcel, book: xw.Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checks, "REPORT_FILE", tmp_path / "doctor.txt")
    press("PC_CheckComputer")
    report = (tmp_path / "doctor.txt").read_text(encoding="utf-8")
    assert f"[ok     ] program: {Path(book.impl.path)}" in report
    assert str(tmp_path / "doctor.txt") in excel.app.alerts[-1].prompt


def test_self_test_runs_the_demo_and_says_where_the_report_is(
    excel: FakeExcel, book: xw.Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    press("PC_SelfTest")
    [report] = tmp_path.glob("partnerclose-selftest-*/selftest-report.txt")
    assert "All steps passed." in report.read_text(encoding="utf-8")
    alert = excel.app.alerts[-1]
    assert alert.prompt.startswith("The self-test passed.")
    assert str(report) in alert.prompt
    assert [b.name for b in excel.app.books.books] == ["program.xlsx"]  # the demo closed again


def test_on_a_team_s_server_every_button_uses_it(
    excel: FakeExcel,
    book: xw.Book,
    demo: Path,
    postgres_database: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PARTNERCLOSE_LEDGER", postgres_database)
    close_sheet(book, action="Validate")
    excel.app.answers.append("ok")
    press("PC_FinalClose")
    assert f"Ledger: {postgres_database}" in excel.app.alerts[0].prompt  # says which ledger
    assert outcome_cells(book)["Status"] == "Closed"
    close_sheet(book, action="Validate", reason="a late invoice from P003")
    excel.app.answers.append("ok")
    press("PC_Reopen")
    assert outcome_cells(book)["Status"] == "Reopened"
    press("PC_History")
    assert outcome_cells(book)["Status"] == "Listed"
    with open_ledger(postgres_database, demo) as ledger:
        assert [(r.kind, r.status) for r in ledger.history()] == [("final", "reopened")]
        assert ledger.verify() == []
    assert not default_ledger(demo).exists()  # nothing beside the workbook
