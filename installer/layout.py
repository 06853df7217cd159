"""Names and places the builds, the Inno Setup script and the add-in config agree on.

The Windows build stages everything under one folder (`build/windows/stage`):

    app/                      the PyInstaller one-folder app (PartnerClose.exe, _internal/)
    python/                   the embeddable CPython, with the package in Lib/site-packages
    addin/partnerclose_addin.xlam   with the installed interpreter in its config sheet
    addin/myaddin.conf        the add-in's config file for the installed layout

and installer/partnerclose.iss installs it per user, without admin rights:

    %LOCALAPPDATA%\\Programs\\PartnerClose\\    app/ and python/ (and addin/myaddin.conf)
    %APPDATA%\\Microsoft\\Excel\\XLSTART\\       partnerclose_addin.xlam (Excel loads it)
    %USERPROFILE%\\.myaddin\\myaddin.conf        the add-in's user config file (a fallback)

The install folder is fixed (the installer shows no folder page) because the add-in's
config names the interpreter by that path. tests/installer checks the script against
these names.
"""

from __future__ import annotations

import sys
from pathlib import Path, PureWindowsPath

from installer.templates import template_dest

APP_NAME = "PartnerClose"

# The add-in, as excel_addin/build.py makes it (tests/installer checks they agree).
ADDIN_FILE = "partnerclose_addin.xlam"
ADDIN_MODULE = "partnerclose_addin"  # the ribbon calls partnerclose_addin.main()
ADDIN_VBA_PROJECT = "myaddin"  # xlwings' custom add-in: its VBA reads <project>.conf
ADDIN_SHEET = f"{ADDIN_VBA_PROJECT}.conf"  # the config sheet inside the add-in
ADDIN_CONF = f"{ADDIN_VBA_PROJECT}.conf"  # the config file

PYTHON_VERSION = (3, 11)  # the embeddable CPython; the wheels are cp311 win_amd64
PYTHON_TAG = f"{PYTHON_VERSION[0]}{PYTHON_VERSION[1]}"
WINDOWS_PLATFORM = "win_amd64"

# The bundle: <out>/PartnerClose/PartnerClose[.exe] with everything else in _internal/.
CONTENTS_DIRECTORY = "_internal"

# The staged layout (folders under the stage folder).
STAGE_APP = "app"
STAGE_PYTHON = "python"
STAGE_ADDIN = "addin"
SITE_PACKAGES = "Lib/site-packages"  # under python/

# The installed layout, as Inno Setup constants and as the environment variables that
# xlwings expands in its config (both name the same folders).
INSTALL_DIR_INNO = r"{localappdata}\Programs\PartnerClose"
INSTALL_DIR_ENV = r"%LOCALAPPDATA%\Programs\PartnerClose"
INNO_TO_ENV = {
    "{localappdata}": "%LOCALAPPDATA%",
    "{userappdata}": "%APPDATA%",
    "{%USERPROFILE}": "%USERPROFILE%",
}
XLSTART_INNO = r"{userappdata}\Microsoft\Excel\XLSTART"
USER_CONFIG_DIR_INNO = rf"{{%USERPROFILE}}\.{ADDIN_VBA_PROJECT}"
INTERPRETER = "pythonw.exe"  # no console window when Excel starts Python


def app_executable(platform: str = sys.platform) -> str:
    """The app's executable in the one-folder bundle."""
    return f"{APP_NAME}.exe" if platform == "win32" else APP_NAME


def installed_interpreter() -> PureWindowsPath:
    """The add-in's interpreter once installed, with environment variables for xlwings."""
    return PureWindowsPath(INSTALL_DIR_ENV, STAGE_PYTHON, INTERPRETER)


def embeddable_python_files() -> tuple[str, ...]:
    """Files of the embeddable CPython zip the build and the add-in rely on."""
    return (
        "python.exe",
        INTERPRETER,
        f"python{PYTHON_TAG}.dll",
        f"python{PYTHON_TAG}.zip",
        f"python{PYTHON_TAG}._pth",
    )


def required_stage_files() -> tuple[str, ...]:
    """Glob patterns (relative to the stage folder) that a complete stage matches.

    The Windows build checks its stage against these before Inno Setup packs it, and the
    tests build a fake stage from them to check the script's [Files] sources. The add-in
    module may be a module or a package: `addin_module_in` checks it.
    """
    bundle_templates = f"{STAGE_APP}/{CONTENTS_DIRECTORY}/{template_dest()}"
    site = f"{STAGE_PYTHON}/{SITE_PACKAGES}"
    return (
        f"{STAGE_APP}/{app_executable('win32')}",
        f"{bundle_templates}/statement.xlsx",
        f"{bundle_templates}/close_pack.xlsx",
        *(f"{STAGE_PYTHON}/{name}" for name in embeddable_python_files()),
        # xlwings' VBA loads its DLL from the interpreter's folder (xlwings.bas XLPyLoadDLL)
        f"{STAGE_PYTHON}/xlwings64-*.dll",
        f"{site}/partnerclose/__init__.py",
        f"{site}/xlwings/__init__.py",
        f"{site}/pywin32.pth",
        f"{site}/{template_dest()}/statement.xlsx",
        f"{site}/{template_dest()}/close_pack.xlsx",
        f"{STAGE_ADDIN}/{ADDIN_FILE}",
        f"{STAGE_ADDIN}/{ADDIN_CONF}",
    )


def addin_module_in(site_packages: Path) -> Path | None:
    """The add-in's top-level module (a .py file or a package) in `site_packages`."""
    for candidate in (site_packages / f"{ADDIN_MODULE}.py", site_packages / ADDIN_MODULE):
        if candidate.exists():
            return candidate
    return None
