"""The add-in writes each partner's statement in its settlement currency (rules.md X2):
the demo with currencies, closed from the ribbon in (fake) Excel."""

from __future__ import annotations

import csv
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import xlwings as xw

from excel_addin.control import Status
from excel_addin.entry import run
from excel_addin.layout import Action
from partnerclose.demo.writer import write_demo
from tests.excel_addin.conftest import PERIOD, TODAY, click
from tests.excel_addin.fake_excel import FakeExcel
from tests.excel_addin.test_entry import worksheet


def _open(excel: FakeExcel, tmp_path: Path) -> xw.Book:
    program = write_demo(tmp_path / "demo", partners=12, period=PERIOD, seed=7, currencies=True)
    book = excel.open(program)
    book.set_mock_caller()
    assert run(book, today=TODAY).status.value == "Set up"
    return book


def test_the_add_in_writes_statements_in_each_partner_s_currency(
    excel: FakeExcel, tmp_path: Path
) -> None:
    book = _open(excel, tmp_path)
    outcome = click(book, Action.DRAFT)
    assert outcome.status is Status.CLOSED
    nets: dict[str, Decimal] = defaultdict(Decimal)
    currencies: dict[str, str] = {}
    with (tmp_path / "demo" / "close-2026-10" / "lines.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            nets[row["partner_id"]] += Decimal(row["settlement_amount"])
            currencies[row["partner_id"]] = row["settlement_currency"]
    # P009 settles in JPY (0 decimals), P002 in EUR, P001 in USD (the program's)
    for pid, code in (("P009", "JPY"), ("P002", "EUR"), ("P001", "USD")):
        ws = worksheet(book, f"Stmt {pid}")
        assert currencies[pid] == code
        net = nets[pid]  # the sum of its converted lines (X2)
        assert ws["J5"].value == code
        assert Decimal(repr(ws["G10"].value)) == abs(net)
        assert f'"{code}"' in ws["G10"].number_format
        # the net's number format shows the currency's decimals: none for the yen
        assert ("#,##0.00" in ws["G10"].number_format) is (code != "JPY")
        assert ("#,##0.00" in ws["C17"].number_format) is (code != "JPY")
        # the reserve fund stays in the program currency, and says so
        closing = next(c.row for c in ws["B"] if c.value == "Closing balance")
        assert '"USD"' in ws[f"C{closing}"].number_format
