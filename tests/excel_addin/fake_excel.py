"""A fake Excel for the add-in's tests: an xlwings engine backed by openpyxl.

Registered with `xlwings.engines` (see `install`), it lets the add-in run through
real `xw.Book` / `xw.Sheet` / `xw.Range` objects. It answers as Excel on Windows
does through COM:

- a range reads as a tuple of row tuples (one cell: a scalar); numbers are floats,
  but a number in a currency-formatted cell is a 4-decimal `Decimal` (COM's
  Currency; `Range.api.Value2` gives its double); dates are datetimes, empty
  cells None, errors COM's error codes (text with `err_to_str`); a formula
  cell gives its result (`fake_formulas`, else the value cached in the file);
- a value write parses each string as Excel parses typed input: `=…` becomes a
  formula, `'…` text without the apostrophe, numbers, percentages, TRUE/FALSE
  and ISO dates (`2026-10-31`, `2026-10`) become numbers, booleans and dates;
  a `Decimal` is refused (pywin32 would pass a 4-decimal COM Currency);
- a write that covers part of a merged range fails as in Excel; `Formula`
  reads give formulas and the text of constants;
- whole-row insertions (several areas at once), whole-row copies (repeated over
  a larger destination), sheet copies (within and across workbooks), sheet-level
  names, print areas, number formats, merged-cell queries, fonts, widths;
- `book.sheets` lists worksheets only, `Sheet.index` counts chart sheets too; a
  new sheet goes before the active one by default, and a new or copied sheet
  becomes the active sheet; `Rows.AutoFit` of a multi-area range fits its first
  area only;
- `Book.fullname` of a workbook opened from OneDrive or SharePoint (an
  `https://` `api.FullName`) is xlwings's own mapping (`xlwings.utils`), name
  search fallback included, as `_xlwindows.Book.fullname` does;
- a rejected call (`FakeApp.reject`: Excel busy) is retried as xlwings's
  `COMRetryObjectWrapper` does: for ever while `N_COM_ATTEMPTS` is 0 (the fake
  stops after `HANG` tries and says so), else up to `N_COM_ATTEMPTS` tries.

Every range operation is counted, per worksheet (`FakeApp.ops`), and
`FakeApp.fail_on` makes a chosen operation fail. Charts and pictures are not
copied between sheets.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from copy import copy
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Any

import xlwings as xw
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.chartsheet import Chartsheet
from openpyxl.formula.translate import Translator
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.worksheet import Worksheet
from xlwings import base_classes, utils
from xlwings.main import Engine

from partnerclose.statements.sheet import RowInsert
from partnerclose.statements.xlsx import WorksheetSheet
from partnerclose.statements.xmlsheet import column_number
from tests.excel_addin.fake_formulas import UnsupportedFormulaError, calculate

ENGINE_NAME = "fake-excel"
MAX_ROW = 1_048_576
MAX_COLUMN = 16_384
Box = tuple[int, int, int, int]  # top, left, bottom, right
N_COM_ATTEMPTS = 0  # as xlwings._xlwindows: 0 means try for ever
HANG = 100_000  # tries after which the fake says that xlwings would hang
RPC_E_CALL_REJECTED = -2147418111
# COM's error values as pywin32 returns them (xlwings._xlwindows.cell_errors)
CELL_ERRORS = {
    "#DIV/0!": -2146826281,
    "#N/A": -2146826246,
    "#NAME?": -2146826259,
    "#NULL!": -2146826288,
    "#NUM!": -2146826252,
    "#REF!": -2146826265,
    "#VALUE!": -2146826273,
}
ERROR_TEXTS = {code: text for text, code in CELL_ERRORS.items()}


class FakeExcelError(Exception):
    """What Excel would refuse."""


class FakeComError(Exception):
    """pywintypes.com_error as COM raises it: `hresult` tells what."""

    def __init__(self, hresult: int, message: str) -> None:
        super().__init__(hresult, message, None, None)
        self.hresult = hresult


@dataclass(frozen=True, slots=True)
class Op:
    """One range operation: on which worksheet (its id, stable across renames)."""

    sheet: int
    kind: str
    address: str = ""


# --- addresses --------------------------------------------------------------------

_CELL = r"\$?([A-Za-z]{1,3})\$?(\d+)"
_CELLS = re.compile(rf"^{_CELL}(?::{_CELL})?$")
_ROWS = re.compile(r"^\$?(\d+):\$?(\d+)$")
_COLUMNS = re.compile(r"^\$?([A-Za-z]{1,3}):\$?([A-Za-z]{1,3})$")


def parse_area(text: str) -> Box:
    text = text.strip()
    if "!" in text:
        text = text.rsplit("!", 1)[1]
    if match := _ROWS.match(text):
        top, bottom = sorted((int(match.group(1)), int(match.group(2))))
        return top, 1, bottom, MAX_COLUMN
    if match := _COLUMNS.match(text):
        left, right = sorted((column_number(match.group(1)), column_number(match.group(2))))
        return 1, left, MAX_ROW, right
    if match := _CELLS.match(text):
        left, top = column_number(match.group(1)), int(match.group(2))
        if match.group(3) is None:
            return top, left, top, left
        right, bottom = column_number(match.group(3)), int(match.group(4))
        return min(top, bottom), min(left, right), max(top, bottom), max(left, right)
    raise FakeExcelError(f"not an address: {text!r}")


def area_address(box: Box, row_absolute: bool = True, column_absolute: bool = True) -> str:
    top, left, bottom, right = box
    r = "$" if row_absolute else ""
    c = "$" if column_absolute else ""
    if left == 1 and right == MAX_COLUMN:
        return f"{r}{top}:{r}{bottom}"
    first = f"{c}{get_column_letter(left)}{r}{top}"
    if (top, left) == (bottom, right):
        return first
    return f"{first}:{c}{get_column_letter(right)}{r}{bottom}"


def excel_sheet_name(title: str) -> str:
    """A sheet's name in a reference, quoted only when Excel quotes it."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", title) and not _CELLS.match(title):
        return title
    return "'" + title.replace("'", "''") + "'"


