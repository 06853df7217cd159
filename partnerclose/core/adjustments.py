"""Manual adjustments (rules.md P2): one `adjustment` line per `Adjustments` row.

An adjustment is settled by the close of its period, as it is: not capped, and
no part of YTD volumes, brackets, the reserve, key figures or the scorecard.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import replace

from partnerclose.core.lines import Component, Line, sort_lines
from partnerclose.core.money import round_money
from partnerclose.core.period import Period
from partnerclose.core.problems import Problem, did_you_mean_id
from partnerclose.core.records import HOST, Adjustment, Program

RULE = "P2"


def of_period(program: Program, period: Period) -> list[Adjustment]:
    """The rows the close of `period` takes."""
    return [row for row in program.adjustments if row.period == period]


def check_adjustments(program: Program, period: Period) -> list[Problem]:
    """P2: check each Adjustments row at its cells.

    The partner must be known, and the component adjustment must have an Accounts row when the
    program has an Accounts sheet; rows of later periods get an info.
    """
    problems: list[Problem] = []
    partners = {p.partner_id for p in program.partners}
    for row in program.adjustments:
        if row.partner_id != HOST and row.partner_id not in partners:
            message = f'unknown partner "{row.partner_id}"' + did_you_mean_id(
                row.partner_id, partners | {HOST}
            )
            problems.append(replace(row.loc.error(message, "partner_id"), reference=row.partner_id))
        if row.period > period:
            problems.append(
                row.loc.info(
                    f"for {row.period}: settled by that period's close, not by {period}'s",
                    "period",
                )
            )
    rows = of_period(program, period)
    mapped = {a.component for a in program.accounts}
    if rows and program.accounts and Component.ADJUSTMENT.value not in mapped:
        first = rows[0].loc
        problems.append(
            first.error(
                f"no Accounts row for component adjustment, which the {len(rows)} "
                f"adjustment{'s' if len(rows) != 1 else ''} of {period} are journalled "
                "through: add one with its debit and credit accounts",
                "section",
            )
        )
    return problems


def final_period_problems(
    program: Program, period: Period, final_periods: Iterable[str]
) -> list[Problem]:
    """A row for a period already closed final is never settled: a warning naming it."""
    finals = set(final_periods)
    return [
        row.loc.warning(
            f"{row.period} is closed final, so this adjustment is not settled; to settle it, "
            f"give it the period of the open close ({period})",
            "period",
        )
        for row in program.adjustments
        if row.period < period and str(row.period) in finals
    ]


def adjustment_lines(
    program: Program, period: Period, taking_part: Collection[str]
) -> tuple[list[Line], list[Problem]]:
    """P2: one line per row of the period (item: its section, description: its reason)."""
    lines: list[Line] = []
    problems: list[Problem] = []
    decimals = program.settings.decimals
    for row in of_period(program, period):
        if row.partner_id != HOST and row.partner_id not in taking_part:
            problems.append(
                row.loc.warning(
                    f"{row.partner_id} does not take part in {period}: the adjustment is "
                    "not settled",
                    "partner_id",
                )
            )
            continue
        lines.append(
            Line(
                period=str(period),
                partner_id=row.partner_id,
                component=Component.ADJUSTMENT,
                item=row.section.value,
                amount=round_money(row.amount, decimals),
                rule=RULE,
                description=row.reason,
            )
        )
    return sort_lines(lines), problems
