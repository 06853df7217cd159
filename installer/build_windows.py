"""The Windows installer: `python -m installer.build_windows --python-zip ZIP [...]`.

Takes what the other builds made, stages it as installer/layout.py describes, checks the
stage, and compiles installer/partnerclose.iss with Inno Setup when it is there:

    python -m excel_addin.build --out build/addin          # partnerclose_addin.xlam
    python -m installer.build_app --out build/app          # build/app/PartnerClose/
    python -m installer.build_windows --python-zip python-3.11.9-embed-amd64.zip
    -> build/windows/stage/ and build/windows/PartnerClose-<version>-setup.exe

Staging runs anywhere (the add-in's Python is assembled from win_amd64 wheels); the app
must have been built on Windows and `iscc` exists only there (`--no-iscc` stops after
staging). .github/workflows/windows-installer.yml runs these steps on a Windows runner.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from installer import addin_config, iss
from installer.layout import (
    ADDIN_CONF,
    ADDIN_FILE,
    APP_NAME,
    CONTENTS_DIRECTORY,
    SITE_PACKAGES,
    STAGE_ADDIN,
    STAGE_APP,
    STAGE_PYTHON,
    addin_module_in,
    installed_interpreter,
    required_stage_files,
)
from installer.python_env import build_addin_python
from installer.templates import ROOT

DEFAULT_APP = ROOT / "build" / "app" / APP_NAME
DEFAULT_ADDIN = ROOT / "build" / "addin" / ADDIN_FILE
DEFAULT_OUT = ROOT / "build" / "windows"
ISCC_PLACES = (
    Path(
        os.environ.get("PROGRAMFILES(X86)", r"C:\Program Files (x86)"), "Inno Setup 6", "ISCC.exe"
    ),
    Path(os.environ.get("PROGRAMFILES", r"C:\Program Files"), "Inno Setup 6", "ISCC.exe"),
    Path(os.environ.get("LOCALAPPDATA", "."), "Programs", "Inno Setup 6", "ISCC.exe"),
)


def version() -> str:
    from partnerclose import __version__

    return __version__


def _not_sources(root: Path) -> Callable[[str, list[str]], set[str]]:
    """For copytree: caches, builds and checkouts' own folders, not the package sources."""

    def ignore(folder: str, names: list[str]) -> set[str]:
        skipped = {n for n in names if n in {"__pycache__", ".data"} or n.endswith(".egg-info")}
        if Path(folder) == root:
            skipped |= {n for n in names if n.startswith(".") or n in {"build", "dist", "demo"}}
        return skipped

    return ignore


def build_wheel(folder: Path) -> Path:
    """The PartnerClose wheel of this checkout, built into `folder`.

    Built from a copy: setuptools would leave build/lib in the checkout, whose stale files
    later wheels would pick up."""
    with tempfile.TemporaryDirectory(prefix="partnerclose-source-") as scratch:
        source = Path(scratch) / "source"
        shutil.copytree(ROOT, source, ignore=_not_sources(ROOT))
        pip_wheel = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet"]
        subprocess.run([*pip_wheel, "--wheel-dir", str(folder), str(source)], check=True)
    wheels = sorted(folder.glob("partnerclose-*.whl"))
    if len(wheels) != 1:
        raise RuntimeError(f"expected one PartnerClose wheel in {folder}, found {wheels}")
    return wheels[0]


def missing_from_stage(stage: Path) -> list[str]:
    """Required patterns (installer.layout) the stage does not match."""
    missing = [pattern for pattern in required_stage_files() if not any(stage.glob(pattern))]
    if addin_module_in(stage / STAGE_PYTHON / SITE_PACKAGES) is None:
        missing.append(f"{STAGE_PYTHON}/{SITE_PACKAGES}/partnerclose_addin(.py)")
    return missing