def cells_of(box: Box) -> Iterator[tuple[int, int]]:
    top, left, bottom, right = box
    for row in range(top, bottom + 1):
        for column in range(left, right + 1):
            yield row, column


def overlaps(a: Box, b: Box) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def inside(a: Box, b: Box) -> bool:
    """a lies within b."""
    return b[0] <= a[0] and a[2] <= b[2] and b[1] <= a[1] and a[3] <= b[3]


# --- values as Excel reads and parses them ------------------------------------------

_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?(E[+-]?\d+)?%?$", re.IGNORECASE)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")


def parse_input(text: str) -> tuple[object, str]:
    """A string written to a cell, as Excel takes it: (value, openpyxl data type)."""
    if text.startswith("'"):
        return text[1:], "s"
    if text.startswith("=") and len(text) > 1:
        return text, "f"
    stripped = text.strip()
    if stripped.upper() in ("TRUE", "FALSE"):
        return stripped.upper() == "TRUE", "b"
    if stripped and _NUMBER.match(stripped) and any(ch.isdigit() for ch in stripped):
        percent = stripped.endswith("%")
        number = float(stripped.rstrip("%").replace(",", ""))
        return (number / 100 if percent else number), "n"
    if match := _ISO_DATE.match(stripped):
        year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3) or 1)
        try:
            return datetime(year, month, day), "d"
        except ValueError:
            pass
    return text, "s"


_CURRENCY = re.compile(r'"[^"]*"|\\.|(\[\$[^\]]*\]|[$€£¥])')


def is_currency_format(number_format: str) -> bool:
    """A format Excel reports as Currency through COM: one with a currency symbol."""
    return any(match.group(1) for match in _CURRENCY.finditer(number_format))


def com_value(
    cell: Cell | MergedCell | None,
    formula_value: Callable[[Cell], object],
    *,
    currency: bool = True,
) -> object:
    """A cell's value as COM's Range.Value gives it (Value2 with `currency` False:
    no Currency; its dates are converted by `value2`)."""
    if cell is None or isinstance(cell, MergedCell):
        return None
    value = cell.value
    if cell.data_type == "f":
        value = formula_value(cell)
        if isinstance(value, str) and value in CELL_ERRORS:
            return CELL_ERRORS[value]
    if cell.data_type == "e" and isinstance(value, str):
        return CELL_ERRORS.get(value, CELL_ERRORS["#VALUE!"])
    if value is None or isinstance(value, bool | str | datetime):
        return value
    if isinstance(value, int | float | Decimal):
        if currency and is_currency_format(
            cell.number_format
        ):  # VT_CY: 4 decimals, as pywin32 gives it
            return Decimal(repr(float(value))).quantize(Decimal("0.0001"))
        return float(value)
    if isinstance(value, date):
        return datetime.combine(value, time())
    if isinstance(value, time):
        return datetime.combine(date(1899, 12, 30), value)
    return str(value)


def value2(value: object) -> object:
    """What Range.Value2 gives for a Range.Value: no Currency, no Date."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return (value - datetime(1899, 12, 30)).total_seconds() / 86400
    return value


def com_formula(cell: Cell | MergedCell | None) -> str:
    """A cell as COM's Range.Formula gives it: the formula, or its constant as text."""
    if cell is None or isinstance(cell, MergedCell) or cell.value is None:
        return ""
    value = cell.value
    if cell.data_type == "f":
        return str(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float | Decimal):
        text = repr(float(value))
        return text[:-2] if text.endswith(".0") else text
    if isinstance(value, datetime | date):
        return f"{value.month}/{value.day}/{value.year}"
    return str(value)


# --- the engine -----------------------------------------------------------------------


class FakeEngine:
    def __init__(self) -> None:
        self.apps = FakeApps(self)

    @property
    def name(self) -> str:
        return ENGINE_NAME

    @property
    def type(self) -> str:
        return "desktop"

    @staticmethod
    def clean_value_data(
        data: Sequence[Sequence[object]],
        datetime_builder: Any,
        empty_as: object,
        number_builder: Any,
        err_to_str: bool,
    ) -> list[list[object]]:
        def clean(value: object) -> object:
            if value in ("", None):
                return empty_as
            if isinstance(value, int) and not isinstance(value, bool) and value in ERROR_TEXTS:
                return ERROR_TEXTS[value] if err_to_str else None
            if isinstance(value, datetime) and datetime_builder is not datetime:
                return datetime_builder(
                    year=value.year,
                    month=value.month,
                    day=value.day,
                    hour=value.hour,
                    minute=value.minute,
                    second=value.second,
                )
            if number_builder is not None and isinstance(value, float):
                return number_builder(value)
            return value

        return [[clean(value) for value in row] for row in data]

    @staticmethod
    def prepare_xl_data_element(value: object, options: object) -> object:
        return "" if value is None else value


