"""Workbook files to grids, refusing what is unsafe or unreadable.

Partner workbooks come from outside the company. Before anything is parsed:
the file must be a zip package (an encrypted workbook is an OLE file), its
uncompressed size and each sheet's row count must be within limits, and no
XML part may declare a DTD (billion laughs, external entities): the package
parts we parse ourselves go through defusedxml, and every part's prolog is
checked before calamine sees it. Formulas are never evaluated: calamine reads
cached values, and cells whose formula has no cached value are reported.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import cast
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from python_calamine import CalamineWorkbook

from partnerclose.core.problems import Problem, Severity
from partnerclose.reading.grid import SheetGrid, WorkbookGrids, normalize_name

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="[A-Z]*\d*:?[A-Z]*(\d+)"')
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_HAS_VALUE = re.compile(rb"<v>[^<]|<is>")
_FORMULA = re.compile(rb"<f[\s>/]")
_PROLOG_BYTES = 4096


@dataclass(frozen=True, slots=True)
class Limits:
    """Refuse workbooks past these before parsing (quality.md, configurable)."""

    max_uncompressed_bytes: int = 200 * 1024 * 1024
    max_rows_per_sheet: int = 2_000_000


DEFAULT_LIMITS = Limits()

# What a damaged zip package raises while we read it ourselves.
DAMAGED = (
    zipfile.BadZipFile,
    zlib.error,
    KeyError,
    EOFError,
    ValueError,
    OSError,
    RuntimeError,
    NotImplementedError,
)


class WorkbookRefusedError(Exception):
    """The file is not a workbook we will read; the message says why."""


@dataclass(frozen=True, slots=True)
class LoadedWorkbook:
    grids: WorkbookGrids
    sha256: str
    path: Path


def load_workbook(
    path: Path, wanted_sheets: Iterable[str] | None = None, limits: Limits = DEFAULT_LIMITS
) -> tuple[LoadedWorkbook | None, list[Problem]]:
    """Read a workbook file into grids (only `wanted_sheets`, matched loosely)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [Problem(Severity.ERROR, f"cannot read the file: {exc.strerror}", path.name)]
    digest = hashlib.sha256(data).hexdigest()
    try:
        grids = grids_from_bytes(data, path.name, wanted_sheets, limits)
    except WorkbookRefusedError as exc:
        return None, [Problem(Severity.ERROR, str(exc), path.name)]
    return LoadedWorkbook(grids, digest, path), []


