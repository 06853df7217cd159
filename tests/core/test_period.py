"""Calendar months as periods."""

from __future__ import annotations

from datetime import date

import pytest

from partnerclose.core.period import Period


@pytest.mark.parametrize(
    ("text", "period"),
    [("2026-10", Period(2026, 10)), (" 2026-3 ", Period(2026, 3)), ("2026-12", Period(2026, 12))],
)
def test_parse(text: str, period: Period) -> None:
    assert Period.parse(text) == period


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "26-10", "2026/10", "", "October"])
def test_parse_refuses_with_the_text_in_the_message(text: str) -> None:
    with pytest.raises(ValueError, match=f'period must be YYYY-MM, got "{text}"'):
        Period.parse(text)


def test_days_and_text() -> None:
    february = Period(2028, 2)  # a leap year
    assert str(february) == "2028-02"
    assert february.first_day == date(2028, 2, 1)
    assert february.last_day == date(2028, 2, 29)
    assert february.contains(date(2028, 2, 29))
    assert not february.contains(date(2027, 2, 28))
    assert Period.of(date(2026, 10, 31)) == Period(2026, 10)


@pytest.mark.parametrize(
    ("period", "months", "shifted"),
    [
        (Period(2026, 11), 2, Period(2027, 1)),
        (Period(2026, 1), -1, Period(2025, 12)),
        (Period(2026, 6), -18, Period(2024, 12)),
        (Period(2026, 6), 0, Period(2026, 6)),
    ],
)
def test_shift_and_months_since(period: Period, months: int, shifted: Period) -> None:
    assert period.shift(months) == shifted
    assert shifted.months_since(period) == months


@pytest.mark.parametrize(
    ("period", "start_month", "start"),
    [
        (Period(2026, 10), 1, Period(2026, 1)),
        (Period(2026, 10), 4, Period(2026, 4)),
        (Period(2026, 3), 4, Period(2025, 4)),
        (Period(2026, 4), 4, Period(2026, 4)),
    ],
)
def test_fiscal_year_start(period: Period, start_month: int, start: Period) -> None:
    assert period.fiscal_year_start(start_month) == start
