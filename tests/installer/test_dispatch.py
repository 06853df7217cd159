"""One executable for the window and the command line (desktop/__main__.py, installer/entry.py)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.__main__ import CLI_FIRST_ARGUMENTS
from partnerclose import __version__
from partnerclose.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
NO_QT_APP = (
    "import sys, runpy; sys.argv = {argv!r}; "
    "code = 0\n"
    "try:\n    runpy.run_module('desktop', run_name='__main__')\n"
    "except SystemExit as exit:\n    code = exit.code\n"
    "from PySide6.QtWidgets import QApplication\n"
    "assert QApplication.instance() is None, 'a window was started'\n"
    "sys.exit(code)"
)


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, *args],
        check=False,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_dispatch_knows_every_command_of_the_command_line():
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    assert set(commands) | {"--version", "-h", "--help"} == CLI_FIRST_ARGUMENTS


def test_version_and_a_demo_close_run_headless(tmp_path: Path):
    version = run("-c", NO_QT_APP.format(argv=["desktop", "--version"]), cwd=tmp_path)
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"partnerclose {__version__}"

    demo = run(
        "-c", NO_QT_APP.format(argv=["desktop", "demo", "D", "--period", "2026-10"]), cwd=tmp_path
    )
    assert demo.returncode == 0, demo.stderr
    assert (tmp_path / "D" / "program.xlsx").is_file()

    invalid = run(
        "-c", NO_QT_APP.format(argv=["desktop", "validate", "missing.xlsx"]), cwd=tmp_path
    )
    assert invalid.returncode == 2  # the command line's exit code for invalid input


def test_the_frozen_entry_runs_the_command_line_too(tmp_path: Path):
    result = run(str(ROOT / "installer" / "entry.py"), "--version", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"partnerclose {__version__}"


@pytest.mark.skipif(sys.platform == "win32", reason="closes the child's standard streams (POSIX)")
def test_the_command_line_runs_without_standard_streams(tmp_path: Path):
    """As a windowed executable started by a scheduled task: sys.stdout and sys.stderr
    are None, and the close must run all the same."""

    def close_standard_streams() -> None:
        os.close(1)
        os.close(2)

    def run_without_streams(*args: str) -> int:
        entry = str(ROOT / "installer" / "entry.py")
        return subprocess.run(
            [sys.executable, entry, *args],
            cwd=tmp_path,
            preexec_fn=close_standard_streams,
            check=False,
            timeout=300,
        ).returncode

    assert run_without_streams("demo", "D", "--period", "2026-10") == 0
    # the close reports progress and problems on standard error
    assert run_without_streams("close", "D/program.xlsx", "--period", "2026-10") == 0
    assert (tmp_path / "D" / "close-2026-10" / "lines.csv").is_file()
