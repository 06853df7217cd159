"""Four consecutive final closes; carried state checked on numbers worked by hand.

Program: CRM 12,000.00 by usage with a ±25 % guardrail; OFFICE 9,000.00 equal
with a budget of 8,000.00 (the reserve cushions 1,000.00 a month); reserve
opening 10,000.00 and 100.00 fixed contribution per partner. P001 is on Gold
(marginal: 10 % from 0, 15 % from 100,000), P002 on Silver (retroactive: 8 %
from 0, 12 % from 100,000). M1 pays P001 on activation_rate (0.40 / 0.60 /
0.80 -> 2,000 / 10,000 / 15,000), once, verification required. December is
declared a shock (factor 0.8).
"""

from __future__ import annotations

import copy
import itertools
from datetime import date
from decimal import Decimal as D
from pathlib import Path

from partnerclose.core.lines import Component
from partnerclose.core.period import Period
from partnerclose.pipeline import CloseOutcome, Status, run_close
from tests.workbook_files import Sheets, write_workbook

OCT, NOV, DEC, JAN = Period(2026, 10), Period(2026, 11), Period(2026, 12), Period(2027, 1)

PROGRAM: Sheets = {
    "Program": [
        ["key", "value"],
        ["program_name", "Carry-over"],
        ["reserve_opening_balance", 10000],
        ["reserve_fixed_contribution", 100],
        ["shock_factor", 1],
    ],
    "Partners": [
        ["partner_id", "name", "plan", "status"],
        ["P001", "Acme", "Gold", "active"],
        ["P002", "Beta", "Silver", "active"],
    ],
    "CostPools": [
        ["pool_id", "name", "amount", "basis", "budget", "max_change_pct"],
        ["CRM", "CRM licences", 12000, "usage", None, 0.25],
        ["OFFICE", "Office", 9000, "equal", 8000, None],
    ],
    "Commitments": [
        ["partner_id", "pool_id"],
        ["HOST", "CRM"],
        ["P001", "CRM"],
        ["P002", "CRM"],
        ["HOST", "OFFICE"],
        ["P001", "OFFICE"],
        ["P002", "OFFICE"],
    ],
    "Plans": [["plan", "mode"], ["Gold", "marginal"], ["Silver", "retroactive"]],
    "RevenueTiers": [
        ["plan", "deal_type", "from_amount", "rate"],
        ["Gold", "sourced", 0, 0.10],
        ["Gold", "sourced", 100000, 0.15],
        ["Silver", "sourced", 0, 0.08],
        ["Silver", "sourced", 100000, 0.12],
    ],
    "Milestones": [
        [
            "milestone_id",
            "partner_id",
            "metric",
            "floor",
            "target",
            "cap",
            "floor_payout",
            "target_payout",
            "max_payout",
            "recurrence",
        ],
        ["M1", "P001", "activation_rate", 0.4, 0.6, 0.8, 2000, 10000, 15000, "once"],
    ],
    "Usage": [["partner_id", "pool_id", "units"], ["HOST", "CRM", 500]],
}

DEAL_HEADER = ["deal_id", "close_date", "product", "deal_type", "registered", "amount", "status"]


def partner(pid: str, period: Period, units: int, deals=(), metric=None) -> Sheets:
    sheets: Sheets = {
        "Partner": [["key", "value"], ["partner_id", pid], ["period", str(period)]],
        "Usage": [["pool_id", "units"], ["CRM", units]],
        "Deals": [
            DEAL_HEADER,
            *[[d, day, "Core", "sourced", "Y", amount, "won"] for d, day, amount in deals],
        ],
    }
    if metric is not None:
        value, verified = metric
        sheets["Metrics"] = [["metric", "value", "verified"], ["activation_rate", value, verified]]
    return sheets


