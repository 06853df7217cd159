"""The fake engine answers as Excel on Windows does, through real xlwings objects."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
import xlwings as xw
from openpyxl import Workbook

from tests.excel_addin.fake_excel import FakeExcel, FakeExcelError


@pytest.fixture
def sheet(excel: FakeExcel, tmp_path: Path) -> xw.Sheet:
    workbook = Workbook()
    ws = workbook.active
    assert ws is not None
    ws.title = "Data"
    ws.append(["id", "amount", "when", "flag"])
    ws.append(["P001", 12, datetime(2026, 10, 31), True])
    ws.append(["P002", 0.1, None, False])
    ws.merge_cells("F2:G3")
    path = tmp_path / "data.xlsx"
    workbook.save(path)
    return excel.open(path).sheets["Data"]


def test_reads_as_excel_on_windows(sheet: xw.Sheet) -> None:
    rows = sheet.range("A1:D3").options(ndim=2).value
    assert rows[1] == ["P001", 12.0, datetime(2026, 10, 31), True]
    assert isinstance(rows[1][1], float)  # every number is a double
    assert rows[2] == ["P002", 0.1, None, False]  # empty is None
    assert sheet.range("B2").value == 12.0  # one cell: a scalar
    assert sheet.used_range.address == "$A$1:$G$3"


def test_writes_parse_text_as_excel_does(sheet: xw.Sheet) -> None:
    sheet.range("A5:F5").value = [["=1+1", "'=1+1", "2026-10", "15%", "1,234.50", "TRUE"]]
    ws = sheet.impl.ws
    assert ws["A5"].data_type == "f"  # a formula: Excel takes `=` as one
    assert ws["B5"].value == "=1+1"
    assert ws["B5"].data_type == "s"  # the apostrophe: text
    assert ws["C5"].value == datetime(2026, 10, 1)  # typed 2026-10: a date
    assert ws["D5"].value == pytest.approx(0.15)
    assert ws["E5"].value == 1234.5
    assert ws["F5"].value is True
    assert sheet.range("A5").formula == "=1+1"
    assert sheet.range("B5").formula == "=1+1"  # Formula gives a text's text too
    assert sheet.range("A5").value == 2.0  # a formula reads as its result


def test_refuses_a_decimal_as_pywin32_would_mangle_it(sheet: xw.Sheet) -> None:
    with pytest.raises(TypeError, match="Currency"):
        sheet.range("A6").value = Decimal("0.123456")


def test_refuses_to_write_part_of_a_merged_range(sheet: xw.Sheet) -> None:
    with pytest.raises(FakeExcelError, match="merged"):
        sheet.range("E2:F2").value = [[1, 2]]
    sheet.range("F2:G3").value = [["x", None], [None, None]]  # the whole range: fine
    assert sheet.impl.ws["F2"].value == "x"


def test_answers_merged_cell_questions(sheet: xw.Sheet) -> None:
    assert sheet.range("F2:G3").merge_cells is True
    assert sheet.range("A2:B2").merge_cells is False
    assert sheet.range("E2:F2").merge_cells is None  # mixed
    assert sheet.range("G3").merge_area.address == "$F$2:$G$3"


def test_number_formats_read_none_when_mixed(sheet: xw.Sheet) -> None:
    sheet.range("A2:B2").number_format = "0.00"
    assert sheet.range("A2:B2").number_format == "0.00"
    assert sheet.range("A2:C2").number_format is None


def test_inserts_whole_rows_and_copies_them_over_a_multiple(sheet: xw.Sheet) -> None:
    sheet.range("2:3").insert("down")  # two rows above row 2
    ws = sheet.impl.ws
    assert ws["A4"].value == "P001"
    assert "F4:G5" in {str(m) for m in ws.merged_cells.ranges}
    sheet.range("4:5").copy(sheet.range("8:11"))  # two rows, twice
    assert [ws[f"A{row}"].value for row in range(8, 12)] == ["P001", "P002", "P001", "P002"]
    assert {"F8:G9", "F10:G11"} <= {str(m) for m in ws.merged_cells.ranges}


def test_counts_range_operations_per_sheet(excel: FakeExcel, sheet: xw.Sheet) -> None:
    excel.app.ops.clear()
    sheet.range("A1:D3").options(ndim=2).value = [[1] * 4] * 3
    _ = sheet.range("A1").value
    assert [op.kind for op in excel.app.ops_on(sheet.impl.ws)] == ["write values", "read values"]


def test_alert_records_the_prompt_and_gives_the_planted_answer(excel: FakeExcel) -> None:
    excel.app.answers.append("cancel")
    app = xw.App(impl=excel.app)
    assert app.alert("Sure?", title="T", buttons="ok_cancel") == "cancel"
    assert app.alert("Again?", buttons="ok_cancel") == "ok"
    assert [a.prompt for a in excel.app.alerts] == ["Sure?", "Again?"]
