"""One period's close, computed in the order of rules.md section 0.

Cost sharing (C5 -> C2-C4 -> C6 -> C7 -> C8 -> C9), revenue share (R1-R8),
key figures (K1), milestones (M1-M7), scorecard (S1), net settlement (N1).
Pure: the previous state comes in, the next state goes out; reading it from
and writing it to the ledger is someone else's job.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import groupby
from operator import attrgetter

from partnerclose.core.adjustments import adjustment_lines
from partnerclose.core.cost_model import CostResult, CostState
from partnerclose.core.costs import compute_costs
from partnerclose.core.currency import SettlementRate, convert_inputs, settlement_rates
from partnerclose.core.key_figures import (
    KeyFigureInputs,
    compute_key_figures,
    merge_metric_values,
)
from partnerclose.core.lines import Component, Line, merge_sorted, sort_lines
from partnerclose.core.milestones import MilestoneResult, MilestoneState, compute_milestones
from partnerclose.core.participation import participation
from partnerclose.core.period import Period
from partnerclose.core.problems import Problem, Severity
from partnerclose.core.records import HOST, PeriodData, Program, participant_key
from partnerclose.core.revenue import RevenueResult, RevenueState, compute_revenue
from partnerclose.core.revenue_rows import RowEngine
from partnerclose.core.scorecard import ScorecardResult, compute_scorecards
from partnerclose.core.submissions import partners_without_data
from partnerclose.core.validity import in_force


@dataclass(frozen=True, slots=True)
class CloseState:
    """What the final closes before a period leave for it (empty: the first close)."""

    cost: CostState = field(default_factory=CostState)
    revenue: RevenueState = field(default_factory=RevenueState)
    milestones: MilestoneState = field(default_factory=MilestoneState)


@dataclass(frozen=True, slots=True)
class PoolCheck:
    """N1 for one pool: Σ cost_share + guardrail lines = −(amount − draw)."""

    pool_id: str
    amount: Decimal
    draw: Decimal
    lines_total: Decimal

    @property
    def difference(self) -> Decimal:
        """N1's difference: lines' total + (amount − draw), 0 when the pool sums exactly."""
        return self.lines_total + (self.amount - self.draw)


@dataclass(frozen=True, slots=True)
class CloseResult:
    """The result of one close: its lines, problems, details per rule and the state it leaves."""

    period: Period
    participants: tuple[str, ...]  # HOST, then partners taking part, in participant order
    lines: tuple[Line, ...]  # sorted as lines.csv
    problems: tuple[Problem, ...]
    costs: CostResult
    revenue: RevenueResult
    milestones: MilestoneResult
    key_figures: Mapping[str, Mapping[str, Decimal]]
    scorecards: ScorecardResult
    pool_checks: tuple[PoolCheck, ...]
    next_state: CloseState
    # participant -> its lines (in `lines` order); built once, read per statement
    by_participant: Mapping[str, tuple[Line, ...]] = field(default_factory=dict)
    # active partners taking part that sent no data at all (their statements say so)
    without_data: frozenset[str] = frozenset()
    # participant -> the currency and closing rate its lines are settled in (rules.md X2)
    settlement: Mapping[str, SettlementRate] = field(default_factory=dict)

    def settlement_of(self, participant_id: str) -> SettlementRate | None:
        """The participant's settlement rate; None for a result computed without one."""
        return self.settlement.get(participant_id)

    def settlement_net(self, participant_id: str) -> Decimal:
        """N1 in the settlement currency: the sum of the converted lines (X2)."""
        rate = self.settlement.get(participant_id)
        if rate is None:
            return self.net(participant_id)
        return sum((rate.settle(line.amount) for line in self.lines_of(participant_id)), Decimal(0))

    def lines_of(self, participant_id: str) -> tuple[Line, ...]:
        """The participant's lines, in lines.csv order (none when it has no line)."""
        return self.by_participant.get(participant_id, ())

    def net(self, participant_id: str) -> Decimal:
        """N1: the participant's net for the period, in the program currency."""
        return sum((line.amount for line in self.lines_of(participant_id)), Decimal(0))

    def totals(self) -> dict[str, dict[Component, Decimal]]:
        """Each participant's total per component of its lines."""
        table: dict[str, dict[Component, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for line in self.lines:
            table[line.partner_id][line.component] += line.amount
        return table


def compute_close(
    program: Program,
    period: Period,
    data: PeriodData,
    state: CloseState,
    corrections: Iterable[Line] = (),
    engine: RowEngine | None = None,
) -> CloseResult:
    """Close `period` from the state the final closes before it left.

    `corrections` are lines settled in it as they are (rules.md P3's `prior_period_adjustment`),
    outside every rule. `engine` runs the row-level revenue rules (None: this Decimal core).
    """
    return _compute_close(program, period, data, state, sort_lines(corrections), engine)


def _compute_close(
    program: Program,
    period: Period,
    data: PeriodData,
    state: CloseState,
    corrections: Sequence[Line] = (),
    engine: RowEngine | None = None,
) -> CloseResult:
    program = in_force(program, period)  # E1: the terms of the period settled
    data = convert_inputs(program, period, data)  # X1: every rule below is in the program currency
    costs = compute_costs(program, period, data.usage, state.cost)
    revenue = compute_revenue(program, period, data.deals, data.campaigns, state.revenue, engine)
    inputs = KeyFigureInputs(
        ytd_revenue={pid: r.ytd_after for pid, r in revenue.partners.items()},
        savings=costs.savings,
        margin_share={
            pid: r.margin_share for pid, r in revenue.partners.items() if r.margin_share is not None
        },
    )
    key_figures = compute_key_figures(program, period, data, inputs)
    milestones = compute_milestones(program, period, data.metrics, key_figures, state.milestones)
    values, merge_problems = merge_metric_values(data.metrics, key_figures)
    taking_part = {p.partner_id for p in program.partners if participation(p, period).takes_part}
    scorecards = compute_scorecards(
        program, {pid: v for pid, v in values.items() if pid in taking_part}
    )
    adjustments, adjustment_problems = adjustment_lines(program, period, taking_part)  # P2
    # Each engine's lines are already sorted: merging them spares a sort of every line.
    lines = tuple(
        merge_sorted([costs.lines, revenue.lines, milestones.lines, adjustments, corrections])
    )
    checks = pool_checks(costs, costs.lines)  # only costs writes cost_share and guardrail lines
    problems = [
        *costs.problems,
        *revenue.problems,
        *milestones.problems,
        *merge_problems,
        *scorecards.problems,
        *adjustment_problems,
        *(
            Problem(
                Severity.ERROR,
                f"internal check failed: pool {c.pool_id} does not reconcile "
                f"(difference {c.difference}); nothing was closed",
            )
            for c in checks
            if c.difference != 0
        ),
    ]
    # P3: a partner that no longer takes part still gets the restatement of a period it
    # took part in, and so a statement (its money is never left off the page).
    restated = {line.partner_id for line in corrections}
    participants = tuple(sorted({HOST, *taking_part, *restated}, key=participant_key))
    return CloseResult(
        period=period,
        participants=participants,
        lines=lines,
        problems=tuple(dict.fromkeys(problems)),
        costs=costs,
        revenue=revenue,
        milestones=milestones,
        key_figures=key_figures,
        scorecards=scorecards,
        pool_checks=checks,
        next_state=CloseState(costs.next_state, revenue.next_state, milestones.next_state),
        by_participant=group_lines(lines),
        without_data=frozenset(partners_without_data(program, period, data)),
        settlement=settlement_rates(program, period),
    )


_PARTNER_ID = attrgetter("partner_id")


def group_lines(lines: Iterable[Line]) -> dict[str, tuple[Line, ...]]:
    """Each participant's lines, in order.

    Sorted lines hold each participant's lines in one run, taken whole (groupby) rather than line by
    line; a participant met again is appended.
    """
    grouped: dict[str, list[Line]] = {}
    for partner_id, run in groupby(lines, _PARTNER_ID):
        found = grouped.get(partner_id)
        if found is None:
            grouped[partner_id] = list(run)
        else:
            found.extend(run)
    return {pid: tuple(group) for pid, group in grouped.items()}


def pool_of_item(item: str) -> str:
    """The pool of a cost_share or guardrail line (hybrid items end in :base or :usage)."""
    return item.removesuffix(":base").removesuffix(":usage")


def pool_checks(costs: CostResult, lines: Iterable[Line]) -> tuple[PoolCheck, ...]:
    """N1: per pool, the cost_share and guardrail lines against −(amount − draw)."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        if line.component in (Component.COST_SHARE, Component.GUARDRAIL):
            totals[pool_of_item(line.item)] += line.amount
    return tuple(
        PoolCheck(pool.pool_id, pool.amount, pool.draw, totals.get(pool.pool_id, Decimal(0)))
        for pool in costs.pools
    )
