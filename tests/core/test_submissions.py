"""Who was expected to send data for a period, who sent none, and a month with no workbook."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from partnerclose.core.problems import Severity
from partnerclose.core.records import (
    Loc,
    MetricValue,
    Partner,
    PartnerStatus,
    PeriodData,
    Program,
    Submission,
    Usage,
)
from partnerclose.core.submissions import (
    empty_period_problem,
    expected_partners,
    partners_without_data,
)
from tests.core.factories_revenue import OCT, D, campaign, make_program, partner, won

WHERE = Loc("program.xlsx", "Program", 0, {"partner_folder": "B5"})


def program(*partners: Partner) -> Program:
    base = make_program(partners=partners)
    return replace(base, settings=replace(base.settings, loc=WHERE))


def sent(partner_id: str) -> Submission:
    return Submission(partner_id, OCT, file=f"{partner_id}_2026-10.xlsx")


SEVEN = program(*(partner(f"P00{i}") for i in range(1, 8)))


def test_expected_are_the_active_partners_taking_part() -> None:
    prog = program(
        partner("P001"),
        replace(partner("P002"), status=PartnerStatus.EXITED),
        partner("P003", start=date(2026, 11, 1)),  # starts next month
        partner("P004"),
    )
    assert [p.partner_id for p in expected_partners(prog, OCT)] == ["P001", "P004"]


def test_a_partner_with_a_workbook_has_data_even_if_it_is_empty() -> None:
    data = PeriodData(submissions=(sent("P001"),))
    assert partners_without_data(program(partner("P001"), partner("P002")), OCT, data) == ("P002",)


def test_a_row_in_any_data_sheet_counts_as_data() -> None:
    data = PeriodData(
        usage=(Usage("P001", "CRM", D("0")),),  # zero units still reported
        deals=(won("D1", date(2026, 10, 3), "100.00", partner_id="P002"),),
        metrics=(MetricValue("P003", "nps", D("40")),),
        campaigns=(campaign("C1", "10.00", partner_id="P004"),),
    )
    assert partners_without_data(SEVEN, OCT, data) == ("P005", "P006", "P007")


def test_everyone_sent_a_workbook() -> None:
    data = PeriodData(submissions=tuple(sent(f"P00{i}") for i in range(1, 8)))
    assert partners_without_data(SEVEN, OCT, data) == ()


def test_a_month_with_workbooks_is_never_an_empty_period() -> None:
    data = PeriodData(submissions=(sent("P001"),))
    assert empty_period_problem(SEVEN, OCT, data, "partners/2026-10", False) is None


def test_no_workbook_but_every_partner_in_the_data_sheets_is_not_empty() -> None:
    prog = program(partner("P001"))
    data = PeriodData(usage=(Usage("P001", "CRM", D("5")),))
    assert empty_period_problem(prog, OCT, data, "partners/2026-10", False) is None


def test_no_workbook_at_all_is_an_error_naming_five_partners_and_more() -> None:
    problem = empty_period_problem(SEVEN, OCT, PeriodData(), "partners/2026-10", False)
    assert problem is not None
    assert (problem.severity, problem.sheet, problem.cell) == (Severity.ERROR, "Program", "B5")
    assert problem.message == (
        "no partner workbook of 2026-10 was found in partners/2026-10, and 7 active partners "
        "(P001, P002, P003, P004, P005, …) sent no data for it; check the period and the "
        "partner folder, or allow a close without partner data (--allow-empty)"
    )


def test_allowed_empty_month_is_an_info_for_one_partner() -> None:
    problem = empty_period_problem(program(partner("P001")), OCT, PeriodData(), "x", True)
    assert problem is not None
    assert (problem.severity, problem.message) == (
        Severity.INFO,
        "closing 2026-10 with no partner workbooks, as allowed: 1 active partner (P001) sent "
        "no data for it, and each of their statements says so",
    )
