"""Run close from the ribbon, on the demo program open in (fake) Excel."""

from __future__ import annotations

import csv
import math
from collections import Counter, defaultdict
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
import xlwings as xw
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

import partnerclose_addin
from excel_addin import entry
from excel_addin.control import Status
from excel_addin.entry import run
from excel_addin.layout import OUTCOME_LABELS, Action
from excel_addin.marks import TEMP_PREFIX
from partnerclose.api import SECTION_OF, Component, Ledger, Section, default_ledger
from tests.excel_addin.conftest import PERIOD, TODAY, ask, click
from tests.excel_addin.fake_excel import FakeExcel, Op

Snapshot = dict[str, list[tuple[object, ...]]]
ADDIN_SHEETS = ("Close Summary", "Exceptions", "Statement Template")
SECTION_ROWS = {  # the template's settlement summary: label in B, this period in C
    Section.COST_SHARING: "Cost sharing",
    Section.RESERVE_FUND: "Reserve fund",
    Section.REVENUE_SHARE: "Revenue share",
    Section.CO_MARKETING: "Co-marketing",
    Section.MILESTONES: "Milestones and other",  # the demo has no adjustments of "other"
}


def worksheet(book: xw.Book, name: str) -> Worksheet:
    ws = book.impl.wb[name]
    assert isinstance(ws, Worksheet)
    return ws


def snapshot(book: xw.Book, *, skip: tuple[str, ...] = ()) -> Snapshot:
    """Every cell value of every sheet but `skip`."""
    return {
        ws.title: list(ws.iter_rows(values_only=True))
        for ws in book.impl.wb.worksheets
        if ws.title not in skip
    }


def outcome_cells(book: xw.Book) -> dict[str, object]:
    """The Close sheet's outcome, by label."""
    ws = worksheet(book, "Close")
    labels = {label.lower() for label in OUTCOME_LABELS}
    return {
        str(ws.cell(row, 1).value): ws.cell(row, 2).value
        for row in range(1, 41)
        if str(ws.cell(row, 1).value).lower() in labels
    }


def lines_csv(program: Path) -> list[dict[str, str]]:
    with (program.parent / f"close-{PERIOD}" / "lines.csv").open(encoding="utf-8") as file:
        return list(csv.DictReader(file))


def money(value: object) -> Decimal:
    assert isinstance(value, int | float), value
    return Decimal(repr(float(value))).quantize(Decimal("0.01"))


def statement_names(book: xw.Book) -> list[str]:
    return [sheet.name for sheet in book.sheets if sheet.name.startswith("Stmt ")]


# --- the first click and validation ----------------------------------------------------


def test_the_first_click_adds_the_close_sheet_and_changes_nothing_else(
    excel: FakeExcel, demo: Path
) -> None:
    book = excel.open(demo)
    before = snapshot(book)
    outcome = run(book, today=TODAY)
    assert outcome.status is Status.SET_UP
    assert [sheet.name for sheet in book.sheets] == ["Close", *before]
    assert snapshot(book, skip=("Close",)) == before
    assert outcome_cells(book)["Status"] == "Set up"
    assert excel.app.alerts[-1].mode == "info"
    assert "pick the period and the action" in excel.app.alerts[-1].prompt


def test_validate_with_a_planted_error_writes_the_exceptions_and_changes_nothing_else(
    excel: FakeExcel, book: xw.Book, demo: Path
) -> None:
    pools = book.sheets["CostPools"]
    header = pools.range("A1:Z1").value
    amount = header.index("amount") + 1
    pools.range((2, amount)).value = "a lot"  # an unsaved edit: read from the open book
    before = snapshot(book, skip=("Close",))

    outcome = click(book, Action.VALIDATE)

    assert outcome.status is Status.INVALID
    assert outcome.errors == 1
    assert snapshot(book, skip=("Close", "Exceptions")) == before
    assert [s.name for s in book.sheets] == ["Close", *before, "Exceptions"]
    rows = list(worksheet(book, "Exceptions").iter_rows(values_only=True))
    errors = [row for row in rows if row[0] == "error"]
    assert len(errors) == 1
    location, message = errors[0][1], errors[0][2]
    cell = f"{pools.range((2, amount)).get_address(False, False)}"
    # a click on the location goes to the cell of the open workbook
    assert location == f'=HYPERLINK("#\'CostPools\'!{cell}","CostPools!{cell}")'
    assert "amount must be a number" in str(message)
    assert '"a lot"' in str(message)
    assert book.sheets.active.name == "Exceptions"
    cells = outcome_cells(book)
    assert (cells["Status"], cells["Errors"], cells["For period"]) == ("Invalid", 1, "2026-10")
    assert excel.app.alerts[-1].mode == "critical"
    assert "1 error in the input" in excel.app.alerts[-1].prompt
    assert not default_ledger(demo).exists()  # validation never opens the ledger
    assert not (demo.parent / f"close-{PERIOD}").exists()


