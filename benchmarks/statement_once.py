"""Statement workbooks alone: CPU per statement, in one process, PDFs off.

    python -m benchmarks.statement_once PROGRAM PERIOD [ROUNDS]

Closes PROGRAM (draft, into a temporary folder, no writers) to get its statements,
then, ROUNDS times (default 5), builds every partner's statement data
(`statement_fill`) and fills the statement template with it (`fill_package`, the
XML backend, the template parsed once beforehand and the close frozen out of the
collector's sight, as a close's forked workers have both), and
prints one JSON line: statements, the mean deals on a statement, and the CPU
milliseconds per statement of the best round for the data, the workbook and both.
The best round, because other work on the machine only ever adds time.
"""

from __future__ import annotations

import gc
import json
import sys
import tempfile
import time
from pathlib import Path

from partnerclose.close_context import CloseContext
from partnerclose.core.period import Period
from partnerclose.pipeline import Status, run_close
from partnerclose.statements.data import index_close, run_time, statement_fill
from partnerclose.statements.package import fill_package, load_package
from partnerclose.statements.writers import STATEMENT_TEMPLATE, statement_partners


def main() -> int:
    program, period = Path(sys.argv[1]), Period.parse(sys.argv[2])
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 5
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
    partners = statement_partners(context)
    package = load_package(STATEMENT_TEMPLATE.read_bytes())
    produced = run_time(context.started_at)
    gc.freeze()  # as the statement workers have the close: inherited, never rescanned
    best: tuple[float, float] | None = None
    size = 0
    for _ in range(rounds):
        data_cpu = workbook_cpu = 0.0
        size = 0
        for pid in partners:
            start = time.process_time()
            fill = statement_fill(context, pid, index)
            middle = time.process_time()
            written, _ = fill_package(package, fill, produced=produced)
            workbook_cpu += time.process_time() - middle
            data_cpu += middle - start
            size += len(written)
        if best is None or data_cpu + workbook_cpu < sum(best):
            best = (data_cpu, workbook_cpu)
    assert best is not None
    count = len(partners)
    deals = sum(len(index.deals.get(pid, ())) for pid in partners)
    print(
        json.dumps(
            {
                "statements": count,
                "deals_each": round(deals / count, 1),
                "bytes_each": size // count,
                "data_cpu_ms_each": round(1000 * best[0] / count, 2),
                "workbook_cpu_ms_each": round(1000 * best[1] / count, 2),
                "statement_cpu_ms_each": round(1000 * sum(best) / count, 2),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
