"""The add-in's Python: the embeddable CPython for Windows with PartnerClose installed in it.

Excel starts `python/pythonw.exe` (named in the add-in's config), which must find
`partnerclose`, `partnerclose_addin` and xlwings with everything they import. Built on any
system, for Windows:

1. unpack python.org's embeddable zip (`python-3.11.x-embed-amd64.zip`) into `python/`;
2. rewrite `python311._pth` so the interpreter reads `Lib/site-packages` and its `.pth`
   files (pywin32 needs its `pywin32.pth`);
3. `pip install --target python/Lib/site-packages` for win_amd64/cp311, binary wheels only:
   the runtime dependencies of pyproject.toml at the versions this build uses (xlwings
   exactly: its DLL name is compiled into the add-in's VBA), not the Qt ones (the add-in
   has no window), then the PartnerClose wheel without dependencies;
4. pip evaluates environment markers for the machine it runs on, not for `--platform`, so
   dependencies only Windows needs (pywin32 for xlwings, tzdata) are added by reading the
   installed metadata with Windows markers (`missing_requirements`) until nothing is missing;
5. move xlwings' `xlwings64-<version>.dll` next to pythonw.exe, where the VBA loads it from
   (pip --target puts wheel data files in site-packages);
6. copy the close's template workbooks where the statement writers look (installer.templates).
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from email.parser import HeaderParser
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from installer.layout import (
    PYTHON_TAG,
    PYTHON_VERSION,
    SITE_PACKAGES,
    WINDOWS_PLATFORM,
    embeddable_python_files,
)
from installer.templates import ROOT, template_dest, template_files

PYPROJECT = ROOT / "pyproject.toml"

# The desktop app's toolkit: the add-in does not need it (about 200 MB).
NOT_FOR_THE_ADDIN = frozenset(
    canonicalize_name(n) for n in ("PySide6", "PySide6-Essentials", "PySide6-Addons", "shiboken6")
)

PTH_LINES = (
    f"python{PYTHON_TAG}.zip",
    ".",
    "Lib\\site-packages",
    "# site: run the .pth files of Lib\\site-packages (pywin32)",
    "import site",
)


def windows_environment() -> dict[str, str]:
    """Environment markers of the embeddable CPython on 64-bit Windows."""
    version = f"{PYTHON_VERSION[0]}.{PYTHON_VERSION[1]}"
    return {
        "implementation_name": "cpython",
        "implementation_version": f"{version}.0",
        "os_name": "nt",
        "platform_machine": "AMD64",
        "platform_python_implementation": "CPython",
        "platform_release": "10",
        "platform_system": "Windows",
        "platform_version": "10.0",
        "python_full_version": f"{version}.0",
        "python_version": version,
        "sys_platform": "win32",
        "extra": "",
    }


def runtime_requirements(pyproject: Path = PYPROJECT) -> list[str]:
    """The `[project] dependencies` of pyproject.toml, as written there."""
    with pyproject.open("rb") as stream:
        project = tomllib.load(stream)["project"]
    return [str(r) for r in project["dependencies"]]


def pinned(requirements: Iterable[str]) -> list[str]:
    """Each requirement at the version installed here, when it is installed and allowed."""
    result = []
    for text in requirements:
        requirement = Requirement(text)
        try:
            version = importlib.metadata.version(requirement.name)
        except importlib.metadata.PackageNotFoundError:
            result.append(text)
            continue
        if requirement.specifier.contains(version, prereleases=True):
            result.append(f"{requirement.name}=={version}")
        else:
            result.append(text)
    return result


def addin_requirements(pyproject: Path = PYPROJECT) -> list[str]:
    """What the add-in's Python installs besides the PartnerClose wheel."""
    wanted = [
        r
        for r in runtime_requirements(pyproject)
        if canonicalize_name(Requirement(r).name) not in NOT_FOR_THE_ADDIN
    ]
    return pinned(wanted)


def write_pth(python_dir: Path) -> Path:
    """`python311._pth`: the zip, the folder, Lib/site-packages, and `import site`."""
    path = python_dir / f"python{PYTHON_TAG}._pth"
    path.write_text("\r\n".join(PTH_LINES) + "\r\n", encoding="ascii")
    return path


def unpack_embeddable(archive: Path, python_dir: Path) -> Path:
    """Unpack python.org's embeddable zip into `python_dir` and open Lib/site-packages."""
    with zipfile.ZipFile(archive) as package:
        names = set(package.namelist())
        missing = [n for n in embeddable_python_files() if n not in names]
        if missing:
            raise RuntimeError(
                f"{archive} is not the embeddable CPython {PYTHON_VERSION[0]}.{PYTHON_VERSION[1]} "
                f"for Windows (no {', '.join(missing)})"
            )
        package.extractall(python_dir)
    write_pth(python_dir)
    (python_dir / SITE_PACKAGES).mkdir(parents=True, exist_ok=True)
    return python_dir


