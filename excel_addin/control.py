"""The `Close` control sheet: what the user asks for, and what the add-in did.

The user picks the period and the action in column B, next to the labels
`Period` and `Action` in column A; the add-in writes the outcome next to the
`Time` … `Details` labels. Cells are found by their labels (one read of
A1:C40), so rows may be moved or inserted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import xlwings as xw

from excel_addin.calls import range_values
from excel_addin.cells import excel_number
from excel_addin.layout import (
    ACTION_LABEL,
    APPROVAL_LABEL,
    CLOSE_ACTIONS,
    CLOSE_SHEET,
    CORRECTIONS_LABEL,
    DETAILS_LABEL,
    ERRORS_LABEL,
    FOLDER_LABEL,
    LEDGER_LABEL,
    NET_LABEL,
    NOTES_LABEL,
    OUTCOME_LABELS,
    PERIOD_LABEL,
    READ_ROWS,
    REASON_LABEL,
    RESTATE_LABEL,
    RUN_ACTION_LABEL,
    RUN_PERIOD_LABEL,
    STATEMENTS_LABEL,
    STATUS_LABEL,
    TIME_LABEL,
    WARNINGS_LABEL,
    Action,
)
from partnerclose.api import Period


class RequestError(ValueError):
    """The Close sheet does not say what to do; the message says what to fix."""


class Status(StrEnum):
    CLOSED = "Closed"
    VALID = "Valid"
    INVALID = "Invalid"
    REFUSED = "Refused"
    CANCELLED = "Cancelled"
    FAILED = "Failed"
    NOT_RUN = "Not run"
    SET_UP = "Set up"
    REOPENED = "Reopened"
    APPROVED = "Approved"
    REJECTED = "Rejected"
    LISTED = "Listed"  # the history was written to its sheet
    COMPARED = "Compared"  # the scenarios were written beside the close, on the What-if sheet
    WRITTEN = "E-mails written"  # the statement e-mails, as .eml files
    REPORTED = "Reported"  # a check or self-test report was written


ACTION_NAMES = {action.name.lower(): action for action in Action}  # the ribbon's names


@dataclass(frozen=True, slots=True)
class Request:
    period: Period
    action: Action
    reason: str = ""  # why a period is reopened or its draft rejected
    restate: tuple[Period, ...] = ()  # final periods the close restates (rules.md P3)
    corrections: str = ""  # the folder of their corrected workbooks, as typed


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a click on Run close did; written to the Close sheet and returned."""

    status: Status
    message: str
    time: datetime
    period: Period | None = None
    action: Action | None = None
    net: Decimal | None = None  # Σ lines of the partners (HOST excluded)
    statements: int | None = None
    errors: int = 0
    warnings: int = 0
    notes: int = 0
    folder: str = ""  # the workbook's folder on this computer, as resolved
    ledger: str = ""  # the ledger's file, and a warning when it is unsafe where it is
    approval: str = ""  # the period's approval state after the run


_ACTIONS = {
    "validate": Action.VALIDATE,
    "draft close": Action.DRAFT,
    "draft": Action.DRAFT,
    "final close": Action.FINAL,
    "final": Action.FINAL,
    "reopen": Action.REOPEN,
    "history": Action.HISTORY,
    "what-if": Action.WHATIF,
    "whatif": Action.WHATIF,
    "approve": Action.APPROVE,
    "reject": Action.REJECT,
    "send statements": Action.SEND,
    "send": Action.SEND,
    "check this computer": Action.CHECK,
    "check": Action.CHECK,
    "self-test": Action.SELFTEST,
    "selftest": Action.SELFTEST,
}


def normalize(label: object) -> str:
    return re.sub(r"\s+", " ", str(label or "")).strip().rstrip(":").strip().lower()


def label_rows(rows: Sequence[Sequence[object]]) -> dict[str, int]:
    """Normalized label in column A -> its 1-based row (the first one wins)."""
    found: dict[str, int] = {}
    for number, row in enumerate(rows, start=1):
        if row and isinstance(row[0], str) and row[0].strip():
            found.setdefault(normalize(row[0]), number)
    return found


def read_sheet(sheet: xw.Sheet) -> list[list[object]]:
    return range_values(sheet.range((1, 1), (READ_ROWS, 3)))


def last_month(today: date) -> Period:
    return Period.of(today).shift(-1)


