"""The add-in's Python for Windows (installer/python_env.py), the parts that need no network."""

from __future__ import annotations

import importlib.metadata
import zipfile
from pathlib import Path

import pytest

from installer import python_env
from installer.layout import PYTHON_TAG, SITE_PACKAGES
from tests.installer.fakes import make_fake_embeddable

LINUX = {**python_env.windows_environment(), "sys_platform": "linux", "platform_system": "Linux"}
LINUX["os_name"] = "posix"


def write_distribution(site: Path, name: str, version: str, *requires: str) -> None:
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    lines += [f"Requires-Dist: {r}" for r in requires]
    (info / "METADATA").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_windows_only_dependencies_are_found_under_windows_markers(tmp_path: Path):
    site = tmp_path / "site"
    write_distribution(
        site,
        "xlwings",
        "0.37.8",
        "pywin32>=224; platform_system == 'Windows'",
        "psutil>=2.0.0; platform_system == 'Darwin'",
        "pandas; extra == 'all'",
    )
    write_distribution(
        site,
        "pandas",
        "3.1.1",
        "numpy>=2.0.2; python_version < '3.14'",
        'tzdata; sys_platform == "win32"',
    )
    write_distribution(site, "numpy", "2.4.6")
    write_distribution(site, "partnerclose", "0.1.0", "PySide6-Essentials>=6.6", "pandas>=2.2")
    # pip on Linux would miss pywin32 and tzdata; the Qt of the desktop app is left out
    assert python_env.missing_requirements(site) == ["pywin32>=224", "tzdata"]
    assert python_env.missing_requirements(site, LINUX) == []
    write_distribution(site, "pywin32", "312")
    write_distribution(site, "tzdata", "2026.6")
    assert python_env.missing_requirements(site) == []


def test_the_addin_gets_the_runtime_dependencies_without_qt_at_this_builds_versions():
    requirements = python_env.addin_requirements()
    names = [r.split("==")[0].lower() for r in requirements]
    assert "pyside6-essentials" not in names
    declared = python_env.runtime_requirements()
    assert len(requirements) == len(declared) - 1  # every one but PySide6-Essentials
    # the add-in's VBA loads xlwings<bits>-<version>.dll: the same xlwings as this build's
    assert f"xlwings=={importlib.metadata.version('xlwings')}" in requirements


def test_a_requirement_is_pinned_only_to_an_allowed_installed_version():
    openpyxl = importlib.metadata.version("openpyxl")
    assert python_env.pinned(["openpyxl>=3.1", "openpyxl<1", "no-such-package-here>=1"]) == [
        f"openpyxl=={openpyxl}",
        "openpyxl<1",
        "no-such-package-here>=1",
    ]


def test_pip_installs_windows_wheels_only():
    command = python_env.pip_install_command(Path("T"), ["a==1"], no_deps=True)
    joined = " ".join(command)
    assert "--target T --platform win_amd64 --python-version 3.11 --implementation cp" in joined
    assert f"--abi cp{PYTHON_TAG} --only-binary=:all: --no-deps" in joined
    assert command[-1] == "a==1"


def test_the_embeddable_python_reads_site_packages(tmp_path: Path):
    python = python_env.unpack_embeddable(make_fake_embeddable(tmp_path / "e.zip"), tmp_path / "py")
    pth = (python / f"python{PYTHON_TAG}._pth").read_text(encoding="ascii").splitlines()
    assert pth[:3] == [f"python{PYTHON_TAG}.zip", ".", "Lib\\site-packages"]
    assert pth[-1] == "import site"  # runs the .pth files there (pywin32.pth)
    assert (python / SITE_PACKAGES).is_dir()
    assert (python / "pythonw.exe").is_file()


def test_another_zip_is_not_taken_for_the_embeddable_python(tmp_path: Path):
    archive = tmp_path / "python-3.12.0-embed-amd64.zip"
    with zipfile.ZipFile(archive, "w") as package:
        package.writestr("python.exe", b"")
        package.writestr("python312._pth", b"")
    with pytest.raises(RuntimeError, match=r"pythonw\.exe, python311\.dll"):
        python_env.unpack_embeddable(archive, tmp_path / "py")


def test_the_xlwings_dll_moves_next_to_the_interpreter(tmp_path: Path):
    site = tmp_path / SITE_PACKAGES
    site.mkdir(parents=True)
    for name in ("xlwings64-0.37.8.dll", "xlwings32-0.37.8.dll"):
        (site / name).write_bytes(b"dll")
    moved = python_env.place_xlwings_dll(tmp_path)
    assert [p.name for p in moved] == ["xlwings32-0.37.8.dll", "xlwings64-0.37.8.dll"]
    assert (tmp_path / "xlwings64-0.37.8.dll").is_file()
    assert not list(site.glob("*.dll"))
    with pytest.raises(RuntimeError, match="xlwings64"):
        python_env.place_xlwings_dll(tmp_path)  # nothing left to move: the build stops
