"""Worker processes: how many, and whether they may be forked."""

from __future__ import annotations

import threading

from partnerclose.processes import (
    MAX_WORKERS,
    can_fork,
    usable_cores,
    worker_context,
    worker_count,
)


def test_one_worker_per_core_within_what_windows_allows():
    assert usable_cores(2) == 2
    assert usable_cores(0) == 1  # os.cpu_count() may not know
    assert usable_cores(128) == MAX_WORKERS == 61  # ProcessPoolExecutor's limit on Windows
    assert worker_count(1000, 128) == 61
    assert usable_cores() >= 1


def test_a_process_with_threads_spawns_its_workers():
    seen: list[tuple[bool, str]] = []

    def look() -> None:
        seen.append((can_fork(), worker_context().get_start_method()))

    thread = threading.Thread(target=look)
    thread.start()
    thread.join()
    assert seen == [(False, "spawn")]
