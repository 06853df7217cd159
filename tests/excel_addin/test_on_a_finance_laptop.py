"""The add-in under what real Excel does (test_conformance.py states each behaviour):
a chart sheet among the sheets, currency-formatted cells, a busy Excel, workbooks opened
from OneDrive and SharePoint; and the ribbon's other actions (reopen, history)."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
import xlwings as xw
from openpyxl import load_workbook
from openpyxl.chart import BarChart, Reference

import partnerclose_addin
from excel_addin.control import Status
from excel_addin.entry import run
from excel_addin.layout import Action
from excel_addin.marks import TEMP_PREFIX
from excel_addin.workbook import read_grids
from partnerclose import sync_folders
from partnerclose.api import Ledger, default_ledger, run_close
from partnerclose.sync_folders import SyncRoot
from tests.excel_addin import fake_excel
from tests.excel_addin.conftest import PERIOD, TODAY, ask, click
from tests.excel_addin.fake_excel import FakeExcel
from tests.excel_addin.test_entry import lines_csv, outcome_cells, statement_names, worksheet

BUSINESS = "https://contoso-my.sharepoint.com/personal/ann_contoso_com/Documents/Close/program.xlsx"
SHAREPOINT = "https://contoso.sharepoint.com/sites/Finance/Shared%20Documents/Close/program.xlsx"
LIBRARY = "https://contoso.sharepoint.com/sites/Finance/Shared Documents/"


def _with_chart_sheet_before_the_last_sheet(program: Path) -> None:
    workbook = load_workbook(program)
    partners = workbook["Partners"]
    chart = BarChart()
    chart.add_data(Reference(partners, min_col=1, min_row=1, max_row=3))
    charts = workbook.create_chartsheet("Deal chart", index=len(workbook.sheetnames) - 1)
    charts.add_chart(chart)
    workbook.save(program)


def test_a_chart_sheet_before_the_last_sheet_does_not_misplace_the_copies(
    excel: FakeExcel, demo: Path
) -> None:
    # Sheet.index counts the chart sheet, book.sheets does not: `book.sheets[after.index]`
    # was the sheet after the copy, so the Close sheet's and the statements' copies
    # went wrong (an IndexError and a stray sheet).
    _with_chart_sheet_before_the_last_sheet(demo)
    book = excel.open(demo)
    assert run(book, today=TODAY).status is Status.SET_UP
    assert book.sheets[0].name == "Close"

    outcome = click(book, Action.DRAFT)

    assert outcome.status is Status.CLOSED, outcome.message
    partners = sorted({line["partner_id"] for line in lines_csv(demo)} - {"HOST"})
    assert statement_names(book) == [f"Stmt {pid}" for pid in partners]
    names = [sheet.name for sheet in book.sheets]
    assert not [n for n in names if n.startswith(TEMP_PREFIX) or n.endswith(")")]
    assert names[-len(partners) :] == [f"Stmt {pid}" for pid in partners]
    assert book.impl.wb.sheetnames.count("Deal chart") == 1
    assert isinstance(worksheet(book, "Stmt P001")["G10"].value, float)  # a filled statement
    assert book.sheets.active.name == "Close"  # the statements were each active in turn


def _currency_formatted_rates(program: Path) -> float:
    """RevenueTiers' rates formatted as currency, the first with six decimals."""
    workbook = load_workbook(program)
    tiers = workbook["RevenueTiers"]
    header = [cell.value for cell in tiers[1]]
    column = header.index("rate") + 1
    for row in range(2, tiers.max_row + 1):
        tiers.cell(row, column).number_format = "$#,##0.00"
    tiers.cell(2, column).value = 0.123456
    workbook.save(program)
    return 0.123456


