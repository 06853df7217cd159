"""How each amount of a statement was made, in words and numbers (outputs.md,
"Statements, revision 2"): a partner recomputes every line from its statement alone.

Pure functions of a close's detail records. Numbers inside a text carry thousands
separators; rates and factors at most 4 decimals (the exact values stay in
lines.csv). Nothing here changes an amount: these are words beside the lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from functools import lru_cache

from partnerclose.core.close import pool_of_item
from partnerclose.core.cost_model import PoolDetail, PoolParticipantDetail
from partnerclose.core.lines import Component, Line
from partnerclose.core.money import ZERO, round_money
from partnerclose.core.records import Basis
from partnerclose.core.revenue_model import DealDetail

FACTOR_PLACES = 4  # rates, factors and metric values in a sentence (outputs.md)
ONE = Decimal(1)

# A number with a decimal point in a text from the engines ("1000.00", "0.96470588…"),
# not part of an id or a date ("D-2026-10-0035", "2026-10").
_NUMBER = re.compile(r"(?<![\w.,-])(\d+)\.(\d+)(?![\w.-])")


def money_text(value: Decimal, decimals: int) -> str:
    """An amount in a sentence: rounded to the currency, thousands separators."""
    return f"{round_money(value, decimals):,f}"


# The texts of rates, shares and statuses repeat across a statement's lines and deals;
# equal Decimals give the same text (it is normalized), so they are remembered.
@lru_cache(maxsize=4096)
def number_text(value: Decimal) -> str:
    """A rate, factor, quantity or metric value in a sentence: at most 4 decimals,
    thousands separators (`0.9647`, `1,234.5`)."""
    rounded = round_money(value, FACTOR_PLACES).normalize()
    if rounded == rounded.to_integral_value():
        rounded = rounded.quantize(ONE)
    return f"{rounded:,f}"


@lru_cache(maxsize=4096)
def percent_text(value: Decimal) -> str:
    """A share as a percentage in a sentence: `0.125` → `12.5 %` (4 decimals of the share)."""
    return f"{number_text(round_money(value, FACTOR_PLACES) * 100)} %"


@lru_cache(maxsize=4096)
def readable(text: str, decimals: int) -> str:
    """An engine's text for a statement: thousands separators in its numbers, and
    factors cut to 4 decimals (`1000.00` → `1,000.00`, `0.96470588…` → `0.9647`)."""

    def one(match: re.Match[str]) -> str:
        whole, fraction = match.group(1), match.group(2)
        value = Decimal(f"{whole}.{fraction}")
        if len(fraction) == decimals:
            return money_text(value, decimals)
        return number_text(value)

    return _NUMBER.sub(one, text)


_BASIS_WORDS = {
    Basis.CAPACITY: "committed capacity",
    Basis.EQUAL: "equal shares",
    Basis.FIXED: "fixed shares",
}


def _unit_word(pool: PoolDetail, basis: Basis) -> str:
    if basis is Basis.USAGE:
        return pool.unit or "units"
    return _BASIS_WORDS.get(basis, basis.value)


def cost_share_text(
    line: Line, found: tuple[PoolDetail, PoolParticipantDetail] | None, decimals: int
) -> str:
    """C4: "12,000.00 × 245 ÷ 1,641.6 seats", with the tier and wind-down factors
    that weigh the partner's units, and where the pool's amount came from."""
    if found is None:
        return readable(line.description, decimals)
    pool, me = found
    part = line.item[len(pool_of_item(line.item)) + 1 :]
    split = next((s for s in pool.splits if s.part == part), None)
    mine = next((p for p in me.parts if p.part == part), None)
    if split is None or mine is None:
        return readable(line.description, decimals)
    basis = split.used_basis
    factors = ""
    if basis in (Basis.USAGE, Basis.CAPACITY) and me.tier_factor != ONE:
        factors += f" × tier factor {number_text(me.tier_factor)}"
    if basis is not Basis.USAGE and me.wind_down_factor != ONE:
        factors += f" × wind-down factor {number_text(me.wind_down_factor)}"
    formula = (
        f"{money_text(split.amount, decimals)} × {number_text(mine.driver_quantity)}{factors}"
        f" ÷ {number_text(split.total_weight)} {_unit_word(pool, basis)}"
    )
    notes = []
    if part:
        notes.append(
            f"{part} part of {money_text(pool.allocable, decimals)}"
            + (
                f" ({percent_text(pool.base_share)})"
                if pool.base_share is not None and part == "base"
                else ""
            )
        )
    if pool.draw:
        notes.append(
            f"pool {money_text(pool.amount, decimals)} less "
            f"{money_text(pool.draw, decimals)} drawn from the reserve fund"
        )
    if basis is not split.basis:
        notes.append(f"split by {basis.value}: no {split.basis.value} reported")
    return "; ".join((formula, *notes))


def guardrail_text(
    line: Line, found: tuple[PoolDetail, PoolParticipantDetail] | None, decimals: int
) -> str:
    """C6: the band the allocation was held within, from last period's allocation."""
    if found is None or found[1].band is None or found[1].previous_allocation is None:
        return readable(line.description, decimals)
    pool, me = found
    low, high = me.band  # type: ignore[misc]
    change = f" ± {percent_text(pool.max_change_pct)}" if pool.max_change_pct is not None else ""
    return (
        f"allocation {money_text(me.allocation, decimals)} held within "
        f"{money_text(low, decimals)} – {money_text(high, decimals)} (last period "
        f"{money_text(me.previous_allocation, decimals)}{change}): "  # type: ignore[arg-type]
        f"held at {money_text(me.allocation_after_guardrail, decimals)}"
    )


