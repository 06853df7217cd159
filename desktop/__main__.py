"""`python -m desktop` or `partnerclose-app [PROGRAM.xlsx]`: the desktop app."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import QApplication

from desktop.logs import configure_logging, log
from desktop.presenters.session import Session
from desktop.presenters.settings import AppSettings, SettingsStore
from desktop.views.errors import install_excepthook
from desktop.views.main_window import MainWindow
from desktop.views.settings_store import APPLICATION, ORGANIZATION, QtSettingsStore
from desktop.views.style import apply_style


def create_window(store: SettingsStore | None = None) -> MainWindow:
    """The main window over a fresh session (a QApplication must exist)."""
    return MainWindow(Session(AppSettings(store or QtSettingsStore())))


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv if argv is None else argv)
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(args)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    path = configure_logging()
    log.info("desktop app starting; log at %s", path)
    install_excepthook()
    apply_style(app)
    window = create_window()
    window.show()
    workbooks = [a for a in args[1:] if a.lower().endswith((".xlsx", ".xlsm"))]
    if workbooks:
        window.main.open_program(Path(workbooks[0]))
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
