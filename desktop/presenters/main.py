"""The main window's logic: open a program, pick the period, validate, close, cancel."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any, Protocol

from desktop.logs import report_error
from desktop.presenters.formatting import money, plural
from desktop.presenters.jobs import CancelToken, InlineRunner, Job, JobRunner, Report
from desktop.presenters.period_state import PeriodStatus, period_status
from desktop.presenters.session import Change, Restatement, Session
from partnerclose.api import (
    HOST,
    LEDGER_VARIABLE,
    WORKBOOK_SUFFIXES,
    CloseOutcome,
    Component,
    Inputs,
    LedgerRefusedError,
    Period,
    ProgressEvent,
    Severity,
    Stage,
    Status,
    dated_rows,
    describe_ledger,
    is_server_url,
    open_ledger,
    participation,
)

log = logging.getLogger("partnerclose.desktop")
PRIOR_PERIOD_ADJUSTMENT = Component.PRIOR_PERIOD_ADJUSTMENT


class Page(Enum):
    """A page of the main window."""

    PROGRAM = "Program"
    VALIDATION = "Validation"
    REVIEW = "Review"
    CHARTS = "Charts"
    SCENARIO = "What-if"
    EXPORT = "Export"
    HISTORY = "History"


MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
STAGES = (Stage.READ, Stage.VALIDATE, Stage.COMPUTE, Stage.WRITE, Stage.RECORD)
STAGE_LABELS = {
    Stage.READ: "Reading workbooks",
    Stage.VALIDATE: "Checking the ledger",
    Stage.COMPUTE: "Computing lines",
    Stage.WRITE: "Writing outputs",
    Stage.RECORD: "Recording in the ledger",
}


class JobCancelledError(Exception):
    """A job other than the close noticed its cancel token."""


@dataclass(frozen=True, slots=True)
class ProgressState:
    """What the progress panel shows."""

    title: str  # "Closing 2026-10 (draft)"
    stage_text: str  # "Step 4 of 5: Writing outputs"
    stage_percent: int  # the whole job, by stage
    detail_text: str  # "Statement 4 of 11 · P004"
    detail_percent: int  # within the stage; -1: unknown (busy indicator)
    cancelling: bool = False


@dataclass(frozen=True, slots=True)
class Actions:
    """Which of the main window's actions can be used now."""

    open: bool
    validate: bool
    close: bool
    cancel: bool
    change_folders: bool
    change_partner_folder: bool
    decide: bool  # approve or reject the period's draft


class MainView(Protocol):
    """What the main presenter needs of its window."""

    def refresh(self) -> None:
        """Redraw the window from the presenter."""

    def ask_open_file(self, start: Path | None) -> Path | None:
        """Ask for a program workbook to open; None when the user cancels."""

    def ask_folder(self, title: str, start: Path | None) -> Path | None:
        """Ask for a folder; None when the user cancels."""

    def ask_ledger_file(self, start: Path | None) -> Path | None:
        """Ask for a ledger file; None when the user cancels."""

    def ask_text(self, title: str, text: str, current: str) -> str | None:
        """Ask for a line of text; None when the user cancels."""

    def confirm(self, title: str, text: str, accept_label: str) -> bool:
        """Ask the user to confirm; True when they accept."""

    def show_error(self, title: str, text: str) -> None:
        """Show an error message with its title."""

    def show_progress(self, state: ProgressState | None) -> None:
        """Show the progress of a job, or hide it (None)."""

    def show_status(self, text: str) -> None:
        """Show a sentence in the status bar."""

    def show_page(self, page: Page) -> None:
        """Bring a page to the front."""


def progress_state(title: str, event: ProgressEvent, cancelling: bool = False) -> ProgressState:
    """The progress bar of a job: percent over all stages, and what is being done."""
    index = STAGES.index(event.stage)
    total = max(event.total, 1)
    done = min(max(event.done, 0), total)
    stage_percent = (index * total + done) * 100 // (len(STAGES) * total)
    detail = f"{done} of {event.total}" if event.total > 1 else ""
    if event.partner:
        detail = f"{detail} · {event.partner}" if detail else event.partner
    return ProgressState(
        title,
        f"Step {index + 1} of {len(STAGES)}: {STAGE_LABELS[event.stage]}",
        stage_percent,
        detail,
        done * 100 // total if event.total > 1 or done else -1,
        cancelling,
    )