def pip_install_command(
    target: Path, requirements: Sequence[str], *, no_deps: bool = False
) -> list[str]:
    """`pip install --target` for the embeddable CPython's platform, wheels only."""
    major, minor = PYTHON_VERSION
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "--no-input",
        "--quiet",
        "--target",
        str(target),
        "--platform",
        WINDOWS_PLATFORM,
        "--python-version",
        f"{major}.{minor}",
        "--implementation",
        "cp",
        "--abi",
        f"cp{PYTHON_TAG}",
        "--only-binary=:all:",
    ]
    if no_deps:
        command.append("--no-deps")
    if sys.version_info[:2] != PYTHON_VERSION:
        command.append("--no-compile")  # byte code of another Python would be ignored
    return [*command, *requirements]


@dataclass(frozen=True, slots=True)
class Distribution:
    name: str
    version: str
    requires: tuple[str, ...]  # Requires-Dist, markers included


def _distribution(metadata: str) -> tuple[str, Distribution]:
    headers = HeaderParser().parsestr(metadata)
    requires = tuple(headers.get_all("Requires-Dist") or ())
    distribution = Distribution(headers["Name"], headers["Version"], requires)
    return canonicalize_name(distribution.name), distribution


def installed(site_packages: Path) -> dict[str, Distribution]:
    """Canonical name -> every distribution installed in `site_packages`."""
    return dict(
        _distribution(path.read_text(encoding="utf-8"))
        for path in site_packages.glob("*.dist-info/METADATA")
    )


def wheels(folder: Path) -> dict[str, Distribution]:
    """Canonical name -> the distribution of every wheel in `folder`."""
    found = {}
    for wheel in folder.glob("*.whl"):
        with zipfile.ZipFile(wheel) as package:
            name = next(n for n in package.namelist() if n.endswith(".dist-info/METADATA"))
            key, distribution = _distribution(package.read(name).decode("utf-8"))
            found[key] = distribution
    return found


def missing_from(
    present: Mapping[str, Distribution],
    environment: Mapping[str, str] | None = None,
    skip: frozenset[str] = NOT_FOR_THE_ADDIN,
) -> list[str]:
    """Requirements (under Windows markers) of the distributions that are not among them."""
    environment = dict(environment or windows_environment())
    missing: dict[str, str] = {}
    for distribution in present.values():
        for text in distribution.requires:
            requirement = Requirement(text)
            if requirement.marker is not None and not requirement.marker.evaluate(environment):
                continue
            name = canonicalize_name(requirement.name)
            if name not in present and name not in skip:
                requirement.marker = None
                missing.setdefault(name, str(requirement))
    return [missing[name] for name in sorted(missing)]


def missing_requirements(
    site_packages: Path,
    environment: Mapping[str, str] | None = None,
    skip: frozenset[str] = NOT_FOR_THE_ADDIN,
) -> list[str]:
    """Requirements (under Windows markers) of installed distributions that are not there."""
    return missing_from(installed(site_packages), environment, skip)


def run_pip(command: Sequence[str]) -> None:
    subprocess.run(command, check=True, env={**os.environ, "PIP_NO_WARN_SCRIPT_LOCATION": "1"})


def install_packages(site_packages: Path, wheel: Path, requirements: Sequence[str]) -> None:
    """The dependencies, the wheel, then whatever Windows alone needs, until complete."""
    run_pip(pip_install_command(site_packages, requirements))
    run_pip(pip_install_command(site_packages, [str(wheel)], no_deps=True))
    for _ in range(10):  # each round installs a level of Windows-only dependencies
        missing = missing_requirements(site_packages)
        if not missing:
            break
        run_pip(pip_install_command(site_packages, missing, no_deps=True))
    else:
        raise RuntimeError(f"still missing after 10 rounds: {missing_requirements(site_packages)}")
    for scripts in ("bin", "Scripts"):  # launchers for the build machine's Python
        shutil.rmtree(site_packages / scripts, ignore_errors=True)


def place_xlwings_dll(python_dir: Path) -> list[Path]:
    """Move xlwings' DLLs from site-packages to the interpreter's folder (the VBA's place)."""
    moved = []
    for dll in sorted((python_dir / SITE_PACKAGES).glob("xlwings*.dll")):
        target = python_dir / dll.name
        shutil.move(dll, target)
        moved.append(target)
    if not any(p.name.startswith("xlwings64-") for p in moved):
        raise RuntimeError("the xlwings wheel brought no xlwings64-*.dll")
    return moved


def place_templates(site_packages: Path) -> Path:
    folder = site_packages / template_dest()
    folder.mkdir(parents=True, exist_ok=True)
    for template in template_files():
        shutil.copy2(template, folder / template.name)
    return folder


def build_addin_python(
    archive: Path, wheel: Path, python_dir: Path, requirements: Sequence[str] | None = None
) -> Path:
    """The whole add-in Python in `python_dir` (which must not exist yet)."""
    if python_dir.exists():
        raise FileExistsError(python_dir)
    unpack_embeddable(archive, python_dir)
    site_packages = python_dir / SITE_PACKAGES
    install_packages(
        site_packages, wheel, addin_requirements() if requirements is None else requirements
    )
    place_xlwings_dll(python_dir)
    place_templates(site_packages)
    return python_dir
