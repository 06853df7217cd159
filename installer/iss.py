"""Reading installer/partnerclose.iss: enough of Inno Setup's syntax to check the script.

The Windows build checks, before it runs the Inno Setup compiler, that every [Files]
source matches staged files (`unmatched_sources`); the tests check the script against the
layout the build stages and the add-in's config.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

ISS = Path(__file__).resolve().with_name("partnerclose.iss")

_SECTION = re.compile(r"^\[(?P<name>[A-Za-z]+)\]\s*$")
_DEFINE = re.compile(r'^#\s*define\s+(?P<name>\w+)\s+"(?P<value>[^"]*)"\s*$')
_INLINE = re.compile(r"\{#(?P<name>\w+)\}")


@dataclass(frozen=True, slots=True)
class Script:
    """The script's sections (lower-case names) as lines, comments and blank lines left out."""

    defines: dict[str, str]
    sections: dict[str, list[str]]

    def setup(self) -> dict[str, str]:
        """[Setup] directives, keys lower-cased."""
        directives = {}
        for line in self.sections.get("setup", []):
            key, _, value = line.partition("=")
            directives[key.strip().lower()] = value.strip()
        return directives

    def entries(self, section: str) -> list[dict[str, str]]:
        """The entries of a section like [Files]: `Name: value; ...`, keys lower-cased."""
        return [parse_entry(line) for line in self.sections.get(section.lower(), [])]


def expand(text: str, defines: dict[str, str]) -> str:
    """Replace the preprocessor's `{#Name}` with the define's value."""
    return _INLINE.sub(lambda m: defines[m.group("name")], text)


def parse_script(text: str, overrides: dict[str, str] | None = None) -> Script:
    """Read a script; `overrides` are `/DName=value` of the compiler's command line."""
    defines: dict[str, str] = {}
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    in_code = False
    for raw in text.splitlines():
        line = raw.strip()
        define = _DEFINE.match(line)
        if define:
            # #ifndef Name / #define Name "default": a /DName=value on the command line wins
            defines.setdefault(define.group("name"), define.group("value"))
            continue
        if line.startswith("#"):
            continue
        section = _SECTION.match(line)
        if section:
            name = section.group("name").lower()
            in_code = name == "code"
            current = sections.setdefault(name, [])
            continue
        if current is None or not line or (line.startswith(";") and not in_code):
            continue
        current.append(line)
    defines.update(overrides or {})
    expanded = {name: [expand(line, defines) for line in lines] for name, lines in sections.items()}
    return Script(defines, expanded)


def read_script(path: Path = ISS, overrides: dict[str, str] | None = None) -> Script:
    return parse_script(path.read_text(encoding="utf-8"), overrides)


def parse_entry(line: str) -> dict[str, str]:
    """`Source: "a\\b"; DestDir: "{app}"; Flags: x y` -> {"source": "a\\b", ...}."""
    entry: dict[str, str] = {}
    rest = line
    while rest:
        key, colon, rest = rest.partition(":")
        if not colon:
            raise ValueError(f"not an Inno Setup entry: {line!r}")
        rest = rest.lstrip()
        if rest.startswith('"'):
            # a quoted value; "" stands for one quote
            match = re.match(r'"((?:[^"]|"")*)"\s*(?:;|$)', rest)
            if not match:
                raise ValueError(f"unterminated quote in {line!r}")
            value = match.group(1).replace('""', '"')
            rest = rest[match.end() :]
        else:
            value, _, rest = rest.partition(";")
        entry[key.strip().lower()] = value.strip()
        rest = rest.lstrip()
    return entry


def native_path(text: str) -> Path:
    """A Windows path of the script as a path of this system (for builds and tests here)."""
    return Path(text) if os.sep == "\\" else Path(text.replace("\\", "/"))


def source_files(source: str, base: Path, *, recursive: bool) -> list[Path]:
    """Files a [Files] `Source` (wildcards in its last part) matches, as the compiler would.

    A relative source is relative to `base` (the script's folder). With `recursesubdirs`
    the compiler takes matching files in every subfolder too.
    """
    pattern = native_path(source)
    folder = pattern.parent if pattern.parent.is_absolute() else base / pattern.parent
    if not folder.is_dir():
        return []
    candidates = folder.rglob("*") if recursive else folder.glob("*")
    wanted = pattern.name.lower()
    return sorted(p for p in candidates if p.is_file() and fnmatchcase(p.name.lower(), wanted))


def unmatched_sources(script: Script, base: Path = ISS.parent) -> list[str]:
    """[Files] sources that match no file (the compiler would stop on them)."""
    missing = []
    for entry in script.entries("Files"):
        recursive = "recursesubdirs" in entry.get("flags", "").lower().split()
        if not source_files(entry["source"], base, recursive=recursive):
            missing.append(entry["source"])
    return missing
