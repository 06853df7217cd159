"""The close end to end on a small literal program: outputs, ledger, all or nothing."""

from __future__ import annotations

import copy
import hashlib
import json
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from partnerclose.cli import main
from partnerclose.core.period import Period
from partnerclose.demo import write_demo
from partnerclose.ledger.location import ENVIRONMENT_VARIABLE, ledger_location, open_ledger
from partnerclose.ledger.store import Ledger
from partnerclose.pipeline import Status, run_close
from tests.workbook_files import P001, P002, write_program

OCT = Period(2026, 10)
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def program(tmp_path: Path) -> Path:
    return write_program(tmp_path)


@pytest.fixture
def shared(program: Path, ledger_at: Path | str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The program with its ledger on each backend: the SQLite file beside it, then a
    PostgreSQL database named by PARTNERCLOSE_LEDGER (as a team sets it once)."""
    if isinstance(ledger_at, str):
        monkeypatch.setenv(ENVIRONMENT_VARIABLE, ledger_at)
    return program


def ledger_of(program: Path) -> Ledger:
    return open_ledger(ledger_location(program), program)


def tree(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_close_writes_the_outputs_and_records_the_run(shared):
    program = shared
    outcome = run_close(program, OCT)
    assert outcome.status is Status.CLOSED, outcome.message
    out = program.parent / "close-2026-10"
    assert {"lines.csv", "journal.csv", "exceptions.csv"} <= set(tree(out))
    lines = (out / "lines.csv").read_text().splitlines()
    # CRM 12,000.00 by usage 500/300/200 (no tiers): 6,000 / 3,600 / 2,400; D1 30,000 at 10 %.
    assert lines[1:] == [
        "2026-10,HOST,cost_share,CRM,CRM licences (CRM): usage basis,500,0.5,-6000.00,,C4,"
        "USD,1,-6000.00",
        "2026-10,P001,cost_share,CRM,CRM licences (CRM): usage basis,300,0.3,-3600.00,,C4,"
        "USD,1,-3600.00",
        '2026-10,P001,revenue_share,D1,"Core, sourced",30000,0.1,3000.00,,R3,USD,1,3000.00',
        "2026-10,P002,cost_share,CRM,CRM licences (CRM): usage basis,200,0.2,-2400.00,,C4,"
        "USD,1,-2400.00",
    ]
    with ledger_of(program) as ledger:
        [run] = ledger.history()
        assert (run.period, run.kind, run.status) == ("2026-10", "draft", "current")
        assert len(ledger.lines(run.run_id)) == 4


def test_invalid_input_writes_nothing_and_exits_2(program, capsys):
    bad = copy.deepcopy(P001)
    bad["Deals"][1][5] = "abc"
    write_program(program.parent, partners={"P001": bad, "P002": P002})
    assert main(["close", str(program), "--period", "2026-10"]) == 2
    assert not (program.parent / "close-2026-10").exists()
    assert not (program.parent / "program.xlsx.ledger.sqlite").exists()
    err = capsys.readouterr().err
    assert 'P001.xlsx:Deals!F2: amount must be a number ≥ 0, got "abc"' in err
    assert "1 error in the input; nothing was computed or written" in err


def test_reclosing_a_final_period_and_out_of_order_finals_exit_3(shared, capsys):
    program = shared
    assert main(["close", str(program), "--period", "2026-10", "--final"]) == 0
    assert main(["close", str(program), "--period", "2026-10", "--final"]) == 3
    assert "period 2026-10 is closed; reopen it first" in capsys.readouterr().err
    # 2026-12 has no partner workbooks: allowed here, so that the ledger is what refuses
    assert main(["close", str(program), "--period", "2026-12", "--final", "--allow-empty"]) == 3
    assert "2026-12 cannot be closed before 2026-11" in capsys.readouterr().err


def test_reopen_is_audited_and_allows_a_new_final_close(shared, capsys):
    program = shared
    assert main(["close", str(program), "--period", "2026-10", "--final"]) == 0
    assert (
        main(["reopen", str(program), "--period", "2026-10", "--reason", "late refund from Acme"])
        == 0
    )
    assert main(["close", str(program), "--period", "2026-10", "--final"]) == 0
    assert main(["history", str(program)]) == 0
    out = capsys.readouterr().out
    assert "reopened 2026-10 (run 1)" in out
    assert "late refund from Acme" in out
    with ledger_of(program) as ledger:
        assert [(r.kind, r.status) for r in ledger.history()] == [
            ("final", "reopened"),
            ("final", "current"),
        ]
        assert ledger.lines(1)  # reopened lines kept as history


def test_draft_rerun_replaces_the_draft_and_its_outputs(shared):
    program = shared
    run_close(program, OCT)
    changed = copy.deepcopy(P002)
    changed["Usage"][1][1] = 400
    write_program(program.parent, partners={"P001": P001, "P002": changed})
    outcome = run_close(program, OCT)
    assert outcome.status is Status.CLOSED
    with ledger_of(program) as ledger:
        assert [r.status for r in ledger.history()] == ["replaced", "current"]
    lines = (program.parent / "close-2026-10" / "lines.csv").read_text()
    assert "P002,cost_share,CRM,CRM licences (CRM): usage basis,400" in lines
    leftovers = [p.name for p in program.parent.iterdir() if p.name.startswith(".close")]
    assert leftovers == []


def test_inputs_are_never_modified(program):
    inputs = sorted(program.parent.rglob("*.xlsx"))
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in inputs}
    assert run_close(program, OCT, final=True).status is Status.CLOSED
    assert {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in inputs} == before


def test_a_failing_writer_leaves_ledger_and_outputs_as_they_were(shared):
    program = shared
    assert run_close(program, OCT).status is Status.CLOSED
    out = program.parent / "close-2026-10"
    before = tree(out)

    def broken(context, folder):
        (folder / "half.txt").write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        run_close(program, OCT, writers=[broken])
    assert tree(out) == before
    with ledger_of(program) as ledger:
        assert len(ledger.history()) == 1
    assert [p.name for p in program.parent.iterdir() if p.name.startswith(".")] == []


FAILING_AFTER_STATEMENTS = textwrap.dedent("""
    import json, multiprocessing, sys
    from pathlib import Path
    from partnerclose.core.period import Period
    from partnerclose.pipeline import run_close
    from partnerclose.statements.writers import write_statements

    seen = []

    def broken(context, folder):
        seen.append(len(multiprocessing.active_children()))
        raise OSError("disk full")

    try:
        run_close(Path(sys.argv[1]), Period(2026, 10), writers=[write_statements, broken])
    except OSError as exc:
        print(json.dumps([str(exc), seen, len(multiprocessing.active_children())]))
""")


def test_a_writer_failing_while_statement_workers_run_waits_for_them(tmp_path):
    """The statements of 20 partners are written by forked workers while the next
    writer runs; when it fails, the close waits for the workers and keeps nothing.
    (In a fresh process: one with threads, as pytest's may be, spawns instead.)"""
    program = write_demo(tmp_path, partners=20, period=OCT)
    done = subprocess.run(
        [sys.executable, "-c", FAILING_AFTER_STATEMENTS, str(program)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    message, seen, left = json.loads(done.stdout)
    assert message == "disk full"
    assert seen == [2]  # the statement workers were running meanwhile
    assert left == 0
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert not (tmp_path / "close-2026-10").exists()


def test_cancel_writes_nothing(program):
    outcome = run_close(program, OCT, cancelled=lambda: True)
    assert outcome.status is Status.CANCELLED
    assert not (program.parent / "close-2026-10").exists()


SLOW_CLOSE = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from partnerclose.core.period import Period
    from partnerclose.pipeline import DEFAULT_WRITERS, run_close

    def slow(context, folder):
        (folder / "marker").write_text("writing")
        time.sleep(float(sys.argv[2]))

    outcome = run_close(Path(sys.argv[1]), Period(2026, 10), final=True,
                        writers=[*DEFAULT_WRITERS, slow])
    sys.exit(outcome.exit_code)
""")


def start_slow_close(program: Path, seconds: float) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", SLOW_CLOSE, str(program), str(seconds)], cwd=ROOT
    )


def test_a_close_killed_while_writing_changes_nothing(program):
    assert run_close(program, OCT).status is Status.CLOSED  # a draft exists
    out = program.parent / "close-2026-10"
    ledger_file = program.parent / "program.xlsx.ledger.sqlite"
    before_out, before_history = tree(out), Ledger(ledger_file).history()
    process = start_slow_close(program, 60)
    deadline = time.monotonic() + 30
    while not list(program.parent.glob(".close-2026-10.partial-*/marker")):
        assert time.monotonic() < deadline, "the close never started writing"
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert tree(out) == before_out
    with Ledger(ledger_file) as ledger:
        assert ledger.history() == before_history
    db = sqlite3.connect(ledger_file)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # A later close cleans up and succeeds.
    assert run_close(program, OCT, final=True).status is Status.CLOSED


def test_two_closes_at_once_do_not_corrupt_the_ledger(shared):
    program = shared
    first, second = start_slow_close(program, 1), start_slow_close(program, 1)
    codes = sorted([first.wait(timeout=120), second.wait(timeout=120)])
    assert codes == [0, 3]  # one closes the period finally, the other is refused
    where = ledger_location(program)
    if isinstance(where, Path):
        db = sqlite3.connect(where)
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with ledger_of(program) as ledger:
        assert [(r.kind, r.status) for r in ledger.history()] == [("final", "current")]
        assert ledger.verify() == []


def test_unknown_program_path_exits_2(tmp_path, capsys):
    assert main(["close", str(tmp_path / "missing.xlsx"), "--period", "2026-10"]) == 2
    assert "missing.xlsx: cannot read the file" in capsys.readouterr().err


def test_what_if_recomputes_in_memory_and_never_touches_the_ledger(program):
    from decimal import Decimal

    from partnerclose.pipeline import run_scenario
    from partnerclose.reading.inputs import load_inputs

    outcome = run_scenario(
        load_inputs(program, OCT),
        Decimal(2),
        Decimal(1),
        program.parent / "program.xlsx.ledger.sqlite",
    )
    assert outcome is not None
    # Doubling everyone's usage keeps the usage shares: the CRM split is unchanged.
    assert outcome.scenario.net("P002") == outcome.actual.net("P002") == Decimal("-2400.00")
    assert not (program.parent / "program.xlsx.ledger.sqlite").exists()
    doubled = run_scenario(load_inputs(program, OCT), Decimal(1), Decimal(2))
    assert doubled is not None
    # D1 doubled to 60,000.00 at 10 % (the 100,000 bracket is not reached).
    assert doubled.scenario.net("P001") == Decimal("-3600.00") + Decimal("6000.00")


def test_ytd_totals_come_from_earlier_final_closes_of_the_fiscal_year(shared):
    program = shared
    from decimal import Decimal

    from partnerclose.core.lines import Component

    assert run_close(program, OCT, final=True).status is Status.CLOSED
    with ledger_of(program) as ledger:
        totals = ledger.totals_between(Period(2026, 1), Period(2026, 11))
        assert totals["P001"][Component.REVENUE_SHARE] == Decimal("3000.00")
        assert ledger.totals_between(Period(2026, 11), Period(2026, 12)) == {}


def test_an_unusable_ledger_path_is_refused_with_exit_3(program, capsys):
    (program.parent / "blocker").write_text("a file, not a folder")
    code = main(
        [
            "close",
            str(program),
            "--period",
            "2026-10",
            "--ledger",
            str(program.parent / "blocker" / "l.sqlite"),
        ]
    )
    assert code == 3
    assert "cannot open the ledger" in capsys.readouterr().err
