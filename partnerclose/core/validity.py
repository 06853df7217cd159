"""Terms that change over time (rules.md E1): which program rows apply to a period.

Rows of `Plans`, `RevenueTiers`, `Products`, `CostPools`, `CostTiers`,
`Commitments`, `Milestones` and `Accounts` may carry `valid_from` and
`valid_to` (periods, inclusive, either optional). `in_force` is the one place
that chooses the rows of a period: a close, a rerun and a restatement of an
old period each call it with their own period, so every rule computes on the
terms of the period it settles.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from partnerclose.core.period import Period
from partnerclose.core.problems import Problem
from partnerclose.core.records import Loc, Program


class Dated(Protocol):
    """A program row that may carry validity columns."""

    @property
    def valid_from(self) -> Period | None:
        """E1: the first period the row applies to (None: no start)."""

    @property
    def valid_to(self) -> Period | None:
        """E1: the last period the row applies to (None: no end)."""

    @property
    def loc(self) -> Loc:
        """Where the row is, for problems at its cells."""


D = TypeVar("D", bound=Dated)


def is_dated(row: Dated) -> bool:
    """Whether the row carries a validity column at all."""
    return row.valid_from is not None or row.valid_to is not None


def valid_in(row: Dated, period: Period) -> bool:
    """Whether the row applies to `period` (both ends inclusive)."""
    start, end = row.valid_from, row.valid_to
    return (start is None or start <= period) and (end is None or period <= end)


def _in(rows: tuple[D, ...], period: Period) -> tuple[D, ...]:
    if not any(map(is_dated, rows)):  # the usual program: no copy
        return rows
    return tuple(row for row in rows if valid_in(row, period))


def in_force(program: Program, period: Period) -> Program:
    """The program as it applies to `period`: rows not valid then are left out.

    Idempotent, and the same object when no row carries validity columns.
    """
    products = program.products
    filtered = replace(
        program,
        pools=_in(program.pools, period),
        commitments=_in(program.commitments, period),
        cost_tiers=_in(program.cost_tiers, period),
        plans=_in(program.plans, period),
        revenue_tiers=_in(program.revenue_tiers, period),
        products=None if products is None else _in(products, period),
        milestones=_in(program.milestones, period),
        accounts=_in(program.accounts, period),
    )
    return program if filtered == program else filtered


def overlap_of(a: Dated, b: Dated) -> tuple[bool, Period | None]:
    """E1: whether two rows apply to a common period, and the first one when it is known.

    The period is None when neither row has a start.
    """
    starts = [p for p in (a.valid_from, b.valid_from) if p is not None]
    ends = [p for p in (a.valid_to, b.valid_to) if p is not None]
    start = max(starts) if starts else None
    end = min(ends) if ends else None
    if start is not None and end is not None and start > end:
        return False, None
    return True, start


def range_text(row: Dated) -> str:
    """The row's validity as text, e.g. "from 2026-10" or "until 2026-09"."""
    start, end = row.valid_from, row.valid_to
    if start is not None and end is not None:
        return f"{start} to {end}"
    if start is not None:
        return f"from {start}"
    if end is not None:
        return f"until {end}"
    return "always"


def _text(value: object) -> str:
    return f"{value.normalize():f}" if isinstance(value, Decimal) else str(value)


def order_problems(rows: Sequence[Dated]) -> list[Problem]:
    """valid_to before valid_from: an error at valid_to."""
    return [
        row.loc.error(f"valid_to {row.valid_to} is before valid_from {row.valid_from}", "valid_to")
        for row in rows
        if row.valid_from is not None and row.valid_to is not None and row.valid_to < row.valid_from
    ]


def overlapping(rows: Sequence[D], key: Callable[[D], object]) -> list[tuple[D, D, Period | None]]:
    """Pairs of rows of the same key that apply to a common period (both dated or one)."""
    groups: dict[object, list[D]] = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    pairs: list[tuple[D, D, Period | None]] = []
    for group in groups.values():
        if len(group) < 2:
            continue
        for i, first in enumerate(group):
            for second in group[i + 1 :]:
                if not is_dated(first) and not is_dated(second):
                    continue  # a plain duplicate: reported as one by the caller
                meet, common = overlap_of(first, second)
                if meet:
                    pairs.append((first, second, common))
    return pairs


def overlap_problems(
    rows: Sequence[D], key: Callable[[D], object], column: str, what: str
) -> list[Problem]:
    """E1: two rows of the same key valid in the same period, an error at both."""
    problems: list[Problem] = []
    for first, second, common in overlapping(rows, key):
        shown = key(first)
        name = " / ".join(map(_text, shown)) if isinstance(shown, tuple) else _text(shown)
        when = "" if common is None else f" (from {common})"
        for here, other in ((first, second), (second, first)):
            place = f"{other.loc.sheet}!{other.loc.cell(column)}"
            problems.append(
                here.loc.error(
                    f"{what} {name} has two rows valid in the same period{when}: this one "
                    f"({range_text(here)}) and {place} ({range_text(other)}); "
                    "set valid_from/valid_to so that they do not overlap",
                    column,
                )
            )
    return problems


@dataclass(frozen=True, slots=True)
class DatedRow:
    """A program row with validity columns, and whether it applies to a period."""

    sheet: str
    cell: str  # the row's key cell, e.g. A3
    key: str  # what the row is for, e.g. "Gold / sourced / 0"
    validity: str  # e.g. "from 2026-10"
    applies: bool


def _keyed(program: Program) -> list[tuple[Sequence[Dated], Callable[[Any], tuple[object, ...]]]]:
    return [
        (program.plans, lambda p: (p.plan,)),
        (program.revenue_tiers, lambda t: (t.plan, t.deal_type.value, t.from_amount)),
        (program.products or (), lambda p: (p.product,)),
        (program.pools, lambda p: (p.pool_id,)),
        (program.cost_tiers, lambda t: (t.pool_id, t.min_utilization)),
        (program.commitments, lambda c: (c.partner_id, c.pool_id)),
        (program.milestones, lambda m: (m.milestone_id,)),
        (program.accounts, lambda a: (a.component,)),
    ]


def dated_rows(program: Program, period: Period) -> tuple[DatedRow, ...]:
    """E1: every row of the E1 sheets that carries validity columns, in sheet order.

    Each with whether it applies to `period` (rows without them always apply).
    """
    found: list[DatedRow] = []
    for rows, key in _keyed(program):
        for row in rows:
            if is_dated(row):
                found.append(
                    DatedRow(
                        row.loc.sheet,
                        row.loc.cell(),
                        " / ".join(map(_text, key(row))),
                        range_text(row),
                        valid_in(row, period),
                    )
                )
    return tuple(found)
