"""Paying the period's deals (rules.md R2-R4), truing up earlier ones (R4), the cap (R6)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from partnerclose.core.lines import Component, Line
from partnerclose.core.money import ZERO, fmt_money, round_money
from partnerclose.core.problems import Problem
from partnerclose.core.records import Deal, DealType, Mode, Plan
from partnerclose.core.revenue_brackets import marginal_parts, rate_at
from partnerclose.core.revenue_model import (
    BracketPart,
    DealDetail,
    PaidDeal,
    TrueUpDetail,
)
from partnerclose.core.revenue_terms import Terms, paid_as


@dataclass(frozen=True, slots=True)
class Payment:
    """One deal paid this period, in the three forms the result needs."""

    detail: DealDetail
    line: Line
    paid: PaidDeal


def pay_deals(
    deals: Sequence[Deal],
    plan: Plan,
    ytd_before: Decimal,
    terms: Terms,
    problems: list[Problem],
) -> list[Payment]:
    """R3 or R4 for one partner's deals of the period, taken in R1 order."""
    ytd_end = ytd_before + sum((d.amount for d in deals), ZERO)
    payments: list[Payment] = []
    ytd = ytd_before
    for deal in deals:
        paid_type, status = paid_as(deal)
        brackets = terms.brackets_for(plan, paid_type)
        if not brackets:
            problems.append(
                deal.loc.warning(
                    f"plan {plan.plan} has no revenue tiers for {paid_type} deals: deal "
                    f"{deal.deal_id} earns no bracket rate",
                    column="deal_type",
                )
            )
        bonus = terms.bonus(deal.product)
        if plan.mode is Mode.MARGINAL:
            parts = marginal_parts(brackets, ytd, deal.amount)
            rule, rate_when_empty = "R3", rate_at(brackets, ytd)
        else:
            reached = rate_at(brackets, ytd_end)
            parts = (BracketPart(ytd, ytd + deal.amount, reached),) if deal.amount else ()
            rule, rate_when_empty = "R4", reached
        exact = sum((p.amount * p.rate for p in parts), ZERO) + deal.amount * bonus
        rate = exact / deal.amount if deal.amount else rate_when_empty + bonus
        payments.append(_payment(deal, paid_type, status, parts, bonus, rate, exact, rule, terms))
        ytd += deal.amount
    return payments


def _payment(
    deal: Deal,
    paid_type: DealType,
    status: str,
    parts: tuple[BracketPart, ...],
    bonus: Decimal,
    rate: Decimal,
    exact: Decimal,
    rule: str,
    terms: Terms,
) -> Payment:
    share = round_money(exact, terms.decimals)  # R2: exact, rounded once
    # Positional arguments, in field order: this runs once per deal of the
    # period, and keyword construction costs twice as much.
    deal_id, partner_id, amount = deal.deal_id, deal.partner_id, deal.amount
    detail = DealDetail(
        deal_id,
        partner_id,
        deal.customer,
        deal.product,
        deal.close_date,
        deal.deal_type,
        paid_type,
        deal.registered,
        amount,
        parts,
        bonus,
        rate,
        share,
        status,
    )
    description = ", ".join(t for t in (deal.customer, deal.product, paid_type.value) if t)
    line = Line(
        terms.period_text,
        partner_id,
        Component.REVENUE_SHARE,
        deal_id,
        share,
        rule,
        description,
        amount,
        rate,
        status,
    )
    paid = PaidDeal(
        deal_id,
        partner_id,
        terms.period,
        deal.close_date,
        amount,
        paid_type,
        deal.product,
        rate,
        share,
        share,
        bonus,
    )
    return Payment(detail, line, paid)


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
        due = round_money(paid.amount * rate, terms.decimals)
        deltas.append(
            TrueUpDetail(
                deal_id=paid.deal_id,
                partner_id=paid.partner_id,
                amount=paid.amount,
                rate=rate,
                due=due,
                paid_before=paid.paid,
                delta=due - paid.paid,
            )
        )
    return deltas


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
