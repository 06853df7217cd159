"""What a close's writers get: the close context, and the stages a close reports.

It sits below the pipeline (which builds it) and the writers (which read it), so
that neither imports the other's module for it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from partnerclose.core.close import CloseResult, CloseState
from partnerclose.core.journal import JournalRow
from partnerclose.core.lines import Component
from partnerclose.core.period import Period
from partnerclose.core.problems import Problem
from partnerclose.core.records import Program
from partnerclose.reading.inputs import Inputs


class Stage(StrEnum):
    """The stages of a close, in order, as its progress reports them."""

    READ = "read"
    VALIDATE = "validate"
    COMPUTE = "compute"
    WRITE = "write"
    RECORD = "record"


@dataclass(frozen=True, slots=True)
class CloseContext:
    """What a writer gets: everything known about the close."""

    program: Program
    period: Period
    final: bool
    inputs: Inputs
    result: CloseResult
    # participant -> component -> Σ lines of earlier final closes of the fiscal year
    ytd_before: Mapping[str, Mapping[Component, Decimal]]
    journal: tuple[JournalRow, ...]
    problems: tuple[Problem, ...]  # everything to report: inputs and computation
    started_at: str
    progress: Callable[[Stage, int, int, str], None]
    user: str  # who ran the close (the close pack's audit shows it)
    statement_version: int = 1
    replaced_nets: Mapping[str, Decimal] = field(default_factory=dict)
    # participant -> component -> Σ lines of the previous period's current final close
    last_period: Mapping[str, Mapping[Component, Decimal]] = field(default_factory=dict)
    # the ledger's approval of the period's draft (the close pack's sign-off), if any
    approved_by: str = ""
    approved_at: str = ""
    # the state the close started from (scenarios beside it start from it too)
    prior: CloseState | None = None
    # ytd_before and last_period of partners settling in another currency, in that
    # currency: each earlier line at its own period's closing rate (rules.md X2)
    ytd_before_settled: Mapping[str, Mapping[Component, Decimal]] = field(default_factory=dict)
    last_period_settled: Mapping[str, Mapping[Component, Decimal]] = field(default_factory=dict)
    # P3: (partner, item of a prior_period_adjustment) -> (amount recorded, restated)
    restated_amounts: Mapping[tuple[str, str], tuple[Decimal, Decimal]] = field(
        default_factory=dict
    )
    lines_format: str = "csv"  # csv | parquet: lines.csv, or lines/ and paid_deals.parquet
