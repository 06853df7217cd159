"""Records of the revenue-share engine (rules.md R1-R8): its state and its results."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import islice
from operator import attrgetter, eq
from types import MappingProxyType
from typing import NamedTuple, TypeVar

from partnerclose.core.lines import Line
from partnerclose.core.period import Period
from partnerclose.core.problems import Problem
from partnerclose.core.records import Deal, DealType, Mode

TREATED_AS_INFLUENCED = "treated as influenced"

DealOrder = tuple[date, str, str, str, Decimal, str, str, str, bool, str]


def deal_order(deal: Deal) -> DealOrder:
    """R1 order (close_date, then deal_id), made total so row order never matters."""
    return (
        deal.close_date,
        deal.deal_id,
        deal.partner_id,
        deal.original_deal_id,
        deal.amount,
        deal.status,
        deal.product,
        deal.deal_type,
        deal.registered,
        deal.customer,
    )


_DEAL_ID = attrgetter("deal_id")
_CLOSE_DATE = attrgetter("close_date")


def in_deal_order(deals: Iterable[Deal]) -> list[Deal]:
    """`sorted(deals, key=deal_order)`, building the full key only when it is needed.

    (close_date, deal_id) orders every row but repeated deal ids. It is sorted
    on in two stable passes, deal_id then close_date: no key tuples, and text
    keys take the sort's fast path (~1,000,000 rows twice as fast as one sort
    on the pair, and many times faster than on `deal_order`).
    """
    rows = sorted(deals, key=_DEAL_ID)
    ids = list(map(_DEAL_ID, rows))
    repeated = any(map(eq, ids, islice(ids, 1, None)))  # equal ids are neighbours now
    rows.sort(key=_CLOSE_DATE)
    if repeated:
        # Rows may tie on (close_date, deal_id): a stable sort on the full key
        # gives what sorting the input on it would (ties keep the input order).
        rows.sort(key=deal_order)
    return rows


K = TypeVar("K")
V = TypeVar("V")


def frozen_mapping(items: Mapping[K, V] | None = None) -> Mapping[K, V]:
    """A read-only copy, so that records holding it stay immutable."""
    return MappingProxyType(dict(items or {}))


# The currency of a deal recorded before paid deals kept theirs (a ledger row of ten
# fields): its reversals are taken in the program currency, as they were then.
UNRECORDED_CURRENCY = "?"


class PaidDeal(NamedTuple):
    """A deal paid in an earlier final close (what R4 and R5 need of it)."""

    deal_id: str
    partner_id: str
    period: Period
    close_date: date
    amount: Decimal
    deal_type: DealType  # the type it was PAID as (after the registration rule)
    product: str
    rate: Decimal  # bracket rate + bonus (marginal mode: its effective rate)
    share: Decimal  # its revenue_share line amount
    paid: Decimal  # share + every true_up amount attributed to it so far (R4)
    bonus_rate: Decimal = Decimal(0)
    # X1: a deal booked in another currency keeps it and its amount in it, so that a
    # reversal in a later period is checked and taken on them (rules.md X1, R5);
    # "" and None for a deal in the program currency.
    currency: str = ""
    source_amount: Decimal | None = None


class OpeningVolume(NamedTuple):
    """A partner's fiscal YTD volume brought in by `OpeningBalances` (rules.md O1)."""

    before: Period  # the first close: the volume is the fiscal YTD before it
    amount: Decimal  # ... beyond the opening deals of that fiscal year (they count as deals)


@dataclass(frozen=True, slots=True)
class RevenueState:
    """What earlier final closes leave for the revenue engine."""

    paid_deals: Mapping[str, PaidDeal] = field(default_factory=frozen_mapping)
    # original deal_id -> amount reversed so far (R5), in- and out-of-window alike
    reversed_amounts: Mapping[str, Decimal] = field(default_factory=frozen_mapping)
    # partner -> YTD volume before the first close not held by opening deals (O1)
    opening_volume: Mapping[str, OpeningVolume] = field(default_factory=frozen_mapping)
    # reversal rows applied by final closes, with their dates, of the fiscal year (P1):
    # a late one is applied once, and a repeated one is not applied again
    applied_reversals: Mapping[str, date] = field(default_factory=frozen_mapping)


class BracketPart(NamedTuple):
    """The part of a deal paid at one bracket rate, over YTD volume [start, end)."""

    start: Decimal
    end: Decimal
    rate: Decimal  # the bracket rate, without the product bonus

    @property
    def amount(self) -> Decimal:
        """The volume of this part, end − start."""
        return self.end - self.start


class DealDetail(NamedTuple):
    """One paid deal, as a statement shows it."""

    deal_id: str
    partner_id: str
    customer: str
    product: str
    close_date: date
    reported_type: DealType
    paid_type: DealType
    registered: bool
    amount: Decimal
    parts: tuple[BracketPart, ...]
    bonus_rate: Decimal
    rate: Decimal  # effective rate: exact share / amount (bracket + bonus)
    share: Decimal  # rounded: the revenue_share line amount
    status: str = ""  # e.g. "treated as influenced"


@dataclass(frozen=True, slots=True)
class TrueUpDetail:
    """R4: one earlier deal of the fiscal year brought to the rate reached now."""

    deal_id: str
    partner_id: str
    amount: Decimal
    rate: Decimal  # bracket rate now + bonus
    due: Decimal  # round(amount x rate)
    paid_before: Decimal  # share + earlier true-ups
    delta: Decimal  # due - paid_before: this period's true-up for the deal


@dataclass(frozen=True, slots=True)
class PartnerRevenue:
    """Per-partner figures of the period (statements, K1 metrics)."""

    partner_id: str
    plan: str
    mode: Mode
    ytd_before: Decimal  # fiscal YTD volume before the period
    ytd_after: Decimal  # ... and after its paid deals
    revenue_share: Decimal  # sum of its revenue_share lines
    true_up: Decimal  # its true_up line (0 when none)
    gross_profit: Decimal | None  # rounded; None when no deal has a product margin
    margin_share: Decimal | None  # revenue_share / gross profit (exact), when computable


@dataclass(frozen=True, slots=True)
class RevenueResult:
    """The revenue share of one period (R1–R8): lines, problems, details and next state."""

    lines: tuple[Line, ...]
    problems: tuple[Problem, ...]
    deals: tuple[DealDetail, ...]
    true_ups: tuple[TrueUpDetail, ...]
    partners: Mapping[str, PartnerRevenue]
    next_state: RevenueState
