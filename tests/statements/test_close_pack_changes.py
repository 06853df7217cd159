"""The close pack's Changes sheet and sign-off block (issue 21, point 4), through the
real writer and read back with openpyxl."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from partnerclose.core.lines import Component
from partnerclose.statements.close_pack_data import change_rows
from partnerclose.statements.writers import render_close_pack
from tests.statements.conftest import DemoClose


def _sheet(path: Path, name: str) -> Worksheet:
    ws = load_workbook(path)[name]
    assert isinstance(ws, Worksheet)
    return ws


def test_changes_list_every_partner_largest_change_first(demo: DemoClose, tmp_path: Path):
    last = {
        "P002": {
            Component.REVENUE_SHARE: Decimal("5548.77"),
            Component.COST_SHARE: Decimal("-1000"),
        },
        "P003": {Component.COST_SHARE: Decimal("-3832.03")},
    }
    context = dataclasses.replace(demo.context, last_period=last)
    path = render_close_pack(context, tmp_path / "close_pack.xlsx")
    ws = _sheet(path, "Changes")
    rows = [
        (ws[f"B{r}"].value, ws[f"D{r}"].value, ws[f"E{r}"].value, ws[f"F{r}"].value)
        for r in range(5, 5 + 11)
    ]
    assert rows[0] == ("P001", 32845.0, 0, 32845.0)  # no last period: all of it is change
    p002 = next(r for r in rows if r[0] == "P002")
    assert p002[1:3] == (25548.77, 4548.77)
    assert round(Decimal(str(p002[3])), 2) == Decimal("21000.00")
    changes = [abs(Decimal(str(r[3]))) for r in rows]
    assert changes == sorted(changes, reverse=True)
    assert len({r[0] for r in rows}) == 11
    found = {row.id: row for row in change_rows(context)}
    assert found["P002"].change_pct == Decimal("4.6166")  # 21,000.00 ÷ 4,548.77
    assert found["P002"].revenue_share_last == Decimal("5548.77")
    assert found["P003"].cost_sharing_last == Decimal("-3832.03")
    assert found["P001"].change_pct == "n/a"


def test_sign_off_has_the_preparer_and_lines_to_sign(demo: DemoClose, tmp_path: Path):
    path = render_close_pack(demo.context, tmp_path / "close_pack.xlsx")
    ws = _sheet(path, "Summary")
    cells = {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    prepared = cells["Prepared by"]
    approved = cells["Approved by"]
    assert ws.cell(prepared.row, 3).value == demo.context.user
    assert ws.cell(prepared.row, 6).value == datetime(2026, 11, 2)
    assert ws.cell(approved.row, 3).value in (None, "")  # a blank line to sign
    assert ws.cell(approved.row, 3).border.bottom.style == "thin"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage


def test_sign_off_shows_the_ledgers_approval(demo: DemoClose, tmp_path: Path):
    context = dataclasses.replace(
        demo.context, approved_by="controller", approved_at="2026-11-03T10:00:00+00:00"
    )
    ws = _sheet(render_close_pack(context, tmp_path / "close_pack.xlsx"), "Summary")
    row = next(c.row for r in ws.iter_rows() for c in r if c.value == "Approved by")
    assert ws.cell(row, 3).value == "controller"
    assert ws.cell(row, 6).value == datetime(2026, 11, 3)
