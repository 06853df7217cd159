"""Uncaught errors: logged with their traceback, shown as a plain-language dialog."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from types import TracebackType

from PySide6.QtWidgets import QApplication, QWidget

from desktop.logs import log, report_error
from desktop.views.widgets import show_error

ShowError = Callable[[QWidget | None, str, str], None]

_state = {"showing": False}


def handle_exception(
    exc_type: type[BaseException],
    exc: BaseException,
    tb: TracebackType | None,
    show: ShowError = show_error,
) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    if exc.__traceback__ is None and tb is not None:
        exc = exc.with_traceback(tb)
    message = report_error("Something unexpected went wrong", exc)
    app = QApplication.instance()
    if app is None or _state["showing"]:
        print(message, file=sys.stderr)
        return
    _state["showing"] = True
    try:
        parent = QApplication.activeWindow()
        show(parent, "Something went wrong", message + "\nYou can keep working.")
    finally:
        _state["showing"] = False


def install_excepthook(show: ShowError = show_error) -> None:
    """Route uncaught exceptions (UI thread and others) to the log and a dialog."""

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        handle_exception(exc_type, exc, tb, show)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            log.error(
                "uncaught error in thread %s",
                args.thread.name if args.thread else "?",
                exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
            )

    sys.excepthook = hook
    threading.excepthook = thread_hook
