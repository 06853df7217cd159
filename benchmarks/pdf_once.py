"""PDF statements alone (quality.md revision 2): N statements rendered in a fresh
process, from the statement data of a closed program, on every usable core.

    python -m benchmarks.pdf_once PROGRAM PERIOD COUNT

Closes PROGRAM (draft, into a temporary folder, statements as workbooks only) to get
its statements' data, then renders COUNT PDFs, cycling through its partners, with
forked workers as a close does, and prints one JSON line: wall seconds, CPU
milliseconds per statement (parent and workers), the workers used.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from partnerclose.close_context import CloseContext
from partnerclose.core.period import Period
from partnerclose.pipeline import Status, run_close
from partnerclose.processes import start_workers, usable_cores, worker_state
from partnerclose.statements.data import index_close, statement_fill
from partnerclose.statements.pdf import render_pdf
from partnerclose.statements.values import Fill


def _render(indices: tuple[int, ...]) -> int:
    fills = worker_state(tuple)
    size = 0
    for i in indices:
        fill: Fill = fills[i % len(fills)]
        size += len(render_pdf(fill))
    return size


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> int:
    program, period, count = Path(sys.argv[1]), Period.parse(sys.argv[2]), int(sys.argv[3])
    seen: list[CloseContext] = []
    with tempfile.TemporaryDirectory() as folder:
        outcome = run_close(
            program,
            period,
            out=Path(folder) / "out",
            ledger_path=Path(folder) / "ledger.sqlite",
            writers=(lambda context, out: seen.append(context),),
        )
    if outcome.status is not Status.CLOSED or not seen:
        print(json.dumps({"error": outcome.message}))
        return 1
    context = seen[0]
    index = index_close(context.result)
    fills = tuple(
        statement_fill(context, pid, index) for pid in context.result.participants if pid != "HOST"
    )
    workers = usable_cores(os.cpu_count() or 1)
    chunks = [tuple(range(i, min(i + 25, count))) for i in range(0, count, 25)]
    cpu = _cpu()
    start = time.perf_counter()
    pool = start_workers(workers, fills, fork=True)
    try:
        size = sum(pool.map(_render, chunks))
    finally:
        pool.shutdown(wait=True)
    wall = time.perf_counter() - start
    cpu = _cpu() - cpu
    result = {
        "pdf_statements": count,
        "pdf_s": wall,
        "pdf_cpu_ms_each": 1000 * cpu / count,
        "pdf_workers": workers,
        "pdf_mb": size / 1e6,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
