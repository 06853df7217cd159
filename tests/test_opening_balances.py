"""Opening balances (rules.md O1), through workbook files.

Example O-a is Example R-a run as the program's first close, its 90,000.00 of
YTD volume brought in by an `OpeningBalances` row instead of earlier final closes.
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
DEAL_HEADER = DEALS_HEADER
BALANCE_HEADER = ["partner_id", "balance", "pool_id", "milestone_id", "amount"]
OPENING_DEAL_HEADER = [
    "partner_id",
    "deal_id",
    "close_date",
    "deal_type",
    "product",
    "amount",
    "revenue_share",
]
R_A_DEALS = [
    ["D1", date(2026, 10, 3), "Core", "sourced", "Y", 30000, "won", None],
    ["D2", date(2026, 10, 12), "Analytics", "sourced", "Y", 150000, "won", None],
    ["D3", date(2026, 10, 20), "Core", "sourced", "N", 10000, "won", None],
]


def r_a_program(**sheets: list[list[object]]) -> Sheets:
    """Example R-a's Gold (10 % / 15 % from 100,000 / 20 % from 250,000, influenced
    3 %, Analytics bonus 2 %) on the small test program."""
    program = copy.deepcopy(PROGRAM)
    program["RevenueTiers"].insert(3, ["Gold", "sourced", 250000, 0.20])
    program.update(sheets)
    return program


def partner(pid: str, period: Period, deals=(), units: int = 100) -> Sheets:
    return {
        "Partner": [["key", "value"], ["partner_id", pid], ["period", str(period)]],
        "Usage": [["pool_id", "units"], ["CRM", units]],
        "Deals": [DEAL_HEADER, *deals],
    }


def close(
    folder: Path,
    program: Sheets,
    period: Period,
    p001_deals=(),
    units=(100, 100),
    *,
    final: bool = True,
) -> CloseOutcome:
    path = write_workbook(folder / "program.xlsx", program)
    write_workbook(
        folder / "partners" / f"P001_{period}.xlsx", partner("P001", period, p001_deals, units[0])
    )
    write_workbook(
        folder / "partners" / f"P002_{period}.xlsx", partner("P002", period, (), units[1])
    )
    return run_close(path, period, final=final)


def closed(outcome: CloseOutcome) -> CloseOutcome:
    assert outcome.status is Status.CLOSED, (outcome.message, outcome.problems)
    assert outcome.result is not None
    return outcome


def lines_of(outcome: CloseOutcome, pid: str, *components: Component) -> dict[str, D]:
    """item -> the sum of the partner's lines of those components."""
    assert outcome.result is not None
    found: dict[str, D] = {}
    for line in outcome.result.lines_of(pid):
        if line.component in components:
            found[line.item] = found.get(line.item, D(0)) + line.amount
    return found


def messages(outcome: CloseOutcome, severity: Severity) -> list[str]:
    return [str(p) for p in outcome.problems if p.severity is severity]


def test_example_o_a_opening_ytd_volume_pays_like_earlier_final_closes(tmp_path):
    opening = r_a_program(
        OpeningBalances=[BALANCE_HEADER, ["P001", "ytd_volume", None, None, 90000]]
    )
    first = closed(close(tmp_path / "opening", opening, OCT, R_A_DEALS))
    paid = lines_of(first, "P001", Component.REVENUE_SHARE)
    assert paid == {"D1": D("4000.00"), "D2": D("26500.00"), "D3": D("300.00")}
    assert first.result is not None
    assert first.result.revenue.partners["P001"].ytd_after == D("280000.00")

    # the same 90,000.00 from a September final close (Example R-a's own setting)
    history = tmp_path / "history"
    september = [["D0", date(2026, 9, 8), "Core", "sourced", "Y", 90000, "won", None]]
    closed(close(history, r_a_program(), SEP, september))
    from_ledger = closed(close(history, r_a_program(), OCT, R_A_DEALS))
    assert lines_of(from_ledger, "P001", Component.REVENUE_SHARE) == paid


