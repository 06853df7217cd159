"""Opening balances (rules.md O1): Example O-a, each balance's place in the state, the
sheets' checks at their cells, and which state a close starts from."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from partnerclose.core.close import CloseState
from partnerclose.core.cost_model import CostState
from partnerclose.core.lines import Component
from partnerclose.core.milestones import MilestoneState
from partnerclose.core.opening import check_opening, opening_state, starting_state
from partnerclose.core.period import Period
from partnerclose.core.records import (
    HOST,
    DealType,
    FxRate,
    Loc,
    OpeningBalance,
    OpeningDeal,
    OpeningKind,
    Program,
)
from partnerclose.core.revenue import OpeningVolume
from tests.core.factories_milestones import milestone
from tests.core.factories_revenue import OCT, R_A_DEALS, D, amounts, make_program, run

SEP = Period(2026, 9)
BALANCE_COLUMNS = {"partner_id": "A", "balance": "B", "pool_id": "C", "milestone_id": "D"}
BALANCE_COLUMNS |= {"amount": "E"}
DEAL_COLUMNS = {"partner_id": "A", "deal_id": "B", "close_date": "C", "currency": "H"}


def balance(
    partner_id: str,
    kind: OpeningKind,
    amount: str,
    *,
    pool_id: str = "",
    milestone_id: str = "",
    row: int = 2,
) -> OpeningBalance:
    loc = Loc("program.xlsx", "OpeningBalances", row, BALANCE_COLUMNS)
    return OpeningBalance(partner_id, kind, D(amount), pool_id, milestone_id, loc)


def opening_deal(
    deal_id: str, close: date, amount: str, share: str, *, currency: str = "", row: int = 2
) -> OpeningDeal:
    loc = Loc("program.xlsx", "OpeningDeals", row, DEAL_COLUMNS)
    return OpeningDeal(
        "P001", deal_id, close, DealType.SOURCED, "Core", D(amount), D(share), currency, loc
    )


def program(
    *balances: OpeningBalance,
    deals: tuple[OpeningDeal, ...] = (),
    rates: tuple[FxRate, ...] = (),
    reserve_opening_balance: str = "0",
) -> Program:
    base = make_program()
    settings = replace(
        base.settings,
        reserve_opening_balance=D(reserve_opening_balance),
        loc=Loc("program.xlsx", "Program", 0, {"reserve_opening_balance": "B9"}),
    )
    return replace(
        base,
        settings=settings,
        opening_balances=balances,
        opening_deals=deals,
        fx_rates=rates,
        milestones=(milestone("MS1", phase_id="PH1"), milestone("MS2", partner_id="P002")),
    )


YTD_90K = balance("P001", OpeningKind.YTD_VOLUME, "90000.00")


# --- the state --------------------------------------------------------------------------


def test_example_o_a_gives_example_r_a() -> None:
    state = opening_state(program(YTD_90K), OCT)
    result = run(R_A_DEALS, state=state.revenue)
    # D1 10,000 × 10 % + 20,000 × 15 %; D2 130,000 × 15 % + 20,000 × 20 % + 150,000 × 2 %;
    # D3 unregistered, as influenced 10,000 × 3 %
    assert amounts(result, Component.REVENUE_SHARE) == {
        "D1": D("4000.00"),
        "D2": D("26500.00"),
        "D3": D("300.00"),
    }


def test_ytd_volume_is_carried_beyond_the_years_opening_deals() -> None:
    deal = opening_deal("D-09", date(2026, 9, 5), "50000.00", "5000.00")
    state = opening_state(program(YTD_90K, deals=(deal,)), OCT).revenue
    # 90,000 includes the 50,000 deal: 40,000 is carried as volume alone
    assert state.opening_volume == {"P001": OpeningVolume(OCT, D("40000.00"))}
    paid = state.paid_deals["D-09"]
    assert (paid.amount, paid.share, paid.paid, paid.rate, paid.period) == (
        D("50000.00"),
        D("5000.00"),
        D("5000.00"),
        D("0.1"),
        SEP,
    )


def test_an_opening_deal_of_an_earlier_fiscal_year_is_not_in_the_ytd_volume() -> None:
    old = opening_deal("D-25", date(2025, 12, 20), "30000.00", "3000.00")
    state = opening_state(program(YTD_90K, deals=(old,)), OCT).revenue
    assert state.opening_volume["P001"].amount == D("90000.00")


def test_an_opening_deal_in_euro_converts_at_its_months_average_rate() -> None:
    sep_eur = FxRate(SEP, "EUR", D("1.0800"), D("1.1000"))
    deal = opening_deal("D-E", date(2026, 9, 10), "10000.00", "1000.00", currency="EUR")
    paid = opening_state(program(deals=(deal,), rates=(sep_eur,)), OCT).revenue.paid_deals["D-E"]
    # 10,000.00 × 1.08 = 10,800.00; 1,000.00 × 1.08 = 1,080.00; rate 1,080 ÷ 10,800 = 10 %
    assert (paid.amount, paid.share, paid.rate) == (D("10800.00"), D("1080.00"), D("0.1"))


def test_the_cost_balances() -> None:
    prog = program(
        balance(HOST, OpeningKind.RESERVE_BALANCE, "12000.00"),
        balance("P001", OpeningKind.RESERVE_CONTRIBUTIONS, "1500.005", row=3),
        balance("P001", OpeningKind.LAST_ALLOCATION, "-3600.00", pool_id="CRM", row=4),
    )
    # the allocation is kept positive, as a final close leaves it; 1,500.005 rounds half up
    assert opening_state(prog, OCT).cost == CostState(
        D("12000.00"), {"P001": D("1500.01")}, {("P001", "CRM"): D("3600.00")}
    )


def test_the_milestone_balances() -> None:
    prog = program(
        balance("P001", OpeningKind.MILESTONE_PAID, "2000.00", milestone_id="MS1"),
        balance("P001", OpeningKind.MILESTONE_HELD, "500.00", milestone_id="MS1", row=3),
        balance("P002", OpeningKind.MILESTONE_DEFERRED, "300.00", milestone_id="MS2", row=4),
    )
    # accrued = paid + held + deferred; the phase spends paid + deferred (MS2 has none)
    assert opening_state(prog, OCT).milestones == MilestoneState(
        accrued={"MS1": D("2500.00"), "MS2": D("300.00")},
        held={"MS1": D("500.00")},
        deferred={"MS2": D("300.00")},
        phase_spent={"PH1": D("2000.00")},
    )


def test_a_partner_without_opening_rows_starts_empty() -> None:
    state = opening_state(program(YTD_90K), OCT)
    assert "P002" not in state.revenue.opening_volume
    assert state.cost.reserve_balance is None  # no reserve row: reserve_opening_balance


# --- the checks ---------------------------------------------------------------------------


def messages(prog: Program) -> list[tuple[str, str]]:
    return [(p.cell, p.message) for p in check_opening(prog, OCT)]


def test_valid_rows_have_no_problem() -> None:
    deal = opening_deal("D-09", date(2026, 9, 5), "50000.00", "5000.00")
    assert messages(program(YTD_90K, deals=(deal,))) == []


def test_reserve_balance_belongs_to_the_host() -> None:
    assert messages(program(balance("P001", OpeningKind.RESERVE_BALANCE, "10.00"))) == [
        ("A2", "reserve_balance is the host's: partner_id must be HOST, got P001")
    ]


def test_the_reserve_balance_given_twice_is_an_error_at_both() -> None:
    prog = program(balance(HOST, OpeningKind.RESERVE_BALANCE, "10.00"), reserve_opening_balance="5")
    assert messages(prog) == [
        (
            "B2",
            "the reserve balance is given twice: here and as reserve_opening_balance at "
            "Program!B9; keep one",
        ),
        (
            "B9",
            "the reserve balance is given twice: here and as a reserve_balance row at "
            "OpeningBalances!B2; keep one",
        ),
    ]


def test_a_positive_last_allocation_is_an_error() -> None:
    row = balance("P001", OpeningKind.LAST_ALLOCATION, "3600", pool_id="CRM")
    prog = replace(program(row), pools=make_program().pools)
    found = messages(prog)
    assert (
        "E2",
        "last_allocation is a cost share, so negative (e.g. -3600), got 3600",
    ) in found


def test_a_negative_ytd_volume_is_an_error() -> None:
    row = balance("P001", OpeningKind.YTD_VOLUME, "-1.50")
    assert messages(program(row)) == [("E2", "ytd_volume must be ≥ 0, got -1.5")]


def test_a_milestone_of_another_partner_is_an_error() -> None:
    row = balance("P001", OpeningKind.MILESTONE_PAID, "1.00", milestone_id="MS2")
    assert messages(program(row)) == [("D2", "milestone MS2 belongs to P002, not P001")]


def test_an_unknown_partner_is_an_error_with_its_reference() -> None:
    (problem,) = check_opening(program(balance("P009", OpeningKind.YTD_VOLUME, "1")), OCT)
    assert (problem.cell, problem.reference) == ("A2", "P009")


def test_a_duplicate_balance_is_an_error_at_the_second() -> None:
    twice = program(YTD_90K, balance("P001", OpeningKind.YTD_VOLUME, "1.00", row=5))
    assert messages(twice) == [("B5", "duplicate ytd_volume for P001, first at OpeningBalances!B2")]


def test_an_opening_deal_must_close_before_the_first_close() -> None:
    deal = opening_deal("D-10", date(2026, 10, 1), "100.00", "10.00", row=4)
    assert messages(program(deals=(deal,))) == [
        ("C4", "an opening deal closed before the first close: 2026-10-01 is not before 2026-10")
    ]


def test_an_opening_deal_in_a_currency_without_a_rate_is_an_error() -> None:
    deal = opening_deal("D-E", date(2026, 9, 10), "100.00", "10.00", currency="EUR", row=3)
    assert messages(program(deals=(deal,))) == [
        (
            "H3",
            "no FxRates row for EUR in 2026-09, the period the deal closed in: add it, or "
            "give the deal in the program currency",
        )
    ]


def test_ytd_volume_less_than_the_years_opening_deals_is_an_error() -> None:
    deal = opening_deal("D-09", date(2026, 9, 5), "50000.00", "5000.00")
    row = balance("P001", OpeningKind.YTD_VOLUME, "40000.00")
    assert messages(program(row, deals=(deal,))) == [
        (
            "E2",
            "ytd_volume 40000 is less than P001's opening deals of the fiscal year (50000), "
            "which it includes",
        )
    ]


# --- which state a close starts from -------------------------------------------------


LEDGER = CloseState(cost=CostState(reserve_balance=Decimal("777.00")))


def test_the_first_close_starts_from_the_opening_balances() -> None:
    state, problems = starting_state(program(YTD_90K), OCT, CloseState(), None)
    assert (state.revenue.opening_volume["P001"].amount, problems) == (D("90000.00"), [])


def test_after_a_final_close_the_ledger_wins_and_the_sheets_are_ignored() -> None:
    deal = opening_deal("D-09", date(2026, 9, 5), "50000.00", "5000.00")
    state, problems = starting_state(program(YTD_90K, deals=(deal,)), OCT, LEDGER, "2026-09")
    assert state is LEDGER
    assert [(p.severity, p.sheet, p.message) for p in problems] == [
        (
            "info",
            "OpeningBalances",
            "OpeningBalances is ignored: the ledger holds a final close (2026-09), whose state "
            "the close starts from",
        ),
        (
            "info",
            "OpeningDeals",
            "OpeningDeals is ignored: the ledger holds a final close (2026-09), whose state "
            "the close starts from",
        ),
    ]


def test_a_program_without_opening_rows_starts_from_the_ledger() -> None:
    assert starting_state(program(), OCT, LEDGER, None) == (LEDGER, [])


def test_a_missing_rate_is_said_once_at_the_deal_not_again_as_a_short_volume() -> None:
    deal = opening_deal("D-E", date(2026, 9, 10), "50000.00", "10.00", currency="EUR", row=3)
    row = balance("P001", OpeningKind.YTD_VOLUME, "100.00")  # less than the deal, in any rate
    assert [cell for cell, _ in messages(program(row, deals=(deal,)))] == ["H3"]
