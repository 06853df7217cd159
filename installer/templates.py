"""The workbook templates a close fills, and where a packaged layout must hold them.

`partnerclose.statements.writers` reads its templates from `TEMPLATES`, found by
`partnerclose.resources` (beside the packages first; a wheel install also has them under
`<prefix>/share/partnerclose/templates`). Each packaged layout copies them to the same
place relative to the folder that holds the `partnerclose` package: `_internal/templates/` in the
PyInstaller bundle (sys._MEIPASS), `Lib/site-packages/templates/` in the add-in's Python.
Both places follow `TEMPLATES`, so a move of the templates (say into the package) is
followed here without a change.
"""

from __future__ import annotations

import importlib
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent  # the checkout
CHECKOUT_TEMPLATES = ROOT / "templates"
WRITERS_MODULE = "partnerclose.statements.writers"


def _writers_folder() -> Path | None:
    """`TEMPLATES` of the statement writers, or None while there are no writers."""
    try:
        writers = importlib.import_module(WRITERS_MODULE)
    except ImportError:
        return None
    folder = getattr(writers, "TEMPLATES", None)
    return Path(str(folder)).resolve() if folder is not None else None


def template_folder() -> Path:
    """The folder the close reads its templates from in this checkout."""
    return _writers_folder() or CHECKOUT_TEMPLATES


def packages_root() -> Path:
    """The folder holding the `partnerclose` package (the checkout, or site-packages)."""
    import partnerclose

    return Path(partnerclose.__file__).resolve().parent.parent


def template_dest() -> PurePosixPath:
    """Where the templates go, relative to the folder that holds the packages."""
    try:
        relative = template_folder().relative_to(packages_root())
    except ValueError as exc:  # a folder outside the packages' root cannot be mirrored
        raise RuntimeError(
            f"{WRITERS_MODULE}.TEMPLATES ({template_folder()}) is not under {packages_root()}; "
            "the packaged layouts cannot place the templates"
        ) from exc
    return PurePosixPath(relative.as_posix())


def template_files() -> list[Path]:
    """Every template workbook to ship (the close's and the empty input templates)."""
    files = sorted(template_folder().glob("*.xlsx"))
    if not files:
        raise RuntimeError(f"no template workbooks in {template_folder()}")
    return files
