"""A sheet as a 2-D grid of cell values, read against its `SheetSpec`.

Both readers produce grids: calamine from files, xlwings from a live workbook.
From here on, reading is the same whatever the source.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

from partnerclose.core.problems import Problem, Severity, did_you_mean
from partnerclose.core.records import Loc
from partnerclose.core.schema import EXAMPLE_PREFIX, Column, Kind, SheetSpec
from partnerclose.reading import cells
from partnerclose.reading.cells import CellError

Cell = object
Row = Sequence[Cell]


@dataclass(frozen=True, slots=True)
class SheetGrid:
    name: str
    rows: Sequence[Row]
    # (row, column), 0-based, of formula cells saved without a value
    uncached: frozenset[tuple[int, int]] = frozenset()


@dataclass(frozen=True, slots=True)
class WorkbookGrids:
    """The sheets of one workbook, by their names as written."""

    file: str  # shown in problems: the file name, or the open workbook's name
    sheets: Mapping[str, SheetGrid] = field(default_factory=lambda: MappingProxyType({}))
    # Every sheet of the workbook, in order, also those not read into `sheets`;
    # empty: `sheets` holds them all (grids from an open workbook, tests).
    names: tuple[str, ...] = ()

    @property
    def sheet_names(self) -> tuple[str, ...]:
        return self.names or tuple(self.sheets)

    def find(self, name: str) -> SheetGrid | None:
        wanted = normalize_name(name)
        for sheet_name, grid in self.sheets.items():
            if normalize_name(sheet_name) == wanted:
                return grid
        return None


def normalize_name(text: object) -> str:
    """Headers and sheet names: case, surrounding spaces, spaces vs underscores."""
    return re.sub(r"[\s_]+", "_", str(text).strip().lower())


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _range_text(column: Column) -> str:
    low, high = column.minimum, column.maximum
    if low is not None and high is not None:
        return f" from {low} to {high}"
    if low is not None:
        return f" ≥ {low}"
    if high is not None:
        return f" ≤ {high}"
    return ""


def expectation(column: Column) -> str:
    """What a column expects, in a user's words."""
    match column.kind:
        case Kind.NUMBER:
            return "a number" + _range_text(column)
        case Kind.INTEGER:
            return "a whole number" + _range_text(column)
        case Kind.DATE:
            return "a date (YYYY-MM-DD)"
        case Kind.PERIOD:
            return "a period (YYYY-MM)"
        case Kind.FLAG:
            return "Y or N"
        case Kind.CHOICE:
            return "one of " + ", ".join(column.choices)
        case _:
            return "text"


_CONVERTERS: dict[Kind, Callable[[object], object]] = {
    Kind.NUMBER: cells.to_decimal,
    Kind.INTEGER: cells.to_integer,
    Kind.DATE: cells.to_date,
    Kind.PERIOD: cells.to_period,
    Kind.FLAG: cells.to_flag,
    Kind.TEXT: cells.to_text,
    Kind.ID: cells.to_text,
}


def convert(column: Column, value: object) -> object:
    """A cell's typed value; raises CellError with the message a user reads."""
    if isinstance(value, cells.ErrorValue):
        raise CellError(f"{column.name}: {cells.holds_error(value)}")
    try:
        if column.kind is Kind.CHOICE:
            return cells.to_choice(value, column.choices)
        typed = _CONVERTERS[column.kind](value)
    except cells.NumberTooLargeError as exc:
        raise CellError(
            f"{column.name} must be below 10^15 in size, got {cells.shown(value)}"
        ) from exc
    except CellError as exc:
        hint = ""
        if column.kind is Kind.CHOICE and isinstance(value, str):
            hint = did_you_mean(value, column.choices)
        raise CellError(
            f"{column.name} must be {expectation(column)}, got {cells.shown(value)}{hint}"
        ) from exc
    if isinstance(typed, Decimal | int) and not isinstance(typed, bool):
        number = Decimal(typed)
        too_low = column.minimum is not None and number < column.minimum
        too_high = column.maximum is not None and number > column.maximum
        if too_low or too_high:
            raise CellError(
                f"{column.name} must be {expectation(column)}, got {cells.shown(value)}"
            )
    return typed


