"""Fixtures for the desktop app's tests.

Qt runs offscreen; QSettings and the log file go to temporary places, so the
tests never touch the user's own settings. Qt is imported lazily: the
presenter tests run without it.
"""

from __future__ import annotations

import csv
import os
import shutil
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PERIOD_TEXT = "2026-10"


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo program, written once; each test gets its own copy."""
    from partnerclose.api import Period
    from partnerclose.demo import write_demo

    folder = tmp_path_factory.mktemp("demo-template") / "program"
    write_demo(folder, partners=12, period=Period(2026, 10), seed=7)
    return folder


@pytest.fixture
def demo_program(demo_template: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "Northwind"
    shutil.copytree(demo_template, folder)
    return folder / "program.xlsx"


@pytest.fixture(autouse=True)
def isolated_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    from desktop import logs

    path = tmp_path / "logs" / "desktop.log"
    monkeypatch.setenv(logs.ENV_LOG, str(path))
    logs.configure_logging(path)
    yield path
    for handler in list(logs.log.handlers):
        logs.log.removeHandler(handler)
        handler.close()
    logs._current.clear()


def read_lines_csv(path: Path) -> dict[str, dict[str, Decimal]]:
    """participant -> component -> Σ amount, from the close's lines.csv."""
    totals: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    with path.open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            totals[row["partner_id"]][row["component"]] += Decimal(row["amount"])
    return totals


# --- Qt ------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def qt_settings(tmp_path: Path) -> Path:
    """Every QSettings of the test (even a default one) lives under tmp_path."""
    from PySide6.QtCore import QSettings

    folder = tmp_path / "qt-settings"
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.IniFormat, scope, str(folder))
        QSettings.setPath(QSettings.Format.NativeFormat, scope, str(folder))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    return tmp_path / "settings.ini"


class Recorder:
    """Stands in for the dialogs and the system's file opener."""

    def __init__(self) -> None:
        self.opened: list[Path] = []
        self.errors: list[tuple[str, str]] = []

    def open(self, path: Path) -> bool:
        self.opened.append(path)
        return True

    def error(self, parent: Any, title: str, text: str) -> None:
        self.errors.append((title, text))


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    from desktop.views import widgets

    rec = Recorder()
    monkeypatch.setitem(widgets.HOOKS, "open", rec.open)
    monkeypatch.setitem(widgets.HOOKS, "error", rec.error)
    return rec


def make_window(qtbot: Any, settings_file: Path, backend: Any = None) -> Any:
    from PySide6.QtWidgets import QApplication

    from desktop.presenters.session import Session
    from desktop.presenters.settings import AppSettings
    from desktop.views.main_window import MainWindow
    from desktop.views.settings_store import QtSettingsStore
    from desktop.views.style import apply_style
    from partnerclose.api import Period

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_style(app)
    session = Session(AppSettings(QtSettingsStore.at(settings_file)), backend)
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.confirm = lambda *args: True
    window.main.set_period(Period(2026, 10))
    window.resize(1440, 900)
    window.show()
    return window


@pytest.fixture
def window(qtbot: Any, qt_settings: Path, recorder: Recorder) -> Iterator[Any]:
    win = make_window(qtbot, qt_settings)
    yield win
    win.runner.shutdown()


def wait_idle(qtbot: Any, window: Any, timeout: int = 30_000) -> None:
    qtbot.waitUntil(
        lambda: not window.session.busy and not window.scenario.running, timeout=timeout
    )


@pytest.fixture
def smtp() -> Iterator[Any]:
    """A real SMTP server on localhost (aiosmtpd), as the distribution tests use."""
    from benchmarks.mail_server import LocalSmtp

    server = LocalSmtp()
    server.start()
    yield server
    server.stop()
