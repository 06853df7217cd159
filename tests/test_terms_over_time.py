"""Terms that change over time (rules.md E1), through workbook files.

Example E-a: Gold's sourced bracket from 0 pays 10 % until 2026-09 and 12 % from
2026-10, in one program workbook. R1: each close pays the deals of its own
period, so the two deals are paid by two final closes of that workbook.
"""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal as D
from pathlib import Path

from partnerclose.core.lines import Component
from partnerclose.core.period import Period
from partnerclose.core.problems import Severity
from partnerclose.core.validity import in_force
from partnerclose.pipeline import Status, run_close
from partnerclose.reading.inputs import load_inputs
from tests.workbook_files import PROGRAM, Sheets, write_workbook

SEP, OCT = Period(2026, 9), Period(2026, 10)
DEAL_HEADER = ["deal_id", "close_date", "product", "deal_type", "registered", "amount", "status"]


def e_a_program() -> Sheets:
    program = copy.deepcopy(PROGRAM)
    program["RevenueTiers"] = [
        ["plan", "deal_type", "from_amount", "rate", "valid_from", "valid_to"],
        ["Gold", "sourced", 0, 0.10, None, "2026-09"],
        ["Gold", "sourced", 0, 0.12, "2026-10", None],
        ["Gold", "influenced", 0, 0.03, None, None],
    ]
    return program


def partner(pid: str, period: Period, deals: list[list[object]]) -> Sheets:
    return {
        "Partner": [["key", "value"], ["partner_id", pid], ["period", str(period)]],
        "Usage": [["pool_id", "units"], ["CRM", 100]],
        "Deals": [DEAL_HEADER, *deals],
    }


def write_month(folder: Path, program: Sheets, period: Period, deals: list[list[object]]) -> Path:
    path = write_workbook(folder / "program.xlsx", program)
    write_workbook(folder / "partners" / f"P001_{period}.xlsx", partner("P001", period, deals))
    write_workbook(folder / "partners" / f"P002_{period}.xlsx", partner("P002", period, []))
    return path


def revenue_share(outcome, deal_id: str) -> D:
    assert outcome.result is not None
    [line] = [
        line
        for line in outcome.result.lines
        if line.component is Component.REVENUE_SHARE and line.item == deal_id
    ]
    return line.amount


def test_example_e_a_one_workbook_pays_each_period_at_its_own_rate(tmp_path):
    program = e_a_program()
    path = write_month(
        tmp_path, program, SEP, [["D1", date(2026, 9, 14), "Core", "sourced", "Y", 10000, "won"]]
    )
    september = run_close(path, SEP, final=True)
    assert september.status is Status.CLOSED, september.problems
    assert revenue_share(september, "D1") == D("1000.00")  # 10,000 x 10 %

    path = write_month(
        tmp_path, program, OCT, [["D2", date(2026, 10, 6), "Core", "sourced", "Y", 10000, "won"]]
    )
    october = run_close(path, OCT, final=True)
    assert october.status is Status.CLOSED, october.problems
    assert revenue_share(october, "D2") == D("1200.00")  # 10,000 x 12 %, the same workbook
    assert october.inputs is not None
    assert october.inputs.program is not None
    # the close computed on October's rows only
    assert [t.rate for t in october.inputs.program.revenue_tiers] == [D("0.12"), D("0.03")]

    # September read again from the same workbook (a rerun) uses September's terms
    again = load_inputs(path, SEP)
    assert again.program is not None
    assert [t.rate for t in again.program.revenue_tiers] == [D("0.1"), D("0.03")]


def test_a_pool_s_amount_changes_from_a_period_on(tmp_path):
    program = copy.deepcopy(PROGRAM)
    program["CostPools"] = [
        ["pool_id", "name", "amount", "basis", "valid_from", "valid_to"],
        ["CRM", "CRM licences", 12000, "usage", None, "2026-09"],
        ["CRM", "CRM licences", 15000, "usage", "2026-10", None],
    ]
    path = write_month(tmp_path, program, OCT, [])
    outcome = run_close(path, OCT)
    assert outcome.status is Status.CLOSED, outcome.problems
    assert outcome.result is not None
    # usage HOST 500, P001 100, P002 100 of 700 units: 15,000 x 100 / 700 = 2,142.857...
    shares = {line.partner_id: line.amount for line in outcome.result.costs.lines}
    assert shares["P001"] == D("-2142.86")
    assert sum(shares.values()) == D("-15000.00")


def errors(folder: Path, program: Sheets) -> list[str]:
    path = write_month(folder, program, OCT, [])
    inputs = load_inputs(path, OCT)
    return [str(p) for p in inputs.problems if p.severity is Severity.ERROR]


def test_two_rows_of_one_key_valid_in_the_same_period_are_an_error_at_both(tmp_path):
    program = e_a_program()
    program["RevenueTiers"][2][4] = "2026-09"  # 12 % from September: overlaps 10 % to September
    assert errors(tmp_path, program) == [
        "program.xlsx:RevenueTiers!C2: bracket Gold / sourced / 0 has two rows valid in the "
        "same period (from 2026-09): this one (until 2026-09) and RevenueTiers!C3 (from "
        "2026-09); set valid_from/valid_to so that they do not overlap",
        "program.xlsx:RevenueTiers!C3: bracket Gold / sourced / 0 has two rows valid in the "
        "same period (from 2026-09): this one (from 2026-09) and RevenueTiers!C2 (until "
        "2026-09); set valid_from/valid_to so that they do not overlap",
    ]


def test_a_dated_row_and_an_undated_one_overlap(tmp_path):
    program = copy.deepcopy(PROGRAM)
    program["Plans"] = [
        ["plan", "mode", "valid_from"],
        ["Gold", "marginal", None],
        ["Gold", "retroactive", "2027-01"],
    ]
    assert errors(tmp_path, program) == [
        "program.xlsx:Plans!A2: plan Gold has two rows valid in the same period (from "
        "2027-01): this one (always) and Plans!A3 (from 2027-01); set valid_from/valid_to so "
        "that they do not overlap",
        "program.xlsx:Plans!A3: plan Gold has two rows valid in the same period (from "
        "2027-01): this one (from 2027-01) and Plans!A2 (always); set valid_from/valid_to so "
        "that they do not overlap",
    ]


def test_validity_cells_must_be_periods_in_order(tmp_path):
    program = copy.deepcopy(PROGRAM)
    program["Products"] = [
        ["product", "bonus_rate", "valid_from", "valid_to"],
        ["Core", 0, "2026-11", "2026-10"],
        ["Analytics", 0.02, "Oct 2026", None],
    ]
    found = errors(tmp_path, program)
    assert "program.xlsx:Products!D2: valid_to 2026-10 is before valid_from 2026-11" in found
    assert any(p.startswith("program.xlsx:Products!C3: ") and "YYYY-MM" in p for p in found), found


def test_in_force_keeps_the_same_program_without_validity_columns(tmp_path):
    path = write_month(tmp_path, copy.deepcopy(PROGRAM), OCT, [])
    inputs = load_inputs(path, OCT)
    assert inputs.program is not None
    assert in_force(inputs.program, OCT) is inputs.program
