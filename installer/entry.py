"""The packaged app's entry point: PyInstaller runs this file as `__main__`.

`PartnerClose` with no argument (or a workbook) opens the window; with a command-line
command or option first (`close PROGRAM.xlsx --period 2026-10`, `--version`) it runs the
command line headless: `desktop.__main__.main` decides. Before that:

- `multiprocessing.freeze_support()`: the statement writer's worker processes are this
  executable started again with `--multiprocessing-fork`; they must run the worker and
  never reach the app.
- On Windows the app is a windowed executable, which has no console: given arguments, it
  writes to the console it was started from, if any, else to nothing
  (`give_output_streams`), so that a scheduled close runs too.
- PARTNERCLOSE_QUIT_AFTER_MS (the packaging smoke test): quit the window's event loop
  after that many milliseconds, so a test can open the real window and see it close cleanly.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from typing import TextIO

QUIT_AFTER_ENV = "PARTNERCLOSE_QUIT_AFTER_MS"


def _parent_console() -> TextIO | None:
    """Windows: the console of the process that started this one (cmd, PowerShell), if any."""
    if sys.platform == "win32":
        import ctypes

        attach_parent_process = -1
        if not ctypes.windll.kernel32.AttachConsole(attach_parent_process):
            return None  # started from Explorer, a shortcut or a scheduled task
        # "CONOUT$" names the console itself, which Python writes as UTF-16 (PEP 528); the
        # file stays open for the life of the process.
        return open("CONOUT$", "w", encoding="utf-8")  # noqa: PTH123
    return None


def give_output_streams() -> None:
    """A windowed executable has no standard output or error (None): the command line
    needs them. Use the parent's console if there is one, else nothing (os.devnull)."""
    if sys.stdout is not None and sys.stderr is not None:
        return  # a console, a pipe or a file: keep it
    stream = _parent_console() or open(os.devnull, "w", encoding="utf-8")  # noqa: PTH123, SIM115
    sys.stdout = sys.stdout or stream
    sys.stderr = sys.stderr or stream


def quit_after(milliseconds: int) -> None:
    """Quit the app's event loop once it has run for `milliseconds` (smoke tests)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv)
    QTimer.singleShot(milliseconds, app.quit)


def run() -> int:
    multiprocessing.freeze_support()  # a worker process runs here and exits
    if len(sys.argv) > 1:
        give_output_streams()
    from desktop.__main__ import CLI_FIRST_ARGUMENTS, main

    quit_ms = os.environ.get(QUIT_AFTER_ENV, "")
    if quit_ms.isdigit() and not (len(sys.argv) > 1 and sys.argv[1] in CLI_FIRST_ARGUMENTS):
        quit_after(int(quit_ms))
    return main(sys.argv)


if __name__ == "__main__":
    sys.exit(run())
