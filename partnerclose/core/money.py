"""Exact money: the one place that rounds and the one place that splits.

Amounts, rates and shares are `Decimal`. Intermediate results stay exact (the
context keeps 34 significant digits) and are rounded once, where a rule says so.
"""

from __future__ import annotations

import decimal
import functools
from collections.abc import Sequence
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

ZERO = Decimal(0)
ONE = Decimal(1)

# Python's default context keeps 28 significant digits: an amount of 1e9 keeps
# 18 decimal places through a chain of products and quotients, well past the
# 12 that rules.md asks for. Rounding uses its own context so that the result
# never depends on what a caller set.
CONTEXT = decimal.Context(prec=34, rounding=ROUND_HALF_UP)


@functools.cache
def quantum(decimals: int) -> Decimal:
    """The smallest unit of a currency with `decimals` minor digits (2 -> 0.01)."""
    return Decimal(1).scaleb(-decimals)


def round_money(value: Decimal, decimals: int = 2) -> Decimal:
    """Round half up (away from zero for the magnitude) to `decimals` places."""
    # Positional arguments: quantize parses keywords slowly, and this runs
    # once per paid deal (keywords were half the cost of a call).
    return value.quantize(quantum(decimals), ROUND_HALF_UP, CONTEXT)


def floor_money(value: Decimal, decimals: int = 2) -> Decimal:
    """Take a non-negative amount down to the currency unit."""
    return value.quantize(quantum(decimals), ROUND_DOWN, CONTEXT)  # (positional: see above)


def split(amount: Decimal, weights: Sequence[Decimal], decimals: int = 2) -> list[Decimal]:
    """Split `amount` in proportion to `weights`, to the cent, summing exactly.

    Each exact share is taken down to the unit; the units left over go one by
    one to the largest remainders, ties to the earlier position (rules.md
    section 0). Callers pass weights in participant order. A negative amount is
    split as its magnitude and negated, so rounding is symmetric.
    """
    if not weights:
        return []
    if amount < 0:
        return [-part for part in split(-amount, weights, decimals)]
    total = sum(weights, ZERO)
    if total <= 0:
        raise ValueError("split needs a positive total weight")
    unit = quantum(decimals)
    exact = [amount * w / total for w in weights]
    parts = [floor_money(x, decimals) for x in exact]
    left = int((round_money(amount, decimals) - sum(parts, ZERO)) / unit)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += unit
    return parts


def fmt_money(value: Decimal, decimals: int = 2) -> str:
    """Plain text with exactly `decimals` places, '.' point, no separators."""
    rounded = round_money(value, decimals)
    return f"{rounded.copy_abs() if rounded.is_zero() else rounded:.{decimals}f}"


def to_program_currency(amount: Decimal, average: Decimal, decimals: int) -> Decimal:
    """X1: an input amount in another currency, in the program currency.

    Converted at the period's average rate (program-currency units per unit) and rounded once to the
    program currency.
    """
    return round_money(amount * average, decimals)


def to_settlement_currency(amount: Decimal, closing: Decimal, decimals: int) -> Decimal:
    """X2: a line's program-currency amount in the partner's settlement currency.

    Converted at the period's closing rate and rounded to that currency's minor units.
    """
    return round_money(CONTEXT.divide(amount, closing), decimals)
