"""A ledger that cannot be used is a plain message and exit 3, never a traceback;
`history` reads a ledger its user may not write."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from partnerclose.cli import main
from partnerclose.ledger.schema import LATEST
from tests.workbook_files import write_program

ROOT = Path(__file__).resolve().parent.parent.parent
COMMANDS = {
    "close": ["--period", "2026-11", "--allow-empty"],
    "reopen": ["--period", "2026-10", "--reason", "late refund"],
    "history": [],
}


@pytest.fixture
def closed(tmp_path: Path) -> Path:
    """A program with October closed finally; returns the program path."""
    program = write_program(tmp_path)
    assert main(["close", str(program), "--period", "2026-10", "--final"]) == 0
    return program


def ledger_of(program: Path) -> Path:
    return program.parent / "program.xlsx.ledger.sqlite"


def run_all(program: Path, ledger: Path, capsys) -> dict[str, tuple[int, str]]:
    capsys.readouterr()
    found = {}
    for command, extra in COMMANDS.items():
        code = main([command, str(program), "--ledger", str(ledger), *extra])
        err = capsys.readouterr().err
        assert "unexpected error" not in err
        found[command] = (code, err.strip().splitlines()[-1] if err.strip() else "")
    return found


def test_a_ledger_from_a_future_release(closed, capsys):
    db = sqlite3.connect(ledger_of(closed))
    db.execute(f"PRAGMA user_version = {LATEST + 5}")
    db.commit()
    db.close()
    for code, message in run_all(closed, ledger_of(closed), capsys).values():
        assert code == 3
        assert f"the ledger has schema version {LATEST + 5}" in message
        assert "Install a newer PartnerClose" in message


def test_a_file_that_is_not_a_database(closed, capsys):
    ledger = closed.parent / "notes.sqlite"
    ledger.write_bytes(b"these are my notes, not a ledger\n" * 200)
    for code, message in run_all(closed, ledger, capsys).values():
        assert code == 3
        assert "cannot be read (file is not a database)" in message


def test_a_ledger_path_that_is_a_folder(closed, capsys):
    folder = closed.parent / "ledger-folder"
    folder.mkdir()
    for code, message in run_all(closed, folder, capsys).values():
        assert code == 3
        assert "it is a folder, not a ledger file" in message


def test_a_ledger_with_a_malformed_page(closed, capsys):
    ledger = ledger_of(closed)
    db = sqlite3.connect(ledger)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = db.execute("PRAGMA page_size").fetchone()[0]
    root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'runs'").fetchone()[0]
    db.close()
    data = bytearray(ledger.read_bytes())
    start = (root - 1) * page_size
    data[start : start + page_size] = b"\xff" * page_size  # the runs table's page
    ledger.write_bytes(bytes(data))
    for code, message in run_all(closed, ledger, capsys).values():
        assert code == 3
        assert "it is damaged or not a PartnerClose ledger" in message


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        (
            "UPDATE state_values SET value = 'twelve' WHERE kind = 'reserve'",
            "carried state holds a value that is not what a close writes",
        ),
        ("UPDATE lines SET amount = 'n/a' WHERE seq = 0", "it is damaged or not a PartnerClose"),
    ],
)
def test_a_stored_amount_that_is_not_a_number(closed, capsys, statement, message):
    db = sqlite3.connect(ledger_of(closed))
    db.execute(statement)
    db.commit()
    db.close()
    close = ["close", str(closed), "--period", "2026-11", "--final", "--allow-empty"]
    assert main(close) == 3
    assert message in capsys.readouterr().err


def _without_write_access() -> list[str] | None:
    """A command prefix that runs without the right to write files the user does not
    own: nothing when not root (permissions apply), `setpriv` without capabilities
    for root."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    return [setpriv, "--bounding-set=-all", "--inh-caps=-all", "--"] if setpriv else None


def test_history_works_for_a_user_who_cannot_write_the_ledger(closed, tmp_path):
    prefix = _without_write_access()
    if prefix is None:
        pytest.skip("running as root without setpriv")
    shelf = tmp_path / "shelf"
    shelf.mkdir()
    shutil.copy(ledger_of(closed), shelf / "team.sqlite")
    (shelf / "team.sqlite").chmod(0o444)
    shelf.chmod(0o555)
    try:
        done = subprocess.run(
            [
                *prefix,
                sys.executable,
                "-m",
                "partnerclose",
                "history",
                str(closed),
                "--ledger",
                str(shelf / "team.sqlite"),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        shelf.chmod(0o755)
    assert done.returncode == 0, done.stderr
    assert "2026-10  final  current" in done.stdout
    assert sorted(p.name for p in shelf.iterdir()) == ["team.sqlite"]  # nothing written