class FakeApps(base_classes.Apps):
    def __init__(self, engine: FakeEngine) -> None:
        self.engine = engine
        self.apps: list[FakeApp] = []

    def keys(self) -> list[int]:
        return [app.pid for app in self.apps]

    def add(
        self, spec: Any = None, add_book: Any = None, xl: Any = None, visible: Any = None
    ) -> FakeApp:
        app = FakeApp(self.engine, pid=len(self.apps) + 1)
        self.apps.insert(0, app)
        return app

    def __iter__(self) -> Iterator[FakeApp]:
        return iter(self.apps)

    def __len__(self) -> int:
        return len(self.apps)

    def __getitem__(self, index: int) -> FakeApp:
        return self.apps[index]


@dataclass
class Alert:
    prompt: str
    title: str | None
    buttons: str
    mode: str | None
    answer: str


class FakeApp:
    def __init__(self, engine: FakeEngine, pid: int) -> None:
        self._engine = engine
        self._pid = pid
        self._books = FakeBooks(self)
        self.screen_updating = True
        self.display_alerts = True
        self.enable_events = True
        self.interactive = True
        self.calculation = "automatic"
        self._status_bar: str | bool = False
        self.status_history: list[str | bool] = []
        self.alerts: list[Alert] = []
        self.answers: list[str] = []  # next answers of `alert`, else "ok"
        self.ops: list[Op] = []
        self.fail_on: Callable[[Op], bool] | None = None
        self.reject: int | None = 0  # the next calls Excel rejects (busy); None: all of them
        self.tries = 0  # tries of rejected calls, as xlwings makes them
        self.visible = True
        self.cut_copy_mode = None

    # what the tests look at
    def record(self, sheet: Worksheet | Chartsheet, kind: str, address: str = "") -> None:
        self._busy_retries()
        op = Op(id(sheet), kind, address)
        if self.fail_on is not None and self.fail_on(op):
            raise FakeExcelError(f"planted failure: {kind} {address} on {sheet.title}")
        self.ops.append(op)

    def _busy_retries(self) -> None:
        """xlwings's COMRetryObjectWrapper: try again while Excel rejects the call."""
        attempt = 1
        while self.reject is None or self.reject > 0:
            if self.reject is not None:
                self.reject -= 1
            self.tries += 1
            if N_COM_ATTEMPTS and attempt >= N_COM_ATTEMPTS:
                raise FakeComError(RPC_E_CALL_REJECTED, "Call was rejected by callee.")
            attempt += 1
            if attempt > HANG:
                raise FakeExcelError(f"xlwings would retry this call for ever ({HANG:,} tries)")

    def ops_on(self, sheet: Worksheet) -> list[Op]:
        return [op for op in self.ops if op.sheet == id(sheet)]

    def op_counts(self, sheet: Worksheet) -> Counter[str]:
        return Counter(op.kind for op in self.ops_on(sheet))

    # the App interface
    @property
    def engine(self) -> FakeEngine:
        return self._engine

    @property
    def pid(self) -> int:
        return self._pid

    @property
    def books(self) -> FakeBooks:
        return self._books

    @property
    def api(self) -> object:
        return self

    @property
    def version(self) -> str:
        return "16.0"

    @property
    def hwnd(self) -> int:
        return self._pid

    @property
    def status_bar(self) -> str | bool:
        return self._status_bar

    @status_bar.setter
    def status_bar(self, value: str | bool) -> None:
        self._status_bar = value
        self.status_history.append(value)

    def activate(self, steal_focus: bool = False) -> None:
        return None

    def calculate(self) -> None:
        return None

    def alert(
        self, prompt: str, title: str | None, buttons: str, mode: str | None, callback: object
    ) -> str:
        answer = self.answers.pop(0) if self.answers else "ok"
        self.alerts.append(Alert(prompt, title, buttons, mode, answer))
        return answer


class FakeBooks(base_classes.Books):
    def __init__(self, app: FakeApp) -> None:
        self.app = app
        self.books: list[FakeBook] = []

    @property
    def api(self) -> object:
        return self

    @property
    def active(self) -> FakeBook | None:
        return self.books[-1] if self.books else None

    def __call__(self, name_or_index: int | str) -> FakeBook:
        if isinstance(name_or_index, int):
            return self.books[name_or_index - 1]
        for book in self.books:
            if book.name.lower() == name_or_index.lower():
                return book
        raise KeyError(name_or_index)

    def __len__(self) -> int:
        return len(self.books)

    def __iter__(self) -> Iterator[FakeBook]:
        return iter(list(self.books))

    def add(self) -> FakeBook:
        book = FakeBook(self.app, Workbook(), f"Book{len(self.books) + 1}")
        self.books.append(book)
        return book

    def open(self, fullname: str, *args: object, **kwargs: object) -> FakeBook:
        cached = load_workbook(fullname, data_only=True)
        book = FakeBook(self.app, load_workbook(fullname), fullname, cached)
        self.books.append(book)
        return book


class _BookApi:
    """`Book.api`: the COM Workbook's FullName (a path, or an https:// address)."""

    def __init__(self, book: FakeBook) -> None:
        self._book = book

    @property
    def FullName(self) -> str:  # COM's spelling
        return self._book.address or self._book.path

    @property
    def Name(self) -> str:  # COM's spelling
        return self._book.name