def workbook_in(paths: Iterable[str]) -> Path | None:
    """The first program workbook among dropped files (None: nothing to open)."""
    for text in paths:
        path = Path(text)
        if path.suffix.lower() in WORKBOOK_SUFFIXES and not path.name.startswith("~$"):
            return path
    return None


def validation_summary(inputs: Inputs, status: PeriodStatus | None = None) -> str:
    """The sentence after a validation: workbooks read, errors, warnings and notes."""
    counts = {s: sum(p.severity is s for p in inputs.problems) for s in Severity}
    read = plural(len(inputs.data.submissions), "partner workbook")
    found = (
        f"{plural(counts[Severity.ERROR], 'error')}, "
        f"{plural(counts[Severity.WARNING], 'warning')}, {plural(counts[Severity.INFO], 'note')}"
    )
    if status is not None and status.locked and status.period == inputs.period:
        return (
            f"{inputs.period} is closed (final): reopen it on the History page to close it "
            f"again. Its inputs as they are now: {read} read; {found}."
        )
    if inputs.ok:
        return f"Ready to close {inputs.period}: {read} read; {found}."
    if inputs.program is None:
        return f"The program workbook cannot be used: {found}."
    return f"Not ready to close {inputs.period}: {found}. Fix the errors, then validate again."


def close_summary(outcome: CloseOutcome, final: bool) -> str:
    """The sentence after a close: partners, lines, and the partners' net payable or due (N1)."""
    result = outcome.result
    if result is None:
        return outcome.message
    decimals, code = 2, ""
    if outcome.inputs is not None and outcome.inputs.program is not None:
        decimals = outcome.inputs.program.settings.decimals
        code = f"{outcome.inputs.program.settings.currency} "  # the program currency
    partners = [p for p in result.participants if p != HOST]
    total = sum((result.net(p) for p in partners), Decimal(0))
    direction = "payable to partners" if total >= 0 else "due from partners"
    kind = "final" if final else "draft"
    return (
        f"Closed {result.period} ({kind}): {plural(len(partners), 'partner')}, "
        f"{plural(len(result.lines), 'line')}; net {direction} {code}{money(abs(total), decimals)}."
    )


def restatement_note(outcome: CloseOutcome, restatement: Restatement | None, final: bool) -> str:
    """What a close that restated earlier periods adds to its summary ("" for none)."""
    if restatement is None or outcome.result is None:
        return ""
    count = sum(1 for line in outcome.result.lines if line.component is PRIOR_PERIOD_ADJUSTMENT)
    adjustments = plural(count, "prior-period adjustment")
    if final:
        return f" Restated {restatement.text()}: {adjustments}, restated versions recorded."
    return (
        f" Restating {restatement.text()}: {adjustments} (draft: nothing restated yet; "
        "see them in Review under Corrections, then close final)."
    )


