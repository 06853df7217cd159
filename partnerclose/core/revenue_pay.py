"""Paying the period's deals (rules.md R2-R4), truing up earlier ones (R4), the cap (R6)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter

from partnerclose.core.lines import Component, Line
from partnerclose.core.money import ZERO, fmt_money, round_money
from partnerclose.core.problems import Problem
from partnerclose.core.records import Deal, DealType, Mode, Plan
from partnerclose.core.revenue_brackets import marginal_parts_on, rate_at, scale_of
from partnerclose.core.revenue_model import (
    BracketPart,
    DealDetail,
    PaidDeal,
    TrueUpDetail,
)
from partnerclose.core.revenue_terms import Terms, paid_as


@dataclass(frozen=True, slots=True)
class Payments:
    """One partner's deals paid this period, in the three forms the result needs.

    The three lists are parallel: position i of each is the same deal, in R1 order.
    """

    details: list[DealDetail]
    lines: list[Line]
    paid: list[PaidDeal]
    problems: list[Problem]  # a deal type without tiers (a warning per deal)


new_record = tuple.__new__  # a NamedTuple from its fields, in declaration order
_AMOUNT = attrgetter("amount")


def pay_deals(
    deals: Sequence[Deal],
    plan: Plan,
    ytd_before: Decimal,
    terms: Terms,
) -> Payments:
    """R3 or R4 for one partner's deals of the period, taken in R1 order.

    Long on purpose: the loop below runs once per paid deal and keeps its work inline
    (see the comment in it); split into calls it would be slower by the calls.
    """
    ytd_end = ytd_before + sum(map(_AMOUNT, deals), ZERO)
    # This loop runs once per paid deal (~560,000 at the large size): what is
    # constant for the partner is looked up once, and the records are built
    # with tuple.__new__ from their fields in declaration order, which skips
    # the Python-level __new__ NamedTuple generates (half the cost of a record).
    marginal = plan.mode is Mode.MARGINAL
    brackets_of = {paid_type: terms.brackets_for(plan, paid_type) for paid_type in DealType}
    scale_of_type = {paid_type: scale_of(b) for paid_type, b in brackets_of.items()}
    reached_of = {paid_type: rate_at(b, ytd_end) for paid_type, b in brackets_of.items()}
    bonus_of: dict[str, Decimal] = {}
    # Few (customer, product, type) combinations: one text each, shared by their lines.
    description_of: dict[tuple[str, str, DealType], str] = {}
    decimals, period, period_text = terms.decimals, terms.period, terms.period_text
    first_day = period.first_day
    revenue_share = Component.REVENUE_SHARE
    details: list[DealDetail] = []
    lines: list[Line] = []
    paid: list[PaidDeal] = []
    problems: list[Problem] = []
    add_detail, add_line, add_paid = details.append, lines.append, paid.append
    ytd = ytd_before
    for deal in deals:
        deal_id, partner_id, amount = deal.deal_id, deal.partner_id, deal.amount
        product, close_date, customer = deal.product, deal.close_date, deal.customer
        paid_type, status = paid_as(deal)
        if close_date < first_day:  # P1: a late deal of an earlier period of the year
            status = f"late: closed {close_date}" + (f"; {status}" if status else "")
        brackets = brackets_of[paid_type]
        if not brackets:
            problems.append(
                deal.loc.warning(
                    f"plan {plan.plan} has no revenue tiers for {paid_type} deals: deal "
                    f"{deal_id} earns no bracket rate",
                    column="deal_type",
                )
            )
        bonus = bonus_of.get(product)
        if bonus is None:
            bonus = bonus_of[product] = terms.bonus(product)
        if marginal:
            parts = marginal_parts_on(scale_of_type[paid_type], ytd, amount)
            rule = "R3"
        else:
            reached = reached_of[paid_type]  # R4: the rate the period-end YTD reaches
            parts = (new_record(BracketPart, (ytd, ytd + amount, reached)),) if amount else ()
            rule = "R4"
        exact = ZERO  # the sum of the parts, from ZERO as `sum` would
        for start, end, part_rate in parts:
            exact += (end - start) * part_rate  # BracketPart.amount, without the call
        exact += amount * bonus
        if amount:
            rate = exact / amount
        else:  # no volume: the bracket rate in force
            rate = (rate_at(brackets, ytd) if marginal else reached_of[paid_type]) + bonus
        share = round_money(exact, decimals)  # R2: exact, rounded once
        key = (customer, product, paid_type)
        description = description_of.get(key)
        if description is None:
            description = description_of[key] = ", ".join(filter(None, key))
        add_detail(
            new_record(
                DealDetail,
                (
                    deal_id,
                    partner_id,
                    customer,
                    product,
                    close_date,
                    deal.deal_type,
                    paid_type,
                    deal.registered,
                    amount,
                    parts,
                    bonus,
                    rate,
                    share,
                    status,
                ),
            )
        )
        add_line(
            new_record(
                Line,
                (
                    period_text,
                    partner_id,
                    revenue_share,
                    deal_id,
                    share,
                    rule,
                    description,
                    amount,
                    rate,
                    status,
                ),
            )
        )
        add_paid(
            new_record(
                PaidDeal,
                (
                    deal_id,
                    partner_id,
                    period,
                    close_date,
                    amount,
                    paid_type,
                    product,
                    rate,
                    share,
                    share,
                    bonus,
                    "" if deal.source_amount is None else deal.currency,
                    deal.source_amount,
                ),
            )
        )
        ytd += amount
    return Payments(details, lines, paid, problems)


# --- true-up (R4) and cap (R6) -------------------------------------------------


def true_ups(
    earlier: Sequence[PaidDeal], plan: Plan, ytd_after: Decimal, terms: Terms
) -> list[TrueUpDetail]:
    """R4: each earlier deal of the fiscal year at the rate the period-end YTD reached.

    The bonus is the one the deal was paid with, so a later change of the
    Products sheet does not reopen earlier deals.
    """
    deltas: list[TrueUpDetail] = []
    for paid in earlier:
        rate = rate_at(terms.brackets_for(plan, paid.deal_type), ytd_after) + paid.bonus_rate
        deltas.append(true_up_detail(paid, rate, round_money(paid.amount * rate, terms.decimals)))
    return deltas


def true_up_detail(paid: PaidDeal, rate: Decimal, due: Decimal) -> TrueUpDetail:
    """R4 for one earlier deal: what is due at `rate` now, less what it was paid."""
    return TrueUpDetail(
        deal_id=paid.deal_id,
        partner_id=paid.partner_id,
        amount=paid.amount,
        rate=rate,
        due=due,
        paid_before=paid.paid,
        delta=due - paid.paid,
    )


def attribute_true_ups(
    earlier: Sequence[PaidDeal], deltas: Sequence[TrueUpDetail]
) -> dict[str, PaidDeal]:
    """Each deal's part of the true-up adds to what was paid for it (next_state)."""
    return {
        paid.deal_id: paid._replace(paid=paid.paid + delta.delta)
        for paid, delta in zip(earlier, deltas, strict=True)
        if delta.delta
    }