UNCACHED = "formula has no saved value; open and save the workbook in Excel"

# Sheets whose amounts may be in another currency, named in a `currency` column (rev. 2).
CURRENCY_SHEETS = frozenset({"Deals", "Campaigns"})
_CURRENCY = re.compile(r"[$€£¥]|(?<![A-Za-z])[A-Z]{3}(?![A-Za-z])")
_COMMA_DECIMALS = re.compile(r"^[+-]?\d{1,3}(\.\d{3})*,\d+$")


def number_hint(value: object, sheet: str) -> str:
    """What a number cell should look like, for text that is almost a number: with a
    currency (`$1,200`, `1,200 EUR`) or with a decimal comma (`1.200,50`)."""
    if not isinstance(value, str):
        return ""
    text = value.strip()
    if _CURRENCY.search(text) and any(ch.isdigit() for ch in text):
        where = (
            "the currency goes in the currency column"
            if sheet in CURRENCY_SHEETS
            else "amounts are in the program's currency"
        )
        return f"; write the number alone, as 1200.50 or 1,200.50 ({where})"
    if _COMMA_DECIMALS.match(text.replace(" ", "")):
        return "; write decimals with a point, as 1200.50 or 1,200.50"
    return ""


_EXAMPLE = EXAMPLE_PREFIX.upper()


def match_header(
    grid: SheetGrid, spec: SheetSpec, file: str
) -> tuple[dict[str, int], Mapping[str, str], list[Problem]]:
    problems: list[Problem] = []
    known = {normalize_name(column.name): column.name for column in spec.columns}
    positions: dict[str, int] = {}
    unknown: list[str] = []
    unknown_at: dict[str, int] = {}  # lower-cased unknown header -> its index
    last_header = -1
    for index, header in enumerate(grid.rows[0]):
        if cells.is_blank(header):
            continue
        last_header = index
        name = known.get(normalize_name(header))
        if name is None:
            unknown.append(cells.to_text(header))
            unknown_at.setdefault(unknown[-1].lower(), index)
        elif name in positions:
            problems.append(
                Problem(
                    Severity.ERROR,
                    f"column {name} appears twice",
                    file,
                    grid.name,
                    f"{column_letter(index)}1",
                    name,
                )
            )
        else:
            positions[name] = index
    for column in spec.columns:
        if column.required and column.name not in positions:
            hint = did_you_mean(column.name, unknown)
            # At the header it was likely meant to be, else where it would go.
            near = unknown_at.get(hint.split('"')[1].lower(), -1) if hint else -1
            at = near if near >= 0 else last_header + 1
            problems.append(
                Problem(
                    Severity.ERROR,
                    f"missing required column {column.name}" + hint,
                    file,
                    grid.name,
                    f"{column_letter(at)}1",
                    column.name,
                )
            )
    if unknown:
        problems.append(
            Problem(
                Severity.WARNING,
                "unknown columns ignored: " + ", ".join(unknown),
                file,
                grid.name,
                f"{column_letter(min(unknown_at.values()))}1",
            )
        )
    columns = MappingProxyType({name: column_letter(i) for name, i in positions.items()})
    return positions, columns, problems


@dataclass(slots=True)
class _Keys:
    """What the rows of a key | value sheet hold (rows 0-based)."""

    values: dict[str, object] = field(default_factory=dict)
    rows_of: dict[str, int] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    first_unknown: int = 0
    last_key: int = 0


def _read_keys(grid: SheetGrid, spec: SheetSpec, file: str, problems: list[Problem]) -> _Keys:
    """Each key row's typed value; problems of a row (a key twice, a bad value) go to
    `problems`."""
    known = {normalize_name(column.name): column for column in spec.columns}
    keys = _Keys()
    for r in range(1, len(grid.rows)):
        row = grid.rows[r]
        key_cell = row[0] if row else None
        if cells.is_blank(key_cell):
            continue
        keys.last_key = r
        column = known.get(normalize_name(key_cell))
        if column is None:
            keys.unknown.append(cells.to_text(key_cell))
            keys.first_unknown = keys.first_unknown or r
            continue
        cell = f"B{r + 1}"
        if column.name in keys.rows_of:
            problems.append(
                Problem(
                    Severity.ERROR,
                    f"key {column.name} appears twice",
                    file,
                    grid.name,
                    cell,
                    column.name,
                )
            )
            continue
        keys.rows_of[column.name] = r
        raw = row[1] if len(row) > 1 else None
        if (r, 1) in grid.uncached:
            problems.append(Problem(Severity.ERROR, UNCACHED, file, grid.name, cell, column.name))
        elif cells.is_blank(raw):
            if column.default is not None:
                keys.values[column.name] = column.default
        else:
            value, problem = _key_value(column, raw, spec.name, (file, grid.name, cell))
            if problem is not None:
                problems.append(problem)
            else:
                keys.values[column.name] = value
    return keys