def test_numbers_in_currency_formatted_cells_are_read_exactly(
    excel: FakeExcel, demo: Path, tmp_path: Path
) -> None:
    # COM gives a currency-formatted cell as a 4-decimal Currency (0.1235 for 0.123456:
    # every Gold partner's sourced revenue share would change): the add-in takes those
    # cells' doubles (Value2), so Excel's close is the close of the file.
    exact = _currency_formatted_rates(demo)
    reference = tmp_path / "from-the-file"
    shutil.copytree(demo.parent, reference)
    by_file = run_close(reference / "program.xlsx", PERIOD)
    assert by_file.status.value == "closed", by_file.message

    book = excel.open(demo)
    run(book, today=TODAY)
    tiers = read_grids(book, {"Close"}).sheets["RevenueTiers"].rows
    rate = tiers[0].index("rate")
    assert tiers[1][rate] == exact
    assert book.sheets["RevenueTiers"].range((2, rate + 1)).value == Decimal("0.1235")

    assert click(book, Action.DRAFT).status is Status.CLOSED
    assert lines_csv(demo) == lines_csv(reference / "program.xlsx")


def test_a_busy_excel_stops_the_run_after_a_bounded_number_of_tries(
    excel: FakeExcel, book: xw.Book, demo: Path
) -> None:
    ask(book, Action.DRAFT)
    excel.app.reject = None  # busy for good: xlwings alone would retry for ever
    outcome = run(book, today=TODAY)
    excel.app.reject = 0
    assert outcome.status is Status.FAILED
    assert "Excel stayed busy" in outcome.message
    assert "finish that, then click again" in outcome.message
    assert fake_excel.N_COM_ATTEMPTS == 0  # put back
    assert not default_ledger(demo).exists()

    excel.app.reject = 40  # busy for a moment: the run goes through
    assert run(book, today=TODAY).status is Status.CLOSED


def test_a_draft_close_ends_on_the_close_sheet_and_shows_where(book: xw.Book, demo: Path) -> None:
    outcome = click(book, Action.DRAFT)
    assert outcome.status is Status.CLOSED
    assert book.sheets.active.name == "Close"
    cells = outcome_cells(book)
    assert cells["Folder"] == str(demo.parent)
    assert cells["Ledger"] == str(default_ledger(demo))  # not synced: no warning


# --- OneDrive and SharePoint ----------------------------------------------------------


@pytest.fixture
def no_sync(monkeypatch: pytest.MonkeyPatch) -> None:
    """No synced folder but those a test names (the machine's own are ignored)."""
    for variable in sync_folders.ONEDRIVE_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setattr(sync_folders, "registry_sync_roots", list)


def _open_from(excel: FakeExcel, program: Path, address: str) -> xw.Book:
    book = excel.open(program)
    book.impl.address = address  # Excel's FullName for a workbook opened from the web
    assert run(book, today=TODAY).status is Status.SET_UP
    return book


def _synced_copy(demo: Path, folder: Path) -> Path:
    shutil.copytree(demo.parent, folder)
    return folder / "program.xlsx"


