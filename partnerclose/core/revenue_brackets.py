"""Revenue brackets of a plan and deal type (rules.md R2-R4).

A bracket starts when the partner's fiscal year-to-date volume reaches its
`from_amount` and runs until the next bracket starts.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter
from typing import NamedTuple

from partnerclose.core.money import ZERO
from partnerclose.core.records import DealType, RevenueTier
from partnerclose.core.revenue_model import BracketPart


@dataclass(frozen=True, slots=True)
class Bracket:
    """R3: one bracket of a plan, its rate from `start` up."""

    start: Decimal
    rate: Decimal


_START = attrgetter("start")

BracketTable = Mapping[tuple[str, DealType], tuple[Bracket, ...]]


def bracket_table(tiers: Iterable[RevenueTier]) -> BracketTable:
    """Brackets by (plan, deal type), in ascending order of where they start."""
    table: dict[tuple[str, DealType], list[Bracket]] = {}
    for tier in tiers:
        table.setdefault((tier.plan, tier.deal_type), []).append(
            Bracket(tier.from_amount, tier.rate)
        )
    # Sorting on the rate too keeps a duplicate start independent of row order.
    return {
        key: tuple(sorted(rows, key=lambda b: (b.start, b.rate))) for key, rows in table.items()
    }


def rate_at(brackets: tuple[Bracket, ...], volume: Decimal) -> Decimal:
    """The rate of the bracket `volume` has reached (a threshold itself counts as reached)."""
    rate = ZERO
    for bracket in brackets:
        if bracket.start <= volume:
            rate = bracket.rate
    return rate


def marginal_parts(
    brackets: tuple[Bracket, ...], start: Decimal, amount: Decimal
) -> tuple[BracketPart, ...]:
    """R3: split the volume interval [start, start + amount) at bracket thresholds.

    Volume below the first bracket (a plan without a 0 bracket, which the
    validator rejects) is paid at rate 0.
    """
    end = start + amount
    single = _single_bracket(brackets, start, end)
    if single is not None:  # most deals lie within one bracket
        return (BracketPart(start, end, single),) if end > start else ()
    below_first = not brackets or start < brackets[0].start
    bounds = [(start, ZERO)] if below_first else []
    bounds += [(b.start, b.rate) for b in brackets]
    parts: list[BracketPart] = []
    for i, (low, rate) in enumerate(bounds):
        high = bounds[i + 1][0] if i + 1 < len(bounds) else None
        part_start = max(start, low)
        part_end = end if high is None else min(end, high)
        if part_end > part_start:
            parts.append(BracketPart(part_start, part_end, rate))
    return tuple(parts)


def _single_bracket(brackets: tuple[Bracket, ...], start: Decimal, end: Decimal) -> Decimal | None:
    """The rate when [start, end) lies within one bracket, else None."""
    if not brackets or start < brackets[0].start:
        return None
    # The bracket `start` lies in is the last one starting at or below it
    # (a bisection: this runs once per paid deal).
    i = bisect_right(brackets, start, key=_START) - 1
    upper = brackets[i + 1].start if i + 1 < len(brackets) else None
    return brackets[i].rate if upper is None or end <= upper else None


class Scale(NamedTuple):
    """One plan and deal type's brackets, with their starts and rates apart.

    Built once per partner, so that placing each paid deal is one bisection
    of plain Decimals (`marginal_parts_on`).
    """

    brackets: tuple[Bracket, ...]
    starts: tuple[Decimal, ...]
    rates: tuple[Decimal, ...]


def scale_of(brackets: tuple[Bracket, ...]) -> Scale:
    """The brackets with their starts and rates laid out for lookups."""
    return Scale(brackets, tuple(b.start for b in brackets), tuple(b.rate for b in brackets))


_new_part = tuple.__new__  # BracketPart from its fields, without NamedTuple's Python __new__


def marginal_parts_on(scale: Scale, start: Decimal, amount: Decimal) -> tuple[BracketPart, ...]:
    """`marginal_parts(scale.brackets, start, amount)`, sooner when one bracket holds the deal."""
    end = start + amount
    starts = scale.starts
    if starts and start >= starts[0]:
        above = bisect_right(starts, start)  # the first bracket starting above `start`
        if above == len(starts) or end <= starts[above]:
            if end > start:
                return (_new_part(BracketPart, (start, end, scale.rates[above - 1])),)
            return ()
    return marginal_parts(scale.brackets, start, amount)
