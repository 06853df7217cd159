"""One close in a fresh process; prints its stage timings and peak memory as JSON.

Run by benchmarks.run so that peak memory and start-up belong to the close alone.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

START = time.perf_counter()

from partnerclose.collector import collector_paused  # noqa: E402
from partnerclose.core.close import CloseState, compute_close  # noqa: E402
from partnerclose.core.period import Period  # noqa: E402  (start-up is part of the measure)
from partnerclose.pipeline import CloseOutcome, Status, run_close  # noqa: E402


def peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024  # Linux reports KiB


def compute_only(outcome: CloseOutcome) -> float:
    """quality.md's "compute only": the close's computation on inputs already in memory
    (a new ledger, so the first-close state, as in the close just run)."""
    inputs = outcome.inputs
    assert inputs is not None
    assert inputs.program is not None
    with collector_paused():
        start = time.perf_counter()
        compute_close(inputs.program, inputs.period, inputs.data, CloseState())
        return time.perf_counter() - start


def main() -> int:
    program, period, out = Path(sys.argv[1]), Period.parse(sys.argv[2]), Path(sys.argv[3])
    outcome = run_close(program, period, out=out, ledger_path=out.with_suffix(".sqlite"))
    if outcome.status is not Status.CLOSED:
        print(json.dumps({"error": outcome.message}))
        return 1
    figures = {f"{stage}_s": seconds for stage, seconds in outcome.timings.items()}
    # The close's own figures first: the compute-only run below adds time and memory.
    figures["close_s"] = time.perf_counter() - START
    figures["peak_rss_mb"] = peak_rss_mb()
    figures["lines"] = len(outcome.result.lines) if outcome.result else 0
    figures["compute_only_s"] = compute_only(outcome)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
