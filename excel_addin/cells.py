"""Values between the template engine and a live Excel range, and A1 addresses.

Excel (through COM or AppleScript) takes and gives numbers as IEEE doubles,
dates as datetimes and empty cells as None. Two rules keep statements exact
and safe:

- text is written with a leading apostrophe, so that Excel stores it as text
  whatever it looks like: `=cmd`, `+1`, `@x`, `2026-10` or `15%` stay text;
- an amount becomes a double only here (`excel_number`), as late as possible.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from partnerclose.template_api import MAX_TEXT, CellValue, Formula, Text, clean_text, column_letter

_INT_LIMIT = 2**31  # COM passes larger ints as 64-bit integers, which Excel refuses

Box = tuple[int, int, int, int]  # top, left, bottom, right (1-based, inclusive)


def excel_number(value: Decimal) -> float:
    """The one place an amount becomes a float.

    Excel keeps every number as a double: this is the one nearest to the
    decimal, as Excel reads decimal text. Amounts (two decimals) come back as
    the same decimal; long rates and shares differ from the exact decimal only
    beyond the 15th significant digit.
    """
    return float(value)


def to_excel(value: CellValue) -> object:
    """A plan's cell value as a live range takes it."""
    if value is None:
        return None
    if isinstance(value, Text):
        text = clean_text(value.value)[: MAX_TEXT - 1]  # the apostrophe takes one
        return "'" + text if text else None  # the apostrophe: stored as text, never parsed
    if isinstance(value, Formula):
        return value.value
    if isinstance(value, bool):
        return value
    if isinstance(value, Decimal):
        return excel_number(value)
    if isinstance(value, int):
        return value if abs(value) < _INT_LIMIT else excel_number(Decimal(value))
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, time())  # a date: Excel takes datetimes


def from_excel(value: object) -> CellValue:
    """A value as Excel returns it, for the template engine (text as `Text`)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool | int | datetime | date):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))  # the shortest decimal of the double
    return Text(str(value))


def box_address(box: Box) -> str:
    top, left, bottom, right = box
    first = f"{column_letter(left)}{top}"
    return first if (top, left) == (bottom, right) else f"{first}:{column_letter(right)}{bottom}"
