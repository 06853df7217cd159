"""R5 Clawbacks: refunded and churned rows take back part of a paid revenue share."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from partnerclose.core.lines import Component, Line
from partnerclose.core.money import ZERO, fmt_money, round_money
from partnerclose.core.period import Period
from partnerclose.core.problems import Problem
from partnerclose.core.records import Deal
from partnerclose.core.revenue_model import (
    UNRECORDED_CURRENCY,
    PaidDeal,
    deal_order,
    frozen_mapping,
)


@dataclass(frozen=True, slots=True)
class Clawbacks:
    """R5: the period's clawback lines, their problems, and what has been reversed per deal."""

    lines: tuple[Line, ...]
    problems: tuple[Problem, ...]
    reversed_amounts: Mapping[str, Decimal]  # the state's, plus this period's reversals


def clawbacks(
    reversals: Iterable[Deal],
    originals: Mapping[str, PaidDeal],
    reversed_before: Mapping[str, Decimal],
    period: Period,
    clawback_days: int,
    decimals: int,
    source_amounts: Mapping[str, Decimal] | None = None,
) -> Clawbacks:
    """Claw back each reversal row of the period, in R1 order.

    `originals` are the deals paid in earlier final closes and in this period.
    A reversal counts against its deal's amount whether or not it is inside
    the window; a reversal that would exceed the amount is an error and counts
    for nothing. `source_amounts` are the deal-currency amounts of this period's
    deals converted by X1: the ratio reversed ÷ original is taken on them.
    """
    sources = source_amounts or {}
    reversed_so_far = dict(reversed_before)
    lines: list[Line] = []
    problems: list[Problem] = []
    for row in sorted(reversals, key=deal_order):
        original = originals.get(row.original_deal_id)
        if original is None:
            problems.append(
                row.loc.warning(
                    f'{row.deal_id} reverses deal "{row.original_deal_id}", which was never '
                    "paid: nothing clawed back",
                    column="original_deal_id",
                )
            )
            continue
        if original.partner_id != row.partner_id:
            problems.append(
                row.loc.warning(
                    f"{row.deal_id} reverses deal {original.deal_id} of partner "
                    f"{original.partner_id}, not of {row.partner_id}: nothing clawed back",
                    column="original_deal_id",
                )
            )
            continue
        mismatch = _currency_mismatch(row, original)
        if mismatch is not None:
            problems.append(row.loc.error(mismatch, column="currency"))
            continue
        reversed_amount, original_amount = _amounts(row, original, sources)
        # Summed and bounded in the deal's own currency: at another month's rate a full
        # refund can convert to more than the original did.
        total = reversed_so_far.get(original.deal_id, ZERO) + reversed_amount
        if total > original_amount:
            problems.append(
                row.loc.error(
                    f"reversals of deal {original.deal_id} add up to {fmt_money(total, decimals)}"
                    f"{_in(row, original)}, more than its amount "
                    f"{fmt_money(original_amount, decimals)}{_in(row, original)}",
                    column="amount",
                )
            )
            continue
        reversed_so_far[original.deal_id] = total
        days = (row.close_date - original.close_date).days
        if days > clawback_days:
            problems.append(
                row.loc.info(
                    f"{row.deal_id} reverses deal {original.deal_id} {days} days after it closed "
                    f"(clawback_days {clawback_days}): nothing clawed back",
                    column="close_date",
                )
            )
            continue
        line = _clawback_line(row, original, (reversed_amount, original_amount), period, decimals)
        if line is not None:
            lines.append(line)
    return Clawbacks(tuple(lines), tuple(problems), frozen_mapping(reversed_so_far))


def _currency_of(deal: Deal | PaidDeal, converted: bool) -> str:
    """The deal's own currency where X1 converted it; "" for the program currency."""
    return deal.currency if converted else ""


def _currency_mismatch(row: Deal, original: PaidDeal) -> str | None:
    """Why a reversal cannot be taken against `original` (X1): another currency.

    The period's own deals are checked when the input is validated
    (currency.check_currencies); this catches an original paid in an earlier close.
    """
    if original.currency == UNRECORDED_CURRENCY:
        return None
    theirs = _currency_of(original, original.source_amount is not None)
    ours = _currency_of(row, row.source_amount is not None)
    if theirs == ours:
        return None
    return (
        f"{row.deal_id} reverses deal {original.deal_id}, which is in "
        f"{theirs or 'the program currency'}, but is in {ours or 'the program currency'}; "
        "a reversal must be in its deal's currency"
    )


def _in(row: Deal, original: PaidDeal) -> str:
    return f" {original.currency}" if original.source_amount is not None else ""


def _amounts(
    row: Deal, original: PaidDeal, sources: Mapping[str, Decimal]
) -> tuple[Decimal, Decimal]:
    """R5: the reversed and the original amount, for R5's ratio and its bound.

    In the deal's own currency where X1 converted both (rules.md X1), else in the program currency.
    """
    if row.source_amount is not None:
        source = sources.get(original.deal_id, original.source_amount)
        if source is not None:
            return row.source_amount, source
    return row.amount, original.amount


def _clawback_line(
    row: Deal,
    original: PaidDeal,
    amounts: tuple[Decimal, Decimal],
    period: Period,
    decimals: int,
) -> Line | None:
    reversed_amount, original_amount = amounts
    if original_amount <= 0:
        return None
    clawed = round_money(reversed_amount * original.share / original_amount, decimals)
    if clawed.is_zero():
        return None
    return Line(
        period=str(period),
        partner_id=row.partner_id,
        component=Component.CLAWBACK,
        item=row.deal_id,
        amount=-clawed,
        rule="R5",
        description=f"{row.status} {fmt_money(row.amount, decimals)} of deal {original.deal_id}",
        quantity=row.amount,
        rate=original.share / (original.amount or original_amount),
        status=f"reverses {original.deal_id}"
        + ("" if period.contains(row.close_date) else f"; late: dated {row.close_date}"),  # P1
    )