class FakeBook(base_classes.Book):
    def __init__(
        self, app: FakeApp, workbook: Workbook, fullname: str, cached: Workbook | None = None
    ) -> None:
        self._app = app
        self.wb = workbook
        self.path = fullname
        self.address: str | None = None  # what Excel reports when opened from the web
        self.cached = cached  # the values the file holds for its formulas

    @property
    def api(self) -> _BookApi:
        return _BookApi(self)

    @property
    def name(self) -> str:
        return Path(self.path).name

    @property
    def fullname(self) -> str:
        """As `_xlwindows.Book.fullname`: an address is mapped by xlwings to a local
        path, its name-search fallback included (a fresh process: no cache)."""
        full_name = self.api.FullName
        if "://" not in full_name:
            return full_name
        mapped: str = utils.fullname_url_to_local_path.__wrapped__(url=full_name)
        return mapped

    @property
    def app(self) -> FakeApp:
        return self._app

    @property
    def sheets(self) -> FakeSheets:
        return FakeSheets(self)

    @property
    def names(self) -> FakeNames:
        return FakeNames(self, None)

    def sheet(self, worksheet: Worksheet) -> FakeSheet:
        return FakeSheet(self, worksheet)

    def formula_value(self, ws: Worksheet, cell: Cell, depth: int = 0) -> object:
        """The result of a formula cell, as Excel calculates it (see fake_formulas)."""

        def lookup(sheet: str | None, row: int, column: int) -> object:
            target = ws if sheet is None else self.wb[sheet]
            found = target._cells.get((row, column))
            if not isinstance(found, Cell) or found.value is None:
                return None
            if found.data_type == "f":
                if depth > 50:
                    raise UnsupportedFormulaError("circular reference")
                return self.formula_value(target, found, depth + 1)
            value = found.value
            return float(value) if isinstance(value, int | Decimal) and value is not True else value

        try:
            return calculate(str(cell.value), lookup)
        except (UnsupportedFormulaError, KeyError):
            if self.cached is None or ws.title not in self.cached.sheetnames:
                return None
            cached_sheet: Any = self.cached[ws.title]
            return cached_sheet.cell(row=cell.row, column=cell.column).value

    def close(self) -> None:
        self._app.books.books.remove(self)

    def save(self, path: str | None = None, password: str | None = None) -> None:
        self.wb.save(path or self.path)

    def activate(self) -> None:
        return None


class FakeSheets(base_classes.Sheets):
    def __init__(self, book: FakeBook) -> None:
        self.book = book

    @property
    def api(self) -> object:
        return self

    @property
    def active(self) -> FakeSheet:
        active = self.book.wb.active
        if not isinstance(active, Worksheet):
            raise FakeExcelError("the active sheet is a chart sheet")
        return self.book.sheet(active)

    def _worksheets(self) -> list[Worksheet]:
        return [ws for ws in self.book.wb.worksheets if isinstance(ws, Worksheet)]

    def __call__(self, name_or_index: int | str) -> FakeSheet:
        sheets = self._worksheets()
        if isinstance(name_or_index, int):
            return self.book.sheet(sheets[name_or_index - 1])
        for ws in sheets:
            if ws.title.lower() == name_or_index.lower():
                return self.book.sheet(ws)
        raise KeyError(name_or_index)

    def __len__(self) -> int:
        return len(self._worksheets())

    def __iter__(self) -> Iterator[FakeSheet]:
        for ws in self._worksheets():
            yield self.book.sheet(ws)

    def add(
        self,
        before: FakeSheet | None = None,
        after: FakeSheet | None = None,
        name: str | None = None,
    ) -> FakeSheet:
        wb = self.book.wb
        if before is None and after is None:  # Excel: before the active sheet
            index = _index(wb, wb.active) if wb.active is not None else len(wb._sheets)
        else:
            index = _position(wb, before, after)
        title = name or _free_name(wb, "Sheet")
        self.book.app.record(wb.active or wb._sheets[0], "add sheet", title)
        ws = wb.create_sheet(title=title, index=index)
        wb.active = ws  # the new sheet becomes the active sheet
        return self.book.sheet(ws)


def _index(wb: Workbook, ws: Any) -> int:
    """The place among all sheets, chart sheets included (as COM's Sheet.Index - 1)."""
    sheets: list[Any] = list(wb._sheets)
    return sheets.index(ws)


def _position(wb: Workbook, before: FakeSheet | None, after: FakeSheet | None) -> int:
    if before is not None:
        return _index(wb, before.ws)
    if after is not None:
        return _index(wb, after.ws) + 1
    return len(wb._sheets)


def _free_name(wb: Workbook, base: str) -> str:
    taken = {ws.title.lower() for ws in wb._sheets}
    if base.lower() not in taken:
        return base
    number = 2
    while True:
        trial = f"{base[: 31 - len(f' ({number})')]} ({number})"
        if trial.lower() not in taken:
            return trial
        number += 1


_BAD_NAME = re.compile(r"[\[\]:*?/\\]")


class _SheetApi:
    """`Sheet.api`: COM's Worksheet.Index and Name."""

    def __init__(self, sheet: FakeSheet) -> None:
        self._sheet = sheet

    @property
    def Index(self) -> int:  # COM's spelling
        return self._sheet.index

    @property
    def Name(self) -> str:  # COM's spelling
        return self._sheet.name


