"""The History view: the ledger's closes and audit trail; reopen with a reason."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from desktop.logs import log, report_error
from desktop.presenters.formatting import local_time
from desktop.presenters.session import Change, Session
from desktop.presenters.table import (
    Align,
    Column,
    DisplayTable,
    Row,
    Tone,
    int_cell,
    text_cell,
)
from partnerclose.api import (
    AuditEntry,
    LedgerRefusedError,
    Period,
    RunInfo,
    describe_ledger,
    final_versions,
    ledger_exists,
    open_ledger,
)

RUN_COLUMNS = (
    Column("Run", Align.RIGHT),
    Column("Period"),
    Column("Kind"),
    Column("Status"),
    Column("Finished"),
    Column("User"),
    Column("Version"),
    Column("Statements"),  # a final close's statement version: <partner>-<period>-<version>
    Column("Files", stretch=True),  # where its outputs are (superseded/<version> once replaced)
)
AUDIT_COLUMNS = (
    Column("When"),
    Column("User"),
    Column("Action"),
    Column("Period"),
    Column("Run", Align.RIGHT),
    Column("Reason", stretch=True),
)
STATUS_TONES = {"current": Tone.NORMAL, "replaced": Tone.MUTED, "reopened": Tone.WARNING}


class HistoryView(Protocol):
    """What the history presenter needs of its view."""

    def refresh(self) -> None:
        """Redraw the page from the presenter."""

    def ask_reason(self, period: str) -> str | None:
        """Ask why `period` is reopened; None when the user cancels."""

    def show_error(self, title: str, text: str) -> None:
        """Show an error message with its title."""

    def show_status(self, text: str) -> None:
        """Show a sentence in the status bar."""


def runs_table(runs: list[RunInfo], restated: frozenset[int] = frozenset()) -> DisplayTable:
    """The closes, newest first; `restated`: the runs that are restated versions (P3)."""
    finals = {final.run.run_id: final for final in final_versions(runs)}
    rows = []
    for run in reversed(runs):  # newest first
        final = finals.get(run.run_id)
        statements = f"Version {final.version}" if final is not None else ""
        if statements and run.run_id in restated:
            statements = f"{statements} (restated)"
        files = final.files if final is not None else run.output
        kind_tone = Tone.GOOD if run.kind == "final" and run.status == "current" else Tone.NORMAL
        rows.append(
            Row(
                (
                    int_cell(run.run_id),
                    text_cell(run.period),
                    text_cell(run.kind.capitalize(), kind_tone),
                    text_cell(run.status.capitalize(), STATUS_TONES.get(run.status, Tone.NORMAL)),
                    text_cell(local_time(run.finished_at)),
                    text_cell(run.user),
                    text_cell(run.version),
                    text_cell(statements),
                    text_cell(files, Tone.MUTED, files),
                ),
                key=str(run.run_id),
            )
        )
    return DisplayTable(RUN_COLUMNS, tuple(rows))


def audit_table(entries: list[AuditEntry]) -> DisplayTable:
    """The ledger's audit trail: one row per action: when, who, what, period, run and why."""
    rows = tuple(
        Row(
            (
                text_cell(local_time(e.at)),
                text_cell(e.user),
                text_cell(
                    e.action.capitalize(), Tone.WARNING if e.action == "reopen" else Tone.NORMAL
                ),
                text_cell(e.period),
                int_cell(e.run_id) if e.run_id is not None else text_cell(""),
                text_cell(e.reason, tooltip=e.reason),
            )
        )
        for e in reversed(entries)
    )
    return DisplayTable(AUDIT_COLUMNS, rows)


