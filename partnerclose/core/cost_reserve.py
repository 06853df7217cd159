"""The reserve fund: cushion draws, contributions, exit refunds and equity.

Rules C5 (draws), C8 (contributions, cap, equity) and C9 (refund on exit).
Balance = opening − draws + contributions − refunds, in that order.

Choices where the rules are silent:

- Several partners exiting in the same month each get round(equity) on the
  same balance (after draws and contributions), in participant order, but
  never more than what is left: rounding can never overdraw the reserve.
- Equity is reported rounded to the currency unit.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from partnerclose.core.money import ZERO, round_money, split
from partnerclose.core.records import Pool, Settings, participant_key


@dataclass(frozen=True, slots=True)
class ReserveMovement:
    """The reserve over one period (close pack: reserve movement)."""

    opening: Decimal
    draws: Decimal
    contributions: Decimal
    refunds: Decimal
    closing: Decimal
    cap: Decimal | None

    @property
    def after_draws(self) -> Decimal:
        """C5: the reserve balance left after this period's draws."""
        return self.opening - self.draws


@dataclass(frozen=True, slots=True)
class ReserveAccount:
    """One partner's place in the reserve for one period."""

    partner_id: str
    asked: Decimal  # C8 contribution before the cap
    contribution: Decimal  # after the cap
    refund: Decimal  # C9, exit month only
    refund_share: Decimal  # cumulative ÷ everyone's cumulative, the refund's rate
    exit_month: bool
    contributions_to_date: Decimal  # after this period (0 after a refund)
    equity: Decimal  # after this period, rounded

    @property
    def scaled(self) -> bool:
        """C8: whether the reserve cap scaled this partner's contribution down."""
        return self.contribution != self.asked


def cushion_draws(pools: Iterable[Pool], opening: Decimal) -> dict[str, Decimal]:
    """C5: in pool_id order, each pool with a budget draws its shock from what is left."""
    left = max(opening, ZERO)
    draws: dict[str, Decimal] = {}
    for pool in sorted(pools, key=lambda p: p.pool_id):
        if pool.budget is None:
            continue
        draw = min(max(ZERO, pool.amount - pool.budget), left)
        left -= draw
        draws[pool.pool_id] = draw
    return draws


def savings(pairs: Iterable[tuple[Decimal, Decimal]]) -> Decimal | None:
    """C8: Σ (standalone_cost − allocation after C6); None without any standalone cost."""
    found = list(pairs)
    if not found:
        return None
    return sum((standalone - allocation for standalone, allocation in found), ZERO)


def asked_contribution(partner_savings: Decimal | None, settings: Settings) -> Decimal:
    """C8: reserve_fixed_contribution + round(reserve_savings_pct × max(0, savings))."""
    positive = max(ZERO, partner_savings or ZERO)
    from_savings = round_money(settings.reserve_savings_pct * positive, settings.decimals)
    return round_money(settings.reserve_fixed_contribution + from_savings, settings.decimals)


def fit_to_cap(
    asked: Mapping[str, Decimal], after_draws: Decimal, cap: Decimal | None, decimals: int
) -> dict[str, Decimal]:
    """C8: contributions scaled down together so that the balance stays within the cap."""
    order = sorted(asked, key=participant_key)
    wanted = sum(asked.values(), ZERO)
    if cap is None or wanted <= 0 or after_draws + wanted <= cap:
        return {p: asked[p] for p in order}
    allowed = max(ZERO, cap - after_draws)
    parts = split(allowed, [asked[p] for p in order], decimals)
    return dict(zip(order, parts, strict=True))


def _share(own: Decimal, total: Decimal) -> Decimal:
    return own / total if total > 0 else ZERO


def settle_reserve(
    opening: Decimal,
    draws: Decimal,
    asked: Mapping[str, Decimal],
    exits: Collection[str],
    to_date: Mapping[str, Decimal],
    cap: Decimal | None,
    decimals: int,
) -> tuple[ReserveMovement, tuple[ReserveAccount, ...]]:
    """C8 then C9: contributions within the cap, exit refunds, then everyone's equity.

    `asked` holds the C8 contributions of the partners that contribute, `exits`
    the partners in their exit month, `to_date` everyone's cumulative
    contributions before this period.
    """
    after_draws = opening - draws
    paid = fit_to_cap(asked, after_draws, cap, decimals)
    balance = after_draws + sum(paid.values(), ZERO)
    holders = sorted(set(asked) | set(exits) | set(to_date), key=participant_key)
    cumulative = {p: to_date.get(p, ZERO) + paid.get(p, ZERO) for p in holders}
    everyone = sum(cumulative.values(), ZERO)
    refunds: dict[str, Decimal] = {}
    shares: dict[str, Decimal] = {}
    left = max(balance, ZERO)
    for partner_id in holders:
        if partner_id not in exits:
            continue
        shares[partner_id] = _share(cumulative[partner_id], everyone)
        refund = min(max(ZERO, round_money(balance * shares[partner_id], decimals)), left)
        refunds[partner_id] = refund
        left -= refund
        cumulative[partner_id] = ZERO
    closing = balance - sum(refunds.values(), ZERO)
    remaining = sum(cumulative.values(), ZERO)
    accounts = tuple(
        ReserveAccount(
            partner_id=p,
            asked=asked.get(p, ZERO),
            contribution=paid.get(p, ZERO),
            refund=refunds.get(p, ZERO),
            refund_share=shares.get(p, ZERO),
            exit_month=p in exits,
            contributions_to_date=cumulative[p],
            equity=round_money(closing * _share(cumulative[p], remaining), decimals),
        )
        for p in holders
    )
    movement = ReserveMovement(
        opening=opening,
        draws=draws,
        contributions=sum(paid.values(), ZERO),
        refunds=sum(refunds.values(), ZERO),
        closing=closing,
        cap=cap,
    )
    return movement, accounts
