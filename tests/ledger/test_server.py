"""What is particular to a ledger on a PostgreSQL server: several programs on one
database, a server that cannot be reached, passwords kept out of messages, and a close
killed, or the server restarted, in the middle of recording."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from partnerclose.cli import main
from partnerclose.ledger.location import ENVIRONMENT_VARIABLE, open_ledger
from partnerclose.ledger.postgres import program_schema
from partnerclose.ledger.store import LedgerDamagedError
from partnerclose.urls import shown_url
from tests.workbook_files import write_program

ROOT = Path(__file__).resolve().parent.parent.parent


def test_two_programs_on_one_database_keep_their_own_ledgers(tmp_path, postgres_database):
    north = write_program(tmp_path / "north")
    south = write_program(tmp_path / "south").rename(tmp_path / "south" / "south.xlsx")
    args = ["--period", "2026-10", "--final", "--ledger", postgres_database]
    assert main(["close", str(north), *args]) == 0
    assert main(["close", str(south), *args]) == 0  # not refused as "already closed"
    for program in (north, south):
        with open_ledger(postgres_database, program) as ledger:
            assert [(r.run_id, r.period, r.kind) for r in ledger.history()] == [
                (1, "2026-10", "final")
            ]
            assert ledger.verify() == []


def test_program_schemas_differ_for_names_that_differ_only_in_case():
    assert program_schema("Program.xlsx") != program_schema("program.xlsx")
    assert program_schema("program.xlsx").startswith("pc_program_xlsx_")
    assert len(program_schema("x" * 300 + ".xlsx")) <= 63


def test_a_password_never_shows_in_messages():
    assert shown_url("postgresql://alice:s3cret@db.example.com:5433/finance") == (
        "postgresql://alice@db.example.com:5433/finance"
    )


def test_an_unreachable_server_is_refused_plainly(tmp_path, capsys):
    program = write_program(tmp_path)
    url = f"postgresql:///finance?host={tmp_path / 'no-server'}&user=alice"
    assert main(["close", str(program), "--period", "2026-10", "--ledger", url]) == 3
    err = capsys.readouterr().err
    assert f"cannot reach the ledger server postgresql:///finance?host={tmp_path}" in err
    assert main(["history", str(program), "--ledger", url]) == 3


def test_history_of_a_program_never_closed_creates_nothing(tmp_path, postgres_database, capsys):
    program = write_program(tmp_path)
    assert main(["history", str(program), "--ledger", postgres_database]) == 0
    assert "No closes yet" in capsys.readouterr().out
    assert main(["verify", str(program), "--ledger", postgres_database]) == 0
    with pytest.raises(LedgerDamagedError, match="there is no ledger of this program"):
        open_ledger(postgres_database, program, read_only=True)  # none was created


def start_paused_close(program: Path, url: str, point: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PARTNERCLOSE_PAUSE_AT": point, ENVIRONMENT_VARIABLE: url}
    process = subprocess.Popen(
        [sys.executable, "-m", "partnerclose", "close", str(program), "--period", "2026-10",
         "--final"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stderr is not None
    deadline = time.monotonic() + 120
    for line in process.stderr:
        if line.strip() == f"partnerclose: paused at {point}":
            return process
        assert time.monotonic() < deadline, f"never reached {point}"
    pytest.fail(f"the close ended without reaching {point} (exit {process.wait()})")


def kill(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    if process.stderr:
        process.stderr.close()


def state(url: str, program: Path) -> tuple[object, ...]:
    with open_ledger(url, program) as ledger:
        return (ledger.history(), ledger.audit_trail(), ledger.pending_swaps(), ledger.verify())


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_client_killed_while_recording_leaves_the_ledger_as_it_was(tmp_path, postgres_database):
    program = write_program(tmp_path)
    assert main(["close", str(program), "--period", "2026-10", "--ledger", postgres_database]) == 0
    before = state(postgres_database, program)
    # Paused inside the run's transaction, holding the program's advisory lock.
    kill(start_paused_close(program, postgres_database, "recorded"))
    assert state(postgres_database, program) == before
    # The server released the lock with the dead session: the next close is not kept waiting.
    args = ["close", str(program), "--period", "2026-10", "--final", "--ledger"]
    assert main([*args, postgres_database]) == 0
    with open_ledger(postgres_database, program) as ledger:
        assert [(r.kind, r.status) for r in ledger.history()] == [
            ("draft", "replaced"),  # by the final close, as on SQLite
            ("final", "current"),
        ]
        assert ledger.verify() == []


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_the_server_restarted_while_recording_leaves_the_ledger_as_it_was(
    tmp_path, postgres_cluster, postgres_database
):
    program = write_program(tmp_path)
    assert main(["close", str(program), "--period", "2026-10", "--ledger", postgres_database]) == 0
    before = state(postgres_database, program)
    process = start_paused_close(program, postgres_database, "recorded")
    postgres_cluster.restart()  # the open transaction dies with the server
    kill(process)
    assert state(postgres_database, program) == before
    args = ["close", str(program), "--period", "2026-10", "--final", "--ledger"]
    assert main([*args, postgres_database]) == 0