def check_stage(stage: Path) -> None:
    """Stop unless the stage is complete, the add-in names the installed interpreter, and
    the script's every source matches in the stage."""
    problems = [f"missing {pattern}" for pattern in missing_from_stage(stage)]
    xlam = stage / STAGE_ADDIN / ADDIN_FILE
    if xlam.is_file():
        named = addin_config.sheet_settings(xlam).get(addin_config.INTERPRETER_WIN)
        if named != str(installed_interpreter()):
            problems.append(f"{ADDIN_FILE} names the interpreter {named!r}")
    script = iss.read_script(overrides={"StageDir": str(stage), "AppVersion": version()})
    problems += [f"no file for [Files] Source {s}" for s in iss.unmatched_sources(script)]
    if problems:
        raise RuntimeError(f"the stage {stage} is incomplete:\n  " + "\n  ".join(problems))


def stage(app: Path, addin: Path, python_zip: Path, wheel: Path, out: Path) -> Path:
    """Assemble the stage in `out` (replaced if it exists) and check it."""
    if not (app / CONTENTS_DIRECTORY).is_dir():
        raise FileNotFoundError(f"{app} is not a built app folder (python -m installer.build_app)")
    if not addin.is_file():
        raise FileNotFoundError(f"{addin} is missing (python -m excel_addin.build)")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    shutil.copytree(app, out / STAGE_APP, symlinks=True)
    build_addin_python(python_zip, wheel, out / STAGE_PYTHON)
    (out / STAGE_ADDIN).mkdir()
    shutil.copy2(addin, out / STAGE_ADDIN / ADDIN_FILE)
    addin_config.configure_addin(out / STAGE_ADDIN / ADDIN_FILE)
    addin_config.write(out / STAGE_ADDIN / ADDIN_CONF, addin_config.settings())
    check_stage(out)
    return out


def find_iscc() -> Path | None:
    found = shutil.which("iscc") or shutil.which("ISCC")
    if found:
        return Path(found)
    return next((p for p in ISCC_PLACES if p.is_file()), None)


def compile_installer(iscc: Path, stage_dir: Path, out: Path) -> Path:
    """Run the Inno Setup compiler on partnerclose.iss; returns the setup executable."""
    subprocess.run(
        [
            str(iscc),
            f"/DStageDir={stage_dir}",
            f"/DAppVersion={version()}",
            f"/O{out}",
            str(iss.ISS),
        ],
        check=True,
    )
    setup = out / f"{APP_NAME}-{version()}-setup.exe"
    if not setup.is_file():
        raise RuntimeError(f"iscc finished but {setup} is missing")
    return setup


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m installer.build_windows",
        description="Stage the PartnerClose app, add-in and add-in Python; build the installer.",
    )
    parser.add_argument(
        "--python-zip",
        type=Path,
        required=True,
        help="python.org's embeddable CPython 3.11 for Windows x64 (python-3.11.9-embed-amd64.zip)",
    )
    parser.add_argument(
        "--app",
        type=Path,
        default=DEFAULT_APP,
        help="the built app folder (build/app/PartnerClose)",
    )
    parser.add_argument(
        "--addin",
        type=Path,
        default=DEFAULT_ADDIN,
        help=f"the built add-in (build/addin/{ADDIN_FILE})",
    )
    parser.add_argument("--wheel", type=Path, help="the PartnerClose wheel (default: built here)")
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="stage in OUT/stage, installer in OUT (build/windows)",
    )
    parser.add_argument("--no-iscc", action="store_true", help="stage only; do not run Inno Setup")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    out = args.out.resolve()
    with tempfile.TemporaryDirectory(prefix="partnerclose-wheel-") as scratch:
        wheel = args.wheel or build_wheel(Path(scratch))
        stage_dir = stage(args.app, args.addin, args.python_zip, wheel, out / "stage")
    print(f"Staged {stage_dir}")
    if args.no_iscc:
        return 0
    iscc = find_iscc()
    if iscc is None:
        print(
            "Inno Setup's iscc was not found: install Inno Setup 6, or use --no-iscc",
            file=sys.stderr,
        )
        return 1
    setup = compile_installer(iscc, stage_dir, out)
    print(f"Installer: {setup}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
