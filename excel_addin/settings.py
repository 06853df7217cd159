"""The add-in's own settings beyond the interpreter: the team's ledger.

A finance team's ledger is a PostgreSQL server that every member's add-in must use, and
a laptop's Excel is usually started from the Start menu, where an environment variable
set for one user is easily missing. So the add-in also takes the ledger from its config
file, `myaddin.conf`, the file its VBA already reads for the interpreter (one
`"KEY","value"` line each). The files are searched in the VBA's order:

1. `myaddin.conf` next to the open workbook (a team can keep one beside the program);
2. the user's file: `%USERPROFILE%\\.myaddin\\myaddin.conf` on Windows,
   `~/Library/Containers/com.microsoft.Excel/Data/myaddin.conf` on macOS (the installer
   writes it: `python -m installer.addin_config --ledger URL`).

The first file with a non-blank `LEDGER` wins, and it wins over PARTNERCLOSE_LEDGER (it
is the add-in's `--ledger`); without one the add-in follows PARTNERCLOSE_LEDGER, else the
ledger file beside the workbook, as the command line does. `%VARIABLES%` and a leading
`$HOME` are expanded, as the VBA expands its own settings.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from partnerclose.api import Where, is_server_url

CONFIG_FILE = "myaddin.conf"
LEDGER_KEY = "LEDGER"
_VARIABLE = re.compile(r"%([^%]+)%")


@dataclass(frozen=True, slots=True)
class Setting:
    """A value of the add-in's config and the file it was found in."""

    value: str
    source: Path


def parse(text: str) -> dict[str, str]:
    """The settings in a config file's text (keys upper-cased, as the VBA compares them)."""
    rows = csv.reader(io.StringIO(text))
    return {row[0].strip().upper(): row[1] for row in rows if len(row) >= 2 and row[0].strip()}


def expand(value: str, environ: Mapping[str, str]) -> str:
    """`%NAME%` and a leading `$HOME` replaced from `environ` (unknown names are kept)."""
    value = _VARIABLE.sub(lambda m: environ.get(m.group(1), m.group(0)), value)
    if value.startswith("$HOME") and "HOME" in environ:
        value = environ["HOME"] + value[len("$HOME") :]
    return value


def user_config_file(environ: Mapping[str, str], platform: str = sys.platform) -> Path | None:
    """The user's config file, where the VBA looks for it (None without a home folder)."""
    if platform == "darwin":
        home = environ.get("HOME")
        return (
            Path(home, "Library", "Containers", "com.microsoft.Excel", "Data", CONFIG_FILE)
            if home
            else None
        )
    profile = environ.get("USERPROFILE") or environ.get("HOME")
    return Path(profile, ".myaddin", CONFIG_FILE) if profile else None


def config_files(
    workbook_folder: Path, environ: Mapping[str, str], platform: str = sys.platform
) -> list[Path]:
    """The config files in the order they are searched."""
    user = user_config_file(environ, platform)
    return [workbook_folder / CONFIG_FILE, *([user] if user is not None else [])]


def find_setting(
    key: str, workbook_folder: Path, environ: Mapping[str, str], platform: str = sys.platform
) -> Setting | None:
    """The first non-blank `key` in the config files, expanded; None if none sets it.

    A file that cannot be read (missing, a folder, not text) is passed over, as the VBA
    passes over a missing file.
    """
    for path in config_files(workbook_folder, environ, platform):
        try:
            text = path.read_text(encoding="cp1252")
        except (OSError, UnicodeDecodeError):
            continue
        value = parse(text).get(key.upper(), "").strip()
        if value:
            return Setting(expand(value, environ), path)
    return None


def ledger_setting(
    workbook_folder: Path, environ: Mapping[str, str], platform: str = sys.platform
) -> tuple[Where, Path] | None:
    """The ledger the add-in's config names (a server URL, or a file relative to the
    workbook's folder) and the config file naming it; None if no config names one."""
    setting = find_setting(LEDGER_KEY, workbook_folder, environ, platform)
    if setting is None:
        return None
    if is_server_url(setting.value):
        return setting.value, setting.source
    return workbook_folder / Path(setting.value), setting.source
