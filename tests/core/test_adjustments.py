"""Manual adjustments (rules.md P2): Example P-b, and the rows a finance user gets wrong."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from partnerclose.core.adjustments import (
    adjustment_lines,
    check_adjustments,
    final_period_problems,
    of_period,
)
from partnerclose.core.lines import Component, Line
from partnerclose.core.period import Period
from partnerclose.core.problems import Severity
from partnerclose.core.records import HOST, Account, Adjustment, AdjustmentSection, Loc, Program
from tests.core.factories_revenue import OCT, D, make_program, partner

SEP, NOV = Period(2026, 9), Period(2026, 10).shift(1)
COLUMNS = {"period": "A", "partner_id": "B", "section": "C", "amount": "D", "reason": "E"}
GOODWILL = "goodwill credit for the September outage"


def row(
    partner_id: str,
    amount: str,
    *,
    period: Period = OCT,
    section: AdjustmentSection = AdjustmentSection.OTHER,
    reason: str = GOODWILL,
    sheet_row: int = 2,
) -> Adjustment:
    loc = Loc("program.xlsx", "Adjustments", sheet_row, COLUMNS)
    return Adjustment(period, partner_id, section, D(amount), reason, loc=loc)


def program(*rows: Adjustment, accounts: tuple[Account, ...] = (), decimals: int = 2) -> Program:
    base = make_program(partners=(partner("P001"), partner("P002"), partner("P003")))
    settings = replace(base.settings, decimals=decimals)
    return replace(base, settings=settings, adjustments=rows, accounts=accounts)


EVERYONE = {"P001", "P002", "P003"}


def lines(prog: Program, taking_part: set[str] = EVERYONE) -> list[Line]:
    found, problems = adjustment_lines(prog, OCT, taking_part)
    assert problems == []
    return found


# --- the lines -----------------------------------------------------------------------


def test_example_p_b_one_line_with_the_rows_amount_section_and_reason() -> None:
    assert lines(program(row("P003", "250.00"))) == [
        Line("2026-10", "P003", Component.ADJUSTMENT, "other", D("250.00"), "P2", GOODWILL)
    ]


def test_a_negative_adjustment_is_a_charge_to_the_partner() -> None:
    (line,) = lines(program(row("P001", "-75.50", section=AdjustmentSection.COST_SHARING)))
    assert (line.item, line.amount) == ("cost_sharing", D("-75.50"))


def test_the_amount_rounds_half_up_to_the_program_currency() -> None:
    # 10.005 → 10.01 (half up); −10.005 → −10.01 (away from zero)
    prog = program(row("P001", "10.005"), row("P002", "-10.005", sheet_row=3))
    assert [x.amount for x in lines(prog)] == [D("10.01"), D("-10.01")]


def test_a_yen_program_rounds_to_whole_units() -> None:
    # 1,234.5 → 1,235 with 0 decimals
    (line,) = lines(program(row("P001", "1234.5"), decimals=0))
    assert line.amount == Decimal("1235")


def test_a_zero_adjustment_is_still_a_line_of_zero() -> None:
    (line,) = lines(program(row("P001", "0")))
    assert line.amount == D("0.00")


def test_rows_of_other_periods_are_not_settled() -> None:
    prog = program(row("P001", "100.00", period=SEP), row("P001", "200.00", period=NOV))
    assert lines(prog) == []
    assert of_period(prog, OCT) == []


def test_each_row_is_its_own_line_sorted_by_partner() -> None:
    prog = program(
        row("P003", "250.00", sheet_row=2),
        row(HOST, "-40.00", sheet_row=3, reason="bank fee"),
        row("P001", "10.00", sheet_row=4, reason="first"),
        row("P001", "20.00", sheet_row=5, reason="second"),
    )
    assert [(x.partner_id, x.amount) for x in lines(prog)] == [
        (HOST, D("-40.00")),
        ("P001", D("10.00")),
        ("P001", D("20.00")),
        ("P003", D("250.00")),
    ]


def test_a_partner_not_taking_part_gets_no_line_but_a_warning() -> None:
    found, problems = adjustment_lines(program(row("P002", "99.00", sheet_row=6)), OCT, {"P001"})
    assert found == []
    (problem,) = problems
    assert (problem.severity, problem.cell, problem.message) == (
        Severity.WARNING,
        "B6",
        "P002 does not take part in 2026-10: the adjustment is not settled",
    )


# --- the checks ----------------------------------------------------------------------


def test_an_unknown_partner_is_an_error_with_a_suggestion() -> None:
    (problem,) = check_adjustments(program(row("PO01", "5.00", sheet_row=4)), OCT)
    assert (problem.severity, problem.cell, problem.reference) == (Severity.ERROR, "B4", "PO01")
    assert problem.message == 'unknown partner "PO01"; did you mean "P001"?'


def test_the_host_is_a_known_partner() -> None:
    assert check_adjustments(program(row(HOST, "5.00")), OCT) == []


def test_a_later_period_is_an_info_and_an_earlier_one_nothing() -> None:
    prog = program(row("P001", "1.00", period=NOV, sheet_row=3), row("P001", "1.00", period=SEP))
    (problem,) = check_adjustments(prog, OCT)
    assert (problem.severity, problem.cell, problem.message) == (
        Severity.INFO,
        "A3",
        "for 2026-11: settled by that period's close, not by 2026-10's",
    )


def test_accounts_without_an_adjustment_row_is_an_error() -> None:
    accounts = (Account("revenue_share", "6000", "2000"),)
    prog = program(row("P001", "1.00"), row("P002", "2.00", sheet_row=3), accounts=accounts)
    (problem,) = check_adjustments(prog, OCT)
    assert problem.severity is Severity.ERROR
    assert problem.message == (
        "no Accounts row for component adjustment, which the 2 adjustments of 2026-10 are "
        "journalled through: add one with its debit and credit accounts"
    )


def test_accounts_with_an_adjustment_row_or_no_accounts_sheet_is_fine() -> None:
    mapped = (Account("adjustment", "6900", "2000"),)
    assert check_adjustments(program(row("P001", "1.00"), accounts=mapped), OCT) == []
    assert check_adjustments(program(row("P001", "1.00")), OCT) == []


def test_no_adjustment_in_the_period_needs_no_account() -> None:
    accounts = (Account("revenue_share", "6000", "2000"),)
    assert check_adjustments(program(row("P001", "1.00", period=SEP), accounts=accounts), OCT) == []


def test_a_row_for_a_period_closed_final_is_a_warning() -> None:
    prog = program(row("P001", "1.00", period=SEP, sheet_row=7), row("P001", "1.00"))
    (problem,) = final_period_problems(prog, OCT, ["2026-09"])
    assert (problem.severity, problem.cell, problem.message) == (
        Severity.WARNING,
        "A7",
        "2026-09 is closed final, so this adjustment is not settled; to settle it, give it "
        "the period of the open close (2026-10)",
    )


def test_a_row_for_an_earlier_period_not_final_is_no_warning() -> None:
    prog = program(row("P001", "1.00", period=Period.of(date(2026, 8, 1))))
    assert final_period_problems(prog, OCT, ["2026-09"]) == []
