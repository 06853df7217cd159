"""A workbook written from grids: the values a close read from an open workbook.

The Excel add-in closes from the open workbook's cells, unsaved edits included, so
the file on disk is not what the close used. This writes those values as a workbook
that the product's reader reads back to the same grids, so the close's kept inputs
(rules.md P0) hold what it computed from and `verify` can recompute it. The bytes
depend on the values alone (fixed times in the package), so the same values give the
same SHA-256 (an approved draft and its final close compare equal).
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime

from openpyxl import Workbook

from partnerclose.reading.grid import WorkbookGrids

_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_PACKAGE_TIMES = re.compile(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>")
_DATE_FORMAT = "yyyy-mm-dd"
_DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"


def grids_workbook(grids: WorkbookGrids) -> bytes:
    """The grids' values as .xlsx bytes, one sheet per grid, in their order."""
    book = Workbook()
    first = book.active
    for name in grids.sheet_names:
        grid = grids.sheets.get(name)
        sheet = book.create_sheet(name[:31])
        if grid is None:
            continue
        for row_number, row in enumerate(grid.rows, 1):
            for column_number, value in enumerate(row, 1):
                if value is None or value == "":
                    continue
                cell = sheet.cell(row_number, column_number)
                cell.value = value
                if isinstance(value, str):
                    cell.data_type = "s"  # text stays text, even when it starts with "="
                elif type(value) is float:
                    # openpyxl writes numbers with 16 digits ("%.16g"), which does not give
                    # every double back; its shortest exact text (repr) does.
                    cell._value = repr(value)
                    cell.data_type = "n"
                elif isinstance(value, datetime):
                    plain = value.time() == datetime.min.time()
                    cell.number_format = _DATE_FORMAT if plain else _DATETIME_FORMAT
                elif isinstance(value, date):
                    cell.number_format = _DATE_FORMAT
    if first is not None and len(book.sheetnames) > 1:
        book.remove(first)
    written = io.BytesIO()
    book.save(written)
    return _fixed_times(written.getvalue())


def _fixed_times(package: bytes) -> bytes:
    """The same package with every time in it fixed, so equal values give equal bytes."""
    fixed = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(package)) as source,
        zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _PACKAGE_TIMES.sub(b"", data)
            target.writestr(zipfile.ZipInfo(info.filename, _FIXED_TIME), data, zipfile.ZIP_DEFLATED)
    return fixed.getvalue()
