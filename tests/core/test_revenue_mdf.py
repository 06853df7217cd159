"""R7 Co-marketing (MDF)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from partnerclose.core.lines import Component
from partnerclose.core.problems import Severity
from partnerclose.core.records import Campaign, Mode, Plan
from partnerclose.core.revenue import RevenueResult, RevenueState, compute_revenue
from tests.core.factories_revenue import OCT, campaign, gold, make_program, partner

D = Decimal  # short for literals


def run(campaigns: Sequence[Campaign], plan: Plan) -> RevenueResult:
    program = make_program(plans=(plan,), partners=(partner("P001"), partner("P002")))
    return compute_revenue(program, OCT, (), campaigns, RevenueState())


def reimbursed(result: RevenueResult) -> dict[tuple[str, str], D]:
    return {(x.partner_id, x.item): x.amount for x in result.lines if x.component is Component.MDF}


# Example R-d: Gold co-funds 50 % up to 4,000.00.
R_D_PLAN = gold(mdf_pct="0.5", mdf_cap="4000.00")
R_D = [
    campaign("C3", "1000.00", approved=False, row=4),
    campaign("C2", "4000.00", row=3),
    campaign("C1", "5000.00", row=2),
]


def test_example_r_d() -> None:
    result = run(R_D, R_D_PLAN)
    # C1: 5,000 x 50 % = 2,500.00; C2: 4,000 x 50 % = 2,000 > 1,500.00 left; C3 unapproved
    assert reimbursed(result) == {("P001", "C1"): D("2500.00"), ("P001", "C2"): D("1500.00")}
    c1, c2 = result.lines
    assert (c1.rule, c1.quantity, c1.rate, c1.status) == ("R7", D("5000.00"), D("0.5"), "")
    assert c2.status == "capped at the period cap of 4000.00"
    (info,) = result.problems
    assert (info.severity, info.cell, info.column) == (Severity.INFO, "F4", "approved")
    assert info.message == "campaign C3 is not approved: nothing reimbursed"


def test_cap_used_up_gives_no_line_and_an_info() -> None:
    rows = [campaign("C1", "8000.00"), campaign("C2", "10.00", row=3)]
    result = run(rows, R_D_PLAN)
    assert reimbursed(result) == {("P001", "C1"): D("4000.00")}
    (info,) = result.problems
    assert (info.severity, info.cell) == (Severity.INFO, "B3")
    assert "cap of 4000.00 for the period is used up" in info.message


def test_each_partner_has_its_own_cap() -> None:
    rows = [campaign("C1", "8000.00"), campaign("C9", "8000.00", partner_id="P002")]
    result = run(rows, R_D_PLAN)
    assert reimbursed(result) == {("P001", "C1"): D("4000.00"), ("P002", "C9"): D("4000.00")}


def test_no_cap_reimburses_everything_rounded() -> None:
    result = run([campaign("C1", "1234.50")], Plan("Gold", Mode.MARGINAL, mdf_cofund_pct=D("0.03")))
    assert reimbursed(result) == {("P001", "C1"): D("37.04")}  # 37.035 half up


def test_no_cofunding_gives_no_line_and_no_message() -> None:
    result = run([campaign("C1", "5000.00")], gold())
    assert (result.lines, result.problems) == ((), ())


def test_campaign_of_a_partner_not_taking_part_is_a_warning() -> None:
    program = make_program(plans=(R_D_PLAN,), partners=(partner("P001", start=date(2026, 11, 1)),))
    result = compute_revenue(program, OCT, (), [campaign("C1", "100.00")], RevenueState())
    assert result.lines == ()
    assert [p.severity for p in result.problems] == [Severity.WARNING]
