"""One period's close: the engines' lines together, N1's net and pool checks, Example X-a's
settlement in EUR and JPY, and who takes part and who sent no data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal

from partnerclose.core.close import (
    CloseResult,
    CloseState,
    PoolCheck,
    compute_close,
    group_lines,
    pool_of_item,
)
from partnerclose.core.lines import Component, Line
from partnerclose.core.records import (
    HOST,
    Adjustment,
    AdjustmentSection,
    Basis,
    FxRate,
    PeriodData,
    Program,
    RevenueTier,
    Submission,
)
from tests.core.factories_costs import commit, pool
from tests.core.factories_revenue import (
    INFLUENCED,
    OCT,
    SOURCED,
    YTD_90K,
    D,
    make_program,
    partner,
    won,
)

COST, SHARE, ADJ = Component.COST_SHARE, Component.REVENUE_SHARE, Component.ADJUSTMENT
# Example X-a: EUR average 1.0800, closing 1.1000; JPY average 0.006700, closing 0.006500
RATES = (
    FxRate(OCT, "EUR", D("1.0800"), D("1.1000")),
    FxRate(OCT, "JPY", D("0.006700"), D("0.006500"), decimals=0),
)
# P002's plan in Example X-a: a flat 10 %
FLAT = (RevenueTier("Gold", SOURCED, D(0), D("0.10")),)


def program(*, currencies: tuple[str, str] = ("", ""), extra: tuple[str, ...] = ()) -> Program:
    """HOST and P001 share CRM (3,300.00, equal: −1,100.00 each of three); P001, P002 on Gold."""
    base = make_program(
        partners=(
            replace(partner("P001"), currency=currencies[0]),
            replace(partner("P002"), currency=currencies[1]),
            *(partner(pid) for pid in extra),
        )
    )
    return replace(
        base,
        pools=(pool("CRM", "3300.00", Basis.EQUAL),),
        commitments=(commit(HOST, "CRM"), commit("P001", "CRM"), commit("P002", "CRM")),
        fx_rates=RATES if any(currencies) else (),
    )


def close_of(
    prog: Program,
    data: PeriodData,
    state: CloseState | None = None,
    corrections: Sequence[Line] = (),
) -> CloseResult:
    return compute_close(prog, OCT, data, state or CloseState(), corrections)


D1 = won("D1", date(2026, 10, 3), "20000.00")  # P001
YTD = CloseState(revenue=YTD_90K)  # P001 has 90,000.00 YTD before October


# --- the lines and N1 -----------------------------------------------------------------


def test_n1_a_partners_net_is_the_sum_of_its_lines() -> None:
    result = close_of(program(), PeriodData(deals=(D1,)), YTD)
    # revenue: [90,000, 110,000): 10,000 × 10 % + 10,000 × 15 % = 2,500.00; CRM 3,300 ÷ 3
    assert [(x.component, x.amount) for x in result.lines_of("P001")] == [
        (COST, D("-1100.00")),
        (SHARE, D("2500.00")),
    ]
    assert result.net("P001") == D("1400.00")  # 2,500.00 − 1,100.00
    assert result.net(HOST) == D("-1100.00")


def test_n1_every_pool_reconciles() -> None:
    result = close_of(program(), PeriodData(deals=(D1,)), YTD)
    (check,) = result.pool_checks
    # −1,100.00 × 3 = −3,300.00 = −(3,300.00 − 0 draw)
    assert (check.pool_id, check.lines_total, check.difference) == ("CRM", D("-3300.00"), D(0))
    assert not [p for p in result.problems if "internal check" in p.message]


def test_pool_check_difference() -> None:
    # lines −3,299.99 against −(3,300.00 − 0): one cent short
    assert PoolCheck("CRM", D("3300.00"), D(0), D("-3299.99")).difference == D("0.01")
    # a draw of 300.00 leaves 3,000.00 to share: −3,000.00 reconciles
    assert PoolCheck("CRM", D("3300.00"), D("300.00"), D("-3000.00")).difference == D(0)


def test_a_negative_adjustment_is_a_line_and_lowers_the_net() -> None:
    fee = Adjustment(OCT, "P002", AdjustmentSection.OTHER, D("-40.00"), "late report fee")
    result = close_of(replace(program(), adjustments=(fee,)), PeriodData())
    assert result.totals()["P002"] == {COST: D("-1100.00"), ADJ: D("-40.00")}
    assert result.net("P002") == D("-1140.00")


def test_corrections_are_settled_as_they_are() -> None:
    fix = Line(
        "2026-10",
        "P002",
        Component.PRIOR_PERIOD_ADJUSTMENT,
        "2026-09 cost_share",
        D("1800.00"),
        "P3",
    )
    result = close_of(program(), PeriodData(), corrections=[fix])
    assert fix in result.lines_of("P002")
    assert result.net("P002") == D("700.00")  # −1,100.00 + 1,800.00


def test_an_adjustment_does_not_count_in_the_ytd_volume() -> None:
    credit = Adjustment(OCT, "P001", AdjustmentSection.REVENUE_SHARE, D("5000.00"), "credit")
    result = close_of(replace(program(), adjustments=(credit,)), PeriodData(deals=(D1,)), YTD)
    # YTD after = 90,000 + 20,000; the 5,000.00 adjustment is not volume
    assert result.revenue.partners["P001"].ytd_after == D("110000.00")


# --- who takes part, who sent nothing -----------------------------------------------------


def test_participants_are_the_host_then_the_partners_taking_part() -> None:
    later = replace(partner("P000"), start_date=date(2026, 11, 1))
    prog = program(extra=("P003",))
    prog = replace(prog, partners=(*prog.partners, later))
    assert close_of(prog, PeriodData()).participants == (HOST, "P001", "P002", "P003")


def test_a_partner_without_data_is_named() -> None:
    data = PeriodData(deals=(D1,), submissions=(Submission("P003", OCT),))
    result = close_of(program(extra=("P003", "P004")), data, YTD)
    # P001 has a deal, P003 a workbook; P002 and P004 sent nothing
    assert result.without_data == frozenset({"P002", "P004"})


# --- X2 through the close ---------------------------------------------------------------


def test_example_x_a_p001_settles_in_euro() -> None:
    result = close_of(program(currencies=("EUR", "")), PeriodData(deals=(D1,)), YTD)
    # EUR 20,000 → USD 21,600 covers [90,000, 111,600): 10,000 × 10 % + 11,600 × 15 % = 2,740.00
    assert [x.amount for x in result.lines_of("P001")] == [D("-1100.00"), D("2740.00")]
    # 2,740.00 ÷ 1.1 = 2,490.91; −1,100.00 ÷ 1.1 = −1,000.00
    assert (result.net("P001"), result.settlement_net("P001")) == (D("1640.00"), D("1490.91"))


def test_example_x_a_p002_settles_in_yen() -> None:
    prog = replace(program(currencies=("", "JPY")), commitments=(), pools=())
    prog = replace(prog, revenue_tiers=FLAT + prog.revenue_tiers[3:])
    prog = replace(prog, partners=(prog.partners[0], replace(prog.partners[1], plan="Gold")))
    deal = won("D2", date(2026, 10, 9), "1500000", partner_id="P002")
    result = close_of(prog, PeriodData(deals=(deal,)))
    # JPY 1,500,000 × 0.0067 = USD 10,050.00; 10 % = 1,005.00; ÷ 0.0065 = 154,615.38… → 154,615
    assert result.net("P002") == D("1005.00")
    assert result.settlement_net("P002") == Decimal("154615")
    rate = result.settlement_of("P002")
    assert rate is not None
    assert (rate.currency, rate.rate) == ("JPY", D("0.006500"))


def test_x2_the_settlement_net_is_the_sum_of_the_lines_converted_one_by_one() -> None:
    tips = tuple(
        Adjustment(OCT, "P001", AdjustmentSection.OTHER, D("0.05"), f"tip {i}") for i in (1, 2)
    )
    result = close_of(replace(program(currencies=("EUR", "")), adjustments=tips), PeriodData())
    # lines −1,100.00, 0.05, 0.05 → −1,000.00, 0.05 (0.04545… rounds up), 0.05: −999.90,
    # where the net −1,099.90 ÷ 1.1 would give −999.91
    assert result.settlement_net("P001") == D("-999.90")


def test_a_partner_in_the_program_currency_settles_at_rate_one() -> None:
    result = close_of(program(currencies=("EUR", "")), PeriodData(deals=(D1,)), YTD)
    assert result.settlement_net("P002") == result.net("P002") == D("-1100.00")


def test_next_state_carries_the_deals_paid() -> None:
    result = close_of(program(), PeriodData(deals=(D1,)), YTD)
    paid = result.next_state.revenue.paid_deals
    assert (sorted(paid), paid["D1"].share) == (["D-07", "D-09", "D1"], D("2500.00"))


def test_the_terms_of_the_period_apply() -> None:
    # E1: a 12 % influenced bracket from November is not used in October
    prog = program()
    later = RevenueTier("Gold", INFLUENCED, D(0), D("0.12"), valid_from=OCT.shift(1))
    older = replace(prog.revenue_tiers[4], valid_to=OCT)  # Gold influenced 3 %, until October
    tiers = (*prog.revenue_tiers[:4], older, later, *prog.revenue_tiers[5:])
    deal = won("D9", date(2026, 10, 3), "1000.00", deal_type=INFLUENCED)
    result = close_of(replace(prog, revenue_tiers=tiers), PeriodData(deals=(deal,)))
    assert result.totals()["P001"][SHARE] == D("30.00")  # 1,000 × 3 %


# --- helpers ---------------------------------------------------------------------------


def test_group_lines_keeps_a_participant_met_again() -> None:
    def line(pid: str, item: str) -> Line:
        return Line("2026-10", pid, COST, item, D(1), "C4")

    a, b, c = line("P001", "A"), line("P002", "B"), line("P001", "C")
    assert group_lines([a, b, c]) == {"P001": (a, c), "P002": (b,)}


def test_pool_of_item() -> None:
    assert [pool_of_item(x) for x in ("CRM", "CRM:base", "CRM:usage", "base")] == [
        "CRM",
        "CRM",
        "CRM",
        "base",
    ]


def test_a_participant_without_lines_has_a_net_of_zero() -> None:
    result = close_of(program(), PeriodData())
    assert (result.lines_of("P999"), result.net("P999")) == ((), Decimal(0))
