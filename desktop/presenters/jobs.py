"""Work that runs off the UI thread, described without Qt.

A presenter hands a `Job` to a `JobRunner`: the Qt runner runs it on a QThread
and delivers progress and the result back on the UI thread; `InlineRunner`
runs it at once (tests, and presenters' own unit tests). A job polls its
`CancelToken` through the pipeline's `cancelled` callback.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from partnerclose.api import ProgressEvent

Report = Callable[[ProgressEvent], None]


class CancelToken:
    """Set from the UI thread, read from the worker: a threading.Event."""

    def __init__(self) -> None:
        """A token not yet cancelled."""
        self._event = threading.Event()

    def cancel(self) -> None:
        """Ask the job to stop at its next check."""
        self._event.set()

    def __call__(self) -> bool:
        """Whether the job has been asked to stop."""
        return self._event.is_set()


@dataclass(frozen=True, slots=True)
class Job:
    """`work(report, cancelled)` runs off the UI thread; the callbacks run on it."""

    name: str
    work: Callable[[Report, CancelToken], Any]
    on_done: Callable[[Any], None]
    on_error: Callable[[BaseException], None]
    on_progress: Callable[[ProgressEvent], None] | None = None


class JobRunner(Protocol):
    """Runs a job for a presenter: off the UI thread in the app, inline in tests."""

    def start(self, job: Job, token: CancelToken) -> None:
        """Start `job`; its callbacks are called when it reports, ends or fails."""


class InlineRunner:
    """Runs a job on the calling thread (tests without Qt)."""

    def start(self, job: Job, token: CancelToken) -> None:
        """Run `job` to the end here, then call its done or error callback."""

        def report(event: ProgressEvent) -> None:
            if job.on_progress is not None:
                job.on_progress(event)

        try:
            result = job.work(report, token)
        except Exception as exc:
            job.on_error(exc)
            return
        job.on_done(result)
