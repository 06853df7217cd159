"""M1 curves and the M3 retention guard (milestone_curves.py)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from partnerclose.core.milestone_curves import (
    curve_payout,
    guard_retention,
    retention_multiplier,
)
from partnerclose.core.records import Curve, Milestone
from tests.core.factories_milestones import milestone

D = Decimal  # short for literals

M_A = milestone()  # F 0.40, T 0.60, C 0.80; payouts 2,000 / 10,000 / 15,000
M_B = milestone(  # onboarding_days, lower is better
    metric="onboarding_days", levels=("30", "20", "10"), payouts=("1000.00", "5000.00", "8000.00")
)


@pytest.mark.parametrize(
    ("value", "curve", "expected"),
    [
        ("0.35", Curve.LINEAR, "0.00"),
        ("0.40", Curve.LINEAR, "2000.00"),
        # 2,000 + 8,000 × (0.50 − 0.40) ÷ 0.20 = 6,000
        ("0.50", Curve.LINEAR, "6000.00"),
        # 10,000 + 5,000 × (0.70 − 0.60) ÷ 0.20 = 12,500
        ("0.70", Curve.LINEAR, "12500.00"),
        # 10,000 + 5,000 × √0.5 = 10,000 + 3,535.5339… = 13,535.53
        ("0.70", Curve.DIMINISHING, "13535.53"),
        ("0.70", Curve.STEP, "10000.00"),
        ("0.85", Curve.LINEAR, "15000.00"),
    ],
)
def test_example_m_a(value: str, curve: Curve, expected: str) -> None:
    m = milestone(curve=curve)
    assert curve_payout(m, D(value)) == D(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("25", "3000.00"),  # 1,000 + 4,000 × (25 − 30) ÷ (20 − 30) = 1,000 + 2,000
        ("15", "6500.00"),  # 5,000 + 3,000 × (15 − 20) ÷ (10 − 20) = 5,000 + 1,500
        ("31", "0.00"),  # worse than the floor
    ],
)
def test_example_m_b_lower_is_better(value: str, expected: str) -> None:
    assert M_B.lower_is_better
    assert curve_payout(M_B, D(value)) == D(expected)


@pytest.mark.parametrize("curve", list(Curve))
@pytest.mark.parametrize(
    ("m", "floor", "target", "cap", "worse", "past"),
    [
        (M_A, "0.40", "0.60", "0.80", "0.3999", "0.81"),
        (M_B, "30", "20", "10", "30.01", "9"),
    ],
    ids=["higher-is-better", "lower-is-better"],
)
def test_exactly_at_floor_target_cap_for_every_curve(
    m: Milestone, floor: str, target: str, cap: str, worse: str, past: str, curve: Curve
) -> None:
    m = milestone(
        metric=m.metric,
        levels=(str(m.floor), str(m.target), str(m.cap)),
        payouts=(str(m.floor_payout), str(m.target_payout), str(m.max_payout)),
        curve=curve,
    )
    assert curve_payout(m, D(worse)) == D(0)
    assert curve_payout(m, D(floor)) == m.floor_payout
    assert curve_payout(m, D(target)) == m.target_payout
    assert curve_payout(m, D(cap)) == m.max_payout
    assert curve_payout(m, D(past)) == m.max_payout


def test_diminishing_is_linear_below_target_and_concave_above() -> None:
    m = milestone(curve=Curve.DIMINISHING)
    assert curve_payout(m, D("0.50")) == D("6000.00")  # same as linear
    # x = 0.25: 10,000 + 5,000 × 0.5 = 12,500 (linear would give 11,250)
    assert curve_payout(m, D("0.65")) == D("12500.00")


def test_lower_is_better_diminishing_and_step() -> None:
    # x = (15 − 20) ÷ (10 − 20) = 0.5: 5,000 + 3,000 × 0.70710678… = 7,121.32
    dim = milestone(
        levels=("30", "20", "10"), payouts=("1000", "5000", "8000"), curve=Curve.DIMINISHING
    )
    assert curve_payout(dim, D("15")) == D("7121.32")
    step = milestone(levels=("30", "20", "10"), payouts=("1000", "5000", "8000"), curve=Curve.STEP)
    assert curve_payout(step, D("25")) == D("1000")  # between F and T: Pf
    assert curve_payout(step, D("15")) == D("5000")  # between T and C: Pt


def test_step_pays_floor_payout_between_floor_and_target() -> None:
    assert curve_payout(milestone(curve=Curve.STEP), D("0.59")) == D("2000.00")


def test_target_equal_to_cap_never_divides_by_zero() -> None:
    m = milestone(levels=("0.40", "0.60", "0.60"), curve=Curve.DIMINISHING)
    assert curve_payout(m, D("0.60")) == D("15000.00")  # at the cap: Pm
    assert curve_payout(m, D("0.50")) == D("6000.00")


def test_result_is_rounded_half_up_to_the_currency() -> None:
    # 0 + 100 × (0.5 − 0) ÷ 3 = 16.6666… → 16.67; with 0 decimals → 17
    m = milestone(levels=("0", "3", "6"), payouts=("0", "100", "200"))
    assert curve_payout(m, D("0.5")) == D("16.67")
    assert curve_payout(m, D("0.5"), decimals=0) == D("17")


def test_example_m_c_retention_guard() -> None:
    # m = min(1, 0.68 ÷ 0.85) = 0.8 → 10,000 + 2,500 × 0.8 = 12,000
    m = retention_multiplier(D("0.68"), D("0.85"))
    assert m == D("0.8")
    assert guard_retention(D("12500.00"), D("10000.00"), m) == D("12000.00")


def test_retention_guard_only_touches_the_upside() -> None:
    assert guard_retention(D("6000.00"), D("10000.00"), D(0)) == D("6000.00")
    assert guard_retention(D("12500.00"), D("10000.00"), D(0)) == D("10000.00")


@pytest.mark.parametrize(
    ("retention", "target", "expected"),
    [
        (None, "0.85", "0"),  # missing retention: m = 0
        ("0.95", "0.85", "1"),  # above target: capped at 1
        ("-0.1", "0.85", "0"),  # never below 0
        ("0.5", None, "1"),  # no target to miss
        ("0.5", "0", "1"),
    ],
)
def test_retention_multiplier_edges(
    retention: str | None, target: str | None, expected: str
) -> None:
    r = None if retention is None else D(retention)
    t = None if target is None else D(target)
    assert retention_multiplier(r, t) == D(expected)


_LEVELS = st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False)


@given(
    a=_LEVELS,
    b=_LEVELS,
    lower=st.booleans(),
    curve=st.sampled_from(list(Curve)),
    v1=_LEVELS,
    v2=_LEVELS,
)
def test_payout_never_falls_as_the_metric_gets_better(
    a: Decimal, b: Decimal, lower: bool, curve: Curve, v1: Decimal, v2: Decimal
) -> None:
    floor, cap = sorted((a, b))
    target = (floor + cap) / 2
    lower = lower and floor != cap  # equal levels read as higher-is-better
    if lower:
        floor, cap = cap, floor
    m = milestone(
        levels=(str(floor), str(target), str(cap)),
        payouts=("100.00", "500.00", "900.00"),
        curve=curve,
    )
    worse, better = sorted((v1, v2), reverse=lower)
    low, high = curve_payout(m, worse), curve_payout(m, better)
    assert D(0) <= low <= high <= D("900.00")