def test_the_opening_volume_lasts_the_fiscal_year_and_the_sheets_are_then_ignored(tmp_path):
    opening = r_a_program(
        OpeningBalances=[BALANCE_HEADER, ["P001", "ytd_volume", None, None, 90000]]
    )
    closed(close(tmp_path, opening, OCT, R_A_DEALS[:1]))  # YTD 90,000 -> 120,000
    november = closed(
        close(
            tmp_path,
            opening,
            NOV,
            [["D5", date(2026, 11, 4), "Core", "sourced", "Y", 10000, "won", None]],
        )
    )
    # YTD before November: 90,000 (opening) + 30,000 (D1) = 120,000: 10,000 x 15 %
    assert lines_of(november, "P001", Component.REVENUE_SHARE) == {"D5": D("1500.00")}
    assert [m for m in messages(november, Severity.INFO) if "Opening" in m] == [
        "program.xlsx:OpeningBalances!A2: info: OpeningBalances is ignored: the ledger holds a "
        "final close (2026-10), whose state the close starts from"
    ]


def test_reserve_balance_and_contributions_take_the_place_of_a_final_close(tmp_path):
    program = r_a_program(
        OpeningBalances=[
            BALANCE_HEADER,
            ["HOST", "reserve_balance", None, None, 5000],
            ["P001", "reserve_contributions", None, None, 300],
        ]
    )
    program["Program"] = [
        ["key", "value"],
        ["program_name", "Test Program"],
        ["reserve_fixed_contribution", 100],
    ]
    october = closed(close(tmp_path, program, OCT))
    assert october.result is not None
    # 5,000.00 brought in + 100.00 from each partner, no draws (no budget)
    assert october.result.costs.reserve.opening == D("5000.00")
    assert october.result.costs.reserve.closing == D("5200.00")
    assert october.result.next_state.cost.contributions_to_date == {
        "P001": D("400.00"),
        "P002": D("100.00"),
    }


def test_reserve_balance_twice_is_an_error_at_both_cells(tmp_path):
    program = r_a_program(
        OpeningBalances=[BALANCE_HEADER, ["HOST", "reserve_balance", None, None, 5000]]
    )
    outcome = close(tmp_path, program, OCT)  # PROGRAM gives reserve_opening_balance 10,000
    assert outcome.status is Status.INVALID
    assert messages(outcome, Severity.ERROR) == [
        "program.xlsx:OpeningBalances!B2: the reserve balance is given twice: here and as "
        "reserve_opening_balance at Program!B4; keep one",
        "program.xlsx:Program!B4: the reserve balance is given twice: here and as a "
        "reserve_balance row at OpeningBalances!B2; keep one",
    ]


def test_last_allocation_is_the_guardrail_s_starting_point(tmp_path):
    program = r_a_program(
        OpeningBalances=[BALANCE_HEADER, ["P001", "last_allocation", "CRM", None, -2000]]
    )
    program["CostPools"] = [
        ["pool_id", "name", "amount", "basis", "max_change_pct"],
        ["CRM", "CRM licences", 12000, "usage", 0.25],
    ]
    october = closed(close(tmp_path, program, OCT, units=(300, 200)))
    # usage HOST 500, P001 300, P002 200 of 1,000: P001 3,600.00, P002 2,400.00.
    # P001's band around 2,000.00: [1,500.00, 2,500.00] -> held at 2,500.00: +1,100.00.
    # P002 had no allocation: not guarded. HOST takes the opposite.
    assert lines_of(october, "P001", Component.COST_SHARE, Component.GUARDRAIL) == {
        "CRM": D("-3600.00") + D("1100.00")
    }
    assert october.result is not None
    guard = {
        (line.partner_id, line.component): line.amount
        for line in october.result.lines
        if line.component is Component.GUARDRAIL
    }
    assert guard == {
        ("HOST", Component.GUARDRAIL): D("-1100.00"),
        ("P001", Component.GUARDRAIL): D("1100.00"),
    }


