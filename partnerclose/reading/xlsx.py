"""Workbook files to grids, refusing what is unsafe or unreadable.

Partner workbooks come from outside the company. Before anything is parsed:
the file must be within the size limit and a zip package (an encrypted workbook
is an OLE file); what it really unpacks to (counted, not declared: package.py)
must be within limits, and so must each read sheet's rows and cell area
(sheet_xml.py, from the cells themselves, not `<dimension>`); no XML part may
declare a DTD (billion laughs, external entities): the package parts we parse
ourselves go through defusedxml, and every part's prolog is checked before
calamine sees it. Parts in UTF-16 are read as such. Formulas are never
evaluated: calamine reads cached values; cells whose formula has no cached
value, and cells that hold an error (#DIV/0!), are reported as such.
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
from partnerclose.reading.cells import ErrorValue
from partnerclose.reading.grid import SheetGrid, WorkbookGrids, column_letter, normalize_name
from partnerclose.reading.package import Package, PackageRefusedError, unpack
from partnerclose.reading.sheet_xml import SheetScan, SheetXmlError, scan_sheet

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="[A-Z]*\d*:?[A-Z]*(\d+)"')
_PROLOG_BYTES = 4096
_MB = 1024 * 1024
# Parts not kept after their checks (calamine reads them itself): large, never sheets.
_NOT_KEPT = frozenset({"xl/sharedStrings.xml", "xl/styles.xml"})


@dataclass(frozen=True, slots=True)
class Limits:
    """Refuse workbooks past these before parsing (quality.md, configurable)."""

    max_uncompressed_bytes: int = 200 * 1024 * 1024
    max_rows_per_sheet: int = 2_000_000
    # The rectangle calamine builds from A1 to the farthest cell: 2,000,000 rows of
    # 10 columns (about 1.3 GB while calamine builds it). Dense data within the size
    # limit stays far below; only far-apart cells reach it.
    max_cells_per_sheet: int = 20_000_000
    max_file_bytes: int = 200 * 1024 * 1024  # the file itself, before it is read
    max_problems_per_file: int = 1_000  # then one line says how many more


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
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            return None, [
                Problem(
                    Severity.ERROR,
                    f"refused: the file is {size // _MB:,} MB, over the limit of "
                    f"{limits.max_file_bytes // _MB:,} MB",
                    path.name,
                )
            ]
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
        package = unpack(
            data,
            lambda name: name.endswith((".xml", ".rels")) and name not in _NOT_KEPT,
            limits.max_uncompressed_bytes,
        )
        parts = _sheet_parts(package)
        chosen = {
            name: part
            for name, part in parts.items()
            if wanted is None or normalize_name(name) in wanted
        }
        scans = {name: _check_sheet(package, name, part, limits) for name, part in chosen.items()}
    except PackageRefusedError as exc:
        raise WorkbookRefusedError(str(exc)) from exc
    except DAMAGED as exc:
        raise WorkbookRefusedError(f"not a readable workbook (damaged file: {exc})") from exc
    readable = package.data
    del package  # the XML parts are not needed again: free them before calamine reads
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(readable))
        sheets = {
            name: SheetGrid(name, _rows(book, name, scans[name]), scans[name].uncached)
            for name in chosen
        }
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


def _rows(book: CalamineWorkbook, name: str, scan: SheetScan) -> list[list[object]]:
    # calamine gives "" for empty cells (xlwings gives None); readers treat both as blank.
    rows = cast(list[list[object]], book.get_sheet_by_name(name).to_python(skip_empty_area=False))
    for (r, c), code in scan.errors.items():  # calamine reads these as empty too
        if r < len(rows) and c < len(rows[r]):
            rows[r][c] = ErrorValue(code)
    return rows


def _parse(package: Package, name: str) -> Element:
    try:
        return SafeET.fromstring(package.parts[name], forbid_dtd=True)
    except DefusedXmlException as exc:
        raise WorkbookRefusedError(f"refused: {name} declares XML entities or a DTD") from exc
    except SafeET.ParseError as exc:
        raise WorkbookRefusedError(f"not a readable workbook (bad XML in {name})") from exc


def _sheet_parts(package: Package) -> dict[str, str]:
    """Sheet name -> zip part."""
    if "xl/workbook.xml" not in package.parts:
        raise WorkbookRefusedError("not a readable workbook (no xl/workbook.xml in the package)")
    workbook = _parse(package, "xl/workbook.xml")
    rels_part = "xl/_rels/workbook.xml.rels"
    rels = _parse(package, rels_part) if rels_part in package.parts else None
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
        if part is not None and part in package.names:
            parts[sheet.get("name", "")] = part
    return parts


def _check_sheet(package: Package, name: str, part: str, limits: Limits) -> SheetScan:
    """The sheet's rows and cell area within limits (from its cells, whatever
    `<dimension>` says); what calamine would read as empty."""
    xml = package.parts.get(part)
    if xml is None:  # a sheet kept where sheets are not: not read
        raise WorkbookRefusedError(f"not a readable workbook (sheet {name} is in {part})")
    try:
        scan = scan_sheet(xml, (limits.max_rows_per_sheet, limits.max_cells_per_sheet))
    except SheetXmlError as exc:
        raise WorkbookRefusedError(
            f"not a readable workbook (sheet {name}, {part}: {exc})"
        ) from exc
    dimension = _DIMENSION.search(xml, 0, _PROLOG_BYTES)
    claimed = int(dimension.group(1)) if dimension else 0
    rows = max(scan.rows, claimed)
    if rows > limits.max_rows_per_sheet:
        raise WorkbookRefusedError(
            f"refused: sheet {name} has {rows:,} rows, over the limit of "
            f"{limits.max_rows_per_sheet:,}"
        )
    if scan.cells > limits.max_cells_per_sheet:
        raise WorkbookRefusedError(
            f"refused: sheet {name} reaches cell {column_letter(scan.columns - 1)}{scan.rows} "
            f"({scan.rows:,} rows × {scan.columns:,} columns = {scan.cells:,} cells), over the "
            f"limit of {limits.max_cells_per_sheet:,} cells; delete what lies beyond the data"
        )
    return scan