@pytest.mark.usefixtures("no_sync")
def test_onedrive_for_business_maps_through_onedrive_s_folder(
    excel: FakeExcel, demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "OneDrive - Contoso"
    program = _synced_copy(demo, root / "Close")
    monkeypatch.setenv("OneDriveCommercial", str(root))
    book = _open_from(excel, program, BUSINESS)

    outcome = click(book, Action.DRAFT)

    assert outcome.status is Status.CLOSED, outcome.message
    assert (root / "Close" / f"close-{PERIOD}" / "lines.csv").is_file()
    assert default_ledger(program).is_file()
    cells = outcome_cells(book)
    assert cells["Folder"] == str(root / "Close")
    assert str(cells["Ledger"]).startswith(str(default_ledger(program)))
    assert "synced by OneDrive or SharePoint" in str(cells["Ledger"])
    assert "PostgreSQL" in str(cells["Ledger"])


@pytest.mark.usefixtures("no_sync")
def test_a_sharepoint_library_maps_through_the_registry_and_the_final_close_names_it(
    excel: FakeExcel, demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mount = tmp_path / "Contoso" / "Finance - Documents"
    program = _synced_copy(demo, mount / "Close")
    # what OneDrive writes under HKCU\Software\SyncEngines\Providers\OneDrive\<id>
    monkeypatch.setattr(sync_folders, "registry_sync_roots", lambda: [SyncRoot(mount, LIBRARY)])
    book = _open_from(excel, program, SHAREPOINT)
    excel.app.answers.append("cancel")

    outcome = click(book, Action.FINAL)

    assert outcome.status is Status.CANCELLED
    prompt = excel.app.alerts[-1].prompt
    assert f"Folder: {mount / 'Close'}" in prompt
    assert "an SQLite ledger there is safe for one person only" in prompt
    assert not default_ledger(program).exists()
    excel.app.answers.append("ok")
    assert click(book, Action.FINAL).status is Status.CLOSED
    with Ledger(default_ledger(program)) as ledger:
        assert ledger.final_periods() == [str(PERIOD)]


@pytest.mark.usefixtures("no_sync")
def test_an_address_with_no_synced_copy_is_refused_in_plain_words(
    excel: FakeExcel, demo: Path
) -> None:
    book = _open_from(excel, demo, SHAREPOINT)
    outcome = click(book, Action.DRAFT)
    assert outcome.status is Status.NOT_RUN
    assert outcome.message.startswith(f"this workbook is open from {SHAREPOINT}")
    assert "Sync the library with OneDrive" in outcome.message
    assert "does not search for a file of the same name" in outcome.message
    assert outcome_cells(book)["Details"] == outcome.message
    assert excel.app.alerts[-1].mode == "critical"
    assert not default_ledger(demo).exists()


@pytest.mark.usefixtures("no_sync")
def test_the_add_in_refuses_what_xlwings_s_name_search_would_pick(
    excel: FakeExcel, demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The library is not synced; an archived copy of last year's program is. xlwings's
    # Book.fullname searches the synced folders by name and picks the archived copy.
    archived = _synced_copy(demo, tmp_path / "Contoso" / "Finance - Archive" / "2025")
    monkeypatch.setenv("OneDriveCommercial", str(tmp_path / "OneDrive - Contoso"))
    book = _open_from(excel, demo, SHAREPOINT)
    assert Path(book.fullname) == archived  # what xlwings would have closed

    outcome = click(book, Action.DRAFT)

    assert outcome.status is Status.NOT_RUN
    assert "does not search for a file of the same name" in outcome.message
    assert not default_ledger(archived).exists()
    assert not (archived.parent / f"close-{PERIOD}").exists()


# --- the ribbon's other actions ----------------------------------------------------------


def test_reopen_needs_a_reason_asks_first_and_records_it(
    excel: FakeExcel, book: xw.Book, demo: Path
) -> None:
    excel.app.answers.append("ok")
    assert click(book, Action.FINAL).status is Status.CLOSED

    outcome = run(book, action=Action.REOPEN, today=TODAY)
    assert outcome.status is Status.NOT_RUN
    assert outcome.message.startswith("Close!B6: type why 2026-10 is reopened")

    book.sheets["Close"]["B6"].value = "late credit note from P003"
    excel.app.answers.append("ok")
    outcome = run(book, action=Action.REOPEN, today=TODAY)

    assert outcome.status is Status.REOPENED
    assert "Reopen 2026-10?" in excel.app.alerts[-2].prompt
    assert "late credit note from P003" in excel.app.alerts[-2].prompt
    with Ledger(default_ledger(demo)) as ledger:
        assert ledger.final_periods() == []
        reopens = [entry for entry in ledger.audit_trail() if entry.action == "reopen"]
    assert [entry.reason for entry in reopens] == ["late credit note from P003"]
    assert outcome_cells(book)["Status"] == "Reopened"


def test_history_lists_the_ledger_s_runs_on_its_sheet(
    excel: FakeExcel, book: xw.Book, demo: Path
) -> None:
    assert click(book, Action.DRAFT).status is Status.CLOSED
    assert click(book, Action.DRAFT).status is Status.CLOSED
    ask(book, Action.VALIDATE)
    partnerclose_addin.action("history")  # the History button

    rows = list(worksheet(book, "Close History").iter_rows(values_only=True))
    assert rows[1][0] == "2 runs, 0 reopens."
    assert [row[:4] for row in rows[4:6]] == [
        (1, "2026-10", "draft", "replaced"),
        (2, "2026-10", "draft", "current"),
    ]
    assert book.sheets.active.name == "Close History"
    assert outcome_cells(book)["Status"] == "Listed"
    assert outcome_cells(book)["Details"] == "2 runs in the ledger: see the Close History sheet"
