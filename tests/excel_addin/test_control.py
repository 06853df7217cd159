"""The Close sheet: what the user asks for, and the outcome written back."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import xlwings as xw
from openpyxl import load_workbook

from excel_addin.control import (
    Outcome,
    Request,
    RequestError,
    Status,
    label_rows,
    parse_action,
    parse_period,
    read_request,
    write_outcome,
)
from excel_addin.layout import CLOSE_SHEET, OUTCOME_LABELS, Action
from excel_addin.workbook import PROGRAM_TEMPLATE
from partnerclose.api import Period
from tests.excel_addin.fake_excel import FakeExcel

TODAY = date(2026, 1, 15)


@pytest.mark.parametrize(
    ("value", "period"),
    [
        (None, Period(2025, 12)),  # blank: last month, across the year end
        ("  ", Period(2025, 12)),
        (datetime(2026, 9, 1), Period(2026, 9)),  # typed 2026-09: Excel made it a date
        (date(2026, 9, 30), Period(2026, 9)),
        ("2026-09", Period(2026, 9)),
        (" 2026-9 ", Period(2026, 9)),
    ],
)
def test_period_cell(value: object, period: Period) -> None:
    assert parse_period(value, "Close!B4", TODAY) == period


@pytest.mark.parametrize(
    ("value", "shown"), [("Oct 2026", '"Oct 2026"'), (46296.0, "46296.0"), (True, "True")]
)
def test_period_cell_that_is_no_period(value: object, shown: str) -> None:
    with pytest.raises(RequestError) as error:
        parse_period(value, "Close!B4", TODAY)
    assert str(error.value) == f"Close!B4: the period must be YYYY-MM, e.g. 2026-10 (found {shown})"


@pytest.mark.parametrize(
    ("value", "action"),
    [
        ("Validate", Action.VALIDATE),
        (" draft  close ", Action.DRAFT),
        ("FINAL CLOSE", Action.FINAL),
        ("Final", Action.FINAL),
    ],
)
def test_action_cell(value: str, action: Action) -> None:
    assert parse_action(value, "Close!B5") is action


def test_action_cell_that_is_no_action() -> None:
    with pytest.raises(RequestError, match="pick an action: Validate, Draft close, Final close"):
        parse_action(None, "Close!B5")


def test_labels_are_found_in_column_a_first_one_wins() -> None:
    rows: list[list[object]] = [["Period:", 1], [None], [" status ", 2], ["Status", 3]]
    assert label_rows(rows) == {"period": 1, "status": 3}


@pytest.fixture
def close_sheet(excel: FakeExcel, tmp_path: Path) -> xw.Sheet:
    """The program template's Close sheet, open in (fake) Excel."""
    book = excel.open(PROGRAM_TEMPLATE)
    return book.sheets[CLOSE_SHEET]


def test_the_template_asks_for_last_month_and_a_draft_close(close_sheet: xw.Sheet) -> None:
    # B4 holds =DATE(YEAR(TODAY()),MONTH(TODAY())-1,1): Excel (and the fake) calculate
    # the first of last month from the computer's clock, whatever `today` says.
    last_month = Period.of(date.today()).shift(-1)
    assert read_request(close_sheet, TODAY) == Request(last_month, Action.DRAFT)


def test_the_template_offers_the_actions_in_a_drop_down() -> None:
    workbook = load_workbook(PROGRAM_TEMPLATE)
    sheet = workbook[CLOSE_SHEET]
    lists = {
        str(ref): validation.formula1
        for validation in sheet.data_validations.dataValidation
        for ref in validation.sqref.ranges
    }
    assert lists == {"B5": '"' + ",".join(action.value for action in Action) + '"'}
    assert sheet["A6"].value == "Reason"
    assert sheet["A4"].value == "Period"
    assert sheet["B4"].value == "=DATE(YEAR(TODAY()),MONTH(TODAY())-1,1)"
    assert sheet["B4"].number_format == "yyyy-mm"
    assert [sheet.cell(row, 1).value for row in range(9, 22)] == list(OUTCOME_LABELS)


def test_missing_labels_say_what_the_sheet_needs(close_sheet: xw.Sheet) -> None:
    close_sheet["A5"].value = "What"
    with pytest.raises(RequestError, match="needs the labels 'Period' and 'Action'"):
        read_request(close_sheet, TODAY)


OUTCOME = Outcome(
    Status.CLOSED,
    "closed 2026-10 (draft)",
    datetime(2026, 11, 5, 9, 30),
    Period(2026, 10),
    Action.DRAFT,
    Decimal("143293.30"),
    11,
    0,
    2,
    4,
    "C:\\Users\\finance\\Close",
    "C:\\Users\\finance\\Close\\program.xlsx.ledger.sqlite",
    "2026-10: draft run 3 by alice awaits approval",
)


def test_the_outcome_is_one_write_next_to_its_labels(
    excel: FakeExcel, close_sheet: xw.Sheet
) -> None:
    excel.app.ops.clear()
    write_outcome(close_sheet, OUTCOME)
    assert [op.kind for op in excel.app.ops] == ["read values", "write values"]
    ws = close_sheet.impl.ws
    values = [ws.cell(row, 2).value for row in range(9, 22)]
    assert values == [
        datetime(2026, 11, 5, 9, 30),
        "2026-10",  # text, not a date: the apostrophe
        "Draft close",
        "Closed",
        143293.3,
        11,
        0,
        2,
        4,
        "closed 2026-10 (draft)",
        "C:\\Users\\finance\\Close",
        "C:\\Users\\finance\\Close\\program.xlsx.ledger.sqlite",
        "2026-10: draft run 3 by alice awaits approval",
    ]


def test_the_outcome_follows_labels_that_were_moved(
    excel: FakeExcel, close_sheet: xw.Sheet
) -> None:
    close_sheet.range("A30").value = "Status"  # a second Status below: the first one wins
    close_sheet.range("A13").value = None  # Net to partners removed
    close_sheet.range("A28").value = "Net to partners"
    write_outcome(close_sheet, OUTCOME)
    ws = close_sheet.impl.ws
    assert ws["B12"].value == "Closed"
    assert ws["B28"].value == 143293.3
    assert ws["B30"].value is None


def test_the_close_sheet_takes_a_restatement(close_sheet: xw.Sheet) -> None:
    sheet = load_workbook(PROGRAM_TEMPLATE)[CLOSE_SHEET]
    assert (sheet["A27"].value, sheet["A28"].value) == ("Restate period", "Corrections folder")
    close_sheet["B4"].value = "2026-10"
    close_sheet["B27"].value = "2026-08, 2026-09"
    close_sheet["B28"].value = " corrections "
    assert read_request(close_sheet, TODAY) == Request(
        Period(2026, 10),
        Action.DRAFT,
        restate=(Period(2026, 8), Period(2026, 9)),
        corrections="corrections",
    )
    close_sheet["B28"].value = None
    with pytest.raises(RequestError) as error:
        read_request(close_sheet, TODAY)
    assert str(error.value) == (
        "Close!B28: type the folder of the corrected workbooks next to 'Corrections folder' "
        "to restate 2026-08, 2026-09"
    )
    close_sheet["B27"].value = "Sept"
    with pytest.raises(RequestError, match="Close!B27: the period must be YYYY-MM"):
        read_request(close_sheet, TODAY)
    close_sheet["B27"].value = None  # blank: no restatement
    assert read_request(close_sheet, TODAY) == Request(Period(2026, 10), Action.DRAFT)
