"""Benchmark a warehouse-scale program: deals from Parquet, lines and state to Parquet.

    python -m benchmarks.warehouse --deals 1000000 --partners 10000 [--keep DIR]
        [--generate-only] [--max-rss-gb G] [--json]

Generates (columnar, in DuckDB, never row by row) a revenue-share program fed by its
`Sources` sheet: `program.xlsx` with the Partners, Plans, tiers and products, and the
month's deals as Parquet files of at most 1,000,000 rows each (`deals/2026-10/
part-NNNN.parquet`: the reader's per-file limits, quality.md), with lost deals and
refunds of earlier deals among them. It then closes the month final in this process,
end to end — read, validate, compute, write the lines as partitioned Parquet and the
paid deals (`lines_format` parquet), record in an SQLite ledger — without statements or
the close pack (a warehouse program does not mail 100,000 workbooks), and prints each
stage's wall time and the peak memory. Timings are printed, never asserted.
`--max-rss-gb` (default 14) stops the close, saying at which stage and after how long,
when its resident memory passes that much: on a shared machine a close that would need
more must not take the others' memory.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

from openpyxl import Workbook

from partnerclose.core.period import Period
from partnerclose.pipeline import ProgressEvent, Status, run_close, write_csvs

PERIOD = Period(2026, 10)
ROWS_PER_FILE = 1_000_000
STAGES = ("read", "validate", "compute", "write", "record")

# One deal in 20 is lost, one in 100 refunds half of the deal 7 rows before it (the
# same partner's, won earlier in the month); amounts 1,000.00-49,999.99, exact.
_DEALS = """
WITH n AS (
    SELECT i, CASE WHEN i % 100 = 7 THEN i - 7 ELSE i END AS base
    FROM range({first}, {last}) t(i)
), c AS (
    SELECT i, base, 100000 + (base * 104729) % 4900000 AS cents FROM n
)
SELECT
    printf('P%06d', 1 + (base + base // 100) % {partners}) AS partner_id,
    printf('D%010d', i) AS deal_id,
    DATE '{start}' + CAST(base % {days} AS INTEGER) + CAST(i % 100 = 7 AS INTEGER) AS close_date,
    printf('Customer %d', base % 50000) AS customer,
    CASE WHEN base % 5 = 0 THEN 'Analytics' ELSE 'Core' END AS product,
    CASE base % 10 WHEN 0 THEN 'influenced' WHEN 1 THEN 'co-sell' ELSE 'sourced' END
        AS deal_type,
    base % 4 <> 0 AS registered,
    CAST(CAST((CASE WHEN i % 100 = 7 THEN cents // 2 ELSE cents END) // 100 AS VARCHAR)
        || '.' || lpad(CAST((CASE WHEN i % 100 = 7 THEN cents // 2 ELSE cents END) % 100
        AS VARCHAR), 2, '0') AS DECIMAL(18, 2)) AS amount,
    CASE WHEN i % 100 = 7 THEN 'refunded' WHEN i % 20 = 3 THEN 'lost' ELSE 'won' END
        AS status,
    CASE WHEN i % 100 = 7 THEN printf('D%010d', base) END AS original_deal_id
FROM c
ORDER BY i
"""


def write_program(folder: Path, partners: int) -> Path:
    """program.xlsx: the Program keys, `partners` active partners and the plan."""
    book = Workbook(write_only=True)
    sheets: dict[str, list[list[object]]] = {
        "Program": [
            ["key", "value"],
            ["program_name", "Warehouse benchmark"],
            ["currency", "USD"],
            ["lines_format", "parquet"],
            ["statement_deal_limit", 200],
        ],
        "Plans": [["plan", "mode"], ["Gold", "marginal"]],
        "RevenueTiers": [
            ["plan", "deal_type", "from_amount", "rate"],
            ["Gold", "sourced", 0, 0.10],
            ["Gold", "sourced", 100000, 0.15],
            ["Gold", "co-sell", 0, 0.05],
            ["Gold", "influenced", 0, 0.03],
        ],
        "Products": [["product", "bonus_rate"], ["Core", 0], ["Analytics", 0.02]],
        # one cost pool that the company uses alone: the program is about deals
        "CostPools": [["pool_id", "name", "amount", "basis"], ["DATA", "Data", 1000, "usage"]],
        "Commitments": [["partner_id", "pool_id", "committed_capacity"], ["HOST", "DATA", 100]],
        "Usage": [["partner_id", "pool_id", "units"], ["HOST", "DATA", 100]],
        "Sources": [
            ["kind", "location", "format"],
            ["Deals", "deals/{period}/*.parquet", "parquet"],
        ],
    }
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    sheet = book.create_sheet("Partners")
    sheet.append(["partner_id", "name", "plan", "status"])
    for number in range(1, partners + 1):
        sheet.append([f"P{number:06d}", f"Partner {number}", "Gold", "active"])
    path = folder / "program.xlsx"
    book.save(path)
    return path


def write_deals(folder: Path, deals: int, partners: int) -> list[Path]:
    """The month's deals as Parquet, ROWS_PER_FILE rows a file, written by DuckDB."""
    import duckdb

    target = folder / "deals" / str(PERIOD)
    target.mkdir(parents=True)
    files = []
    with duckdb.connect() as db:
        for number, first in enumerate(range(0, deals, ROWS_PER_FILE)):
            path = target / f"part-{number:04d}.parquet"
            query = _DEALS.format(
                first=first,
                last=min(deals, first + ROWS_PER_FILE),
                partners=partners,
                start=PERIOD.first_day.isoformat(),
                days=PERIOD.last_day.day - 1,  # the refund a day later, still in the month
            )
            db.execute(f"COPY ({query}) TO '{path}' (FORMAT parquet)")
            files.append(path)
    return files


def generate(folder: Path, deals: int, partners: int) -> tuple[Path, float]:
    """The program and its deals in `folder`; (program path, seconds taken)."""
    start = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    program = write_program(folder, partners)
    (folder / "partners").mkdir()  # no partner workbooks: every deal is in the files
    write_deals(folder, deals, partners)
    return program, time.perf_counter() - start


def _peak_mb() -> float:
    """The peak resident memory of this process (KB on Linux), in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_s() -> float:
    """This process's CPU time so far (user and system), in seconds."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _rss_gb() -> float:
    """This process's resident memory now, in GB (Linux)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e9


def _watch(limit_gb: float, stage: list[str], start: float) -> None:
    """Stop the process when its memory passes `limit_gb`, saying where it was."""
    while True:
        rss = _rss_gb()
        if rss > limit_gb:
            print(
                f"stopped: resident memory {rss:.1f} GB passed --max-rss-gb {limit_gb} in "
                f"the {stage[0]} stage, {time.perf_counter() - start:.0f} s into the close",
                flush=True,
            )
            os._exit(3)
        time.sleep(0.2)


def close(program: Path, max_rss_gb: float = 14.0) -> dict[str, object]:
    """Close the generated month final; the figures."""
    start = time.perf_counter()
    stage = ["read"]

    def progress(event: ProgressEvent) -> None:
        stage[0] = event.stage.value

    threading.Thread(target=_watch, args=(max_rss_gb, stage, start), daemon=True).start()
    outcome = run_close(
        program,
        PERIOD,
        final=True,
        out=program.parent / f"close-{PERIOD}",
        ledger_path=program.parent / "program.ledger.sqlite",
        writers=(write_csvs,),  # journal and exceptions; the lines and state as Parquet
        allow_empty=True,  # no partner workbooks: the deals come from the sources
        progress=progress,
    )
    wall = time.perf_counter() - start
    if outcome.status is not Status.CLOSED or outcome.result is None:
        errors = [p.message for p in outcome.problems][:5]
        raise SystemExit(f"the close failed: {outcome.message} {errors}")
    out = program.parent / f"close-{PERIOD}"
    parquet = sum(p.stat().st_size for p in (out / "lines").rglob("*.parquet"))
    return {
        **{f"{stage} s": round(outcome.timings.get(stage, 0.0), 2) for stage in STAGES},
        "end to end s": round(wall, 2),
        "peak MB": round(_peak_mb()),
        "cpu s": round(_cpu_s(), 2),  # this process's CPU: the machine is shared
        "lines": len(outcome.result.lines),
        "line files": sum(1 for _ in (out / "lines").rglob("*.parquet")),
        "lines MB": round(parquet / 1e6, 1),
        "paid deals MB": round((out / "paid_deals.parquet").stat().st_size / 1e6, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.warehouse")
    parser.add_argument("--deals", type=int, default=1_000_000)
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--keep", help="generate into this folder and keep it")
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument("--max-rss-gb", type=float, default=14.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    temp = None if args.keep else tempfile.mkdtemp(prefix="partnerclose-warehouse-")
    folder = Path(args.keep or temp or ".")
    try:
        program, generated = generate(folder, args.deals, args.partners)
        deal_mb = sum(p.stat().st_size for p in (folder / "deals").rglob("*.parquet")) / 1e6
        figures: dict[str, object] = {
            "generate s": round(generated, 2),
            "deal files MB": round(deal_mb, 1),
        }
        if not args.generate_only:
            figures.update(close(program, args.max_rss_gb))
    finally:
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)
    print(f"warehouse: {args.deals:,} deals, {args.partners:,} partners, {PERIOD}")
    for name, value in figures.items():
        print(f"  {name:<16} {value}")
    if args.json:
        print(json.dumps(figures))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
