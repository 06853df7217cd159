"""Approval of a draft by a second person (outputs.md, "Ledger, revision 2").

An approval or a rejection is an audit record (`approve`, `reject`) of the period's
current draft run, so it is in the hash chain and bound to that run's hash, which
covers the SHA-256 of every input file. A final close of a program with
`approval_required` needs the latest draft approved, by someone other than the user
who ran it, with inputs identical to the final close's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePath

from partnerclose.ledger.chain import Database
from partnerclose.ledger.errors import LedgerRefusedError


@dataclass(frozen=True, slots=True)
class Decision:
    """An approval or rejection of a draft run."""

    approved: bool
    user: str
    at: str
    text: str  # the approver's comment, or the reason for rejecting


@dataclass(frozen=True, slots=True)
class ApprovalState:
    """A period's latest draft and the last decision on it (None: awaiting approval)."""

    period: str
    draft_run: int | None = None
    preparer: str = ""
    decision: Decision | None = None

    def describe(self) -> str:
        """The state in the words the front ends show."""
        if self.draft_run is None:
            return f"{self.period}: no draft to approve"
        if self.decision is None:
            return f"{self.period}: draft run {self.draft_run} by {self.preparer} awaits approval"
        if self.decision.approved:
            comment = f": {self.decision.text}" if self.decision.text else ""
            return (
                f"{self.period}: draft run {self.draft_run} approved by {self.decision.user} "
                f"at {self.decision.at}{comment}"
            )
        return (
            f"{self.period}: draft run {self.draft_run} rejected by {self.decision.user} at "
            f"{self.decision.at} because {self.decision.text}"
        )


def approval_state(db: Database, period: str) -> ApprovalState:
    row = db.execute(
        "SELECT run_id, \"user\" FROM runs WHERE period = ? AND kind = 'draft' "
        "AND status = 'current' ORDER BY run_id DESC LIMIT 1",
        (period,),
    ).fetchone()
    if row is None:
        return ApprovalState(period)
    run_id, preparer = int(row[0]), str(row[1])
    decided = db.execute(
        'SELECT action, "user", at, reason FROM audit WHERE run_id = ? '
        "AND action IN ('approve', 'reject') ORDER BY audit_id DESC LIMIT 1",
        (run_id,),
    ).fetchone()
    decision = (
        None
        if decided is None
        else Decision(decided[0] == "approve", str(decided[1]), str(decided[2]), str(decided[3]))
    )
    return ApprovalState(period, run_id, preparer, decision)


def check_decider(state: ApprovalState, user: str) -> int:
    """The draft run `user` may approve or reject; refused for the preparer or no draft."""
    if state.draft_run is None:
        raise LedgerRefusedError(
            f"there is no draft of {state.period} to approve or reject; close a draft first"
        )
    if user == state.preparer:
        raise LedgerRefusedError(
            f"{user} ran the draft of {state.period} (run {state.draft_run}) and cannot "
            "approve or reject it; another user must"
        )
    return state.draft_run


# The add-in's workbook as saved: kept as evidence (rules.md P0), not computed from (its
# values are, as role `program`), so saving the workbook unchanged needs no new approval.
NOT_COMPARED = frozenset({"program-saved"})


def _compared(inputs: Iterable[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
    """(file name, role, SHA-256): the same files, whether the close was given the program
    as an absolute or a relative path, or from a copied folder."""
    return {
        (PurePath(path).name, role, sha256)
        for path, role, sha256 in inputs
        if role not in NOT_COMPARED
    }


def inputs_of(db: Database, run_id: int) -> set[tuple[str, str, str]]:
    rows = db.execute("SELECT path, role, sha256 FROM run_inputs WHERE run_id = ?", (run_id,))
    return _compared((str(p), str(r), str(s)) for p, r, s in rows)


def check_final(db: Database, state: ApprovalState, inputs: Sequence[tuple[str, str, str]]) -> str:
    """Refuse a final close the approval does not cover; else the audit note of it."""
    period = state.period
    needed = f"period {period} cannot be closed finally: the program requires approval"
    if state.draft_run is None:
        raise LedgerRefusedError(
            f"{needed}, and there is no draft of {period}; close a draft, have another "
            "user approve it, then close finally"
        )
    if state.decision is None:
        raise LedgerRefusedError(
            f"{needed}, and the draft (run {state.draft_run} by {state.preparer}) is not "
            "approved yet; another user must run: partnerclose approve"
        )
    if not state.decision.approved:
        raise LedgerRefusedError(
            f"{needed}, and the draft (run {state.draft_run}) was rejected by "
            f"{state.decision.user}: {state.decision.text}; correct it, close a new draft and "
            "have it approved"
        )
    if state.decision.user == state.preparer:
        raise LedgerRefusedError(
            f"{needed}, and the draft (run {state.draft_run}) was approved by its preparer "
            f"{state.preparer}; another user must approve it"
        )
    changed = sorted(name for name, _, _ in _compared(inputs) ^ inputs_of(db, state.draft_run))
    if changed:
        names = ", ".join(dict.fromkeys(changed))
        raise LedgerRefusedError(
            f"{needed}, and the inputs changed since the draft (run {state.draft_run}) was "
            f"approved: {names}; close a new draft and have it approved"
        )
    return f"approved by {state.decision.user} at {state.decision.at} (draft run {state.draft_run})"
