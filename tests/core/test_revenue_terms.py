"""Which deal rows count (R1): errors, periods, partners taking part."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from partnerclose.core.lines import Component
from partnerclose.core.problems import Severity
from partnerclose.core.records import Deal, DealStatus
from tests.core.factories_revenue import (
    SOURCED,
    amounts,
    make_program,
    paid,
    partner,
    run,
    state_of,
    won,
)

D = Decimal  # short for literals


def test_a_deal_already_paid_is_an_error_and_is_not_paid_again() -> None:
    state = state_of(paid("D1", date(2026, 9, 30), "10000.00", "1000.00"))
    again = won("D1", date(2026, 10, 3), "10000.00", row=7)
    result = run([again], state=state)
    assert amounts(result, Component.REVENUE_SHARE) == {}
    (problem,) = result.problems
    assert problem.severity is Severity.ERROR
    assert (problem.sheet, problem.cell, problem.column) == ("Deals", "A7", "deal_id")
    assert problem.message == "deal D1 was already paid in the final close of 2026-09"


def test_a_deal_id_twice_in_the_period_is_paid_once_with_an_error() -> None:
    deals = [won("D1", date(2026, 10, 3), "100.00"), won("D1", date(2026, 10, 3), "200.00")]
    result = run(deals)
    assert amounts(result, Component.REVENUE_SHARE) == {"D1": D("10.00")}
    assert [p.severity for p in result.problems] == [Severity.ERROR]


def test_lost_and_open_deals_pay_nothing_silently() -> None:
    lost = won("D1", date(2026, 10, 3), "100.00")
    rows = [
        Deal(lost.partner_id, "D1", lost.close_date, "Core", SOURCED, D(100), DealStatus.LOST),
        Deal(lost.partner_id, "D2", lost.close_date, "Core", SOURCED, D(100), DealStatus.OPEN),
    ]
    result = run(rows)
    assert (result.lines, result.problems) == ((), ())


def test_won_deal_closed_outside_the_period_is_not_paid_with_a_warning() -> None:
    # after the period (one of an earlier period of the year is a late deal, rules.md P1)
    result = run([won("D1", date(2026, 11, 2), "100.00", row=5)])
    assert result.lines == ()
    (problem,) = result.problems
    assert (problem.severity, problem.cell) == (Severity.WARNING, "C5")


def test_earlier_deal_repeated_by_a_crm_export_is_skipped_silently() -> None:
    state = state_of(paid("D1", date(2026, 9, 30), "100.00", "10.00"))
    result = run([won("D1", date(2026, 9, 30), "100.00")], state=state)
    assert (result.lines, result.problems) == ((), ())


def test_partner_not_taking_part_is_not_paid_with_a_warning() -> None:
    program = make_program(partners=(partner("P001", start=date(2026, 11, 1)),))
    result = run([won("D1", date(2026, 10, 3), "100.00", row=4)], program=program)
    assert result.lines == ()
    assert "P001" not in result.partners
    (problem,) = result.problems
    assert problem.severity is Severity.WARNING
    assert problem.message == "P001 does not take part in 2026-10: deal D1 is not settled"
    assert problem.cell == "P4"


def test_partner_with_an_unknown_plan_gets_a_warning_and_no_lines() -> None:
    program = make_program(partners=(partner("P001", "Platinum"),))
    result = run([won("D1", date(2026, 10, 3), "100.00")], program=program)
    assert result.lines == ()
    assert "P001" not in result.partners
    (problem,) = result.problems  # one warning on the partner, none per deal
    assert (
        problem.message
        == 'plan "Platinum" of P001 is not in Plans: no revenue share or co-marketing'
    )
