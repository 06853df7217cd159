"""Run close: what the ribbon button does (`partnerclose_addin.main()` calls `run`).

1. The `Close` sheet says the period and the action (a workbook without one
   gets it from the program template, and nothing else happens); a ribbon
   button may name the action itself. The workbook's folder is resolved by
   `location` (OneDrive and SharePoint included) and shown with the ledger.
2. A final close or a reopen is confirmed first (an alert with OK / Cancel
   that names the folder).
3. The program sheets are read from the open workbook as it stands, unsaved
   edits included; the partner workbooks from the partner folder next to the
   workbook file; both through the reader and validation of the command line.
4. Validate: the Exceptions sheet lists what was found. Draft or final close:
   `run_close`, as the command line runs it (same ledger next to the workbook,
   same close folder), plus a writer that puts a statement sheet per partner,
   a Close Summary and the Exceptions into the workbook. On invalid input only
   the Exceptions sheet is replaced; a refused or failed close changes nothing.
   Reopen, Approve, Reject and History act on the ledger (a History sheet lists
   its runs), as the command line's reopen, approve, reject and history do.
5. The outcome goes to the Close sheet, with the period's approval state; the
   sheet is active at the end (the Exceptions sheet when the input is invalid,
   the History sheet for the history); what needs attention also goes to an alert.

Excel is kept quiet meanwhile (`quiet_excel`): no redrawing, events or
recalculation, restored afterwards even on error; progress shows in the
status bar. A COM call Excel keeps rejecting is tried a bounded number of
times (`calls.bounded_com_retries`), not for ever.
"""

from __future__ import annotations

import dataclasses
import inspect
import logging
import os
import tempfile
import traceback
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import cast

import xlwings as xw

from excel_addin.calls import COM_ATTEMPTS, bounded_com_retries, is_busy
from excel_addin.control import (
    Outcome,
    Request,
    RequestError,
    Status,
    read_request,
    write_outcome,
)
from excel_addin.layout import CLOSE_SHEET, REPORT_ACTIONS, STATEMENT_TEMPLATE_SHEET, Action
from excel_addin.location import Location, locate
from excel_addin.marks import TEMP_PREFIX, Kind, Made, SheetSwap, made_sheets
from excel_addin.quiet import StatusBar, quiet_excel
from excel_addin.reports import counts, plural, write_exceptions, write_history, write_whatif
from excel_addin.settings import LEDGER_KEY, ledger_setting
from excel_addin.workbook import ensure_close_sheet, read_grids
from excel_addin.writer import WorkbookWriter
from partnerclose.api import (
    HOST,
    LEDGER_VARIABLE,
    ApprovalState,
    CloseOutcome,
    LedgerRefusedError,
    Problem,
    SendError,
    SendResult,
    Severity,
    Where,
    Writer,
    comparison,
    default_sender,
    describe_ledger,
    has_errors,
    ledger_exists,
    ledger_location,
    load_inputs_from_grids,
    open_ledger,
    plan_send,
    run_close,
    run_scenarios,
    write_emails,
)
from partnerclose.api import Status as CloseStatus

TITLE = "Partner Close"
LOG_FILE = Path(tempfile.gettempdir()) / "partnerclose-addin.log"
# The command line's writers (CSV files, statement files, close pack): the add-in
# writes the same close folder, and adds its sheets.
DEFAULT_WRITERS = cast(
    "tuple[Writer, ...]", tuple(inspect.signature(run_close).parameters["writers"].default)
)

log = logging.getLogger(__name__)


class SheetsNotPlacedError(RuntimeError):
    """The close was recorded, but its sheets could not be swapped in."""


def run(
    book: xw.Book | None = None,
    *,
    action: Action | None = None,
    today: date | None = None,
    clock: Callable[[], datetime] = datetime.now,
    confirmed: bool = False,
) -> Outcome:
    """Do what the Close sheet of `book` (default: the calling workbook) asks for;
    `action` (a ribbon button's) instead of the sheet's Action cell. `confirmed`
    (the self-test) answers OK to the confirmation of a final close or a reopen."""
    book = book if book is not None else xw.Book.caller()
    with bounded_com_retries(book.app):
        return _run_bounded(book, action, today, clock, confirmed)


