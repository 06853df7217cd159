"""The template engine's `Sheet` on a live worksheet (xlwings), against the file backend."""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import xlwings as xw
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from excel_addin.cells import excel_number, from_excel, to_excel
from excel_addin.marks import Kind, SheetSwap, made_sheets
from excel_addin.sheet import XlwingsSheet, prepare_template, read_content, unqualified
from partnerclose.statements.plan import fill_sheet
from partnerclose.statements.values import Fill, Formula, Table, Text
from partnerclose.statements.xlsx import fill_workbook
from tests.excel_addin.fake_excel import FakeExcel

CURRENCY_FORMAT = '"{{ currency }}" #,##0.00'
RISKY = ("=1+1", "+44 20 7946 0000", "@SUM(A1)", "-5", "2026-10", "15%", "TRUE", "'quoted")


def test_values_go_to_excel_as_it_takes_them() -> None:
    assert to_excel(Text("=cmd|' /C calc'!A0")) == "'=cmd|' /C calc'!A0"
    assert to_excel(Text("bell\x07 tab\t")) == "'bell tab\t"
    assert to_excel(Text("")) is None
    assert to_excel(Formula("=SUM(K31:K39)")) == "=SUM(K31:K39)"
    assert to_excel(Decimal("1234.56")) == 1234.56
    assert to_excel(2**40) == 1099511627776.0  # COM would pass a 64-bit integer
    assert to_excel(12) == 12
    assert to_excel(date(2026, 10, 31)) == datetime(2026, 10, 31)
    assert to_excel(True) is True
    assert to_excel(None) is None


def test_amounts_survive_the_double() -> None:
    # 2 decimals up to 10^13 come back as the same decimal from the double's repr
    for text in ("0.10", "-0.01", "1234.56", "9999999999999.99", "143293.30"):
        amount = Decimal(text)
        assert Decimal(repr(excel_number(amount))) == amount


def test_values_from_excel() -> None:
    assert from_excel(0.1) == Decimal("0.1")
    assert from_excel("x") == Text("x")
    assert from_excel("") is None
    assert from_excel(datetime(2026, 1, 1)) == datetime(2026, 1, 1)


def test_print_areas_lose_their_sheet_names() -> None:
    assert unqualified("'Stmt P001'!$A$1:$K$92") == "$A$1:$K$92"
    assert unqualified("Statement!$A$1:$K$40,Statement!$A$45:$K$92") == "$A$1:$K$40,$A$45:$K$92"


def _template(path: Path) -> Path:
    workbook = Workbook()
    ws = workbook.active
    assert isinstance(ws, Worksheet)
    ws.title = "Statement"
    ws["A1"] = "{{ title }}"
    ws.merge_cells("A1:D1")
    ws.append([])
    ws.append([None, "Item", "Amount", "Twice"])
    ws.append(["{{#table lines}}", "{{ line.name }}", "{{ line.amount }}", "=C4*2"])
    ws.append([None, "Total", "=SUM(C4:C4)", "=SUM(D4:D4)"])
    ws.append([])
    ws.append(["{{#table notes}}", "{{ note.text }}"])
    ws.merge_cells("B7:D7")
    ws.append(["{{/table}}", "{{ note.when }}"])
    ws.append([])
    ws.append([None, "{{ footer }}", "='Statement'!C5"])
    for cell in ("C4", "C5", "D4", "D5"):
        ws[cell].number_format = CURRENCY_FORMAT
    ws["B8"].number_format = "yyyy-mm-dd"
    ws.print_area = "A1:D10"
    workbook.save(path)
    return path


def _fill(lines: int) -> Fill:
    names = [RISKY[i % len(RISKY)] for i in range(lines)]
    return Fill(
        scalars={"title": '=HYPERLINK("http://x")', "currency": "EUR", "footer": "@end"},
        tables={
            "lines": Table.of(
                "line",
                ("name", "amount"),
                ({"name": n, "amount": Decimal(i) + Decimal("0.25")} for i, n in enumerate(names)),
            ),
            "notes": Table.of(
                "note",
                ("text", "when"),
                ({"text": f"note {i}", "when": date(2026, 10, i + 1)} for i in range(3)),
            ),
        },
    )


def _fill_live(excel: FakeExcel, template: Path, fill: Fill) -> Worksheet:
    """As the add-in fills a statement: a prepared working copy, then a copy of it."""
    book = excel.open(template)
    swap = SheetSwap(book, set(Kind), made_sheets(book))
    work = swap.add(Kind.WORK, "", None, source=book.sheets["Statement"])
    prepared = prepare_template(work, "Statement", (("currency", "EUR", 2),))
    sheet = swap.add(Kind.STATEMENT, "P001", swap.allocate("Stmt P001"), source=work)
    excel.app.ops.clear()
    fill_sheet(XlwingsSheet(sheet, prepared), fill, max_blocks=1)
    ws = sheet.impl.ws
    assert isinstance(ws, Worksheet)
    return ws


