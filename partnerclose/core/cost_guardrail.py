"""Guardrail: how far a partner's allocation may move in one period (rules.md C6).

A partner with an allocation `prev` last period (cost_share plus guardrail,
positive) that is not in its exit month or wind-down has its allocation held
within [round(prev × (1 − g)), round(prev × (1 + g))]. Its `guardrail` line is
allocation − held allocation (positive when held down); `HOST` takes the
opposite, so the pool still sums exactly.

Choice: a previous allocation of 0 is treated as no allocation. A band around
0 is [0, 0] and would hold a partner at 0 in every later period.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from partnerclose.core.money import ONE, ZERO, round_money
from partnerclose.core.records import HOST


@dataclass(frozen=True, slots=True)
class Guard:
    """The guardrail as applied to one partner in one pool."""

    partner_id: str
    previous: Decimal
    max_change_pct: Decimal
    low: Decimal
    high: Decimal
    allocation: Decimal  # computed by C4, before the guardrail
    held: Decimal  # the allocation after the guardrail

    @property
    def amount(self) -> Decimal:
        """The guardrail line's amount: positive when held down, negative when held up."""
        return self.allocation - self.held


def band(previous: Decimal, max_change_pct: Decimal, decimals: int) -> tuple[Decimal, Decimal]:
    """C6: the allowed range around last period's allocation, ends rounded."""
    return (
        round_money(previous * (ONE - max_change_pct), decimals),
        round_money(previous * (ONE + max_change_pct), decimals),
    )


def hold(
    partner_id: str,
    allocation: Decimal,
    previous: Decimal,
    max_change_pct: Decimal,
    decimals: int,
) -> Guard:
    """C6: hold one partner's allocation for a pool within the band around last period's."""
    low, high = band(previous, max_change_pct, decimals)
    held = min(max(allocation, low), high)
    return Guard(partner_id, previous, max_change_pct, low, high, allocation, held)


def guard_pool(
    pool_id: str,
    max_change_pct: Decimal | None,
    allocations: Iterable[tuple[str, Decimal]],
    previous: Mapping[tuple[str, str], Decimal],
    exiting: Collection[str],
    decimals: int,
) -> tuple[Guard, ...]:
    """C6 for one pool: a Guard for every partner the guardrail looks at.

    `allocations` are (participant, allocation before the guardrail) in
    participant order. HOST is never guarded: it takes the offset.
    """
    if max_change_pct is None:
        return ()
    guards = []
    for partner_id, allocation in allocations:
        prev = previous.get((partner_id, pool_id))
        if partner_id == HOST or partner_id in exiting or prev is None or prev <= ZERO:
            continue
        guards.append(hold(partner_id, allocation, prev, max_change_pct, decimals))
    return tuple(guards)


def host_offset(guards: Iterable[Guard]) -> Decimal:
    """The HOST guardrail line: the opposite of every partner's guardrail line."""
    return -sum((g.amount for g in guards), ZERO)
