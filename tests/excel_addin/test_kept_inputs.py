"""The add-in closes from the open workbook, unsaved edits included: the run keeps the
values it read (as a workbook) and the workbook as saved, so `verify` recomputes the
close from what it used (rules.md P0)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import xlwings as xw
from openpyxl import load_workbook

from excel_addin.control import Status
from excel_addin.layout import Action
from partnerclose.api import Ledger, default_ledger
from partnerclose.cli import main
from tests.excel_addin.conftest import click
from tests.excel_addin.fake_excel import FakeExcel


def test_a_close_from_the_open_workbook_keeps_its_unsaved_values_and_verifies(
    excel: FakeExcel, book: xw.Book, demo: Path, capsys
) -> None:
    saved = demo.read_bytes()
    book.sheets["CostPools"]["D2"].value = 13000  # CRM: 12,000 in the file, not saved
    excel.app.answers.append("ok")
    outcome = click(book, Action.FINAL)
    assert outcome.status is Status.CLOSED, outcome.message
    assert demo.read_bytes() == saved  # the file itself was not saved

    with Ledger(default_ledger(demo)) as ledger:
        (run,) = ledger.history()
        kept = ledger.run_inputs(run.run_id)
        by_role = {k.role: k for k in kept if k.role != "partner"}
        assert sorted(by_role) == ["program", "program-saved"]
        assert all(k.kept for k in kept)
        assert ledger.input_content(by_role["program-saved"].sha256) == saved
        values = ledger.input_content(by_role["program"].sha256)
        assert values is not None
        partners = sorted(Path(k.path).name for k in kept if k.role == "partner")
    assert partners == sorted(p.name for p in (demo.parent / "partners").glob("*_2026-10.xlsx"))
    pools = load_workbook(io.BytesIO(values))["CostPools"]
    assert (pools["A2"].value, pools["D2"].value) == ("CRM", 13000)

    # The recorded close used the unsaved 13,000: CRM's cost shares sum to −13,000.00.
    with (demo.parent / "close-2026-10" / "lines.csv").open(encoding="utf-8") as stream:
        crm = [
            Decimal(row["amount"])
            for row in csv.DictReader(stream)
            if row["component"] == "cost_share" and row["item"] == "CRM"
        ]
    assert sum(crm, Decimal(0)) == Decimal("-13000.00")

    assert main(["verify", str(demo), "--period", "2026-10"]) == 0
    assert "lines are identical" in capsys.readouterr().out
    out = demo.parent / "kept"
    assert main(["inputs", str(demo), "--period", "2026-10", "--out", str(out)]) == 0
    assert (out / "saved" / "program.xlsx").read_bytes() == saved
    assert (out / "program.xlsx").read_bytes() == values