def test_validate_clean_input(excel: FakeExcel, book: xw.Book) -> None:
    outcome = click(book, Action.VALIDATE)
    assert outcome.status is Status.VALID
    assert (outcome.errors, outcome.warnings, outcome.notes) == (0, 0, 0)
    rows = list(worksheet(book, "Exceptions").iter_rows(values_only=True))
    assert rows[1][0] == "0 errors, 0 warnings, 0 notes. Click a location to go to its cell."
    assert rows[4][2] == "No problems found."
    assert outcome_cells(book)["Details"] == "the input is valid: 2026-10 is ready to close"
    assert excel.app.alerts == []  # nothing needs attention


def test_a_problem_in_a_partner_workbook_is_located_in_its_file(
    excel: FakeExcel, book: xw.Book, demo: Path
) -> None:
    path = demo.parent / "partners" / f"P003_{PERIOD}.xlsx"
    workbook = load_workbook(path)
    deals = workbook["Deals"]
    header = [cell.value for cell in deals[1]]
    deals.cell(2, header.index("amount") + 1).value = "n/a"
    workbook.save(path)
    outcome = click(book, Action.VALIDATE)
    assert outcome.status is Status.INVALID
    rows = list(worksheet(book, "Exceptions").iter_rows(values_only=True))
    error = next(row for row in rows if row[0] == "error")
    assert error[1] == f"P003_{PERIOD}.xlsx:Deals!H2"  # text: not a cell of the open book
    assert error[3:6] == (f"P003_{PERIOD}.xlsx", "Deals", "H2")


# --- draft close -----------------------------------------------------------------------


def test_draft_close_writes_a_statement_sheet_per_partner_equal_to_lines_csv(
    excel: FakeExcel, book: xw.Book, demo: Path
) -> None:
    outcome = click(book, Action.DRAFT)

    assert outcome.status is Status.CLOSED
    lines = lines_csv(demo)
    partners = sorted({line["partner_id"] for line in lines} - {"HOST"})
    assert statement_names(book) == [f"Stmt {pid}" for pid in partners]
    assert outcome.statements == len(partners)
    by_partner: dict[str, list[dict[str, str]]] = defaultdict(list)
    for line in lines:
        by_partner[line["partner_id"]].append(line)
    for pid in partners:
        ws = worksheet(book, f"Stmt {pid}")
        mine = by_partner[pid]
        net = sum((Decimal(line["amount"]) for line in mine), Decimal(0))
        assert money(ws["G10"].value) == abs(net), pid
        assert ws["B10"].value == ("Amount due from you" if net < 0 else "Amount payable to you")
        labels = {ws.cell(row, 2).value: row for row in range(16, 23)}
        for section, label in SECTION_ROWS.items():
            total = sum(
                (
                    Decimal(line["amount"])
                    for line in mine
                    if SECTION_OF[Component(line["component"])] is section
                ),
                Decimal(0),
            )
            assert money(ws.cell(labels[label], 3).value) == total, (pid, label)
        # every line outside the milestones shows its amount in column K
        shown = Counter(
            money(row[0])
            for row in ws.iter_rows(min_col=11, max_col=11, values_only=True)
            if isinstance(row[0], int | float)
        )
        wanted = Counter(
            Decimal(line["amount"])
            for line in mine
            if SECTION_OF[Component(line["component"])] is not Section.MILESTONES
        )
        assert not wanted - shown, pid
        assert ws["J7"].value == "DRAFT"
    assert Decimal(str(outcome_cells(book)["Net to partners"])).quantize(Decimal("0.01")) == sum(
        (Decimal(line["amount"]) for line in lines if line["partner_id"] != "HOST"), Decimal(0)
    )
    assert outcome_cells(book)["Status"] == "Closed"
    with Ledger(default_ledger(demo)) as ledger:
        assert [(run.period, run.kind) for run in ledger.history()] == [("2026-10", "draft")]


def _same(a: object, b: object) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(float(a), float(b), rel_tol=1e-12)
    return a == b


