"""The PyInstaller bundle, built on this machine and run: the command line and the window.

PARTNERCLOSE_BUNDLE=<folder> tests an app already built there (the Windows workflow tests
the app it ships this way) instead of building one into a temporary folder.
"""

from __future__ import annotations

import csv
import importlib.util
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from installer.build_app import BuiltApp, build_app, folder_size
from installer.entry import QUIT_AFTER_ENV
from installer.layout import APP_NAME, CONTENTS_DIRECTORY, app_executable
from partnerclose import __version__

PERIOD = "2026-10"
BUNDLE_ENV = "PARTNERCLOSE_BUNDLE"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltApp]:
    prebuilt = os.environ.get(BUNDLE_ENV)
    if prebuilt:
        folder = Path(prebuilt)
        yield BuiltApp(folder, folder / app_executable(), 0.0, folder_size(folder))
        return
    built = build_app(tmp_path_factory.mktemp("bundle"))
    print(f"\nbundle built in {built.seconds:.0f} s, {built.size_bytes / 1e6:.0f} MB")
    yield built


def run(
    app: BuiltApp, *args: str, cwd: Path, home: Path, quit_after_ms: int | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the app with its settings, log and home in `home`, Qt offscreen."""
    env = {
        **os.environ,
        "HOME": str(home),
        "USERPROFILE": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "QT_QPA_PLATFORM": "offscreen",
        "PARTNERCLOSE_DESKTOP_LOG": str(home / "desktop.log"),
    }
    env.pop(QUIT_AFTER_ENV, None)
    if quit_after_ms is not None:
        env[QUIT_AFTER_ENV] = str(quit_after_ms)
    return subprocess.run(
        [str(app.executable), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_bundle_is_one_folder_with_its_templates_and_without_unused_modules(app: BuiltApp):
    assert app.folder.name == APP_NAME
    internal = app.folder / CONTENTS_DIRECTORY
    assert (internal / "templates" / "statement.xlsx").is_file()
    assert (internal / "templates" / "close_pack.xlsx").is_file()
    plugins = [p.name for p in internal.rglob("*") if p.parent.name == "platforms"]
    assert any("offscreen" in name for name in plugins), plugins
    assert not any("wayland" in name for name in plugins), plugins
    assert not (internal / "numpy").exists()
    assert not (internal / "pandas").exists()
    assert app.size_bytes < 400_000_000


def test_version(app: BuiltApp, tmp_path: Path):
    result = run(app, "--version", cwd=tmp_path, home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"partnerclose {__version__}"


def test_the_demo_close_runs_headless(app: BuiltApp, tmp_path: Path):
    demo = run(app, "demo", "D", "--period", PERIOD, cwd=tmp_path, home=tmp_path)
    assert demo.returncode == 0, demo.stderr
    close = run(app, "close", "D/program.xlsx", "--period", PERIOD, cwd=tmp_path, home=tmp_path)
    assert close.returncode == 0, close.stdout + close.stderr
    assert f"Closed {PERIOD} (draft)" in close.stdout

    out = tmp_path / "D" / f"close-{PERIOD}"
    with (out / "lines.csv").open(encoding="utf-8") as stream:
        lines = list(csv.DictReader(stream))
    assert len(lines) > 50
    assert {line["period"] for line in lines} == {PERIOD}
    if importlib.util.find_spec("partnerclose.statements") is None:
        pytest.skip("partnerclose.statements is not there yet: no statements to check")
    statements = sorted(p.stem for p in (out / "statements").glob("*.xlsx"))
    partners = sorted({line["partner_id"] for line in lines} - {"HOST"})
    assert statements == partners
    assert (out / "close_pack.xlsx").is_file()

    history = run(app, "history", "D/program.xlsx", cwd=tmp_path, home=tmp_path)
    assert history.returncode == 0, history.stderr
    assert PERIOD in history.stdout


@pytest.mark.skipif(
    importlib.util.find_spec("partnerclose.statements") is None,
    reason="partnerclose.statements is not there yet: nothing is written in parallel",
)
def test_statements_are_written_by_worker_processes_of_the_frozen_app(
    app: BuiltApp, tmp_path: Path
):
    """Over 16 partners the writer starts worker processes: the executable again, which
    must run the worker (multiprocessing.freeze_support) rather than the app."""
    from partnerclose.processes import PARALLEL_ABOVE, worker_count

    partners = PARALLEL_ABOVE + 8
    assert worker_count(partners, os.cpu_count()) > 1 or (os.cpu_count() or 1) == 1
    demo = run(
        app,
        "demo",
        "D",
        "--period",
        PERIOD,
        "--partners",
        str(partners),
        cwd=tmp_path,
        home=tmp_path,
    )
    assert demo.returncode == 0, demo.stderr
    close = run(app, "close", "D/program.xlsx", "--period", PERIOD, cwd=tmp_path, home=tmp_path)
    assert close.returncode == 0, close.stdout + close.stderr
    written = list((tmp_path / "D" / f"close-{PERIOD}" / "statements").glob("*.xlsx"))
    assert len(written) > PARALLEL_ABOVE
    assert not (tmp_path / "desktop.log").exists()  # no window was ever started


def test_without_arguments_the_window_opens_and_closes_cleanly(app: BuiltApp, tmp_path: Path):
    result = run(app, cwd=tmp_path, home=tmp_path, quit_after_ms=1500)
    assert result.returncode == 0, result.stdout + result.stderr
    log = (tmp_path / "desktop.log").read_text(encoding="utf-8")
    assert "desktop app starting" in log
    assert "ERROR" not in log
