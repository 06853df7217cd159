"""Scenario analysis under different demand conditions (seeds: what-if).

Scales the period's usage and deal volume by multipliers; the close is then
computed on the scaled data like any other. Deal amounts are rounded to the
currency, as a real deal would be; units stay exact.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from partnerclose.core.money import round_money
from partnerclose.core.records import PeriodData


def scale_demand(
    data: PeriodData, usage_factor: Decimal, deal_factor: Decimal, decimals: int = 2
) -> PeriodData:
    if usage_factor < 0 or deal_factor < 0:
        raise ValueError("demand multipliers must be ≥ 0")
    return replace(
        data,
        usage=tuple(replace(u, units=u.units * usage_factor) for u in data.usage),
        deals=tuple(
            replace(d, amount=round_money(d.amount * deal_factor, decimals)) for d in data.deals
        ),
    )