def _run_bounded(
    book: xw.Book,
    action: Action | None,
    today: date | None,
    clock: Callable[[], datetime],
    confirmed: bool,
) -> Outcome:
    app = book.app
    with quiet_excel(app):
        started = _start(book, action, today, clock)
    if isinstance(started, Outcome):
        _tell(app, started)
        return started
    control, request, location = started
    if location is None:  # a check or a self-test: about this computer
        outcome = _report(book, request, clock)
        with quiet_excel(app):
            write_outcome(control, outcome)
            control.activate()
        return outcome
    if request.action in _CONFIRMED and not (confirmed or confirm(app, request, location)):
        outcome = _placed(
            Outcome(
                Status.CANCELLED,
                f"the {request.action.value.lower()} was not confirmed; nothing was changed",
                clock(),
                request.period,
                request.action,
            ),
            location,
        )
        with quiet_excel(app):
            write_outcome(control, outcome)
            control.activate()
        return outcome
    with quiet_excel(app) as bar:
        try:
            outcome = _act(book, request, location, bar, clock)
        except Exception as exc:  # reported in Excel rather than as a traceback
            outcome = _failed(exc, request, clock)
        outcome = dataclasses.replace(
            _placed(outcome, location), approval=approval_note(request, location)
        )
        try:
            write_outcome(control, outcome)
            if outcome.status not in (Status.INVALID, Status.LISTED):
                control.activate()  # new and copied sheets became active on the way
        except Exception:  # the alert below still tells the user
            log.exception("could not write the outcome to the Close sheet")
    _tell(app, outcome)
    return outcome


_CONFIRMED = (Action.FINAL, Action.REOPEN)


def _report(book: xw.Book, request: Request, clock: Callable[[], datetime]) -> Outcome:
    """Check this computer, or run the self-test: a report the user can send."""
    try:
        if request.action is Action.CHECK:
            from excel_addin.checks import show_doctor

            path = show_doctor(book)
        else:
            from excel_addin.selftest import run_in_excel

            path = run_in_excel(book)
    except Exception as exc:  # reported in Excel rather than as a traceback
        return _failed(exc, request, clock)
    return Outcome(Status.REPORTED, f"the report is in {path}", clock(), None, request.action)


def _start(
    book: xw.Book, action: Action | None, today: date | None, clock: Callable[[], datetime]
) -> Outcome | tuple[xw.Sheet, Request, Location | None]:
    """The Close sheet, what it asks for and where the workbook is; or why not."""
    control: xw.Sheet | None = None
    try:
        control, inserted = ensure_close_sheet(book)
        if not inserted:
            request = read_request(control, today or clock().date(), action)
            if request.action in REPORT_ACTIONS:
                return control, request, None
            return control, request, locate(book)
        again = (
            "pick the period and the action on it, then click Run close again"
            if action is None
            else f"check the period on it, then click {action.value} again"
        )
        outcome = Outcome(Status.SET_UP, f"a {CLOSE_SHEET} sheet was added: {again}", clock())
    except RequestError as exc:
        outcome = Outcome(Status.NOT_RUN, str(exc), clock())
    except Exception as exc:  # reported in Excel rather than as a traceback
        outcome = _failed(exc, None, clock)
    if control is not None:
        try:
            write_outcome(control, outcome)
        except Exception:  # the alert still tells the user
            log.exception("could not write the outcome to the Close sheet")
    return outcome


def ledger_of(location: Location, environ: Mapping[str, str] | None = None) -> Where:
    """The ledger the add-in uses for the workbook: the add-in config's LEDGER (settings),
    else PARTNERCLOSE_LEDGER, else the file beside the workbook."""
    configured = ledger_setting(location.folder, os.environ if environ is None else environ)
    return ledger_location(location.path, None if configured is None else configured[0])


def ledger_note(location: Location) -> str:
    """The ledger in use and what chose it, with a warning when a synced folder makes a
    file unsafe."""
    configured = ledger_setting(location.folder, os.environ)
    where = ledger_of(location)
    ledger = describe_ledger(where)
    if configured is not None:
        ledger += f" (set by {LEDGER_KEY} in {configured[1]})"
    elif os.environ.get(LEDGER_VARIABLE):
        ledger += f" (from {LEDGER_VARIABLE})"
    if not location.synced or isinstance(where, str):
        return ledger
    return (
        f"{ledger} (warning: this folder is synced by OneDrive or SharePoint; an SQLite "
        "ledger there is safe for one person only: two people closing at once, or a "
        "sync conflict, can damage it; for a team, the ledger belongs on a PostgreSQL "
        "server)"
    )


def approval_note(request: Request, location: Location) -> str:
    """The period's approval state in the ledger, as the command line's approve says it."""
    where = ledger_of(location)
    try:
        if not ledger_exists(where, location.path):
            return ApprovalState(str(request.period)).describe()
        with open_ledger(where, location.path, read_only=True) as ledger:
            return ledger.approval(request.period).describe()
    except LedgerRefusedError as exc:
        return f"{request.period}: the approval state could not be read: {exc}"


