"""Jobs on a QThread: the worker computes, a relay on the UI thread calls back."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from desktop.presenters.jobs import CancelToken, Job
from partnerclose.api import ProgressEvent


class _Worker(QObject):
    progress = Signal(object)
    finished = Signal(object)
    failed = Signal(object)

    def __init__(self, job: Job, token: CancelToken) -> None:
        super().__init__()
        self.job = job
        self.token = token

    @Slot()
    def run(self) -> None:
        try:
            result = self.job.work(self.progress.emit, self.token)
        except BaseException as exc:  # everything goes back to the UI thread to be reported
            self.failed.emit(exc)
            return
        self.finished.emit(result)


class _Relay(QObject):
    """Lives on the UI thread: queued signals from the worker land here."""

    def __init__(self, job: Job, parent: QObject) -> None:
        super().__init__(parent)
        self.job = job

    @Slot(object)
    def on_progress(self, event: ProgressEvent) -> None:
        if self.job.on_progress is not None:
            self.job.on_progress(event)

    @Slot(object)
    def on_finished(self, result: Any) -> None:
        self.job.on_done(result)

    @Slot(object)
    def on_failed(self, exc: BaseException) -> None:
        self.job.on_error(exc)


class QtJobRunner(QObject):
    """Starts each job on its own QThread; `shutdown` cancels and waits for them."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._running: dict[QThread, tuple[_Worker, _Relay, CancelToken]] = {}

    def start(self, job: Job, token: CancelToken) -> None:
        thread = QThread(self)
        thread.setObjectName(f"job: {job.name}")
        worker = _Worker(job, token)
        worker.moveToThread(thread)
        relay = _Relay(job, self)
        queued = Qt.ConnectionType.QueuedConnection
        worker.progress.connect(relay.on_progress, queued)
        worker.finished.connect(relay.on_finished, queued)
        worker.failed.connect(relay.on_failed, queued)
        # Direct: quit from the worker thread itself, so that `shutdown` (which blocks the
        # UI thread in QThread.wait) is not waiting for an event it is blocking.
        direct = Qt.ConnectionType.DirectConnection
        worker.finished.connect(thread.quit, direct)
        worker.failed.connect(thread.quit, direct)
        thread.started.connect(worker.run)
        thread.finished.connect(lambda: self._cleanup(thread))
        self._running[thread] = (worker, relay, token)
        thread.start()

    def _cleanup(self, thread: QThread) -> None:
        entry = self._running.pop(thread, None)
        if entry is not None:
            worker, relay, _ = entry
            worker.deleteLater()
            relay.deleteLater()
        thread.deleteLater()

    @property
    def running(self) -> int:
        return len(self._running)

    def shutdown(self, timeout_ms: int = 30_000) -> None:
        for thread, (_, _, token) in list(self._running.items()):
            token.cancel()
            thread.wait(timeout_ms)
