"""In-kind credits (rules.md C7).

A `Contributions` row is worth quantity × unit_value. Its credit is
min(value, max_credit_pct × the allocation it offsets), rounded: the pool's
allocation after C6 when the row names a pool, else the partner's total
allocation after C6. The host bears the credit (no offsetting line).

Choice for several rows of one partner: a partner's credits never add up to
more than the allocation they offset. Rows naming a pool come first (by pool
id), then rows against the total; each row is also limited to what the
earlier rows left of its pool's allocation and of the total.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from partnerclose.core.money import ZERO, round_money
from partnerclose.core.problems import Problem
from partnerclose.core.records import HOST, Contribution, participant_key

DEFAULT_ITEM = "in-kind"


@dataclass(frozen=True, slots=True)
class Credit:
    """One contribution row and the credit it earns."""

    partner_id: str
    item: str  # the line item: the description, unique per partner
    description: str
    pool_id: str  # "" = against the partner's total allocation
    quantity: Decimal
    unit_value: Decimal
    max_credit_pct: Decimal
    allocation: Decimal  # the allocation it offsets, after C6
    cap: Decimal  # max_credit_pct × allocation, exact
    credit: Decimal  # rounded, ≥ 0

    @property
    def value(self) -> Decimal:
        """C7: the contribution's worth, quantity × unit value, before the cap."""
        return self.quantity * self.unit_value

    @property
    def limited(self) -> bool:
        """The credit is less than the contribution's value."""
        return self.credit < self.value


def _row_order(row: Contribution) -> tuple[bool, str, str, Decimal, Decimal, Decimal]:
    return (
        row.pool_id == "",
        row.pool_id,
        row.description,
        row.quantity,
        row.unit_value,
        row.max_credit_pct,
    )


def _unique(item: str, taken: set[str]) -> str:
    candidate, n = item, 1
    while candidate in taken:
        n += 1
        candidate = f"{item} ({n})"
    taken.add(candidate)
    return candidate


def in_kind_credits(
    contributions: Iterable[Contribution],
    allocations: Mapping[tuple[str, str], Decimal],
    taking_part: Collection[str],
    period: str,
    decimals: int,
) -> tuple[tuple[Credit, ...], tuple[Problem, ...]]:
    """C7 for every contribution row of the partners taking part in the period.

    `allocations` maps (partner, pool) to the allocation after C6 (positive);
    `taking_part` holds the partners (never HOST) that take part in the period.
    """
    rows: dict[str, list[Contribution]] = defaultdict(list)
    for row in contributions:
        rows[row.partner_id].append(row)
    credits: list[Credit] = []
    problems: list[Problem] = []
    for partner_id in sorted(rows, key=participant_key):
        mine = sorted(rows[partner_id], key=_row_order)
        if partner_id not in taking_part:
            why = (
                "the host bears in-kind credits"
                if partner_id == HOST
                else f"{partner_id} does not take part in cost sharing in {period}"
            )
            problems.extend(
                row.loc.info(
                    f"in-kind contribution of {partner_id} earns no credit: {why}",
                    column="partner_id",
                )
                for row in mine
            )
            continue
        pools = {pool: a for (pid, pool), a in allocations.items() if pid == partner_id}
        total_left = sum(pools.values(), ZERO)
        total = total_left
        pool_left = dict(pools)
        taken: set[str] = set()
        for row in mine:
            allocation = pools.get(row.pool_id, ZERO) if row.pool_id else total
            cap = row.max_credit_pct * allocation
            limit = min(pool_left.get(row.pool_id, ZERO), total_left) if row.pool_id else total_left
            credit = max(ZERO, min(round_money(min(row.value, cap), decimals), limit))
            if row.pool_id:
                pool_left[row.pool_id] = pool_left.get(row.pool_id, ZERO) - credit
            total_left -= credit
            item = _unique(row.description.strip() or DEFAULT_ITEM, taken)
            credits.append(
                Credit(
                    partner_id=partner_id,
                    item=item,
                    description=row.description,
                    pool_id=row.pool_id,
                    quantity=row.quantity,
                    unit_value=row.unit_value,
                    max_credit_pct=row.max_credit_pct,
                    allocation=allocation,
                    cap=cap,
                    credit=credit,
                )
            )
    return tuple(credits), tuple(problems)