class HistoryPresenter:
    """The History page: the program's closes in the ledger, its audit trail, and reopen."""

    def __init__(self, session: Session) -> None:
        """Follow `session`; the page reads the ledger again when a close or reopen changes it."""
        self.session = session
        self.view: HistoryView | None = None
        self.runs: list[RunInfo] = []
        self.audit: list[AuditEntry] = []
        self.finals: list[str] = []
        session.subscribe(self._changed)

    def bind(self, view: HistoryView) -> None:
        """Attach the view and draw it."""
        self.view = view
        self.refresh()

    def _changed(self, change: Change) -> None:
        if change in (Change.CLOSE, Change.PROGRAM, Change.FOLDERS, Change.LEDGER):
            self.refresh()

    def ledger(self) -> Path | str | None:
        """The ledger of the open program: a file, or a postgresql:// URL as text."""
        return self.session.ledger_path()

    def _exists(self, where: Path | str) -> bool:
        program = self.session.program_path
        return program is not None and ledger_exists(where, program)

    def refresh(self) -> None:
        """Read the closes and the audit trail from the ledger again and redraw."""
        path = self.ledger()
        program = self.session.program_path
        self.runs, self.audit, self.finals = [], [], []
        if path is not None and program is not None:
            try:
                if not ledger_exists(path, program):
                    raise FileNotFoundError
                with open_ledger(path, program, read_only=True) as ledger:
                    self.runs = ledger.history()
                    self.audit = ledger.audit_trail()
                    self.finals = ledger.final_periods()
            except FileNotFoundError:  # no closes yet
                pass
            except Exception as exc:  # a damaged or foreign file: say so, keep going
                message = report_error(f"The ledger {describe_ledger(path)} could not be read", exc)
                if self.view is not None:
                    self.view.show_error("The ledger could not be read", message)
        if self.view is not None:
            self.view.refresh()

    # --- what the view shows ----------------------------------------------------------

    def headline(self) -> str:
        """What the page says over the closes: how many, and the last final close."""
        path = self.ledger()
        if path is None:
            return "Open a program workbook to see its closes."
        name = path.name if isinstance(path, Path) else describe_ledger(path)
        if not self.runs and not self._exists(path):
            return f"No closes yet: the ledger {name} is created by the first close."
        finals = f"; last final close {self.finals[-1]}" if self.finals else "; no final close yet"
        return f"{len(self.runs)} closes in {name}{finals}."

    def runs_table(self) -> DisplayTable:
        """One row per close run, restated versions marked."""
        restated = frozenset(
            e.run_id for e in self.audit if e.action == "restate" and e.run_id is not None
        )
        return runs_table(self.runs, restated)

    def audit_table(self) -> DisplayTable:
        """The audit trail of the ledger, one row per action."""
        return audit_table(self.audit)

    def reopen_period(self) -> str:
        """The period a reopen would unlock: the last final one ("" when none)."""
        return self.finals[-1] if self.finals else ""

    def can_reopen(self) -> bool:
        """Whether the last final period can be reopened now."""
        return bool(self.reopen_period()) and not self.session.busy

    # --- reopen -----------------------------------------------------------------------------

    def reopen(self) -> None:
        """Reopen the last final period, with the reason the user gives, kept in the audit trail."""
        period = self.reopen_period()
        path, program = self.ledger(), self.session.program_path
        if self.view is None or not period or path is None or program is None or self.session.busy:
            return
        reason = self.view.ask_reason(period)
        if reason is None:
            return
        if not reason.strip():
            self.view.show_error("A reason is needed", "Reopening a period needs a reason.")
            return
        try:
            with open_ledger(path, program) as ledger:
                ledger.reopen(Period.parse(period), reason.strip())
        except LedgerRefusedError as exc:
            text = str(exc)
            self.view.show_error("The ledger refused the reopen", text[:1].upper() + text[1:] + ".")
            return
        except Exception as exc:
            self.view.show_error(
                "The reopen failed", report_error(f"Reopening {period} failed", exc)
            )
            return
        log.info("reopened %s: %s", period, reason.strip())
        closed = self.session.closed
        if closed is not None and closed.result is not None and str(closed.result.period) == period:
            self.session.problems_note = (
                f"{self.session.problems_note} {period} has since been reopened: "
                "close it again to lock it."
            )
            self.session.notify(Change.CLOSE)
        self.session.notify(Change.LEDGER)
        self.view.show_status(
            f"Reopened {period}; the reason is kept in the audit trail. "
            f"{period} can be closed again."
        )
