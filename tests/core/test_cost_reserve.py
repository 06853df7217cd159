"""C5, C8, C9: cushion draws, contributions and the cap, refunds and equity."""

from __future__ import annotations

from decimal import Decimal as D

from partnerclose.core.cost_reserve import (
    asked_contribution,
    cushion_draws,
    fit_to_cap,
    savings,
    settle_reserve,
)
from partnerclose.core.records import Basis, Settings
from tests.core.factories_costs import pool

SETTINGS = Settings(
    program_name="Test",
    reserve_fixed_contribution=D("250.00"),
    reserve_savings_pct=D("0.10"),
)


def test_example_c_c_draw() -> None:
    # OFFICE 9,000.00 over a budget of 8,000.00: shock 1,000.00, all drawn from 10,000.00.
    assert cushion_draws([pool("OFFICE", "9000.00", Basis.EQUAL, budget="8000.00")], D(10000)) == {
        "OFFICE": D("1000.00")
    }


def test_draws_go_in_pool_id_order_until_the_reserve_is_empty() -> None:
    # Balance 1,500.00. A: shock 1,000.00 -> draws 1,000.00; B: shock 1,000.00 -> 500.00 left.
    # C: under budget -> 0. D: no budget -> no draw at all.
    pools = [
        pool("D", "9000.00", Basis.EQUAL),
        pool("C", "100.00", Basis.EQUAL, budget="200.00"),
        pool("B", "3000.00", Basis.EQUAL, budget="2000.00"),
        pool("A", "2000.00", Basis.EQUAL, budget="1000.00"),
    ]
    assert cushion_draws(pools, D("1500.00")) == {"A": D("1000.00"), "B": D("500.00"), "C": 0}


def test_example_c_f_contributions() -> None:
    # P001 saves 5,000.00 − 3,340.20 = 1,659.80: 250.00 + round(165.98) = 415.98.
    p001 = savings([(D("5000.00"), D("3340.20"))])
    assert p001 == D("1659.80")
    assert asked_contribution(p001, SETTINGS) == D("415.98")
    # P002 has no standalone cost: the fixed 250.00 only.
    assert savings([]) is None
    assert asked_contribution(None, SETTINGS) == D("250.00")


def test_negative_savings_add_nothing() -> None:
    # 1,000.00 − 1,500.00 = −500.00 -> max(0, −500.00) = 0.
    assert asked_contribution(savings([(D("1000.00"), D("1500.00"))]), SETTINGS) == D("250.00")


def test_savings_percentage_is_rounded_once() -> None:
    # 10 % of 100.05 = 10.005 -> 10.01.
    assert asked_contribution(D("100.05"), SETTINGS) == D("260.01")


def test_contributions_scaled_down_together_to_fit_the_cap() -> None:
    # 9,800.00 after draws, cap 10,000.00: only 200.00 fits of 665.98 asked.
    # 200 × 415.98/665.98 = 124.9226…, 200 × 250/665.98 = 75.0773…: floors 124.92 + 75.07,
    # the last cent to the larger remainder (P002).
    asked = {"P002": D("250.00"), "P001": D("415.98")}
    assert fit_to_cap(asked, D("9800.00"), D("10000.00"), 2) == {
        "P001": D("124.92"),
        "P002": D("75.08"),
    }


def test_contributions_within_the_cap_are_not_scaled() -> None:
    asked = {"P001": D("415.98")}
    assert fit_to_cap(asked, D("9000.00"), D("10000.00"), 2) == asked
    assert fit_to_cap(asked, D("9999999"), None, 2) == asked


def test_reserve_already_above_the_cap_takes_nothing() -> None:
    assert fit_to_cap({"P001": D("100.00")}, D("12000.00"), D("10000.00"), 2) == {"P001": 0}


def test_equity_is_balance_times_the_share_of_cumulative_contributions() -> None:
    # Balance 5,000.00; cumulative 600 : 400 -> equity 3,000.00 / 2,000.00.
    movement, accounts = settle_reserve(
        D("5000.00"), D(0), {}, (), {"P001": D(600), "P002": D(400)}, None, 2
    )
    assert movement.closing == D("5000.00")
    assert [(a.partner_id, a.equity) for a in accounts] == [
        ("P001", D("3000.00")),
        ("P002", D("2000.00")),
    ]


def test_exit_refund_on_the_balance_after_draws_and_contributions() -> None:
    # Opening 5,000.00 − draws 1,000.00 + P002's 100.00 = 4,100.00.
    # Cumulative P001 600.00, P002 400.00 + 100.00 = 500.00: 1,100.00.
    # P001 exits: 4,100 × 600/1,100 = 2,236.3636… -> refund 2,236.36.
    # Closing 4,100.00 − 2,236.36 = 1,863.64, all of it P002's equity.
    movement, accounts = settle_reserve(
        D("5000.00"),
        D("1000.00"),
        {"P002": D("100.00")},
        {"P001"},
        {"P001": D("600.00"), "P002": D("400.00")},
        None,
        2,
    )
    p001, p002 = accounts
    assert (p001.refund, p001.contributions_to_date, p001.equity) == (D("2236.36"), D(0), D(0))
    assert p001.refund_share == D(600) / D(1100)
    assert (p002.contribution, p002.contributions_to_date, p002.equity) == (
        D("100.00"),
        D("500.00"),
        D("1863.64"),
    )
    assert (movement.after_draws, movement.contributions, movement.refunds, movement.closing) == (
        D("4000.00"),
        D("100.00"),
        D("2236.36"),
        D("1863.64"),
    )


def test_two_exits_never_overdraw_the_reserve() -> None:
    # Balance 0.01, two equal holders: each equity 0.005 rounds to 0.01, but only 0.01 exists.
    movement, accounts = settle_reserve(
        D("0.01"), D(0), {}, {"P001", "P002"}, {"P001": D(1), "P002": D(1)}, None, 2
    )
    assert [a.refund for a in accounts] == [D("0.01"), 0]
    assert movement.closing == 0


def test_nobody_has_contributed_nobody_has_equity() -> None:
    movement, accounts = settle_reserve(D("100.00"), D(0), {}, {"P001"}, {}, None, 2)
    assert [(a.refund, a.equity) for a in accounts] == [(D(0), D(0))]
    assert movement.closing == D("100.00")
