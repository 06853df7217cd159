"""What the app remembers between runs: recent files and, per program, its folders.

`SettingsStore` is the small key/value interface the presenters need; the Qt
app backs it with QSettings, the tests with a dict. Values are text: lists and
maps are stored as JSON so that an INI file cannot turn a one-item list into a
string.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Protocol

from partnerclose.api import is_server_url

MAX_RECENT = 10


class SettingsStore(Protocol):
    """Where the app keeps its settings: QSettings in the app, a dict in tests."""

    def get(self, key: str) -> str | None:
        """The stored value of `key` (None when none is)."""

    def put(self, key: str, value: str) -> None:
        """Store `value` under `key`."""


class MemorySettings:
    """A SettingsStore in a dict (tests, and a fallback when none is given)."""

    def __init__(self, values: dict[str, str] | None = None) -> None:
        """Settings held in memory, starting from `values`."""
        self.values: dict[str, str] = dict(values or {})

    def get(self, key: str) -> str | None:
        """The stored value of `key` (None when none is)."""
        return self.values.get(key)

    def put(self, key: str, value: str) -> None:
        """Store `value` under `key`."""
        self.values[key] = value


class AppSettings:
    """Typed access to the stored settings."""

    RECENT = "recent_files"
    FOLDERS = "program_folders"  # program path -> {"output": ..., "ledger": ...}
    LAST_DIR = "last_directory"

    def __init__(self, store: SettingsStore) -> None:
        """Settings kept in `store`."""
        self.store = store

    # --- recent files -------------------------------------------------------

    def recent_files(self) -> list[Path]:
        """The program workbooks opened lately, the last first."""
        return [Path(p) for p in self._json_list(self.RECENT)]

    def add_recent(self, path: Path) -> list[Path]:
        """Put `path` first, drop an older mention of it, keep at most MAX_RECENT."""
        text = str(path)
        recent = [p for p in self._json_list(self.RECENT) if p != text]
        recent = [text, *recent][:MAX_RECENT]
        self.store.put(self.RECENT, json.dumps(recent))
        self.store.put(self.LAST_DIR, str(path.parent))
        return [Path(p) for p in recent]

    def remove_recent(self, path: Path) -> list[Path]:
        """Drop `path` from the recent files (it is gone); the list left."""
        recent = [p for p in self._json_list(self.RECENT) if p != str(path)]
        self.store.put(self.RECENT, json.dumps(recent))
        return [Path(p) for p in recent]

    def last_directory(self) -> Path | None:
        """The folder a program workbook was last opened from."""
        text = self.store.get(self.LAST_DIR)
        return Path(text) if text else None

    # --- per-program folders --------------------------------------------------

    def output_root(self, program: Path) -> Path | None:
        """Where `close-YYYY-MM/` folders go for this program (None: beside it)."""
        return self._folder(program, "output")

    def ledger_path(self, program: Path) -> Path | str | None:
        """The ledger chosen for this program: a file, or a postgresql:// URL kept as text.

        None: PARTNERCLOSE_LEDGER, else `<program>.ledger.sqlite` beside it.
        """
        text = self._text(program, "ledger")
        if not text:
            return None
        return text if is_server_url(text) else Path(text)

    def set_output_root(self, program: Path, folder: Path | None) -> None:
        """Write this program's close outputs under `folder` (None: the default folder)."""
        self._set_folder(program, "output", folder)

    def set_ledger_path(self, program: Path, path: Path | str | None) -> None:
        """Use `path` as this program's ledger (None: the default ledger)."""
        self._set_folder(program, "ledger", path)

    def _folder(self, program: Path, what: str) -> Path | None:
        text = self._text(program, what)
        return Path(text) if text else None

    def _text(self, program: Path, what: str) -> str:
        entry = self._json_map(self.FOLDERS).get(str(program), {})
        text = entry.get(what, "") if isinstance(entry, dict) else ""
        return text if isinstance(text, str) else ""

    def _set_folder(self, program: Path, what: str, path: Path | str | None) -> None:
        folders = self._json_map(self.FOLDERS)
        entry = folders.get(str(program), {})
        entry = dict(entry) if isinstance(entry, dict) else {}
        if path is None:
            entry.pop(what, None)
        else:
            entry[what] = str(path)
        if entry:
            folders[str(program)] = entry
        else:
            folders.pop(str(program), None)
        self.store.put(self.FOLDERS, json.dumps(folders, sort_keys=True))

    # --- JSON values, tolerant of a hand-edited or damaged settings file --------

    def _json_list(self, key: str) -> list[str]:
        value = self._load(key)
        return [v for v in value if isinstance(v, str) and v] if isinstance(value, list) else []

    def _json_map(self, key: str) -> dict[str, object]:
        value = self._load(key)
        return dict(value) if isinstance(value, dict) else {}

    def _load(self, key: str) -> object:
        text = self.store.get(key)
        if not text:
            return None
        try:
            loaded: object = json.loads(text)
        except ValueError:
            return None
        return loaded
