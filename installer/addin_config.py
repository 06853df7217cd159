"""The add-in's config for the installed layout: `python -m installer.addin_config`.

The add-in (excel_addin/build.py) is xlwings' custom add-in, whose VBA project is called
`myaddin`. Its VBA looks up each setting in turn in the add-in's own `myaddin.conf` sheet
(a key there is final), a `myaddin.conf` next to the active workbook, then the user file
`%USERPROFILE%\\.myaddin\\myaddin.conf` (Windows) or
`~/Library/Containers/com.microsoft.Excel/Data/myaddin.conf` (macOS). Every value has its
environment variables expanded, so one setting, written at build time, names the installed
interpreter for every user: `%LOCALAPPDATA%\\Programs\\PartnerClose\\python\\pythonw.exe`,
where partnerclose.iss installs python/.

The Windows build writes it twice (installer.build_windows):

- into the add-in's sheet (`configure_addin`, with excel_addin.build's `configure`): what
  the add-in uses;
- into `myaddin.conf` (`write`), installed as the user file and as a reference copy in
  the install folder: the fallback for an add-in rebuilt without it. Its `PARTNERCLOSE`
  line marks it as this installer's, so the installer replaces (and its uninstaller
  removes) only a user file it wrote itself.

Nothing is put next to the .xlam: Excel opens every file in XLSTART at start-up.
`--mac-interpreter PATH` writes the macOS file instead (`INTERPRETER_MAC`; docs/install.md).
"""

from __future__ import annotations

import argparse
import posixpath
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from xml.etree.ElementTree import Element

from defusedxml.ElementTree import fromstring

from excel_addin import settings as settings_file
from installer.layout import ADDIN_CONF, ADDIN_MODULE, ADDIN_SHEET, installed_interpreter

MARKER_KEY = "PARTNERCLOSE"
INTERPRETER_WIN = "INTERPRETER_WIN"
INTERPRETER_MAC = "INTERPRETER_MAC"
LEDGER = "LEDGER"  # the team's ledger (excel_addin/settings.py reads it)
MODULE = "MODULE"  # for people: the VBA takes the module from the add-in's file name
DEFAULT_OUT = Path("build") / "addin" / ADDIN_CONF


def _version() -> str:
    from partnerclose import __version__

    return __version__


def settings(mac_interpreter: str | None = None, ledger: str | None = None) -> dict[str, str]:
    """The add-in's settings: the interpreter (Windows installed layout, or the Mac's), and
    the team's ledger when one is given (a `postgresql://` URL, or a ledger file)."""
    interpreter = (
        {INTERPRETER_MAC: mac_interpreter}
        if mac_interpreter
        else {INTERPRETER_WIN: str(installed_interpreter())}
    )
    return {
        **interpreter,
        **({LEDGER: ledger} if ledger else {}),
        MODULE: ADDIN_MODULE,
        MARKER_KEY: f"written by the PartnerClose {_version()} installer",
    }


def render(values: Mapping[str, str]) -> str:
    """The config file's text: one `"KEY","value"` line each, CRLF (read by VBA)."""
    lines = []
    for key, value in values.items():
        for text in (key, value):
            # VBA's Input # has no escape for a quote; it reads the file as ANSI.
            if '"' in text or "\n" in text or "\r" in text or not text.isascii():
                raise ValueError(f"{ADDIN_CONF} cannot hold {text!r}")
        lines.append(f'"{key}","{value}"\r\n')
    return "".join(lines)


parse = settings_file.parse  # one reader of the file for the installer and the add-in


def write(path: Path, values: Mapping[str, str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render(values).encode("ascii"))
    return path


def configure_addin(xlam: Path) -> None:
    """Name the installed interpreter in the add-in's own config sheet."""
    from excel_addin.build import Config, configure

    configure(xlam, Config(interpreter_win=str(installed_interpreter())))


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_DOC_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _text(element: Element) -> str:
    return "".join(t.text or "" for t in element.iter(f"{_MAIN}t"))


def _sheet_cells(package: zipfile.ZipFile, name: str) -> dict[str, str] | None:
    """Cell reference -> text of the workbook's sheet `name` (None if there is none)."""
    workbook = fromstring(package.read("xl/workbook.xml"))
    sheet = next((s for s in workbook.iter(f"{_MAIN}sheet") if s.get("name") == name), None)
    if sheet is None:
        return None
    relations = fromstring(package.read("xl/_rels/workbook.xml.rels"))
    target = next(
        r.get("Target", "")
        for r in relations.iter(f"{_PKG_REL}Relationship")
        if r.get("Id") == sheet.get(f"{_DOC_REL}id")
    )
    part = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
    strings = []
    if "xl/sharedStrings.xml" in package.namelist():
        shared = fromstring(package.read("xl/sharedStrings.xml"))
        strings = [_text(item) for item in shared.iter(f"{_MAIN}si")]
    cells = {}
    for cell in fromstring(package.read(posixpath.normpath(part))).iter(f"{_MAIN}c"):
        value = cell.find(f"{_MAIN}v")
        kind = cell.get("t")
        if kind == "s" and value is not None and value.text is not None:
            text = strings[int(value.text)]
        elif kind == "inlineStr":
            text = _text(cell)
        else:
            text = "" if value is None or value.text is None else value.text
        cells[cell.get("r", "")] = text
    return cells


def sheet_settings(xlam: Path) -> dict[str, str]:
    """The add-in's config sheet as its VBA reads it: keys in A from A1 to the first blank."""
    with zipfile.ZipFile(xlam) as package:
        cells = _sheet_cells(package, ADDIN_SHEET)
    values: dict[str, str] = {}
    row = 1
    while cells and cells.get(f"A{row}"):
        values[cells[f"A{row}"].upper()] = cells.get(f"B{row}", "")
        row += 1
    return values


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m installer.addin_config",
        description=f"Write the PartnerClose add-in's {ADDIN_CONF} for the installed layout.",
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"file to write ({DEFAULT_OUT})"
    )
    parser.add_argument(
        "--mac-interpreter",
        metavar="PATH",
        help="write the macOS config naming this Python instead of the Windows one",
    )
    parser.add_argument(
        "--ledger",
        metavar="URL",
        help="the team's ledger for every program the add-in closes: a "
        "postgresql://user@host/database URL (no password: use the server's password file) "
        "or a ledger file; without it the add-in follows PARTNERCLOSE_LEDGER, else the file "
        "beside each program workbook",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    path = write(args.out, settings(args.mac_interpreter, args.ledger))
    for key, value in parse(path.read_text(encoding="ascii")).items():
        print(f"{key} = {value}")
    print(f"Written to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
