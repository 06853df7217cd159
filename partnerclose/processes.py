"""Worker processes for per-partner work (reading workbooks, writing statements).

`start_workers` and `submit_ahead` are the one way both run: a pool whose workers
hold the task's state, fed a few tasks ahead and collected in order.

Both cores of a laptop are used through processes: converting cells and
filling statements is Python work, which threads cannot run in parallel.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from itertools import islice
from multiprocessing.context import BaseContext
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Windows' process pools take at most 61 workers.
MAX_WORKERS = 61
PARALLEL_ABOVE = 16  # tasks (workbooks, statements): fewer are done faster than workers start


def usable_cores(cpus: int | None = None) -> int:
    """Worker processes worth starting: one per core, within what every platform allows."""
    found = os.cpu_count() if cpus is None else cpus
    return max(1, min(found or 1, MAX_WORKERS))


def worker_count(tasks: int, cpus: int | None) -> int:
    """Processes for `tasks` per-partner tasks: one, unless there are many and cores
    (`cpus` None: not known, so one)."""
    if tasks <= PARALLEL_ABOVE:
        return 1
    return min(usable_cores(cpus or 1), tasks)


def can_fork() -> bool:
    """Whether worker processes can be forked safely: on Linux, from the main thread
    of a process that runs no other Python thread (a fork copies only the calling
    thread, and any lock another one holds). macOS forks unsafely (Apple's
    frameworks), Windows not at all."""
    return (
        sys.platform.startswith("linux")
        and threading.current_thread() is threading.main_thread()
        and threading.active_count() == 1
    )


def worker_context(fork: bool | None = None) -> BaseContext:
    """`fork` when safe (workers start at once and inherit the parent's memory), else
    `spawn` (the desktop app and Excel run threads)."""
    if fork is None:
        fork = can_fork()
    return multiprocessing.get_context("fork" if fork else "spawn")


def die_with_parent() -> None:
    """In a worker process: end when the parent process ends, however it ends.

    A parent killed outright (SIGKILL, a crash) cannot stop its workers, which would
    otherwise wait for work for ever. On Linux the kernel sends the worker SIGKILL
    when its parent dies (PR_SET_PDEATHSIG), even if the worker is busy in C code.
    Everywhere, a watcher thread waits on the parent's sentinel (a pipe or process
    handle that multiprocessing gives every child, ready when the parent is gone)
    and ends the worker.
    """
    parent = multiprocessing.parent_process()
    if parent is None:
        return
    if sys.platform.startswith("linux") and parent.pid is not None:
        _linux_parent_death_signal(parent.pid)
    sentinel = parent.sentinel

    def watch() -> None:
        multiprocessing.connection.wait([sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _linux_parent_death_signal(parent_pid: int) -> None:
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return  # no prctl: the watcher thread still ends the worker
    if os.getppid() != parent_pid:  # the parent died before the signal was set
        os._exit(1)


# --- one way to run workers: a pool whose workers hold the task's state ------------------

_state: list[object] = []  # in a worker process: what `start_workers` gave it


def start_workers(workers: int, state: object, *, fork: bool | None = None) -> ProcessPoolExecutor:
    """A pool of `workers` processes, each ending with its parent (`die_with_parent`) and
    holding `state` for `worker_state`: sent once per worker, not with every task. A
    forked worker inherits `state` from the parent's memory; a spawned one gets it pickled.
    """
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=worker_context(fork),
        initializer=_start_worker,
        initargs=(state,),
    )


def _start_worker(state: object) -> None:
    die_with_parent()
    _state[:] = [state]


def worker_state(kind: type[T]) -> T:
    """In a worker of `start_workers`: the state it was started with."""
    state = _state[0]
    if not isinstance(state, kind):
        raise TypeError(f"worker state is {type(state).__name__}, not {kind.__name__}")
    return state


def submit_ahead(
    pool: Executor, task: Callable[..., R], arguments: Iterable[tuple[Any, ...]], ahead: int
) -> Iterator[R]:
    """Submit `task` for the first `ahead` argument tuples now, and return their results
    in order, submitting the next one as each is collected: the workers stay busy while
    only `ahead` tasks (and their data) are held at once. A task's exception is raised
    where its result is collected; tasks not yet collected are cancelled when the caller
    stops early (a cancelled close) or fails."""
    remaining = iter(arguments)
    pending = deque(pool.submit(task, *args) for args in islice(remaining, ahead))
    return _collect_in_order(pool, task, remaining, pending)


def _collect_in_order(
    pool: Executor,
    task: Callable[..., R],
    remaining: Iterator[tuple[Any, ...]],
    pending: deque[Future[R]],
) -> Iterator[R]:
    try:
        while pending:
            result = pending.popleft().result()
            following = next(remaining, None)
            if following is not None:
                pending.append(pool.submit(task, *following))
            yield result
    finally:
        for future in pending:
            future.cancel()