class MainPresenter:
    """The main window: open a program, choose the period and folders, validate and close."""

    def __init__(self, session: Session, runner: JobRunner | None = None) -> None:
        """Follow `session`; jobs run through `runner` (inline when none is given)."""
        self.session = session
        self.runner: JobRunner = runner or InlineRunner()
        self.view: MainView | None = None
        self._token: CancelToken | None = None
        self._progress_title = ""
        self._last_event: ProgressEvent | None = None
        session.subscribe(self._changed)

    def bind(self, view: MainView) -> None:
        """Attach the window and draw it."""
        self.view = view
        view.refresh()

    def _changed(self, change: Change) -> None:
        if change is Change.LEDGER and not self.session.busy:  # e.g. a reopen
            self._update_period_status()
            s = self.session
            if s.inputs is not None and s.closed is None:
                s.problems_note = validation_summary(s.inputs, s.period_status)
            self._refresh()

    def _update_period_status(self) -> None:
        s = self.session
        if s.program_path is None:
            s.period_status = None
            return
        s.period_status = period_status(s.ledger_path(), s.program_path, s.period)

    def period_status_text(self) -> str:
        """The period's state in the ledger, shown before any action."""
        status = self.session.period_status
        return status.text if status is not None else ""

    def approval_text(self) -> str:
        """The draft's approval state, beside the period's state ("" without a draft)."""
        status = self.session.period_status
        return status.approval if status is not None else ""

    # --- state for the view ----------------------------------------------------

    def actions(self) -> Actions:
        """Which actions can be used now (none while a job runs)."""
        s = self.session
        idle = not s.busy
        return Actions(
            open=idle,
            validate=idle and s.is_open,
            close=idle and s.is_open,
            cancel=bool(s.busy) and self._token is not None and not self._token(),
            change_folders=idle and s.is_open,
            change_partner_folder=idle and s.is_open,
            decide=idle and s.period_status is not None and s.period_status.decidable,
        )

    def window_title(self) -> str:
        """The window title: the program, the period and the app."""
        path = self.session.program_path
        if path is None:
            return "PartnerClose"
        return f"{path.name} · {self.session.period} · PartnerClose"

    def recent_files(self) -> list[Path]:
        """The program workbooks opened lately, the last first."""
        return self.session.settings.recent_files()

    def partner_folder_text(self) -> str:
        """The folder partner workbooks are read from, and whether it was chosen here."""
        folder = self.session.partner_folder()
        if folder is not None:
            suffix = " (chosen here)" if self.session.partner_folder_override else ""
            return f"{folder}{suffix}"
        return "as set in the program workbook" if self.session.is_open else ""

    def partner_folder_tooltip(self) -> str:
        """The tooltip that says where partner workbooks are read from by default."""
        return (
            "By default, the partner_folder setting of the program workbook (Program sheet), "
            "relative to the workbook. Change it to read this session's partner workbooks "
            "from another folder."
        )

    def program_facts(self) -> list[tuple[str, str]]:
        """What the validated program holds, for the overview card."""
        inputs = self.session.inputs
        if inputs is None or inputs.program is None:
            return []
        program, period = inputs.program, inputs.period
        settings = program.settings
        taking_part = sum(participation(p, period).takes_part for p in program.partners)
        month = (
            MONTHS[settings.fiscal_year_start - 1] if 1 <= settings.fiscal_year_start <= 12 else ""
        )
        return [
            ("Program", settings.program_name),
            ("Currency", f"{settings.currency} ({settings.decimals} decimals)"),
            ("Partners", f"{len(program.partners)} ({taking_part} taking part in {period})"),
            ("Cost pools", str(len(program.pools))),
            ("Revenue plans", str(len(program.plans))),
            ("Milestones", str(len(program.milestones))),
            ("Fiscal year starts", month),
            ("Partner workbooks read", str(len(inputs.data.submissions))),
        ]

    def terms_in_force(self) -> tuple[str, list[tuple[str, str, str, str]]]:
        """E1: which dated program rows apply to the chosen period.

        A sentence, and one row per dated row (sheet and cell, what for, valid, applies).
        """
        inputs = self.session.inputs
        program = None if inputs is None else inputs.workbook_program
        if inputs is None or program is None:
            return "", []
        rows = dated_rows(program, inputs.period)
        if not rows:
            return "Every program row applies in every period (no valid_from or valid_to).", []
        applying = sum(row.applies for row in rows)
        text = (
            f"{applying} of {plural(len(rows), 'dated row')} in force in {inputs.period}; "
            "rows without valid_from or valid_to always apply."
        )
        return text, [
            (
                f"{row.sheet}!{row.cell}",
                row.key,
                row.validity,
                f"applies in {inputs.period}" if row.applies else f"not in {inputs.period}",
            )
            for row in rows
        ]

    def output_text(self) -> str:
        """The folder the close writes to, as text ("" when no program is open)."""
        folder = self.session.output_folder()
        return str(folder) if folder else ""

    def ledger_text(self) -> str:
        """The ledger the app uses, never with a password.

        Says when it comes from PARTNERCLOSE_LEDGER.
        """
        s = self.session
        where = s.ledger_path()
        if where is None or s.program_path is None:
            return ""
        chosen_here = s.settings.ledger_path(s.program_path) is not None
        source = f" (from {LEDGER_VARIABLE})" if os.environ.get(LEDGER_VARIABLE) else ""
        return describe_ledger(where) + ("" if chosen_here else source)

    # --- opening -----------------------------------------------------------------

    def choose_program(self) -> None:
        """Ask for a program workbook and open it."""
        if self.view is None or self.session.busy:
            return
        start = self.session.settings.last_directory()
        path = self.view.ask_open_file(start)
        if path is not None:
            self.open_program(path)

    def open_dropped(self, paths: Iterable[str]) -> bool:
        """Open a program workbook dropped on the window; False when none of the files is one."""
        path = workbook_in(paths)
        if path is None:
            return False
        self.open_program(path)
        return True

    def open_program(self, path: Path) -> None:
        """Open a program workbook and validate it for the chosen period."""
        s = self.session
        if s.busy:
            return
        path = path.expanduser().absolute()
        if path.suffix.lower() not in WORKBOOK_SUFFIXES:
            self._error(
                "Not a program workbook",
                f"{path.name} is not an Excel workbook (.xlsx or .xlsm).",
            )
            return
        if not path.is_file():
            s.settings.remove_recent(path)
            s.notify(Change.RECENT)
            self._error(
                "Program workbook not found",
                f"{path} does not exist any more. It has been removed from the recent files.",
            )
            return
        s.program_path = path
        s.partner_folder_override = None
        self._forget_results()
        s.settings.add_recent(path)
        log.info("opened %s", path)
        self._update_period_status()
        s.notify(Change.PROGRAM)
        s.notify(Change.RECENT)
        self._refresh()
        self.validate(show=False)

    def set_period(self, period: Period) -> None:
        """Choose the period to close; the program is validated again for it."""
        s = self.session
        if period == s.period or s.busy:
            return
        s.period = period
        self._forget_results()
        self._update_period_status()
        s.notify(Change.PERIOD)
        self._refresh()
        if s.is_open:
            self.validate(show=False)

    def _forget_results(self) -> None:
        s = self.session
        s.restatement = None  # chosen for one period of one program
        s.inputs = None
        s.outcome = None
        s.problems = ()
        s.problems_note = ""
        s.notify(Change.VALIDATION)
        s.notify(Change.CLOSE)

    # --- folders -----------------------------------------------------------------

    def change_partner_folder(self) -> None:
        """Ask for the folder to read this session's partner workbooks from."""
        s = self.session
        if self.view is None or not self.actions().change_partner_folder:
            return
        folder = self.view.ask_folder("Partner folder", s.partner_folder())
        if folder is None:
            return
        s.partner_folder_override = folder
        self._folders_changed(revalidate=True)

    def reset_partner_folder(self) -> None:
        """Read partner workbooks from the folder the program workbook names again."""
        if self.session.partner_folder_override is not None:
            self.session.partner_folder_override = None
            self._folders_changed(revalidate=True)

    def change_output_root(self) -> None:
        """Ask for the folder the close outputs are written to, for this program."""
        s = self.session
        if self.view is None or s.program_path is None or not self.actions().change_folders:
            return
        current = s.output_folder()
        folder = self.view.ask_folder(
            "Folder for the close outputs", current.parent if current else None
        )
        if folder is not None:
            s.settings.set_output_root(s.program_path, folder)
            self._folders_changed(revalidate=False)

    def reset_output_root(self) -> None:
        """Write the close outputs to the default folder beside the program again."""
        s = self.session
        if s.program_path is not None and not s.busy:
            s.settings.set_output_root(s.program_path, None)
            self._folders_changed(revalidate=False)

    def change_ledger(self) -> None:
        """Ask for the ledger file of this program."""
        s = self.session
        if self.view is None or s.program_path is None or not self.actions().change_folders:
            return
        current = s.ledger_path()
        path = self.view.ask_ledger_file(current if isinstance(current, Path) else None)
        if path is not None:
            s.settings.set_ledger_path(s.program_path, path)
            self._folders_changed(revalidate=False)

    def use_ledger_server(self) -> None:
        """Keep this program's ledger on a team's PostgreSQL server (a postgresql:// URL)."""
        s = self.session
        if self.view is None or s.program_path is None or not self.actions().change_folders:
            return
        current = s.settings.ledger_path(s.program_path)
        url = self.view.ask_text(
            "Ledger on a server",
            "The PostgreSQL server of the team's ledger, as a URL "
            "(postgresql://user@host/database):",
            current if isinstance(current, str) else "",
        )
        if url is None or not url.strip():
            return
        url = url.strip()
        if not is_server_url(url):
            self._error(
                "Not a server URL",
                f"Expected a URL that starts with postgresql://, found {describe_ledger(url)!r}.",
            )
            return
        s.settings.set_ledger_path(s.program_path, url)
        self._folders_changed(revalidate=False)

    def reset_ledger(self) -> None:
        """Use the default ledger again (PARTNERCLOSE_LEDGER, else the file beside the program)."""
        s = self.session
        if s.program_path is not None and not s.busy:
            s.settings.set_ledger_path(s.program_path, None)
            self._folders_changed(revalidate=False)

    def _folders_changed(self, revalidate: bool) -> None:
        self.session.notify(Change.FOLDERS)
        self.session.notify(Change.LEDGER)  # (another ledger: the period's state is read again)
        self._refresh()
        if revalidate:
            self._forget_results()
            self.validate(show=False)

    # --- approval by a second person ------------------------------------------------

    def approve(self) -> None:
        """Approve the period's draft as this user (the preparer is refused)."""
        self._decide(approved=True, text="")

    def reject(self) -> None:
        """Reject the period's draft, with a reason kept in the audit trail."""
        if self.view is None or not self.actions().decide:
            return
        period = self.session.period
        reason = self.view.ask_text(
            f"Reject the draft of {period}",
            f"Why is the draft of {period} rejected? The reason is kept in the audit trail.",
            "",
        )
        if reason is None:
            return
        if not reason.strip():
            self._error("A reason is needed", "Rejecting a draft needs a reason.")
            return
        self._decide(approved=False, text=reason.strip())

    def _decide(self, approved: bool, text: str) -> None:
        s = self.session
        where, program = s.ledger_path(), s.program_path
        if self.view is None or where is None or program is None or not self.actions().decide:
            return
        what = "approval" if approved else "rejection"
        try:
            with open_ledger(where, program) as ledger:
                ledger.decide(s.period, approved, text)
        except LedgerRefusedError as exc:
            text = str(exc)  # as the ledger says it: it may start with a user's name
            self._error(f"The ledger refused the {what}", text.rstrip(".") + ".")
            return
        except Exception as exc:
            self._error(f"The {what} failed", report_error(f"The {what} of {s.period} failed", exc))
            return
        log.info("%s of %s recorded", what, s.period)
        s.notify(Change.LEDGER)
        self._status(self.approval_text())

    # --- validating ----------------------------------------------------------------

    def validate(self, show: bool = True) -> None:
        """Read the period's program and partner workbooks and check them, off the UI thread."""
        s = self.session
        path = s.program_path
        if path is None or s.busy:
            return
        period = s.period
        folder = s.partner_folder_override
        load = s.backend.load_inputs

        def work(report: Report, cancelled: CancelToken) -> Inputs:
            def read_progress(done: int, total: int) -> None:
                if cancelled():
                    raise JobCancelledError
                report(ProgressEvent(Stage.READ, done, total))

            return load(path, period, progress=read_progress, partner_folder=folder)

        def done(inputs: Inputs) -> None:
            s.inputs = inputs
            s.problems = inputs.problems
            s.problems_note = validation_summary(inputs, s.period_status)
            s.notify(Change.VALIDATION)
            s.notify(Change.FOLDERS)
            self._status(s.problems_note)
            if show or not inputs.ok:
                self._show(Page.VALIDATION)

        self._start(f"Validating {path.name} for {period}", work, done, "The validation")

    # --- closing -------------------------------------------------------------------

    def close(self, final: bool, allow_empty: bool = False) -> None:
        """Close the period, draft or final (a final close asks first and locks the period)."""
        s = self.session
        path = s.program_path
        if path is None or s.busy or self.view is None:
            return
        period = s.period
        self._update_period_status()  # the ledger may have changed since it was shown
        status = s.period_status
        if status is not None and status.locked:  # refused before anything is asked
            self._refresh()
            self._error(f"{period} is closed", status.refusal())
            self._status("")
            return
        if not allow_empty and s.inputs is not None and s.inputs.period == period:
            agreed = self._empty_month_allowed(s.inputs)
            if agreed is None:
                return
            allow_empty = agreed
        restatement = s.restatement
        restating = (
            ""
            if restatement is None
            else f"\n\nIt also restates {restatement.text()}: the restated months are "
            "recorded as new versions and the differences are paid in this close."
        )
        if final and not self.view.confirm(
            f"Final close of {period}",
            f"Close {period} as final?\n\n"
            f"A final close locks {period} in the ledger: it cannot be closed again "
            f"unless it is reopened, with a reason that is kept in the audit trail.{restating}",
            f"Close {period} as final",
        ):
            return
        out, ledger, folder = s.output_folder(), s.ledger_path(), s.partner_folder_override
        run = s.backend.run_close
        empty_allowed = allow_empty
        # only when asked for: the fakes and older backends take no such arguments
        restate: dict[str, Any] = (
            {}
            if restatement is None
            else {"restate": list(restatement.periods), "corrections": restatement.corrections}
        )

        def work(report: Report, cancelled: CancelToken) -> CloseOutcome:
            return run(
                path,
                period,
                final=final,
                out=out,
                ledger_path=ledger,
                progress=report,
                cancelled=cancelled,
                partner_folder=folder,
                allow_empty=empty_allowed,
                **restate,
            )

        def done(outcome: CloseOutcome) -> None:
            self._closed(outcome, final, empty_allowed)

        kind = "final" if final else "draft"
        title = f"Closing {period} ({kind})"
        if restatement is not None:
            title = f"{title}, restating {', '.join(str(p) for p in restatement.periods)}"
        self._start(title, work, done, "The close")

    def correct_earlier_period(self) -> None:
        """P3: correct final periods before this one.

        Ask which, and the folder of corrected workbooks; a draft then shows the prior-period
        adjustments, and the final close of this period records the restated versions with it.
        """
        s = self.session
        path = s.program_path
        if path is None or s.busy or self.view is None:
            return
        answer = self.view.ask_text(
            "Correct an earlier period",
            f"Which final period do the corrected workbooks belong to? (YYYY-MM, before "
            f"{s.period}; several separated by commas)",
            str(s.period.shift(-1)),
        )
        if answer is None or not answer.strip():
            return
        try:
            periods = tuple(sorted({Period.parse(part) for part in answer.split(",") if part}))
        except ValueError as exc:
            self._error("Not a period", _sentence(str(exc)))
            return
        late = [p for p in periods if not p < s.period]
        if late:
            self._error(
                "Not an earlier period",
                f"{late[0]} is not before {s.period}, the period being closed. Choose the "
                "period to close first (the month the corrections are paid in), then the "
                "earlier final period to correct.",
            )
            return
        months = ", ".join(str(p) for p in periods)
        corrections = self.view.ask_folder(f"Corrected workbooks for {months}", path.parent)
        if corrections is None:
            return
        s.restatement = Restatement(periods, corrections)
        self.close(final=False)

    def cancel_correction(self) -> None:
        """Forget the chosen restatement: the next close of the period restates nothing."""
        s = self.session
        if s.restatement is None or s.busy:
            return
        s.restatement = None
        self._status("The correction of an earlier period was cancelled; close again to see.")
        self._refresh()

    def _empty_month_allowed(self, inputs: Inputs) -> bool | None:
        """Whether a month without partner data may be closed, asking the user when it is so.

        False: nothing is missing (or more than the month's data is wrong); True: the user agreed to
        close a month without partner data; None: the user declined.
        """
        empty = inputs.empty_period
        if empty is None or empty.severity is not Severity.ERROR or self.view is None:
            return False
        others = [p for p in inputs.problems if p.severity is Severity.ERROR and p != empty]
        if others:
            return False  # the close lists them all; there is nothing to agree to yet
        period = inputs.period
        if self.view.confirm(
            f"No partner data for {period}",
            f"{_sentence(empty.message.split('; check the period')[0])}\n\nClose {period} "
            "without any partner data? Each partner without data gets a statement that says "
            "so. If the partner workbooks are elsewhere, choose their folder instead.",
            f"Close {period} without partner data",
        ):
            return True
        self._status("")
        return None

    def _closed(self, outcome: CloseOutcome, final: bool, allow_empty: bool = False) -> None:
        s = self.session
        status = outcome.status
        log.info("close %s: %s", status.value, outcome.message)
        self._update_period_status()
        if (
            status is Status.INVALID
            and not allow_empty
            and outcome.inputs is not None
            and self._empty_month_allowed(outcome.inputs)
        ):  # what was validated before did not show the empty month: ask now, and rerun
            self.close(final, allow_empty=True)
            return
        if status is Status.CLOSED:
            s.outcome = outcome
            s.inputs = outcome.inputs or s.inputs
            s.problems = outcome.problems
            s.problems_note = close_summary(outcome, final) + restatement_note(
                outcome, s.restatement, final
            )
            if final:
                s.restatement = None  # recorded with this close
            s.notify(Change.VALIDATION)
            s.notify(Change.CLOSE)
            s.notify(Change.LEDGER)
            self._status(s.problems_note)
            self._show(Page.REVIEW)
        elif status is Status.INVALID:
            s.inputs = outcome.inputs or s.inputs
            s.problems = outcome.problems
            s.problems_note = f"The close did not run: {outcome.message}."
            s.notify(Change.VALIDATION)
            self._status(s.problems_note)
            self._show(Page.VALIDATION)
            self._error(
                "The close did not run",
                f"{_sentence(outcome.message)}\n\nThe problems are listed in the Validation "
                "view; double-click one to open its workbook.",
            )
        elif status is Status.REFUSED:
            self._status("")
            self._error("The ledger refused the close", _sentence(outcome.message))
        elif status is Status.CANCELLED:
            self._status("Close cancelled; nothing was written.")
        else:
            self._status("")
            self._error("The close failed", _sentence(outcome.message))

    def cancel(self) -> None:
        """Ask the running job to stop."""
        if self._token is None or self._token() or not self.session.busy:
            return
        self._token.cancel()
        if self._last_event is not None and self.view is not None:
            state = progress_state(self._progress_title, self._last_event, cancelling=True)
            self.view.show_progress(state)
        self._status("Cancelling…")
        self._refresh()

    # --- jobs ------------------------------------------------------------------------

    def _start(
        self,
        title: str,
        work: Callable[[Report, CancelToken], Any],
        done: Callable[[Any], None],
        what: str,
    ) -> None:
        s = self.session
        token = CancelToken()
        self._token = token
        self._progress_title = title
        self._last_event = None
        s.busy = title
        s.notify(Change.BUSY)
        self._refresh()
        if self.view is not None:
            self.view.show_progress(progress_state(title, ProgressEvent(Stage.READ, 0, 1)))
        self._status(f"{title}…")

        def on_done(result: object) -> None:
            self._finish()
            done(result)

        def on_error(exc: BaseException) -> None:
            self._finish()
            if isinstance(exc, JobCancelledError):
                self._status(f"{what} was cancelled.")
                return
            self._status("")
            self._error(
                f"{what} could not finish",
                report_error(f"{what} could not finish", exc) + "\nNothing was written.",
            )

        def on_progress(event: ProgressEvent) -> None:
            self._last_event = event
            if self.view is not None:
                self.view.show_progress(progress_state(title, event, token()))

        job = Job(title, work, on_done, on_error, on_progress)
        self.runner.start(job, token)

    def _finish(self) -> None:
        self.session.busy = ""
        self._token = None
        self._last_event = None
        if self.view is not None:
            self.view.show_progress(None)
        self.session.notify(Change.BUSY)
        self._refresh()

    # --- view helpers ------------------------------------------------------------------

    def _refresh(self) -> None:
        if self.view is not None:
            self.view.refresh()

    def _status(self, text: str) -> None:
        if self.view is not None:
            self.view.show_status(text)

    def _show(self, page: Page) -> None:
        if self.view is not None:
            self.view.show_page(page)

    def _error(self, title: str, text: str) -> None:
        log.warning("%s: %s", title, text.splitlines()[0] if text else "")
        if self.view is not None:
            self.view.show_error(title, text)


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith(".") else text + "."
