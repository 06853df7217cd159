"""Milestone payout curves (rules.md M1) and the retention guard (M3).

Lower-is-better milestones (floor > cap) are mirrored by negating the value
and the three levels: every comparison and every ratio of the table in M1
then reads exactly as for higher-is-better.
"""

from __future__ import annotations

from decimal import Decimal

from partnerclose.core.money import ONE, ZERO, round_money
from partnerclose.core.records import Curve, Milestone


def curve_payout(milestone: Milestone, value: Decimal, decimals: int = 2) -> Decimal:
    """M1: the payout of the curve at `value`, rounded to the currency."""
    return round_money(_exact_curve(milestone, value), decimals)


def _exact_curve(m: Milestone, value: Decimal) -> Decimal:
    sign = -ONE if m.lower_is_better else ONE
    v, floor, target, cap = sign * value, sign * m.floor, sign * m.target, sign * m.cap
    p_floor, p_target, p_max = m.floor_payout, m.target_payout, m.max_payout
    if v < floor:
        return ZERO
    if v >= cap:  # checked before the T-C segment so that T = C never divides by 0
        return p_max
    if v >= target:  # here target <= v < cap, so cap > target
        if m.curve is Curve.STEP:
            return p_target
        x = (v - target) / (cap - target)
        if m.curve is Curve.DIMINISHING:
            x = x.sqrt()
        return p_target + (p_max - p_target) * x
    # here floor <= v < target, so target > floor
    if m.curve is Curve.STEP:
        return p_floor
    return p_floor + (p_target - p_floor) * (v - floor) / (target - floor)


def retention_multiplier(retention: Decimal | None, target: Decimal | None) -> Decimal:
    """M3: m = min(1, retention ÷ target), kept within [0, 1].

    A missing retention value gives 0 (the caller warns). A target that is
    missing or not above 0 is met by any retention, so m = 1.
    """
    if retention is None:
        return ZERO
    if target is None or target <= 0:
        return ONE
    return max(ZERO, min(ONE, retention / target))


def guard_retention(
    payout: Decimal, target_payout: Decimal, multiplier: Decimal, decimals: int = 2
) -> Decimal:
    """M3: only the part of the payout above the target payout is scaled; rounded."""
    upside = payout - target_payout
    if upside <= 0:
        return payout
    return round_money(target_payout + upside * multiplier, decimals)
