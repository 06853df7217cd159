"""Formula values for the fake Excel: Excel gives a formula cell's result, never None.

The fake calculates what the add-in's workbooks hold: numbers, text, TRUE and
FALSE, cell and range references (this sheet or `'Other sheet'!A1`), the
operators + - * / ^ & % and comparisons, and the functions SUM, IF, DATE,
YEAR, MONTH, DAY, TODAY and HYPERLINK (which shows its second argument).
Tokens come from openpyxl's formula tokenizer. Anything else is
`UnsupportedFormulaError`, which the fake answers with the value cached in the file
(what Excel showed when it last saved), as Excel itself would before it
recalculates.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from openpyxl.formula.tokenizer import Token, Tokenizer

from partnerclose.statements.xmlsheet import column_number

Cell = Callable[[str | None, int, int], object]  # (sheet or None, row, column) -> value


class UnsupportedFormulaError(Exception):
    """A formula the fake does not calculate."""


_BINARY: dict[str, tuple[int, Callable[[Any, Any], Any]]] = {
    "=": (1, operator.eq),
    "<>": (1, operator.ne),
    "<": (1, operator.lt),
    ">": (1, operator.gt),
    "<=": (1, operator.le),
    ">=": (1, operator.ge),
    "&": (2, lambda a, b: _text(a) + _text(b)),
    "+": (3, lambda a, b: _number(a) + _number(b)),
    "-": (3, lambda a, b: _number(a) - _number(b)),
    "*": (4, lambda a, b: _number(a) * _number(b)),
    "/": (4, lambda a, b: _number(a) / _number(b)),
    "^": (5, lambda a, b: _number(a) ** _number(b)),
}


def _number(value: object) -> float:
    if value is None or value == "":
        return 0.0
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, datetime):
        return float((value - datetime(1899, 12, 30)).days)
    raise UnsupportedFormulaError(f"not a number: {value!r}")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _Range:
    def __init__(self, values: list[object]) -> None:
        self.values = values


def _reference(text: str, cell: Cell) -> object:
    sheet: str | None = None
    if "!" in text:
        sheet, text = text.rsplit("!", 1)
        sheet = sheet.strip("'").replace("''", "'")
    text = text.replace("$", "")
    first, _, last = text.partition(":")
    top, left = _address(first)
    bottom, right = _address(last) if last else (top, left)
    values = [
        cell(sheet, row, column)
        for row in range(top, bottom + 1)
        for column in range(left, right + 1)
    ]
    return _Range(values) if last else values[0]


def _address(text: str) -> tuple[int, int]:
    letters = text.rstrip("0123456789")
    digits = text[len(letters) :]
    if not letters or not digits:
        raise UnsupportedFormulaError(f"not a cell: {text!r}")
    return int(digits), column_number(letters)


def _excel_date(year: float, month: float, day: float) -> datetime:
    months = int(year) * 12 + int(month) - 1  # DATE(2026, 0, 1) is 2025-12-01
    start = datetime(months // 12, months % 12 + 1, 1)
    return datetime.fromordinal(start.toordinal() + int(day) - 1)


def _as_date(value: object) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime.fromordinal(datetime(1899, 12, 30).toordinal() + int(_number(value)))


def _sum(*args: object) -> float:
    total = 0.0
    for arg in args:
        values = arg.values if isinstance(arg, _Range) else [arg]
        total += sum(float(v) for v in values if isinstance(v, int | float) and v is not True)
    return total


_FUNCTIONS: dict[str, Callable[..., object]] = {
    "SUM": _sum,
    "IF": lambda condition, yes=True, no=False: yes if condition else no,
    "DATE": _excel_date,
    "YEAR": lambda value: float(_as_date(value).year),
    "MONTH": lambda value: float(_as_date(value).month),
    "DAY": lambda value: float(_as_date(value).day),
    "TODAY": lambda: datetime.combine(date.today(), datetime.min.time()),
    "HYPERLINK": lambda link, shown=None: link if shown is None else shown,
}


class _Parser:
    def __init__(self, tokens: Sequence[Token], cell: Cell) -> None:
        self.tokens = [t for t in tokens if t.type != Token.WSPACE]
        self.at = 0
        self.cell = cell

    def peek(self) -> Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def expression(self, floor: int = 0) -> object:
        value = self.unary()
        while (token := self.peek()) is not None:
            if token.type == Token.OP_POST and token.value == "%":
                self.take()
                value = _number(value) / 100
                continue
            if token.type != Token.OP_IN or token.value not in _BINARY:
                break
            precedence, apply = _BINARY[token.value]
            if precedence < floor:
                break
            self.take()
            right = self.expression(precedence + 1)
            value = apply(value, right)
        return value

    def unary(self) -> object:
        token = self.take()
        if token.type == Token.OP_PRE:
            value = self.unary()
            return -_number(value) if token.value == "-" else _number(value)
        if token.type == Token.PAREN and token.subtype == Token.OPEN:
            value = self.expression()
            self.take()  # )
            return value
        if token.type == Token.FUNC and token.subtype == Token.OPEN:
            return self.call(token.value[:-1].upper())
        if token.type == Token.OPERAND:
            return self.operand(token)
        raise UnsupportedFormulaError(f"token {token.value!r}")

    def call(self, name: str) -> object:
        function = _FUNCTIONS.get(name)
        if function is None:
            raise UnsupportedFormulaError(f"function {name}")
        args: list[object] = []
        while True:
            token = self.peek()
            if token is None:
                raise UnsupportedFormulaError("unclosed function")
            if token.type == Token.FUNC and token.subtype == Token.CLOSE:
                self.take()
                return function(*args)
            if token.type == Token.SEP:
                self.take()
                continue
            args.append(self.expression())

    def operand(self, token: Token) -> object:
        if token.subtype == Token.NUMBER:
            return float(token.value)
        if token.subtype == Token.TEXT:
            return token.value[1:-1].replace('""', '"')
        if token.subtype == Token.LOGICAL:
            return token.value.upper() == "TRUE"
        if token.subtype == Token.RANGE:
            return _reference(token.value, self.cell)
        raise UnsupportedFormulaError(f"operand {token.value!r}")


def calculate(formula: str, cell: Cell) -> object:
    """The value of `formula` (`=…`); `cell` gives the value of a referenced cell."""
    parser = _Parser(Tokenizer(formula).items, cell)
    try:
        value = parser.expression()
    except (IndexError, ZeroDivisionError, ValueError, OverflowError) as exc:
        raise UnsupportedFormulaError(str(exc)) from exc
    if parser.peek() is not None:
        raise UnsupportedFormulaError(f"left over: {parser.peek()}")
    if isinstance(value, _Range):
        raise UnsupportedFormulaError("a range as a value")
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value
