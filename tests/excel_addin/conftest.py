"""Fixtures: the fake Excel engine, the demo program opened as a live workbook."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import xlwings as xw

from excel_addin.control import Outcome
from excel_addin.entry import run
from excel_addin.layout import Action
from partnerclose.api import Period
from partnerclose.demo import write_demo
from tests.excel_addin.fake_excel import FakeExcel, install, uninstall

PERIOD = Period(2026, 10)
TODAY = date(2026, 11, 5)  # last month: the demo's period


@pytest.fixture(autouse=True)
def no_user_config(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A home folder of the test's own, so that the add-in's user config file
    (`~/.myaddin/myaddin.conf`) of whoever runs the tests does not take part."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    monkeypatch.delenv("PARTNERCLOSE_LEDGER", raising=False)
    return home


@pytest.fixture
def excel() -> Iterator[FakeExcel]:
    fake = install()
    try:
        yield fake
    finally:
        uninstall(fake)


@pytest.fixture(scope="session")
def demo_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo-source")
    write_demo(folder, partners=12, period=PERIOD, seed=7)
    return folder


@pytest.fixture
def demo(tmp_path: Path, demo_source: Path) -> Path:
    """A fresh copy of the demo program: its program workbook's path."""
    folder = tmp_path / "demo"
    shutil.copytree(demo_source, folder)
    return folder / "program.xlsx"


@pytest.fixture
def book(excel: FakeExcel, demo: Path) -> xw.Book:
    """The demo program open in (fake) Excel, as the calling workbook, with the
    Close sheet the first click adds."""
    opened = excel.open(demo)
    opened.set_mock_caller()
    first = run(opened, today=TODAY)
    assert first.status.value == "Set up"
    excel.app.alerts.clear()
    excel.app.ops.clear()
    return opened


def ask(book: xw.Book, action: Action, period: str | None = str(PERIOD)) -> None:
    """What the user picks on the Close sheet (B4: period, B5: action)."""
    close = book.sheets["Close"]
    close["B4"].value = period
    close["B5"].value = action.value


def click(book: xw.Book, action: Action, period: str | None = str(PERIOD)) -> Outcome:
    ask(book, action, period)
    return run(book, today=TODAY)
