"""Benchmark kept inputs: what two closes of one program add to the ledger.

    python -m benchmarks.kept_inputs [--partners 1000 --deals 1000000 --usage 200000
        --pools 50 --milestones 3000] [--json]

Generates the program (benchmarks.run's cache), closes it as a draft in a fresh process
on a new SQLite ledger, changes one Usage amount in one partner workbook (saved by
openpyxl, as a user saving in Excel rewrites the file), and closes it again on the same
ledger. Prints each close's end to end and record stage, the kept inputs' bytes and the
ledger file's size after each close, and the size of the changed workbook: quality.md
revision 2 wants the kept inputs to grow by that file only (identical files are stored
once). Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import openpyxl

from benchmarks.run import PERIOD, Size, generate
from partnerclose.ledger.store import Ledger

ROOT = Path(__file__).resolve().parent.parent


def close_into(program: Path, out: Path) -> dict[str, float]:
    """One draft close in a fresh process (benchmarks.close_once's figures, wall time),
    on the ledger close_once keeps beside `out` (a second close continues it)."""
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.close_once", str(program), str(PERIOD), str(out)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"the close failed: {done.stdout}{done.stderr}")
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    figures["end_to_end_s"] = wall - figures["compute_only_s"]
    return figures


def ledger_sizes(ledger: Path) -> tuple[int, int]:
    """(kept inputs' bytes, ledger file bytes), the file checkpointed first."""
    with sqlite3.connect(ledger) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    with Ledger(ledger, read_only=True) as opened:
        kept = opened.kept_bytes()
    return kept, ledger.stat().st_size


def change_one_usage_amount(partners: Path) -> Path:
    """Raise the first Usage row's units of the first partner workbook that has one."""
    for workbook_path in sorted(partners.glob("*.xlsx")):
        workbook = openpyxl.load_workbook(workbook_path)
        if "Usage" in workbook.sheetnames and workbook["Usage"].max_row >= 2:
            sheet = workbook["Usage"]
            header = [cell.value for cell in sheet[1]]
            column = header.index("units") + 1
            cell = sheet.cell(row=2, column=column)
            cell.value = int(Decimal(str(cell.value)) + 1)
            workbook.save(workbook_path)
            return workbook_path
    raise SystemExit("no partner workbook has a Usage row to change")


def run(size: Size, work: Path) -> dict[str, float | int | str]:
    source = generate(size).parent
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(source, work, ignore=shutil.ignore_patterns("out", "out.sqlite"))
    program = work / "program.xlsx"
    ledger = (work / "out").with_suffix(".sqlite")
    inputs = [program, *sorted((work / "partners").glob("*.xlsx"))]
    input_bytes = sum(path.stat().st_size for path in inputs)
    first = close_into(program, work / "out")
    kept_1, file_1 = ledger_sizes(ledger)
    changed = change_one_usage_amount(work / "partners")
    second = close_into(program, work / "out")
    kept_2, file_2 = ledger_sizes(ledger)
    return {
        "input workbooks": len(inputs),
        "input bytes": input_bytes,
        "changed workbook": changed.name,
        "changed workbook bytes": changed.stat().st_size,
        "close 1 end to end s": round(first["end_to_end_s"], 2),
        "close 1 record s": round(first["record_s"], 2),
        "kept bytes after close 1": kept_1,
        "ledger bytes after close 1": file_1,
        "close 2 end to end s": round(second["end_to_end_s"], 2),
        "close 2 record s": round(second["record_s"], 2),
        "kept bytes after close 2": kept_2,
        "ledger bytes after close 2": file_2,
        "kept inputs grew by": kept_2 - kept_1,
        "close 1 kept every input": kept_1 == input_bytes,
        "grew by the changed file only": kept_2 - kept_1 == changed.stat().st_size,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.kept_inputs")
    parser.add_argument("--partners", type=int, default=1000)
    parser.add_argument("--deals", type=int, default=1_000_000)
    parser.add_argument("--usage", type=int, default=200_000)
    parser.add_argument("--pools", type=int, default=50)
    parser.add_argument("--milestones", type=int, default=3000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    size = Size(args.partners, args.deals, args.usage, args.pools, args.milestones)
    figures = run(size, ROOT / "benchmarks" / ".data" / f"{size.name}-kept")
    print(
        f"kept inputs: {args.partners} partners, {args.deals} deals, {args.usage} usage rows, "
        f"{args.pools} pools, {args.milestones} milestones"
    )
    for name, value in figures.items():
        print(f"  {name:<30} {value}")
    if args.json:
        print(json.dumps(figures))
    ok = figures["close 1 kept every input"] and figures["grew by the changed file only"]
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
