"""Numbers inside a statement's sentences: factors to at most 4 decimals, thousands separators."""

from __future__ import annotations

import copy
import csv
from decimal import Decimal

from openpyxl import load_workbook

from partnerclose.core.period import Period
from partnerclose.pipeline import Status, run_close
from partnerclose.statements import pdf
from partnerclose.statements.data import number_text
from partnerclose.statements.pdf import amount_text
from tests.workbook_files import MILESTONE_HEADER, P001, P002, PROGRAM, write_program

OCT = Period(2026, 10)


def test_number_text_rounds_to_four_places_and_groups_thousands():
    assert number_text(Decimal("0.82") / Decimal("0.85")) == "0.9647"
    assert number_text(Decimal("1234.5")) == "1,234.5"
    assert number_text(Decimal("0.80")) == "0.8"
    assert number_text(Decimal("17")) == "17"
    assert number_text(Decimal("0.00005")) == "0.0001"  # half up, as money.py rounds


def test_the_retention_guard_on_a_statement_is_shown_to_four_decimals(tmp_path):
    """Example M-c's milestone with retention 0.82 against 0.85: m = 0.9647058823…,
    so 10,000.00 + 2,500.00 × m = 12,411.76 (2,411.764705… rounded half up)."""
    program = copy.deepcopy(PROGRAM)
    terms = ["M1", "P001", None, "activation_rate", 0.4, 0.6, 0.8, 2000, 10000, 15000]
    guard = [None, None, "retention", 0.85, "N"]  # curve, recurrence blank: linear, once
    program["Milestones"] = [MILESTONE_HEADER, [*terms, *guard]]
    p001 = copy.deepcopy(P001)
    p001["Metrics"] = [["metric", "value"], ["activation_rate", 0.7], ["retention", 0.82]]
    outcome = run_close(write_program(tmp_path, program, {"P001": p001, "P002": P002}), OCT)
    assert outcome.status is Status.CLOSED, outcome.message
    assert outcome.output is not None
    sheet = load_workbook(outcome.output / "statements" / "P001.xlsx")["Statement"]
    texts = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert (
        "Paid: activation rate 0.7 gives 12,411.76 on the linear curve; retention guard ×0.9647."
    ) in texts
    with (outcome.output / "lines.csv").open(encoding="utf-8") as stream:
        lines = [row for row in csv.DictReader(stream) if row["component"] == "milestone"]
    assert [(row["item"], row["amount"]) for row in lines] == [("M1", "12411.76")]


def test_a_pdf_amount_measured_by_its_length_is_measured_as_its_characters():
    pdf._register_fonts()
    columns = (pdf.Column("Amount", "amount", 0.5, "amount"),)
    values = [Decimal(n) for n in ("1234567.891", "-0.5", "-98765432.10", "3", "0.004", "-7")]
    for places in (0, 2, 3):
        cells = pdf._Cells(columns, pdf.Decimals(places, places))
        fast: dict[Decimal | str | None, pdf.Cell | None] = dict.fromkeys(values)
        cells._amounts(0, fast)
        figures = pdf._FIGURES.pop(pdf.REGULAR)
        try:  # each character's width summed
            slow: dict[Decimal | str | None, pdf.Cell | None] = dict.fromkeys(values)
            cells._amounts(0, slow)
        finally:
            pdf._FIGURES[pdf.REGULAR] = figures
        assert fast == slow
        assert fast[Decimal("-98765432.10")] is not None
        assert fast[Decimal("-98765432.10")][0] == (amount_text(Decimal("-98765432.10"), places),)
