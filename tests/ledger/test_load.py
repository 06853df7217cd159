"""A bounded load test on one PostgreSQL server (quality.md revision 2): 8 processes close
8 different demo programs at once while 2 more close the same program as one of them.
Every close succeeds or is refused with the clear message; afterwards every ledger holds
exactly what the closes that succeeded recorded, nothing lost or duplicated, and its hash
chain holds. (Timings are the benchmark's business: benchmarks/ledger_backends.py.)"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from partnerclose.core.period import Period
from partnerclose.demo import write_demo
from partnerclose.ledger.location import ENVIRONMENT_VARIABLE, open_ledger

ROOT = Path(__file__).resolve().parent.parent.parent
OCT = Period(2026, 10)
REFUSALS = ("period 2026-10 is closed; reopen it first", "another close is running on the ledger")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_demo(tmp_path_factory.mktemp("demo"), partners=4, period=OCT)


def copy_program(demo: Path, folder: Path, name: str) -> Path:
    """The demo under its own workbook name, so it has its own ledger on the server."""
    subprocess.run(["cp", "-r", str(demo.parent), str(folder)], check=True)
    return (folder / demo.name).rename(folder / name)


def test_ten_closes_on_one_server(tmp_path, demo, postgres_database):
    programs = [copy_program(demo, tmp_path / f"p{n}", f"program-{n}.xlsx") for n in range(8)]
    # Two more close program-0 into output folders of their own, at the same time.
    closes = [(program, program.parent / "close") for program in programs]
    closes += [(programs[0], programs[0].parent / f"close-again-{n}") for n in range(2)]
    env = {**os.environ, ENVIRONMENT_VARIABLE: postgres_database}
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "partnerclose",
                "close",
                str(program),
                "--period",
                str(OCT),
                "--final",
                "--out",
                str(out),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for program, out in closes
    ]
    results = [(p.wait(timeout=600), p.stderr.read() if p.stderr else "") for p in processes]
    for process in processes:
        if process.stderr:
            process.stderr.close()
    assert all(code == 0 for code, _ in results[1:8]), results  # programs 1-7, alone
    same = [results[0], *results[8:]]  # the three closes of program-0
    assert sorted(code for code, _ in same) == [0, 3, 3], same
    for code, err in same:
        assert code == 0 or any(refusal in err for refusal in REFUSALS), err
    for number, program in enumerate(programs):
        with open_ledger(postgres_database, program, read_only=True) as ledger:
            [run] = ledger.history()  # exactly one run: nothing duplicated
            assert (run.period, run.kind, run.status) == ("2026-10", "final", "current")
            assert run.user == "partnerclose"  # the database user
            assert ledger.verify() == []
            assert [a.action for a in ledger.audit_trail()] == ["close (final)"]
            recorded = sorted(line.amount for line in ledger.lines(run.run_id))
        with (Path(run.output) / "lines.csv").open(newline="") as stream:
            written = sorted(Decimal(row[7]) for row in list(csv.reader(stream))[1:])
        assert recorded, number
        assert recorded == written, number  # the run's lines, nothing lost


def test_the_backend_benchmark_prints_both_medians(postgres_database):
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.ledger_backends", "--ledger", postgres_database,
         "--partners", "3", "--repeat", "1", "--json"],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[0].startswith("sqlite      median demo close ")
    assert lines[1].startswith("postgresql  median demo close ")
    figures = json.loads(lines[-1])
    assert figures["ratio"] == figures["postgresql_s"] / figures["sqlite_s"]
