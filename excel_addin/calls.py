"""Calls into Excel that real Excel answers differently from a first guess.

Each behaviour relied on here is stated, with its source, by
`tests/excel_addin/test_conformance.py`, which runs on the fake engine and,
with `pytest --excel`, on real Excel:

- xlwings retries a COM call that Excel rejects (it is busy: a cell being
  edited, a dialog open) for ever (`N_COM_ATTEMPTS = 0` in `_xlwindows`):
  `bounded_com_retries` gives up after `COM_ATTEMPTS`, and `is_busy` tells
  that error apart so the user reads what to do;
- `Sheet.index` counts chart sheets, `book.sheets` does not: a copy is found
  as the last (or first) worksheet, where it was put, and checked to be a new
  sheet by its name (`copy_sheet`), never by an index;
- `Range.Rows` of a multi-area range is the first area's rows only, so
  `Rows.AutoFit` fits the first area: `autofit_rows` fits area by area;
- through COM, a cell with a currency number format reads as a 4-decimal
  `Currency` (pywin32 gives a `Decimal`); `Value2` never uses Currency:
  `range_values` takes those cells' doubles from `Value2`.
"""

from __future__ import annotations

import sys
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import xlwings as xw

RPC_E_CALL_REJECTED = -2147418111  # COM: "Call was rejected by callee" (Excel is busy)
# xlwings retries without pausing, so this is a few seconds of a busy Excel, not forever.
COM_ATTEMPTS = 10_000


class SheetCopyError(RuntimeError):
    """Excel did not put a sheet's copy where it was asked to."""


@contextmanager
def bounded_com_retries(app: xw.App, attempts: int = COM_ATTEMPTS) -> Iterator[None]:
    """At most `attempts` tries of each rejected COM call while the block runs.

    The bound is the engine module's own (`xlwings._xlwindows.N_COM_ATTEMPTS`);
    an engine without one (macOS, where AppleScript has no such loop) is left
    as it is."""
    module: Any = sys.modules.get(type(app.impl).__module__)
    if module is None or not hasattr(module, "N_COM_ATTEMPTS"):
        yield
        return
    before = module.N_COM_ATTEMPTS
    module.N_COM_ATTEMPTS = attempts
    try:
        yield
    finally:
        module.N_COM_ATTEMPTS = before


def is_busy(exc: BaseException) -> bool:
    """Excel kept rejecting a call (xlwings gave up retrying it)."""
    return getattr(exc, "hresult", None) == RPC_E_CALL_REJECTED or type(exc).__name__ in (
        "ExcelBusyError",
    )


def copy_sheet(
    source: xw.Sheet, book: xw.Book, *, known: Collection[str], first: bool = False
) -> xw.Sheet:
    """A copy of `source` (of any open workbook) as the last worksheet of `book`,
    or the first with `first`; `known` holds (lower-cased) every sheet name of
    `book` before the copy.

    Excel puts a copy right after (before) the sheet named, and a chart sheet
    between worksheets does not move that worksheet's place in `book.sheets`:
    the copy is where it was put. It is checked by its name, which Excel makes
    new (`Statement (2)`), so a copy is never mistaken for another sheet. One
    call for the copy, two to find it, whatever the number of sheets.
    """
    if first:
        source.impl.copy(before=book.sheets[0].impl, after=None)
        copy = book.sheets[0]
    else:
        source.impl.copy(before=None, after=book.sheets[-1].impl)
        copy = book.sheets[-1]
    if copy.name.lower() in known:
        raise SheetCopyError(
            f"the copy of {source.name!r} was not where Excel was asked to put it "
            f"({'first' if first else 'last'}); found {copy.name!r} there"
        )
    return copy


def autofit_rows(sheet: xw.Sheet, spans: Sequence[tuple[int, int]]) -> None:
    """AutoFit the rows `first:last` of each span: one call per area, as Excel fits
    only the first area of a multi-area range."""
    for first, last in spans:
        if first <= last:
            sheet.range(f"{first}:{last}").rows.autofit()


def range_values(rng: xw.Range, **options: Any) -> list[list[Any]]:
    """A range's values as rows (`options` as for `Range.options`), with the exact
    double of every cell Excel gave as a 4-decimal Currency."""
    rows = as_rows(rng.options(ndim=2, **options).value)
    if not any(isinstance(value, Decimal) for row in rows for value in row):
        return rows
    doubles = as_rows(rng.api.Value2)
    return [
        [
            float(exact) if isinstance(value, Decimal) else value
            for value, exact in zip(row, exact_row, strict=True)
        ]
        for row, exact_row in zip(rows, doubles, strict=True)
    ]


def as_rows(raw: Any) -> list[list[Any]]:
    """A range property as rows: COM gives a scalar for one cell, a tuple per row."""
    if not isinstance(raw, list | tuple):
        return [[raw]]
    if raw and not isinstance(raw[0], list | tuple):
        return [list(raw)]
    return [list(row) for row in raw]
