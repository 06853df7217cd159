"""Evidence of a close (rules.md P0 and P3, outputs.md "Evidence"): its kept inputs
written back out, and a final close recomputed from them and compared line by line.

`export_inputs` writes a run's kept workbooks into a folder laid out as the close
read them: the program workbook at the top, the partner workbooks in the folder
they were in relative to it (else `partners/`), the add-in's workbook as saved in
`saved/` (restatement.py, which recomputes a close from them too). `verify_period`
recomputes a final close from its kept inputs and the ledger's state before it and
compares every line with the recorded ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from partnerclose.core.lines import Line
from partnerclose.core.period import Period
from partnerclose.core.problems import Problem, has_errors
from partnerclose.ledger.store import Ledger, LedgerRefusedError, RunInfo
from partnerclose.restatement import (
    PARTNERS_FOLDER,
    SAVED_FOLDER,
    Exported,
    export_inputs,
    final_run,
    recompute_run,
)

__all__ = [
    "PARTNERS_FOLDER",
    "SAVED_FOLDER",
    "Exported",
    "LineDifference",
    "Verification",
    "choose_run",
    "compare_lines",
    "export_inputs",
    "verify_period",
]


@dataclass(frozen=True, slots=True)
class LineDifference:
    """One (partner, component, item) whose recorded and recomputed lines differ;
    an amount is None when that side has no such line."""

    partner_id: str
    component: str
    item: str
    recorded: Decimal | None
    recomputed: Decimal | None
    detail: str = ""  # what else differs when the amounts agree (rate, description, …)


@dataclass(frozen=True, slots=True)
class Verification:
    """What `verify --period` found: the run, and its differences ([]: identical)."""

    run: RunInfo
    lines: int
    differences: tuple[LineDifference, ...]
    problems: tuple[Problem, ...] = ()  # the kept inputs no longer read as valid

    @property
    def identical(self) -> bool:
        return not self.differences and not has_errors(self.problems)


def choose_run(ledger: Ledger, period: Period, run_id: int | None) -> RunInfo:
    """The run `inputs` writes out: `run_id` (of that period), else the period's final
    close, else its latest draft."""
    runs = [run for run in ledger.history() if run.period == str(period)]
    if run_id is not None:
        for run in runs:
            if run.run_id == run_id:
                return run
        raise LedgerRefusedError(
            f"run {run_id} is not a run of {period}; see: partnerclose history"
        )
    if not runs:
        raise LedgerRefusedError(f"{period} has no run in the ledger; see: partnerclose history")
    current = [run for run in runs if run.status == "current"]
    finals = [run for run in current if run.kind == "final"]
    return (finals or current or runs)[-1]


def verify_period(ledger: Ledger, period: Period) -> Verification:
    """Recompute the final close of `period` from its kept inputs and the ledger's state
    before it (rules.md P3), and compare every line with what was recorded."""
    run = final_run(ledger, period)
    if run is None:
        raise LedgerRefusedError(
            f"{period} has no final close to verify; see: partnerclose history"
        )
    recorded = ledger.lines(run.run_id)
    recomputed = recompute_run(ledger, run, period)
    if recomputed.result is None:
        return Verification(run, len(recorded), (), tuple(recomputed.inputs.problems))
    return Verification(run, len(recorded), compare_lines(recorded, recomputed.result.lines))


def compare_lines(
    recorded: Sequence[Line], recomputed: Sequence[Line]
) -> tuple[LineDifference, ...]:
    """Every (partner, component, item) whose lines differ, in the recorded order."""

    def grouped(lines: Sequence[Line]) -> dict[tuple[str, str, str], list[Line]]:
        groups: dict[tuple[str, str, str], list[Line]] = {}
        for line in lines:
            groups.setdefault((line.partner_id, str(line.component), line.item), []).append(line)
        return groups

    before, after = grouped(recorded), grouped(recomputed)
    differences = []
    for key in [*before, *(k for k in after if k not in before)]:
        old, new = before.get(key, []), after.get(key, [])
        if old == new:
            continue
        old_amount = sum((line.amount for line in old), Decimal(0)) if old else None
        new_amount = sum((line.amount for line in new), Decimal(0)) if new else None
        detail = "" if old_amount != new_amount else _detail(old, new)
        differences.append(LineDifference(*key, old_amount, new_amount, detail))
    return tuple(differences)


def _detail(old: Sequence[Line], new: Sequence[Line]) -> str:
    if len(old) != len(new):
        return f"{len(old)} lines recorded, {len(new)} recomputed"
    fields = ("description", "quantity", "rate", "status", "rule", "period")
    changed = sorted(
        {
            name
            for a, b in zip(old, new, strict=True)
            for name in fields
            if getattr(a, name) != getattr(b, name)
        }
    )
    return f"{', '.join(changed)} differ" if changed else "the lines differ"
