"""The benchmark runner works at a tiny size (timings are printed, never asserted)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_module(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m module args…` from the repository's root, its output captured."""
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def test_runner_prints_stages_and_a_json_line():
    done = run_module(
        "benchmarks.run",
        *("--partners", "3", "--deals", "40", "--usage", "12", "--pools", "3"),
        *("--milestones", "3", "--growth", "--repeat", "2", "--pdf-statements", "6", "--json"),
    )
    assert done.returncode == 0, done.stderr
    last = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(last) >= {
        "end_to_end_s",
        "read_s",
        "validate_s",
        "compute_s",
        "write_s",
        "peak_rss_mb",
        "floor_s",
        "floor_ratio",
    }
    assert last["peak_rss_mb"] > 0
    assert last["pdf_s"] > 0
    assert last["pdf_cpu_ms_each"] > 0
    assert "PDF statements alone: 6 in" in done.stdout
    assert "I/O floor" in done.stdout
    assert "best of 2" in done.stdout
    for grown in ("growth_deals", "growth_partners"):
        assert set(last[grown]) == {"read", "validate", "compute", "write", "record", "end_to_end"}
        assert all(ratio > 0 for ratio in last[grown].values())


def test_programs_are_closed_in_turns_and_each_keeps_its_best(monkeypatch):
    from benchmarks import run

    closed: list[str] = []
    times = {"a": iter([5.0, 3.0]), "b": iter([2.0, 4.0])}

    def fake_close(program: Path) -> dict[str, float]:
        closed.append(program.name)
        return {"read_s": next(times[program.name]), "peak_rss_mb": len(closed)}

    monkeypatch.setattr(run, "close", fake_close)
    best = run.best_of([Path("a"), Path("b")], repeat=2)
    assert closed == ["a", "b", "a", "b"]  # a slow spell falls on both sizes alike
    assert best == [{"read_s": 3.0, "peak_rss_mb": 3}, {"read_s": 2.0, "peak_rss_mb": 4}]


def test_send_benchmark_runs_at_a_tiny_size_and_a_rerun_sends_exactly_the_rest():
    done = run_module("benchmarks.send", "--partners", "6", "--json")
    assert done.returncode == 0, done.stderr
    last = json.loads(done.stdout.strip().splitlines()[-1])
    assert last["sent"] == last["messages"] > 0
    assert last["second run sends"] == 0
    assert last["sent before the server stopped"] + last["sent by the rerun"] == last["messages"]
    assert last["rerun sends exactly the rest"] is True


def test_runner_closes_the_program_with_currencies():
    done = run_module(
        "benchmarks.run",
        *("--partners", "10", "--deals", "60", "--usage", "12", "--pools", "3"),
        *("--milestones", "3", "--currencies"),
    )
    assert done.returncode == 0, done.stderr
    assert "10 partners, 60 deals, 12 usage rows, 3 pools, 3 milestones, in 6 currencies" in (
        done.stdout
    )


def test_kept_inputs_benchmark_shows_the_ledger_growing_by_the_changed_file_only():
    done = run_module(
        "benchmarks.kept_inputs",
        *("--partners", "6", "--deals", "40", "--usage", "12", "--pools", "3"),
        *("--milestones", "6", "--json"),
    )
    assert done.returncode == 0, done.stderr
    last = json.loads(done.stdout.strip().splitlines()[-1])
    assert last["input workbooks"] == 7
    assert last["kept bytes after close 1"] == last["input bytes"]
    assert last["kept inputs grew by"] == last["changed workbook bytes"] > 0


def test_sources_benchmark_closes_the_same_lines_from_parquet_as_from_workbooks():
    done = run_module(
        "benchmarks.sources",
        *("--partners", "6", "--deals", "40", "--usage", "12", "--pools", "3"),
        *("--milestones", "6", "--json"),
    )
    assert done.returncode == 0, done.stderr
    last = json.loads(done.stdout.strip().splitlines()[-1])
    assert last["identical lines"] is True
    assert last["lines"] > 40  # every deal's line and the pools' and milestones'


def test_restatement_benchmark_restates_october_and_closes_november():
    done = run_module("benchmarks.restatement", "--partners", "4", "--json")
    assert done.returncode == 0, done.stderr
    last = json.loads(done.stdout.strip().splitlines()[-1])
    assert last["partners"] == 4
    assert last["prior-period adjustment lines"] > 0
    assert last["bar"] == 2.5


def test_warehouse_benchmark_generates_parquet_deals_and_closes_them_to_parquet():
    done = run_module("benchmarks.warehouse", *("--deals", "2000", "--partners", "1200", "--json"))
    assert done.returncode == 0, done.stderr
    last = json.loads(done.stdout.strip().splitlines()[-1])
    # 2,000 deals: 100 lost (1 in 20), 20 refunds (1 in 100) of deals won earlier, so
    # 1,880 revenue-share lines, 20 clawbacks and the company's cost share
    assert last["lines"] == 1901
    assert 200 < last["line files"] <= 256  # 1,201 participants: by hash bucket
    assert set(last) >= {"generate s", "read s", "compute s", "write s", "peak MB"}
