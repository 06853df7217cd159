"""Where the workbook templates are, however PartnerClose is installed.

The templates live in the repository's top-level `templates/`. A checkout, the
PyInstaller bundle (`_internal/templates`) and the add-in's Python
(`site-packages/templates`) keep them beside the packages; a wheel installs
them as data files under `<prefix>/share/partnerclose/templates`.
`PARTNERCLOSE_TEMPLATES` points elsewhere, e.g. at a company's restyled copy.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ENVIRONMENT_VARIABLE = "PARTNERCLOSE_TEMPLATES"
MARKER = "statement.xlsx"


def template_candidates() -> list[Path]:
    candidates = []
    if os.environ.get(ENVIRONMENT_VARIABLE):
        candidates.append(Path(os.environ[ENVIRONMENT_VARIABLE]))
    candidates.append(Path(__file__).resolve().parent.parent / "templates")
    candidates.append(Path(sys.prefix) / "share" / "partnerclose" / "templates")
    return candidates


def templates_folder() -> Path:
    """The first candidate that holds the statement template (else the checkout's)."""
    candidates = template_candidates()
    for folder in candidates:
        if (folder / MARKER).is_file():
            return folder
    return candidates[-2]  # beside the packages: where a checkout has them
