"""Who shares a pool and in what proportion (rules.md C1–C4).

A pool's participants are its `Commitments` rows whose partner takes part in
the period (C1). Each gets a weight by the pool's basis (C2), scaled by its
tier factor (C3), and the pool's allocable amount is split to the cent in
proportion to the weights (C4). Hybrid pools make two splits: the base part
by capacity and the rest by usage.

Choices where the rules are silent (docs in the module so they travel with it):

- Fixed pools: a committed partner that does not take part (not started yet,
  or past its wind-down) frees its whole share, like wind-down frees part of
  it; `HOST` carries every freed share, even without a `Commitments` row of
  its own. Partners therefore never pay more than their agreed share.
- Hybrid pools: the base part is round(allocable × base_share); the usage part
  is the rest, so the two parts always sum to the allocable amount.
- A split whose weights are all 0 falls back usage -> capacity -> equal (and
  fixed -> equal, which only bad input can reach); equal weights are never 0.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from partnerclose.core.money import ONE, ZERO, round_money, split
from partnerclose.core.participation import Participation
from partnerclose.core.records import (
    HOST,
    Basis,
    Commitment,
    CostTier,
    Pool,
    participant_key,
)

# C2: where a split with all weights 0 goes next.
FALLBACK: Mapping[Basis, Basis] = {
    Basis.USAGE: Basis.CAPACITY,
    Basis.CAPACITY: Basis.EQUAL,
    Basis.FIXED: Basis.EQUAL,
}

BASE = "base"
USAGE_PART = "usage"


@dataclass(frozen=True, slots=True)
class Driver:
    """One participant's inputs to a pool's split."""

    partner_id: str
    usage: Decimal = ZERO
    capacity: Decimal = ZERO
    fixed_share: Decimal = ZERO
    standalone_cost: Decimal | None = None
    utilization: Decimal = ZERO
    tier_factor: Decimal = ONE
    wind_down_factor: Decimal = ONE
    freed_share: Decimal = ZERO  # fixed pools, HOST only: shares freed by others
    committed: bool = True  # False: HOST carries the pool without a Commitments row


@dataclass(frozen=True, slots=True)
class Share:
    """One participant's part of one split."""

    partner_id: str
    driver_quantity: Decimal
    weight: Decimal
    share: Decimal  # weight ÷ total weight, exact
    amount: Decimal  # positive, to the currency unit


@dataclass(frozen=True, slots=True)
class Split:
    """One split of a pool: the whole allocable amount, or one part of a hybrid."""

    part: str  # "" for one-basis pools; "base" or "usage" for hybrid pools
    basis: Basis  # the basis the rule asks for
    used_basis: Basis  # after the C2 fallback
    amount: Decimal
    shares: tuple[Share, ...]  # participant order

    @property
    def fell_back(self) -> bool:
        """C2: whether the split fell back to another basis because all weights were 0."""
        return self.used_basis is not self.basis


def utilization(usage: Decimal, capacity: Decimal) -> Decimal:
    """C3: usage ÷ committed capacity, 0 when nothing is committed."""
    return usage / capacity if capacity > 0 else ZERO


def tier_factor(usage_ratio: Decimal, tiers: Iterable[CostTier]) -> Decimal:
    """C3: the factor of the tier with the highest min_utilization ≤ utilization, else 1."""
    reached = [t for t in tiers if t.min_utilization <= usage_ratio]
    if not reached:
        return ONE
    # Ties on min_utilization (bad input) resolve to the larger factor, whatever the row order.
    return max(reached, key=lambda t: (t.min_utilization, t.factor)).factor


def _applies_tiers(basis: Basis) -> bool:
    return basis in (Basis.USAGE, Basis.CAPACITY, Basis.HYBRID)