MONTHS = {
    OCT: (
        partner("P001", OCT, 300, [("D1", date(2026, 10, 5), 90000)], (0.5, "N")),
        partner("P002", OCT, 200, [("E1", date(2026, 10, 9), 80000)]),
        1,
    ),
    NOV: (
        partner("P001", NOV, 100, [("D2", date(2026, 11, 5), 30000)], (0.5, "Y")),
        partner("P002", NOV, 400, [("E2", date(2026, 11, 9), 40000)]),
        1,
    ),
    DEC: (partner("P001", DEC, 100, [], (0.7, "Y")), partner("P002", DEC, 400), 0.8),
    JAN: (
        partner("P001", JAN, 100, [("D4", date(2027, 1, 5), 10000)], (0.7, "Y")),
        partner("P002", JAN, 400),
        1,
    ),
}


def close(folder: Path, period: Period) -> CloseOutcome:
    p001, p002, shock = MONTHS[period]
    program = copy.deepcopy(PROGRAM)
    program["Program"][4][1] = shock  # finance declares the shock in the program workbook
    path = write_workbook(folder / "program.xlsx", program)
    write_workbook(folder / "partners" / f"P001_{period}.xlsx", p001)
    write_workbook(folder / "partners" / f"P002_{period}.xlsx", p002)
    outcome = run_close(path, period, final=True)
    assert outcome.status is Status.CLOSED, (outcome.message, outcome.problems)
    return outcome


def amounts(outcome: CloseOutcome, pid: str) -> dict[tuple[str, str], D]:
    assert outcome.result is not None
    return {
        (line.component.value, line.item): line.amount
        for line in outcome.result.lines_of(pid)
        if line.amount
    }


def test_state_carries_from_period_to_period(tmp_path):
    oct_ = close(tmp_path, OCT)
    # CRM by usage 500/300/200; OFFICE 9,000 - draw 1,000 = 8,000 in three equal parts.
    # D1 90,000 at 10 %; E1 80,000 at 8 %; M1 at 0.5: 2,000 + 8,000 x 0.5 = 6,000, held.
    assert amounts(oct_, "P001") == {
        ("cost_share", "CRM"): D("-3600.00"),
        ("cost_share", "OFFICE"): D("-2666.67"),
        ("reserve_contribution", ""): D("-100.00"),
        ("revenue_share", "D1"): D("9000.00"),
    }
    assert oct_.result is not None
    assert oct_.result.net("P002") == D("-2400.00") - D("2666.66") - D(100) + D("6400.00")
    assert oct_.result.costs.reserve.closing == D("9200.00")  # 10,000 - 1,000 + 200
    [m1] = oct_.result.milestones.details
    assert (m1.held_after, m1.paid) == (D("6000.00"), D(0))

    nov = close(tmp_path, NOV)
    # CRM 6,000 / 1,200 / 4,800 computed; guardrail bands from October:
    # P001 [2,700, 4,500] -> held up at 2,700 (line -1,500); P002 [1,800, 3,000] -> 3,000
    # (line +1,800); HOST takes the opposite, -300.
    # D2: YTD 90,000 -> 120,000: 10,000 x 10 % + 20,000 x 15 % = 4,000.
    # M1 verified: the 6,000 held is released; the curve (6,000) is already accrued.
    assert amounts(nov, "P001") == {
        ("cost_share", "CRM"): D("-1200.00"),
        ("guardrail", "CRM"): D("-1500.00"),
        ("cost_share", "OFFICE"): D("-2666.67"),
        ("reserve_contribution", ""): D("-100.00"),
        ("revenue_share", "D2"): D("4000.00"),
        ("milestone_release", "M1"): D("6000.00"),
    }
    # E2: YTD 120,000 reaches 12 %: 4,800; true-up 80,000 x 12 % - 6,400 = 3,200.
    assert amounts(nov, "P002") == {
        ("cost_share", "CRM"): D("-4800.00"),
        ("guardrail", "CRM"): D("1800.00"),
        ("cost_share", "OFFICE"): D("-2666.66"),
        ("reserve_contribution", ""): D("-100.00"),
        ("revenue_share", "E2"): D("4800.00"),
        ("true_up", "Silver"): D("3200.00"),
    }
    assert amounts(nov, "HOST")[("guardrail", "CRM")] == D("-300.00")
    assert nov.result is not None
    assert nov.result.costs.reserve.closing == D("8400.00")
    assert nov.result.key_figures["P001"]["ytd_revenue"] == D("120000")

    dec = close(tmp_path, DEC)
    # Bands from November: P001 [2,025, 3,375] -> -825; P002 [2,250, 3,750] -> +1,050.
    # M1 at 0.7: 10,000 + 5,000 x 0.5 = 12,500; accrued 6,000 -> due 6,500;
    # shock 0.8 pays 5,200 and defers 1,300.
    assert amounts(dec, "P001") == {
        ("cost_share", "CRM"): D("-1200.00"),
        ("guardrail", "CRM"): D("-825.00"),
        ("cost_share", "OFFICE"): D("-2666.67"),
        ("reserve_contribution", ""): D("-100.00"),
        ("milestone", "M1"): D("5200.00"),
    }
    assert dec.result is not None
    [m1] = dec.result.milestones.details
    assert m1.deferred_after == D("1300.00")
    assert dec.result.net("P002") == D("-4800.00") + D("1050.00") - D("2666.66") - D(100)
    assert dec.result.costs.reserve.closing == D("7600.00")

    jan = close(tmp_path, JAN)
    # Bands from December: P001 [1,518.75, 2,531.25] -> -318.75; P002 [2,812.50, 4,687.50]
    # -> +112.50. The fiscal year restarts: D4 10,000 at 10 % = 1,000. Factor back to 1:
    # the 1,300 deferred is released; the curve (12,500) is fully accrued.
    assert amounts(jan, "P001") == {
        ("cost_share", "CRM"): D("-1200.00"),
        ("guardrail", "CRM"): D("-318.75"),
        ("cost_share", "OFFICE"): D("-2666.67"),
        ("reserve_contribution", ""): D("-100.00"),
        ("revenue_share", "D4"): D("1000.00"),
        ("deferred_release", "M1"): D("1300.00"),
    }
    assert jan.result is not None
    assert jan.result.net("P001") == D("-1985.42")
    assert amounts(jan, "HOST")[("guardrail", "CRM")] == D("206.25")
    assert jan.result.costs.reserve.closing == D("6800.00")
    lines = jan.result.lines
    assert sum(
        line.amount
        for line in lines
        if line.component in (Component.COST_SHARE, Component.GUARDRAIL) and line.item == "CRM"
    ) == D("-12000.00")


