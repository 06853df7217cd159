"""Calendar months as periods (`YYYY-MM`)."""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import NamedTuple

_PERIOD = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


class Period(NamedTuple):
    """A close period, a calendar month (`2026-10`)."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse `YYYY-MM`; raise ValueError with a readable message otherwise."""
        match = _PERIOD.match(text)
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise ValueError(f'period must be YYYY-MM, got "{text}"')
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> Period:
        """The period a day falls in."""
        return cls(day.year, day.month)

    def __str__(self) -> str:
        """The period as `YYYY-MM`."""
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        """The period's first day."""
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        """The period's last day."""
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def contains(self, day: date) -> bool:
        """Whether the day falls in the period."""
        # Called once per deal and usage row: compared field by field, no tuples.
        return day.month == self.month and day.year == self.year

    def ordinal(self) -> int:
        """Months since year 0, so that differences count months."""
        return self.year * 12 + self.month - 1

    def shift(self, months: int) -> Period:
        """The period `months` later (earlier when negative)."""
        i = self.ordinal() + months
        return Period(i // 12, i % 12 + 1)

    def months_since(self, other: Period) -> int:
        """How many months this period comes after `other`."""
        return self.ordinal() - other.ordinal()

    def fiscal_year_start(self, start_month: int) -> Period:
        """First period of the fiscal year containing this one."""
        year = self.year if self.month >= start_month else self.year - 1
        return Period(year, start_month)
