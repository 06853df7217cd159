"""A close killed at any instant leaves the old state or the new one, and the next
close succeeds.

Each test runs the command line in a subprocess with PARTNERCLOSE_PAUSE_AT set to
one of the named points of `partnerclose/checkpoints.py`, waits until it stops
there, and kills it (SIGKILL: nothing of the close runs after it).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from partnerclose.core.period import Period
from partnerclose.demo import write_demo
from partnerclose.ledger.store import Ledger
from partnerclose.output_folder import MARKER
from tests.workbook_files import P002, write_program, write_workbook

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")


def start_close(program: Path, pause_at: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PARTNERCLOSE_PAUSE_AT": pause_at}
    return subprocess.Popen(
        [sys.executable, "-m", "partnerclose", "close", str(program), *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def kill_at(
    process: subprocess.Popen[str], point: str, before_kill: Callable[[], None] = lambda: None
) -> None:
    """Wait for the close to report that it paused at `point`, then kill it."""
    assert process.stderr is not None
    deadline = time.monotonic() + 120
    for line in process.stderr:
        if line.strip() == f"partnerclose: paused at {point}":
            break
        assert time.monotonic() < deadline, f"never reached {point}"
    else:
        pytest.fail(f"the close ended without reaching {point} (exit {process.wait()})")
    before_kill()
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    process.stderr.close()


def tree(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".close-2026-10"))


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "partnerclose", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


# Before the commit the old state stays; after it, the next close finishes the swap.
POINTS = ["writing", "written", "recorded", "committed", "moved-aside", "moved-in", "swapped"]


@pytest.mark.parametrize("point", POINTS)
def test_a_final_close_killed_at_each_point_leaves_old_or_new_and_the_next_close_succeeds(
    tmp_path, point
):
    program = write_program(tmp_path)
    ledger_file = program.parent / "program.xlsx.ledger.sqlite"
    out = program.parent / "close-2026-10"
    assert cli("close", str(program), "--period", "2026-10").returncode == 0  # a draft, run 1
    old_outputs = tree(out)

    kill_at(start_close(program, point, "--period", "2026-10", "--final"), point)

    db = sqlite3.connect(ledger_file)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    if point in ("writing", "written", "recorded"):  # not committed: all as it was
        assert tree(out) == old_outputs
        with Ledger(ledger_file) as ledger:
            assert [(r.kind, r.status) for r in ledger.history()] == [("draft", "current")]

    # The next close (any period) first finishes or removes what the kill left.
    nov = cli("close", str(program), "--period", "2026-11", "--allow-empty")
    assert nov.returncode == 0, nov.stderr
    assert leftovers(program.parent) == []
    with Ledger(ledger_file) as ledger:
        runs = {r.run_id: (r.period, r.kind, r.status) for r in ledger.history()}
        assert ledger.pending_swaps() == []
    marker = json.loads((out / MARKER).read_text())
    if point in ("writing", "written", "recorded"):
        assert runs == {1: ("2026-10", "draft", "current"), 2: ("2026-11", "draft", "current")}
        assert tree(out) == old_outputs  # the old state, untouched
    else:
        assert runs == {
            1: ("2026-10", "draft", "replaced"),
            2: ("2026-10", "final", "current"),
            3: ("2026-11", "draft", "current"),
        }
        assert (marker["run"], marker["kind"]) == (2, "final")  # the new state
        # a final close adds its payment file to what the draft wrote
        assert set(tree(out)) == {*old_outputs, "payments.csv"}
    # and the period can go on: October final (if it was not) and November final.
    if point in ("writing", "written", "recorded"):
        assert cli("close", str(program), "--period", "2026-10", "--final").returncode == 0
    assert (
        cli("close", str(program), "--period", "2026-11", "--final", "--allow-empty").returncode
        == 0
    )


def test_a_first_close_killed_after_its_commit_gets_its_folder_at_the_next_close(tmp_path):
    program = write_program(tmp_path)
    kill_at(start_close(program, "committed", "--period", "2026-10", "--final"), "committed")
    assert not (program.parent / "close-2026-10").exists()  # the run is recorded, pending
    again = cli("close", str(program), "--period", "2026-10", "--final")
    assert again.returncode == 3  # recorded: the period is closed
    assert "period 2026-10 is closed" in again.stderr
    marker = json.loads((program.parent / "close-2026-10" / MARKER).read_text())
    assert (marker["run"], marker["kind"]) == (1, "final")
    assert leftovers(program.parent) == []


def test_leftovers_of_a_killed_close_of_the_same_pid_never_block_a_later_close(tmp_path):
    """What a container's PID 1 left (a revision-1 `.previous-1` and `.partial-1`) is
    cleaned up or put back, never collided with."""
    program = write_program(tmp_path)
    assert cli("close", str(program), "--period", "2026-10").returncode == 0
    out = program.parent / "close-2026-10"
    # A kill between the two renames of the old protocol: the old outputs aside, none in place.
    out.rename(program.parent / ".close-2026-10.previous-1")
    (program.parent / ".close-2026-10.partial-1").mkdir()
    (program.parent / ".close-2026-10.partial-1" / "lines.csv").write_text("half")
    done = cli("close", str(program), "--period", "2026-10")
    assert done.returncode == 0, done.stderr
    assert leftovers(program.parent) == []
    assert json.loads((out / MARKER).read_text())["run"] == 2


def test_many_kills_leave_no_folders_behind(tmp_path):
    """Ten kills leave one folder behind, not ten: each close first removes what the
    close killed before it left."""
    program = write_program(tmp_path)
    for point in ["writing", "written", "recorded", "writing", "written"] * 2:
        kill_at(start_close(program, point, "--period", "2026-10"), point)
        found = leftovers(program.parent)
        assert len([name for name in found if ".partial-" in name]) == 1
    assert cli("close", str(program), "--period", "2026-10").returncode == 0
    assert leftovers(program.parent) == []


def children_of(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
@pytest.mark.parametrize("point", ["reading", "writing"])
def test_worker_processes_die_with_a_killed_close(tmp_path, point):
    """20 partners: workbooks are read, and statements written, by worker processes."""
    program = write_demo(tmp_path, partners=20, period=Period(2026, 10))
    process = start_close(program, point, "--period", "2026-10")
    workers: set[int] = set()
    kill_at(process, point, before_kill=lambda: workers.update(children_of(process.pid)))
    assert len(workers) >= 2
    deadline = time.monotonic() + 20
    while any(alive(pid) for pid in workers):
        assert time.monotonic() < deadline, "workers outlived their parent"
        time.sleep(0.1)


def test_a_close_killed_while_keeping_its_inputs_leaves_ledger_and_outputs_as_they_were(
    tmp_path,
):
    program = write_program(tmp_path)
    ledger_file = program.parent / "program.xlsx.ledger.sqlite"
    out = program.parent / "close-2026-10"
    assert cli("close", str(program), "--period", "2026-10").returncode == 0  # a draft, run 1
    old_outputs = tree(out)
    db = sqlite3.connect(ledger_file)
    kept_before = db.execute("SELECT sha256, content FROM input_blobs ORDER BY sha256").fetchall()
    db.close()
    assert len(kept_before) == 3  # the program and two partner workbooks
    # P002 sends a corrected workbook: the final close keeps its new bytes, and is killed there.
    p002 = {name: [list(row) for row in rows] for name, rows in P002.items()}
    p002["Usage"][1][1] = 250
    write_workbook(program.parent / "partners" / "P002.xlsx", p002)

    kill_at(start_close(program, "keeping", "--period", "2026-10", "--final"), "keeping")

    db = sqlite3.connect(ledger_file)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("SELECT sha256, content FROM input_blobs ORDER BY sha256").fetchall() == (
        kept_before
    )
    assert db.execute("SELECT COUNT(*) FROM run_inputs").fetchone()[0] == 3
    db.close()
    with Ledger(ledger_file) as ledger:
        assert [(r.kind, r.status) for r in ledger.history()] == [("draft", "current")]
        assert ledger.verify() == []
    assert tree(out) == old_outputs

    final = cli("close", str(program), "--period", "2026-10", "--final")
    assert final.returncode == 0, final.stderr
    assert leftovers(program.parent) == []
    with Ledger(ledger_file) as ledger:
        assert (
            ledger.kept_bytes()
            == sum(len(content) for _, content in kept_before)
            + (program.parent / "partners" / "P002.xlsx").stat().st_size
        )
    verified = cli("verify", str(program), "--period", "2026-10")
    assert verified.returncode == 0, verified.stderr


def test_a_reclose_killed_before_its_commit_leaves_the_final_outputs_it_would_supersede(
    tmp_path,
):
    program = write_program(tmp_path)
    out = program.parent / "close-2026-10"
    assert cli("close", str(program), "--period", "2026-10", "--final").returncode == 0
    version_1 = tree(out)
    reopened = cli("reopen", str(program), "--period", "2026-10", "--reason", "P002 usage")
    assert reopened.returncode == 0, reopened.stderr

    kill_at(start_close(program, "recorded", "--period", "2026-10", "--final"), "recorded")

    assert tree(out) == version_1  # nothing moved into superseded/, nothing lost
    again = cli("close", str(program), "--period", "2026-10", "--final")
    assert again.returncode == 0, again.stderr
    assert leftovers(program.parent) == []
    superseded = tree(out / "superseded" / "1")
    assert {k: v for k, v in superseded.items() if k != MARKER} == {
        k: v for k, v in version_1.items() if k != MARKER
    }
