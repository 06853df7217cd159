"""Scenario planning on terms and costs (issue 27, docs/scenarios.md), through workbook files.

The base is the small test program (tests/workbook_files.py): CRM 12,000.00 split on
usage HOST 500 / P001 300 / P002 200; Gold marginal 10 % from 0, 15 % from 100,000.
P001 brings D1 30,000.00 and D2 150,000.00: D2 spans the 100,000 bracket (YTD 30,000
to 180,000), so P001's revenue share is 3,000.00 + 7,000.00 + 80,000 × 15 % =
22,000.00.
"""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partnerclose.cli import main
from partnerclose.core.close import CloseResult
from partnerclose.core.lines import Component
from partnerclose.core.period import Period
from partnerclose.core.scenario import Scenario, ScenariosOutcome
from partnerclose.pipeline import UnknownScenarioError, run_scenarios
from partnerclose.reading.inputs import Inputs, load_inputs
from partnerclose.writing.scenarios_workbook import comparison
from tests.workbook_files import (
    DEALS_HEADER,
    MILESTONE_HEADER,
    P001,
    P002,
    PROGRAM,
    Sheets,
    write_program,
)

OCT = Period(2026, 10)
HEADER = ["scenario", "change", "sheet", "key", "column", "value", "note"]
SPANNING = ["D2", date(2026, 10, 5), "Core", "sourced", "Y", 150000, "won", None]


def scenarios_program(rows: list[list[object]], **sheets: list[list[object]]) -> Sheets:
    program = copy.deepcopy(PROGRAM)
    program["Scenarios"] = [HEADER, *rows]
    program.update(sheets)
    return program


def p001_with_spanning_deal() -> Sheets:
    p001 = copy.deepcopy(P001)
    p001["Deals"] = [DEALS_HEADER, [*P001["Deals"][1], None], SPANNING]
    return p001


def load(folder: Path, program: Sheets, p001: Sheets | None = None) -> Inputs:
    path = write_program(folder, program, {"P001": p001 or P001, "P002": P002})
    inputs = load_inputs(path, OCT)
    assert inputs.ok, [str(p) for p in inputs.problems]
    assert not inputs.scenario_problems, [str(p) for p in inputs.scenario_problems]
    return inputs


def outcome_of(inputs: Inputs, *names: str) -> ScenariosOutcome:
    outcome = run_scenarios(inputs, names)
    assert outcome is not None
    return outcome


def scenario(outcome: ScenariosOutcome, name: str) -> CloseResult:
    return next(s.result for s in outcome.scenarios if s.name == name)


def total(result: CloseResult, pid: str, *components: Component) -> D:
    return sum((line.amount for line in result.lines_of(pid) if line.component in components), D(0))


REVENUE = (Component.REVENUE_SHARE, Component.TRUE_UP)
COSTS = (Component.COST_SHARE, Component.GUARDRAIL)


def test_a_rate_change_on_a_spanning_deal_marginal_and_retroactive(tmp_path):
    top = "Gold / sourced / 100000"
    inputs = load(
        tmp_path,
        scenarios_program(
            [
                ["Gold 18 %", "set", "RevenueTiers", top, "rate", 0.18, "top rate 18 %"],
                ["Retroactive", "set", "Plans", "Gold", "mode", "retroactive", None],
                ["Retroactive 18 %", "set", "Plans", "Gold", "mode", "retroactive", None],
                ["Retroactive 18 %", "set", "RevenueTiers", top, "rate", "18%", None],
            ]
        ),
        p001_with_spanning_deal(),
    )
    outcome = outcome_of(inputs)
    assert total(outcome.actual, "P001", *REVENUE) == D("22000.00")
    # marginal: 30,000 × 10 % + 70,000 × 10 % + 80,000 × 18 % = 3,000 + 7,000 + 14,400
    assert total(scenario(outcome, "Gold 18 %"), "P001", *REVENUE) == D("24400.00")
    # retroactive: all 180,000 at the bracket reached, 15 % (then 18 %)
    assert total(scenario(outcome, "Retroactive"), "P001", *REVENUE) == D("27000.00")
    assert total(scenario(outcome, "Retroactive 18 %"), "P001", *REVENUE) == D("32400.00")
    # the costs do not move
    for s in outcome.scenarios:
        assert total(s.result, "P001", *COSTS) == D("-3600.00")
    # the comparison: P001's revenue_share row, actual then each scenario and its change
    table = comparison(outcome).comparison
    row = next(r for r in table.rows if r[0] == "P001" and r[2] == "revenue_share")
    assert row[3:5] == (D("22000.00"), D("24400.00"))
    assert row[5] == D("2400.00")


