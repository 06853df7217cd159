"""Each ribbon button's Python, as its VBA callback runs it
(`PC_RunPython "import partnerclose_addin; partnerclose_addin.<python>"`), on the fake
engine with the demo program as the calling workbook."""

from __future__ import annotations

import tempfile
from decimal import Decimal
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
        "PC_Approve",
        "PC_Reject",
        "PC_History",
        "PC_WhatIf",
        "PC_SendStatements",
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


def test_approve_and_reject_decide_on_the_draft_by_a_second_person(
    excel: FakeExcel, book: xw.Book, demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOGNAME", "alice")  # the ledger's user on SQLite: the OS user
    close_sheet(book)
    press("PC_DraftClose")
    assert outcome_cells(book)["Approval"] == "2026-10: draft run 1 by alice awaits approval"

    press("PC_Approve")  # alice ran the draft
    cells = outcome_cells(book)
    assert (cells["Status"], cells["Action taken"]) == ("Refused", "Approve")
    assert cells["Details"] == (
        "alice ran the draft of 2026-10 (run 1) and cannot approve or reject it; another user must"
    )
    assert excel.app.alerts[-1].prompt.startswith("Refused: Alice ran the draft")
    assert cells["Approval"] == "2026-10: draft run 1 by alice awaits approval"

    monkeypatch.setenv("LOGNAME", "bob")
    press("PC_Reject")  # without a reason
    cells = outcome_cells(book)
    assert cells["Status"] == "Not run"
    assert str(cells["Details"]).startswith(
        "Close!B6: type why the draft of 2026-10 is rejected next to 'Reason'"
    )
    close_sheet(book, reason="P003's October invoice is missing")
    press("PC_Reject")
    cells = outcome_cells(book)
    assert (cells["Status"], cells["Action taken"]) == ("Rejected", "Reject")
    approval = str(cells["Approval"])
    assert approval.startswith("2026-10: draft run 1 rejected by bob at ")
    assert approval.endswith(" because P003's October invoice is missing")

    close_sheet(book, action="Approve")  # the Action cell, through Run close
    press("PC_RunClose")
    cells = outcome_cells(book)
    assert (cells["Status"], cells["Details"]) == (
        "Approved",
        "approved the draft of 2026-10 (run 1)",
    )
    assert str(cells["Approval"]).startswith("2026-10: draft run 1 approved by bob at ")
    with Ledger(default_ledger(demo)) as ledger:
        decisions = [
            (e.action, e.user, e.reason)
            for e in ledger.audit_trail()
            if e.action in ("approve", "reject")
        ]
        assert ledger.verify() == []
    assert decisions == [
        ("reject", "bob", "P003's October invoice is missing"),
        ("approve", "bob", ""),  # the Reason cell is Reject's (and Reopen's), not a comment
    ]


def test_approve_without_a_draft_is_refused_in_plain_words(
    excel: FakeExcel, book: xw.Book, demo: Path
) -> None:
    close_sheet(book)
    press("PC_Approve")  # nothing closed yet: no ledger
    cells = outcome_cells(book)
    assert cells["Status"] == "Refused"
    assert cells["Details"] == (f"no ledger at {default_ledger(demo)}; no draft to decide on")
    assert cells["Approval"] == "2026-10: no draft to approve"

    press("PC_DraftClose")
    book.sheets["Close"]["B4"].value = "'2026-09"
    press("PC_Approve")
    cells = outcome_cells(book)
    assert (cells["Status"], cells["Details"]) == (
        "Refused",
        "there is no draft of 2026-09 to approve or reject; close a draft first",
    )
    assert cells["Approval"] == "2026-09: no draft to approve"


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


def test_send_statements_writes_an_eml_per_partner_for_outlook(
    excel: FakeExcel, book: xw.Book, demo: Path
) -> None:
    from email import message_from_bytes, policy

    from tests.distribution.conftest import write_pdfs

    close_sheet(book, action="Validate")
    press("PC_SendStatements")  # nothing final yet
    cells = outcome_cells(book)
    assert (cells["Status"], cells["Action taken"]) == ("Refused", "Send statements")
    excel.app.answers.append("ok")
    press("PC_FinalClose")
    out = demo.parent / "close-2026-10"
    partners = sorted(p.stem for p in (out / "statements").glob("*.xlsx"))
    write_pdfs(out, partners)  # the PDF statements' stand-ins
    press("PC_SendStatements")
    cells = outcome_cells(book)
    assert (cells["Status"], cells["Action taken"]) == ("E-mails written", "Send statements")
    files = sorted((out / "emails").glob("*.eml"))
    assert [f.stem for f in files] == partners
    message = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    [part] = list(message.iter_attachments())
    assert part.get_content() == (out / "statements" / f"{partners[0]}.pdf").read_bytes()


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


def test_the_add_in_config_names_the_team_s_server_over_the_environment(
    excel: FakeExcel,
    book: xw.Book,
    demo: Path,
    postgres_database: str,
    no_user_config: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    elsewhere = tmp_path / "someone-else.ledger.sqlite"
    monkeypatch.setenv("PARTNERCLOSE_LEDGER", str(elsewhere))
    user_file = no_user_config / ".myaddin" / "myaddin.conf"
    user_file.parent.mkdir()
    user_file.write_bytes(
        f'"Interpreter_Win","pythonw"\r\n"LEDGER","{postgres_database}"\r\n'.encode()
    )
    close_sheet(book, action="Validate")
    excel.app.answers.append("ok")
    press("PC_FinalClose")
    assert f"Ledger: {postgres_database} (set by LEDGER in {user_file})" in (
        excel.app.alerts[0].prompt
    )
    assert outcome_cells(book)["Status"] == "Closed"
    assert str(user_file) in outcome_cells(book)["Ledger"]
    with open_ledger(postgres_database, demo) as ledger:
        assert [(r.kind, r.status) for r in ledger.history()] == [("final", "current")]
    assert not elsewhere.exists()
    assert not default_ledger(demo).exists()


def test_a_config_beside_the_workbook_names_a_ledger_file_relative_to_it(
    excel: FakeExcel, book: xw.Book, demo: Path
) -> None:
    (demo.parent / "myaddin.conf").write_bytes(b'"LEDGER","team/program.ledger.sqlite"\r\n')
    close_sheet(book, action="Validate")
    press("PC_DraftClose")
    assert outcome_cells(book)["Status"] == "Closed"
    with Ledger(demo.parent / "team" / "program.ledger.sqlite") as ledger:
        assert [r.kind for r in ledger.history()] == ["draft"]
    assert not default_ledger(demo).exists()


def test_what_if_writes_the_scenarios_beside_the_close_into_the_workbook(book: xw.Book) -> None:
    close_sheet(book, action="Final close")
    pools = worksheet(book, "CostPools")
    header = [c.value for c in pools[1]]
    pool, amount = pools.cell(2, 1).value, pools.cell(2, header.index("amount") + 1).value
    scenarios = book.impl.wb.create_sheet("Scenarios")
    scenarios.append(["scenario", "change", "sheet", "key", "column", "value"])
    scenarios.append(["Licence +30 %", "factor", "CostPools", pool, "amount", 1.3])
    press("PC_WhatIf")
    cells = outcome_cells(book)
    assert (cells["Status"], cells["Action taken"]) == ("Compared", "What-if")
    rows = list(worksheet(book, "What-if").iter_rows(values_only=True))
    assert rows[0][0] == "What-if · program.xlsx"
    pool_rows = [r for r in rows if r[1] == pool and r[0] in ("Actual", "Licence +30 %")]
    # the pool's amount as typed, then × 1.3 rounded to the cent
    expected = (Decimal(str(amount)) * Decimal("1.3")).quantize(Decimal("0.01"))
    assert [Decimal(str(r[2])) for r in pool_rows] == [Decimal(str(amount)), expected]
    assert statement_names(book) == []  # nothing closed
    assert not (Path(book.fullname).parent / f"close-{PERIOD}").exists()  # not closed
