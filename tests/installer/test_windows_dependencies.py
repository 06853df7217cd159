"""Every runtime dependency resolves to Windows wheels for the embeddable CPython 3.11.

Needs the package index; skipped only when its host refuses at once (conftest.py).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from installer import python_env
from tests.installer.fakes import index_unreachable

WINDOWS_WHEELS = [
    "--only-binary=:all:",
    "--platform",
    "win_amd64",
    "--python-version",
    "3.11",
    "--implementation",
    "cp",
]


def pip_download(dest: Path, requirements: list[str], *, no_deps: bool = False) -> None:
    command = [sys.executable, "-m", "pip", "download", *WINDOWS_WHEELS, "--dest", str(dest)]
    command += ["--no-deps"] if no_deps else []
    result = subprocess.run(
        [*command, *requirements], capture_output=True, text=True, check=False, timeout=900
    )
    assert result.returncode == 0, f"{' '.join(command)}\n{result.stdout[-4000:]}{result.stderr}"


@pytest.mark.usefixtures("package_index")
def test_every_runtime_dependency_has_a_windows_wheel(tmp_path: Path):
    requirements = python_env.runtime_requirements()
    assert any(r.startswith("xlwings") for r in requirements)
    pip_download(tmp_path, requirements)

    # pip evaluated the markers for this machine: fetch what Windows alone needs too
    everything = frozenset[str]()  # the desktop app's Qt included
    for _ in range(5):
        missing = python_env.missing_from(python_env.wheels(tmp_path), skip=everything)
        if not missing:
            break
        pip_download(tmp_path, missing, no_deps=True)
    assert python_env.missing_from(python_env.wheels(tmp_path), skip=everything) == []

    downloaded = python_env.wheels(tmp_path)
    assert {"pywin32", "xlwings", "pandas", "pyside6-essentials"} <= downloaded.keys()
    assert all(w.suffix == ".whl" for w in tmp_path.iterdir())

    # the DLL xlwings' VBA loads is in the wheel's data (python_env moves it next to
    # pythonw.exe), in the 64-bit build Excel x64 needs
    xlwings = next(tmp_path.glob("xlwings-*-win_amd64.whl"))
    version = xlwings.name.split("-")[1]
    with zipfile.ZipFile(xlwings) as wheel:
        names = wheel.namelist()
    assert f"xlwings-{version}.data/data/xlwings64-{version}.dll" in names


def test_only_a_refusing_index_host_counts_as_unreachable():
    with socket.socket() as server:  # a port on this machine that nobody listens on
        server.bind(("127.0.0.1", 0))
        port = server.getsockname()[1]
    reason = index_unreachable(f"http://127.0.0.1:{port}/simple")
    assert reason is not None
    assert f"127.0.0.1:{port} cannot be reached" in reason

    with socket.socket() as server:  # one that answers
        server.bind(("127.0.0.1", 0))
        server.listen()
        assert index_unreachable(f"http://127.0.0.1:{server.getsockname()[1]}/simple") is None
    assert index_unreachable("file:///opt/pypi/simple") is None  # a local index is no host
