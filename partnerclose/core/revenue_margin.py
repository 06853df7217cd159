"""R8 Margin check: how much of its deals' gross profit a partner's revenue share takes."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from operator import attrgetter

from partnerclose.core.money import ZERO, fmt_money, round_money
from partnerclose.core.problems import Problem
from partnerclose.core.records import Partner
from partnerclose.core.revenue_model import DealDetail
from partnerclose.core.revenue_terms import Terms

_AMOUNT = attrgetter("amount")
_PRODUCT = attrgetter("product")


def gross_profit(deals: Sequence[DealDetail], terms: Terms) -> Decimal | None:
    """R8: the exact gross profit of the paid deals, Σ amount x gross_margin.

    Deals whose product has no gross_margin add nothing; None when none has one.
    """
    # Each product's margin looked up once (this reads every paid deal, hence
    # the C-level attribute getters).
    products = list(map(_PRODUCT, deals))
    margin_of = {product: terms.gross_margin(product) for product in set(products)}
    margins = zip(map(_AMOUNT, deals), map(margin_of.__getitem__, products), strict=True)
    known = [amount * margin for amount, margin in margins if margin is not None]
    return sum(known, ZERO) if known else None


def margin_check(
    partner: Partner,
    deals: Sequence[DealDetail],
    revenue_share: Decimal,
    terms: Terms,
) -> tuple[tuple[Decimal | None, Decimal | None], list[Problem]]:
    """R8: (gross profit of the paid deals, the share revenue share takes), problems.

    The problems are a warning when the share is over the program's limit. Deals
    whose product has no gross_margin add nothing; with none at all the gross profit
    (and the margin share) is not computable. Never a block.
    """
    return margin_check_of(partner, gross_profit(deals, terms), revenue_share, terms)


def margin_check_of(
    partner: Partner,
    gross: Decimal | None,
    revenue_share: Decimal,
    terms: Terms,
) -> tuple[tuple[Decimal | None, Decimal | None], list[Problem]]:
    """R8 from the exact gross profit (`gross_profit`, or a row engine's sum of it)."""
    if gross is None:
        return (None, None), []
    rounded = round_money(gross, terms.decimals)
    # A gross profit that rounds to nothing gives no meaningful share (a margin of
    # 1e-300 would make it 10^300 and more, past what money keeps exactly).
    share = revenue_share / gross if rounded > 0 else None
    limit = terms.max_margin_share
    if limit is not None and revenue_share > limit * gross:
        taken = (
            f"takes {_percent(share)} % of"
            if share is not None
            else f"of {fmt_money(revenue_share, terms.decimals)} exceeds"
        )
        warning = partner.loc.warning(
            f"{partner.partner_id}'s revenue share {taken} the gross profit of its deals "
            f"(limit {_percent(limit)} %)"
        )
        return (rounded, share), [warning]
    return (rounded, share), []


def _percent(fraction: Decimal) -> str:
    """0.62 -> "62", 0.125 -> "12.5": one decimal at most, none when it is 0."""
    text = fmt_money(fraction * 100, 1)
    return text.removesuffix(".0")
