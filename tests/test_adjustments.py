"""Manual adjustments (rules.md P2), through workbook files.

Example P-b: an Adjustments row (2026-10, P003, other, 250.00, "goodwill credit
for the September outage") becomes a line `adjustment` +250.00 for P003 in the
October close, with the reason as its description; P003's net rises by 250.00.
"""

from __future__ import annotations

import copy
import csv
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import openpyxl

from partnerclose.core.lines import Component
from partnerclose.core.period import Period
from partnerclose.core.problems import Severity
from partnerclose.pipeline import CloseOutcome, Status, run_close
from tests.workbook_files import PROGRAM, Sheets, write_workbook

SEP, OCT = Period(2026, 9), Period(2026, 10)
HEADER = ["period", "partner_id", "section", "amount", "reason", "reference"]
GOODWILL = "goodwill credit for the September outage"
DEAL_HEADER = ["deal_id", "close_date", "product", "deal_type", "registered", "amount", "status"]


def program_with(*rows: list[object], accounts: bool = True) -> Sheets:
    program = copy.deepcopy(PROGRAM)
    program["Partners"].append(["P003", "Gamma Labs", "Gold", "active"])
    program["Commitments"].append(["P003", "CRM", 250])
    if accounts:
        program["Accounts"] = [
            ["component", "debit_account", "credit_account"],
            ["cost_share", "1250", "6150"],
            ["revenue_share", "5200", "2150"],
            ["adjustment", "5900", "2150"],
        ]
    if rows:
        program["Adjustments"] = [HEADER, *rows]
    return program


def partner(pid: str, period: Period, deals=()) -> Sheets:
    return {
        "Partner": [["key", "value"], ["partner_id", pid], ["period", str(period)]],
        "Usage": [["pool_id", "units"], ["CRM", 100]],
        "Deals": [DEAL_HEADER, *deals],
    }


P001_DEALS = [["D1", date(2026, 10, 3), "Core", "sourced", "Y", 30000, "won"]]


def close(folder: Path, program: Sheets, period: Period = OCT, *, final: bool = False):
    path = write_workbook(folder / "program.xlsx", program)
    for pid in ("P001", "P002", "P003"):
        deals = P001_DEALS if pid == "P001" and period == OCT else ()
        write_workbook(folder / "partners" / f"{pid}_{period}.xlsx", partner(pid, period, deals))
    return run_close(path, period, final=final)


def closed(outcome: CloseOutcome) -> CloseOutcome:
    assert outcome.status is Status.CLOSED, (outcome.message, outcome.problems)
    assert outcome.result is not None
    return outcome


def found(outcome: CloseOutcome, severity: Severity) -> list[str]:
    return [str(p) for p in outcome.problems if p.severity is severity]


def test_example_p_b_a_goodwill_credit_is_one_line_with_its_reason(tmp_path):
    without = closed(close(tmp_path / "without", program_with()))
    row = ["2026-10", "P003", "other", 250, GOODWILL, "TICKET-812"]
    outcome = closed(close(tmp_path / "with", program_with(row)))
    assert outcome.result is not None
    assert without.result is not None
    [line] = [x for x in outcome.result.lines if x.component is Component.ADJUSTMENT]
    assert (line.partner_id, line.item, line.amount, line.description, line.rule) == (
        "P003",
        "other",
        D("250.00"),
        GOODWILL,
        "P2",
    )
    assert outcome.result.net("P003") == without.result.net("P003") + D("250.00")
    for pid in ("HOST", "P001", "P002"):
        assert outcome.result.net(pid) == without.result.net(pid)

    assert outcome.output is not None
    with (outcome.output / "lines.csv").open(encoding="utf-8", newline="") as stream:
        rows = [r for r in csv.DictReader(stream) if r["component"] == "adjustment"]
    assert [(r["partner_id"], r["item"], r["amount"], r["description"]) for r in rows] == [
        ("P003", "other", "250.00", GOODWILL)
    ]
    with (outcome.output / "journal.csv").open(encoding="utf-8", newline="") as stream:
        entry = [r for r in csv.DictReader(stream) if r["component"] == "adjustment"]
    assert [(r["account"], r["debit"], r["credit"]) for r in entry] == [
        ("5900", "250.00", "0.00"),
        ("2150", "0.00", "250.00"),
    ]

    # the statement lists it, with its reason, under Corrections, and the summary's last
    # row (milestones and other) counts it
    sheet = openpyxl.load_workbook(outcome.output / "statements" / "P003.xlsx").active
    cells = {cell.coordinate: cell.value for row in sheet.iter_rows() for cell in row if cell.value}
    [where] = [c for c, v in cells.items() if v == GOODWILL]  # the line's description
    heading = next(c for c, v in cells.items() if v == "7   Corrections")
    assert int(heading[1:]) < int(where[1:]) < int(heading[1:]) + 6
    assert cells[f"B{where[1:]}"] == f"Adjustment · {GOODWILL}"
    assert cells["B21"] == "Milestones and other"
    assert D(str(cells["C21"])) == D("250.00")


