"""The Validation view: every problem, sortable and filterable; double-click opens it."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from desktop.presenters.problems import (
    SEVERITY_LABELS,
    problems_table,
    severity_counts,
    workbook_of,
)
from desktop.presenters.session import Change, Session
from desktop.presenters.table import DisplayTable
from partnerclose.api import Severity


class ValidationView(Protocol):
    """What the validation presenter needs of its view."""

    def refresh(self) -> None:
        """Redraw the page from the presenter."""

    def open_path(self, path: Path) -> None:
        """Open a workbook with the system's application."""

    def show_error(self, title: str, text: str) -> None:
        """Show an error message with its title."""


class ValidationPresenter:
    """The Validation page: the problems of the workbooks, filtered by severity and text."""

    def __init__(self, session: Session) -> None:
        """Follow `session`; the list changes with each validation."""
        self.session = session
        self.view: ValidationView | None = None
        self.table: DisplayTable = problems_table(())
        self.shown: set[Severity] = set(Severity)
        self.filter_text = ""
        session.subscribe(self._changed)

    def bind(self, view: ValidationView) -> None:
        """Attach the view and draw it."""
        self.view = view
        self._rebuild()

    def _changed(self, change: Change) -> None:
        if change in (Change.VALIDATION, Change.PROGRAM):
            self._rebuild()

    def _rebuild(self) -> None:
        self.table = problems_table(self.session.problems)
        if self.view is not None:
            self.view.refresh()

    # --- what the view shows -------------------------------------------------------

    def headline(self) -> str:
        """What the page says over the problems, or what to do first."""
        s = self.session
        if not s.is_open:
            return "Open a program workbook to validate it."
        if s.busy and not s.problems_note:
            return "Validating…"
        return s.problems_note or "Not validated yet."

    def state(self) -> str:
        """`ok`, `warning` or `error`: the colour of the headline."""
        counts = severity_counts(self.session.problems)
        if counts[Severity.ERROR] or (self.session.inputs and not self.session.inputs.ok):
            return "error"
        status = self.session.period_status
        if status is not None and status.locked and self.session.closed is None:
            return "info"  # closed and locked: nothing is ready to close
        return "warning" if counts[Severity.WARNING] else "ok"

    def filter_labels(self) -> list[tuple[Severity, str]]:
        """The severity filters' labels, each with its count."""
        counts = severity_counts(self.session.problems)
        return [(s, f"{SEVERITY_LABELS[s]}s  {counts[s]}") for s in Severity]

    def shown_categories(self) -> set[str]:
        """The severities shown, as the table's row categories."""
        return {s.value for s in self.shown}

    # --- what the user does -----------------------------------------------------------

    def set_shown(self, severity: Severity, shown: bool) -> None:
        """Show or hide the problems of `severity`."""
        if shown:
            self.shown.add(severity)
        else:
            self.shown.discard(severity)

    def set_filter_text(self, text: str) -> None:
        """Show only the problems whose text holds `text`."""
        self.filter_text = text

    def activate(self, row: int) -> None:
        """Double-click on a problem: open its workbook."""
        if self.view is None or not 0 <= row < len(self.table.rows):
            return
        name = self.table.rows[row].key
        path = workbook_of(name, self.session.program_path, self.session.partner_folder())
        if path is None:
            self.view.show_error(
                "Workbook not found", f"{name or 'The workbook'} could not be found on disk."
            )
            return
        self.view.open_path(path)
