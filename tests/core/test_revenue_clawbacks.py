"""R5 Clawbacks, through the engine and directly."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from partnerclose.core.lines import Component
from partnerclose.core.problems import Severity
from partnerclose.core.records import Deal, DealStatus
from partnerclose.core.revenue import RevenueResult, RevenueState, compute_revenue
from partnerclose.core.revenue_clawbacks import clawbacks
from tests.core.factories_revenue import OCT, make_program, paid, partner, reversal, won

D = Decimal  # short for literals

# Example R-c: D0 closed Aug 15 for 20,000.00 and was paid 2,000.00.
D0 = paid("D0", date(2026, 8, 15), "20000.00", "2000.00")


def run(deals: Sequence[Deal], reversed_before: dict[str, D] | None = None) -> RevenueResult:
    state = RevenueState({"D0": D0}, reversed_before or {})
    return compute_revenue(make_program(), OCT, deals, (), state)


def clawed(result: RevenueResult) -> dict[str, D]:
    return {x.item: x.amount for x in result.lines if x.component is Component.CLAWBACK}


def test_example_r_c() -> None:
    result = run([reversal("R1", date(2026, 10, 10), "5000.00", "D0")])  # 56 days later
    (line,) = result.lines
    # 5,000 / 20,000 x 2,000.00
    assert (line.component, line.item, line.amount) == (Component.CLAWBACK, "R1", D("-500.00"))
    assert (line.rule, line.status, line.quantity, line.rate) == (
        "R5",
        "reverses D0",
        D("5000.00"),
        D("0.1"),
    )
    assert result.problems == ()
    assert result.next_state.reversed_amounts == {"D0": D("5000.00")}


def test_churned_rows_claw_back_too() -> None:
    churn = reversal("R1", date(2026, 10, 10), "5000.00", "D0", status=DealStatus.CHURNED)
    assert clawed(run([churn])) == {"R1": D("-500.00")}


def test_window_end_is_inclusive_and_the_day_after_claws_back_nothing() -> None:
    d1 = paid("D1", date(2026, 7, 12), "1000.00", "100.00")  # Oct 10 is 19+31+30+10 = 90 days on
    d2 = paid("D2", date(2026, 7, 11), "1000.00", "100.00")  # ... and 91 days
    state = RevenueState({"D1": d1, "D2": d2})
    rows = [
        reversal("R1", date(2026, 10, 10), "1000.00", "D1"),
        reversal("R2", date(2026, 10, 10), "1000.00", "D2", row=3),
    ]
    result = compute_revenue(make_program(), OCT, rows, (), state)
    assert clawed(result) == {"R1": D("-100.00")}
    (info,) = result.problems
    assert info.severity is Severity.INFO
    assert info.cell == "C3"
    assert info.message == (
        "R2 reverses deal D2 91 days after it closed (clawback_days 90): nothing clawed back"
    )
    # The late reversal still counts against the deal's amount.
    assert result.next_state.reversed_amounts == {"D1": D("1000.00"), "D2": D("1000.00")}


def test_two_reversals_adding_up_past_the_amount_are_an_error_on_the_second() -> None:
    rows = [
        reversal("R2", date(2026, 10, 20), "10000.00", "D0", row=3),
        reversal("R1", date(2026, 10, 5), "12000.00", "D0", row=2),
    ]
    result = run(rows)
    assert clawed(result) == {"R1": D("-1200.00")}  # 12,000 / 20,000 x 2,000
    (error,) = result.problems
    assert (error.severity, error.cell, error.column) == (Severity.ERROR, "H3", "amount")
    assert error.message == "reversals of deal D0 add up to 22000.00, more than its amount 20000.00"
    assert result.next_state.reversed_amounts == {"D0": D("12000.00")}


def test_reversals_of_earlier_closes_count_against_the_amount() -> None:
    result = run([reversal("R3", date(2026, 10, 5), "6000.00", "D0")], {"D0": D("15000.00")})
    assert clawed(result) == {}
    assert [p.severity for p in result.problems] == [Severity.ERROR]


def test_reversing_the_whole_amount_is_allowed() -> None:
    result = run([reversal("R3", date(2026, 10, 5), "5000.00", "D0")], {"D0": D("15000.00")})
    assert clawed(result) == {"R3": D("-500.00")}
    assert result.problems == ()
    assert result.next_state.reversed_amounts == {"D0": D("20000.00")}


def test_reversal_of_a_deal_paid_in_the_same_period() -> None:
    rows = [
        won("D5", date(2026, 10, 3), "10000.00"),  # YTD 20,000 (D0) -> 10 %: 1,000.00
        reversal("R5", date(2026, 10, 20), "2500.00", "D5"),
    ]
    result = run(rows)
    assert clawed(result) == {"R5": D("-250.00")}  # 2,500 / 10,000 x 1,000


def test_reversal_of_an_unknown_deal_is_a_warning() -> None:
    result = run([reversal("R9", date(2026, 10, 5), "100.00", "NOPE", row=6)])
    assert result.lines == ()
    (warning,) = result.problems
    assert (warning.severity, warning.cell) == (Severity.WARNING, "J6")
    assert warning.message == 'R9 reverses deal "NOPE", which was never paid: nothing clawed back'


def test_reversal_of_another_partners_deal_is_a_warning() -> None:
    result = run([reversal("R9", date(2026, 10, 5), "100.00", "D0", partner_id="P002")])
    assert result.lines == ()
    assert [p.severity for p in result.problems] == [Severity.WARNING]


def test_reversal_outside_the_period_is_not_processed() -> None:
    # after the period (an earlier one of the year is a late reversal, rules.md P1)
    result = run([reversal("R1", date(2026, 11, 10), "100.00", "D0")])
    assert result.lines == ()
    assert [p.severity for p in result.problems] == [Severity.INFO]
    assert result.next_state.reversed_amounts == {}


def test_reversal_of_a_partner_not_taking_part_is_a_warning_and_claws_back_nothing() -> None:
    program = make_program(partners=(partner("P001", start=date(2026, 11, 1)),))
    row = reversal("R1", date(2026, 10, 10), "5000.00", "D0")
    result = compute_revenue(program, OCT, [row], (), RevenueState({"D0": D0}))
    assert result.lines == ()
    assert [p.severity for p in result.problems] == [Severity.WARNING]


def test_clawback_is_rounded_once() -> None:
    original = paid("D7", date(2026, 9, 1), "30000.00", "1234.57")
    outcome = clawbacks(
        [reversal("R7", date(2026, 10, 1), "10000.00", "D7")], {"D7": original}, {}, OCT, 90, 2
    )
    # 10,000 / 30,000 x 1,234.57 = 411.5233... -> 411.52
    assert [x.amount for x in outcome.lines] == [D("-411.52")]


def test_a_zero_clawback_makes_no_line() -> None:
    original = paid("D7", date(2026, 9, 1), "30000.00", "0.00")
    outcome = clawbacks(
        [reversal("R7", date(2026, 10, 1), "10000.00", "D7")], {"D7": original}, {}, OCT, 90, 2
    )
    assert outcome.lines == ()
    assert outcome.reversed_amounts == {"D7": D("10000.00")}
