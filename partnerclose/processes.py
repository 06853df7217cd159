"""Worker processes for per-partner work (reading workbooks, writing statements).

Both cores of a laptop are used through processes: converting cells and
filling statements is Python work, which threads cannot run in parallel.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import sys
import threading
from multiprocessing.context import BaseContext

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
