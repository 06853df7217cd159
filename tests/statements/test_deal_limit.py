"""`statement_deal_limit`: a statement lists a partner's first deals, then one row for
the rest that names the partner's lines file (issue 25, point 3), through real closes.

P001 (Gold, marginal: sourced 0 -> 10 %, from 100,000 -> 15 %) wins five sourced deals:
D1 10,000 -> 1,000.00; D2 20,000 -> 2,000.00; D3 30,000 -> 3,000.00; D4 40,000 ->
4,000.00 (YTD 60,000 -> 100,000, all at 10 %); D5 5,000 at 15 % -> 750.00. With a limit
of 2, the statement lists D1 and D2 and then "… and 3 more deals": 75,000.00 of deals,
7,750.00 of revenue share, so the section still adds up to 10,750.00.
"""

from __future__ import annotations

import copy
import shutil
import subprocess
from decimal import Decimal as D
from pathlib import Path

import pytest
from openpyxl import load_workbook

from partnerclose.core.period import Period
from partnerclose.pipeline import Status, run_close
from tests.workbook_files import P001, P002, PROGRAM, write_program

OCT = Period(2026, 10)
DEALS = [
    ["D1", "2026-10-01", "Core", "sourced", "Y", 10000, "won"],
    ["D2", "2026-10-02", "Core", "sourced", "Y", 20000, "won"],
    ["D3", "2026-10-03", "Core", "sourced", "Y", 30000, "won"],
    ["D4", "2026-10-04", "Core", "sourced", "Y", 40000, "won"],
    ["D5", "2026-10-05", "Core", "sourced", "Y", 5000, "won"],
]


def _close(folder: Path, limit: int | None, lines_format: str = "csv") -> Path:
    program = copy.deepcopy(PROGRAM)
    if limit is not None:
        program["Program"].append(["statement_deal_limit", limit])
    partner = copy.deepcopy(P001)
    partner["Deals"] = [P001["Deals"][0], *DEALS]
    path = write_program(folder, program, {"P001": partner, "P002": P002})
    outcome = run_close(path, OCT, lines_format=lines_format)
    assert outcome.status is Status.CLOSED, (outcome.message, outcome.problems)
    return folder / "close-2026-10" / "statements"


def _deal_rows(statement: Path) -> list[tuple[object, ...]]:
    """(customer cell, deal id, deal amount, revenue share) of the deals table."""
    sheet = load_workbook(statement).active
    assert sheet is not None
    rows = []
    for row in sheet.iter_rows(min_col=2, max_col=11, values_only=True):
        customer, deal, product, *_, amount, _, _, _, share = row
        if product == "Core" or (isinstance(customer, str) and customer.startswith("…")):
            rows.append((customer, deal, amount, share))
    return rows


def _pdf_text(path: Path) -> str:
    done = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True)
    return done.stdout.decode()


def test_without_a_limit_every_deal_is_listed(tmp_path):
    rows = _deal_rows(_close(tmp_path, None) / "P001.xlsx")
    assert [(deal, share) for _, deal, _, share in rows] == [
        ("D1", D("1000.00")),
        ("D2", D("2000.00")),
        ("D3", D("3000.00")),
        ("D4", D("4000.00")),
        ("D5", D("750.00")),
    ]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler")
def test_past_the_limit_one_row_names_the_partners_parquet_lines_file(tmp_path):
    statements = _close(tmp_path, 2, "parquet")
    reference = "… and 3 more deals: see lines/partner_id=P001/part-0.parquet"
    assert _deal_rows(statements / "P001.xlsx") == [
        (None, "D1", D("10000"), D("1000.00")),
        (None, "D2", D("20000"), D("2000.00")),
        (reference, None, D("75000"), D("7750.00")),
    ]
    assert (tmp_path / "close-2026-10" / "lines" / "partner_id=P001" / "part-0.parquet").is_file()
    text = _pdf_text(statements / "P001.pdf")
    assert "… and 3 more deals: see" in text
    assert "7,750.00" in text
    assert "Total revenue share" in text
    assert "10,750.00" in text
    assert "D3" not in text.split("Deals", 1)[1].split("True-ups", 1)[0]


def test_with_lines_csv_the_row_refers_to_lines_csv(tmp_path):
    rows = _deal_rows(_close(tmp_path, 4) / "P001.xlsx")
    assert rows[-1] == ("… and 1 more deal: see lines.csv", None, D("5000"), D("750.00"))
    assert [deal for _, deal, _, _ in rows[:-1]] == ["D1", "D2", "D3", "D4"]
