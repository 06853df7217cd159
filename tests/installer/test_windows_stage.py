"""The Windows build's stage, built for real here: the add-in's Python from win_amd64 wheels.

Only what cannot be made on this machine is faked: the Windows build of the app (PyInstaller
does not cross-compile) and python.org's embeddable zip (no download but the package
index). The add-in is the real build. Needs the package index.
"""

from __future__ import annotations

import importlib.metadata
import zipfile
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from installer import addin_config, python_env
from installer.build_windows import build_wheel, missing_from_stage, stage
from installer.layout import ADDIN_CONF, ADDIN_FILE, ADDIN_MODULE, PYTHON_TAG, SITE_PACKAGES
from installer.templates import template_folder
from tests.installer.fakes import make_fake_app, make_fake_embeddable


@pytest.mark.slow
@pytest.mark.usefixtures("package_index")
def test_the_windows_stage_holds_a_complete_addin_python(tmp_path: Path, built_addin: Path):
    wheel = build_wheel(tmp_path / "wheel")
    with zipfile.ZipFile(wheel) as package:
        names = package.namelist()
    ships_addin_module = f"{ADDIN_MODULE}.py" in names or f"{ADDIN_MODULE}/__init__.py" in names
    app = make_fake_app(tmp_path / "app" / "PartnerClose")
    addin = built_addin
    embeddable = make_fake_embeddable(tmp_path / "python-3.11.9-embed-amd64.zip")
    out = tmp_path / "stage"

    if ships_addin_module:
        stage(app, addin, embeddable, wheel, out)
        assert missing_from_stage(out) == []
    else:  # the add-in's module is another task's: until it ships, the build must stop
        with pytest.raises(RuntimeError, match=ADDIN_MODULE):
            stage(app, addin, embeddable, wheel, out)
        assert missing_from_stage(out) == [f"python/{SITE_PACKAGES}/{ADDIN_MODULE}(.py)"]

    python = out / "python"
    site = python / SITE_PACKAGES
    xlwings = importlib.metadata.version("xlwings")
    # the VBA of an add-in built with this xlwings loads this DLL from pythonw.exe's folder
    assert (python / f"xlwings64-{xlwings}.dll").is_file()
    assert (python / f"python{PYTHON_TAG}._pth").read_text().splitlines()[-1] == "import site"
    # Windows-only dependencies that pip on Linux would skip
    assert (site / "pywin32.pth").is_file()
    assert (site / "win32").is_dir()
    assert python_env.missing_requirements(site) == []
    # the runtime dependencies at this build's versions, without the desktop app's Qt
    present = python_env.installed(site)
    for requirement in python_env.addin_requirements():
        name, _, version = requirement.partition("==")
        distribution = present[canonicalize_name(name)]
        assert distribution.version == (version or distribution.version), requirement
    assert not (site / "PySide6").exists()
    assert "partnerclose" in present
    # the statement writers look for <folder holding partnerclose>/templates
    writers = site / "partnerclose" / "statements" / "writers.py"
    found = writers.resolve().parent.parent.parent / "templates"
    for template in ("statement.xlsx", "close_pack.xlsx"):
        assert (found / template).read_bytes() == (template_folder() / template).read_bytes()
    # no launcher scripts of the build machine's Python
    assert not (site / "bin").exists()

    config = addin_config.parse((out / "addin" / ADDIN_CONF).read_text(encoding="ascii"))
    assert config == addin_config.settings()
    sheet = addin_config.sheet_settings(out / "addin" / ADDIN_FILE)
    assert sheet[addin_config.INTERPRETER_WIN] == config[addin_config.INTERPRETER_WIN]
    assert (out / "app" / "PartnerClose.exe").is_file()