def test_a_pool_amount_change_with_a_guardrail_that_binds(tmp_path):
    program = scenarios_program(
        [["CRM +25 %", "factor", "CostPools", "CRM", "amount", 1.25, None]],
        CostPools=[
            ["pool_id", "name", "amount", "basis", "max_change_pct"],
            ["CRM", "CRM licences", 12000, "usage", 0.25],
        ],
        OpeningBalances=[
            ["partner_id", "balance", "pool_id", "milestone_id", "amount"],
            ["P001", "last_allocation", "CRM", None, -3000],
        ],
    )
    outcome = outcome_of(load(tmp_path, program))
    # actual: P001 3,600.00 within its band [2,250.00, 3,750.00]: no guardrail line
    assert total(outcome.actual, "P001", Component.GUARDRAIL) == 0
    # 15,000.00 × 300/1,000 = 4,500.00, held at 3,750.00: +750.00, the host −750.00
    crm = scenario(outcome, "CRM +25 %")
    assert total(crm, "P001", Component.COST_SHARE) == D("-4500.00")
    assert total(crm, "P001", Component.GUARDRAIL) == D("750.00")
    assert total(crm, "HOST", *COSTS) == D("-7500.00") - D("750.00")
    assert total(crm, "P002", *COSTS) == D("-3000.00")  # no allocation last period
    pools = comparison(outcome).pools.rows
    assert pools == (
        ("Actual", "CRM", D("12000"), D("0"), D("12000.00"), D("0.00"), "reconciles"),
        ("CRM +25 %", "CRM", D("15000.00"), D("0"), D("15000.00"), D("0.00"), "reconciles"),
    )


def test_a_shock_factor_on_milestones(tmp_path):
    milestone = ["M1", "P001", None, "certified_staff", 0, 10, 20, 0, 10000, 15000]
    program = scenarios_program(
        [["Shock 0.6", "set", "Program", "shock_factor", None, 0.6, "supplier shock"]],
        Milestones=[MILESTONE_HEADER, [*milestone, "linear", "once", None, None, "N"]],
        Metrics=[["partner_id", "metric", "value"], ["P001", "certified_staff", 10]],
    )
    outcome = outcome_of(load(tmp_path, program))
    assert total(outcome.actual, "P001", Component.MILESTONE) == D("10000.00")
    # M5: round(10,000.00 × 0.6) now, 4,000.00 deferred
    shock = scenario(outcome, "Shock 0.6")
    assert total(shock, "P001", Component.MILESTONE) == D("6000.00")
    assert comparison(outcome).notes == ("supplier shock",)


def test_a_reserve_contribution_change_that_reaches_the_cap(tmp_path):
    program = scenarios_program(
        [["Double", "factor", "Program", "reserve_fixed_contribution", None, 2, None]]
    )
    program["Program"] += [["reserve_fixed_contribution", 250], ["reserve_cap", 10800]]
    outcome = outcome_of(load(tmp_path, program))
    # actual: 10,000.00 + 2 × 250.00 = 10,500.00, below the cap
    assert outcome.actual.costs.reserve.closing == D("10500.00")
    assert total(outcome.actual, "P001", Component.RESERVE_CONTRIBUTION) == D("-250.00")
    # doubled: 2 × 500.00 would reach 11,000.00; scaled to the 800.00 that fits, 400.00 each
    doubled = scenario(outcome, "Double")
    assert doubled.costs.reserve.closing == D("10800.00")
    assert total(doubled, "P001", Component.RESERVE_CONTRIBUTION) == D("-400.00")
    assert total(doubled, "P002", Component.RESERVE_CONTRIBUTION) == D("-400.00")
    reserve = comparison(outcome).reserve.rows
    assert [(r[0], r[5], r[7]) for r in reserve] == [
        ("Actual", D("10500.00"), ""),
        ("Double", D("10800.00"), "at the cap"),
    ]


