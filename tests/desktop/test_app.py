"""The Qt app end to end: offscreen, real pipeline, dialogs replaced by recorders."""

from __future__ import annotations

import itertools
import sys
import threading
import time
from decimal import Decimal
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication

from desktop.__main__ import create_window
from desktop.models import TableModel, TableProxy, TotalRole, ValueRole
from desktop.presenters.main import Page
from desktop.presenters.session import Backend
from desktop.presenters.table import DASH
from desktop.views.charts import BarChart
from desktop.views.errors import handle_exception, install_excepthook
from desktop.views.export_page import ExportPage
from desktop.views.history_page import HistoryPage
from desktop.views.review_page import ReviewPage
from desktop.views.scenario_page import ScenarioPage
from desktop.views.settings_store import QtSettingsStore
from desktop.views.validation_page import ValidationPage
from desktop.views.widgets import TablePanel
from partnerclose.api import Ledger, Period, Severity, Status, default_ledger, run_close
from tests.desktop.conftest import make_window, read_lines_csv, wait_idle


def open_and_close(qtbot, window, program: Path) -> None:
    window.main.open_program(program)
    wait_idle(qtbot, window)
    window.main.close(final=False)
    wait_idle(qtbot, window)
    assert window.session.closed is not None


def rows_of(model) -> list[list[str]]:
    return [
        [model.index(r, c).data() for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def test_open_validate_close_and_check_the_summary_against_lines_csv(qtbot, window, demo_program):
    window.ask_open_file = lambda start: demo_program  # the file dialog
    window.open_action.trigger()
    wait_idle(qtbot, window)
    assert window.session.inputs.ok
    assert window.windowTitle() == "program.xlsx · 2026-10 · PartnerClose"
    window.validate_action.trigger()
    wait_idle(qtbot, window)
    assert window.current_page() is Page.VALIDATION
    window.draft_action.trigger()
    wait_idle(qtbot, window)
    assert window.current_page() is Page.REVIEW

    expected = read_lines_csv(demo_program.parent / "close-2026-10" / "lines.csv")
    review = window.pages[Page.REVIEW]
    assert isinstance(review, ReviewPage)
    proxy = review.summary.proxy
    table = review.summary.model.table
    keys = [c.key for c in table.columns]
    seen = set()
    for row in range(proxy.rowCount()):
        if proxy.index(row, 0).data(TotalRole):
            continue
        pid = proxy.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)
        seen.add(pid)
        for column, key in enumerate(keys[1:], start=1):
            index = proxy.index(row, column)
            text = index.data()
            shown = Decimal(0) if text == DASH else Decimal(text.replace(",", ""))
            want = (
                sum(expected[pid].values(), Decimal(0))
                if key == "net"
                else expected[pid].get(key, Decimal(0))
            )
            assert shown == want, (pid, key)
            assert Decimal(index.data(ValueRole)) == want
            align = Qt.AlignmentFlag(index.data(Qt.ItemDataRole.TextAlignmentRole))
            assert align & Qt.AlignmentFlag.AlignRight
            if want < 0:
                assert index.data(Qt.ItemDataRole.ForegroundRole).color().name() == "#c62828"
    assert seen == set(expected)
    non_zero = {c for per in expected.values() for c, v in per.items() if v != 0}
    assert non_zero <= set(keys)


def test_sorting_keeps_the_totals_row_last(qtbot, window, demo_program):
    open_and_close(qtbot, window, demo_program)
    panel = window.pages[Page.REVIEW].summary
    net = [c.key for c in panel.model.table.columns].index("net")
    for order in (Qt.SortOrder.DescendingOrder, Qt.SortOrder.AscendingOrder):
        panel.view.sortByColumn(net, order)
        values = [
            Decimal(panel.proxy.index(r, net).data(ValueRole))
            for r in range(panel.proxy.rowCount() - 1)
        ]
        assert values == sorted(values, reverse=order == Qt.SortOrder.DescendingOrder)
        assert panel.proxy.index(panel.proxy.rowCount() - 1, 0).data(TotalRole)
    assert values[0] == Decimal("-29142.78")  # numbers sort as numbers, not text


def test_every_model_passes_the_model_tester(qtbot, qtmodeltester, window, demo_program):
    open_and_close(qtbot, window, demo_program)
    window.scenario.set_factors(Decimal("1.1"), Decimal("0.9"))
    window.scenario.recompute()
    wait_idle(qtbot, window)
    panels = window.findChildren(TablePanel)
    assert len(panels) >= 15
    checked = 0
    for panel in panels:
        qtmodeltester.check(panel.model)
        qtmodeltester.check(panel.proxy)
        checked += panel.model.rowCount() > 0
    assert checked >= 12
    empty = TableModel()
    qtmodeltester.check(empty)
    qtmodeltester.check(TableProxy(empty))


def test_the_ui_stays_responsive_during_a_close(qtbot, qt_settings, recorder, demo_program):
    def slow_close(*args, progress=None, **kwargs):
        def slowly(event):
            time.sleep(0.05)  # a big program: each step takes a while
            progress(event)

        return run_close(*args, progress=slowly, **kwargs)

    def tick() -> None:
        if window.session.busy:
            ticks.append(time.monotonic())

    window = make_window(qtbot, qt_settings, Backend(run_close=slow_close))
    window.main.open_program(demo_program)
    wait_idle(qtbot, window)
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(tick)
    timer.start()
    started = time.monotonic()
    window.main.close(final=False)
    assert window.session.busy  # returned at once: the close runs on a worker thread
    assert time.monotonic() - started < 0.2
    qtbot.waitUntil(window.progress.isVisible)
    wait_idle(qtbot, window)
    timer.stop()
    duration = time.monotonic() - started
    assert duration > 0.5
    assert len(ticks) >= 10, (len(ticks), duration)
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    assert max(gaps) < 0.5  # never frozen for long
    assert window.session.closed is not None
    assert not window.progress.isVisible()
    window.runner.shutdown()


def test_cancel_button_stops_the_close_and_nothing_is_written(
    qtbot, qt_settings, recorder, demo_program
):
    def slow_close(*args, progress=None, **kwargs):
        def slowly(event):
            time.sleep(0.05)
            progress(event)

        return run_close(*args, progress=slowly, **kwargs)

    window = make_window(qtbot, qt_settings, Backend(run_close=slow_close))
    window.main.open_program(demo_program)
    wait_idle(qtbot, window)
    window.main.close(final=False)
    qtbot.waitUntil(window.progress.cancel.isEnabled)
    qtbot.mouseClick(window.progress.cancel, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window)
    assert window.statusBar().currentMessage() == "Close cancelled; nothing was written."
    assert window.session.closed is None
    assert not (demo_program.parent / "close-2026-10").exists()
    with Ledger(default_ledger(demo_program)) as ledger:
        assert ledger.history() == []
    window.runner.shutdown()


def test_quitting_during_a_close_cancels_it_and_writes_nothing(
    qtbot, qt_settings, recorder, demo_program
):
    def slow_close(*args, progress=None, **kwargs):
        def slowly(event):
            time.sleep(0.05)
            progress(event)

        return run_close(*args, progress=slowly, **kwargs)

    window = make_window(qtbot, qt_settings, Backend(run_close=slow_close))
    window.main.open_program(demo_program)
    wait_idle(qtbot, window)
    window.main.close(final=True)
    qtbot.waitUntil(window.progress.isVisible)
    asked = []
    window.confirm = lambda title, text, label: asked.append(title) or True
    started = time.monotonic()
    assert window.close()
    assert time.monotonic() - started < 5  # cancelled, not waited out
    assert asked == ["A job is running"]
    assert window.runner.running == 0 or not window.isVisible()
    qtbot.waitUntil(lambda: window.runner.running == 0)
    assert not (demo_program.parent / "close-2026-10").exists()
    with Ledger(default_ledger(demo_program)) as ledger:
        assert ledger.final_periods() == []


def test_validation_table_filters_and_opens_the_workbook(qtbot, window, recorder, demo_program):
    bad = demo_program.parent / "partners" / "P001_2026-10.xlsx"
    bad.write_text("not a workbook")
    window.main.open_program(demo_program)
    wait_idle(qtbot, window)
    page = window.pages[Page.VALIDATION]
    assert isinstance(page, ValidationPage)
    assert window.current_page() is Page.VALIDATION
    proxy = page.table.proxy
    total = proxy.rowCount()
    errors = sum(p.severity is Severity.ERROR for p in window.session.problems)
    assert total == len(window.session.problems)
    assert errors >= 1
    page.toggles[Severity.ERROR].setChecked(False)
    assert proxy.rowCount() == total - errors
    page.toggles[Severity.ERROR].setChecked(True)
    page.search.setText("P001_2026")
    assert 1 <= proxy.rowCount() < total or total == 1
    assert page.count.text().endswith(f"of {total} shown")
    page.search.setText("")
    index = proxy.index(0, 0)
    assert index.data() == "Error"
    page.table.view.doubleClicked.emit(index)
    assert recorder.opened == [bad]
    window.main.close(final=False)
    wait_idle(qtbot, window)
    assert recorder.errors[-1][0] == "The close did not run"


def test_final_close_history_and_reopen(qtbot, window, recorder, demo_program):
    window.main.open_program(demo_program)
    wait_idle(qtbot, window)
    asked = []
    window.confirm = lambda title, text, label: asked.append(text) or False
    window.final_action.trigger()
    wait_idle(qtbot, window)
    assert "Close 2026-10 as final?" in asked[0]
    assert window.session.closed is None  # declined
    window.confirm = lambda *args: True
    window.final_action.trigger()
    wait_idle(qtbot, window)
    page = window.pages[Page.HISTORY]
    assert isinstance(page, HistoryPage)
    assert page.reopen_button.isEnabled()
    assert page.reopen_button.text() == "Reopen 2026-10…"
    assert rows_of(page.runs.proxy)[0][1:4] == ["2026-10", "Final", "Current"]
    page.ask_reason = lambda period: "usage restated by P004"
    qtbot.mouseClick(page.reopen_button, Qt.MouseButton.LeftButton)
    assert rows_of(page.runs.proxy)[0][3] == "Reopened"
    assert rows_of(page.audit.proxy)[0][2:6] == ["Reopen", "2026-10", "1", "usage restated by P004"]
    assert not page.reopen_button.isEnabled()
    assert "Reopened 2026-10" in window.statusBar().currentMessage()
    window.draft_action.trigger()  # the period can be closed again
    wait_idle(qtbot, window)
    assert window.session.closed is not None
    assert recorder.errors == []


def test_what_if_from_the_controls(qtbot, window, demo_program):
    open_and_close(qtbot, window, demo_program)
    page = window.pages[Page.SCENARIO]
    assert isinstance(page, ScenarioPage)
    window.show_page(Page.SCENARIO)
    page.usage.spin.setValue(1.5)
    page.deals.slider.setValue(70)
    qtbot.mouseClick(page.recompute_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window)
    assert window.scenario.usage_factor == Decimal("1.50")
    assert window.scenario.deal_factor == Decimal("0.70")
    rows = rows_of(page.comparison.proxy)
    assert rows[0][0] == "P001 · Acme Analytics"
    assert rows[-1][0] == "All partners"
    host = rows_of(page.host.proxy)
    assert host[0][0] == "Host's retained cost"
    assert host[0][1] == "29,142.78"
    assert not page.chart.data.empty
    qtbot.mouseClick(page.reset_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window)
    assert {r[3] for r in rows_of(page.comparison.proxy)} == {"0.00"}


def test_export_lists_the_files_and_opens_them(qtbot, window, recorder, demo_program):
    open_and_close(qtbot, window, demo_program)
    page = window.pages[Page.EXPORT]
    assert isinstance(page, ExportPage)
    out = demo_program.parent / "close-2026-10"
    files = {row[1] for row in rows_of(page.table.proxy)}
    assert files == {"lines.csv", "journal.csv", "exceptions.csv"} | {
        p.relative_to(out).as_posix()
        for p in out.rglob("*")
        if p.is_file() and not p.name.startswith(".")  # the close's marker is not listed
    }
    qtbot.mouseClick(page.open_folder, Qt.MouseButton.LeftButton)
    window.folder_action.trigger()
    page.table.view.doubleClicked.emit(page.table.proxy.index(0, 0))
    assert recorder.opened[:2] == [out, out]
    assert recorder.opened[2].parent == out or recorder.opened[2].parent.parent == out


def test_settings_persist_between_windows(qtbot, qt_settings, recorder, demo_program, tmp_path):
    first = make_window(qtbot, qt_settings)
    first.main.open_program(demo_program)
    wait_idle(qtbot, first)
    ledger = tmp_path / "ledgers" / "northwind.sqlite"
    ledger.parent.mkdir()
    first.ask_ledger_file = lambda start: ledger
    first.ask_folder = lambda title, start: tmp_path / "outputs"
    first.main.change_ledger()
    first.main.change_output_root()
    first.runner.shutdown()
    first.close()

    second = make_window(qtbot, qt_settings)
    assert second.main.recent_files() == [demo_program]
    assert [a.text() for a in second.recent_menu.actions()] == [str(demo_program)]
    second.recent_menu.actions()[0].trigger()
    wait_idle(qtbot, second)
    assert second.session.ledger_path() == ledger
    assert second.session.output_folder() == tmp_path / "outputs" / "close-2026-10"
    second.main.close(final=False)
    wait_idle(qtbot, second)
    assert (tmp_path / "outputs" / "close-2026-10" / "lines.csv").is_file()
    assert ledger.is_file()
    second.runner.shutdown()
    stored = QtSettingsStore.at(qt_settings)
    assert str(demo_program) in (stored.get("recent_files") or "")


def test_dropping_a_workbook_opens_it(qtbot, window, demo_program, tmp_path):
    def drop(paths):
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
        event = QDropEvent(
            QPointF(100, 100),
            Qt.DropAction.CopyAction,
            mime,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
        window.dropEvent(event)

    drop([tmp_path / "notes.txt"])
    assert not window.session.is_open
    drop([demo_program])
    wait_idle(qtbot, window)
    assert window.session.program_path == demo_program
    assert window.session.inputs.ok


def test_errors_go_to_the_log_and_a_plain_dialog(qtbot, window, recorder, isolated_log):
    shown = []
    try:
        raise ValueError("the reserve cap must be a number")
    except ValueError as exc:
        handle_exception(ValueError, exc, exc.__traceback__, lambda p, t, m: shown.append((t, m)))
    title, message = shown[0]
    assert title == "Something went wrong"
    assert "the reserve cap must be a number" in message
    assert "Traceback" not in message
    assert str(isolated_log) in message
    assert "Traceback (most recent call last)" in isolated_log.read_text()
    previous, previous_thread_hook = sys.excepthook, threading.excepthook
    try:
        install_excepthook()
        assert sys.excepthook is not previous
        try:
            raise RuntimeError("boom")
        except RuntimeError as exc:
            sys.excepthook(RuntimeError, exc, exc.__traceback__)
        assert recorder.errors[-1][0] == "Something went wrong"
    finally:
        sys.excepthook = previous
        threading.excepthook = previous_thread_hook


def test_charts_draw_and_explain_each_bar(qtbot, window, demo_program):
    open_and_close(qtbot, window, demo_program)
    window.show_page(Page.CHARTS)
    charts = window.findChildren(BarChart)
    for chart in charts:
        image = chart.grab()
        assert not image.isNull()
        assert image.width() > 300
    page = window.pages[Page.CHARTS]
    net = page.net
    assert net.data.categories[0] == "P001 · Acme Analytics"
    hit = net._hits[0]
    assert net.tooltip_at(hit.rect.center()) == "P001 · Acme Analytics\n32,845.00"
    shares = page.cost_share
    assert any("CRM" in h.text and "%" in h.text for h in shares._hits)
    assert net.tooltip_at(QPoint(0, 0)) == ""


def test_the_partner_view_follows_a_double_click_in_the_summary(qtbot, window, demo_program):
    open_and_close(qtbot, window, demo_program)
    review = window.pages[Page.REVIEW]
    proxy = review.summary.proxy
    row = next(r for r in range(proxy.rowCount()) if proxy.index(r, 0).data().startswith("P006"))
    review.summary.view.doubleClicked.emit(proxy.index(row, 0))
    assert review.tabs.currentIndex() == 1
    assert review.participant.currentData() == "P006"
    assert review.partner_title.text() == "P006 · Foxglove IT Services"
    assert rows_of(review.lines.proxy)[0][0] == "Cost share"


def test_the_period_control_revalidates(qtbot, window, demo_program):
    window.main.open_program(demo_program)
    wait_idle(qtbot, window)
    page = window.pages[Page.PROGRAM]
    page.period.setDate(page.period.date().addMonths(1))
    wait_idle(qtbot, window)
    assert window.session.period == Period(2026, 11)
    assert window.session.inputs is not None
    assert window.session.inputs.period == Period(2026, 11)
    assert window.session.output_folder().name == "close-2026-11"


def test_the_app_entry_points(qt_settings):
    scripts = {e.name: e.value for e in entry_points(group="console_scripts")}
    assert scripts.get("partnerclose-app") == "desktop.__main__:main"
    window = create_window(QtSettingsStore.at(qt_settings))
    assert window.width() >= 1024
    assert window.minimumWidth() == 1024
    window.close()
    assert QApplication.instance() is not None


@pytest.mark.parametrize("status", [Status.REFUSED])
def test_a_refused_close_is_a_dialog_not_a_traceback(qtbot, window, recorder, demo_program, status):
    open_and_close(qtbot, window, demo_program)
    with Ledger(default_ledger(demo_program)) as ledger:
        ledger.check_close(Period(2026, 10), final=True)
    window.final_action.trigger()
    wait_idle(qtbot, window)
    window.draft_action.trigger()  # locked: refused before anything runs
    wait_idle(qtbot, window)
    assert recorder.errors[-1][0] == "2026-10 is closed"
    assert window.statusBar().currentMessage() == ""
    page = window.pages[Page.PROGRAM]
    assert page.period_state.text().startswith("Final: 2026-10 is closed and locked (run 2, ")
    # 2026-12 skips 2026-11: the ledger refuses (its empty month is agreed to first)
    window.main.set_period(Period(2026, 12))
    wait_idle(qtbot, window)
    assert page.period_state.text() == "Not closed: 2026-12 has no close yet."
    window.final_action.trigger()
    wait_idle(qtbot, window)
    assert recorder.errors[-1] == (
        "The ledger refused the close",
        "Period 2026-12 cannot be closed before 2026-11: final closes come in order, and the "
        "last final close is 2026-10.",
    )
    assert window.statusBar().currentMessage() == ""


def test_approve_and_reject_from_the_program_page(
    qtbot, window, recorder, demo_program, monkeypatch
):
    monkeypatch.setenv("LOGNAME", "alice")
    window.main.open_program(demo_program)
    wait_idle(qtbot, window)
    page = window.pages[Page.PROGRAM]
    assert page.approval.text() == "No draft to approve."
    assert not page.approve_button.isEnabled()
    window.main.close(final=False)
    wait_idle(qtbot, window)
    assert page.approval.text() == "Approval: draft run 1 by alice awaits approval."
    qtbot.mouseClick(page.approve_button, Qt.MouseButton.LeftButton)  # alice prepared it
    assert recorder.errors[-1][0] == "The ledger refused the approval"
    monkeypatch.setenv("LOGNAME", "bob")
    window.ask_text = lambda title, text, current: "the rates sheet is last month's"
    qtbot.mouseClick(page.reject_button, Qt.MouseButton.LeftButton)
    assert page.approval.text().startswith("Approval: draft run 1 rejected by bob at ")
    assert page.approval.text().endswith(" because the rates sheet is last month's.")
    assert window.statusBar().currentMessage() == page.approval.text()


def test_send_statements_dialog_previews_and_writes_the_emails(
    qtbot, window, recorder, demo_program
):
    from desktop.views.program_page import ProgramPage
    from desktop.views.send_dialog import SendDialog
    from tests.distribution.conftest import write_pdfs

    window.main.open_program(demo_program)
    wait_idle(qtbot, window)
    window.confirm = lambda *args: True
    window.final_action.trigger()
    wait_idle(qtbot, window)
    out = demo_program.parent / "close-2026-10"
    partners = sorted(p.stem for p in (out / "statements").glob("*.xlsx"))
    write_pdfs(out, partners)
    page = window.pages[Page.EXPORT]
    assert isinstance(page, ExportPage)
    assert page.send_button.isEnabled()
    qtbot.mouseClick(page.send_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert isinstance(dialog, SendDialog)
    assert dialog.headline.text().startswith(f"{len(partners)} statement e-mails")
    assert dialog.send_button.text() == f"Send {len(partners)}"
    assert f"{partners[0]}-2026-10-1" in dialog.preview_text.toPlainText()
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.outcome_label.text() != "", timeout=30_000)
    assert dialog.outcome_label.text().startswith(f"{len(partners)} written")
    assert dialog.results.model.rowCount() == len(partners)
    assert sorted(p.stem for p in (out / "emails").glob("*.eml")) == partners
    dialog.reject()
    # the payment file: the final close wrote payments.csv
    qtbot.mouseClick(page.payment_button, Qt.MouseButton.LeftButton)
    assert recorder.opened[-1] == out / "payments.csv"
    # Prepare next month from the Program page
    program_page = window.pages[Page.PROGRAM]
    assert isinstance(program_page, ProgramPage)
    qtbot.mouseClick(program_page.prepare_button, Qt.MouseButton.LeftButton)
    assert ": written" in program_page.banner.toolTip()  # one line per workbook
    assert sorted((demo_program.parent / "partners").glob("*_2026-11.xlsx"))
    assert recorder.errors == []