def _key_value(
    column: Column, raw: object, sheet_spec: str, where: tuple[str, str, str]
) -> tuple[object, Problem | None]:
    """One key's value cell, converted; or the problem with it."""
    file, sheet, cell = where
    if column.kind is Kind.ID and cells.to_text(raw).upper().startswith(_EXAMPLE):
        message = f"{column.name} {cells.to_text(raw)} is the template's example; enter your own"
        return None, Problem(Severity.ERROR, message, file, sheet, cell, column.name)
    try:
        return convert(column, raw), None
    except CellError as exc:
        hint = number_hint(raw, sheet_spec) if column.kind is Kind.NUMBER else ""
        return None, Problem(Severity.ERROR, f"{exc}{hint}", file, sheet, cell, column.name)


def _missing_keys(
    spec: SheetSpec, keys: _Keys, file: str, sheet: str, found: list[Problem]
) -> list[Problem]:
    """Required keys absent or blank; defaults filled into `keys.values` for the others."""
    problems: list[Problem] = []
    for column in spec.columns:
        if column.name not in keys.values and column.name not in keys.rows_of:
            if column.required:
                problems.append(  # shown where the key would go: below the last one
                    Problem(
                        Severity.ERROR,
                        f"missing required key {column.name}"
                        + did_you_mean(column.name, keys.unknown),
                        file,
                        sheet,
                        f"A{keys.last_key + 2}",
                        column.name,
                    )
                )
            elif column.default is not None:
                keys.values[column.name] = column.default
        elif (
            column.required
            and column.name not in keys.values
            and not any(p.column == column.name for p in (*found, *problems))
        ):
            problems.append(
                Problem(
                    Severity.ERROR,
                    f"{column.name} is required",
                    file,
                    sheet,
                    f"B{keys.rows_of[column.name] + 1}",
                    column.name,
                )
            )
    return problems


def read_key_values(
    grid: SheetGrid | None, spec: SheetSpec, file: str
) -> tuple[dict[str, object], Loc, list[Problem]]:
    """A `key | value` sheet: typed values by key, and the sheet's Loc.

    The Loc's columns map each key to its value cell, so `loc.cell(key)` is
    e.g. "B4" — every key has its own row.
    """
    problems: list[Problem] = []
    if grid is None:
        if spec.required:
            problems.append(Problem(Severity.ERROR, f"missing required sheet {spec.name}", file))
        return {}, Loc(file, spec.name), problems
    header = [normalize_name(v) for v in (grid.rows[0] if grid.rows else [])][:2]
    if header != ["key", "value"]:
        problems.append(
            Problem(
                Severity.ERROR,
                "the first row must be the headers key | value",
                file,
                grid.name,
                "A1",
            )
        )
        return {}, Loc(file, grid.name), problems
    keys = _read_keys(grid, spec, file, problems)
    values, rows_of = keys.values, keys.rows_of
    problems += _missing_keys(spec, keys, file, grid.name, problems)
    if keys.unknown:
        problems.append(
            Problem(
                Severity.WARNING,
                "unknown keys ignored: " + ", ".join(keys.unknown),
                file,
                grid.name,
                f"A{keys.first_unknown + 1}",
            )
        )
    # One Loc for the sheet whose "columns" are the keys: row 0 disables the row
    # number, so cells are built from the key's own row instead.
    columns = MappingProxyType({k: f"B{r + 1}" for k, r in rows_of.items()})
    return values, Loc(file, grid.name, 0, columns), problems