class FakeSheet(base_classes.Sheet):
    def __init__(self, book: FakeBook, ws: Worksheet) -> None:
        self._book = book
        self.ws = ws

    def record(self, kind: str, address: str = "") -> None:
        self._book.app.record(self.ws, kind, address)

    @property
    def api(self) -> _SheetApi:
        return _SheetApi(self)

    @property
    def name(self) -> str:
        return self.ws.title

    @name.setter
    def name(self, value: str) -> None:
        taken = {ws.title.lower() for ws in self._book.wb._sheets if ws is not self.ws}
        if value.lower() in taken or len(value) > 31 or _BAD_NAME.search(value):
            raise FakeExcelError(f"cannot name a sheet {value!r}")
        self.record("rename", value)
        self.ws.title = value

    @property
    def names(self) -> FakeNames:
        return FakeNames(self._book, self.ws)

    @property
    def book(self) -> FakeBook:
        return self._book

    @property
    def index(self) -> int:
        return _index(self._book.wb, self.ws) + 1

    def range(self, arg1: object, arg2: object = None) -> FakeRange:
        boxes = _boxes(arg1)
        if arg2 is not None:
            other = _boxes(arg2)
            boxes = [
                (
                    min(boxes[0][0], other[0][0]),
                    min(boxes[0][1], other[0][1]),
                    max(boxes[0][2], other[-1][2]),
                    max(boxes[0][3], other[-1][3]),
                )
            ]
        return FakeRange(self, boxes)

    @property
    def cells(self) -> FakeRange:
        return FakeRange(self, [(1, 1, MAX_ROW, MAX_COLUMN)])

    @property
    def used_range(self) -> FakeRange:
        self.record("used range")
        ws = self.ws
        if not ws._cells:
            return FakeRange(self, [(1, 1, 1, 1)])
        return FakeRange(self, [(ws.min_row, ws.min_column, ws.max_row, ws.max_column)])

    def activate(self) -> None:
        self._book.wb.active = self.ws

    def select(self) -> None:
        self.activate()

    @property
    def visible(self) -> bool:
        return self.ws.sheet_state == "visible"

    @visible.setter
    def visible(self, value: bool) -> None:
        self.record("visible", str(value))
        self.ws.sheet_state = "visible" if value else "hidden"

    def delete(self) -> None:
        wb = self._book.wb
        visible = [ws for ws in wb._sheets if ws.sheet_state == "visible"]
        if visible == [self.ws]:
            raise FakeExcelError("a workbook must keep at least one visible sheet")
        self.record("delete sheet", self.ws.title)
        wb.remove(self.ws)

    def copy(self, before: FakeSheet | None, after: FakeSheet | None) -> None:
        target = (before or after or self).book
        index = _position(target.wb, before, after) if (before or after) else None
        self._book.app.record(self.ws, "copy sheet", self.ws.title)
        new = copy_worksheet(self.ws, target.wb, index)
        self._book.app.record(new, "copy sheet", self.ws.title)
        if new.sheet_state == "visible":  # the copy becomes the active sheet
            target.wb.active = new

    @property
    def page_setup(self) -> FakePageSetup:
        return FakePageSetup(self)

    def autofit(self, axis: str | None = None) -> None:
        self.record("autofit sheet", str(axis))


def _boxes(arg: object) -> list[Box]:
    if isinstance(arg, FakeRange):
        return list(arg.boxes)
    if isinstance(arg, tuple):
        if len(arg) == 4:
            row, column, rows, columns = arg
            return [(row, column, row + rows - 1, column + columns - 1)]
        row, column = arg
        if row < 1 or column < 1:
            raise IndexError("Excel ranges are 1-based")
        return [(row, column, row, column)]
    if isinstance(arg, str):
        return [parse_area(part) for part in arg.split(",")]
    raise TypeError(f"not a range: {arg!r}")


class FakePageSetup:
    def __init__(self, sheet: FakeSheet) -> None:
        self.sheet = sheet

    @property
    def api(self) -> object:
        return self.sheet.ws.page_setup

    @property
    def print_area(self) -> str | None:
        self.sheet.record("print area", "get")
        ws: Any = self.sheet.ws
        area = ws.print_area if ws._print_area is not None else None
        if not area:
            return None
        return ",".join(part.rsplit("!", 1)[-1] for part in area.split(","))

    @print_area.setter
    def print_area(self, value: str | None) -> None:
        self.sheet.record("print area", str(value))
        ws: Any = self.sheet.ws
        if value is None:
            ws._print_area = None
        else:
            ws.print_area = [part.strip() for part in value.split(",")]


class _FontImpl:
    def __init__(self, rng: FakeRange) -> None:
        self.rng = rng

    @property
    def bold(self) -> bool | None:
        values = {bool(cell.font.b) for cell in self.rng.existing_cells()}
        return values.pop() if len(values) == 1 else None

    @bold.setter
    def bold(self, value: bool) -> None:
        self.rng.record("font bold")
        for row, column in self.rng.cells():
            cell: Any = self.rng.ws.cell(row=row, column=column)
            font = copy(cell.font)
            font.b = value
            cell.font = font


class _RangeApi:
    """What `Range.api` gives: truthy (xlwings checks it before writing), and COM's
    Value2 (doubles for Currency cells and dates)."""

    def __init__(self, rng: FakeRange) -> None:
        self.rng = rng

    @property
    def Value2(self) -> object:  # COM's spelling
        raw = self.rng.read(currency=False)
        if isinstance(raw, tuple):
            return tuple(tuple(value2(value) for value in row) for row in raw)
        return value2(raw)


