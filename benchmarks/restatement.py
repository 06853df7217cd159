"""Benchmark restatement (quality.md revision 2): restating one period and closing the
next, against one close.

    python -m benchmarks.restatement [--partners 200] [--deals N --usage N --pools N
        --milestones N] [--json]

With `--partners 1000 --deals 1000000 --usage 200000 --pools 50 --milestones 3000` the
program is quality.md's large program (the sizes of `benchmarks.run`).

Writes the demo program (`partnerclose demo`) at the given size, closes October final
(one close, timed), writes November's partner workbooks, corrects one October partner
workbook (its first Usage row's units + 1, saved by openpyxl) in a corrections folder,
and closes November final with `--restate 2026-10 --corrections DIR` (timed). The bar is
2.5 × one close. Timings are printed, never asserted; the exit code says whether the
restatement produced prior-period adjustment lines (it must: the usage changed).
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from decimal import Decimal
from pathlib import Path

import openpyxl

from partnerclose.core.period import Period
from partnerclose.demo import write_demo, write_partner_workbooks
from partnerclose.pipeline import Status, run_close

ROOT = Path(__file__).resolve().parent.parent
OCT, NOV = Period(2026, 10), Period(2026, 11)
BAR = 2.5


def correct_one(partners: list[Path], folder: Path) -> Path:
    """A copy of the first October workbook with a Usage row, its first units + 1."""
    for source in sorted(partners):
        workbook = openpyxl.load_workbook(source)
        if "Usage" in workbook.sheetnames and workbook["Usage"].max_row >= 2:
            sheet = workbook["Usage"]
            header = [cell.value for cell in sheet[1]]
            cell = sheet.cell(row=2, column=header.index("units") + 1)
            cell.value = int(Decimal(str(cell.value)) + 1)
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / source.name
            workbook.save(target)
            return target
    raise SystemExit("no partner workbook has a Usage row to correct")


def run(
    partners: int, work: Path, sizes: dict[str, int | None] | None = None
) -> dict[str, float | int | str | bool]:
    """Close October, then restate it and close November; the two times and their ratio."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    given = {k: v for k, v in (sizes or {}).items() if v is not None}
    program = write_demo(
        work,
        partners=partners,
        period=OCT,
        seed=7,
        deals=given.get("deals"),
        usage_rows=given.get("usage_rows"),
        pools=given.get("pools"),
        milestones=given.get("milestones"),
    )
    october = sorted(p for p in work.rglob("*.xlsx") if p != program)
    start = time.perf_counter()
    first = run_close(program, OCT, final=True)
    one_close = time.perf_counter() - start
    if first.status is not Status.CLOSED:
        raise SystemExit(f"the October close failed: {first.message}")
    write_partner_workbooks(work, NOV)
    corrected = correct_one(october, work / "corrections")
    start = time.perf_counter()
    second = run_close(program, NOV, final=True, restate=[OCT], corrections=work / "corrections")
    restated = time.perf_counter() - start
    if second.status is not Status.CLOSED or second.result is None:
        raise SystemExit(f"the November close failed: {second.message} {second.problems}")
    adjustments = [line for line in second.result.lines if line.rule == "P3"]
    return {
        "partners": partners,
        **given,
        "corrected workbook": corrected.name,
        "one close s": round(one_close, 2),
        "restatement + next close s": round(restated, 2),
        "ratio": round(restated / one_close, 2),
        "bar": BAR,
        "within the bar": restated <= BAR * one_close,
        "prior-period adjustment lines": len(adjustments),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.restatement")
    parser.add_argument("--partners", type=int, default=200)
    parser.add_argument("--deals", type=int, default=None)
    parser.add_argument("--usage", type=int, default=None, help="usage rows")
    parser.add_argument("--pools", type=int, default=None)
    parser.add_argument("--milestones", type=int, default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    sizes = {
        "deals": args.deals,
        "usage_rows": args.usage,
        "pools": args.pools,
        "milestones": args.milestones,
    }
    name = "-".join(str(v) for v in (args.partners, *sizes.values()) if v is not None)
    figures = run(args.partners, ROOT / "benchmarks" / ".data" / f"restatement-{name}", sizes)
    print(f"restatement: demo program, {args.partners} partners")
    for name, value in figures.items():
        print(f"  {name:<30} {value}")
    if args.json:
        print(json.dumps(figures))
    return 0 if figures["prior-period adjustment lines"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
