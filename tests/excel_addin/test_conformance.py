"""What the add-in relies on Excel to do, on two engines: the same tests, the fake here,
real Excel with `pytest --excel` (Windows or macOS; skipped elsewhere).

Each test is one behaviour, and its docstring names the source: a test of xlwings's
own suite (github.com/xlwings/xlwings, `tests/…::Class::test`), xlwings's source
(`xlwings/_xlwindows.py`, `xlwings/main.py`, `xlwings/utils.py`), or Microsoft's
documentation of Excel's object model (learn.microsoft.com, "Excel VBA reference",
the page named). The add-in's code that depends on a behaviour says so in
`excel_addin/calls.py`. A behaviour marked `fake_only` needs something a test cannot
make a real Excel do on demand (a busy Excel); its source says what real Excel does.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import xlwings as xw
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from excel_addin.calls import (
    RPC_E_CALL_REJECTED,
    autofit_rows,
    bounded_com_retries,
    copy_sheet,
    is_busy,
    range_values,
)
from tests.excel_addin import fake_excel
from tests.excel_addin.fake_excel import FakeExcel, install, uninstall


@dataclass
class Engine:
    """The Excel the tests talk to: `open` a file as a live workbook."""

    name: str
    open: Callable[[Path], xw.Book]
    fake: FakeExcel | None


@pytest.fixture
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    if request.config.getoption("--excel"):
        if sys.platform not in ("win32", "darwin"):
            pytest.skip("real Excel runs on Windows or macOS")
        app = xw.App(visible=False, add_book=False)
        try:
            yield Engine("excel", lambda path: app.books.open(str(path)), None)
        finally:
            app.kill()
        return
    fake = install()
    try:
        yield Engine("fake", fake.open, fake)
    finally:
        uninstall(fake)


def fake_only(engine: Engine) -> FakeExcel:
    if engine.fake is None:
        pytest.skip("needs a busy Excel on demand: the fake's model of it is tested")
    return engine.fake


CURRENCY = "$#,##0.00"
EURO = "[$€-x-euro2] #,##0.00"


def _workbook(path: Path) -> Path:
    """Data (values of every kind), a chart sheet, then Last and Notes."""
    workbook = Workbook()
    data = workbook.active
    assert data is not None
    data.title = "Data"
    data.append(["id", "amount", "twice", "when", "flag", "price", "rate"])
    data.append(["P001", 12, "=B2*2", datetime(2026, 10, 31), True, 1234.56789, 0.123456])
    data.append(["P002", 0.1, '=HYPERLINK("#Data!A1","go")', None, False, 7, 2])
    data["F2"].number_format = CURRENCY
    data["G2"].number_format = EURO
    data["A5"] = "#N/A"
    data["A5"].data_type = "e"
    data.merge_cells("I2:J3")
    data.print_area = "A1:G3"
    chart = BarChart()
    chart.add_data(Reference(data, min_col=2, min_row=1, max_row=3), titles_from_data=True)
    charts = workbook.create_chartsheet("Chart")
    charts.add_chart(chart)
    workbook.create_sheet("Last")["A1"] = "last"
    workbook.create_sheet("Notes")["A1"] = "notes"
    workbook.active = 0
    workbook.save(path)
    return path


@pytest.fixture
def book(engine: Engine, tmp_path: Path) -> xw.Book:
    return engine.open(_workbook(tmp_path / "conformance.xlsx"))


@pytest.fixture
def data(book: xw.Book) -> xw.Sheet:
    return book.sheets["Data"]


# --- reading values ---------------------------------------------------------------


def test_numbers_read_as_floats(data: xw.Sheet) -> None:
    """Source: xlwings docs, "Data structures" (numbers are floats: Excel has no ints);
    tests/test_conversion.py::TestConverter::test_integers."""
    value = data["B2"].value
    assert value == 12.0
    assert type(value) is float


def test_a_single_cell_reads_as_a_scalar_a_range_as_rows(data: xw.Sheet) -> None:
    """Source: tests/test_range.py::TestRangeInstantiation::test_range1 (scalar);
    tests/test_conversion.py::TestConverter::test_ndim2_scalar."""
    assert data["A2"].value == "P001"
    assert data.range("A2:B3").options(ndim=2).value == [["P001", 12.0], ["P002", 0.1]]


def test_dates_read_as_datetimes(data: xw.Sheet) -> None:
    """Source: tests/test_conversion.py::TestConverter::test_date."""
    assert data["D2"].value == datetime(2026, 10, 31)


def test_empty_cells_read_as_none(data: xw.Sheet) -> None:
    """Source: tests/test_conversion.py::TestConverter::test_none."""
    assert data["D3"].value is None


def test_booleans_read_as_booleans(data: xw.Sheet) -> None:
    """Source: Range.Value property (Excel): a logical cell is a Boolean."""
    assert data.range("E2:E3").value == [True, False]


def test_a_formula_cell_reads_as_its_result(data: xw.Sheet) -> None:
    """Source: Range.Value property (Excel): the value of a formula cell is its result;
    tests/test_range.py::TestRangeAttributes::test_formula_array (reads 32.0)."""
    assert data["C2"].value == 24.0
    assert data["C3"].value == "go"


def test_formula_reads_the_formula_and_the_text_of_constants(data: xw.Sheet) -> None:
    """Source: tests/test_range.py::TestRangeAttributes::test_formula; Range.Formula
    property (Excel): a constant's formula is the constant."""
    assert data["C2"].formula == "=B2*2"
    assert data["A2"].formula == "P001"