class FakeRange(base_classes.Range):
    def __init__(self, sheet: FakeSheet, boxes: Sequence[Box]) -> None:
        self.sheet = sheet
        self.boxes = list(boxes)
        self.options: dict[str, Any] = {}

    # bookkeeping (not range operations)
    @property
    def ws(self) -> Worksheet:
        return self.sheet.ws

    @property
    def box(self) -> Box:
        return self.boxes[0]

    def record(self, kind: str) -> None:
        self.sheet.record(kind, self.address)

    def cells(self) -> Iterator[tuple[int, int]]:
        for box in self.boxes:
            yield from cells_of(box)

    def existing_cells(self) -> Iterator[Cell | MergedCell]:
        for at in self.cells():
            cell = self.ws._cells.get(at)
            yield cell if cell is not None else self.ws.cell(row=at[0], column=at[1])

    @property
    def api(self) -> _RangeApi:
        return _RangeApi(self)

    @property
    def coords(self) -> tuple[str, int, int, int, int]:
        top, left, bottom, right = self.box
        return self.sheet.name, top, left, bottom - top + 1, right - left + 1

    @property
    def row(self) -> int:
        return self.box[0]

    @property
    def column(self) -> int:
        return self.box[1]

    @property
    def shape(self) -> tuple[int, int]:
        top, left, bottom, right = self.box
        return bottom - top + 1, right - left + 1

    def __len__(self) -> int:
        rows, columns = self.shape
        return rows * columns

    def __call__(self, row: int, column: int | None = None) -> FakeRange:
        if column is None:
            _, columns = self.shape
            row, column = (row - 1) // columns + 1, (row - 1) % columns + 1
        at = self.box[0] + row - 1, self.box[1] + column - 1
        return FakeRange(self.sheet, [(*at, *at)])

    @property
    def address(self) -> str:
        return ",".join(area_address(box) for box in self.boxes)

    def get_address(self, row_absolute: bool, col_absolute: bool, external: bool) -> str:
        text = ",".join(area_address(b, row_absolute, col_absolute) for b in self.boxes)
        if external:
            return f"[{self.sheet.book.name}]{self.sheet.name}!{text}"
        return text

    @property
    def has_array(self) -> bool:
        return False

    # values
    @property
    def raw_value(self) -> object:
        return self.read()

    def read(self, *, currency: bool = True) -> object:
        """Range.Value (Range.Value2 without `currency`)."""
        self.record("read values")
        top, left, bottom, right = self.box
        book, ws = self.sheet.book, self.ws

        def formula_value(cell: Cell) -> object:
            return book.formula_value(ws, cell)

        rows = tuple(
            tuple(
                com_value(ws._cells.get((r, c)), formula_value, currency=currency)
                for c in range(left, right + 1)
            )
            for r in range(top, bottom + 1)
        )
        return rows[0][0] if len(rows) == 1 and len(rows[0]) == 1 else rows

    @raw_value.setter
    def raw_value(self, data: object) -> None:
        self.record("write values")
        top, left, bottom, right = self.box
        self._check_merges()
        if isinstance(data, list | tuple):
            rows = [list(row) if isinstance(row, list | tuple) else [row] for row in data]
        else:
            rows = [[data] * (right - left + 1) for _ in range(bottom - top + 1)]
        if len(rows) != bottom - top + 1 or any(len(row) != right - left + 1 for row in rows):
            raise FakeExcelError(f"{len(rows)} rows of values for {self.address}")
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                self._write(top + i, left + j, value)

    def _check_merges(self) -> None:
        for merged in self.ws.merged_cells.ranges:
            box = (merged.min_row, merged.min_col, merged.max_row, merged.max_col)
            for mine in self.boxes:
                if overlaps(box, mine) and not inside(box, mine):
                    raise FakeExcelError("We can't do that to a merged cell.")

    def _write(self, row: int, column: int, value: object) -> None:
        existing = self.ws._cells.get((row, column))
        if isinstance(existing, MergedCell):
            return  # part of a merged range the write covers: Excel keeps its first cell's
        if isinstance(value, Decimal):
            raise TypeError("a Decimal reached Excel: pywin32 passes it as a 4-decimal Currency")
        if value is None or value == "":
            if existing is not None:
                existing.value = None
            return
        cell: Any = self.ws.cell(row=row, column=column)
        if isinstance(value, str):
            parsed, data_type = parse_input(value)
            cell.value = parsed
            if data_type in ("s", "f"):
                cell.data_type = data_type
        elif isinstance(value, bool | int | float | datetime):
            cell.value = value
        elif isinstance(value, date):
            cell.value = datetime.combine(value, time())
        else:
            raise TypeError(f"COM cannot pass {type(value).__name__}")

    @property  # type: ignore[misc]  # COM's Formula can be written too; not needed here
    def formula(self) -> object:
        self.record("read formulas")
        top, left, bottom, right = self.box
        rows = tuple(
            tuple(com_formula(self.ws._cells.get((r, c))) for c in range(left, right + 1))
            for r in range(top, bottom + 1)
        )
        return rows[0][0] if len(rows) == 1 and len(rows[0]) == 1 else rows

    def clear_contents(self) -> None:
        self.record("clear contents")
        for at in self.cells():
            cell = self.ws._cells.get(at)
            if isinstance(cell, Cell):
                cell.value = None

    # formats
    @property
    def number_format(self) -> str | None:
        self.record("read number format")
        formats = {cell.number_format for cell in self.existing_cells()}
        return formats.pop() if len(formats) == 1 else None

    @number_format.setter
    def number_format(self, value: str) -> None:
        self.record("write number format")
        for at in self.cells():
            self.ws.cell(row=at[0], column=at[1]).number_format = value

    @property
    def font(self) -> _FontImpl:
        return _FontImpl(self)

    @property
    def column_width(self) -> float | None:
        return None

    @property
    def row_height(self) -> float | None:
        heights = {
            self.ws.row_dimensions[row].height for row in range(self.box[0], self.box[2] + 1)
        }
        return heights.pop() if len(heights) == 1 else None

    @row_height.setter
    def row_height(self, value: float) -> None:
        self.record("row height")
        for row in range(self.box[0], self.box[2] + 1):
            self.ws.row_dimensions[row].height = value

    @column_width.setter
    def column_width(self, value: float) -> None:
        self.record("column width")
        for column in range(self.box[1], self.box[3] + 1):
            self.ws.column_dimensions[get_column_letter(column)].width = value

    def autofit(self, axis: str | None = None) -> None:
        # Range.Rows of a multi-area range is its first area's rows (Excel's docs):
        # AutoFit fits the first area only.
        self.sheet.record(f"autofit {axis}", area_address(self.box))

    # merged cells
    def _merged_boxes(self) -> list[Box]:
        return [(m.min_row, m.min_col, m.max_row, m.max_col) for m in self.ws.merged_cells.ranges]

    @property
    def merge_cells(self) -> bool | None:
        self.record("merge cells")
        merged = self._merged_boxes()
        flags = {any(inside((*at, *at), box) for box in merged) for at in self.cells()}
        return flags.pop() if len(flags) == 1 else None

    @property
    def merge_area(self) -> FakeRange:
        self.record("merge area")
        at = (self.box[0], self.box[1])
        for box in self._merged_boxes():
            if inside((*at, *at), box):
                return FakeRange(self.sheet, [box])
        return FakeRange(self.sheet, [(*at, *at)])

    # rows
    def insert(self, shift: str | None = None, copy_origin: str | None = None) -> None:
        self.record("insert")
        if shift != "down" or any(b[1] != 1 or b[3] != MAX_COLUMN for b in self.boxes):
            raise NotImplementedError("the fake inserts whole rows only")
        ordered = sorted(self.boxes)
        for (_, _, bottom, _), (top, _, _, _) in pairwise(ordered):
            if top <= bottom + 1:
                raise FakeExcelError("This command cannot be used on overlapping areas")
        inserts = [RowInsert(top, bottom - top + 1) for top, _, bottom, _ in ordered]
        WorksheetSheet(self.ws).insert_rows(inserts)
        moved = 0
        for insert in inserts:  # formats from above, as xlFormatFromLeftOrAbove
            first = insert.before + moved
            above = first - 1
            for (row, column), cell in list(self.ws._cells.items()):
                if row == above and cell.has_style:
                    for new in range(first, first + insert.count):
                        target: Any = self.ws.cell(row=new, column=column)
                        target._style = copy(_style(cell))
            moved += insert.count

    def copy(self, destination: Any = None) -> None:
        self.record("copy")
        if destination is not None and not isinstance(destination, FakeRange):
            destination = destination.impl  # xlwings hands over its Range; COM takes `.api`
        if destination is None or destination.sheet.ws is not self.ws:
            raise NotImplementedError("the fake copies rows within a sheet only")
        source, target = self.box, destination.box
        if source[1] != 1 or target[1] != 1:
            raise NotImplementedError("the fake copies whole rows only")
        height = source[2] - source[0] + 1
        if (target[2] - target[0] + 1) % height:
            raise FakeExcelError("the destination is not a multiple of the copied rows")
        ws = self.ws
        for (r, _), cell in ws._cells.items():  # a copy brings every cell's format along
            if target[0] <= r <= target[2] and cell.has_style:
                styled: Any = cell
                styled._style = StyleArray()
        WorksheetSheet(ws).copy_row_formats((source[0], source[2]), (target[0], target[2]))
        rows: dict[int, list[Cell]] = defaultdict(list)
        for (r, _), cell in ws._cells.items():
            if isinstance(cell, Cell) and (source[0] <= r <= source[2] or target[0] <= r):
                rows[r].append(cell)
        for row in range(target[0], target[2] + 1):
            origin = source[0] + (row - target[0]) % height
            for cell in rows.get(row, ()):
                cell.value = None
            for cell in rows.get(origin, ()):
                if cell.value is None:
                    continue
                new = ws.cell(row=row, column=cell.column)
                if isinstance(new, MergedCell):
                    continue
                if cell.data_type == "f" and isinstance(cell.value, str):
                    new.value = Translator(cell.value, origin=cell.coordinate).translate_formula(
                        new.coordinate
                    )
                else:
                    new.value = cell.value
                    new.data_type = cell.data_type


