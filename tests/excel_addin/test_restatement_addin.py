"""A restatement from the ribbon (rules.md P3, Example P-c): the Close sheet's Restate
period and Corrections folder cells, a draft close in (fake) Excel, the prior-period
adjustments on the partner's statement sheet and in the close folder's lines."""

from __future__ import annotations

import csv
from pathlib import Path

from excel_addin.control import Status
from excel_addin.entry import run
from excel_addin.layout import Action
from partnerclose.api import default_ledger
from tests.excel_addin.conftest import TODAY, click
from tests.excel_addin.fake_excel import FakeExcel
from tests.excel_addin.test_entry import worksheet
from tests.test_restatement import pc_september


def test_a_draft_close_from_the_ribbon_restates_a_closed_month(
    excel: FakeExcel, tmp_path: Path
) -> None:
    program = tmp_path / "program.xlsx"
    program, _ = pc_september(tmp_path, default_ledger(program))
    book = excel.open(program)
    book.set_mock_caller()
    assert run(book, today=TODAY).status.value == "Set up"
    close = book.sheets["Close"]
    close["B27"].value = "2026-09"
    close["B28"].value = "corrections"  # beside the workbook
    outcome = click(book, Action.DRAFT, "2026-10")
    assert outcome.status is Status.CLOSED, outcome.message
    # Example P-c: P001's September seats corrected from 100 to 200 moves 1,800.00 of
    # the CRM pool from P002 to P001.
    with (tmp_path / "close-2026-10" / "lines.csv").open(encoding="utf-8") as handle:
        ppa = [r for r in csv.DictReader(handle) if r["component"] == "prior_period_adjustment"]
    assert [(r["partner_id"], r["item"], r["amount"]) for r in ppa] == [
        ("P001", "2026-09 cost_share", "-1800.00"),
        ("P002", "2026-09 cost_share", "1800.00"),
    ]
    ws = worksheet(book, "Stmt P001")
    [row] = [c.row for c in ws["B"] if c.value == "2026-09 cost share restated"]
    # the Corrections section: how it was made, the amount recorded and restated (the
    # program currency), and the difference charged to P001
    assert ws.cell(row, 3).value == (
        "2026-09 cost share restated: Usage corrected in P001_2026-09.xlsx "
        "(recorded -3,000.00, restated -4,800.00)"
    )
    assert (ws.cell(row, 7).value, ws.cell(row, 8).value) == (-3000, -4800)
    assert ws.cell(row, 11).value == -1800
