"""Run close: what the ribbon button does (`partnerclose_addin.main()` calls `run`).

1. The `Close` sheet says the period and the action (a workbook without one
   gets it from the program template, and nothing else happens).
2. A final close is confirmed first (an alert with OK / Cancel).
3. The program sheets are read from the open workbook as it stands, unsaved
   edits included; the partner workbooks from the partner folder next to the
   workbook file; both through the reader and validation of the command line.
4. Validate: the Exceptions sheet lists what was found. Draft or final close:
   `run_close`, as the command line runs it (same ledger next to the workbook,
   same close folder), plus a writer that puts a statement sheet per partner,
   a Close Summary and the Exceptions into the workbook. On invalid input only
   the Exceptions sheet is replaced; a refused or failed close changes nothing.
5. The outcome goes to the Close sheet; what needs attention also to an alert.

Excel is kept quiet meanwhile (`quiet_excel`): no redrawing, events or
recalculation, restored afterwards even on error; progress shows in the
status bar.
"""

from __future__ import annotations

import inspect
import logging
import tempfile
import traceback
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import cast

import xlwings as xw

from excel_addin.control import (
    Outcome,
    Request,
    RequestError,
    Status,
    read_request,
    write_outcome,
)
from excel_addin.layout import CLOSE_SHEET, STATEMENT_TEMPLATE_SHEET, Action
from excel_addin.marks import TEMP_PREFIX, Kind, Made, SheetSwap, made_sheets
from excel_addin.quiet import StatusBar, quiet_excel
from excel_addin.reports import counts, plural, write_exceptions
from excel_addin.workbook import ensure_close_sheet, read_grids, workbook_path
from excel_addin.writer import WorkbookWriter
from partnerclose.api import (
    HOST,
    CloseOutcome,
    Problem,
    Severity,
    Writer,
    load_inputs_from_grids,
    run_close,
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
    today: date | None = None,
    clock: Callable[[], datetime] = datetime.now,
) -> Outcome:
    """Run what the Close sheet of `book` (default: the calling workbook) asks for."""
    book = book if book is not None else xw.Book.caller()
    app = book.app
    with quiet_excel(app):
        started = _start(book, today, clock)
    if isinstance(started, Outcome):
        _tell(app, started)
        return started
    control, request, program = started
    if request.action is Action.FINAL and not confirm_final(app, request):
        outcome = Outcome(
            Status.CANCELLED,
            "the final close was not confirmed; nothing was changed",
            clock(),
            request.period,
            request.action,
        )
        with quiet_excel(app):
            write_outcome(control, outcome)
        return outcome
    with quiet_excel(app) as bar:
        try:
            outcome = _run(book, request, program, bar, clock)
        except Exception as exc:  # reported in Excel rather than as a traceback
            outcome = _failed(exc, request, clock)
        try:
            write_outcome(control, outcome)
        except Exception:  # the alert below still tells the user
            log.exception("could not write the outcome to the Close sheet")
    _tell(app, outcome)
    return outcome


def _start(
    book: xw.Book, today: date | None, clock: Callable[[], datetime]
) -> Outcome | tuple[xw.Sheet, Request, Path]:
    """The Close sheet, what it asks for and the workbook's file; or why not."""
    control: xw.Sheet | None = None
    try:
        control, inserted = ensure_close_sheet(book)
        if not inserted:
            request = read_request(control, today or clock().date())
            return control, request, workbook_path(book)
        outcome = Outcome(
            Status.SET_UP,
            f"a {CLOSE_SHEET} sheet was added: pick the period and the action on it, "
            "then click Run close again",
            clock(),
        )
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


def confirm_final(app: xw.App, request: Request) -> bool:
    period = request.period
    answer = app.alert(
        f"Close {period} FINAL?\n\n"
        f"A final close locks {period} in the ledger: it cannot be closed again unless "
        f"it is reopened, and the next final close must be {period.shift(1)}. "
        "The statements will say FINAL.\n\n"
        f"OK closes {period} finally; Cancel changes nothing.",
        title=TITLE,
        buttons="ok_cancel",
        mode="critical",
    )
    return answer == "ok"


def _run(
    book: xw.Book,
    request: Request,
    program: Path,
    bar: StatusBar,
    clock: Callable[[], datetime],
) -> Outcome:
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
            writers=(*DEFAULT_WRITERS, writer),
            progress=bar.progress,
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