def test_error_cells_read_as_none_by_default(data: xw.Sheet) -> None:
    """Source: tests/test_range.py::TestCellErrors::test_cell_errors_default."""
    assert data["A5"].value is None


def test_error_cells_read_as_text_with_err_to_str(data: xw.Sheet) -> None:
    """Source: tests/test_range.py::TestCellErrors::test_cell_errors_str."""
    assert data["A5"].options(err_to_str=True).value == "#N/A"


def test_a_currency_cell_reads_as_a_4_decimal_decimal(engine: Engine, data: xw.Sheet) -> None:
    """Source: Range.Value2 property (Excel): Value, unlike Value2, uses the Currency
    data type for currency-formatted cells; pywin32 gives a COM Currency (4 decimals)
    as a Decimal. (macOS: AppleScript has no Currency: a float.)"""
    if engine.name == "excel" and sys.platform == "darwin":
        assert data["F2"].value == 1234.56789
        return
    assert data["F2"].value == Decimal("1234.5679")
    assert data["G2"].value == Decimal("0.1235")  # a rate in a currency format: cut


def test_value2_gives_the_double_of_a_currency_cell(engine: Engine, data: xw.Sheet) -> None:
    """Source: Range.Value2 property (Excel): "doesn't use the Currency and Date data
    types"."""
    if engine.name == "excel" and sys.platform == "darwin":
        pytest.skip("Value2 is COM's (Windows)")
    assert data.range("F2:G2").api.Value2 == ((1234.56789, 0.123456),)


def test_range_values_reads_currency_cells_exactly(data: xw.Sheet) -> None:
    """Source: the two above; the add-in's `calls.range_values`."""
    assert range_values(data.range("A2:G2")) == [
        ["P001", 12.0, 24.0, datetime(2026, 10, 31), True, 1234.56789, 0.123456]
    ]


def test_the_used_range_ends_at_the_last_cell_in_use(data: xw.Sheet) -> None:
    """Source: tests/test_sheet.py::TestSheet::test_used_range;
    tests/test_range.py::TestRangeAttributes::test_last_cell."""
    last = data.used_range.last_cell
    assert (last.row, last.column) == (5, 10)


def test_an_empty_sheet_s_used_range_is_a1(book: xw.Book) -> None:
    """Source: Worksheet.UsedRange property (Excel): an empty sheet's is A1."""
    assert book.sheets.add("Empty").used_range.address == "$A$1"


# --- writing values ---------------------------------------------------------------


def test_text_is_parsed_as_typed_input(data: xw.Sheet) -> None:
    """Source: Range.Value property (Excel): a string is taken as if typed; numbers,
    percentages and TRUE become values."""
    data.range("A8:C8").value = [["1,234.50", "15%", "TRUE"]]
    assert data.range("A8:C8").value == [1234.5, 0.15, True]


