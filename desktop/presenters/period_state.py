"""Where the chosen period stands in the ledger, shown before any action is taken.

A final period is locked: it is not "ready to close", and a close of it is
refused before anything is asked or run. A draft shows its approval (awaiting
approval, approved by, rejected by). Read from the ledger (a file or a server)
when it exists; the app never creates a ledger just to look.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from desktop.presenters.formatting import local_time
from partnerclose.api import (
    ApprovalState,
    Period,
    RunInfo,
    describe_ledger,
    ledger_exists,
    open_ledger,
)


class PeriodState(Enum):
    """Where a period stands in the ledger: not closed, closed as draft, or final."""

    NOT_CLOSED = "not closed"
    DRAFT = "draft"
    FINAL = "final"


@dataclass(frozen=True, slots=True)
class PeriodStatus:
    """The period's state in the ledger, as the Program page shows it."""

    period: Period
    state: PeriodState
    text: str  # one sentence for the Program page
    tone: str  # the banner's colour: info, ok, warning, error
    approval: str = ""  # a draft's approval state, in the ledger's words ("" when none)

    @property
    def locked(self) -> bool:
        """Whether the period is closed final, so no close may run for it again."""
        return self.state is PeriodState.FINAL

    @property
    def decidable(self) -> bool:
        """Whether a draft is there to approve or reject."""
        return self.state is PeriodState.DRAFT

    def refusal(self) -> str:
        """Why a close of a locked period is refused, and what to do instead."""
        return (
            f"Period {self.period} is closed (final) and locked in the ledger. To close it "
            "again, reopen it on the History page with a reason; the reason is kept in the "
            "audit trail."
        )


def _run_text(run: RunInfo) -> str:
    return f"run {run.run_id}, {local_time(run.finished_at)} by {run.user}"


def _approval_text(state: ApprovalState) -> str:
    return f"Approval: {state.describe().split(': ', 1)[1]}."


def status_of(
    period: Period, runs: list[RunInfo], approval: ApprovalState | None = None
) -> PeriodStatus:
    """The state of `period` from the ledger's runs."""
    mine = [run for run in runs if run.period == str(period)]
    current = [run for run in mine if run.status == "current"]
    final = next((run for run in reversed(current) if run.kind == "final"), None)
    if final is not None:
        return PeriodStatus(
            period,
            PeriodState.FINAL,
            f"Final: {period} is closed and locked ({_run_text(final)}).",
            "info",
        )
    draft = next((run for run in reversed(current) if run.kind == "draft"), None)
    if draft is not None:
        return PeriodStatus(
            period,
            PeriodState.DRAFT,
            f"Draft: {period} has a draft close ({_run_text(draft)}); a new close replaces "
            "it, a final close locks the period.",
            "info",
            _approval_text(approval) if approval is not None else "",
        )
    reopened = any(run.status == "reopened" for run in mine)
    text = (
        f"Not closed: {period} was reopened and can be closed again."
        if reopened
        else (f"Not closed: {period} has no close yet.")
    )
    return PeriodStatus(period, PeriodState.NOT_CLOSED, text, "info")


def period_status(where: Path | str | None, program: Path, period: Period) -> PeriodStatus:
    """The period's state in the ledger (not closed when there is no ledger yet)."""
    if where is None:
        return status_of(period, [])
    try:
        if not ledger_exists(where, program):
            return status_of(period, [])
        with open_ledger(where, program, read_only=True) as ledger:
            runs = ledger.history()
            approval = ledger.approval(period)
    except Exception as exc:  # damaged, locked or out of reach: say so, the close tells more
        return PeriodStatus(
            period,
            PeriodState.NOT_CLOSED,
            f"The state of {period} is not known: the ledger {describe_ledger(where)} could "
            f"not be read ({exc}).",
            "warning",
        )
    return status_of(period, runs, approval)