# --- names --------------------------------------------------------------------------


class _NameApi:
    """`Name.api`: Visible hides the name, as in Excel."""

    def __init__(self, name: FakeName) -> None:
        self._name = name

    @property
    def Visible(self) -> bool:  # COM's spelling
        return not self._name.defined.hidden

    @Visible.setter
    def Visible(self, value: bool) -> None:  # COM's spelling
        if self._name.ws is not None:
            self._name.book.app.record(self._name.ws, "hide name", self._name.defined.name)
        self._name.defined.hidden = not value


class FakeName(base_classes.Name):
    def __init__(self, book: FakeBook, ws: Worksheet | None, defined: DefinedName) -> None:
        self.book = book
        self.ws = ws
        self.defined = defined

    @property
    def api(self) -> _NameApi:
        return _NameApi(self)

    @property  # type: ignore[misc]  # renaming names is not needed here
    def name(self) -> str:
        if self.ws is None:
            return str(self.defined.name)
        return f"{excel_sheet_name(self.ws.title)}!{self.defined.name}"

    @property
    def refers_to(self) -> str:
        return "=" + str(self.defined.attr_text)

    @refers_to.setter
    def refers_to(self, value: str) -> None:
        if self.ws is not None:
            self.book.app.record(self.ws, "set name", self.defined.name)
        self.defined.attr_text = value.removeprefix("=")

    def delete(self) -> None:
        scope: Any = self.ws.defined_names if self.ws is not None else self.book.wb.defined_names
        del scope[self.defined.name]