def _placed(outcome: Outcome, location: Location) -> Outcome:
    return dataclasses.replace(outcome, folder=str(location.folder), ledger=ledger_note(location))


def confirm(app: xw.App, request: Request, location: Location) -> bool:
    """OK / Cancel before a final close or a reopen, naming the folder and ledger."""
    period = request.period
    if request.action is Action.FINAL:
        what = (
            f"Close {period} FINAL?\n\n"
            f"A final close locks {period} in the ledger: it cannot be closed again unless "
            f"it is reopened, and the next final close must be {period.shift(1)}. "
            "The statements will say FINAL."
        )
        ok = f"OK closes {period} finally"
    else:
        what = (
            f"Reopen {period}?\n\n"
            f"Its final close is unlocked so that it can be closed again; the reason "
            f"({request.reason}) is kept in the audit trail."
        )
        ok = f"OK reopens {period}"
    answer = app.alert(
        f"{what}\n\nFolder: {location.folder}\nLedger: {ledger_note(location)}\n\n"
        f"{ok}; Cancel changes nothing.",
        title=TITLE,
        buttons="ok_cancel",
        mode="critical",
    )
    return answer == "ok"


def _act(
    book: xw.Book,
    request: Request,
    location: Location,
    bar: StatusBar,
    clock: Callable[[], datetime],
) -> Outcome:
    if request.action is Action.REOPEN:
        return _reopen(request, location, clock)
    if request.action is Action.HISTORY:
        return _history(book, request, location, clock)
    if request.action is Action.WHATIF:
        return _whatif(book, request, location, bar, clock)
    if request.action in (Action.APPROVE, Action.REJECT):
        return _decide(request, location, clock)
    if request.action is Action.SEND:
        return _send(request, location, clock)
    return _run(book, request, location, bar, clock)


def _reopen(request: Request, location: Location, clock: Callable[[], datetime]) -> Outcome:
    where = ledger_of(location)
    period = request.period
    try:
        if not ledger_exists(where, location.path):
            message = f"no ledger at {describe_ledger(where)}; nothing to reopen"
            return _outcome(Status.REFUSED, message, clock, request, ())
        with open_ledger(where, location.path) as ledger:
            ledger.reopen(period, request.reason)
    except LedgerRefusedError as exc:
        return _outcome(Status.REFUSED, str(exc), clock, request, ())
    return _outcome(
        Status.REOPENED,
        f"reopened {period}; the reason is kept in the ledger's audit trail",
        clock,
        request,
        (),
    )


def _decide(request: Request, location: Location, clock: Callable[[], datetime]) -> Outcome:
    """Approve or reject the period's latest draft, as `partnerclose approve` / `reject`."""
    where = ledger_of(location)
    approved = request.action is Action.APPROVE
    try:
        if not ledger_exists(where, location.path):
            message = f"no ledger at {describe_ledger(where)}; no draft to decide on"
            return _outcome(Status.REFUSED, message, clock, request, ())
        with open_ledger(where, location.path) as ledger:
            run_id = ledger.decide(request.period, approved, request.reason)
    except LedgerRefusedError as exc:
        return _outcome(Status.REFUSED, str(exc), clock, request, ())
    if approved:
        message = f"approved the draft of {request.period} (run {run_id})"
        return _outcome(Status.APPROVED, message, clock, request, ())
    message = (
        f"rejected the draft of {request.period} (run {run_id}); the reason is kept in the "
        "ledger's audit trail"
    )
    return _outcome(Status.REJECTED, message, clock, request, ())


def _send(request: Request, location: Location, clock: Callable[[], datetime]) -> Outcome:
    """The period's statement e-mails as .eml files, as `partnerclose send` writes them."""
    try:
        plan = plan_send(
            location.path,
            request.period,
            sender=default_sender(),
            ledger_path=ledger_of(location),
        )
        if not plan.messages and plan.problems:
            return _outcome(Status.INVALID, str(plan.problems[0]), clock, request, plan.problems)
        sent = write_emails(plan)
    except (SendError, LedgerRefusedError) as exc:
        return _outcome(Status.REFUSED, str(exc), clock, request, ())
    written = sent.count(SendResult.WRITTEN)
    cannot = [r for r in sent.results if r.result is SendResult.ERROR]
    message = f"{plural(written, 'statement e-mail')} written to {sent.emails} (Outlook opens them)"
    if cannot:
        names = "; ".join(f"{r.partner_id}: {r.detail}" for r in cannot[:5])
        message += f"; {plural(len(cannot), 'partner')} not written: {names}"
    return _outcome(Status.WRITTEN, message, clock, request, ())