def pool_drivers(
    pool: Pool,
    commitments: Iterable[Commitment],
    usage: Mapping[str, Decimal],
    tiers: Sequence[CostTier],
    stages: Mapping[str, Participation],
) -> tuple[Driver, ...]:
    """C1–C3: the participants of `pool` in participant order, with their drivers.

    `commitments` and `tiers` are the pool's own rows; `usage` is each
    participant's units in the period; `stages` holds every partner's C1
    participation (HOST is not in it: it always takes part, factor 1).
    """
    rows: dict[str, list[Commitment]] = defaultdict(list)
    for row in commitments:
        rows[row.partner_id].append(row)
    drivers: list[Driver] = []
    freed = ZERO
    for partner_id in sorted(rows, key=participant_key):
        mine = rows[partner_id]
        capacity = sum((r.committed_capacity for r in mine), ZERO)
        share = sum((r.fixed_share or ZERO for r in mine), ZERO)
        standalone = [r.standalone_cost for r in mine if r.standalone_cost is not None]
        if partner_id == HOST:
            factor, taking_part = ONE, True
        else:
            stage = stages.get(partner_id)
            taking_part = stage is not None and stage.takes_part
            factor = stage.wind_down_factor if stage is not None and taking_part else ZERO
        freed += share * (ONE - factor) if partner_id != HOST else ZERO
        if not taking_part:
            continue
        units = usage.get(partner_id, ZERO)
        ratio = utilization(units, capacity)
        tiered = partner_id != HOST and _applies_tiers(pool.basis)
        drivers.append(
            Driver(
                partner_id=partner_id,
                usage=units,
                capacity=capacity,
                fixed_share=share,
                standalone_cost=sum(standalone, ZERO) if standalone else None,
                utilization=ratio,
                tier_factor=tier_factor(ratio, tiers) if tiered else ONE,
                wind_down_factor=factor,
            )
        )
    if pool.basis is Basis.FIXED and freed > 0:
        drivers = _host_takes_freed(drivers, freed)
    return tuple(drivers)


def _host_takes_freed(drivers: list[Driver], freed: Decimal) -> list[Driver]:
    """C2 fixed: what wind-down (or absence) frees goes to HOST, row or no row."""
    if drivers and drivers[0].partner_id == HOST:
        return [replace(drivers[0], freed_share=freed), *drivers[1:]]
    return [Driver(partner_id=HOST, freed_share=freed, committed=False), *drivers]


def weight(basis: Basis, driver: Driver) -> Decimal:
    """C2 weight of one participant for a one-basis split."""
    if basis is Basis.USAGE:
        return driver.usage * driver.tier_factor
    if basis is Basis.CAPACITY:
        return driver.capacity * driver.tier_factor * driver.wind_down_factor
    if basis is Basis.FIXED:
        return driver.fixed_share * driver.wind_down_factor + driver.freed_share
    return driver.wind_down_factor  # equal


def driver_quantity(basis: Basis, driver: Driver) -> Decimal:
    """What a cost_share line shows as quantity: units, capacity, 1, or the fixed share."""
    if basis is Basis.USAGE:
        return driver.usage
    if basis is Basis.CAPACITY:
        return driver.capacity
    if basis is Basis.FIXED:
        return driver.fixed_share
    return ONE


def split_by(
    basis: Basis, amount: Decimal, drivers: Sequence[Driver], decimals: int, part: str = ""
) -> Split:
    """C4 for one split, with the C2 fallback when every weight is 0."""
    used = basis
    weights = [weight(used, d) for d in drivers]
    while sum(weights, ZERO) <= 0 and used in FALLBACK:
        used = FALLBACK[used]
        weights = [weight(used, d) for d in drivers]
    total = sum(weights, ZERO)
    if not drivers or total <= 0:
        return Split(part, basis, used, amount, ())
    parts = split(amount, weights, decimals)
    shares = tuple(
        Share(d.partner_id, driver_quantity(used, d), w, w / total, p)
        for d, w, p in zip(drivers, weights, parts, strict=True)
    )
    return Split(part, basis, used, amount, shares)


def split_pool(
    pool: Pool, allocable: Decimal, drivers: Sequence[Driver], decimals: int
) -> tuple[Split, ...]:
    """C2–C4: one split, or two for a hybrid pool (base by capacity, rest by usage)."""
    if pool.basis is not Basis.HYBRID:
        return (split_by(pool.basis, allocable, drivers, decimals),)
    base = round_money(allocable * (pool.base_share or ZERO), decimals)
    return (
        split_by(Basis.CAPACITY, base, drivers, decimals, BASE),
        split_by(Basis.USAGE, allocable - base, drivers, decimals, USAGE_PART),
    )
