"""The desktop's "Correct an earlier period…" (rules.md P3), through the presenters with
fake views and the real pipeline, on Example P-c: September closed final with P001 at
100 seats; the corrected September workbook says 200, so October carries -1,800.00 for
P001 and +1,800.00 for P002 as prior-period adjustments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from pathlib import Path

from desktop.presenters.history import HistoryPresenter
from desktop.presenters.main import MainPresenter, Page
from desktop.presenters.review_tables import lines_table
from desktop.presenters.session import Session
from desktop.presenters.settings import AppSettings, MemorySettings
from partnerclose.api import Component, Ledger, Period, Status, default_ledger
from tests.desktop.conftest import wait_idle
from tests.desktop.fakes import FakeMainView, FakeView
from tests.test_restatement import pc_september


def _october(tmp_path: Path) -> tuple[Path, Path, Session, MainPresenter, FakeMainView]:
    program, corrections = pc_september(tmp_path, tmp_path / "program.xlsx.ledger.sqlite")
    session = Session(AppSettings(MemorySettings()), today=date(2026, 11, 15))  # period 2026-10
    main = MainPresenter(session)
    view = FakeMainView()
    main.bind(view)
    main.open_program(program)
    return program, corrections, session, main, view


def _adjustments(session: Session) -> dict[tuple[str, str], D]:
    outcome = session.closed
    assert outcome is not None
    assert outcome.result is not None
    return {
        (line.partner_id, line.item): line.amount
        for line in outcome.result.lines
        if line.component is Component.PRIOR_PERIOD_ADJUSTMENT
    }


def test_a_draft_shows_the_adjustments_and_the_final_close_records_the_restatement(tmp_path):
    program, corrections, session, main, view = _october(tmp_path)
    view.text_answer, view.folder_answer = "2026-09", corrections

    main.correct_earlier_period()
    assert view.asked[-1] == "Correct an earlier period"
    assert view.errors == []
    assert _adjustments(session) == {
        ("P001", "2026-09 cost_share"): D("-1800.00"),
        ("P002", "2026-09 cost_share"): D("1800.00"),
    }
    assert view.pages[-1] is Page.REVIEW
    outcome = session.closed
    assert outcome is not None
    assert outcome.result is not None
    review = [
        [cell.text for cell in row.cells] for row in lines_table(outcome.result, "P001", 2).rows
    ]
    assert [
        "Prior-period adjustment",
        "2026-09 cost_share",
        "",
        "",
        "-1,800.00",
        "P3",
        "",
        "2026-09 cost share restated: Usage corrected in P001_2026-09.xlsx "
        "(recorded -3,000.00, restated -4,800.00)",
    ] in review
    assert view.statuses[-1].endswith(
        "Restating 2026-09 (corrected workbooks in corrections): 2 prior-period adjustments "
        "(draft: nothing restated yet; see them in Review under Corrections, then close final)."
    )
    with Ledger(default_ledger(program)) as ledger:
        assert len(ledger.final_runs(Period(2026, 9))) == 1  # a draft restates nothing

    main.close(final=True)
    assert "It also restates 2026-09 (corrected workbooks in corrections)" in view.confirms[-1]
    outcome = session.closed
    assert outcome is not None
    assert outcome.status is Status.CLOSED
    assert view.statuses[-1].endswith(
        "Restated 2026-09 (corrected workbooks in corrections): 2 prior-period adjustments, "
        "restated versions recorded."
    )
    assert session.restatement is None  # recorded with the close

    history = HistoryPresenter(session)
    history.bind(FakeView())
    statements = {(row.cells[1].text, row.cells[7].text) for row in history.runs_table().rows}
    assert ("2026-09", "Version 2 (restated)") in statements
    assert ("2026-09", "Version 1") in statements
    assert ("2026-10", "Version 1") in statements


def test_only_an_earlier_period_can_be_corrected(tmp_path):
    _, corrections, session, main, view = _october(tmp_path)
    view.folder_answer = corrections
    view.text_answer = "2026-10"
    main.correct_earlier_period()
    assert view.errors[-1][0] == "Not an earlier period"
    assert view.errors[-1][1].startswith("2026-10 is not before 2026-10, the period being closed.")
    view.text_answer = "Sept"
    main.correct_earlier_period()
    assert view.errors[-1] == ("Not a period", 'Period must be YYYY-MM, got "Sept".')
    assert session.restatement is None
    assert session.closed is None  # nothing was closed


def test_cancelling_the_folder_closes_nothing(tmp_path):
    _, _, session, main, view = _october(tmp_path)
    view.text_answer, view.folder_answer = "2026-09", None
    main.correct_earlier_period()
    assert session.restatement is None
    assert session.closed is None


def test_the_close_menu_corrects_an_earlier_period_in_the_window(qtbot, window, tmp_path):
    program, corrections = pc_september(tmp_path, tmp_path / "program.xlsx.ledger.sqlite")
    window.main.open_program(program)
    wait_idle(qtbot, window)
    assert window.correct_action.isEnabled()
    assert window.correct_action.text() == "Correct an earlier period…"
    window.ask_text = lambda title, text, current: current  # the month before: 2026-09
    window.ask_folder = lambda title, start: corrections
    window.correct_action.trigger()
    wait_idle(qtbot, window)
    assert _adjustments(window.session)[("P001", "2026-09 cost_share")] == D("-1800.00")
    window.final_action.trigger()
    wait_idle(qtbot, window)
    page = window.pages[Page.HISTORY]
    model = page.runs.proxy
    shown = {(model.index(r, 1).data(), model.index(r, 7).data()) for r in range(model.rowCount())}
    assert ("2026-09", "Version 2 (restated)") in shown
    assert "Restated 2026-09" in window.statusBar().currentMessage()
