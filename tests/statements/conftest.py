"""Shared fixtures: the demo close (seed 7, 12 partners, 2026-10) and golden files.

.venv/bin/pytest tests/statements --update-golden    # rewrite tests/statements/golden/
UPDATE_GOLDEN=1 .venv/bin/pytest tests/statements    # the same, from any directory
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from partnerclose.close_context import CloseContext
from partnerclose.core.period import Period
from partnerclose.demo import write_demo
from partnerclose.pipeline import Status, Writer, run_close, write_csvs

PERIOD = Period(2026, 10)
# A fixed run time, so that statements are the same whenever the tests run.
STARTED_AT = "2026-11-02T09:30:00+00:00"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite the golden snapshots of tests/statements/golden/",
    )


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    option = bool(request.config.getoption("--update-golden", default=False))
    return option or os.environ.get("UPDATE_GOLDEN", "") not in ("", "0")


@dataclasses.dataclass(frozen=True)
class DemoClose:
    folder: Path  # the demo: program.xlsx, partners/
    output: Path  # the close's output folder (lines.csv, ...)
    context: CloseContext


def close_demo(folder: Path, writers: tuple[Writer, ...] = ()) -> DemoClose:
    """Write the demo into `folder`, close 2026-10 (draft), keep the writers' context."""
    program = write_demo(folder, partners=12, period=PERIOD, seed=7)
    seen: list[CloseContext] = []

    def capture(context: CloseContext, out: Path) -> None:
        seen.append(context)

    outcome = run_close(program, PERIOD, writers=(write_csvs, capture, *writers))
    assert outcome.status is Status.CLOSED, outcome.message
    assert outcome.output is not None
    context = dataclasses.replace(seen[0], started_at=STARTED_AT)
    return DemoClose(folder, outcome.output, context)


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoClose:
    return close_demo(tmp_path_factory.mktemp("demo"))