def test_a_leading_apostrophe_keeps_text_as_text(data: xw.Sheet) -> None:
    """Source: Range.Value property (Excel) with "Text with a leading apostrophe"
    (support.microsoft.com, "Format numbers as text"): the apostrophe is not stored."""
    data.range("A9:C9").value = [["'=1+1", "'2026-10", "'+1"]]
    assert data.range("A9:C9").value == ["=1+1", "2026-10", "+1"]


def test_a_string_starting_with_equals_becomes_a_formula(data: xw.Sheet) -> None:
    """Source: Range.Value property (Excel); tests/test_range.py::test_formula."""
    data["A10"].value = "=1+1"
    assert data["A10"].formula == "=1+1"
    assert data["A10"].value == 2.0


def test_a_scalar_fills_every_cell_of_a_range(data: xw.Sheet) -> None:
    """Source: tests/test_conversion.py::TestConverter::
    test_write_single_value_to_multicell_range."""
    data.range("A12:C13").value = 3
    assert data.range("A12:C13").value == [[3.0, 3.0, 3.0], [3.0, 3.0, 3.0]]


def test_none_clears_a_cell(data: xw.Sheet) -> None:
    """Source: tests/test_conversion.py::TestConverter::test_none."""
    data["A2"].value = None
    assert data["A2"].value is None


def test_writing_part_of_a_merged_range_fails(data: xw.Sheet) -> None:
    """Source: Excel's error "We can't do that to a merged cell" (Range.Value on a
    range that cuts a merged area raises run-time error 1004)."""
    with pytest.raises(Exception):  # noqa: B017,PT011 - COM raises com_error, the fake its own
        data.range("H2:I2").value = [[1, 2]]


def test_writing_a_whole_merged_range_works(data: xw.Sheet) -> None:
    """Source: tests/test_range.py::TestRangeAttributes::test_merge."""
    data.range("I2:J3").value = [["x", None], [None, None]]
    assert data["I2"].value == "x"


# --- formats and attributes -----------------------------------------------------------


def test_number_format_reads_back(data: xw.Sheet) -> None:
    """Source: tests/test_range.py::TestRangeAttributes::test_number_format_range."""
    data.range("A15:B16").number_format = "0.00"
    assert data.range("A15:B16").number_format == "0.00"


def test_a_mixed_number_format_reads_as_none(data: xw.Sheet) -> None:
    """Source: Range.NumberFormat property (Excel): Null when the cells differ."""
    assert data.range("E2:F2").number_format is None


def test_merge_cells_and_merge_area(data: xw.Sheet) -> None:
    """Source: tests/test_range.py::TestRangeAttributes::test_merge; Range.MergeCells
    property (Excel): Null for a range with merged and unmerged cells."""
    assert data.range("I2:J3").merge_cells is True
    assert data["A2"].merge_cells is False
    assert data.range("H2:I2").merge_cells is None
    assert data["J3"].merge_area.address == "$I$2:$J$3"


def test_font_bold_reads_back(data: xw.Sheet) -> None:
    """Source: tests/test_font.py::TestRangeFont::test_range_font_bold."""
    data.range("A1:B1").font.bold = True
    assert data.range("A1:B1").font.bold is True


def test_print_area_reads_without_the_sheet_name_and_clears(data: xw.Sheet) -> None:
    """Source: tests/test_sheet.py::TestPageSetup::test_print_area."""
    assert data.page_setup.print_area == "$A$1:$G$3"
    data.page_setup.print_area = None
    assert data.page_setup.print_area is None


def test_get_address(data: xw.Sheet) -> None:
    """Source: tests/test_range.py::TestRangeAttributes::test_get_address."""
    assert data.range((1, 1), (3, 3)).get_address(False, False) == "A1:C3"


# --- rows -----------------------------------------------------------------------------


def test_inserting_rows_shifts_cells_down(data: xw.Sheet) -> None:
    """Source: tests/test_range.py::TestRangeAttributes::test_insert_row."""
    data.range("2:3").insert("down")
    assert data["A4"].value == "P001"
    assert data["A2"].value is None


def test_inserted_rows_move_merged_ranges(data: xw.Sheet) -> None:
    """Source: Range.Insert method (Excel): cells below shift down, merges with them."""
    data.range("2:2").insert("down")
    assert data["J4"].merge_area.address == "$I$3:$J$4"


