"""The openpyxl backend: rows inserted as Excel inserts them, text kept as text."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from partnerclose.statements import xlsx as xlsx_module
from partnerclose.statements.plan import fill_sheet
from partnerclose.statements.template import TemplateError
from partnerclose.statements.values import Fill, Table
from partnerclose.statements.xlsx import WorksheetSheet, fill_workbook, load_template, save
from tests.statements.dump import dump_workbook

EVIL = '=HYPERLINK("http://evil.example","click")'


def template_bytes() -> bytes:
    book = Workbook()
    ws: Any = book.active
    ws.title = "S"
    ws["B1"] = "{{ title }}"
    ws["B2"] = "Customer"
    ws["A3"] = '{{#table deals empty="none"}}'
    ws["B3"] = "{{ deal.customer }}"
    ws["D3"] = "{{ deal.amount }}"
    ws["D3"].number_format = '#,##0.00 "{{ currency }}"'
    ws["D3"].font = Font(name="Georgia", bold=True)
    ws["B3"].fill = PatternFill("solid", fgColor="DDDDDD")
    ws["B3"].alignment = Alignment(wrap_text=True)
    ws.merge_cells("B3:C3")  # a merged cell in the repeating row
    ws["D4"] = "=SUM(D3:D3)"
    ws.merge_cells("B6:D6")  # below the region: moves down
    ws["B6"] = "Notes"
    ws.row_dimensions[6].height = 30  # a fixed height moves with its row
    ws["B7"] = "link"
    ws["B7"].hyperlink = "https://example.com"
    rule = CellIsRule(  # type: ignore[no-untyped-call]
        operator="lessThan", formula=["0"], font=Font(color="FF0000")
    )
    ws.conditional_formatting.add("D3", rule)
    validation = DataValidation(type="list", formula1='"a,b"')
    validation.add("C8")
    ws.add_data_validation(validation)
    ws.row_breaks.append(Break(id=5))
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=4, min_row=3, max_row=3))
    chart.set_categories(Reference(ws, min_col=2, min_row=3, max_row=3))
    ws.add_chart(chart, "F9")  # anchored below the region: moves down
    ws.print_area = "A1:H20"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def data(count: int) -> Fill:
    return Fill(
        scalars={"title": "=1+1", "currency": "EUR"},
        tables={
            "deals": Table.of(
                "deal",
                ("customer", "amount"),
                (
                    {"customer": EVIL if i == 0 else f"Customer {i}", "amount": Decimal(f"{i}.5")}
                    for i in range(count)
                ),
            )
        },
    )


def filled(count: int) -> Worksheet:
    book, _ = fill_workbook(template_bytes(), data(count))
    buffer = io.BytesIO()
    book.save(buffer)
    ws = load_workbook(buffer)["S"]
    assert isinstance(ws, Worksheet)
    return ws


def test_rows_are_inserted_with_styles_merges_and_everything_below_moved() -> None:
    ws = filled(4)  # 3 rows inserted below row 3
    assert [ws.cell(r, 2).value for r in range(3, 7)] == [
        EVIL,
        "Customer 1",
        "Customer 2",
        "Customer 3",
    ]
    assert [ws.cell(r, 4).value for r in range(3, 7)] == [0.5, 1.5, 2.5, 3.5]
    assert ws["D7"].value == "=SUM(D3:D6)"
    # Styles and number formats of the template row, on every line.
    for row in range(3, 7):
        assert ws.cell(row, 4).number_format == '#,##0.00 "EUR"'
        assert ws.cell(row, 4).font.name == "Georgia"
        assert ws.cell(row, 4).font.b
        assert ws.cell(row, 2).fill.fgColor.rgb == "00DDDDDD"
    merged = sorted(r.coord for r in ws.merged_cells.ranges)
    assert merged == ["B3:C3", "B4:C4", "B5:C5", "B6:C6", "B9:D9"]
    assert ws.row_dimensions[9].height == 30
    assert ws["B10"].hyperlink.target == "https://example.com"
    assert ws["B10"].hyperlink.ref == "B10"
    assert [str(cf.sqref) for cf in ws.conditional_formatting] == ["D3 D4 D5 D6"]
    assert str(ws.data_validations.dataValidation[0].sqref) == "C11"
    assert [b.id for b in ws.row_breaks.brk] == [8]
    [chart] = getattr(ws, "_charts")  # noqa: B009 - openpyxl keeps charts private
    assert chart.anchor._from.row + 1 == 12
    assert chart.series[0].val.numRef.f == "'S'!$D$3:$D$6"
    assert chart.series[0].cat.numRef.f == "'S'!$B$3:$B$6"
    assert ws.print_area == "'S'!$A$1:$H$23"


def test_text_that_looks_like_a_formula_is_stored_as_text() -> None:
    ws = filled(2)
    assert ws["B1"].value == "=1+1"
    assert ws["B1"].data_type == "s"
    assert ws["B3"].value == EVIL
    assert ws["B3"].data_type == "s"
    assert ws["D5"].data_type == "f"  # the template's own formula stays a formula


def test_region_rows_get_heights_that_fit_and_fixed_heights_stay() -> None:
    book, _ = fill_workbook(template_bytes(), data(3))
    ws = book["S"]
    assert isinstance(ws, Worksheet)
    assert all(ws.row_dimensions[r].height for r in (3, 4, 5))
    ws2, _ = fill_workbook(template_bytes(), data(0))
    sheet = ws2["S"]
    assert isinstance(sheet, Worksheet)
    assert sheet["B3"].value == "none"
    assert sheet.row_dimensions[6].height == 30


def test_a_copied_template_fills_exactly_as_a_freshly_parsed_one(tmp_path: Path) -> None:
    fresh = load_workbook(io.BytesIO(template_bytes()))
    sheet = fresh["S"]
    assert isinstance(sheet, Worksheet)
    fill_sheet(WorksheetSheet(sheet), data(5))
    copied, _ = fill_workbook(template_bytes(), data(5))
    load_template(template_bytes())  # parsed once, copied from then on
    copied_again, _ = fill_workbook(template_bytes(), data(5))
    paths = []
    for i, book in enumerate((fresh, copied, copied_again)):
        paths.append(tmp_path / f"{i}.xlsx")
        save(book, paths[-1])
    dumps = [dump_workbook(p) for p in paths]
    assert dumps[0] == dumps[1] == dumps[2]
    styles = []
    for p in paths:
        ws = load_workbook(p)["S"]
        styles.append(
            [
                (c.coordinate, c.font.name, c.font.b, c.fill.fgColor.rgb, c.number_format)
                for row in ws.iter_rows()
                for c in row
            ]
        )
    assert styles[0] == styles[1] == styles[2]


def test_the_same_fill_gives_the_same_bytes(tmp_path: Path) -> None:
    produced = datetime(2026, 11, 3, 9, 30)
    for name in ("a", "b"):  # (left to now(), the two could fall in different seconds)
        book, _ = fill_workbook(template_bytes(), data(3), produced=produced)
        save(book, tmp_path / f"{name}.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def test_a_template_with_a_picture_needs_pillow_rather_than_losing_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Pillow is a dependency; an environment without it is simulated.
    monkeypatch.setattr(xlsx_module, "find_spec", lambda name: None)
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(template_bytes())) as source,
        zipfile.ZipFile(buffer, "w") as target,
    ):
        for name in source.namelist():
            target.writestr(name, source.read(name))
        target.writestr("xl/media/image1.png", b"\x89PNG logo")
    with pytest.raises(TemplateError, match="install the Pillow package"):
        load_template(buffer.getvalue())