@pytest.mark.parametrize("pid", ["P001", "P006"])
def test_a_statement_sheet_matches_the_statement_file_of_the_close(
    book: xw.Book, demo: Path, pid: str
) -> None:
    """The same template, the same plan: the sheet holds what the file backend wrote
    (numbers to the double; formulas as formulas; text as text)."""
    click(book, Action.DRAFT)
    ws = worksheet(book, f"Stmt {pid}")
    path = demo.parent / f"close-{PERIOD}" / "statements" / f"{pid}.xlsx"
    expected = load_workbook(path).active
    assert isinstance(expected, Worksheet)
    assert ws.max_row == expected.max_row
    for row in expected.iter_rows():
        for cell in row:
            got = ws.cell(row=cell.row or 0, column=cell.column or 0)
            assert _same(got.value, cell.value), cell.coordinate
            assert (got.data_type == "f") == (cell.data_type == "f"), cell.coordinate
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert merged == {str(m) for m in expected.merged_cells.ranges}
    assert ws.print_area.split("!")[-1] == expected.print_area.split("!")[-1]
    assert "USD" in ws["G10"].number_format
    assert "{{" not in ws["K31"].number_format


def test_the_summary_lists_every_participant_with_links_to_statements(book: xw.Book) -> None:
    click(book, Action.DRAFT)
    rows = list(worksheet(book, "Close Summary").iter_rows(values_only=True))
    header = rows[3]
    body = rows[4:-1]
    assert body[0][0] == "HOST"
    statement = header.index("Statement")
    assert body[1][statement] == '=HYPERLINK("#\'Stmt P001\'!A1","Stmt P001")'
    assert body[0][statement] is None  # the host has no statement
    assert rows[-1][0] == "Total"


def test_a_rerun_replaces_only_the_sheets_the_add_in_made(excel: FakeExcel, book: xw.Book) -> None:
    click(book, Action.DRAFT)
    book.sheets["Stmt P001"]["Z1"].value = "scribble"
    kept = book.sheets["Stmt P002"].copy(name="P002 as sent")  # the user's copy
    book.sheets.add("My notes", after=book.sheets[-1])["A1"].value = "mine"
    template = worksheet(book, "Statement Template")
    names_before = [sheet.name for sheet in book.sheets]
    user_sheets = snapshot(book, skip=("Close", *ADDIN_SHEETS))
    user_sheets = {k: v for k, v in user_sheets.items() if not k.startswith("Stmt ")}

    outcome = click(book, Action.DRAFT)

    assert outcome.status is Status.CLOSED
    names = [sheet.name for sheet in book.sheets]
    assert sorted(names) == sorted(names_before)
    assert not [name for name in names if name.startswith(TEMP_PREFIX)]
    assert book.sheets["Stmt P001"]["Z1"].value is None  # a new statement sheet
    assert book.sheets[kept.name]["A1"].value == book.sheets["Stmt P002"]["A1"].value
    assert worksheet(book, "Statement Template") is template  # the user's, kept
    after = snapshot(book, skip=("Close", *ADDIN_SHEETS))
    assert {k: v for k, v in after.items() if not k.startswith("Stmt ")} == user_sheets


# --- final close ----------------------------------------------------------------------


def test_a_final_close_asks_first_then_locks_the_period(
    excel: FakeExcel, book: xw.Book, demo: Path
) -> None:
    excel.app.answers.append("cancel")
    outcome = click(book, Action.FINAL)
    assert outcome.status is Status.CANCELLED
    alert = excel.app.alerts[-1]
    assert alert.buttons == "ok_cancel"
    assert "Close 2026-10 FINAL?" in alert.prompt
    assert "locks 2026-10 in the ledger" in alert.prompt
    assert statement_names(book) == []
    assert not default_ledger(demo).exists()

    excel.app.answers.append("ok")
    outcome = click(book, Action.FINAL)
    assert outcome.status is Status.CLOSED
    with Ledger(default_ledger(demo)) as ledger:
        assert ledger.final_periods() == ["2026-10"]
    assert worksheet(book, "Stmt P001")["J7"].value == "FINAL"

    before = snapshot(book, skip=("Close",))
    excel.app.answers.append("ok")
    outcome = click(book, Action.FINAL)
    assert outcome.status is Status.REFUSED
    assert outcome.message == "period 2026-10 is closed; reopen it first"
    assert snapshot(book, skip=("Close",)) == before
    assert "Refused: Period 2026-10 is closed" in excel.app.alerts[-1].prompt


# --- speed and robustness ----------------------------------------------------------------


def _add_deals(partner_workbook: Path, count: int) -> None:
    """`count` more won deals, copies of the workbook's first won deal."""
    workbook = load_workbook(partner_workbook)
    deals = workbook["Deals"]
    header = [cell.value for cell in deals[1]]
    won = next(row for row in deals.iter_rows(min_row=2, values_only=True) if row[8] == "won")
    for number in range(count):
        row = list(won)
        row[header.index("deal_id")] = f"D-2026-10-X{number:04d}"
        deals.append(row)
    workbook.save(partner_workbook)


def _statement_ops(excel: FakeExcel, book: xw.Book, pid: str) -> list[Op]:
    return excel.app.ops_on(worksheet(book, f"Stmt {pid}"))