def test_copying_rows_repeats_them_over_a_larger_destination(data: xw.Sheet) -> None:
    """Source: tests/test_range.py::TestRangeAttributes::test_copy_destination;
    Range.Copy method (Excel): a destination a multiple of the source repeats it."""
    data.range("2:3").copy(data.range("20:23"))
    assert data.range("A20:A23").value == ["P001", "P002", "P001", "P002"]


def test_rows_of_a_multi_area_range_are_its_first_area(data: xw.Sheet) -> None:
    """Source: Range.Rows property (Excel): "When applied to a Range object that is a
    multiple-area selection, this property returns rows from only the first area"."""
    if engine_name(data) == "excel" and sys.platform == "darwin":
        pytest.skip('xlwings on macOS reads "2:3,6:8" as one range')
    assert data.range("2:3,6:8").rows.count == 2


def test_autofit_rows_area_by_area(engine: Engine, data: xw.Sheet) -> None:
    """Source: the behaviour above; the add-in's `calls.autofit_rows` fits each area."""
    data.range("2:3").row_height = 40
    data.range("6:8").row_height = 40
    autofit_rows(data, [(2, 3), (6, 8)])
    if engine.fake is not None:
        fitted = [op.address for op in engine.fake.app.ops if op.kind == "autofit r"]
        assert fitted == ["$2:$3", "$6:$8"]
    else:
        assert data.range("6:8").row_height != 40


# --- sheets ---------------------------------------------------------------------------


def test_book_sheets_lists_worksheets_only(book: xw.Book) -> None:
    """Source: xlwings/_xlwindows.py Book.sheets wraps Workbook.Worksheets (no chart
    sheets); Workbook.Worksheets property (Excel)."""
    assert [sheet.name for sheet in book.sheets] == ["Data", "Last", "Notes"]


def test_sheet_index_counts_chart_sheets(book: xw.Book) -> None:
    """Source: Worksheet.Index property (Excel): the position among all the workbook's
    sheets (its Sheets collection, chart sheets included)."""
    assert book.sheets["Last"].index == 3  # Data, Chart, Last
    assert book.sheets[1].name == "Last"


def test_a_new_sheet_goes_before_the_active_sheet_by_default(book: xw.Book) -> None:
    """Source: Sheets.Add method (Excel): with neither Before nor After, "the new sheet
    is inserted before the active sheet"; tests/test_sheet.py::TestSheets::
    test_add_default."""
    book.sheets["Notes"].activate()
    book.sheets.add("New")
    assert [sheet.name for sheet in book.sheets] == ["Data", "Last", "New", "Notes"]


def test_a_new_sheet_becomes_the_active_sheet(book: xw.Book) -> None:
    """Source: xlwings/main.py Sheets.add ("Creates a new Sheet and makes it the active
    sheet"); tests/test_sheet.py::TestSheets::test_add_after."""
    book.sheets.add("New", after=book.sheets[-1])
    assert book.sheets.active.name == "New"


def test_a_copied_sheet_becomes_the_active_sheet(book: xw.Book) -> None:
    """Source: Worksheet.Copy method (Excel): the copy is activated, as a copy made
    by hand is."""
    book.sheets["Data"].copy(after=book.sheets["Notes"])
    assert book.sheets.active.name == "Data (2)"


def test_a_copy_gets_the_name_with_a_number(book: xw.Book) -> None:
    """Source: tests/test_sheet.py::TestSheet::test_sheet_copy_without_arguments."""
    book.sheets["Data"].copy()
    assert book.sheets[-1].name == "Data (2)"
    assert book.sheets[-1]["A2"].value == "P001"


def test_a_copy_after_a_sheet_is_right_after_it_chart_sheets_aside(book: xw.Book) -> None:
    """Source: Worksheet.Copy method (Excel): After places the copy after that sheet;
    with a chart sheet before it, `book.sheets[after.index]` is not the copy."""
    data = book.sheets["Data"]
    data.copy(after=data)  # now Data, Data (2), Chart, Last, Notes
    assert book.sheets[1].name == "Data (2)"
    assert book.sheets[data.index].name == "Data (2)"
    last = book.sheets["Last"]
    last.copy(after=last)
    assert book.sheets[last.index].name != "Last (2)"  # index counted the chart sheet


