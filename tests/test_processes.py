"""Worker processes: how many, and whether they may be forked."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from partnerclose.processes import (
    MAX_WORKERS,
    can_fork,
    start_workers,
    submit_ahead,
    usable_cores,
    worker_context,
    worker_count,
    worker_state,
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


def _state_times(n: int) -> str:
    return worker_state(str) * n


def _worker_threads() -> list[str]:
    return [thread.name for thread in threading.enumerate()]


def _wait_then_echo(value: int, delay: float) -> int:
    time.sleep(delay)
    return value


@pytest.mark.parametrize("fork", [True, False])
def test_workers_hold_the_state_they_were_started_with(fork: bool):
    pool = start_workers(2, "ab", fork=fork)
    try:
        results = list(submit_ahead(pool, _state_times, [(1,), (2,), (3,)], ahead=2))
        threads = pool.submit(_worker_threads).result()
    finally:
        pool.shutdown(wait=True)
    assert results == ["ab", "abab", "ababab"]
    assert "parent-watch" in threads  # die_with_parent ran in the worker


def test_worker_state_of_another_kind_is_refused():
    pool = start_workers(1, "text", fork=False)
    try:
        with pytest.raises(TypeError, match="worker state is str, not bytes"):
            pool.submit(worker_state, bytes).result()
    finally:
        pool.shutdown(wait=True)


class CountingPool(ThreadPoolExecutor):
    """Threads stand in for processes: submit_ahead only needs an Executor."""

    def __init__(self) -> None:
        super().__init__(max_workers=4)
        self.submitted = 0

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.submitted += 1
        return super().submit(fn, *args, **kwargs)


def test_results_come_in_order_with_only_ahead_tasks_submitted():
    # The first task is the slowest: results still come in the order of the arguments.
    delays = [0.2, 0.0, 0.1, 0.0, 0.0]
    with CountingPool() as pool:
        results = submit_ahead(pool, _wait_then_echo, list(enumerate(delays)), ahead=2)
        assert pool.submitted == 2  # submitted at once, before the first is collected
        collected = []
        for value in results:
            collected.append(value)
            # one more submitted as each is collected, never more than 2 ahead
            assert pool.submitted == min(len(delays), len(collected) + 2)
    assert collected == [0, 1, 2, 3, 4]


def test_a_caller_that_stops_early_submits_nothing_more():
    with CountingPool() as pool:
        results = submit_ahead(pool, _wait_then_echo, [(i, 0.05) for i in range(10)], ahead=3)
        assert next(results) == 0
        results.close()  # type: ignore[attr-defined]
        assert pool.submitted == 4  # nothing submitted after the caller stopped
