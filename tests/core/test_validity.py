"""E1: rows valid from / to a period, and the problems of their validity columns."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from partnerclose.core.period import Period
from partnerclose.core.records import Loc
from partnerclose.core.validity import (
    order_problems,
    overlap_of,
    overlap_problems,
    range_text,
    valid_in,
)

_LETTERS = {"plan": "A", "rate": "B", "valid_from": "C", "valid_to": "D"}


@dataclass(frozen=True)
class _Rate:
    plan: str
    valid_from: Period | None
    valid_to: Period | None
    row: int = 2
    loc: Loc = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "loc", Loc("program.xlsx", "Plans", self.row, _LETTERS))


def _p(text: str | None) -> Period | None:
    return None if text is None else Period.parse(text)


@pytest.mark.parametrize(
    ("start", "end", "period", "valid"),
    [
        (None, None, "2026-10", True),
        ("2026-10", None, "2026-09", False),
        ("2026-10", None, "2026-10", True),
        (None, "2026-09", "2026-09", True),
        (None, "2026-09", "2026-10", False),
        ("2026-01", "2026-03", "2026-02", True),
    ],
)
def test_valid_in_counts_both_ends(
    start: str | None, end: str | None, period: str, valid: bool
) -> None:
    assert valid_in(_Rate("Gold", _p(start), _p(end)), Period.parse(period)) is valid


@pytest.mark.parametrize(
    ("start", "end", "text"),
    [
        ("2026-10", None, "from 2026-10"),
        (None, "2026-09", "until 2026-09"),
        ("2026-01", "2026-03", "2026-01 to 2026-03"),
        (None, None, "always"),
    ],
)
def test_range_text(start: str | None, end: str | None, text: str) -> None:
    assert range_text(_Rate("Gold", _p(start), _p(end))) == text


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        (("2026-01", "2026-06"), ("2026-07", None), (False, None)),
        (("2026-01", "2026-06"), ("2026-06", None), (True, Period(2026, 6))),
        ((None, None), ("2026-03", None), (True, Period(2026, 3))),
        ((None, "2026-06"), (None, "2026-02"), (True, None)),
    ],
)
def test_overlap_of(
    a: tuple[str | None, str | None],
    b: tuple[str | None, str | None],
    overlap: tuple[bool, Period | None],
) -> None:
    first = _Rate("Gold", _p(a[0]), _p(a[1]))
    second = _Rate("Gold", _p(b[0]), _p(b[1]))
    assert overlap_of(first, second) == overlap


def test_valid_to_before_valid_from_is_an_error_at_valid_to() -> None:
    (problem,) = order_problems([_Rate("Gold", _p("2026-10"), _p("2026-09"), row=5)])
    assert problem.message == "valid_to 2026-09 is before valid_from 2026-10"
    assert problem.location == "program.xlsx:Plans!D5"


def test_two_rows_of_one_key_valid_at_once_are_an_error_at_both() -> None:
    rows = [
        _Rate("Gold", None, _p("2026-10"), row=2),
        _Rate("Gold", _p("2026-10"), None, row=3),
        _Rate("Silver", None, None, row=4),
    ]
    problems = overlap_problems(rows, lambda r: r.plan, "valid_from", "Plan")
    assert [(p.location, p.message) for p in problems] == [
        (
            "program.xlsx:Plans!C2",
            "Plan Gold has two rows valid in the same period (from 2026-10): this one "
            "(until 2026-10) and Plans!C3 (from 2026-10); set valid_from/valid_to so that "
            "they do not overlap",
        ),
        (
            "program.xlsx:Plans!C3",
            "Plan Gold has two rows valid in the same period (from 2026-10): this one "
            "(from 2026-10) and Plans!C2 (until 2026-10); set valid_from/valid_to so that "
            "they do not overlap",
        ),
    ]


def test_rows_that_follow_each_other_do_not_overlap() -> None:
    rows = [
        _Rate("Gold", None, _p("2026-09"), row=2),
        _Rate("Gold", _p("2026-10"), None, row=3),
    ]
    assert overlap_problems(rows, lambda r: r.plan, "valid_from", "Plan") == []
