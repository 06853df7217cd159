""".github/workflows/windows-installer.yml runs on Windows only: check it against the code here.

Every `python -m installer.…` step must parse with that command's own parser, the modules
it names must exist, and the versions and paths it uses must be the layout's.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import shlex
from pathlib import Path

import pytest

from installer import layout
from installer.build_app import DEFAULT_OUT as APP_OUT
from installer.build_windows import DEFAULT_OUT as WINDOWS_OUT

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "windows-installer.yml"


def workflow_text() -> str:
    return WORKFLOW.read_text(encoding="utf-8")


def embed_version() -> str:
    match = re.search(r'PYTHON_EMBED_VERSION: "(\d+\.\d+\.\d+)"', workflow_text())
    assert match
    return match.group(1)


def python_commands() -> list[list[str]]:
    """`python -m module args…` of the run steps, PowerShell continuations joined."""
    text = workflow_text().replace("`\n", " ")
    text = text.replace("$env:PYTHON_EMBED_VERSION", embed_version())
    commands = []
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue
        found = re.search(r"\bpython -m (\S.*)$", line)
        if found:
            commands.append(shlex.split(found.group(1)))
    return commands


def test_the_embeddable_python_is_the_one_the_wheels_are_for():
    major, minor, _ = embed_version().split(".")
    assert (int(major), int(minor)) == layout.PYTHON_VERSION


def test_every_module_the_workflow_runs_exists():
    modules = [command[0] for command in python_commands()]
    for module in ("excel_addin.build", "installer.build_app", "installer.build_windows"):
        assert module in modules
    for module in modules:
        assert importlib.util.find_spec(module) is not None, module


@pytest.mark.parametrize("module", ["installer.build_app", "installer.build_windows"])
def test_the_installer_steps_parse_with_their_own_parsers(module: str):
    (arguments,) = [command[1:] for command in python_commands() if command[0] == module]
    parsed = importlib.import_module(module).build_parser().parse_args(arguments)
    if module == "installer.build_app":
        assert ROOT / parsed.out == APP_OUT
    else:
        assert ROOT / parsed.out == WINDOWS_OUT
        assert parsed.app == Path("build/app") / layout.APP_NAME
        assert parsed.addin.name == layout.ADDIN_FILE
        assert parsed.python_zip.name == f"python-{embed_version()}-embed-amd64.zip"
        assert not parsed.no_iscc


def test_the_install_check_looks_where_the_script_installs():
    text = workflow_text()
    assert r"$env:LOCALAPPDATA\Programs\PartnerClose" in text  # layout.INSTALL_DIR_ENV
    assert layout.INSTALL_DIR_ENV == r"%LOCALAPPDATA%\Programs\PartnerClose"
    assert rf"$env:APPDATA\Microsoft\Excel\XLSTART\{layout.ADDIN_FILE}" in text
    conf = rf"$env:USERPROFILE\.{layout.ADDIN_VBA_PROJECT}\{layout.ADDIN_CONF}"
    assert conf in text
    assert "PARTNERCLOSE_BUNDLE: ${{ github.workspace }}\\build\\app\\PartnerClose" in text