def test_the_demo_closes_three_periods_in_a_row_and_carries_its_state(tmp_path):
    from partnerclose.demo import write_demo, write_partner_workbooks

    program = write_demo(tmp_path, partners=12, period=OCT, seed=7)
    outcomes = []
    for period in (OCT, NOV, DEC):
        if period != OCT:
            write_partner_workbooks(tmp_path, period)
        outcome = run_close(program, period, final=True)
        assert outcome.status is Status.CLOSED, (outcome.message, outcome.problems)
        assert outcome.result is not None
        outcomes.append(outcome.result)
    for before, after in itertools.pairwise(outcomes):
        # The reserve closes one month where it opens the next.
        assert after.costs.reserve.opening == before.costs.reserve.closing
        # Year-to-date volume carries (same fiscal year).
        for pid, revenue in after.revenue.partners.items():
            if pid in before.revenue.partners:
                assert revenue.ytd_before == before.revenue.partners[pid].ytd_after
        # Guardrails look at last month's allocation after guardrail.
        last = {
            (pid, pool.pool_id): p.allocation_after_guardrail
            for pool in before.costs.pools
            for p in pool.participants
            for pid in [p.partner_id]
        }
        for pool in after.costs.pools:
            for p in pool.participants:
                if p.previous_allocation is not None:
                    assert p.previous_allocation == last[(p.partner_id, pool.pool_id)]
        # Milestones: what was held or deferred is either still held or released.
        held_before = sum(d.held_after for d in before.milestones.details)
        assert held_before == sum(before.next_state.milestones.held.values())
    assert any(
        p.previous_allocation is not None and p.band is not None
        for pool in outcomes[1].costs.pools
        for p in pool.participants
    )


def test_close_progress_is_quiet_in_a_pipe(tmp_path):
    import subprocess
    import sys

    from tests.workbook_files import write_program

    program = write_program(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "partnerclose", "close", str(program), "--period", "2026-10"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "\r" not in done.stderr
    assert "Closed 2026-10 (draft)" in done.stdout
