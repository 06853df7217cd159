"""The standalone desktop app: `python -m installer.build_app [--out DIR]`.

Runs PyInstaller on installer/partnerclose.spec and leaves a one-folder app in
`DIR/PartnerClose/` (default `build/app/PartnerClose/`): the executable `PartnerClose`
(`PartnerClose.exe` on Windows, also `PartnerClose.app` on macOS) and `_internal/`.
Build on the system the app is for: PyInstaller does not cross-compile.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from installer.bundle import SPEC
from installer.layout import APP_NAME, app_executable
from installer.templates import ROOT

DEFAULT_OUT = ROOT / "build" / "app"


@dataclass(frozen=True, slots=True)
class BuiltApp:
    folder: Path
    executable: Path
    seconds: float
    size_bytes: int


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def build_app(out: Path = DEFAULT_OUT) -> BuiltApp:
    """Build the app into `out/PartnerClose/` (replacing an earlier build there)."""
    out = out.resolve()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="partnerclose-pyinstaller-") as work:
        command = [
            sys.executable,
            "-m",
            "PyInstaller",
            str(SPEC),
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(out),
            "--workpath",
            work,
        ]
        subprocess.run(command, cwd=ROOT, check=True)
    folder = out / APP_NAME
    executable = folder / app_executable()
    if not executable.is_file():
        raise RuntimeError(f"PyInstaller finished but {executable} is missing")
    return BuiltApp(folder, executable, time.perf_counter() - started, folder_size(folder))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m installer.build_app",
        description="Build the one-folder PartnerClose desktop app with PyInstaller.",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="folder to build into; the app is OUT/PartnerClose/ (default: build/app)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    built = build_app(args.out)
    print(f"Built {built.folder} in {built.seconds:.0f} s ({built.size_bytes / 1_000_000:.0f} MB)")
    print(f"Try it: {built.executable} --version")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
