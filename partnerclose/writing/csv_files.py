"""lines.csv, journal.csv and exceptions.csv (outputs.md).

Deterministic bytes: UTF-8, `\n` line ends, rows in a fixed order, amounts
with exactly `decimals` places. Text that a spreadsheet would run as a
formula (starting with =, +, -, @, tab or carriage return) is prefixed with '.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

from partnerclose.core.currency import SettlementRate
from partnerclose.core.journal import JournalRow
from partnerclose.core.lines import Component, Line
from partnerclose.core.money import fmt_money
from partnerclose.core.problems import Problem

LINE_COLUMNS = (
    "period",
    "partner_id",
    "component",
    "item",
    "description",
    "quantity",
    "rate",
    "amount",
    "status",
    "rule",
    "settlement_currency",  # rules.md X2: the line in the partner's currency
    "fx_rate",
    "settlement_amount",
)
JOURNAL_COLUMNS = (
    "period",
    "date",
    "partner_id",
    "component",
    "account",
    "debit",
    "credit",
    "memo",
)
EXCEPTION_COLUMNS = ("severity", "file", "sheet", "cell", "column", "message")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(text: str) -> str:
    """Text that no spreadsheet will run as a formula."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def plain_number(value: Decimal | None) -> str:
    """An exact decimal without exponent or trailing zeros (quantities, rates)."""
    if value is None:
        return ""
    text = f"{value.normalize():f}"
    return "0" if text in ("-0", "0") else text


def _csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _field(text: str) -> str:
    """One CSV field as `csv.writer` (minimal quoting, `\\n` rows) writes it."""
    if '"' in text:
        return '"' + text.replace('"', '""') + '"'
    if "," in text or "\n" in text or "\r" in text:
        return '"' + text + '"'
    return text


def _joined(header: Sequence[str], columns: Sequence[Iterable[str]]) -> bytes:
    """Rows of already formatted columns, each field quoted as `_csv` would: the
    bytes of `_csv`, joined without the csv module's per-character pass. A single
    column is left to `_csv` (it quotes an empty row's one field)."""
    if len(header) < 2:  # see the docstring
        return _csv(header, zip(*columns, strict=True))
    body = "\n".join(map(",".join, zip(*columns, strict=True)))
    head = ",".join(map(_field, header))
    return (f"{head}\n{body}\n" if body else f"{head}\n").encode("utf-8")


def _each(function: Callable[[Any], str], column: Sequence[Any]) -> Iterator[str]:
    """`function` of every value of `column`, called once per distinct value: the
    columns repeat their values (partners, components, rates, amounts), and a table
    of the distinct ones is looked up in C. Equal Decimals give the same text in
    every function used here (normalised or rounded before they are printed), so a
    value's text is exactly what the call would return for it."""
    texts = {value: function(value) for value in set(column)}
    return map(texts.__getitem__, column)


def lines_csv(
    lines: Iterable[Line],
    decimals: int,
    settlement: Mapping[str, SettlementRate] | None = None,
    currency: str = "USD",
) -> bytes:
    """Lines as given; callers pass them sorted (core.lines.sort_lines).

    `settlement` gives each partner's currency and closing rate (rules.md X2); a
    partner not in it settles in the program `currency` at rate 1.

    Written column by column (each column's texts by one `map`, repeated values
    formatted once), then the rows zipped together: the same bytes as formatting
    line by line, in a fraction of the time."""
    rates = settlement or {}
    own = SettlementRate(currency, Decimal(1), decimals)
    rows = list(lines)
    if not rows:
        return _joined(LINE_COLUMNS, ())
    (
        periods,
        partners,
        components,
        items,
        amounts,
        rules,
        descriptions,
        quantities,
        unit_rates,
        statuses,
    ) = zip(*rows, strict=True)
    # Deal ids, quantities and amounts are mostly distinct: formatted one by one.
    amount_texts = [fmt_money(value, decimals) for value in amounts]
    partner_rate = {pid: rates.get(pid, own) for pid in set(partners)}
    others = {pid: rate for pid, rate in partner_rate.items() if rate != own}
    settled_amounts = (
        [
            text
            if (rate := others.get(pid)) is None
            else fmt_money(rate.settle(amount), rate.decimals)
            for pid, amount, text in zip(partners, amounts, amount_texts, strict=True)
        ]
        if others
        else amount_texts
    )
    currency_of = {pid: _field(rate.currency) for pid, rate in partner_rate.items()}
    rate_of = {pid: plain_number(rate.rate) for pid, rate in partner_rate.items()}
    text = _text_field
    return _joined(
        LINE_COLUMNS,
        (
            _each(_field, periods),
            _each(text, partners),
            _each(_component_field, components),
            map(text, items),
            _each(text, descriptions),
            map(plain_number, quantities),
            _each(plain_number, unit_rates),
            amount_texts,
            _each(text, statuses),
            _each(_field, rules),
            map(currency_of.__getitem__, partners),
            map(rate_of.__getitem__, partners),
            settled_amounts,
        ),
    )


def _text_field(value: str) -> str:
    return _field(safe_text(value))


def _component_field(component: Component) -> str:
    return _field(component.value)


def journal_csv(rows: Iterable[JournalRow], decimals: int) -> bytes:
    """The journal, written column by column as `lines_csv` (the same bytes as row by row)."""
    journal = list(rows)
    return _joined(
        JOURNAL_COLUMNS,
        (
            _each(_field, [row.period for row in journal]),
            _each(_field, [row.date for row in journal]),
            _each(_text_field, [row.partner_id for row in journal]),
            _each(_component_field, [row.component for row in journal]),
            _each(_text_field, [row.account for row in journal]),
            _each(lambda value: fmt_money(value, decimals), [row.debit for row in journal]),
            _each(lambda value: fmt_money(value, decimals), [row.credit for row in journal]),
            _each(_text_field, [row.memo for row in journal]),
        ),
    )


def exceptions_csv(problems: Iterable[Problem]) -> bytes:
    return _csv(
        EXCEPTION_COLUMNS,
        (
            (
                p.severity.value,
                safe_text(p.file),
                safe_text(p.sheet),
                p.cell,
                p.column,
                safe_text(p.message),
            )
            for p in problems
        ),
    )
