"""The records of cost sharing (rules.md C1–C9).

What a close computes for each pool and participant, and the state it leaves for the
next period: `costs.py` computes them; statements, the close pack and the ledger read
them (as `revenue_model.py` holds revenue share's).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

from partnerclose.core.cost_credits import Credit
from partnerclose.core.cost_reserve import ReserveAccount, ReserveMovement
from partnerclose.core.lines import Line
from partnerclose.core.money import ZERO
from partnerclose.core.problems import Problem
from partnerclose.core.records import Basis


def _no_balances() -> Mapping[str, Decimal]:
    return MappingProxyType({})


def _no_allocations() -> Mapping[tuple[str, str], Decimal]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class CostState:
    """What the previous final close leaves for this one (empty for the first close)."""

    # Closing balance; None = first close, so settings.reserve_opening_balance.
    reserve_balance: Decimal | None = None
    # Cumulative reserve contributions per partner (positive).
    contributions_to_date: Mapping[str, Decimal] = field(default_factory=_no_balances)
    # (partner_id, pool_id) -> last period's allocation after C6 (positive).
    allocations: Mapping[tuple[str, str], Decimal] = field(default_factory=_no_allocations)


@dataclass(frozen=True, slots=True)
class PoolShareDetail:
    """One participant's part of one split (hybrid pools have two)."""

    part: str  # "" for one-basis pools; "base" or "usage" for hybrid pools
    basis: Basis  # the basis used, after the C2 fallback
    driver_quantity: Decimal
    weight: Decimal
    share: Decimal  # weight ÷ total weight of the split
    allocation: Decimal  # positive


@dataclass(frozen=True, slots=True)
class PoolParticipantDetail:
    """One participant of one pool, for the statement's cost-sharing section."""

    partner_id: str
    committed: bool  # False: HOST without a Commitments row (freed shares, offsets)
    usage_units: Decimal
    committed_capacity: Decimal
    fixed_share: Decimal
    freed_share: Decimal  # fixed pools, HOST: shares others' wind-down freed
    utilization: Decimal
    tier_factor: Decimal
    wind_down_factor: Decimal
    standalone_cost: Decimal | None
    parts: tuple[PoolShareDetail, ...]
    allocation: Decimal  # before the guardrail
    previous_allocation: Decimal | None  # when the guardrail looked at it
    band: tuple[Decimal, Decimal] | None  # the guardrail band, when applied
    guardrail: Decimal  # the guardrail line (HOST: the offset)
    allocation_after_guardrail: Decimal
    in_kind_credit: Decimal  # credits against this pool


@dataclass(frozen=True, slots=True)
class SplitDetail:
    """One split of a pool in the close pack: basis asked and used, amount, total weight."""

    part: str
    basis: Basis  # asked for by the pool
    used_basis: Basis  # after the C2 fallback
    amount: Decimal
    total_weight: Decimal


@dataclass(frozen=True, slots=True)
class PoolDetail:
    """One pool in the period: amount, cushion, splits and participants."""

    pool_id: str
    name: str
    owner: str
    unit: str
    basis: Basis
    amount: Decimal
    budget: Decimal | None
    draw: Decimal  # C5
    allocable: Decimal  # amount − draw
    base_share: Decimal | None
    max_change_pct: Decimal | None
    splits: tuple[SplitDetail, ...]
    participants: tuple[PoolParticipantDetail, ...]

    @property
    def allocated(self) -> Decimal:
        """Σ allocations after C6: equals `allocable` (the N1 check)."""
        return sum((p.allocation_after_guardrail for p in self.participants), ZERO)


@dataclass(frozen=True, slots=True)
class CostResult:
    """The cost sharing of one period (C1–C9): lines, problems, details and next state."""

    lines: tuple[Line, ...]
    problems: tuple[Problem, ...]
    pools: tuple[PoolDetail, ...]  # pool_id order
    credits: tuple[Credit, ...]
    reserve: ReserveMovement
    accounts: tuple[ReserveAccount, ...]  # participant order
    savings: Mapping[str, Decimal]  # C8 savings, participants with a standalone cost
    equity: Mapping[str, Decimal]  # after this period, rounded
    contributions_to_date: Mapping[str, Decimal]  # after this period
    next_state: CostState