def test_a_refund_claws_back_an_opening_deal(tmp_path):
    program = r_a_program(
        OpeningDeals=[
            OPENING_DEAL_HEADER,
            ["P001", "D0950", date(2026, 9, 10), "sourced", "Core", 20000, 2000],
        ]
    )
    refund = [["D0950R", date(2026, 10, 5), "Core", "sourced", "Y", 5000, "refunded", "D0950"]]
    october = closed(close(tmp_path, program, OCT, refund))
    # 25 days after its close, within 90: -round(5,000 / 20,000 x 2,000.00)
    assert lines_of(october, "P001", Component.CLAWBACK) == {"D0950R": D("-500.00")}

    # kept by the ledger: November claws back again from the same opening deal
    again = [["D0950S", date(2026, 11, 2), "Core", "sourced", "Y", 2000, "refunded", "D0950"]]
    november = closed(close(tmp_path, program, NOV, again))
    assert lines_of(november, "P001", Component.CLAWBACK) == {"D0950S": D("-200.00")}


def test_a_retroactive_plan_trues_up_opening_deals(tmp_path):
    program = r_a_program(
        Plans=[["plan", "mode"], ["Gold", "retroactive"]],
        OpeningDeals=[
            OPENING_DEAL_HEADER,
            ["P001", "D0950", date(2026, 9, 10), "sourced", "Core", 95000, 9500],
        ],
    )
    deals = [["D1", date(2026, 10, 3), "Core", "sourced", "Y", 10000, "won", None]]
    october = closed(close(tmp_path, program, OCT, deals))
    # YTD 95,000 -> 105,000 reaches 15 %: D1 1,500.00; D0950 95,000 x 15 % - 9,500 = 4,750.00
    assert lines_of(october, "P001", Component.REVENUE_SHARE) == {"D1": D("1500.00")}
    assert lines_of(october, "P001", Component.TRUE_UP) == {"Gold": D("4750.00")}


def test_opening_rows_are_checked_at_their_cells(tmp_path):
    program = r_a_program(
        OpeningBalances=[
            BALANCE_HEADER,
            ["P0O1", "ytd_volume", None, None, 1000],
            ["P001", "last_allocation", None, None, 500],
            ["P002", "milestone_paid", None, "M9", 100],
            ["P001", "ytd_volume", None, None, 1000],
            ["P001", "ytd_volume", None, None, 6000],
        ],
        OpeningDeals=[
            OPENING_DEAL_HEADER,
            ["P001", "D0951", date(2026, 10, 1), "sourced", "Core", 100, 10],
            ["P001", "D0952", date(2026, 9, 1), "sourced", "Core", 5000, 500],
        ],
    )
    outcome = close(tmp_path, program, OCT)
    assert outcome.status is Status.INVALID
    assert sorted(messages(outcome, Severity.ERROR)) == [
        'program.xlsx:OpeningBalances!A2: unknown partner "P0O1"; did you mean "P001"?',
        "program.xlsx:OpeningBalances!B6: duplicate ytd_volume for P001, first at "
        "OpeningBalances!B5",
        "program.xlsx:OpeningBalances!C3: last_allocation needs a pool_id",
        'program.xlsx:OpeningBalances!D4: unknown milestone "M9"',
        "program.xlsx:OpeningBalances!E3: last_allocation is a cost share, so negative (e.g. "
        "-500), got 500",
        "program.xlsx:OpeningBalances!E5: ytd_volume 1000 is less than P001's opening deals of "
        "the fiscal year (5100), which it includes",
        "program.xlsx:OpeningDeals!C2: an opening deal closed before the first close: "
        "2026-10-01 is not before 2026-10",
    ]