def _same(a: object, b: object) -> bool:
    if isinstance(a, int | float | Decimal) and isinstance(b, int | float | Decimal):
        return math.isclose(float(a), float(b), rel_tol=1e-12)
    if isinstance(b, date) and not isinstance(b, datetime):
        b = datetime.combine(b, datetime.min.time())  # Excel keeps dates as datetimes
    return a == b


@pytest.mark.parametrize("lines", [0, 1, 3, 40])
def test_a_live_sheet_is_filled_as_the_file_backend_fills_a_file(
    excel: FakeExcel, tmp_path: Path, lines: int
) -> None:
    template = _template(tmp_path / "template.xlsx")
    fill = _fill(lines)
    expected_book, _ = fill_workbook(template.read_bytes(), fill)
    expected = expected_book["Statement"]
    got = _fill_live(excel, template, fill)
    assert got.max_row == expected.max_row
    for row in expected.iter_rows():
        for cell in row:
            live = got.cell(row=cell.row or 0, column=cell.column or 0)
            assert _same(live.value, cell.value), (cell.coordinate, live.value, cell.value)
            assert (live.data_type == "f") == (cell.data_type == "f"), cell.coordinate
            if cell.value is not None:
                assert live.number_format == cell.number_format, cell.coordinate
    assert {str(m) for m in got.merged_cells.ranges} == {
        str(m) for m in expected.merged_cells.ranges
    }
    assert got.print_area.split("!")[-1] == expected.print_area.split("!")[-1]


def test_text_is_written_as_text_whatever_it_looks_like(excel: FakeExcel, tmp_path: Path) -> None:
    got = _fill_live(excel, _template(tmp_path / "template.xlsx"), _fill(len(RISKY)))
    names = [got.cell(row, 2).value for row in range(4, 4 + len(RISKY))]
    assert names == list(RISKY)
    assert all(got.cell(row, 2).data_type == "s" for row in range(4, 4 + len(RISKY)))
    assert got["A1"].value == '=HYPERLINK("http://x")'
    assert got["A1"].data_type == "s"
    footer = [cell for cell in got["B"] if cell.value == "@end"]
    assert len(footer) == 1
    assert footer[0].data_type == "s"


def test_the_number_of_range_operations_does_not_follow_the_lines(
    excel: FakeExcel, tmp_path: Path
) -> None:
    template = _template(tmp_path / "template.xlsx")
    counts = {}
    for lines in (3, 300):
        _fill_live(excel, template, _fill(lines))
        counts[lines] = [op.kind for op in excel.app.ops]
    assert counts[3] == counts[300]
    # two growing tables: an insertion, a copy and a row fit each (Excel fits only the
    # first area of a multi-area range), one write, the print area
    assert sorted(counts[3]) == sorted(
        ["insert", "insert", "copy", "copy", "write values", "autofit r", "autofit r", "print area"]
    )


def test_a_prepared_template_has_the_currency_and_no_own_sheet_names(
    excel: FakeExcel, tmp_path: Path
) -> None:
    book = excel.open(_template(tmp_path / "template.xlsx"))
    sheet = book.sheets["Statement"]
    prepared = prepare_template(sheet, "Statement", (("currency", "EUR", 2),))
    ws = sheet.impl.ws
    assert ws["C4"].number_format == '"EUR" #,##0.00'
    assert ws["D5"].number_format == '"EUR" #,##0.00'
    assert ws["B8"].number_format == "yyyy-mm-dd"
    assert prepared.content.cells[10, 3] == Formula("=C5")
    assert prepared.content.cells[4, 4] == Formula("=C4*2")
    assert prepared.content.print_area == "$A$1:$D$10"
    assert prepared.content.merged == ((1, 1, 10, 4),)  # the used range, as one
    # a copy of the prepared sheet has it all: no question, no operation
    excel.app.ops.clear()
    XlwingsSheet(sheet, prepared).replace_in_number_formats("currency", "EUR")
    assert excel.app.ops == []


def test_a_formula_is_told_from_text_that_looks_like_one(excel: FakeExcel, tmp_path: Path) -> None:
    book = excel.open(_template(tmp_path / "template.xlsx"))
    sheet = book.sheets["Statement"]
    sheet["F1"].value = "'=not a formula"
    cells = read_content(sheet).cells
    assert cells[1, 6] == Text("=not a formula")
    assert cells[5, 3] == Formula("=SUM(C4:C4)")
    assert cells[1, 1] == Text("{{ title }}")


def test_an_unprepared_sheet_reads_itself_and_replaces_its_formats(
    excel: FakeExcel, tmp_path: Path
) -> None:
    book = excel.open(_template(tmp_path / "template.xlsx"))
    sheet: xw.Sheet = book.sheets["Statement"]
    fill_sheet(XlwingsSheet(sheet), _fill(2))
    ws = sheet.impl.ws
    assert ws["C4"].number_format == '"EUR" #,##0.00'
    assert ws["B4"].value == "=1+1"
    assert ws["C6"].value == "=SUM(C4:C5)"
