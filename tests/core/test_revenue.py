"""Revenue share end to end: Example R-a, the R6 cap, the state a close leaves, properties."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from partnerclose.core.lines import Component
from partnerclose.core.records import (
    Deal,
    DealType,
    Mode,
    Plan,
)
from partnerclose.core.revenue import (
    TREATED_AS_INFLUENCED,
    BracketPart,
    RevenueState,
)
from tests.core.factories_revenue import (
    CO_SELL,
    INFLUENCED,
    OCT,
    R_A_DEALS,
    SILVER,
    SOURCED,
    YTD_90K,
    amounts,
    campaign,
    gold,
    make_program,
    paid,
    partner,
    reversal,
    run,
    state_of,
    the_line,
    tiers,
    won,
)

D = Decimal  # short for literals


# --- Example R-a (marginal) ---------------------------------------------------


def test_example_r_a_first_deal_spans_two_brackets() -> None:
    result = run(R_A_DEALS, state=YTD_90K)
    d1 = the_line(result, Component.REVENUE_SHARE, "D1")
    # [90,000, 120,000): 10,000 x 10 % + 20,000 x 15 % = 1,000 + 3,000
    assert d1.amount == D("4000.00")
    assert (d1.quantity, d1.rate, d1.rule) == (D("30000.00"), D("4000") / D("30000"), "R3")


def test_example_r_a_second_deal_spans_two_brackets_plus_the_product_bonus() -> None:
    result = run(R_A_DEALS, state=YTD_90K)
    d2 = the_line(result, Component.REVENUE_SHARE, "D2")
    # [120,000, 270,000): 130,000 x 15 % + 20,000 x 20 % + 150,000 x 2 % bonus
    #   = 19,500 + 4,000 + 3,000
    assert d2.amount == D("26500.00")
    detail = next(d for d in result.deals if d.deal_id == "D2")
    assert detail.parts == (
        BracketPart(D("120000.00"), D("250000"), D("0.15")),
        BracketPart(D("250000"), D("270000.00"), D("0.20")),
    )
    assert detail.bonus_rate == D("0.02")


def test_example_r_a_unregistered_sourced_deal_is_paid_as_influenced() -> None:
    result = run(R_A_DEALS, state=YTD_90K)
    d3 = the_line(result, Component.REVENUE_SHARE, "D3")
    assert d3.amount == D("300.00")  # 10,000 x 3 %
    assert d3.status == TREATED_AS_INFLUENCED
    detail = next(d for d in result.deals if d.deal_id == "D3")
    assert (detail.reported_type, detail.paid_type, detail.registered) == (
        SOURCED,
        INFLUENCED,
        False,
    )


def test_example_r_a_ytd_volume_before_and_after() -> None:
    summary = run(R_A_DEALS, state=YTD_90K).partners["P001"]
    assert (summary.ytd_before, summary.ytd_after) == (D("90000.00"), D("280000.00"))
    assert summary.revenue_share == D("30800.00")  # 4,000 + 26,500 + 300


def test_r6_example_cap_of_25000_on_example_r_a() -> None:
    program = make_program(plans=(gold(cap="25000.00"),))
    result = run(R_A_DEALS, state=YTD_90K, program=program)
    cap = the_line(result, Component.REVENUE_CAP, "Gold")
    assert cap.amount == D("-5800.00")  # 30,800.00 - 25,000.00
    assert cap.rule == "R6"


def test_no_cap_line_at_or_below_the_cap() -> None:
    program = make_program(plans=(gold(cap="30800.00"),))
    result = run(R_A_DEALS, state=YTD_90K, program=program)
    assert amounts(result, Component.REVENUE_CAP) == {}


def test_cap_does_not_touch_clawbacks() -> None:
    # D0 closed Aug 15 for 20,000.00, paid 2,000.00; with D-09 the YTD is 90,000 again.
    state = state_of(
        paid("D0", date(2026, 8, 15), "20000.00", "2000.00"),
        paid("D-09", date(2026, 9, 5), "70000.00", "7000.00"),
    )
    refund = reversal("R1", date(2026, 10, 10), "5000.00", "D0")
    program = make_program(plans=(gold(cap="25000.00"),))
    result = run([*R_A_DEALS, refund], state=state, program=program)
    assert amounts(result, Component.REVENUE_CAP) == {"Gold": D("-5800.00")}
    assert amounts(result, Component.CLAWBACK) == {"R1": D("-500.00")}
    # 30,800 - 5,800 - 500
    assert sum(x.amount for x in result.lines) == D("24500.00")


# --- the state a final close leaves ----------------------------------------------------


def test_next_state_holds_earlier_and_new_deals_with_their_shares() -> None:
    result = run(R_A_DEALS, state=YTD_90K)
    paid_deals = result.next_state.paid_deals
    assert set(paid_deals) == {"D-07", "D-09", "D1", "D2", "D3"}
    d2 = paid_deals["D2"]
    assert (d2.period, d2.share, d2.paid, d2.bonus_rate) == (
        OCT,
        D("26500.00"),
        D("26500.00"),
        D("0.02"),
    )
    assert d2.rate == D("26500") / D("150000")
    assert paid_deals["D3"].deal_type is INFLUENCED


def test_no_input_no_output() -> None:
    result = run([])
    assert (result.lines, result.problems, result.deals) == ((), (), ())
    assert result.partners["P001"].ytd_after == D("0")
    assert result.next_state == RevenueState()


# --- properties ---------------------------------------------------------------------------

cents = st.integers(min_value=0, max_value=10**9).map(lambda c: D(c) / 100)
rates = st.sampled_from(["0.03", "0.075", "0.1234", "0.005", "0.333"])


@given(parts=st.lists(cents, min_size=1, max_size=12), rate=rates, mode=st.sampled_from(list(Mode)))
def test_splitting_a_deal_in_one_bracket_moves_the_total_at_most_a_cent_per_deal(
    parts: list[D], rate: str, mode: Mode
) -> None:
    program = make_program(
        plans=(Plan("Flat", mode),),
        revenue_tiers=tiers("Flat", SOURCED, ("0", rate)),
        partners=(partner("P001", "Flat"),),
    )
    day = date(2026, 10, 3)
    whole = run([won("W", day, str(sum(parts)))], program=program)
    split = run([won(f"S{i:02d}", day, str(p)) for i, p in enumerate(parts)], program=program)
    total_whole = sum((x.amount for x in whole.lines), D(0))
    total_split = sum((x.amount for x in split.lines), D(0))
    assert len(split.lines) == len(parts)
    assert abs(total_whole - total_split) <= D("0.01") * len(parts)


types_ = st.sampled_from([SOURCED, CO_SELL, INFLUENCED])
deal_rows = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=31),  # day of October
        st.integers(min_value=0, max_value=200_000_00).map(lambda c: D(c) / 100),
        types_,
        st.booleans(),  # registered
        st.sampled_from(["P001", "P002"]),
        st.sampled_from(["Core", "Analytics"]),
    ),
    max_size=12,
)


def _deals_from(rows: list[tuple[int, D, DealType, bool, str, str]]) -> list[Deal]:
    return [
        won(
            f"D{i}",
            date(2026, 10, day),
            str(amount),
            deal_type=kind,
            registered=registered,
            partner_id=pid,
            product=product,
            row=i + 2,
        )
        for i, (day, amount, kind, registered, pid, product) in enumerate(rows)
    ]


@settings(max_examples=60)
@given(rows=deal_rows, data=st.data())
def test_results_do_not_depend_on_the_order_of_rows(
    rows: list[tuple[int, D, DealType, bool, str, str]], data: st.DataObject
) -> None:
    state = state_of(
        paid("D0", date(2026, 8, 15), "20000.00", "2000.00"),
        paid("D-P2", date(2026, 8, 1), "80000.00", "6400.00", partner_id="P002"),
    )
    deals = [
        *_deals_from(rows),
        reversal("R1", date(2026, 10, 10), "5000.00", "D0", row=90),
        reversal("R2", date(2026, 10, 10), "16000.00", "D0", row=91),  # past the amount
        reversal("R3", date(2026, 10, 30), "1.00", "D1", row=92),
    ]
    campaigns = [
        campaign("C2", "4000.00", row=3),
        campaign("C1", "5000.00", row=2),
        campaign("C3", "100.00", approved=False, row=4),
    ]
    program = make_program(plans=(gold(cap="20000", mdf_pct="0.5", mdf_cap="4000"), SILVER))
    first = run(deals, state=state, program=program, campaigns=campaigns)
    shuffled = data.draw(st.permutations(deals))
    shuffled_campaigns = data.draw(st.permutations(campaigns))
    again = run(shuffled, state=state, program=program, campaigns=shuffled_campaigns)
    assert again == first


@pytest.mark.parametrize("mode", list(Mode))
def test_line_rates_reproduce_the_amounts(mode: Mode) -> None:
    program = make_program(plans=(Plan("Gold", mode), SILVER))
    result = run(R_A_DEALS, state=YTD_90K, program=program)
    shares = [x for x in result.lines if x.component is Component.REVENUE_SHARE]
    assert len(shares) == 3
    for line in shares:
        assert line.quantity is not None
        assert line.rate is not None
        assert abs(line.quantity * line.rate - line.amount) <= D("0.005")
