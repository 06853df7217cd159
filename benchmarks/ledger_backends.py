"""The demo close on an SQLite ledger and on a PostgreSQL ledger (quality.md revision 2:
the median demo close on PostgreSQL ≤ 1.5 × the same close on SQLite).

    python -m benchmarks.ledger_backends --ledger postgresql://… [--repeat 5] [--json]

Each close is `partnerclose close` in a fresh process, start-up included; a draft each
time (a rerun replaces the draft, so every close records the same run). The server's
database must exist; the demo gets a workbook name of its own, so its ledger there is
new. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from partnerclose.core.period import Period
from partnerclose.demo import write_demo

PERIOD = Period(2026, 10)


def close_seconds(program: Path, ledger: str) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "partnerclose", "close", str(program), "--period", str(PERIOD),
         "--ledger", ledger],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ledger", default=os.environ.get("PARTNERCLOSE_LEDGER"))
    parser.add_argument("--partners", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="also print one JSON line")
    args = parser.parse_args(argv)
    if not args.ledger or not args.ledger.startswith(("postgresql://", "postgres://")):
        parser.error("give the PostgreSQL ledger with --ledger postgresql://… (or set it in "
                     "PARTNERCLOSE_LEDGER)")  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        written = write_demo(Path(folder), partners=args.partners, period=PERIOD)
        program = written.rename(written.with_name(f"benchmark-{os.getpid()}.xlsx"))
        medians = {}
        for name, ledger in (
            ("sqlite", str(program) + ".ledger.sqlite"),
            ("postgresql", args.ledger),
        ):
            close_seconds(program, ledger)  # creates the ledger: not measured
            runs = [close_seconds(program, ledger) for _ in range(args.repeat)]
            medians[name] = statistics.median(runs)
            print(f"{name:<11} median demo close {medians[name]:.3f} s over {args.repeat} closes")
    ratio = medians["postgresql"] / medians["sqlite"]
    print(f"PostgreSQL ÷ SQLite: {ratio:.2f} (bar: ≤ 1.5)")
    if args.json:
        print(json.dumps({"sqlite_s": medians["sqlite"], "postgresql_s": medians["postgresql"],
                          "ratio": ratio}))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