def grids_from_bytes(
    data: bytes,
    file: str,
    wanted_sheets: Iterable[str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> WorkbookGrids:
    if data.startswith(OLE_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data:
            raise WorkbookRefusedError(
                "the workbook is password-protected; remove the password in Excel and save again"
            )
        raise WorkbookRefusedError(
            "this is an old .xls file or an encrypted workbook; save it as .xlsx in Excel"
        )
    if not data:
        raise WorkbookRefusedError("the file is empty, not a workbook")
    if not data.startswith(ZIP_MAGIC):
        raise WorkbookRefusedError("not a readable workbook (not an .xlsx/.xlsm file)")
    wanted = None if wanted_sheets is None else {normalize_name(n) for n in wanted_sheets}
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        parts = _sheet_parts(package, limits)
        chosen = {
            name: part
            for name, part in parts.items()
            if wanted is None or normalize_name(name) in wanted
        }
        uncached = {
            name: _check_sheet(package, name, part, limits) for name, part in chosen.items()
        }
    except DAMAGED as exc:
        raise WorkbookRefusedError(f"not a readable workbook (damaged file: {exc})") from exc
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = {name: SheetGrid(name, _rows(book, name), uncached[name]) for name in chosen}
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        # calamine raises its own errors, and a Rust panic (a BaseException) on some
        # values, e.g. a large negative number in a date-formatted cell: all mean
        # the workbook cannot be read as it is.
        raise WorkbookRefusedError(
            f"not a readable workbook ({type(exc).__name__}: {exc}); a cell may hold a "
            "value Excel cannot show in its format"
        ) from exc
    return WorkbookGrids(file, sheets, tuple(parts))


def _rows(book: CalamineWorkbook, name: str) -> list[list[object]]:
    # calamine gives "" for empty cells (xlwings gives None); readers treat both as blank.
    return cast(list[list[object]], book.get_sheet_by_name(name).to_python(skip_empty_area=False))


def _parse(package: zipfile.ZipFile, name: str) -> Element:
    try:
        return SafeET.fromstring(package.read(name), forbid_dtd=True)
    except DefusedXmlException as exc:
        raise WorkbookRefusedError(f"refused: {name} declares XML entities or a DTD") from exc
    except SafeET.ParseError as exc:
        raise WorkbookRefusedError(f"not a readable workbook (bad XML in {name})") from exc


def _sheet_parts(package: zipfile.ZipFile, limits: Limits) -> dict[str, str]:
    """Sheet name -> zip part, after the package-wide checks."""
    infos = package.infolist()
    total = sum(info.file_size for info in infos)
    if total > limits.max_uncompressed_bytes:
        raise WorkbookRefusedError(
            f"refused: the workbook unpacks to {total // (1024 * 1024)} MB, over the limit of "
            f"{limits.max_uncompressed_bytes // (1024 * 1024)} MB"
        )
    for info in infos:
        if info.filename.endswith((".xml", ".rels", ".vml")):
            with package.open(info) as stream:
                prolog = stream.read(_PROLOG_BYTES)
            if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
                raise WorkbookRefusedError(
                    f"refused: {info.filename} declares XML entities or a DTD"
                )
    names = set(package.namelist())
    if "xl/workbook.xml" not in names:
        raise WorkbookRefusedError("not a readable workbook (no xl/workbook.xml in the package)")
    workbook = _parse(package, "xl/workbook.xml")
    rels = (
        _parse(package, "xl/_rels/workbook.xml.rels")
        if ("xl/_rels/workbook.xml.rels" in names)
        else None
    )
    targets: dict[str | None, str] = {}
    if rels is not None:
        for rel in rels.iter(f"{_NS_PKG_REL}Relationship"):
            target = rel.get("Target", "")
            path = (
                target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
            )
            targets[rel.get("Id")] = path
    parts: dict[str, str] = {}
    for sheet in workbook.iter(f"{_NS_MAIN}sheet"):
        part = targets.get(sheet.get(f"{_NS_REL}id"))
        if part is not None and part in names:
            parts[sheet.get("name", "")] = part
    return parts


def _check_sheet(
    package: zipfile.ZipFile, name: str, part: str, limits: Limits
) -> frozenset[tuple[int, int]]:
    """Row limit, then the cells whose formula was saved without a value."""
    with package.open(part) as stream:
        head = stream.read(_PROLOG_BYTES)
    dimension = _DIMENSION.search(head)
    data = package.read(part)
    rows = int(dimension.group(1)) if dimension else data.count(b"<row")
    if rows > limits.max_rows_per_sheet:
        raise WorkbookRefusedError(
            f"refused: sheet {name} has {rows:,} rows, over the limit of "
            f"{limits.max_rows_per_sheet:,}"
        )
    if not _FORMULA.search(data):  # `<f>` or `<f t="shared"…/>`, not `<formula1>`
        return frozenset()
    found = set()
    for match in _CELL.finditer(data):
        inner = match.group(2) or b""
        # t="str" with an empty <v> is a formula whose saved result is "".
        cached_text = b't="str"' in match.group(1)
        if _FORMULA.search(inner) and not _HAS_VALUE.search(inner) and not cached_text:
            ref = _REF.search(match.group(1))
            if ref:
                found.add((int(ref.group(2)) - 1, _column_index(ref.group(1).decode())))
    return frozenset(found)


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1