def read_request(sheet: xw.Sheet, today: date, action: Action | None = None) -> Request:
    """The period and action asked for on the Close sheet (raises RequestError);
    `action`, when given (a ribbon button's), is taken instead of the sheet's."""
    rows = read_sheet(sheet)
    labels = label_rows(rows)
    period_row, action_row = (
        labels.get(normalize(PERIOD_LABEL)),
        labels.get(normalize(ACTION_LABEL)),
    )
    if period_row is None or action_row is None:
        raise RequestError(
            f"the {CLOSE_SHEET} sheet needs the labels {PERIOD_LABEL!r} and {ACTION_LABEL!r} "
            "in column A, with their values in column B"
        )
    period = parse_period(_value(rows, period_row), f"{CLOSE_SHEET}!B{period_row}", today)
    if action is None:
        action = parse_action(_value(rows, action_row), f"{CLOSE_SHEET}!B{action_row}")
    why = _NEEDS_REASON.get(action)
    if why is None:
        if action in CLOSE_ACTIONS:
            return _with_restatement(Request(period, action), rows, labels, today)
        return Request(period, action)
    reason_row = labels.get(normalize(REASON_LABEL))
    reason = _value(rows, reason_row) if reason_row else None
    if not isinstance(reason, str) or not reason.strip():
        where = f"{CLOSE_SHEET}!B{reason_row}" if reason_row else f"the {CLOSE_SHEET} sheet"
        raise RequestError(
            f"{where}: type why {why.format(period=period)} next to {REASON_LABEL!r}; "
            "the reason is kept in the ledger's audit trail"
        )
    return Request(period, action, reason.strip())


def _with_restatement(
    request: Request, rows: Sequence[Sequence[object]], labels: Mapping[str, int], today: date
) -> Request:
    """A close's Restate period and Corrections folder cells, when filled in."""
    restate_row = labels.get(normalize(RESTATE_LABEL))
    value = _value(rows, restate_row) if restate_row else None
    if value is None or (isinstance(value, str) and not value.strip()):
        return request
    where = f"{CLOSE_SHEET}!B{restate_row}"
    parts = value.split(",") if isinstance(value, str) else [value]
    restate = tuple(parse_period(part, where, today) for part in parts if str(part).strip())
    folder_row = labels.get(normalize(CORRECTIONS_LABEL))
    folder = _value(rows, folder_row) if folder_row else None
    if not isinstance(folder, str) or not folder.strip():
        at = f"{CLOSE_SHEET}!B{folder_row}" if folder_row else f"the {CLOSE_SHEET} sheet"
        raise RequestError(
            f"{at}: type the folder of the corrected workbooks next to "
            f"{CORRECTIONS_LABEL!r} to restate {', '.join(str(q) for q in restate)}"
        )
    return replace(request, restate=restate, corrections=folder.strip())


# The actions that need the Reason cell, and what it says.
_NEEDS_REASON = {
    Action.REOPEN: "{period} is reopened",
    Action.REJECT: "the draft of {period} is rejected",
}


def _value(rows: Sequence[Sequence[object]], row: int) -> object:
    cells = rows[row - 1]
    return cells[1] if len(cells) > 1 else None


def parse_period(value: object, where: str, today: date) -> Period:
    """A period cell: blank (last month), an Excel date, or text YYYY-MM."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return last_month(today)
    if isinstance(value, datetime | date):
        return Period.of(value)
    if isinstance(value, str):
        try:
            return Period.parse(value.strip())
        except ValueError:
            pass
    shown = f'"{value}"' if isinstance(value, str) else str(value)
    raise RequestError(f"{where}: the period must be YYYY-MM, e.g. 2026-10 (found {shown})")


def parse_action(value: object, where: str) -> Action:
    action = _ACTIONS.get(normalize(value))
    if action is None:
        choices = ", ".join(a.value for a in Action)
        raise RequestError(f"{where}: pick an action: {choices} (found {value!r})")
    return action


def write_outcome(sheet: xw.Sheet, outcome: Outcome) -> None:
    """The outcome next to its labels: one write when the rows are together."""
    labels = label_rows(read_sheet(sheet))
    values = _outcome_values(outcome)
    rows = {
        labels[normalize(label)]: values[label]
        for label in OUTCOME_LABELS
        if normalize(label) in labels
    }
    if not rows:
        return
    first, last = min(rows), max(rows)
    if last - first + 1 == len(rows):
        block = [[rows[row]] for row in range(first, last + 1)]
        sheet.range((first, 2), (last, 2)).value = block
        return
    for row, value in rows.items():
        sheet.range((row, 2)).value = value


def _text(value: str) -> str:
    return "'" + value if value else ""


def _count(value: int | None) -> int | str:
    return "" if value is None else value


def _outcome_values(outcome: Outcome) -> Mapping[str, object]:
    return {
        TIME_LABEL: outcome.time,
        RUN_PERIOD_LABEL: _text(str(outcome.period) if outcome.period else ""),
        RUN_ACTION_LABEL: _text(outcome.action.value if outcome.action else ""),
        STATUS_LABEL: _text(outcome.status.value),
        NET_LABEL: "" if outcome.net is None else excel_number(outcome.net),
        STATEMENTS_LABEL: _count(outcome.statements),
        ERRORS_LABEL: outcome.errors,
        WARNINGS_LABEL: outcome.warnings,
        NOTES_LABEL: outcome.notes,
        DETAILS_LABEL: _text(outcome.message),
        FOLDER_LABEL: _text(outcome.folder),
        LEDGER_LABEL: _text(outcome.ledger),
        APPROVAL_LABEL: _text(outcome.approval),
    }