def in_kind_text(line: Line, decimals: int) -> str:
    """C7: quantity × unit value, and what the credit is set against."""
    text = readable(line.description, decimals)
    if line.quantity is None or line.rate is None:
        return text
    value = line.quantity * line.rate
    return (
        f"{number_text(line.quantity)} × {money_text(line.rate, decimals)} = "
        f"{money_text(value, decimals)}; {text}"
    )


def reserve_text(
    line: Line,
    pools: Sequence[tuple[PoolDetail, PoolParticipantDetail]],
    fixed: Decimal,
    decimals: int,
) -> str:
    """C8: the fixed part plus the savings share, the savings shown against the
    standalone costs they come from."""
    with_standalone = [(p, me) for p, me in pools if me.standalone_cost is not None]
    standalone = sum((me.standalone_cost or ZERO for _, me in with_standalone), ZERO)
    allocated = sum((me.allocation_after_guardrail for _, me in with_standalone), ZERO)
    savings = standalone - allocated
    if line.quantity is None or line.rate is None or not with_standalone or savings <= 0:
        return readable(line.description, decimals)
    if round_money(savings, decimals) != round_money(line.quantity, decimals):
        return readable(line.description, decimals)  # not the savings the engine used
    share = line.rate * savings
    names = ", ".join(p.pool_id for p, _ in with_standalone)
    return (
        f"fixed {money_text(fixed, decimals)} + {percent_text(line.rate)} × savings "
        f"{money_text(savings, decimals)} = {money_text(fixed + share, decimals)}; savings = "
        f"standalone costs {money_text(standalone, decimals)} − your allocations "
        f"{money_text(allocated, decimals)} ({names})"
    )


def deal_text(deal: DealDetail, decimals: int) -> str:
    """R2/R3: a deal at one bracket: amount × (bracket rate + product bonus)."""
    if len(deal.parts) != 1:
        return f"spans {len(deal.parts)} brackets: one row each below"
    rate = deal.parts[0].rate
    bonus = f" + {percent_text(deal.bonus_rate)} product bonus" if deal.bonus_rate else ""
    return f"{money_text(deal.amount, decimals)} × {percent_text(rate)}{bonus}"


def explanation(
    line: Line,
    pool: tuple[PoolDetail, PoolParticipantDetail] | None,
    decimals: int,
) -> str:
    """The explanation of a line whose figures the line itself or its pool carries."""
    component = line.component
    if component is Component.COST_SHARE:
        return cost_share_text(line, pool, decimals)
    if component is Component.GUARDRAIL:
        return guardrail_text(line, pool, decimals)
    if component is Component.IN_KIND_CREDIT:
        return in_kind_text(line, decimals)
    return readable(line.description, decimals)
