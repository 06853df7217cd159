"""`partnerclose doctor`: each check a value that says what it found and what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from partnerclose import doctor, sync_folders
from partnerclose.cli import main
from partnerclose.doctor import (
    Verdict,
    check_currency_data,
    check_imports,
    check_office_child_processes,
    check_program,
    check_templates,
)
from partnerclose.sync_folders import SyncRoot


def test_a_ready_computer_says_ready(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    program = tmp_path / "program.xlsx"
    program.write_bytes(b"")
    report = tmp_path / "doctor.txt"
    assert main(["doctor", str(program), "--report", str(report)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("PartnerClose doctor\n")
    names = ("interpreter", "imports", "currency data", "templates", "start a process")
    for name in (*names, "program", "ledger"):
        assert f"] {name}: " in out
    assert "Ready." in out
    assert report.read_text(encoding="utf-8") in out


def test_a_missing_library_is_a_problem_with_what_to_do() -> None:
    check = check_imports(("openpyxl", "no_such_library_for_partnerclose"))
    assert check.verdict is Verdict.PROBLEM
    assert "no_such_library_for_partnerclose (ModuleNotFoundError" in check.found
    assert check.fix.startswith("reinstall PartnerClose")


def test_missing_templates_are_a_problem(tmp_path: Path) -> None:
    check = check_templates(tmp_path)
    assert check.verdict is Verdict.PROBLEM
    assert check.found == f"statement.xlsx, close_pack.xlsx missing in {tmp_path}"


@pytest.mark.parametrize(
    ("state", "verdict"),
    [
        (None, Verdict.OK),
        (0, Verdict.OK),
        (2, Verdict.OK),
        (1, Verdict.PROBLEM),
        (6, Verdict.PROBLEM),
    ],
)
def test_defender_s_rule_against_office_child_processes(
    state: int | None, verdict: Verdict
) -> None:
    check = check_office_child_processes(lambda: state)
    assert check.verdict is verdict
    if verdict is Verdict.PROBLEM:
        assert "Error 70" in check.fix
        assert "docs/excel-addin-it.md" in check.fix


def test_a_ledger_in_a_synced_folder_is_a_warning(tmp_path: Path) -> None:
    folder = tmp_path / "OneDrive - Contoso" / "Close"
    folder.mkdir(parents=True)
    program = folder / "program.xlsx"
    program.write_bytes(b"")
    checks = check_program(program, [SyncRoot(tmp_path / "OneDrive - Contoso")])
    ledger = checks[-1]
    assert (ledger.name, ledger.verdict) == ("ledger", Verdict.WARNING)
    assert "a folder OneDrive or SharePoint syncs" in ledger.found
    assert "PostgreSQL" in ledger.fix
    assert check_program(program, [])[-1].verdict is Verdict.OK


def test_a_missing_program_fails_the_doctor(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sync_folders, "registry_sync_roots", list)
    assert main(["doctor", str(tmp_path / "nowhere.xlsx")]) == 1
    out = capsys.readouterr().out
    assert f"[problem] program: no file {tmp_path / 'nowhere.xlsx'}" in out
    assert "1 problem(s) to fix first." in out
    assert doctor.healthy([]) is True


def test_the_currency_data_gives_iso_4217_minor_units() -> None:
    check = check_currency_data()
    assert check.verdict is Verdict.OK
    assert "ISO 4217 currencies from Babel (decimals: USD 2, JPY 0, KWD 3)" in check.found
    damaged = check_currency_data({"EUR": 2, "JPY": 2, "USD": 2})
    assert damaged.verdict is Verdict.PROBLEM
    assert damaged.found == "ISO 4217 data is wrong: JPY 2 decimals, KWD missing"
    assert "Babel" in damaged.fix


def test_a_ledger_server_is_checked_and_its_password_never_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres_database: str
) -> None:
    program = tmp_path / "program.xlsx"
    program.write_bytes(b"")
    monkeypatch.setenv("PARTNERCLOSE_LEDGER", postgres_database)
    ledger = check_program(program, [])[-1]
    assert (ledger.name, ledger.verdict) == ("ledger", Verdict.OK)
    assert "answers; it has no ledger for program.xlsx yet" in ledger.found
    assert main(["ledger-setup", str(program), "--ledger", postgres_database]) == 0
    assert check_program(program, [])[-1].found.startswith("program.xlsx's ledger on ")
    unreachable = "postgresql://closer:s3cret-pw@127.0.0.1:1/ledger"
    down = check_program(program, [], ledger=unreachable)[-1]
    assert down.verdict is Verdict.PROBLEM
    assert down.found.startswith("cannot reach the ledger server ")
    assert "PARTNERCLOSE_LEDGER" in down.fix
    assert "s3cret-pw" not in down.found + down.fix
    assert not (tmp_path / "program.xlsx.ledger.sqlite").exists()  # a server, not a file
