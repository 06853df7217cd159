"""Brackets: which rate a YTD volume has reached, and how a deal splits at thresholds."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from partnerclose.core.records import DealType, RevenueTier
from partnerclose.core.revenue_brackets import (
    Bracket,
    bracket_table,
    marginal_parts,
    marginal_parts_on,
    rate_at,
    scale_of,
)
from partnerclose.core.revenue_model import BracketPart

D = Decimal  # short for literals

# Gold sourced of Example R-a: from 0 -> 10 %, from 100,000 -> 15 %, from 250,000 -> 20 %
GOLD = (Bracket(D(0), D("0.10")), Bracket(D(100000), D("0.15")), Bracket(D(250000), D("0.20")))


def test_a_threshold_counts_as_reached() -> None:
    assert rate_at(GOLD, D("99999.99")) == D("0.10")
    assert rate_at(GOLD, D("100000")) == D("0.15")
    assert rate_at(GOLD, D("250000")) == D("0.20")
    assert rate_at(GOLD, D("9999999")) == D("0.20")


def test_no_brackets_pay_nothing() -> None:
    assert rate_at((), D(5)) == D(0)
    assert marginal_parts((), D(10), D(5)) == (BracketPart(D(10), D(15), D(0)),)


def test_two_brackets() -> None:
    # [90,000, 120,000): 10,000 at 10 %, 20,000 at 15 %
    assert marginal_parts(GOLD, D(90000), D(30000)) == (
        BracketPart(D(90000), D(100000), D("0.10")),
        BracketPart(D(100000), D(120000), D("0.15")),
    )


def test_three_brackets() -> None:
    # [90,000, 290,000): 10,000 at 10 %, 150,000 at 15 %, 40,000 at 20 %
    parts = marginal_parts(GOLD, D(90000), D(200000))
    assert [(p.amount, p.rate) for p in parts] == [
        (D(10000), D("0.10")),
        (D(150000), D("0.15")),
        (D(40000), D("0.20")),
    ]


def test_a_deal_starting_on_a_threshold_is_all_in_the_higher_bracket() -> None:
    assert marginal_parts(GOLD, D(100000), D(5000)) == (
        BracketPart(D(100000), D(105000), D("0.15")),
    )


def test_a_deal_ending_on_a_threshold_is_all_in_the_lower_bracket() -> None:
    assert marginal_parts(GOLD, D(90000), D(10000)) == (
        BracketPart(D(90000), D(100000), D("0.10")),
    )


def test_a_zero_amount_has_no_parts() -> None:
    assert marginal_parts(GOLD, D(100000), D(0)) == ()


def test_volume_below_a_missing_zero_bracket_is_paid_at_zero() -> None:
    brackets = (Bracket(D(100), D("0.5")),)
    assert marginal_parts(brackets, D(50), D(100)) == (
        BracketPart(D(50), D(100), D(0)),
        BracketPart(D(100), D(150), D("0.5")),
    )


def test_bracket_table_sorts_tiers_whatever_the_row_order() -> None:
    rows = [
        RevenueTier("Gold", DealType.SOURCED, D(250000), D("0.20")),
        RevenueTier("Gold", DealType.INFLUENCED, D(0), D("0.03")),
        RevenueTier("Gold", DealType.SOURCED, D(0), D("0.10")),
        RevenueTier("Gold", DealType.SOURCED, D(100000), D("0.15")),
    ]
    table = bracket_table(rows)
    assert table[("Gold", DealType.SOURCED)] == GOLD
    assert table[("Gold", DealType.INFLUENCED)] == (Bracket(D(0), D("0.03")),)
    assert bracket_table(reversed(rows)) == table


def test_a_deal_within_a_bracket_after_a_duplicate_threshold() -> None:
    # Two tiers start at 100,000 (sorted on rate: 0.15 then 0.18); the later one
    # is in force above it, so [150,000, 160,000) is one part at 18 %.
    brackets = (
        Bracket(D(0), D("0.10")),
        Bracket(D(100000), D("0.15")),
        Bracket(D(100000), D("0.18")),
    )
    assert marginal_parts(brackets, D(150000), D(10000)) == (
        BracketPart(D(150000), D(160000), D("0.18")),
    )
    # [50,000, 60,000) lies in the first bracket: 10 %
    assert marginal_parts(brackets, D(50000), D(10000)) == (
        BracketPart(D(50000), D(60000), D("0.10")),
    )


def test_a_deal_within_the_last_bracket() -> None:
    # [300,000, 310,000): all above the 250,000 threshold, at 20 %
    assert marginal_parts(GOLD, D(300000), D(10000)) == (
        BracketPart(D(300000), D(310000), D("0.20")),
    )


def test_a_scale_places_a_deal_like_marginal_parts() -> None:
    # [90,000, 100,000) lies in the first bracket (one part at 10 %); [90,000,
    # 120,000) crosses the 100,000 threshold (two parts, as test_two_brackets).
    scale = scale_of(GOLD)
    assert marginal_parts_on(scale, D(90000), D(10000)) == (
        BracketPart(D(90000), D(100000), D("0.10")),
    )
    assert marginal_parts_on(scale, D(90000), D(30000)) == marginal_parts(GOLD, D(90000), D(30000))
    assert marginal_parts_on(scale, D(5), D(0)) == ()


_amounts = st.decimals(min_value=0, max_value=400000, places=2)
_brackets = st.lists(
    st.builds(Bracket, _amounts, st.sampled_from([D("0.05"), D("0.10"), D("0.15")])), max_size=4
).map(lambda rows: tuple(sorted(rows, key=lambda b: (b.start, b.rate))))


@given(_brackets, _amounts, _amounts)
def test_a_scale_gives_exactly_what_marginal_parts_gives(
    brackets: tuple[Bracket, ...], start: Decimal, amount: Decimal
) -> None:
    # Compared as reprs too: the same Decimals, exponents included.
    expected = marginal_parts(brackets, start, amount)
    found = marginal_parts_on(scale_of(brackets), start, amount)
    assert found == expected
    assert repr(found) == repr(expected)
