"""The presenters without Qt: fake views, jobs run inline, the real pipeline."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from desktop.presenters.charts import ChartsPresenter
from desktop.presenters.export import ExportPresenter, size_text
from desktop.presenters.formatting import money, number, parse_money, percent
from desktop.presenters.history import HistoryPresenter
from desktop.presenters.main import (
    MainPresenter,
    Page,
    progress_state,
    workbook_in,
)
from desktop.presenters.review import ReviewPresenter
from desktop.presenters.scenario import ScenarioPresenter, retained_cost
from desktop.presenters.session import Backend, Session, last_month
from desktop.presenters.settings import MAX_RECENT, AppSettings, MemorySettings
from desktop.presenters.table import DASH, Tone
from desktop.presenters.validation import ValidationPresenter
from partnerclose.api import (
    HOST,
    Component,
    Ledger,
    Period,
    ProgressEvent,
    Severity,
    Stage,
    Status,
    default_ledger,
    run_close,
)
from tests.desktop.conftest import read_lines_csv
from tests.desktop.fakes import FakeMainView, FakeView

ROOT = Path(__file__).resolve().parents[2]
OCTOBER = Period(2026, 10)


def open_session(
    program: Path, backend: Backend | None = None
) -> tuple[Session, MainPresenter, FakeMainView]:
    session = Session(AppSettings(MemorySettings()), backend, today=date(2026, 11, 15))
    main = MainPresenter(session)
    view = FakeMainView()
    main.bind(view)
    main.open_program(program)
    return session, main, view


# --- formatting and settings ---------------------------------------------------------------


def test_money_is_grouped_rounded_half_up_and_never_minus_zero():
    assert money(Decimal("-1234.5")) == "-1,234.50"
    assert money(Decimal("1234567.005")) == "1,234,567.01"  # half up at the cent
    assert money(Decimal("-0.004")) == "0.00"
    assert money(Decimal("12.5"), 0) == "13"
    assert parse_money("-1,234.50") == Decimal("-1234.50")
    assert number(Decimal("0.150000")) == "0.15"
    assert percent(Decimal("0.3")) == "30.0 %"
    assert size_text(1536) == "1.5 KB"


def test_the_period_defaults_to_last_month():
    assert last_month(date(2026, 11, 15)) == Period(2026, 10)
    assert last_month(date(2027, 1, 1)) == Period(2026, 12)
    assert Session(today=date(2026, 3, 31)).period == Period(2026, 2)


def test_recent_files_put_the_latest_first_without_duplicates():
    settings = AppSettings(MemorySettings())
    for i in range(MAX_RECENT + 3):
        settings.add_recent(Path(f"/data/p{i}.xlsx"))
    settings.add_recent(Path("/data/p5.xlsx"))
    recent = settings.recent_files()
    assert recent[0] == Path("/data/p5.xlsx")
    assert len(recent) == MAX_RECENT
    assert len(set(recent)) == MAX_RECENT
    assert settings.last_directory() == Path("/data")


def test_folders_are_remembered_per_program_and_a_damaged_value_is_ignored():
    store = MemorySettings()
    settings = AppSettings(store)
    a, b = Path("/x/a.xlsx"), Path("/x/b.xlsx")
    settings.set_ledger_path(a, Path("/ledgers/a.sqlite"))
    settings.set_output_root(a, Path("/out"))
    assert settings.ledger_path(a) == Path("/ledgers/a.sqlite")
    assert settings.output_root(a) == Path("/out")
    assert settings.ledger_path(b) is None
    settings.set_ledger_path(a, None)
    assert settings.ledger_path(a) is None
    assert json.loads(store.values[AppSettings.FOLDERS]) == {str(a): {"output": "/out"}}
    store.values[AppSettings.RECENT] = "{not json"
    assert settings.recent_files() == []


def test_the_session_derives_output_and_ledger_from_the_program(demo_program):
    session = Session(today=date(2026, 11, 2))
    session.program_path = demo_program
    assert session.output_folder() == demo_program.parent / "close-2026-10"
    assert session.ledger_path() == default_ledger(demo_program)
    session.settings.set_output_root(demo_program, Path("/elsewhere"))
    assert session.output_folder() == Path("/elsewhere/close-2026-10")


# --- open, validate, close -------------------------------------------------------------------


def test_opening_a_program_validates_it(demo_program):
    session, main, view = open_session(demo_program)
    assert session.inputs is not None
    assert session.inputs.ok
    assert session.partner_folder() == demo_program.parent / "partners"
    assert view.statuses[-1].startswith("Ready to close 2026-10: 11 partner workbooks read")
    assert session.settings.recent_files() == [demo_program]
    assert main.window_title() == "program.xlsx · 2026-10 · PartnerClose"
    facts = dict(main.program_facts())
    assert facts["Partners"] == "12 (11 taking part in 2026-10)"
    assert not session.busy
    assert view.progress[-1] is None


def test_a_missing_workbook_is_reported_and_forgotten(tmp_path):
    session = Session(today=date(2026, 11, 2))
    missing = tmp_path / "gone.xlsx"
    session.settings.add_recent(missing)
    main = MainPresenter(session)
    view = FakeMainView()
    main.bind(view)
    main.open_program(missing)
    assert view.errors[0][0] == "Program workbook not found"
    assert session.settings.recent_files() == []
    assert not session.is_open


def test_only_workbooks_are_taken_from_a_drop(tmp_path):
    assert workbook_in([str(tmp_path / "notes.txt")]) is None
    assert workbook_in([str(tmp_path / "~$program.xlsx")]) is None
    assert workbook_in(["a.csv", "/d/Program.XLSM"]) == Path("/d/Program.XLSM")


def test_a_draft_close_shows_the_review(demo_program):
    session, main, view = open_session(demo_program)
    main.close(final=False)
    outcome = session.closed
    assert outcome is not None
    assert outcome.status is Status.CLOSED
    assert view.pages[-1] is Page.REVIEW
    assert view.confirms == []  # a draft asks nothing
    assert view.statuses[-1] == (
        "Closed 2026-10 (draft): 11 partners, 130 lines; net payable to partners USD 143,293.30."
    )
    assert (demo_program.parent / "close-2026-10" / "lines.csv").is_file()
    stages = {s.stage_text for s in view.progress if s is not None}
    assert {
        "Step 1 of 5: Reading workbooks",
        "Step 3 of 5: Computing lines",
        "Step 4 of 5: Writing outputs",
    } <= stages
    assert "Step 5 of 5: Recording in the ledger" in stages
    details = {s.detail_text for s in view.progress if s is not None}
    assert "4 of 11 · P004" in details  # per partner, as the statements are written


def test_a_final_close_asks_first_naming_the_period(demo_program):
    session, main, view = open_session(demo_program)
    view.answer_confirm = False
    main.close(final=True)
    assert "Close 2026-10 as final?" in view.confirms[0]
    assert session.closed is None
    assert not default_ledger(demo_program).exists()
    view.answer_confirm = True
    main.close(final=True)
    assert session.closed is not None
    with Ledger(default_ledger(demo_program)) as ledger:
        assert ledger.final_periods() == ["2026-10"]
    confirms = len(view.confirms)
    main.close(final=True)  # the period is locked now: refused before anything is asked
    main.close(final=False)
    assert len(view.confirms) == confirms
    assert (
        view.errors[-2:]
        == [
            (
                "2026-10 is closed",
                "Period 2026-10 is closed (final) and locked in the ledger. To close it again, "
                "reopen it on the History page with a reason; the reason is kept in the audit trail.",
            )
        ]
        * 2
    )
    assert view.statuses[-1] == ""  # no "Closing 2026-10 (final)…" left behind


def test_invalid_input_lists_the_problems(demo_program):
    (demo_program.parent / "partners" / "P001_2026-10.xlsx").write_text("not a workbook")
    session, main, view = open_session(demo_program)
    assert session.inputs is not None
    assert not session.inputs.ok
    assert view.pages[-1] is Page.VALIDATION
    main.close(final=False)
    assert view.errors[-1][0] == "The close did not run"
    assert session.closed is None
    assert not (demo_program.parent / "close-2026-10").exists()


def test_cancelling_a_close_writes_nothing(demo_program):
    session, main, view = open_session(demo_program)

    def cancel_when_computing(state):
        if "Computing" in state.stage_text:
            main.cancel()

    view.on_progress = cancel_when_computing
    main.close(final=False)
    assert view.statuses[-1] == "Close cancelled; nothing was written."
    assert session.closed is None
    assert not (demo_program.parent / "close-2026-10").exists()
    assert [p.name for p in demo_program.parent.iterdir() if p.name.startswith(".")] == []
    with Ledger(default_ledger(demo_program)) as ledger:
        assert ledger.history() == []


def test_an_unexpected_failure_is_a_plain_message_with_the_details_logged(
    demo_program, isolated_log
):
    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device", "/full/disk")

    session, main, view = open_session(demo_program, Backend(run_close=broken))
    main.close(final=False)
    title, text = view.errors[-1]
    assert title == "The close could not finish"
    assert "No space left on device (/full/disk)" in text
    assert "Traceback" not in text
    assert str(isolated_log) in text
    assert "Traceback" in isolated_log.read_text()
    assert not session.busy


def test_progress_is_per_stage_and_per_partner():
    state = progress_state("Closing", ProgressEvent(Stage.WRITE, 3, 11, "P004"))
    assert state.stage_text == "Step 4 of 5: Writing outputs"
    assert state.stage_percent == (3 * 11 + 3) * 100 // (5 * 11)  # 65
    assert state.detail_text == "3 of 11 · P004"
    assert state.detail_percent == 27  # 3 * 100 // 11
    unknown = progress_state("Closing", ProgressEvent(Stage.COMPUTE, 0, 1))
    assert unknown.detail_percent == -1
    assert unknown.stage_percent == 40


# --- the page presenters ---------------------------------------------------------------------


def test_validation_rows_filter_counts_and_open_the_workbook(demo_program):
    bad = demo_program.parent / "partners" / "P001_2026-10.xlsx"
    bad.write_text("not a workbook")
    session, _, _ = open_session(demo_program)
    presenter = ValidationPresenter(session)
    view = FakeView()
    presenter.bind(view)
    table = presenter.table
    assert table.rows[0].category == Severity.ERROR.value  # errors first
    assert table.rows[0].cells[table.column("File")].text == "P001_2026-10.xlsx"
    labels = dict(presenter.filter_labels())
    assert labels[Severity.ERROR].startswith("Errors  ")
    assert presenter.state() == "error"
    presenter.activate(0)
    assert view.opened == [bad]
    presenter.set_shown(Severity.ERROR, False)
    assert Severity.ERROR.value not in presenter.shown_categories()


def test_review_summary_matches_lines_csv(demo_program):
    session, main, _ = open_session(demo_program)
    main.close(final=False)
    review = ReviewPresenter(session)
    review.bind(FakeView())
    table = review.summary()
    expected = read_lines_csv(demo_program.parent / "close-2026-10" / "lines.csv")
    body = [r for r in table.rows if not r.total]
    assert [r.key for r in body] == ["HOST", *[f"P{i:03d}" for i in range(1, 12)]]
    for row in body:
        for i, column in enumerate(table.columns):
            if column.key in ("participant",):
                continue
            cell = row.cells[i]
            value = Decimal(0) if cell.text == DASH else parse_money(cell.text)
            if column.key == "net":
                assert value == sum(expected[row.key].values(), Decimal(0))
            else:
                assert value == expected[row.key].get(column.key, Decimal(0)), (row.key, column)
            assert (cell.tone is Tone.NEGATIVE) == (value < 0)
    total = table.rows[-1]
    assert total.total
    grand = sum((sum(v.values(), Decimal(0)) for v in expected.values()), Decimal(0))
    assert parse_money(total.cells[table.column("net")].text) == grand


def test_review_partner_view_shows_held_amounts_key_figures_and_flags(demo_program):
    session, main, _ = open_session(demo_program)
    main.close(final=False)
    review = ReviewPresenter(session)
    review.bind(FakeView())
    review.select("P003")
    header = review.partner_header()
    assert header is not None
    assert header.title == "P003 · Cedar Ridge Consulting"
    assert header.direction == "Amount payable to the partner"
    assert header.net == "11,309.17 USD"
    milestones = review.partner_milestones()
    assert milestones.texts("Milestone") == ["M004"]
    assert milestones.texts("Held") == ["2,000.00"]
    assert milestones.texts("Held to date") == ["2,000.00"]
    lines = review.partner_lines()
    assert set(lines.texts("Rule")) >= {"C4", "C7", "C8", "R3"}
    figure_table = review.partner_key_figures()
    figures = dict(zip(figure_table.texts("Key figure"), figure_table.texts("Value"), strict=True))
    assert figures["Win rate"] == "60.0 %"
    assert next(s.section for s in review.partner_subtotals()) == "Cost sharing"
    review.select("P008")
    header = review.partner_header()
    assert header is not None
    assert "renegotiation window" in header.flags
    pools = review.pools()
    assert set(pools.texts("Check")) == {"0.00"}
    reserve_table = review.reserve()
    reserve = dict(
        zip(reserve_table.texts("Reserve fund"), reserve_table.texts("Amount"), strict=True)
    )
    assert reserve["Closing balance"] == "20,000.00"
    assert reserve["Draws for pools"] == "-1,500.00"
    assert len(review.exceptions().rows) == 5


def test_charts_data_come_from_the_close(demo_program):
    session, main, _ = open_session(demo_program)
    main.close(final=False)
    charts = ChartsPresenter(session)
    charts.bind(FakeView())
    result = session.closed.result
    net = charts.net()
    assert net.series[0].values == tuple(result.net(p) for p in result.participants[1:])
    assert net.categories[0] == "P001 · Acme Analytics"
    shares = charts.cost_share()
    assert shares.stacked
    allocable = {c.pool_id: c.amount - c.draw for c in result.pool_checks}
    for category, total in zip(shares.categories, shares.totals(), strict=True):
        assert total == allocable[category.split(" · ")[0]]
    assert shares.series[0].name == "Host"


def test_what_if_recomputes_in_memory_and_never_touches_the_ledger(demo_program):
    session, main, _ = open_session(demo_program)
    main.close(final=False)
    ledger = default_ledger(demo_program)
    before = ledger.read_bytes()
    scenario = ScenarioPresenter(session)
    scenario.bind(FakeView())
    scenario.set_factors(Decimal(1), Decimal(1))
    scenario.recompute()
    same = scenario.comparison()
    assert set(same.texts("Change")) == {"0.00"}
    scenario.set_factors(Decimal("1.25"), Decimal("0.8"))
    scenario.recompute()
    outcome = scenario.outcome
    assert outcome is not None
    table = scenario.comparison()
    assert table.texts("Participant")[0] == "P001 · Acme Analytics"
    assert table.rows[-1].total
    for row, pid in zip(table.rows, outcome.actual.participants[1:], strict=False):
        assert parse_money(row.cells[1].text) == session.closed.result.net(pid)
        assert parse_money(row.cells[2].text) == outcome.scenario.net(pid)
    host = scenario.host()
    # the host's retained cost: minus its cost-sharing lines, here all its lines
    assert parse_money(host.rows[0].cells[1].text) == -outcome.actual.net(HOST)
    assert retained_cost(outcome.scenario) != retained_cost(outcome.actual)
    assert ledger.read_bytes() == before
    scenario.set_factors(Decimal(9), Decimal("0.01"))  # clamped to the allowed range
    assert (scenario.usage_factor, scenario.deal_factor) == (Decimal("3.00"), Decimal("0.10"))


def test_export_lists_the_output_folder_and_opens_it(demo_program):
    session, main, _ = open_session(demo_program)
    main.close(final=False)
    out = demo_program.parent / "close-2026-10"
    statements = out / "statements"
    statements.mkdir(exist_ok=True)  # written by the close once its statement writer runs
    if not (statements / "P001.xlsx").exists():
        (statements / "P001.xlsx").write_bytes(b"x" * 2048)
    if not (out / "close_pack.xlsx").exists():
        (out / "close_pack.xlsx").write_bytes(b"x")
    (out / ".hidden").write_text("temporary")
    export = ExportPresenter(session)
    view = FakeView()
    export.bind(view)
    documents = export.table.texts("Document")
    assert documents[:4] == [
        "Close pack",
        "Settlement lines (CSV)",
        "Journal for the general ledger (CSV)",
        "Exceptions (CSV)",
    ]
    assert "Statement · P001 · Acme Analytics" in documents
    assert "Statement (PDF) · P001 · Acme Analytics" in documents  # the close wrote PDFs too
    written = [p for p in out.rglob("*") if p.is_file() and not p.name.startswith(".")]
    assert len(documents) == len(written)
    count = len(list(statements.glob("*.xlsx")))
    assert export.headline() == (
        f"{len(written)} files in the output folder; {count} statement{'s' * (count != 1)}."
    )
    export.open_folder()
    export.open_statements()
    export.open_row(documents.index("Statement · P001 · Acme Analytics"))
    assert view.opened == [out, statements, statements / "P001.xlsx"]


def test_history_reopens_with_a_reason(demo_program):
    session, main, _ = open_session(demo_program)
    main.close(final=True)
    history = HistoryPresenter(session)
    view = FakeView(reason=None)
    history.bind(view)
    assert history.reopen_period() == "2026-10"
    assert history.runs_table().texts("Kind") == ["Final"]
    history.reopen()  # the dialog was cancelled
    assert history.finals == ["2026-10"]
    view.reason = "   "
    history.reopen()
    assert view.errors[-1][0] == "A reason is needed"
    view.reason = "P004 restated its usage"
    history.reopen()
    assert history.finals == []
    assert history.runs_table().texts("Status") == ["Reopened"]
    assert history.audit_table().texts("Reason")[0] == "P004 restated its usage"
    assert "can be closed again" in view.statuses[-1]
    assert session.problems_note.endswith(
        "2026-10 has since been reopened: close it again to lock it."
    )


def test_history_shows_each_final_close_s_version_and_where_its_files_are(demo_program):
    session, main, _ = open_session(demo_program)
    main.close(final=True)
    history = HistoryPresenter(session)
    view = FakeView(reason="P004 restated its usage")
    history.bind(view)
    assert history.runs_table().texts("Statements") == ["Version 1"]
    history.reopen()
    main.close(final=True)
    history.refresh()
    table = history.runs_table()  # newest first
    out = demo_program.parent / "close-2026-10"
    assert table.texts("Status") == ["Current", "Reopened"]
    assert table.texts("Statements") == ["Version 2", "Version 1"]
    assert table.texts("Files") == [
        str(out.absolute()),
        str(out.absolute() / "superseded" / "1"),
    ]
    assert (out / "superseded" / "1" / "statements" / "P001.xlsx").is_file()


def test_presenters_do_not_import_qt():
    code = (
        "import sys, desktop.presenters.main, desktop.presenters.review, "
        "desktop.presenters.charts, desktop.presenters.scenario, desktop.presenters.export, "
        "desktop.presenters.history, desktop.presenters.validation; "
        "sys.exit(any(m.startswith('PySide6') for m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, check=False, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("final", [False, True])
def test_close_summary_matches_the_pipeline(demo_program, final):
    session, main, _ = open_session(demo_program)
    main.close(final=final)
    direct = run_close(
        demo_program,
        OCTOBER,
        out=demo_program.parent / "again",
        ledger_path=demo_program.parent / "other.sqlite",
    )
    assert session.closed.result.lines == direct.result.lines


def test_the_partner_folder_can_be_changed_for_the_session(demo_program, tmp_path):
    elsewhere = tmp_path / "october-submissions"
    shutil.copytree(demo_program.parent / "partners", elsewhere)
    (elsewhere / "P011_2026-10.xlsx").unlink()
    session, main, view = open_session(demo_program)
    assert main.partner_folder_text() == str(demo_program.parent / "partners")
    view.folder_answer = elsewhere
    main.change_partner_folder()
    assert session.partner_folder() == elsewhere
    assert main.partner_folder_text() == f"{elsewhere} (chosen here)"
    assert session.inputs is not None
    assert len(session.inputs.data.submissions) == 10  # read from the chosen folder
    main.close(final=False)
    outcome = session.closed
    assert outcome is not None
    partner_files = {f.path.parent for f in outcome.inputs.files if f.role == "partner"}
    assert partner_files == {elsewhere}
    main.reset_partner_folder()
    assert session.partner_folder() == demo_program.parent / "partners"
    assert len(session.inputs.data.submissions) == 11


# --- the period's state, before any action --------------------------------------------------


def test_the_period_s_state_is_shown_before_any_action(demo_program):
    session, main, _ = open_session(demo_program)
    validation = ValidationPresenter(session)
    assert main.period_status_text() == "Not closed: 2026-10 has no close yet."
    assert validation.headline().startswith("Ready to close 2026-10")
    main.close(final=False)
    assert main.period_status_text().startswith("Draft: 2026-10 has a draft close (run 1, ")
    main.close(final=True)
    assert main.period_status_text().startswith("Final: 2026-10 is closed and locked (run 2, ")
    main.set_period(Period(2026, 9))
    main.set_period(OCTOBER)  # validated afresh: a locked period is not "ready to close"
    assert validation.headline() == (
        "2026-10 is closed (final): reopen it on the History page to close it again. Its "
        "inputs as they are now: 11 partner workbooks read; 0 errors, 0 warnings, 0 notes."
    )
    assert validation.state() == "info"  # not the green of "ready"
    history = HistoryPresenter(session)
    history.bind(FakeView(reason="P004 restated its usage"))
    history.reopen()
    assert main.period_status_text() == "Not closed: 2026-10 was reopened and can be closed again."
    assert validation.headline().startswith("Ready to close 2026-10")


def test_an_empty_month_asks_what_is_missing_before_closing_it(demo_program):
    session, main, view = open_session(demo_program)
    main.set_period(Period(2026, 12))
    assert session.inputs is not None
    assert not session.inputs.ok  # validation lists the empty month as an error
    view.answer_confirm = False
    main.close(final=False)
    folder = demo_program.parent / "partners"
    assert view.confirms == [
        f"No partner workbook of 2026-12 was found in {folder}, and 8 active partners (P001, "
        "P002, P003, P004, P006, …) sent no data for it.\n\nClose 2026-12 without any partner "
        "data? Each partner without data gets a statement that says so. If the partner "
        "workbooks are elsewhere, choose their folder instead."
    ]
    assert session.closed is None
    assert view.statuses[-1] == ""
    assert not (demo_program.parent / "close-2026-12").exists()
    view.answer_confirm = True
    main.close(final=False)
    outcome = session.closed
    assert outcome is not None
    assert outcome.result.without_data == frozenset(
        {"P001", "P002", "P003", "P004", "P006", "P007", "P009", "P010"}
    )
    assert view.pages[-1] is Page.REVIEW


def test_an_empty_month_found_only_by_the_close_is_asked_about_then(demo_program):
    """The validation shown was not of this month (or none ran): the close finds the empty
    month, asks, and closes when agreed."""
    session, main, view = open_session(demo_program)
    main.set_period(Period(2026, 12))
    session.inputs = None  # as if no validation of 2026-12 had been shown
    main.close(final=False)
    assert len(view.confirms) == 1
    assert view.confirms[0].startswith("No partner workbook of 2026-12 was found in ")
    assert session.closed is not None
    assert str(session.closed.result.period) == "2026-12"


# --- the ledger's place and the draft's approval ---------------------------------------------


def test_the_ledger_can_be_a_server_url_and_its_password_is_never_shown(demo_program):
    session, main, view = open_session(demo_program)
    view.text_answer = "/ledgers/northwind.sqlite"
    main.use_ledger_server()
    assert view.errors[-1][0] == "Not a server URL"
    assert session.ledger_path() == default_ledger(demo_program)  # unchanged
    # Port 1 on localhost: nothing listens, so the refusal comes at once.
    url = "postgresql://alice:s3cret@127.0.0.1:1/close"
    view.text_answer = url
    main.use_ledger_server()
    assert session.settings.ledger_path(demo_program) == url  # kept as text, '//' intact
    assert session.ledger_path() == url
    assert "127.0.0.1" in main.ledger_text()
    assert "s3cret" not in main.ledger_text()
    assert main.period_status_text().startswith("The state of 2026-10 is not known")
    assert "s3cret" not in main.period_status_text()
    main.reset_ledger()
    assert session.ledger_path() == default_ledger(demo_program)


def test_the_app_follows_partnerclose_ledger_unless_one_is_chosen_here(
    demo_program, tmp_path, monkeypatch
):
    team = tmp_path / "team" / "northwind.sqlite"
    team.parent.mkdir()
    monkeypatch.setenv("PARTNERCLOSE_LEDGER", str(team))
    session, main, view = open_session(demo_program)
    assert session.ledger_path() == team
    assert main.ledger_text() == f"{team} (from PARTNERCLOSE_LEDGER)"
    main.close(final=False)
    assert len(Ledger(team).history()) == 1  # the close went to the team's ledger
    assert not default_ledger(demo_program).exists()
    assert main.period_status_text().startswith("Draft: 2026-10 has a draft close (run 1, ")
    mine = tmp_path / "mine.sqlite"
    view.ledger_answer = mine
    main.change_ledger()
    assert session.ledger_path() == mine  # the app's own setting wins
    assert main.ledger_text() == str(mine)


def test_a_draft_is_approved_or_rejected_by_another_user(demo_program, monkeypatch):
    monkeypatch.setenv("LOGNAME", "alice")
    _, main, view = open_session(demo_program)
    assert main.approval_text() == ""
    assert not main.actions().decide  # no draft yet
    main.close(final=False)  # run 1, prepared by alice
    assert main.approval_text() == "Approval: draft run 1 by alice awaits approval."
    assert main.actions().decide
    main.approve()
    assert view.errors[-1] == (
        "The ledger refused the approval",
        "alice ran the draft of 2026-10 (run 1) and cannot approve or reject it; another "
        "user must.",
    )
    monkeypatch.setenv("LOGNAME", "bob")
    main.approve()
    assert main.approval_text().startswith("Approval: draft run 1 approved by bob at ")
    monkeypatch.setenv("LOGNAME", "carol")
    view.text_answer = None
    main.reject()  # cancelled: nothing recorded
    assert "approved by bob" in main.approval_text()
    view.text_answer = "  "
    main.reject()
    assert view.errors[-1] == ("A reason is needed", "Rejecting a draft needs a reason.")
    view.text_answer = "P004's usage is missing"
    main.reject()
    assert main.approval_text().startswith("Approval: draft run 1 rejected by carol at ")
    assert main.approval_text().endswith(" because P004's usage is missing.")
    decisions = [
        (e.action, e.user, e.run_id, e.reason)
        for e in Ledger(default_ledger(demo_program)).audit_trail()
        if e.action in ("approve", "reject")
    ]
    assert decisions == [
        ("approve", "bob", 1, ""),
        ("reject", "carol", 1, "P004's usage is missing"),
    ]
    main.close(final=True)  # the final close locks the period; nothing is left to decide
    assert not main.actions().decide


def test_review_shows_last_period_beside_this_one(demo_program):
    session, main, _ = open_session(demo_program)
    main.close(final=False)
    assert session.closed is not None
    assert session.closed.last_period == {}  # the demo's first close: no last period
    session.outcome = dataclasses.replace(
        session.closed,
        last_period={
            "P003": {
                Component.COST_SHARE: Decimal("-3000.00"),
                Component.REVENUE_SHARE: Decimal("10000.00"),
            }
        },
    )
    review = ReviewPresenter(session)
    view = FakeView()
    review.bind(view)
    review.select("P003")
    table = review.partner_sections()
    rows = {row.cells[0].text: [c.text for c in row.cells[1:]] for row in table.rows}
    assert [c.title for c in table.columns] == ["Section", "Subtotal", "Last period", "Change"]
    assert rows["Cost sharing"] == ["-3,832.03", "-3,000.00", "-832.03"]
    assert rows["Revenue share"] == ["12,404.77", "10,000.00", "2,404.77"]
    assert rows["Net"] == ["11,309.17", "7,000.00", "4,309.17"]
    strip = {s.section: s.last for s in review.partner_subtotals()}
    assert strip["Cost sharing"] == "last period -3,000.00, change -832.03"