class FakeNames(base_classes.Names):
    """Workbook names (with every sheet's, as `'Sheet'!name`) or one sheet's."""

    def __init__(self, book: FakeBook, ws: Worksheet | None) -> None:
        self.book = book
        self.ws = ws

    def _all(self) -> list[FakeName]:
        found: list[FakeName] = []
        sheets = [self.ws] if self.ws is not None else list(self.book.wb.worksheets)
        if self.ws is None:
            found += [FakeName(self.book, None, d) for d in self.book.wb.defined_names.values()]
        for ws in sheets:
            assert isinstance(ws, Worksheet)
            found += [FakeName(self.book, ws, d) for d in ws.defined_names.values()]
            if ws.print_area:  # Excel lists the print area among the sheet's names
                found.append(
                    FakeName(self.book, ws, DefinedName("Print_Area", attr_text=ws.print_area))
                )
        return found

    @property
    def api(self) -> object:
        return self

    def __call__(self, name_or_index: int | str) -> FakeName:
        names = self._all()
        if isinstance(name_or_index, int):
            return names[name_or_index - 1]
        for name in names:
            if name_or_index in (name.name, name.defined.name):
                return name
        raise KeyError(name_or_index)

    def contains(self, name_or_index: int | str) -> bool:
        try:
            self(name_or_index)
        except (KeyError, IndexError):
            return False
        return True

    def __len__(self) -> int:
        return len(self._all())

    def add(self, name: str, refers_to: str) -> FakeName:
        defined = DefinedName(name, attr_text=refers_to.removeprefix("="))
        if self.ws is not None:
            self.book.app.record(self.ws, "add name", name)
            self.ws.defined_names[name] = defined
        else:
            self.book.wb.defined_names[name] = defined
        return FakeName(self.book, self.ws, defined)


# --- copying a worksheet, within or across workbooks -----------------------------------


def _style(cell: object) -> Any:
    """A cell's style indices (openpyxl keeps them private)."""
    return getattr(cell, "_style")  # noqa: B009 - private to openpyxl


def copy_worksheet(source: Worksheet, target: Workbook, index: int | None) -> Worksheet:
    """A copy of `source` in `target` at `index` (None: after the source), named as
    Excel names copies: the same name when free, else `Name (2)`."""
    same = source.parent is target
    if index is None:
        index = _index(target, source) + 1
    new: Worksheet = target.create_sheet(title=_free_name(target, source.title), index=index)
    for (row, column), cell in source._cells.items():
        if isinstance(cell, MergedCell):
            continue
        copied: Any = new.cell(row=row, column=column)
        copied.value = cell.value
        copied.data_type = cell.data_type
        if cell.has_style:
            if same:
                copied._style = copy(_style(cell))
            else:
                copied.font = copy(cell.font)
                copied.fill = copy(cell.fill)
                copied.border = copy(cell.border)
                copied.alignment = copy(cell.alignment)
                copied.protection = copy(cell.protection)
                copied.number_format = cell.number_format
    for row, row_dimension in source.row_dimensions.items():
        new.row_dimensions[row].height = row_dimension.height
        new.row_dimensions[row].hidden = row_dimension.hidden
    for letter, column_dimension in source.column_dimensions.items():
        new.column_dimensions[letter].width = column_dimension.width
        new.column_dimensions[letter].hidden = column_dimension.hidden
    for merged in source.merged_cells.ranges:
        new.merge_cells(str(merged.coord))
    new.sheet_format = copy(source.sheet_format)
    new.sheet_properties.pageSetUpPr = copy(source.sheet_properties.pageSetUpPr)
    for attribute in ("orientation", "paperSize", "scale", "fitToHeight", "fitToWidth"):
        setattr(new.page_setup, attribute, getattr(source.page_setup, attribute))
    new.page_margins = copy(source.page_margins)
    new.print_options = copy(source.print_options)
    new.HeaderFooter = copy(source.HeaderFooter)
    new.row_breaks = copy(source.row_breaks)
    new.freeze_panes = source.freeze_panes
    new.sheet_state = source.sheet_state
    if source.print_area:
        new.print_area = [part.rsplit("!", 1)[-1] for part in source.print_area.split(",")]
    if source.print_title_rows:
        new.print_title_rows = source.print_title_rows
    for formatting in source.conditional_formatting:
        for rule in formatting.rules:
            new.conditional_formatting.add(str(formatting.sqref), copy(rule))
    for validation in source.data_validations.dataValidation:
        new.add_data_validation(copy(validation))
    for name, defined in source.defined_names.items():
        new.defined_names[name] = copy(defined)
    return new


# --- installing the engine ------------------------------------------------------------


@dataclass
class FakeExcel:
    """The registered engine and its one app; `open` loads a file as a live book."""

    engine: FakeEngine
    app: FakeApp
    previous: Any = None
    books: list[xw.Book] = field(default_factory=list)

    def open(self, path: Path) -> xw.Book:
        book = xw.Book(impl=self.app.books.open(str(path)))
        self.books.append(book)
        return book

    def worksheet(self, book: xw.Book, name: str) -> Worksheet:
        ws = book.impl.wb[name]
        assert isinstance(ws, Worksheet)
        return ws


def install() -> FakeExcel:
    """Register the fake engine with xlwings and make it the active one."""
    engine = FakeEngine()
    wrapper = Engine(impl=engine)
    engines: Any = xw.engines
    previous = engines.active
    engines.add(wrapper)
    engines.active = wrapper
    app = engine.apps.add()
    return FakeExcel(engine, app, previous)


def uninstall(fake: FakeExcel) -> None:
    engines: Any = xw.engines
    engines.active = fake.previous
    engines.engines = [e for e in engines.engines if e.name != ENGINE_NAME]
    engines.engines_by_name.pop(ENGINE_NAME, None)
    if hasattr(xw.Book, "_mock_caller"):
        del xw.Book._mock_caller
