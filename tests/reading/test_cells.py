"""The one place input values become typed values: numbers."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from partnerclose.reading.cells import CellError, to_decimal


@pytest.mark.parametrize(
    ("cell", "number"),
    [
        (0.1, D("0.1")),  # the float's shortest form, not 0.1000000000000000055…
        (12345.67, D("12345.67")),
        (7, D(7)),
        ("1,234.50", D("1234.50")),
        ("15%", D("0.15")),
        (D("2.5"), D("2.5")),
        (999999999999999.9, D("999999999999999.9")),
        (-999999999999999, D(-999999999999999)),
    ],
)
def test_numbers_are_exact(cell, number):
    assert to_decimal(cell) == number
    assert str(to_decimal(cell)) == str(number)


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (1e15, "number too large: 1e+15; numbers must be below 10^15 in size"),
        (-1.5625e32, "number too large: -1.5625e+32; numbers must"),
        (10**20, "number too large: 100000000000000000000; numbers must"),
        ("1e30", 'expected a number, got "1e30"'),
        ("2,000,000,000,000,000", 'number too large: "2,000,000,000,000,000"; numbers'),
        (float("nan"), "expected a number, got nan"),
        (float("-inf"), "expected a number, got -inf"),
        (D("NaN"), "expected a number, got NaN"),
        (D("Infinity"), "expected a number, got Infinity"),
        (True, "expected a number, got True"),
        ("abc", 'expected a number, got "abc"'),
    ],
)
def test_what_is_not_a_usable_number(cell, message):
    with pytest.raises(CellError) as raised:
        to_decimal(cell)
    assert str(raised.value).startswith(message)
