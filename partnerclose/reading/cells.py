"""Cell values to typed values: the one place where input values are converted.

A cell arrives as what a reader returns: None, str, bool, int, float, date or
datetime (calamine for files, xlwings for a live workbook: numbers as floats,
dates as datetimes). Each converter returns the value or raises `CellError`
with a message that says what was expected and what was found.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from partnerclose.core.period import Period

TRUE_WORDS = frozenset({"y", "yes", "true", "1"})
FALSE_WORDS = frozenset({"n", "no", "false", "0"})
_NUMBER_TEXT = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?$")
_DATE_TEXT = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
# Excel keeps 15 significant digits, and money keeps 34 (core/money.py): below
# this bound a product of two inputs is still rounded exactly to the cent.
NUMBER_LIMIT = Decimal(10) ** 15


class CellError(ValueError):
    """A cell's value does not fit its column."""


class NumberTooLargeError(CellError):
    """A number at or beyond NUMBER_LIMIT in size."""


@dataclass(frozen=True, slots=True)
class ErrorValue:
    """A cell that holds an error value (its formula failed): "#DIV/0!", "#N/A", …"""

    code: str

    def __str__(self) -> str:
        return self.code


def holds_error(value: ErrorValue) -> str:
    """What a user reads about a cell that holds an error."""
    return f"the cell holds an error ({value.code}); correct its formula in Excel and save"


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def shown(value: object) -> str:
    """How a found value is quoted in a message."""
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < _FLOAT_LIMIT else format(value, ".15g")
    return str(value)


def to_decimal(value: object) -> Decimal:
    """An exact decimal from a number cell or numeric text.

    A float is taken from its shortest decimal representation (`repr`), so 0.1
    stays 0.1. Text may carry thousands separators (1,234.50) and a percent
    sign (15% = 0.15). A number must be smaller than NUMBER_LIMIT in size.
    """
    if type(value) is float and -_FLOAT_LIMIT < value < _FLOAT_LIMIT:  # the usual cell
        return Decimal(repr(value))
    number = _number(value)
    if abs(number) >= NUMBER_LIMIT:
        raise NumberTooLargeError(
            f"number too large: {shown(value)}; numbers must be below 10^15 in size"
        )
    return number


_FLOAT_LIMIT = float(NUMBER_LIMIT)  # exact: 10^15 is a float


def _number(value: object) -> Decimal:
    if isinstance(value, bool):
        raise CellError(f"expected a number, got {shown(value)}")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CellError(f"expected a number, got {shown(value)}")
        return Decimal(repr(value))
    if isinstance(value, Decimal) and value.is_finite():
        return value
    if isinstance(value, str):
        return _decimal_from_text(value)
    raise CellError(f"expected a number, got {shown(value)}")


def _decimal_from_text(text: str) -> Decimal:
    body = text.strip().replace("\u00a0", "").replace(" ", "")
    percent = body.endswith("%")
    if percent:
        body = body[:-1]
    if not body or not _NUMBER_TEXT.match(body) or body in {"+", "-", "."}:
        raise CellError(f'expected a number, got "{text}"')
    try:
        number = Decimal(body.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the pattern already rules it out
        raise CellError(f'expected a number, got "{text}"') from exc
    return number / 100 if percent else number


def to_integer(value: object) -> int:
    number = to_decimal(value)
    if number != number.to_integral_value():
        raise CellError(f"expected a whole number, got {shown(value)}")
    return int(number)


def to_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        match = _DATE_TEXT.match(value.strip())
        if match:
            try:
                return date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                pass
    raise CellError(f"expected a date (YYYY-MM-DD), got {shown(value)}")


def to_period(value: object) -> Period:
    if isinstance(value, date):
        return Period.of(value)
    if isinstance(value, str):
        try:
            return Period.parse(value)
        except ValueError:
            pass
        try:
            return Period.of(to_date(value))
        except CellError:
            pass
    raise CellError(f"expected a period (YYYY-MM), got {shown(value)}")


def to_flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise CellError(f"expected Y or N, got {shown(value)}")


def to_text(value: object) -> str:
    """Text as typed; a number typed in a text or id column reads as its digits."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return shown(value)
    return str(value)


def normalize_choice(text: str) -> str:
    return re.sub(r"[\s_]+", "-", text.strip().lower())


def to_choice(value: object, choices: tuple[str, ...]) -> str:
    text = to_text(value)
    wanted = normalize_choice(text)
    for choice in choices:
        if normalize_choice(choice) == wanted:
            return choice
    raise CellError(f"expected one of {', '.join(choices)}, got {shown(value)}")