def _history(
    book: xw.Book, request: Request, location: Location, clock: Callable[[], datetime]
) -> Outcome:
    where = ledger_of(location)
    runs, trail = [], []
    if ledger_exists(where, location.path):
        with open_ledger(where, location.path, read_only=True) as ledger:
            runs, trail = ledger.history(), ledger.audit_trail()
    swap = SheetSwap(book, {Kind.HISTORY}, made_sheets(book))
    try:
        sheet = write_history(swap, runs, trail, title=f"Close history · {book.name}")
        swap.commit()
    except BaseException:
        swap.rollback()
        raise
    sheet.activate()
    return _outcome(
        Status.LISTED,
        f"{plural(len(runs), 'run')} in the ledger: see the Close History sheet",
        clock,
        request,
        (),
    )


def _whatif(
    book: xw.Book,
    request: Request,
    location: Location,
    bar: StatusBar,
    clock: Callable[[], datetime],
) -> Outcome:
    """The Scenarios sheet's scenarios beside the period's close, as `partnerclose whatif`
    computes them, written to the What-if sheet; nothing is recorded."""
    made = made_sheets(book)
    before = frozenset(sheet.name for sheet in book.sheets)
    own = {CLOSE_SHEET, STATEMENT_TEMPLATE_SHEET, *(m.sheet for m in made)}
    own |= {name for name in before if name.startswith(TEMP_PREFIX)}
    bar.show("reading the program sheets")
    grids = read_grids(book, own)
    inputs = load_inputs_from_grids(
        grids, location.path.parent, request.period, progress=bar.reading
    )
    problems = (*inputs.problems, *inputs.scenario_problems)
    title = f"Exceptions · {book.name} · {request.period} · {request.action.value}"
    if not inputs.ok or has_errors(inputs.scenario_problems):
        _replace_exceptions(book, made, problems, title, before, activate=True)
        message = "the what-if needs valid inputs and Scenarios rows: see the Exceptions sheet"
        return _outcome(Status.INVALID, message, clock, request, problems)
    if not inputs.scenarios:
        message = "this workbook has no Scenarios rows; add a Scenarios sheet (docs/scenarios.md)"
        return _outcome(Status.INVALID, message, clock, request, problems)
    bar.show("computing the scenarios")
    outcome = run_scenarios(inputs, (), ledger_of(location))
    if outcome is None:  # pragma: no cover - the inputs were checked above
        return _outcome(Status.INVALID, "the inputs are not valid", clock, request, problems)
    swap = SheetSwap(book, {Kind.WHATIF}, made)
    try:
        sheet = write_whatif(swap, comparison(outcome), title=f"What-if · {book.name}")
        swap.commit()
    except BaseException:
        swap.rollback()
        raise
    sheet.activate()
    count = plural(len(outcome.scenarios), "scenario")
    return _outcome(
        Status.COMPARED,
        f"{count} beside the close of {request.period}: see the What-if sheet (not recorded)",
        clock,
        request,
        problems,
    )


def _run(
    book: xw.Book,
    request: Request,
    location: Location,
    bar: StatusBar,
    clock: Callable[[], datetime],
) -> Outcome:
    program = location.path
    made = made_sheets(book)
    before = frozenset(sheet.name for sheet in book.sheets)
    own = {CLOSE_SHEET, STATEMENT_TEMPLATE_SHEET, *(m.sheet for m in made)}
    own |= {name for name in before if name.startswith(TEMP_PREFIX)}
    bar.show("reading the program sheets")
    grids = read_grids(book, own)
    title = f"Exceptions · {book.name} · {request.period} · {request.action.value}"
    period, action = request.period, request.action
    if action is Action.VALIDATE:
        inputs = load_inputs_from_grids(grids, program.parent, period, progress=bar.reading)
        _replace_exceptions(book, made, inputs.problems, title, before, activate=not inputs.ok)
        found = counts(inputs.problems)
        if inputs.ok:
            status = Status.VALID
            message = f"the input is valid: {period} is ready to close"
        else:
            status = Status.INVALID
            message = (
                f"{plural(found[Severity.ERROR], 'error')} in the input: see the Exceptions sheet"
            )
        return _outcome(status, message, clock, request, inputs.problems)

    swap = SheetSwap(book, set(Kind), made)
    writer = WorkbookWriter(book, swap, title, before, clock)
    try:
        result = run_close(
            program,
            period,
            final=action is Action.FINAL,
            grids=grids,
            ledger_path=ledger_of(location),
            writers=(*DEFAULT_WRITERS, writer),
            progress=bar.progress,
            restate=request.restate,
            corrections=program.parent / request.corrections if request.restate else None,
        )
    except BaseException:
        swap.rollback()
        raise
    if result.status is not CloseStatus.CLOSED:
        swap.rollback()
        return _not_closed(book, made, result, title, before, clock, request)
    bar.show("putting the new sheets in place")
    try:
        swap.commit()
    except Exception as exc:
        raise SheetsNotPlacedError(
            f"{period} was closed and recorded, but its sheets could not be put in place "
            f"({exc}); run a draft close again to rewrite them"
        ) from exc
    net = sum(
        (line.amount for line in result.result.lines if line.partner_id != HOST)
        if result.result
        else (),
        Decimal(0),
    )
    return _outcome(
        Status.CLOSED,
        result.message,
        clock,
        request,
        result.problems,
        net=net,
        statements=len(writer.statements),
    )


