"""ISO 4217 currency data from Babel, and the currency facts the reader settles.

Babel keeps the CLDR's currency data (codes, minor units, symbols), updated
with each release: no hand-written table of currencies here (rules.md X).
"""

from __future__ import annotations

import dataclasses
import functools

from babel.numbers import get_currency_precision, get_currency_symbol, list_currencies

from partnerclose.core.currency import CurrencyCodes
from partnerclose.core.problems import Problem
from partnerclose.core.records import FxRate, Loc

# Symbols people type for a code (`€`, `£`, `¥`), from English and a few home locales.
_SYMBOL_LOCALES = ("en", "en_GB", "ja_JP", "de_DE")


@functools.cache
def currency_codes() -> CurrencyCodes:
    """Every ISO 4217 code Babel knows, with its minor units and symbols."""
    codes = sorted(list_currencies())
    units = {code: get_currency_precision(code) for code in codes}
    symbols: dict[str, str] = {}
    for locale in _SYMBOL_LOCALES:
        for code in codes:
            symbol = get_currency_symbol(code, locale)
            if symbol != code:
                symbols.setdefault(symbol, code)
    return CurrencyCodes(units, symbols)


def with_minor_units(rows: tuple[FxRate, ...]) -> tuple[FxRate, ...]:
    """FxRates rows with their currency's minor units (unknown codes are checked later)."""
    units = currency_codes().minor_units
    return tuple(
        dataclasses.replace(row, decimals=units[row.currency]) if row.currency in units else row
        for row in rows
    )


def program_decimals(
    currency: str, given: int | None, loc: Loc
) -> tuple[int | None, list[Problem]]:
    """The program currency's minor units: ISO 4217's; `decimals`, when given, must agree.

    None: keep what was given (an unknown code is reported with the other checks)."""
    iso = currency_codes().minor_units.get(currency)
    if iso is None:
        return None, []
    if given is not None and given != iso:
        return None, [
            loc.error(
                f"decimals must be {iso}, the minor units of {currency} in ISO 4217, "
                f"got {given}; remove the key or set it to {iso}",
                "decimals",
            )
        ]
    return iso, []
