"""C1–C4: participants, weights by basis, tier factors, the split and its fallback."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from partnerclose.core.cost_split import (
    Driver,
    Split,
    pool_drivers,
    split_by,
    split_pool,
    tier_factor,
    utilization,
)
from partnerclose.core.participation import Participation, participation
from partnerclose.core.records import HOST, Basis, Partner
from tests.core.factories_costs import OCT, commit, partner, pool, tier


def stages(*partners: Partner) -> dict[str, Participation]:
    return {p.partner_id: participation(p, OCT) for p in partners}


def amounts_of(split: Split) -> dict[str, D]:
    return {s.partner_id: s.amount for s in split.shares}


# --- C3 tier factors -------------------------------------------------------------

TIERS = (tier("CRM", "0.5", "0.95"), tier("CRM", "0.8", "0.9"))


@pytest.mark.parametrize(
    ("ratio", "factor"),
    [
        ("0.4", "1"),  # below every tier
        ("0.5", "0.95"),  # a tier starts at its min_utilization
        ("0.79", "0.95"),
        ("0.8", "0.9"),
        ("0.857", "0.9"),  # the highest tier reached wins
    ],
)
def test_tier_factor_is_that_of_the_highest_tier_reached(ratio: str, factor: str) -> None:
    assert tier_factor(D(ratio), reversed(TIERS)) == D(factor)


def test_utilization_is_zero_without_capacity() -> None:
    assert utilization(D(300), D(0)) == 0
    assert utilization(D(300), D(400)) == D("0.75")


def test_tier_factor_never_applies_to_host() -> None:
    # HOST 500/600 = 0.833 and P001 300/350 = 0.857 both reach the 0.8 tier.
    crm = pool("CRM", "12000.00", Basis.USAGE)
    drivers = pool_drivers(
        crm,
        [commit("HOST", "CRM", "600"), commit("P001", "CRM", "350")],
        {"HOST": D(500), "P001": D(300)},
        TIERS,
        stages(partner("P001")),
    )
    assert [(d.partner_id, d.tier_factor) for d in drivers] == [(HOST, 1), ("P001", D("0.9"))]


def test_tier_factor_scales_capacity_weights() -> None:
    # P001 uses 90 of 100 (0.9 -> factor 0.9): weight 100 × 0.9 = 90; HOST 110.
    # 2,000.00 × 90/200 = 900.00, HOST 1,100.00.
    cap = pool("CAP", "2000.00", Basis.CAPACITY)
    drivers = pool_drivers(
        cap,
        [commit("HOST", "CAP", "110"), commit("P001", "CAP", "100")],
        {"P001": D(90)},
        (tier("CAP", "0.8", "0.9"),),
        stages(partner("P001")),
    )
    got = split_pool(cap, D("2000.00"), drivers, 2)[0]
    assert amounts_of(got) == {HOST: D("1100.00"), "P001": D("900.00")}


# --- C1 participants and C2 weights by basis ---------------------------------------


def test_partner_not_started_or_without_commitment_does_not_take_part() -> None:
    later = partner("P002", start_date=date(2026, 11, 1))
    eq = pool("EQ", "900.00", Basis.EQUAL)
    drivers = pool_drivers(
        eq,
        [commit("HOST", "EQ"), commit("P001", "EQ"), commit("P002", "EQ")],
        {},
        (),
        stages(partner("P001"), later, partner("P003")),
    )
    assert [d.partner_id for d in drivers] == [HOST, "P001"]


@pytest.mark.parametrize(
    ("wind_down_months", "exit_month", "factor", "p001_pays"),
    [
        # 1,000.00 split HOST 1 : P001 f, so P001 pays 1,000 × f ÷ (1 + f).
        (0, date(2026, 10, 5), D(1), D("500.00")),  # W = 0, exit month: full weight
        (1, date(2026, 9, 5), D("0.5"), D("333.33")),  # W = 1, k = 1: 1/2; 500/1.5
        (3, date(2026, 10, 5), D(1), D("500.00")),  # W = 3, k = 0
        (3, date(2026, 9, 5), D("0.75"), D("428.57")),  # k = 1: 3/4; 750/1.75 = 428.571…
        (3, date(2026, 8, 5), D("0.5"), D("333.33")),  # k = 2: 2/4
        (3, date(2026, 7, 5), D("0.25"), D("200.00")),  # k = 3: 1/4; 250/1.25
    ],
)
def test_equal_weights_follow_the_wind_down_factor(
    wind_down_months: int, exit_month: date, factor: D, p001_pays: D
) -> None:
    leaving = partner("P001", exit_date=exit_month, wind_down_months=wind_down_months)
    eq = pool("EQ", "1000.00", Basis.EQUAL)
    drivers = pool_drivers(
        eq, [commit("HOST", "EQ"), commit("P001", "EQ")], {}, (), stages(leaving)
    )
    got = split_pool(eq, D("1000.00"), drivers, 2)[0]
    assert [s.weight for s in got.shares] == [1, factor]
    assert amounts_of(got) == {HOST: D("1000.00") - p001_pays, "P001": p001_pays}


@pytest.mark.parametrize(
    ("wind_down_months", "exit_month"),
    [(0, date(2026, 9, 5)), (1, date(2026, 8, 5)), (3, date(2026, 6, 5))],
)
def test_partner_past_its_wind_down_does_not_take_part(
    wind_down_months: int, exit_month: date
) -> None:
    gone = partner("P001", exit_date=exit_month, wind_down_months=wind_down_months)
    eq = pool("EQ", "1000.00", Basis.EQUAL)
    drivers = pool_drivers(eq, [commit("HOST", "EQ"), commit("P001", "EQ")], {}, (), stages(gone))
    assert [d.partner_id for d in drivers] == [HOST]


def test_equal_split_with_half_wind_down() -> None:
    # W = 1, k = 1 -> factor 1/2. Weights 1 / 0.5 / 1 = 2.5.
    # 1,000.00 × 1/2.5 = 400.00; × 0.5/2.5 = 200.00; × 1/2.5 = 400.00.
    p1 = partner("P001", exit_date=date(2026, 9, 30), wind_down_months=1)
    eq = pool("EQ", "1000.00", Basis.EQUAL)
    drivers = pool_drivers(
        eq,
        [commit("HOST", "EQ"), commit("P001", "EQ"), commit("P002", "EQ")],
        {},
        (),
        stages(p1, partner("P002")),
    )
    got = split_pool(eq, D("1000.00"), drivers, 2)[0]
    assert amounts_of(got) == {HOST: D("400.00"), "P001": D("200.00"), "P002": D("400.00")}
    assert [s.driver_quantity for s in got.shares] == [1, 1, 1]


def test_capacity_weights_scale_with_wind_down() -> None:
    # W = 3, k = 1 -> 3/4. Weights HOST 100, P001 100 × 0.75 = 75, P002 200: total 375.
    # 9,000.00 × 100/375 = 2,400.00; × 75/375 = 1,800.00; × 200/375 = 4,800.00.
    p1 = partner("P001", exit_date=date(2026, 9, 1), wind_down_months=3)
    cap = pool("CAP", "9000.00", Basis.CAPACITY)
    drivers = pool_drivers(
        cap,
        [commit("HOST", "CAP", "100"), commit("P001", "CAP", "100"), commit("P002", "CAP", "200")],
        {},
        (),
        stages(p1, partner("P002")),
    )
    got = split_pool(cap, D("9000.00"), drivers, 2)[0]
    assert amounts_of(got) == {HOST: D("2400.00"), "P001": D("1800.00"), "P002": D("4800.00")}
    assert [s.driver_quantity for s in got.shares] == [100, 100, 200]


def test_usage_weights_ignore_wind_down() -> None:
    # Usage already shrinks when a partner winds down: weights are units × tier only.
    # 1,000.00 split 100 : 300 -> 250.00 / 750.00.
    p1 = partner("P001", exit_date=date(2026, 9, 1), wind_down_months=3)
    use_pool = pool("U", "1000.00", Basis.USAGE)
    drivers = pool_drivers(
        use_pool,
        [commit("HOST", "U"), commit("P001", "U")],
        {HOST: D(100), "P001": D(300)},
        (),
        stages(p1),
    )
    got = split_pool(use_pool, D("1000.00"), drivers, 2)[0]
    assert amounts_of(got) == {HOST: D("250.00"), "P001": D("750.00")}


def test_fixed_share_freed_by_wind_down_goes_to_host() -> None:
    # W = 3, k = 2 -> factor 1/2. Shares HOST 0.5, P001 0.3, P002 0.2.
    # P001 weight 0.3 × 0.5 = 0.15; the freed 0.15 goes to HOST: 0.65. Total 1.
    # 10,000.00 -> HOST 6,500.00, P001 1,500.00, P002 2,000.00.
    p1 = partner("P001", exit_date=date(2026, 8, 1), wind_down_months=3)
    fx = pool("FX", "10000.00", Basis.FIXED)
    drivers = pool_drivers(
        fx,
        [
            commit("HOST", "FX", share="0.5"),
            commit("P001", "FX", share="0.3"),
            commit("P002", "FX", share="0.2"),
        ],
        {},
        (),
        stages(p1, partner("P002")),
    )
    got = split_pool(fx, D("10000.00"), drivers, 2)[0]
    assert amounts_of(got) == {HOST: D("6500.00"), "P001": D("1500.00"), "P002": D("2000.00")}
    assert [s.driver_quantity for s in got.shares] == [D("0.5"), D("0.3"), D("0.2")]
    assert drivers[0].freed_share == D("0.15")


def test_fixed_share_freed_goes_to_host_without_a_commitment_row() -> None:
    # W = 1, k = 1 -> 1/2. P001 0.6 × 0.5 = 0.3, HOST (no row) gets the freed 0.3, P002 0.4.
    # 1,000.00 -> HOST 300.00, P001 300.00, P002 400.00.
    p1 = partner("P001", exit_date=date(2026, 9, 1), wind_down_months=1)
    fx = pool("FX", "1000.00", Basis.FIXED)
    drivers = pool_drivers(
        fx,
        [commit("P001", "FX", share="0.6"), commit("P002", "FX", share="0.4")],
        {},
        (),
        stages(p1, partner("P002")),
    )
    assert drivers[0] == Driver(HOST, freed_share=D("0.3"), committed=False)
    got = split_pool(fx, D("1000.00"), drivers, 2)[0]
    assert amounts_of(got) == {HOST: D("300.00"), "P001": D("300.00"), "P002": D("400.00")}


def test_fixed_share_of_a_partner_gone_goes_wholly_to_host() -> None:
    # P001 (0.5) is past its wind-down: its whole share is freed to HOST (0.2 + 0.5).
    gone = partner("P001", exit_date=date(2026, 5, 1), wind_down_months=1)
    fx = pool("FX", "1000.00", Basis.FIXED)
    drivers = pool_drivers(
        fx,
        [
            commit("HOST", "FX", share="0.2"),
            commit("P001", "FX", share="0.5"),
            commit("P002", "FX", share="0.3"),
        ],
        {},
        (),
        stages(gone, partner("P002")),
    )
    got = split_pool(fx, D("1000.00"), drivers, 2)[0]
    assert amounts_of(got) == {HOST: D("700.00"), "P002": D("300.00")}


# --- C4 the split, hybrids and the fallback -------------------------------------------


def test_shares_are_exact_weight_ratios() -> None:
    got = split_by(Basis.EQUAL, D("8000.00"), [Driver(HOST), Driver("P001"), Driver("P002")], 2)
    assert [s.amount for s in got.shares] == [D("2666.67"), D("2666.67"), D("2666.66")]
    assert all(s.share == D(1) / D(3) for s in got.shares)


def test_hybrid_base_is_rounded_and_the_usage_part_takes_the_rest() -> None:
    # 100.01 × 0.5 = 50.005 -> base 50.01 (half up); usage part 100.01 − 50.01 = 50.00.
    hy = pool("HY", "100.01", Basis.HYBRID, base_share="0.5")
    drivers = [Driver(HOST, usage=D(1), capacity=D(1)), Driver("P001", usage=D(1), capacity=D(1))]
    base, rest = split_pool(hy, D("100.01"), drivers, 2)
    assert (base.part, base.amount, rest.part, rest.amount) == (
        "base",
        D("50.01"),
        "usage",
        D("50.00"),
    )
    assert [s.amount for s in base.shares] == [D("25.01"), D("25.00")]  # tie -> HOST
    assert [s.amount for s in rest.shares] == [D("25.00"), D("25.00")]


def test_all_zero_usage_falls_back_to_capacity_then_to_equal() -> None:
    drivers = [Driver(HOST, capacity=D(3)), Driver("P001", capacity=D(1))]
    by_capacity = split_by(Basis.USAGE, D("100.00"), drivers, 2)
    # No usage: capacity 3 : 1 -> 75.00 / 25.00.
    assert by_capacity.used_basis is Basis.CAPACITY
    assert by_capacity.fell_back
    assert [s.amount for s in by_capacity.shares] == [D("75.00"), D("25.00")]
    nothing = [Driver(HOST), Driver("P001")]
    by_equal = split_by(Basis.USAGE, D("100.00"), nothing, 2)
    assert by_equal.used_basis is Basis.EQUAL
    assert [s.amount for s in by_equal.shares] == [D("50.00"), D("50.00")]


def test_usage_split_with_usage_does_not_fall_back() -> None:
    got = split_by(Basis.USAGE, D("100.00"), [Driver(HOST, usage=D(1)), Driver("P001")], 2)
    assert not got.fell_back
    assert [s.amount for s in got.shares] == [D("100.00"), D("0.00")]


def test_no_drivers_gives_no_shares() -> None:
    assert split_by(Basis.EQUAL, D("100.00"), [], 2).shares == ()
