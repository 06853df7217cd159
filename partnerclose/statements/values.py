"""The values a template engine writes, and the data it fills a template with.

Pure: no spreadsheet library. A backend turns these into cells:

- `Text`: literal text, ALWAYS written as text, never as a formula, even when
  it starts with `=`, `+`, `-` or `@` (every string that came from an input
  or from the statement data is wrapped in it);
- `Formula`: a formula of the template itself (never built from input text);
- `Decimal`, `int`, `bool`, `date`, `datetime`: numbers and dates, written as
  such (amounts stay exact `Decimal` up to the backend);
- `None`: an empty cell.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import MISSING, dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from operator import attrgetter
from typing import Any, ParamSpec

MAX_TEXT = 32_767  # Excel's limit for one cell
# Characters no cell can hold (XML 1.0 forbids them; lone surrogates cannot be encoded).
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]|[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Text as a cell can hold it: without illegal characters, at most MAX_TEXT long."""
    return _ILLEGAL.sub("", text)[:MAX_TEXT]


@dataclass(frozen=True, slots=True)
class Text:
    """Literal text: a backend must store it as a string, whatever it starts with."""

    value: str


@dataclass(frozen=True, slots=True)
class Formula:
    """A formula from the template (`=SUM(K20:K24)`), already adjusted to its cell."""

    value: str


# What a cell of a plan holds.
CellValue = Decimal | int | bool | date | datetime | Text | Formula | None

# What the statement data holds; a `str` here is data, so it is written as Text.
Value = Decimal | int | bool | date | datetime | str | None


class DataError(KeyError):
    """A table row named a field its table does not declare."""


@dataclass(frozen=True, slots=True)
class Table:
    """The lines of a repeating region: `item` names one row (`deal` for `deals`)."""

    item: str
    fields: tuple[str, ...]
    rows: tuple[tuple[Value, ...], ...] = ()

    @classmethod
    def of(cls, item: str, fields: Iterable[str], rows: Iterable[Mapping[str, Value]]) -> Table:
        """Rows given as mappings; a missing field is None, an unknown one an error."""
        names = tuple(fields)
        known = frozenset(names)
        built = []
        for row in rows:
            if not known.issuperset(row):
                unknown = sorted(set(row) - known)
                raise DataError(f"table of {item}: unknown field(s) {', '.join(unknown)}")
            if len(row) == len(names):  # every field given: the common, faster case
                built.append(tuple([row[name] for name in names]))
            else:
                built.append(tuple([row.get(name) for name in names]))
        return cls(item, names, tuple(built))

    @classmethod
    def of_rows(cls, item: str, row_type: type[Any], rows: Iterable[Any]) -> Table:
        """Rows as instances of `row_type`, a dataclass whose fields are the columns."""
        names = tuple(f.name for f in fields(row_type))
        values = attrgetter(*names)
        built = []
        for row in rows:
            if type(row) is not row_type:
                raise DataError(
                    f"table of {item}: a {type(row).__name__} among {row_type.__name__}s"
                )
            built.append(values(row))
        return cls(item, names, tuple(built))

    @classmethod
    def of_values(cls, item: str, row_type: type[Any], rows: Iterable[tuple[Value, ...]]) -> Table:
        """Rows made by `row_values(row_type)`: its fields' values, in order, already."""
        return cls(item, tuple(f.name for f in fields(row_type)), tuple(rows))

    def __len__(self) -> int:
        return len(self.rows)


P = ParamSpec("P")


def row_values(row_type: Callable[P, object]) -> Callable[P, tuple[Value, ...]]:
    """A function with the parameters of the row dataclass `row_type` that gives the
    row's values as a tuple in field order, what `Table.of_rows` makes of an instance,
    without the instance (a frozen dataclass's `__init__` sets its fields one by one:
    most of the time of building a statement's line and deal tables)."""
    parameters, names = [], []
    defaults: dict[str, object] = {}
    for i, spec in enumerate(fields(row_type)):  # type: ignore[arg-type]
        if spec.default_factory is not MISSING:
            raise TypeError(f"{spec.name}: a default factory")
        names.append(spec.name)
        if spec.default is MISSING:
            parameters.append(spec.name)
        else:
            defaults[f"_default{i}"] = spec.default
            parameters.append(f"{spec.name}=_default{i}")
    source = f"def values({', '.join(parameters)}):\n    return ({', '.join(names)},)\n"
    exec(source, defaults)  # names from a dataclass's fields, nothing from data
    made: Callable[P, tuple[Value, ...]] = defaults["values"]  # type: ignore[assignment]
    return made


@dataclass(frozen=True, slots=True)
class Fill:
    """Everything a template can show: scalars by dotted name, tables by name.

    Plain dicts and tuples, so that it pickles to a worker process.
    """

    scalars: Mapping[str, Value]
    tables: Mapping[str, Table]


def cell_value(value: Value) -> CellValue:
    """Data to a cell value: text is always literal text."""
    if isinstance(value, str):
        return Text(value) if value else None
    return value


def display(value: Value) -> str:
    """A value inside running text (`Statement for {{ partner.name }}`)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Decimal):
        return f"{value:,f}"
    if isinstance(value, int):
        return f"{value:,d}"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return value
