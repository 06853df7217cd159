"""`python -m desktop` or `partnerclose-app [PROGRAM.xlsx]`: the desktop app.

With a command-line command or option first (`close PROGRAM.xlsx --period 2026-10`,
`--version`), it runs the `partnerclose` command line instead and opens no window: the
packaged app is one executable for both (installer/).
"""

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


# First arguments that mean the command line, not the window (partnerclose.cli).
CLI_FIRST_ARGUMENTS = frozenset(
    {"demo", "validate", "close", "whatif", "reopen", "history", "doctor", "prepare", "send"}
    | {"approve", "reject", "verify", "inputs", "ledger-setup"}  # partnerclose/ledger_cli.py
) | frozenset({"--version", "-h", "--help"})


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and args[1] in CLI_FIRST_ARGUMENTS:
        from partnerclose.api import cli_main  # headless: Qt is never started

        return cli_main(args[1:])
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