def test_copy_sheet_finds_the_copy_where_it_was_put(book: xw.Book) -> None:
    """Source: the behaviours above; the add-in's `calls.copy_sheet`."""
    known = {sheet.name.lower() for sheet in book.sheets}
    copy = copy_sheet(book.sheets["Data"], book, known=known)
    assert copy.name == "Data (2)"
    assert [sheet.name for sheet in book.sheets][-1] == "Data (2)"
    first = copy_sheet(book.sheets["Notes"], book, known=known | {"data (2)"}, first=True)
    assert (first.name, book.sheets[0].name) == ("Notes (2)", "Notes (2)")


def test_a_copy_of_a_hidden_sheet_is_hidden(book: xw.Book) -> None:
    """Source: Worksheet.Copy method (Excel): the copy keeps the sheet's Visible."""
    notes = book.sheets["Notes"]
    notes.visible = False
    notes.copy(after=book.sheets[-1])
    assert book.sheets[-1].visible is False


def test_copying_a_sheet_across_workbooks_keeps_its_values(
    engine: Engine, book: xw.Book, tmp_path: Path
) -> None:
    """Source: tests/test_sheet.py::TestSheet::test_sheet_copy_before_different_book."""
    other = engine.open(_workbook(tmp_path / "other.xlsx"))
    other.sheets["Last"].copy(after=book.sheets[-1], name="From other")
    assert book.sheets["From other"]["A1"].value == "last"


def test_a_taken_sheet_name_is_refused(book: xw.Book) -> None:
    """Source: tests/test_sheet.py::TestSheets::test_add_name_already_taken."""
    with pytest.raises(ValueError, match="already present"):
        book.sheets.add("data")


def test_a_sheet_name_over_31_characters_is_refused(book: xw.Book) -> None:
    """Source: Excel's sheet-name rules (at most 31 characters); xlwings/_xlwindows.py
    COMRetryObjectWrapper.__setattr__ notes the error of a name over 31 characters."""
    with pytest.raises(Exception):  # noqa: B017,PT011 - COM raises com_error, the fake its own
        book.sheets["Notes"].name = "N" * 32


def test_the_last_visible_sheet_cannot_be_deleted(engine: Engine, tmp_path: Path) -> None:
    """Source: Worksheet.Delete method (Excel): a workbook keeps one visible sheet."""
    workbook = Workbook()
    workbook.save(tmp_path / "one.xlsx")
    book = engine.open(tmp_path / "one.xlsx")
    with pytest.raises(Exception):  # noqa: B017,PT011 - COM raises com_error, the fake its own
        book.sheets[0].delete()


# --- names ----------------------------------------------------------------------------


def test_a_sheet_level_name_is_listed_with_its_sheet(book: xw.Book) -> None:
    """Source: tests/test_names.py::TestNames::test_sht_names_add."""
    book.sheets["Last"].names.add("Mark", '="x"')
    assert "Last!Mark" in [name.name for name in book.names]
    assert book.sheets["Last"].names["Mark"].refers_to == '="x"'


def test_a_name_can_be_hidden(book: xw.Book) -> None:
    """Source: Name.Visible property (Excel)."""
    name = book.sheets["Last"].names.add("Hidden", '="x"')
    name.api.Visible = False
    assert name.api.Visible is False


def test_deleting_a_sheet_deletes_its_names(book: xw.Book) -> None:
    """Source: Names object (Excel): a sheet-level name belongs to its sheet."""
    book.sheets["Last"].names.add("Mark", '="x"')
    book.sheets["Last"].delete()
    assert "Last!Mark" not in [name.name for name in book.names]


# --- the application --------------------------------------------------------------------


def test_calculation_modes_read_back(book: xw.Book) -> None:
    """Source: tests/test_app.py::TestApp::test_calculation."""
    app = book.app
    before = app.calculation
    try:
        for mode in ("manual", "semiautomatic", "automatic"):
            app.calculation = mode
            assert app.calculation == mode
    finally:
        app.calculation = before


def test_screen_updating_and_events_read_back(book: xw.Book) -> None:
    """Source: tests/test_app.py::TestApp::test_screen_updating, test_enable_events,
    test_display_alerts."""
    app = book.app
    for attribute in ("screen_updating", "enable_events", "display_alerts"):
        setattr(app, attribute, False)
        assert getattr(app, attribute) is False
        setattr(app, attribute, True)
        assert getattr(app, attribute) is True


