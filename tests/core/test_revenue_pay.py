"""Paying deals: brackets, thresholds, fiscal years, registration, rates (R2-R4)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from partnerclose.core.lines import Component
from partnerclose.core.period import Period
from partnerclose.core.problems import Severity
from partnerclose.core.records import (
    Deal,
    Mode,
    Plan,
)
from partnerclose.core.revenue import (
    TREATED_AS_INFLUENCED,
    RevenueResult,
    RevenueState,
)
from tests.core.factories_revenue import (
    CO_SELL,
    INFLUENCED,
    SOURCED,
    YTD_90K,
    amounts,
    gold,
    make_program,
    paid,
    run,
    state_of,
    the_line,
    tiers,
    won,
)

D = Decimal  # short for literals


# --- brackets, thresholds and the fiscal year (R3) ------------------------------


def test_deal_spanning_three_brackets() -> None:
    result = run([won("D1", date(2026, 10, 3), "200000.00")], state=YTD_90K)
    # [90,000, 290,000): 10,000 x 10 % + 150,000 x 15 % + 40,000 x 20 %
    #   = 1,000 + 22,500 + 8,000 = 31,500; effective rate 31,500 / 200,000
    line = the_line(result, Component.REVENUE_SHARE, "D1")
    assert (line.amount, line.rate) == (D("31500.00"), D("0.1575"))


def test_deal_ending_on_a_threshold_pays_the_lower_and_the_next_the_higher_bracket() -> None:
    deals = [
        won("D1", date(2026, 10, 3), "10000.00"),  # [90,000, 100,000) at 10 %
        won("D2", date(2026, 10, 4), "5000.00"),  # starts on 100,000: 15 %
    ]
    result = run(deals, state=YTD_90K)
    assert amounts(result, Component.REVENUE_SHARE) == {"D1": D("1000.00"), "D2": D("750.00")}


def test_deals_of_the_same_day_are_taken_in_deal_id_order() -> None:
    deals = [
        won("D9", date(2026, 10, 3), "5000.00"),  # second: [100,000, 105,000) at 15 %
        won("D10", date(2026, 10, 3), "10000.00"),  # "D10" < "D9": [90,000, 100,000) at 10 %
    ]
    result = run(deals, state=YTD_90K)
    assert amounts(result, Component.REVENUE_SHARE) == {"D10": D("1000.00"), "D9": D("750.00")}


APRIL_STATE = state_of(
    paid("D-03", date(2026, 3, 20), "150000.00", "17500.00"),
    paid("D-04", date(2026, 4, 10), "40000.00", "4000.00"),
)


def test_fiscal_year_starting_in_april_resets_the_ytd_volume() -> None:
    program = make_program(fiscal_year_start=4)
    result = run(
        [won("D1", date(2026, 5, 6), "70000.00")],
        state=APRIL_STATE,
        program=program,
        period=Period(2026, 5),
    )
    # Only April counts: YTD 40,000. [40,000, 110,000): 60,000 x 10 % + 10,000 x 15 %
    assert amounts(result, Component.REVENUE_SHARE) == {"D1": D("7500.00")}
    summary = result.partners["P001"]
    assert (summary.ytd_before, summary.ytd_after) == (D("40000.00"), D("110000.00"))


def test_same_deals_with_a_calendar_fiscal_year_count_march_too() -> None:
    result = run(
        [won("D1", date(2026, 5, 6), "70000.00")], state=APRIL_STATE, period=Period(2026, 5)
    )
    # YTD 190,000. [190,000, 260,000): 60,000 x 15 % + 10,000 x 20 % = 9,000 + 2,000
    assert amounts(result, Component.REVENUE_SHARE) == {"D1": D("11000.00")}


def test_first_month_of_an_april_fiscal_year_starts_from_zero() -> None:
    program = make_program(fiscal_year_start=4)
    state = state_of(paid("D-03", date(2026, 3, 20), "150000.00", "17500.00"))
    result = run(
        [won("D1", date(2026, 4, 2), "1000.00")],
        state=state,
        program=program,
        period=Period(2026, 4),
    )
    assert result.partners["P001"].ytd_before == D("0")
    assert amounts(result, Component.REVENUE_SHARE) == {"D1": D("100.00")}


# --- deal registration and rates (R1, R2) ----------------------------------------


def test_unregistered_co_sell_is_paid_as_influenced_registered_at_its_own_rate() -> None:
    deals = [
        won("D1", date(2026, 10, 3), "10000.00", deal_type=CO_SELL, registered=False),
        won("D2", date(2026, 10, 4), "10000.00", deal_type=CO_SELL, registered=True),
    ]
    result = run(deals)
    # D1: 10,000 x 3 % (influenced); D2: 10,000 x 6 % (co-sell)
    assert amounts(result, Component.REVENUE_SHARE) == {"D1": D("300.00"), "D2": D("600.00")}
    d1, d2 = (the_line(result, Component.REVENUE_SHARE, i) for i in ("D1", "D2"))
    assert (d1.status, d2.status) == (TREATED_AS_INFLUENCED, "")
    assert result.next_state.paid_deals["D1"].deal_type is INFLUENCED
    # Every deal type adds to the YTD volume.
    assert result.partners["P001"].ytd_after == D("20000.00")


def test_influenced_deals_need_no_registration() -> None:
    deal = won("D1", date(2026, 10, 3), "10000.00", deal_type=INFLUENCED, registered=False)
    line = the_line(run([deal]), Component.REVENUE_SHARE, "D1")
    assert (line.amount, line.status) == (D("300.00"), "")


def test_exact_arithmetic_1234_50_at_3_percent_pays_37_04() -> None:
    deal = won("D1", date(2026, 10, 3), "1234.50", deal_type=INFLUENCED)
    # 1,234.50 x 3 % = 37.035, half up: 37.04 (a float gives 37.03)
    assert amounts(run([deal]), Component.REVENUE_SHARE) == {"D1": D("37.04")}


def test_without_a_products_sheet_there_is_no_bonus() -> None:
    deal = won("D1", date(2026, 10, 3), "10000.00", product="Analytics")
    result = run([deal], program=make_program(products=None))
    assert amounts(result, Component.REVENUE_SHARE) == {"D1": D("1000.00")}
    assert result.partners["P001"].gross_profit is None
    assert result.partners["P001"].margin_share is None


def test_a_deal_type_without_tiers_earns_only_its_bonus_with_a_warning() -> None:
    program = make_program(revenue_tiers=tiers("Gold", SOURCED, ("0", "0.10")))
    deal = won("D1", date(2026, 10, 3), "10000.00", product="Analytics", registered=False)
    result = run([deal], program=program)
    assert amounts(result, Component.REVENUE_SHARE) == {"D1": D("200.00")}  # 2 % bonus only
    (problem,) = result.problems
    assert problem.severity is Severity.WARNING
    assert "no revenue tiers for influenced deals" in problem.message


def test_zero_amount_deal_gets_a_zero_line_at_its_bracket_rate() -> None:
    result = run([won("D1", date(2026, 10, 3), "0")], state=YTD_90K)
    line = the_line(result, Component.REVENUE_SHARE, "D1")
    assert (line.amount, line.rate) == (D("0.00"), D("0.10"))


# --- retroactive mode (R4) -------------------------------------------------------


def test_example_r_b_retroactive_deal_and_true_up() -> None:
    state = state_of(paid("D-P2", date(2026, 8, 1), "80000.00", "6400.00", partner_id="P002"))
    result = run([won("D4", date(2026, 10, 5), "40000.00", partner_id="P002")], state=state)
    d4 = the_line(result, Component.REVENUE_SHARE, "D4")
    assert (d4.amount, d4.rate, d4.rule) == (D("4800.00"), D("0.12"), "R4")  # YTD 120,000: 12 %
    true_up = the_line(result, Component.TRUE_UP, "Silver")
    assert true_up.amount == D("3200.00")  # 80,000 x 12 % - 6,400.00
    assert (true_up.rule, true_up.quantity, true_up.rate) == ("R4", D("80000.00"), D("0.12"))
    assert result.next_state.paid_deals["D-P2"].paid == D("9600.00")
    assert result.partners["P002"].true_up == D("3200.00")


def test_true_up_after_two_earlier_periods_chains_through_the_state() -> None:
    def close(month: int, deal: Deal, state: RevenueState) -> RevenueResult:
        return run([deal], state=state, period=Period(2026, month))

    aug = close(8, won("A", date(2026, 8, 3), "60000.00", partner_id="P002"), RevenueState())
    # YTD 60,000: 8 % -> 4,800.00, nothing to true up
    assert amounts(aug, Component.REVENUE_SHARE) == {"A": D("4800.00")}
    assert amounts(aug, Component.TRUE_UP) == {}

    sep = close(9, won("B", date(2026, 9, 3), "60000.00", partner_id="P002"), aug.next_state)
    # YTD 120,000: 12 % -> B 7,200.00; A: 60,000 x 12 % - 4,800 = 2,400.00
    assert amounts(sep, Component.REVENUE_SHARE) == {"B": D("7200.00")}
    assert amounts(sep, Component.TRUE_UP) == {"Silver": D("2400.00")}
    assert sep.next_state.paid_deals["A"].paid == D("7200.00")

    oct_ = close(10, won("C", date(2026, 10, 3), "100000.00", partner_id="P002"), sep.next_state)
    # YTD 220,000: 15 % -> C 15,000.00; A and B: 60,000 x 15 % - 7,200 = 1,800.00 each
    assert amounts(oct_, Component.REVENUE_SHARE) == {"C": D("15000.00")}
    assert amounts(oct_, Component.TRUE_UP) == {"Silver": D("3600.00")}
    paid_after = {k: v.paid for k, v in oct_.next_state.paid_deals.items()}
    assert paid_after == {"A": D("9000.00"), "B": D("9000.00"), "C": D("15000.00")}
    assert [(t.deal_id, t.delta) for t in oct_.true_ups] == [
        ("A", D("1800.00")),
        ("B", D("1800.00")),
    ]


def test_true_up_keeps_the_bonus_each_deal_was_paid_with() -> None:
    # Earlier Analytics deal 50,000 paid at 8 % + 2 % = 5,000.00
    state = state_of(
        paid(
            "E1",
            date(2026, 8, 1),
            "50000.00",
            "5000.00",
            partner_id="P002",
            product="Analytics",
            bonus="0.02",
        )
    )
    result = run([won("D1", date(2026, 10, 5), "60000.00", partner_id="P002")], state=state)
    # YTD 110,000: 12 %. E1: 50,000 x 14 % = 7,000 - 5,000 = 2,000.00
    assert amounts(result, Component.TRUE_UP) == {"Silver": D("2000.00")}


def test_true_up_does_not_reach_into_the_previous_fiscal_year() -> None:
    state = state_of(
        paid("OLD", date(2025, 12, 1), "150000.00", "12000.00", partner_id="P002"),
        paid("NEW", date(2026, 1, 15), "20000.00", "1600.00", partner_id="P002"),
    )
    result = run([won("D1", date(2026, 10, 5), "90000.00", partner_id="P002")], state=state)
    # YTD 20,000 + 90,000 = 110,000: 12 %. NEW: 2,400 - 1,600 = 800.00; OLD is last year's.
    assert amounts(result, Component.TRUE_UP) == {"Silver": D("800.00")}
    assert amounts(result, Component.REVENUE_SHARE) == {"D1": D("10800.00")}


def test_cap_counts_the_true_up() -> None:
    program = make_program(plans=(gold(), Plan("Silver", Mode.RETROACTIVE, period_cap=D(7000))))
    state = state_of(paid("D-P2", date(2026, 8, 1), "80000.00", "6400.00", partner_id="P002"))
    result = run(
        [won("D4", date(2026, 10, 5), "40000.00", partner_id="P002")], state=state, program=program
    )
    # 4,800 + 3,200 = 8,000 > 7,000
    assert amounts(result, Component.REVENUE_CAP) == {"Silver": D("-1000.00")}
