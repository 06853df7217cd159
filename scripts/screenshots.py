"""Screenshots of each main view of the desktop app, for docs/screenshots/.

Writes the demo program (12 partners, 2026-10) into a temporary folder, opens
it, runs a draft close, a final close, a reopen and a second draft (so that
History has something to show), a what-if, and grabs each page. It runs the app
in a real window on a virtual X server (Xvfb, from Debian's `xvfb` package) when
one is installed, else on Qt's offscreen platform:

    .venv/bin/python scripts/screenshots.py [OUT_DIR]

Settings go to a temporary INI file: the user's own settings are not touched.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

if "DISPLAY" not in os.environ and "QT_QPA_PLATFORM" not in os.environ:
    if shutil.which("xvfb-run"):  # start again inside a virtual X server
        os.execvp(
            "xvfb-run",
            ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", sys.executable, *sys.argv],
        )
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop.presenters.main import Page  # noqa: E402
from desktop.presenters.session import Backend, Session  # noqa: E402
from desktop.presenters.settings import AppSettings  # noqa: E402
from desktop.views.history_page import HistoryPage  # noqa: E402
from desktop.views.main_window import MainWindow  # noqa: E402
from desktop.views.review_page import ReviewPage  # noqa: E402
from desktop.views.settings_store import QtSettingsStore  # noqa: E402
from desktop.views.style import apply_style  # noqa: E402
from partnerclose.api import Period, run_close  # noqa: E402
from partnerclose.demo import write_demo  # noqa: E402

PERIOD = Period(2026, 10)
SIZE = (1440, 900)


def settle(app: QApplication, window: MainWindow, timeout: float = 60.0) -> None:
    """Let queued events run until no job is running."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        app.processEvents()
        if not window.session.busy and not window.scenario.running:
            break
        time.sleep(0.01)
    for _ in range(5):
        app.processEvents()


def grab(app: QApplication, window: MainWindow, out: Path, name: str) -> Path:
    settle(app, window)
    path = out / f"{name}.png"
    window.grab().save(str(path))
    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return path


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="partnerclose-shots-"))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(work / "qt"))
    folder = work / "Northwind Partner Program"
    program = write_demo(folder, partners=12, period=PERIOD, seed=7)

    app = QApplication.instance() or QApplication(argv)
    assert isinstance(app, QApplication)
    apply_style(app)
    slow = {"on": False}

    def close_slowly_when_asked(*args: Any, progress: Any = None, **kwargs: Any) -> Any:
        def report(event: Any) -> None:
            if slow["on"]:
                time.sleep(0.15)
            progress(event)

        return run_close(*args, progress=report, **kwargs)

    window = MainWindow(
        Session(
            AppSettings(QtSettingsStore.at(work / "settings.ini")),
            Backend(run_close=close_slowly_when_asked),
        )
    )
    window.confirm = lambda *args: True  # type: ignore[method-assign]
    history = window.pages[Page.HISTORY]
    assert isinstance(history, HistoryPage)
    history.ask_reason = lambda period: "P004 restated its October usage"  # type: ignore[method-assign]
    window.resize(*SIZE)
    window.show()
    window.main.set_period(PERIOD)

    window.show_page(Page.PROGRAM)
    grab(app, window, out, "00-start")
    window.main.open_program(program)
    settle(app, window)
    window.show_page(Page.PROGRAM)
    grab(app, window, out, "01-program")

    # History: a final close, its reopen, then the draft the other views show; the
    # draft is slowed down so that the progress panel can be seen.
    window.main.close(final=True)
    settle(app, window)
    window.history.reopen()
    slow["on"] = True
    window.main.close(final=False)
    deadline = time.monotonic() + 30
    while "P005" not in window.progress.detail.text() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    path = out / "03-closing.png"
    window.grab().save(str(path))
    print(f"wrote {path}")
    settle(app, window)
    slow["on"] = False

    window.show_page(Page.VALIDATION)  # now listing the close's warnings and notes
    grab(app, window, out, "02-validation")

    review = window.pages[Page.REVIEW]
    assert isinstance(review, ReviewPage)
    window.show_page(Page.REVIEW)
    review.tabs.setCurrentIndex(0)
    grab(app, window, out, "04-review-summary")
    window.review.select("P003")
    review.tabs.setCurrentIndex(1)
    grab(app, window, out, "05-review-partner")
    review.tabs.setCurrentIndex(2)
    grab(app, window, out, "06-review-pools")
    review.tabs.setCurrentIndex(3)
    grab(app, window, out, "07-review-exceptions")
    window.show_page(Page.CHARTS)
    grab(app, window, out, "08-charts")
    window.show_page(Page.SCENARIO)
    window.scenario.set_factors(Decimal("1.25"), Decimal("0.80"))
    window.scenario.recompute()
    grab(app, window, out, "09-what-if")
    window.show_page(Page.EXPORT)
    grab(app, window, out, "10-export")
    window.show_page(Page.HISTORY)
    grab(app, window, out, "11-history")
    window.close()
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
