"""Helpers of the packaging tests: stand-ins for build outputs, the package index check.

Tests that download from the package index skip only when its host refuses or cannot be
resolved at once (no network here); a slow answer is not taken for an absent index, and
the test then runs and fails on its own if the index really does not answer.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

from installer import addin_config
from installer.layout import (
    ADDIN_CONF,
    ADDIN_FILE,
    ADDIN_MODULE,
    PYTHON_TAG,
    SITE_PACKAGES,
    STAGE_ADDIN,
    STAGE_PYTHON,
    embeddable_python_files,
    required_stage_files,
)

DEFAULT_INDEX = "https://pypi.org/simple"
# The embeddable zip's own ._pth, which the build rewrites.
EMBEDDABLE_PTH = f"python{PYTHON_TAG}.zip\r\n.\r\n\r\n# Uncomment to run site.main() automatically\r\n#import site\r\n"


def package_index_url() -> str:
    """The index pip uses here: PIP_INDEX_URL, pip's config, or PyPI."""
    if os.environ.get("PIP_INDEX_URL"):
        return os.environ["PIP_INDEX_URL"]
    listed = subprocess.run(
        [sys.executable, "-m", "pip", "config", "list"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    for line in listed.splitlines():
        key, _, value = line.partition("=")
        if key.strip().endswith(".index-url"):
            return value.strip().strip("'\"")
    return DEFAULT_INDEX


def index_unreachable(url: str, timeout: float = 15.0) -> str | None:
    """Why the index cannot be reached, when its host refuses or is unknown; else None."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return None
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        socket.create_connection((parts.hostname, port), timeout=timeout).close()
    except TimeoutError:
        return None  # slow, not refused: let pip try
    except OSError as exc:
        return f"{parts.hostname}:{port} cannot be reached ({exc})"
    return None


def make_fake_stage(stage: Path, addin: Path) -> Path:
    """A stage with a small file for each required pattern (installer.layout), and the
    real add-in `addin` configured as the Windows build does."""
    for pattern in required_stage_files():
        path = stage / pattern.replace("*", "0.0.0")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"fake")
    (stage / STAGE_PYTHON / SITE_PACKAGES / f"{ADDIN_MODULE}.py").write_text("def main(): pass\n")
    staged = stage / STAGE_ADDIN / ADDIN_FILE
    staged.write_bytes(addin.read_bytes())
    addin_config.configure_addin(staged)
    addin_config.write(stage / STAGE_ADDIN / ADDIN_CONF, addin_config.settings())
    return stage


def make_fake_embeddable(path: Path) -> Path:
    """A zip with the embeddable CPython's file names (the build unpacks and patches it)."""
    with zipfile.ZipFile(path, "w") as archive:
        for name in embeddable_python_files():
            if name.endswith("._pth"):
                archive.writestr(name, EMBEDDABLE_PTH)
            else:
                archive.writestr(name, b"fake " + name.encode())
        archive.writestr("vcruntime140.dll", b"fake")
    return path


def make_fake_app(folder: Path) -> Path:
    """A built app folder as the Windows build of installer.build_app leaves it."""
    from installer.bundle import datas
    from installer.layout import CONTENTS_DIRECTORY, app_executable

    internal = folder / CONTENTS_DIRECTORY
    internal.mkdir(parents=True)
    (folder / app_executable("win32")).write_bytes(b"MZ fake")
    for source, dest in datas():
        (internal / dest).mkdir(parents=True, exist_ok=True)
        (internal / dest / Path(source).name).write_bytes(Path(source).read_bytes())
    return folder


def build_addin(folder: Path) -> Path:
    """The add-in as `python -m excel_addin.build` makes it (no interpreter named)."""
    from excel_addin.build import build

    return build(folder)
