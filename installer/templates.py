"""The workbook templates a close fills, and where a packaged layout must hold them.

The close finds its templates through `partnerclose.resources` (beside the packages
first; a wheel install also has them under `<prefix>/share/partnerclose/templates`). Each
packaged layout copies them to the same place relative to the folder that holds the
`partnerclose` package: `_internal/templates/` in the PyInstaller bundle (sys._MEIPASS),
`Lib/site-packages/templates/` in the add-in's Python.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from partnerclose.resources import templates_folder

ROOT = Path(__file__).resolve().parent.parent  # the checkout


def template_folder() -> Path:
    """The folder the close reads its templates from in this checkout."""
    return templates_folder().resolve()


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
            f"the templates ({template_folder()}) are not under {packages_root()}; "
            "the packaged layouts cannot place the templates"
        ) from exc
    return PurePosixPath(relative.as_posix())


def template_files() -> list[Path]:
    """Every template to ship: the workbooks (the close's and the empty input templates)
    and the e-mail texts of `send` and `prepare`."""
    files = sorted([*template_folder().glob("*.xlsx"), *template_folder().glob("*_email.txt")])
    if not files:
        raise RuntimeError(f"no template workbooks in {template_folder()}")
    return files