def _not_closed(
    book: xw.Book,
    made: Sequence[Made],
    result: CloseOutcome,
    title: str,
    before: frozenset[str],
    clock: Callable[[], datetime],
    request: Request,
) -> Outcome:
    if result.status is CloseStatus.INVALID:
        _replace_exceptions(book, made, result.problems, title, before, activate=True)
        return _outcome(Status.INVALID, result.message, clock, request, result.problems)
    if result.status is CloseStatus.REFUSED:
        return _outcome(Status.REFUSED, result.message, clock, request, result.problems)
    return _outcome(Status.FAILED, result.message, clock, request, result.problems)


def _replace_exceptions(
    book: xw.Book,
    made: Sequence[Made],
    problems: Sequence[Problem],
    title: str,
    sheets: frozenset[str],
    *,
    activate: bool,
) -> None:
    """Only the Exceptions sheet is replaced (validation, or a close on bad input)."""
    swap = SheetSwap(book, {Kind.EXCEPTIONS}, made)
    try:
        sheet = write_exceptions(swap, problems, title=title, book_name=book.name, sheets=sheets)
        swap.commit()
    except BaseException:
        swap.rollback()
        raise
    if activate:
        sheet.activate()


def _outcome(
    status: Status,
    message: str,
    clock: Callable[[], datetime],
    request: Request,
    problems: Sequence[Problem],
    *,
    net: Decimal | None = None,
    statements: int | None = None,
) -> Outcome:
    found = counts(problems)
    return Outcome(
        status,
        message,
        clock(),
        request.period,
        request.action,
        net,
        statements,
        found[Severity.ERROR],
        found[Severity.WARNING],
        found[Severity.INFO],
    )


def _failed(exc: Exception, request: Request | None, clock: Callable[[], datetime]) -> Outcome:
    where = log_failure(exc)
    details = f" (details in {where})" if where else ""
    if is_busy(exc):
        message = (
            f"Excel stayed busy (a cell being edited, or a dialog open) through "
            f"{COM_ATTEMPTS:,} tries of one step; finish that, then click again{details}"
        )
    else:
        message = f"{type(exc).__name__}: {exc}{details}"
    if request is None:
        return Outcome(Status.FAILED, message, clock())
    return Outcome(Status.FAILED, message, clock(), request.period, request.action)


def log_failure(exc: BaseException) -> Path | None:
    """The traceback appended to LOG_FILE, for whoever supports the add-in."""
    try:
        with LOG_FILE.open("a", encoding="utf-8") as file:
            file.write(f"--- {datetime.now().astimezone():%Y-%m-%d %H:%M:%S %z}\n")
            file.write("".join(traceback.format_exception(exc)))
    except OSError:
        return None
    return LOG_FILE


_ALERTS = {
    Status.SET_UP: "info",
    Status.REOPENED: "info",
    Status.NOT_RUN: "critical",
    Status.INVALID: "critical",
    Status.REFUSED: "critical",
    Status.FAILED: "critical",
}


def _tell(app: xw.App, outcome: Outcome) -> None:
    """An alert for what needs the user's attention; a done close needs none."""
    mode = _ALERTS.get(outcome.status)
    if mode is None:
        return
    text = outcome.message[:1].upper() + outcome.message[1:]
    try:
        app.alert(f"{outcome.status.value}: {text}.", title=TITLE, mode=mode)
    except Exception:  # the Close sheet holds the outcome all the same
        log.exception("could not show an alert")
