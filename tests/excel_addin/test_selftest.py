"""The self-test and the add-in's doctor, run in CI against the fake engine."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import xlwings as xw
from openpyxl import load_workbook

from excel_addin import checks, selftest
from excel_addin.checks import check_addin_file, check_xlwings_version, excel_checks, show_doctor
from partnerclose.demo import write_demo
from partnerclose.doctor import Verdict
from tests.excel_addin.fake_excel import FakeExcel


def test_the_self_test_runs_the_demo_through_the_add_in_and_reports(
    excel: FakeExcel, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report.txt"
    assert selftest.main(["--out", str(tmp_path / "run"), "--report", str(report)]) == 0
    text = report.read_text(encoding="utf-8")
    assert text == capsys.readouterr().out.split("Report written to")[0]
    steps = re.findall(r"^\[(PASS|FAIL)\] (.+?) \(", text, re.M)
    assert steps == [
        ("PASS", "first click: the Close sheet is added"),
        ("PASS", "Validate"),
        ("PASS", "Draft close"),
        ("PASS", "statements: one sheet and one file per partner, net as in lines.csv"),
        ("PASS", "Final close"),
        ("PASS", "the ledger locks the period"),
        ("PASS", "History"),
    ]
    assert "12 sheets, 12 files" in text or re.search(r"(\d+) sheets, \1 files", text)
    assert "All steps passed." in text
    assert "[ok     ] connection to Excel: Excel 16.0" in text
    assert excel.app.books.books == []  # the demo workbook was closed again


def test_a_failing_step_fails_the_self_test(
    excel: FakeExcel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_demo(folder: Path, **options: object) -> Path:
        program = write_demo(folder, **options)  # type: ignore[arg-type]
        partner = sorted((folder / "partners").glob("*.xlsx"))[0]
        workbook = load_workbook(partner)
        deals = workbook["Deals"]
        amount = [cell.value for cell in deals[1]].index("amount") + 1
        deals.cell(2, amount).value = "a lot"
        workbook.save(partner)
        return program

    monkeypatch.setattr(selftest, "write_demo", broken_demo)
    assert selftest.main(["--out", str(tmp_path / "run")]) == 1
    text = (tmp_path / "run" / "selftest-report.txt").read_text(encoding="utf-8")
    assert re.search(r"^\[FAIL\] Validate \(.*\): Invalid: 1 error in the input", text, re.M)
    assert "Some steps failed: send this report." in text


def test_the_check_button_shows_what_to_fix_and_writes_the_report(
    excel: FakeExcel, book: xw.Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checks, "REPORT_FILE", tmp_path / "doctor.txt")
    monkeypatch.setattr(checks, "startup_folder", lambda: tmp_path / "XLSTART")
    path = show_doctor(book)
    text = path.read_text(encoding="utf-8")
    assert f"[ok     ] program: {Path(book.impl.path)}" in text
    assert "[warning] add-in file: no partnerclose_addin.xlam in" in text
    alert = excel.app.alerts[-1]
    assert alert.mode == "info"  # a warning, no problem
    assert "run the PartnerClose installer again" in alert.prompt
    assert str(path) in alert.prompt


def test_excel_checks_name_the_add_in_and_the_xlwings_version(
    excel: FakeExcel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "partnerclose_addin.xlam").write_bytes(b"")
    assert check_addin_file(tmp_path).verdict is Verdict.OK
    assert check_xlwings_version().verdict is Verdict.OK
    monkeypatch.setattr(xw, "__version__", "0.30.0")
    wrong = check_xlwings_version()
    assert wrong.verdict is Verdict.PROBLEM
    assert wrong.fix.startswith("pip install xlwings==0.37.8 into ")
    names = [check.name for check in excel_checks(xw.App(impl=excel.app), None)]
    assert names[-3:] == ["connection to Excel", "xlwings", "add-in file"]
