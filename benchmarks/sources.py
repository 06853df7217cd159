"""Benchmark the Sources sheet: the same program from partner workbooks and from Parquet.

    python -m benchmarks.sources [--partners 200 --deals 200000 --usage 40000
        --pools 20 --milestones 600] [--json]

Generates the program (benchmarks.run's cache), writes every data row its partner
workbooks hold into one Parquet file per kind (numbers as their exact text, dates as
DATE, flags as BOOLEAN), and a copy of the program workbook whose `Sources` sheet names
those files instead of a partner folder. Both are closed as drafts in this process; the
lines must be identical (a differential check of the Sources reader against the
workbook reader, at scale). Prints each close's read stage and end to end.
Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

import duckdb
import openpyxl

from benchmarks.run import PERIOD, Size, generate
from partnerclose.core import schema
from partnerclose.pipeline import CloseOutcome, Status, run_close
from partnerclose.reading.inputs import load_inputs

ROOT = Path(__file__).resolve().parent.parent
PARQUET_TYPES = {
    schema.Kind.DATE: "DATE",
    schema.Kind.FLAG: "BOOLEAN",
}


def _cell(value: Any) -> Any:
    """A record's value as the Parquet file holds it (None for a blank)."""
    if value is None or value == "":
        return None
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, Decimal):
        return str(value)
    return value


def write_sources(program: Path, folder: Path) -> Path:
    """`folder`/program.xlsx reading `folder`/sources/<Kind>.parquet, with the rows of
    `program`'s partner workbooks (the program workbook's own data sheets stay)."""
    inputs = load_inputs(program, PERIOD)
    if not inputs.ok:
        raise SystemExit(f"the generated program is not valid: {inputs.problems[:3]}")
    book = openpyxl.load_workbook(program)
    rows_of = {
        "Usage": inputs.data.usage,
        "Deals": inputs.data.deals,
        "Metrics": inputs.data.metrics,
        "Campaigns": inputs.data.campaigns,
    }
    sources = folder / "sources"
    sources.mkdir(parents=True)
    kinds = []
    with duckdb.connect() as db:
        for spec in schema.DATA_SHEETS:
            # the program workbook's own data rows stay in its copy
            records = [r for r in rows_of[spec.name] if r.loc.file != program.name]  # type: ignore[attr-defined]
            if not records:
                continue
            columns = ["partner_id", *(c.name for c in spec.columns)]
            types = ["VARCHAR", *(PARQUET_TYPES.get(c.kind, "VARCHAR") for c in spec.columns)]
            table = f"t_{spec.name.lower()}"
            db.execute(
                f"CREATE TABLE {table} ("
                + ", ".join(f"{n} {t}" for n, t in zip(columns, types, strict=True))
                + ")"
            )
            rows = [tuple(_cell(getattr(record, name)) for name in columns) for record in records]
            db.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(columns))})", rows)
            target = sources / f"{spec.name}.parquet"
            db.execute(f"COPY {table} TO '{target}' (FORMAT parquet)")
            kinds.append(spec.name)
    copy = folder / "program.xlsx"
    if "Sources" in book.sheetnames:  # the generator writes every sheet's header
        del book["Sources"]
    sheet = book.create_sheet("Sources")
    sheet.append(["kind", "location", "format"])
    for kind in kinds:
        sheet.append([kind, f"sources/{kind}.parquet", "parquet"])
    book.save(copy)  # beside it no partner folder: every row comes from the sources
    return copy


def close(program: Path, out: Path) -> tuple[CloseOutcome, float]:
    start = time.perf_counter()
    outcome = run_close(program, PERIOD, out=out, ledger_path=out.with_suffix(".sqlite"))
    wall = time.perf_counter() - start
    if outcome.status is not Status.CLOSED:
        raise SystemExit(f"the close of {program} failed: {outcome.message}")
    return outcome, wall


def run(size: Size, work: Path) -> dict[str, object]:
    program = generate(size)
    start = time.perf_counter()
    from_sources = write_sources(program, work / "sources-program")
    written = time.perf_counter() - start
    by_workbooks, wall_workbooks = close(program, work / "out-workbooks")
    by_sources, wall_sources = close(from_sources, work / "out-sources")
    assert by_workbooks.result is not None
    assert by_sources.result is not None
    same = list(by_workbooks.result.lines) == list(by_sources.result.lines)
    parquet_bytes = sum(p.stat().st_size for p in (from_sources.parent / "sources").iterdir())
    return {
        "lines": len(by_workbooks.result.lines),
        "parquet bytes": parquet_bytes,
        "parquet written s": round(written, 2),
        "workbooks read s": round(by_workbooks.timings["read"], 2),
        "workbooks end to end s": round(wall_workbooks, 2),
        "sources read s": round(by_sources.timings["read"], 2),
        "sources end to end s": round(wall_sources, 2),
        "identical lines": same,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sources")
    parser.add_argument("--partners", type=int, default=200)
    parser.add_argument("--deals", type=int, default=200_000)
    parser.add_argument("--usage", type=int, default=40_000)
    parser.add_argument("--pools", type=int, default=20)
    parser.add_argument("--milestones", type=int, default=600)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    size = Size(args.partners, args.deals, args.usage, args.pools, args.milestones)
    with tempfile.TemporaryDirectory(prefix="partnerclose-sources-") as temp:
        figures = run(size, Path(temp))
    print(
        f"sources: {args.partners} partners, {args.deals} deals, {args.usage} usage rows, "
        f"{args.pools} pools, {args.milestones} milestones"
    )
    for name, value in figures.items():
        print(f"  {name:<26} {value}")
    if args.json:
        print(json.dumps(figures))
    return 0 if figures["identical lines"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