def test_the_status_bar_is_excel_s_again_after_false(book: xw.Book) -> None:
    """Source: Application.StatusBar property (Excel): False restores Excel's text."""
    app = book.app
    app.status_bar = "Partner Close: working…"
    assert app.status_bar == "Partner Close: working…"
    app.status_bar = False
    assert app.status_bar is False


def test_a_rejected_call_is_retried_for_ever_by_xlwings(engine: Engine, book: xw.Book) -> None:
    """Source: xlwings/_xlwindows.py: N_COM_ATTEMPTS = 0 ("try indefinitely"), and
    COMRetryObjectWrapper retries RPC_E_CALL_REJECTED (-2147418111) while it is 0."""
    fake = fake_only(engine)
    fake.app.reject = None  # busy for good
    with pytest.raises(fake_excel.FakeExcelError, match="for ever"):
        _ = book.sheets["Data"]["A2"].value
    assert fake.app.tries > fake_excel.HANG - 1


def test_bounded_retries_give_up_with_a_busy_error(engine: Engine, book: xw.Book) -> None:
    """Source: xlwings/_xlwindows.py: with N_COM_ATTEMPTS = n, the n-th rejection is
    raised; the add-in's `calls.bounded_com_retries` sets n and puts 0 back."""
    fake = fake_only(engine)
    fake.app.reject = None
    with bounded_com_retries(book.app, attempts=5), pytest.raises(Exception) as raised:  # noqa: PT011 - com_error on COM, the fake's own here
        _ = book.sheets["Data"]["A2"].value
    assert is_busy(raised.value)
    assert getattr(raised.value, "hresult", None) == RPC_E_CALL_REJECTED
    assert fake.app.tries == 5
    assert fake_excel.N_COM_ATTEMPTS == 0
    fake.app.reject = 3  # busy for a moment: the fourth try goes through
    with bounded_com_retries(book.app, attempts=5):
        assert book.sheets["Data"]["A2"].value == "P001"


def test_workbook_full_name_is_the_file_s_path(engine: Engine, tmp_path: Path) -> None:
    """Source: tests/test_book.py::TestBook::test_fullname; Workbook.FullName property
    (Excel): a web address for a workbook opened from OneDrive or SharePoint."""
    path = _workbook(tmp_path / "named.xlsx")
    book = engine.open(path)
    assert Path(book.fullname) == path.resolve()
    full_name: Any = book.api.FullName if sys.platform != "darwin" else book.fullname
    assert Path(full_name) == path.resolve()


# --- xlwings's own mapping of web addresses (the same code on every engine) -------------


SHAREPOINT = "https://contoso.sharepoint.com/sites/Finance/Shared%20Documents/Close/program.xlsx"


def test_xlwings_maps_a_onedrive_business_address_through_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Source: xlwings/utils.py fullname_url_to_local_path: OneDrive for Business is
    OneDriveCommercial + the path after `/Documents/`."""
    root = tmp_path / "OneDrive - Contoso"
    (root / "Close").mkdir(parents=True)
    (root / "Close" / "program.xlsx").write_bytes(b"")
    monkeypatch.setenv("OneDriveCommercial", str(root))
    url = "https://contoso-my.sharepoint.com/personal/ann_contoso_com/Documents/Close/program.xlsx"
    mapped = xw.utils.fullname_url_to_local_path.__wrapped__(url=url)
    assert Path(mapped) == root / "Close" / "program.xlsx"


def test_xlwings_falls_back_to_any_file_of_the_same_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Source: xlwings/utils.py search_local_sharepoint_path: when no mapping finds the
    SharePoint file, the synced folders are searched for a file of the same name."""
    root = tmp_path / "Contoso"
    archived = root / "Finance - Archive" / "2025" / "program.xlsx"
    archived.parent.mkdir(parents=True)
    archived.write_bytes(b"")
    monkeypatch.setenv("OneDriveCommercial", str(tmp_path / "OneDrive - Contoso"))
    mapped = xw.utils.fullname_url_to_local_path.__wrapped__(url=SHAREPOINT)
    assert Path(mapped) == archived  # another file: the archived copy


def engine_name(sheet: xw.Sheet) -> str:
    return "fake" if type(sheet.impl).__module__ == fake_excel.__name__ else "excel"