def test_a_new_partner_joins_the_pool(tmp_path):
    rows = [
        ["Gamma joins", "add", "Partners", "P003", None, "P002", None],
        ["Gamma joins", "set", "Partners", "P003", "name", "Gamma Group", None],
        ["Gamma joins", "add", "Commitments", "P003 / CRM", None, "P002 / CRM", None],
        ["Gamma joins", "add", "Usage", "CRM / P003", None, "CRM / P002", "as much as Beta"],
    ]
    outcome = outcome_of(load(tmp_path, scenarios_program(rows)))
    gamma = scenario(outcome, "Gamma joins")
    # usage 500 / 300 / 200 / 200 of 1,200: 5,000.00 / 3,000.00 / 2,000.00 / 2,000.00
    assert {pid: total(gamma, pid, *COSTS) for pid in gamma.participants} == {
        "HOST": D("-5000.00"),
        "P001": D("-3000.00"),
        "P002": D("-2000.00"),
        "P003": D("-2000.00"),
    }
    assert "P003" not in outcome.actual.participants
    row = next(r for r in comparison(outcome).comparison.rows if r[0] == "P003" and r[2] == "net")
    assert row[1:] == ("Gamma Group", "net", D(0), D("-2000.00"), D("-2000.00"))


def test_rows_that_refer_to_nothing_are_errors_at_their_cell(tmp_path):
    rows = [
        ["A", "set", "RevenueTier", "Gold", "rate", 0.1, None],
        ["A", "set", "Plans", "Gld", "mode", "retroactive", None],
        ["A", "set", "Plans", "Gold", "mod", "retroactive", None],
        ["A", "set", "Plans", "Gold", "mode", "retro", None],
        ["A", "factor", "Program", "reserve_savings_pc", None, 2, None],
        ["A", "factor", "Usage", "CRN", None, 2, None],
        ["A", "add", "Partners", "P001", None, "P002", None],
        ["A", "set", "Partners", "PO01", "name", "x", None],
        ["A", "factor", "CostPools", "CRM", "amount", -1, None],
    ]
    path = write_program(tmp_path, scenarios_program(rows))
    inputs = load_inputs(path, OCT)
    assert inputs.ok  # a what-if's mistakes do not stop a close
    assert [str(p) for p in inputs.scenario_problems] == [
        'program.xlsx:Scenarios!C2: sheet "RevenueTier" cannot be changed by a scenario; '
        'did you mean "RevenueTiers"?',
        'program.xlsx:Scenarios!D3: no Plans row has the key "Gld"; did you mean "Gold"?',
        'program.xlsx:Scenarios!E4: column "mod" is not a column of Plans; did you mean "mode"?',
        'program.xlsx:Scenarios!F5: value: mode must be one of marginal, retroactive, got "retro"; '
        'did you mean "retroactive"?',
        'program.xlsx:Scenarios!D6: "reserve_savings_pc" is not a Program setting; '
        'did you mean "reserve_savings_pct"?',
        'program.xlsx:Scenarios!D7: no pool_id "CRN" in the program; did you mean "CRM"?',
        'program.xlsx:Scenarios!D8: Partners already has a row "P001"; change it with set',
        'program.xlsx:Scenarios!D9: no Partners row has the key "PO01"; did you mean "P001"?',
        'program.xlsx:Scenarios!F10: factor must be a number ≥ 0 (1.2 for +20 %), got "-1"',
    ]
    assert inputs.scenarios == ()
    with pytest.raises(UnknownScenarioError, match='no scenario "B"'):
        run_scenarios(inputs, ["B"])


@settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    amount=st.integers(min_value=1, max_value=400_000),
    units=st.integers(min_value=0, max_value=900),
)
def test_no_changes_give_the_actual_lines_and_a_scenario_is_deterministic(
    tmp_path_factory, amount, units
):
    p001 = copy.deepcopy(P001)
    p001["Usage"] = [["pool_id", "units"], ["CRM", units]]
    p001["Deals"] = [
        DEALS_HEADER,
        ["D1", date(2026, 10, 3), "Core", "sourced", "Y", amount, "won", None],
    ]
    rows = [
        ["Up", "factor", "Deals", None, None, 1.1, None],
        ["Up", "set", "RevenueTiers", "Gold / sourced / 100000", "rate", 0.2, None],
        ["Other", "factor", "CostPools", "CRM", "amount", 0.5, None],
    ]
    inputs = load(tmp_path_factory.mktemp("p"), scenarios_program(rows), p001)
    empty = Scenario("nothing", ())
    outcome = run_scenarios(inputs, ["Up"], extra=[empty])
    assert outcome is not None
    assert scenario(outcome, "nothing").lines == outcome.actual.lines
    # the same scenario twice, and beside another: the same lines each time
    again = run_scenarios(inputs, ["Other", "Up"])
    assert again is not None
    assert scenario(again, "Up").lines == scenario(outcome, "Up").lines
    assert (
        comparison(again).comparison.rows
        == comparison(run_scenarios(inputs, ["Other", "Up"])).comparison.rows
    )  # type: ignore[arg-type]


def test_whatif_writes_scenarios_xlsx_and_never_touches_the_ledger(tmp_path, capsys):
    rows = [["Gold 18 %", "set", "RevenueTiers", "Gold / sourced / 100000", "rate", 0.18, None]]
    path = write_program(
        tmp_path, scenarios_program(rows), {"P001": p001_with_spanning_deal(), "P002": P002}
    )
    assert main(["whatif", str(path), "--period", "2026-10"]) == 0
    out = capsys.readouterr().out
    assert "Gold 18 %: 18,400.00 (+2,400.00)" in out
    book = openpyxl.load_workbook(tmp_path / "scenarios.xlsx")
    assert book.sheetnames == ["Comparison", "Pools", "Margin check", "Reserve", "Notes"]
    sheet = book["Comparison"]
    assert [c.value for c in sheet[2]] == [
        "participant",
        "name",
        "component",
        "Actual",
        "Gold 18 %",
        "Gold 18 % − actual",
    ]
    revenue = next(
        r
        for r in sheet.iter_rows(min_row=3, values_only=True)
        if r[:3] == ("P001", "Acme Analytics", "revenue_share")
    )
    assert revenue[3:6] == (22000, 24400, 2400)
    assert len(sheet._charts) == 1
    assert len(book["Reserve"]._charts) == 1
    assert not list(tmp_path.glob("*.sqlite"))


def test_close_with_scenarios_puts_the_comparison_in_the_output_folder(tmp_path):
    rows = [["Half CRM", "factor", "CostPools", "CRM", "amount", 0.5, None]]
    path = write_program(tmp_path, scenarios_program(rows))
    assert main(["close", str(path), "--period", "2026-10", "--no-pdf", "--with-scenarios"]) == 0
    book = openpyxl.load_workbook(tmp_path / "close-2026-10" / "scenarios.xlsx")
    pools = list(book["Pools"].iter_rows(min_row=3, values_only=True))
    assert [(r[0], r[4]) for r in pools] == [("Actual", 12000), ("Half CRM", 6000)]
    # the close itself is the actual one: lines.csv holds P001's 3,600.00 of CRM
    lines = (tmp_path / "close-2026-10" / "lines.csv").read_text(encoding="utf-8")
    assert "2026-10,P001,cost_share,CRM,CRM licences (CRM): usage basis,300,0.3,-3600.00" in lines
    assert "-1800.00" not in lines