def true_up_line(
    partner_id: str,
    plan: Plan,
    deltas: Sequence[TrueUpDetail],
    amount: Decimal,
    ytd_after: Decimal,
    terms: Terms,
) -> Line:
    """R4: the true-up line of a partner's earlier deals of the fiscal year."""
    rates = {t.rate for t in deltas}
    count = len(deltas)
    return Line(
        period=str(terms.period),
        partner_id=partner_id,
        component=Component.TRUE_UP,
        item=plan.plan,
        amount=amount,
        rule="R4",
        description=(
            f"{count} earlier deal{'s' if count != 1 else ''} of the fiscal year at the rate "
            f"reached by YTD volume {fmt_money(ytd_after, terms.decimals)}"
        ),
        quantity=sum((t.amount for t in deltas), ZERO),
        rate=rates.pop() if len(rates) == 1 else None,
    )


def cap_line(partner_id: str, plan: Plan, capped: Decimal, terms: Terms) -> Line | None:
    """R6: revenue_share + true_up above the plan's period cap; clawbacks are not capped."""
    if plan.period_cap is None or capped <= plan.period_cap:
        return None
    return Line(
        period=str(terms.period),
        partner_id=partner_id,
        component=Component.REVENUE_CAP,
        item=plan.plan,
        amount=-(capped - plan.period_cap),
        rule="R6",
        description=f"period cap {fmt_money(plan.period_cap, terms.decimals)}",
        quantity=capped,
        status="capped",
    )
