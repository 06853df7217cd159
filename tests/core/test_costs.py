"""compute_costs: the worked examples C-a to C-f, and whole closes worked by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from partnerclose.core.cost_model import CostResult, CostState
from partnerclose.core.costs import compute_costs
from partnerclose.core.lines import Component
from partnerclose.core.problems import Severity
from partnerclose.core.records import HOST, Basis, Loc, Pool
from tests.core.factories_costs import (
    OCT,
    amounts,
    commit,
    contribution,
    lines_of,
    partner,
    pool,
    program,
    tier,
    use,
)

COST, GUARD = Component.COST_SHARE, Component.GUARDRAIL

CRM = pool("CRM", "12000.00", Basis.USAGE)
CRM_ROWS = [
    commit("HOST", "CRM", "600"),
    commit("P001", "CRM", "350"),
    commit("P002", "CRM", "400"),
]
CRM_USE = [use("HOST", "CRM", "500"), use("P001", "CRM", "300"), use("P002", "CRM", "200")]
CRM_TIER = tier("CRM", "0.8", "0.9")

DATA_ROWS = [
    commit("HOST", "DATA", "600"),
    commit("P001", "DATA", "300"),
    commit("P002", "DATA", "100"),
]
DATA_USE = [use("HOST", "DATA", "1000"), use("P001", "DATA", "1000"), use("P002", "DATA", "2000")]


def pool_lines_total(result: CostResult, pool_id: str) -> D:
    """Σ cost_share + guardrail lines of one pool over all participants (N1)."""
    return sum(
        (
            x.amount
            for x in result.lines
            if (x.component is COST and x.item.split(":")[0] == pool_id)
            or (x.component is GUARD and x.item == pool_id)
        ),
        D(0),
    )


# --- worked examples of rules.md ------------------------------------------------------


def test_example_c_a_usage_with_tier_factor() -> None:
    prog = program([CRM], CRM_ROWS, tiers=[CRM_TIER])
    result = compute_costs(prog, OCT, CRM_USE, CostState())
    # Weights 500 (HOST, no tier), 300 × 0.9 = 270, 200 × 1 = 200; total 970.
    assert amounts(result, COST) == {
        HOST: D("-6185.57"),
        "P001": D("-3340.20"),
        "P002": D("-2474.23"),
    }
    (p001,) = lines_of(result, "P001", COST)
    assert (p001.item, p001.quantity, p001.rate, p001.rule) == (
        "CRM",
        D(300),
        D(270) / D(970),
        "C4",
    )
    assert "usage basis" in p001.description
    assert "tier factor 0.9" in p001.description
    detail = result.pools[0].participants[1]
    assert (detail.utilization, detail.tier_factor, detail.parts[0].weight) == (
        D(300) / D(350),
        D("0.9"),
        D("270.0"),
    )


def test_example_c_b_hybrid_gives_two_lines() -> None:
    data = pool("DATA", "20000.00", Basis.HYBRID, base_share="0.6")
    result = compute_costs(program([data], DATA_ROWS), OCT, DATA_USE, CostState())
    # Base 12,000.00 by capacity 600/300/100; variable 8,000.00 by usage 1,000/1,000/2,000.
    assert amounts(result, COST, "DATA:base") == {
        HOST: D("-7200.00"),
        "P001": D("-3600.00"),
        "P002": D("-1200.00"),
    }
    assert amounts(result, COST, "DATA:usage") == {
        HOST: D("-2000.00"),
        "P001": D("-2000.00"),
        "P002": D("-4000.00"),
    }
    assert amounts(result, COST) == {
        HOST: D("-9200.00"),
        "P001": D("-5600.00"),
        "P002": D("-5200.00"),
    }
    assert [(s.part, s.amount) for s in result.pools[0].splits] == [
        ("base", D("12000.00")),
        ("usage", D("8000.00")),
    ]


def test_example_c_c_reserve_cushion() -> None:
    office = pool("OFFICE", "9000.00", Basis.EQUAL, budget="8000.00")
    prog = program(
        [office], [commit(p, "OFFICE") for p in (HOST, "P001", "P002")], opening="10000.00"
    )
    result = compute_costs(prog, OCT, [], CostState())
    assert amounts(result, COST) == {
        HOST: D("-2666.67"),
        "P001": D("-2666.67"),
        "P002": D("-2666.66"),
    }
    detail = result.pools[0]
    assert (detail.draw, detail.allocable) == (D("1000.00"), D("8000.00"))
    assert result.reserve.after_draws == D("9000.00")
    assert result.reserve.closing == D("9000.00")
    assert all(x.status == "reserve cushion of 1000.00 drawn" for x in result.lines)
    assert pool_lines_total(result, "OFFICE") == D("-8000.00")


def test_example_c_d_guardrail_on_a_hybrid_pool_total() -> None:
    data = pool("DATA", "20000.00", Basis.HYBRID, base_share="0.6", max_change_pct="0.25")
    state = CostState(allocations={("P002", "DATA"): D("4000.00")})
    result = compute_costs(program([data], DATA_ROWS), OCT, DATA_USE, state)
    # P002 computed 1,200.00 + 4,000.00 = 5,200.00, band [3,000.00, 5,000.00]: held down 200.00.
    assert amounts(result, GUARD) == {HOST: D("-200.00"), "P002": D("200.00")}
    (line,) = lines_of(result, "P002", GUARD)
    assert (line.item, line.quantity, line.rate, line.status, line.rule) == (
        "DATA",
        D("4000.00"),
        D("0.25"),
        "held down",
        "C6",
    )
    assert result.next_state.allocations[("P002", "DATA")] == D("5000.00")
    assert result.next_state.allocations[(HOST, "DATA")] == D("9400.00")
    assert pool_lines_total(result, "DATA") == D("-20000.00")


def test_example_c_e_in_kind_credit() -> None:
    prog = program(
        [CRM],
        CRM_ROWS,
        tiers=[CRM_TIER],
        contributions=[
            contribution(
                "P001", "1000.00", pool_id="CRM", description="data access", max_credit_pct="0.25"
            )
        ],
    )
    result = compute_costs(prog, OCT, CRM_USE, CostState())
    (line,) = lines_of(result, "P001", Component.IN_KIND_CREDIT)
    # Cap 0.25 × 3,340.20 = 835.05 < 1 × 1,000.00.
    assert (line.item, line.amount, line.rule) == ("data access", D("835.05"), "C7")
    assert line.status == "capped at 25 % of the allocation"
    # The host bears it: no other line; the pool still reconciles without the credit (N1).
    assert amounts(result, Component.IN_KIND_CREDIT) == {"P001": D("835.05")}
    assert pool_lines_total(result, "CRM") == D("-12000.00")
    assert result.pools[0].participants[1].in_kind_credit == D("835.05")


def test_example_c_f_reserve_contributions() -> None:
    crm_rows = [
        commit("HOST", "CRM", "600"),
        commit("P001", "CRM", "350", standalone="5000.00"),
        commit("P002", "CRM", "400"),
    ]
    prog = program(
        [CRM], crm_rows, tiers=[CRM_TIER], fixed_contribution="250.00", savings_pct="0.10"
    )
    result = compute_costs(prog, OCT, CRM_USE, CostState())
    # P001: 5,000.00 − 3,340.20 = 1,659.80 saved -> 250.00 + 165.98. P002: 250.00. HOST: none.
    assert amounts(result, Component.RESERVE_CONTRIBUTION) == {
        "P001": D("-415.98"),
        "P002": D("-250.00"),
    }
    assert dict(result.savings) == {"P001": D("1659.80")}
    assert result.reserve.closing == D("665.98")
    assert dict(result.contributions_to_date) == {"P001": D("415.98"), "P002": D("250.00")}
    assert dict(result.equity) == {"P001": D("415.98"), "P002": D("250.00")}
    assert result.next_state.reserve_balance == D("665.98")


# --- closes worked by hand ---------------------------------------------------------


def test_all_zero_usage_falls_back_with_a_warning_naming_the_pool() -> None:
    where = Loc("program.xlsx", "CostPools", 4, {"basis": "E"})
    seats = Pool("SEATS", "Seats", D("100.00"), Basis.USAGE, loc=where)
    rows = [commit("HOST", "SEATS", "3"), commit("P001", "SEATS", "1")]
    result = compute_costs(program([seats], rows), OCT, [], CostState())
    # No usage: split by capacity 3 : 1 -> 75.00 / 25.00.
    assert amounts(result, COST) == {HOST: D("-75.00"), "P001": D("-25.00")}
    (warning,) = result.problems
    assert warning.severity is Severity.WARNING
    assert "SEATS" in warning.message
    assert (warning.file, warning.sheet, warning.cell) == ("program.xlsx", "CostPools", "E4")
    assert "split by capacity" in lines_of(result, "P001", COST)[0].description


def test_guardrail_held_up_and_offset_by_a_host_without_a_commitment_row() -> None:
    # P001 and P002 capacity 1 each: 500.00 / 500.00 of 1,000.00.
    # P001 had 600.00, g 0.1 -> [540.00, 660.00]: held up at 540.00 (line −40.00).
    # P002 had 400.00 -> [360.00, 440.00]: held down at 440.00 (line +60.00).
    # HOST (no row) takes −(−40.00 + 60.00) = −20.00.
    cap = pool("CAP", "1000.00", Basis.CAPACITY, max_change_pct="0.1")
    state = CostState(allocations={("P001", "CAP"): D("600.00"), ("P002", "CAP"): D("400.00")})
    rows = [commit("P001", "CAP", "1"), commit("P002", "CAP", "1")]
    result = compute_costs(program([cap], rows), OCT, [], state)
    assert amounts(result, GUARD) == {HOST: D("-20.00"), "P001": D("-40.00"), "P002": D("60.00")}
    (host_line,) = lines_of(result, HOST, GUARD)
    assert host_line.status == "host is not a participant of the pool"
    host = result.pools[0].participants[0]
    assert (host.partner_id, host.committed, host.allocation_after_guardrail) == (
        HOST,
        False,
        D("20.00"),
    )
    assert pool_lines_total(result, "CAP") == D("-1000.00")


def test_exit_month_wind_down_and_active_partners_in_one_close() -> None:
    # P001 exits in October (fee 500.00); P002 exited in September with W = 3 (k = 1, 3/4);
    # P003 is active; P004 exited in June with W = 1 (gone).
    partners = [
        partner("P001", exit_date=date(2026, 10, 15), wind_down_months=2, fee="500.00"),
        partner("P002", exit_date=date(2026, 9, 15), wind_down_months=3),
        partner("P003"),
        partner("P004", exit_date=date(2026, 6, 1), wind_down_months=1),
    ]
    eq = pool("EQ", "1000.00", Basis.EQUAL, max_change_pct="0.1")
    rows = [commit(p, "EQ") for p in (HOST, "P001", "P002", "P003", "P004")]
    prog = program([eq], rows, partners=partners, opening="1000.00", fixed_contribution="100.00")
    state = CostState(
        contributions_to_date={"P001": D("300.00"), "P002": D(0), "P003": D("200.00")},
        allocations={
            ("P001", "EQ"): D("200.00"),
            ("P002", "EQ"): D("100.00"),
            ("P003", "EQ"): D("200.00"),
        },
    )
    result = compute_costs(prog, OCT, [], state)
    # Equal weights 1 / 1 / 0.75 / 1 = 3.75: exact 266.666…, 266.666…, 200, 266.666…;
    # floors leave 2 cents, tied remainders go to the earlier: HOST, P001.
    assert amounts(result, COST) == {
        HOST: D("-266.67"),
        "P001": D("-266.67"),
        "P002": D("-200.00"),
        "P003": D("-266.66"),
    }
    # Only P003 is guarded: band [180.00, 220.00], held at 220.00: +46.66; HOST −46.66.
    # P001 (exit month) and P002 (wind-down) are outside the band but not guarded.
    assert amounts(result, GUARD) == {HOST: D("-46.66"), "P003": D("46.66")}
    # Reserve: 1,000.00 + P003's 100.00 = 1,100.00. Cumulative P001 300, P003 300: 600.
    # P001's refund 1,100 × 300/600 = 550.00. Closing 550.00, all P003's.
    assert amounts(result, Component.RESERVE_CONTRIBUTION) == {"P003": D("-100.00")}
    assert amounts(result, Component.RESERVE_REFUND) == {"P001": D("550.00")}
    assert amounts(result, Component.WIND_DOWN_FEE) == {"P001": D("-500.00")}
    (refund,) = lines_of(result, "P001", Component.RESERVE_REFUND)
    assert (refund.item, refund.quantity, refund.rate, refund.rule) == (
        "",
        D("300.00"),
        D("0.5"),
        "C9",
    )
    assert (result.reserve.contributions, result.reserve.refunds, result.reserve.closing) == (
        D("100.00"),
        D("550.00"),
        D("550.00"),
    )
    assert dict(result.next_state.contributions_to_date) == {
        "P001": D(0),
        "P002": D(0),
        "P003": D("300.00"),
    }
    assert dict(result.equity) == {"P001": 0, "P002": 0, "P003": D("550.00")}
    assert not [x for x in result.lines if x.partner_id == "P004"]
    assert pool_lines_total(result, "EQ") == D("-1000.00")


def test_contributions_hitting_the_reserve_cap() -> None:
    crm_rows = [
        commit("HOST", "CRM", "600"),
        commit("P001", "CRM", "350", standalone="5000.00"),
        commit("P002", "CRM", "400"),
    ]
    prog = program(
        [CRM],
        crm_rows,
        tiers=[CRM_TIER],
        fixed_contribution="250.00",
        savings_pct="0.10",
        cap="10000.00",
    )
    result = compute_costs(prog, OCT, CRM_USE, CostState(reserve_balance=D("9800.00")))
    # Asked 415.98 + 250.00 = 665.98; only 10,000.00 − 9,800.00 = 200.00 fits:
    # 124.9226… / 75.0773… -> 124.92 / 75.08 (the last cent to the larger remainder).
    assert amounts(result, Component.RESERVE_CONTRIBUTION) == {
        "P001": D("-124.92"),
        "P002": D("-75.08"),
    }
    assert lines_of(result, "P001", Component.RESERVE_CONTRIBUTION)[0].status == (
        "scaled down from 415.98 to fit the reserve cap"
    )
    assert result.reserve.closing == D("10000.00")


def test_fixed_pool_host_takes_what_wind_down_frees() -> None:
    # P001 (share 0.4) in wind-down W = 1, k = 1: weight 0.2; HOST 0.6 + freed 0.2 = 0.8.
    fx = pool("FX", "500.00", Basis.FIXED)
    rows = [commit("HOST", "FX", share="0.6"), commit("P001", "FX", share="0.4")]
    prog = program(
        [fx], rows, partners=[partner("P001", exit_date=date(2026, 9, 1), wind_down_months=1)]
    )
    result = compute_costs(prog, OCT, [], CostState())
    assert amounts(result, COST) == {HOST: D("-400.00"), "P001": D("-100.00")}
    host_line, p001_line = (x for x in result.lines if x.component is COST)
    assert (host_line.quantity, host_line.rate) == (D("0.6"), D("0.8"))
    assert (p001_line.quantity, p001_line.rate) == (D("0.4"), D("0.2"))
    assert "freed" in host_line.description
    assert "wind-down factor 0.5" in p001_line.description


def test_pool_without_participants_is_carried_by_host_with_a_warning() -> None:
    lonely = pool("LONELY", "300.00", Basis.USAGE)
    result = compute_costs(program([lonely], []), OCT, [], CostState())
    assert amounts(result, COST) == {HOST: D("-300.00")}
    (warning,) = result.problems
    assert "LONELY has no participant" in warning.message


def test_total_credit_cap_against_all_pools() -> None:
    # P001: CRM 3,340.20 (C-a) + OFFICE 1,000.00 (equal, 2 participants of 2,000.00) = 4,340.20.
    # Total credit at most 10 % = 434.02 of a 600.00 contribution.
    office = pool("OFFICE", "2000.00", Basis.EQUAL)
    prog = program(
        [CRM, office],
        [*CRM_ROWS, commit("HOST", "OFFICE"), commit("P001", "OFFICE")],
        tiers=[CRM_TIER],
        contributions=[contribution("P001", "600.00", max_credit_pct="0.1")],
    )
    result = compute_costs(prog, OCT, CRM_USE, CostState())
    assert amounts(result, Component.IN_KIND_CREDIT) == {"P001": D("434.02")}
    (line,) = lines_of(result, "P001", Component.IN_KIND_CREDIT)
    assert line.item == "in-kind"


def test_next_state_feeds_the_next_close() -> None:
    # October: P001 and P002 split 1,000.00 by usage 1 : 1 -> 500.00 each.
    # November: usage 1 : 3 would give 250.00 / 750.00; g 0.2 -> band [400.00, 600.00]:
    # P001 held up at 400.00 (line −150.00), P002 held down at 600.00 (line +150.00);
    # HOST (no row) takes −(−150.00 + 150.00) = 0.00.
    use_pool = pool("U", "1000.00", Basis.USAGE, max_change_pct="0.2")
    rows = [commit("P001", "U"), commit("P002", "U")]
    prog = program([use_pool], rows, opening="50.00")
    october = compute_costs(prog, OCT, [use("P001", "U", "1"), use("P002", "U", "1")], CostState())
    assert not [x for x in october.lines if x.component is GUARD]
    assert october.next_state.reserve_balance == D("50.00")
    november = compute_costs(
        prog, OCT.shift(1), [use("P001", "U", "1"), use("P002", "U", "3")], october.next_state
    )
    assert amounts(november, GUARD) == {HOST: D("0.00"), "P001": D("-150.00"), "P002": D("150.00")}
    assert november.reserve.opening == D("50.00")
    assert dict(november.next_state.allocations) == {
        (HOST, "U"): D("0.00"),
        ("P001", "U"): D("400.00"),
        ("P002", "U"): D("600.00"),
    }


def test_partner_inside_the_band_gets_no_line_but_the_detail_shows_its_band() -> None:
    # 500.00 each; P001 had 480.00, g 0.1 -> [432.00, 528.00]: 500.00 is inside.
    cap = pool("CAP", "1000.00", Basis.CAPACITY, max_change_pct="0.1")
    rows = [commit("P001", "CAP", "1"), commit("P002", "CAP", "1")]
    state = CostState(allocations={("P001", "CAP"): D("480.00")})
    result = compute_costs(program([cap], rows), OCT, [], state)
    assert not [x for x in result.lines if x.component is GUARD]
    p001 = result.pools[0].participants[0]
    assert (p001.partner_id, p001.previous_allocation, p001.band, p001.guardrail) == (
        "P001",
        D("480.00"),
        (D("432.00"), D("528.00")),
        D(0),
    )


def test_second_credit_against_the_same_pool_gets_only_what_is_left() -> None:
    # P001's CRM allocation is 3,340.20 (C-a): 3,000.00, then only 340.20 of another 3,000.00.
    prog = program(
        [CRM],
        CRM_ROWS,
        tiers=[CRM_TIER],
        contributions=[
            contribution("P001", "3000.00", pool_id="CRM", description="leads"),
            contribution("P001", "3000.00", pool_id="CRM", description="leads"),
        ],
    )
    result = compute_costs(prog, OCT, CRM_USE, CostState())
    first, second = lines_of(result, "P001", Component.IN_KIND_CREDIT)
    assert (first.item, first.amount, first.status) == ("leads", D("3000.00"), "")
    assert (second.item, second.amount, second.status) == (
        "leads (2)",
        D("340.20"),
        "limited by earlier credits against the same allocation",
    )
