from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from partnerclose.core.money import fmt_money, round_money, split


def test_exact_rate_rounds_half_up_where_a_float_would_not():
    assert round_money(D("1234.50") * D("0.03")) == D("37.04")


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [("2.675", 2, "2.68"), ("-2.675", 2, "-2.68"), ("0.5", 0, "1"), ("1.0049", 2, "1.00")],
)
def test_round_half_up_away_from_zero(value, decimals, expected):
    assert round_money(D(value), decimals) == D(expected)


def test_three_equal_parts_give_the_extra_cent_to_the_earlier():
    assert split(D("8000.00"), [D(1), D(1), D(1)]) == [D("2666.67"), D("2666.67"), D("2666.66")]


def test_example_c_a_largest_remainders():
    assert split(D("12000.00"), [D(500), D(270), D(200)]) == [
        D("6185.57"),
        D("3340.20"),
        D("2474.23"),
    ]


def test_negative_amount_splits_symmetrically():
    assert split(D("-10.00"), [D(1), D(1), D(1)]) == [D("-3.34"), D("-3.33"), D("-3.33")]


def test_zero_decimal_currency():
    assert split(D("100"), [D(1), D(1), D(1)], decimals=0) == [D(34), D(33), D(33)]


def test_fmt_money_has_exact_places():
    assert fmt_money(D("1234.5")) == "1234.50"
    assert fmt_money(D("-0.004")) == "0.00"  # never "-0.00"
    assert fmt_money(D("7"), 0) == "7"


cents = st.integers(min_value=0, max_value=10**12).map(lambda c: D(c) / 100)
weights = st.lists(
    st.integers(min_value=0, max_value=10**6).map(D), min_size=1, max_size=30
).filter(lambda ws: sum(ws) > 0)


@given(cents, weights)
def test_split_parts_sum_exactly_and_stay_within_a_cent(amount, ws):
    parts = split(amount, ws)
    assert sum(parts) == amount
    total = sum(ws)
    for part, w in zip(parts, ws, strict=True):
        assert abs(part - amount * w / total) < D("0.01")
