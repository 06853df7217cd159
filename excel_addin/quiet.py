"""Excel kept quiet while the add-in writes, and the status bar it reports on.

Screen updating, events, alerts and automatic calculation are off while the
add-in works; each is put back as it was when the block ends, on error too.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import xlwings as xw

from partnerclose.api import ProgressEvent, Stage

log = logging.getLogger(__name__)

QUIET: tuple[tuple[str, object], ...] = (
    ("screen_updating", False),
    ("enable_events", False),
    ("display_alerts", False),
    ("calculation", "manual"),
)


@contextmanager
def quiet_excel(app: xw.App) -> Iterator[StatusBar]:
    """Excel without redrawing, events, alerts or recalculation; restored afterwards."""
    saved: list[tuple[str, object]] = []
    for name, value in QUIET:
        try:
            before = getattr(app, name)
            setattr(app, name, value)
        except Exception:  # a setting this Excel lacks (events on some Macs): skip it
            log.warning("could not set Excel's %s", name, exc_info=True)
            continue
        saved.append((name, before))
    bar = StatusBar(app)
    try:
        yield bar
    finally:
        bar.clear()
        for name, before in reversed(saved):
            try:
                setattr(app, name, before)
            except Exception:  # put back the others all the same
                log.exception("could not restore Excel's %s", name)


_STAGES = {
    Stage.READ: "reading the partner workbooks",
    Stage.VALIDATE: "validating",
    Stage.COMPUTE: "computing the close",
    Stage.WRITE: "writing statements",
    Stage.RECORD: "recording the close in the ledger",
}


class StatusBar:
    """`Partner Close: writing statements 3 of 12 (P003)…` in Excel's status bar."""

    def __init__(self, app: xw.App) -> None:
        self.app = app
        self.last = ""

    def show(self, text: str) -> None:
        message = f"Partner Close: {text}…"
        if message != self.last:
            self.app.status_bar = message
            self.last = message

    def progress(self, event: ProgressEvent) -> None:
        text = _STAGES[event.stage]
        if event.total > 1:
            text += f" {event.done} of {event.total}"
        if event.partner:
            text += f" ({event.partner})"
        self.show(text)

    def reading(self, done: int, total: int) -> None:
        self.progress(ProgressEvent(Stage.READ, done, total))

    def clear(self) -> None:
        try:
            self.app.status_bar = False  # False: the status bar is Excel's again
        except Exception:
            log.exception("could not reset Excel's status bar")