def test_an_adjustment_lands_in_its_section_and_outside_ytd_and_brackets(tmp_path):
    without = closed(close(tmp_path / "without", program_with()))
    row = ["2026-10", "P001", "revenue_share", -400, "correction of a duplicate deal", None]
    outcome = closed(close(tmp_path / "with", program_with(row)))
    assert outcome.result is not None
    assert without.result is not None
    # D1 is paid as before (YTD 0 -> 30,000 at 10 %), and the YTD volume is unchanged
    assert outcome.result.revenue == without.result.revenue
    assert outcome.result.key_figures == without.result.key_figures
    assert outcome.result.net("P001") == without.result.net("P001") - D("400.00")
    assert outcome.output is not None
    sheet = openpyxl.load_workbook(outcome.output / "statements" / "P001.xlsx").active
    cells = {cell.coordinate: cell.value for row in sheet.iter_rows() for cell in row if cell.value}
    [where] = [c for c, v in cells.items() if v == "Adjustment · correction of a duplicate deal"]
    revenue = next(c for c, v in cells.items() if v == "3   Revenue share")
    co_marketing = next(c for c, v in cells.items() if v == "4   Co-marketing")
    assert int(revenue[1:]) < int(where[1:]) < int(co_marketing[1:])


def test_adjustment_rows_are_checked_at_their_cells(tmp_path):
    program = program_with(
        ["2026-10", "P0O3", "other", 250, "typo in the partner", None],
        ["2026-10", "P002", "bonus", 100, "no such section", None],
        ["2026-10", "P002", "other", 100, None, None],
        ["2026-11", "P002", "other", 100, "next month", None],
    )
    outcome = close(tmp_path, program)
    assert outcome.status is Status.INVALID
    errors = found(outcome, Severity.ERROR)
    assert 'program.xlsx:Adjustments!B2: unknown partner "P0O3"; did you mean "P003"?' in errors
    assert any(e.startswith("program.xlsx:Adjustments!C3: ") and "bonus" in e for e in errors)
    assert any(e.startswith("program.xlsx:Adjustments!E4: ") for e in errors), errors
    assert (
        found(outcome, Severity.INFO).count(
            "program.xlsx:Adjustments!A5: info: for 2026-11: settled by that period's close, not "
            "by 2026-10's"
        )
        == 1
    )


def test_a_mapping_for_adjustment_is_required_when_accounts_exist(tmp_path):
    program = program_with(["2026-10", "P003", "other", 250, GOODWILL, None])
    program["Accounts"].pop()  # no adjustment row
    outcome = close(tmp_path, program)
    assert outcome.status is Status.INVALID
    assert found(outcome, Severity.ERROR) == [
        "program.xlsx:Adjustments!C2: no Accounts row for component adjustment, which the 1 "
        "adjustment of 2026-10 are journalled through: add one with its debit and credit "
        "accounts"
    ]


def test_a_row_for_a_final_period_is_not_settled_and_says_so(tmp_path):
    program = program_with(
        ["2026-09", "P003", "other", 250, GOODWILL, None],
        ["2026-10", "P002", "cost_sharing", -50, "late fee", None],
    )
    september = closed(close(tmp_path, program, SEP, final=True))
    assert september.result is not None
    assert [x.amount for x in september.result.lines if x.component is Component.ADJUSTMENT] == [
        D("250.00")
    ]
    october = closed(close(tmp_path, program, OCT))
    assert october.result is not None
    assert [
        (x.partner_id, x.amount)
        for x in october.result.lines
        if x.component is Component.ADJUSTMENT
    ] == [("P002", D("-50.00"))]
    assert found(october, Severity.WARNING) == [
        "program.xlsx:Adjustments!A2: warning: 2026-09 is closed final, so this adjustment is not "
        "settled; to settle it, give it the period of the open close (2026-10)"
    ]