def test_range_operations_per_statement_stay_within_26_however_many_lines(
    excel: FakeExcel, book: xw.Book, demo: Path
) -> None:
    _add_deals(demo.parent / "partners" / f"P001_{PERIOD}.xlsx", 990)
    outcome = click(book, Action.DRAFT)
    assert outcome.status is Status.CLOSED
    lines = Counter(line["partner_id"] for line in lines_csv(demo))
    assert lines["P001"] >= 1000
    assert lines["P006"] == 10
    big, small = _statement_ops(excel, book, "P001"), _statement_ops(excel, book, "P006")
    # 26: the template's tables grew by one (corrections, issue 21)
    assert len(big) <= 26
    assert len(small) <= 26
    # the count follows the template's growing tables, never the lines
    assert Counter(op.kind for op in big)["write values"] == 1
    assert worksheet(book, "Stmt P001").max_row > 1000


def test_excel_is_restored_after_a_failure_and_nothing_changes(
    excel: FakeExcel, book: xw.Book, demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = demo.parent / "addin.log"
    monkeypatch.setattr(entry, "LOG_FILE", log)
    click(book, Action.DRAFT)
    app = excel.app
    app.calculation = "semiautomatic"  # restored to what it was, not to a default
    before = snapshot(book, skip=("Close",))
    with Ledger(default_ledger(demo)) as ledger:
        runs = len(ledger.history())
    inserts = 0

    def third_insert(op: Op) -> bool:  # in the middle of writing the statements
        nonlocal inserts
        if op.kind != "insert":
            return False
        inserts += 1
        return inserts == 3

    app.fail_on = third_insert
    outcome = click(book, Action.DRAFT)
    app.fail_on = None

    assert outcome.status is Status.FAILED
    assert "planted failure" in outcome.message
    assert f"(details in {log})" in outcome.message
    assert "FakeExcelError: planted failure" in log.read_text(encoding="utf-8")
    assert app.screen_updating is True
    assert app.enable_events is True
    assert app.display_alerts is True
    assert app.calculation == "semiautomatic"
    assert app.status_bar is False  # Excel's own again
    assert any(isinstance(s, str) and "writing statements" in s for s in app.status_history)
    assert snapshot(book, skip=("Close",)) == before  # old statements, untouched
    with Ledger(default_ledger(demo)) as ledger:
        assert len(ledger.history()) == runs  # the close was not recorded
    assert outcome_cells(book)["Status"] == "Failed"
    assert app.alerts[-1].mode == "critical"


def test_quiet_while_writing(excel: FakeExcel, book: xw.Book) -> None:
    seen: list[tuple[bool, bool, str]] = []
    app = excel.app

    def watch(op: Op) -> bool:
        if op.kind == "write values":
            seen.append((app.screen_updating, app.enable_events, app.calculation))
        return False

    ask(book, Action.DRAFT)
    app.fail_on = watch
    run(book, today=TODAY)
    assert seen
    assert set(seen) == {(False, False, "manual")}


def test_the_module_s_main_runs_on_the_calling_workbook(book: xw.Book) -> None:
    ask(book, Action.VALIDATE)
    partnerclose_addin.main()  # as the ribbon's RunPython does
    cells = outcome_cells(book)
    assert cells["Status"] == "Valid"
    assert isinstance(cells["Time"], datetime)


def test_an_unsaved_workbook_is_not_run(excel: FakeExcel, book: xw.Book) -> None:
    book.impl.path = "Book1"
    outcome = click(book, Action.DRAFT)
    assert outcome.status is Status.NOT_RUN
    assert "save program.xlsx in a folder" not in outcome.message  # its name is Book1 now
    assert "in a folder on this computer first" in outcome.message


def test_a_bad_period_is_reported_on_the_close_sheet(excel: FakeExcel, book: xw.Book) -> None:
    outcome = click(book, Action.DRAFT, period="October")
    assert outcome.status is Status.NOT_RUN
    assert outcome.message == 'Close!B4: the period must be YYYY-MM, e.g. 2026-10 (found "October")'
    assert outcome_cells(book)["Details"] == outcome.message
    assert statement_names(book) == []


def test_the_add_in_writes_each_statement_as_pdf_beside_its_outputs(
    book: xw.Book, demo: Path
) -> None:
    """The add-in's close writes the same folder as the command line, PDFs included."""
    click(book, Action.DRAFT)
    statements = demo.parent / f"close-{PERIOD}" / "statements"
    workbooks = sorted(p.stem for p in statements.glob("*.xlsx"))
    assert len(workbooks) == 11
    assert sorted(p.stem for p in statements.glob("*.pdf")) == workbooks
    assert (statements / "P001.pdf").read_bytes().startswith(b"%PDF-")
