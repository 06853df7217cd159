"""Which deal rows count (R1): errors, periods, partners taking part."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from partnerclose.core.lines import Component
from partnerclose.core.problems import Severity
from partnerclose.core.records import Deal, DealStatus
from partnerclose.core.revenue_model import RevenueState
from partnerclose.core.revenue_terms import eligible_deals, settled, terms_of
from tests.core.factories_revenue import (
    OCT,
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


# --- the helpers return (value, problems) (issue 17: one convention) ---------------


def test_terms_of_returns_the_terms_and_a_warning_per_partner_without_a_plan() -> None:
    program = make_program(partners=(partner("P001"), partner("P002", "Platinum")))
    terms, problems = terms_of(program, OCT)
    assert list(terms.plan_of) == ["P001"]
    assert list(terms.partners) == ["P001", "P002"]
    assert [p.message for p in problems] == [
        'plan "Platinum" of P002 is not in Plans: no revenue share or co-marketing'
    ]


def test_settled_says_whether_a_row_is_settled_and_warns_only_for_a_partner_not_taking_part():
    program = make_program(
        partners=(
            partner("P001"),
            partner("P002", "Platinum"),
            partner("P003", start=date(2026, 11, 1)),
        )
    )
    terms, _ = terms_of(program, OCT)
    on_gold, no_plan, later = (
        won(pid, date(2026, 10, 3), "100.00", partner_id=pid) for pid in ("P001", "P002", "P003")
    )
    assert settled(on_gold, "deal", terms) == (True, [])
    assert settled(no_plan, "deal", terms) == (False, [])  # warned about by terms_of
    ok, (warning,) = settled(later, "deal", terms)
    assert not ok
    assert warning.message == "P003 does not take part in 2026-10: deal P003 is not settled"


def test_eligible_deals_returns_the_won_deals_and_the_problems_of_the_rows_left_out() -> None:
    terms, _ = terms_of(make_program(), OCT)
    deals = [won("D1", date(2026, 10, 3), "100.00"), won("D1", date(2026, 10, 4), "200.00")]
    (by_partner, reversals), problems = eligible_deals(deals, terms, RevenueState())
    assert [d.amount for d in by_partner["P001"]] == [D("100.00")]
    assert reversals == []
    assert [p.message for p in problems] == ["deal D1 appears more than once in 2026-10"]
