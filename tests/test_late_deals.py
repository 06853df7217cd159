"""Late deals and late reversals (rules.md P1), through workbook files.

Example P-a: Gold (marginal; sourced from 0 -> 10 %, from 100,000 -> 15 %). P001's
YTD before October is 90,000.00 from a final September. October's workbook has D9,
won, closed 2026-09-28, 5,000.00 (not paid in September), and D10, closed
2026-10-05, 10,000.00: D9 first, [90,000, 95,000) -> 500.00, late; D10 5,000 x 10 %
+ 5,000 x 15 % = 1,250.00; YTD after 105,000.00.
"""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal as D
from pathlib import Path

from partnerclose.core.lines import Component
from partnerclose.core.period import Period
from partnerclose.core.problems import Severity
from partnerclose.pipeline import CloseOutcome, Status, run_close
from tests.workbook_files import DEALS_HEADER, PROGRAM, Sheets, write_workbook

SEP, OCT, NOV = Period(2026, 9), Period(2026, 10), Period(2026, 11)
HEADER = DEALS_HEADER


def won(deal_id: str, day: date, amount: int) -> list[object]:
    return [deal_id, day, "Core", "sourced", "Y", amount, "won", None]


def program(plan: str = "Gold", clawback_days: int = 90) -> Sheets:
    sheets = copy.deepcopy(PROGRAM)
    sheets["Program"].append(["clawback_days", clawback_days])
    sheets["Partners"][1][2] = plan
    sheets["Plans"].append(["Silver", "retroactive"])
    sheets["RevenueTiers"] += [["Silver", "sourced", 0, 0.08], ["Silver", "sourced", 100000, 0.12]]
    return sheets


def close(folder: Path, period: Period, deals, sheets: Sheets, *, final: bool = True):
    path = write_workbook(folder / "program.xlsx", sheets)
    workbook = {
        "Partner": [["key", "value"], ["partner_id", "P001"], ["period", str(period)]],
        "Usage": [["pool_id", "units"], ["CRM", 100]],
        "Deals": [HEADER, *deals],
    }
    write_workbook(folder / "partners" / f"P001_{period}.xlsx", workbook)
    other = {
        "Partner": [["key", "value"], ["partner_id", "P002"], ["period", str(period)]],
        "Usage": [["pool_id", "units"], ["CRM", 100]],
    }
    write_workbook(folder / "partners" / f"P002_{period}.xlsx", other)
    outcome = run_close(path, period, final=final)
    assert outcome.status is Status.CLOSED, (outcome.message, outcome.problems)
    assert outcome.result is not None
    return outcome


def lines(outcome: CloseOutcome, component: Component) -> dict[str, tuple[D, str]]:
    assert outcome.result is not None
    return {
        line.item: (line.amount, line.status)
        for line in outcome.result.lines_of("P001")
        if line.component is component
    }


def messages(outcome: CloseOutcome, severity: Severity) -> list[str]:
    return [p.message for p in outcome.problems if p.severity is severity]


def test_example_p_a_a_late_deal_is_paid_first_in_the_next_close(tmp_path):
    sheets = program()
    close(tmp_path, SEP, [won("D8", date(2026, 9, 5), 90000)], sheets)
    october = close(
        tmp_path,
        OCT,
        [won("D10", date(2026, 10, 5), 10000), won("D9", date(2026, 9, 28), 5000)],
        sheets,
    )
    assert lines(october, Component.REVENUE_SHARE) == {
        "D9": (D("500.00"), "late: closed 2026-09-28"),
        "D10": (D("1250.00"), ""),
    }
    assert october.result is not None
    assert october.result.revenue.partners["P001"].ytd_after == D("105000.00")
    # paid now, so a later workbook repeating it pays nothing and says nothing
    november = close(tmp_path, NOV, [won("D9", date(2026, 9, 28), 5000)], sheets)
    assert lines(november, Component.REVENUE_SHARE) == {}
    assert not any("D9" in m for m in messages(november, Severity.WARNING))


def test_a_late_deal_lifts_the_retroactive_bracket_and_the_true_up(tmp_path):
    sheets = program("Silver")
    close(tmp_path, SEP, [won("E1", date(2026, 9, 10), 80000)], sheets)  # 8 %: 6,400.00
    october = close(
        tmp_path,
        OCT,
        [won("E9", date(2026, 9, 29), 15000), won("E10", date(2026, 10, 6), 10000)],
        sheets,
    )
    # YTD 80,000 + 15,000 (late) + 10,000 = 105,000 reaches 12 %:
    # E9 1,800.00, E10 1,200.00; E1 trued up 80,000 x 12 % - 6,400.00 = 3,200.00.
    assert lines(october, Component.REVENUE_SHARE) == {
        "E9": (D("1800.00"), "late: closed 2026-09-29"),
        "E10": (D("1200.00"), ""),
    }
    assert lines(october, Component.TRUE_UP)["Silver"][0] == D("3200.00")


def test_a_late_deal_of_an_earlier_fiscal_year_is_not_paid_and_says_how_to_settle_it(
    tmp_path,
):
    october = close(tmp_path, OCT, [won("D7", date(2025, 12, 20), 5000)], program())
    assert lines(october, Component.REVENUE_SHARE) == {}
    assert [m for m in messages(october, Severity.WARNING) if "D7" in m] == [
        "deal D7 closed on 2025-12-20, in an earlier fiscal year: not paid; to settle it, add "
        "an Adjustments row for it (rules.md P2)"
    ]


def test_a_late_reversal_is_applied_once_with_the_window_from_its_own_date(tmp_path):
    sheets = program()
    close(tmp_path, SEP, [won("D8", date(2026, 9, 5), 90000)], sheets)  # 9,000.00
    refund = ["D8R", date(2026, 9, 30), "Core", "sourced", "Y", 9000, "refunded", "D8"]
    october = close(tmp_path, OCT, [refund], sheets)
    # 25 days after D8 closed, within 90: -round(9,000 / 90,000 x 9,000.00)
    assert lines(october, Component.CLAWBACK) == {
        "D8R": (D("-900.00"), "reverses D8; late: dated 2026-09-30")
    }
    november = close(tmp_path, NOV, [refund], sheets)  # the row again: applied already
    assert lines(november, Component.CLAWBACK) == {}


def test_a_late_reversal_outside_the_window_claws_back_nothing(tmp_path):
    sheets = program(clawback_days=20)
    close(tmp_path, SEP, [won("D8", date(2026, 9, 5), 90000)], sheets)
    refund = ["D8R", date(2026, 9, 30), "Core", "sourced", "Y", 9000, "refunded", "D8"]
    october = close(tmp_path, OCT, [refund], sheets)
    assert lines(october, Component.CLAWBACK) == {}  # 25 days > 20: R5's window
    assert any("D8R" in m for m in messages(october, Severity.INFO))
