"""Revenue-share terms of one period, and which deal rows count (rules.md R1)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from partnerclose.core.money import ZERO
from partnerclose.core.participation import participation
from partnerclose.core.period import Period
from partnerclose.core.problems import Problem
from partnerclose.core.records import (
    Campaign,
    Deal,
    DealStatus,
    DealType,
    Partner,
    Plan,
    Product,
    Program,
    participant_key,
)
from partnerclose.core.revenue_brackets import Bracket, BracketTable, bracket_table
from partnerclose.core.revenue_model import (
    TREATED_AS_INFLUENCED,
    PaidDeal,
    RevenueState,
    in_deal_order,
)

REVERSALS = (DealStatus.REFUNDED, DealStatus.CHURNED)
_SETTLED_STATUSES = (DealStatus.WON, *REVERSALS)
_NEEDS_REGISTRATION = (DealType.SOURCED, DealType.CO_SELL)


@dataclass(frozen=True, slots=True)
class Terms:
    """The program's terms as the engine looks them up, for one period."""

    period: Period
    decimals: int
    fiscal_start: int
    clawback_days: int
    max_margin_share: Decimal | None
    partners: Mapping[str, Partner]  # partners taking part in the period
    plan_of: Mapping[str, Plan]  # ... that have a known plan
    brackets: BracketTable
    products: Mapping[str, Product]

    @property
    def period_text(self) -> str:
        """The period as `YYYY-MM`."""
        return str(self.period)

    def brackets_for(self, plan: Plan, deal_type: DealType) -> tuple[Bracket, ...]:
        """R3: a plan's brackets for a deal type (none when it has no RevenueTiers row)."""
        return self.brackets.get((plan.plan, deal_type), ())

    def bonus(self, product: str) -> Decimal:
        """R2: a product's bonus rate (0 for an unknown product)."""
        found = self.products.get(product)
        return found.bonus_rate if found else ZERO

    def gross_margin(self, product: str) -> Decimal | None:
        """R8: a product's gross margin (None when not given)."""
        found = self.products.get(product)
        return found.gross_margin if found else None

    def in_fiscal_year(self, day: date) -> bool:
        """Whether `day` falls in the fiscal year of the period."""
        start = self.fiscal_start
        return Period.of(day).fiscal_year_start(start) == self.period.fiscal_year_start(start)


def terms_of(program: Program, period: Period) -> tuple[Terms, list[Problem]]:
    """The program's terms for `period`, and the problems found making them.

    Terms: the partners taking part, their plans, brackets and products; problems: a
    warning per partner whose plan is not in Plans.
    """
    problems: list[Problem] = []
    plans = {plan.plan: plan for plan in program.plans}
    partners: dict[str, Partner] = {}
    plan_of: dict[str, Plan] = {}
    for partner in sorted(program.partners, key=lambda p: participant_key(p.partner_id)):
        if not participation(partner, period).takes_part:
            continue
        partners[partner.partner_id] = partner
        plan = plans.get(partner.plan)
        if plan is None:
            problems.append(
                partner.loc.warning(
                    f'plan "{partner.plan}" of {partner.partner_id} is not in Plans: '
                    "no revenue share or co-marketing",
                    column="plan",
                )
            )
            continue
        plan_of[partner.partner_id] = plan
    terms = Terms(
        period=period,
        decimals=program.settings.decimals,
        fiscal_start=program.settings.fiscal_year_start,
        clawback_days=program.settings.clawback_days,
        max_margin_share=program.settings.max_margin_share,
        partners=partners,
        plan_of=plan_of,
        brackets=bracket_table(program.revenue_tiers),
        products={p.product: p for p in program.products or ()},
    )
    return terms, problems


def settled(row: Deal | Campaign, what: str, terms: Terms) -> tuple[bool, list[Problem]]:
    """Whether a row's partner is settled this period, and the problems of the row.

    A warning when the partner does not take part (one without a plan was warned
    about by `terms_of`).
    """
    if row.partner_id in terms.plan_of:
        return True, []
    if row.partner_id in terms.partners:
        return False, []
    row_id = row.deal_id if isinstance(row, Deal) else row.campaign_id
    warning = row.loc.warning(
        f"{row.partner_id} does not take part in {terms.period}: {what} {row_id} is not settled",
        column="partner_id",
    )
    return False, [warning]


def eligible_deals(
    deals: Iterable[Deal], terms: Terms, state: RevenueState
) -> tuple[tuple[dict[str, list[Deal]], list[Deal]], list[Problem]]:
    """R1: (won deals by partner in R1 order, reversal rows), and the rows' problems.

    The problems are those of the rows left out (late, repeated, already paid). Long on
    purpose: one pass over every deal row (a million at the large size), each check in
    R1's order inline rather than a call per row.
    """
    problems: list[Problem] = []
    won: dict[str, list[Deal]] = {}
    reversals: list[Deal] = []
    seen: set[str] = set()
    paid_deals, plan_of = state.paid_deals, terms.plan_of
    period = terms.period
    # Lost and open deals pay nothing (K1 counts them): they are left out
    # before sorting, which is the costly part at a million rows.
    first_day, last_day = period.first_day, period.last_day
    applied = state.applied_reversals
    for deal in in_deal_order([d for d in deals if d.status in _SETTLED_STATUSES]):
        in_period = first_day <= deal.close_date <= last_day  # period.contains, without a call
        # P1: an earlier period of the same fiscal year (a late deal or reversal)
        late = (
            not in_period and deal.close_date < first_day and terms.in_fiscal_year(deal.close_date)
        )
        if deal.status in REVERSALS:
            if deal.deal_id in applied:
                continue  # applied by an earlier final close: a repeated row
            if not (in_period or late):
                problems.append(
                    deal.loc.info(
                        f"{deal.deal_id} is dated {deal.close_date}, outside {terms.period} "
                        f"and {'after it' if deal.close_date > first_day else 'its fiscal year'}"
                        ": not clawed back in this close",
                        column="close_date",
                    )
                )
            else:
                ok, found = settled(deal, "reversal", terms)
                problems += found
                if ok:
                    reversals.append(deal)
            continue
        deal_id = deal.deal_id
        if not in_period and not (late and deal_id not in paid_deals):
            # A CRM export may repeat deals paid long ago; only unpaid ones need a word.
            if deal_id not in paid_deals:
                earlier_year = deal.close_date < first_day
                problems.append(
                    deal.loc.warning(
                        f"deal {deal_id} closed on {deal.close_date}, in an earlier fiscal "
                        "year: not paid; to settle it, add an Adjustments row for it (rules.md "
                        "P2)"
                        if earlier_year
                        else f"deal {deal_id} closed on {deal.close_date}, outside "
                        f"{terms.period}: not paid",
                        column="close_date",
                    )
                )
            continue
        already = paid_deals.get(deal_id)
        if already is not None:
            problems.append(
                deal.loc.error(
                    f"deal {deal_id} was already paid in the final close of {already.period}",
                    column="deal_id",
                )
            )
            continue
        if deal_id in seen:
            problems.append(
                deal.loc.error(
                    f"deal {deal_id} appears more than once in {terms.period}",
                    column="deal_id",
                )
            )
            continue
        seen.add(deal_id)
        partner_id = deal.partner_id
        if partner_id not in plan_of:
            ok, found = settled(deal, "deal", terms)
            problems += found
            if not ok:
                continue
        partner_deals = won.get(partner_id)
        if partner_deals is None:
            partner_deals = won[partner_id] = []
        partner_deals.append(deal)
    return (won, reversals), problems


def earlier_deals_of_fiscal_year(state: RevenueState, terms: Terms) -> dict[str, list[PaidDeal]]:
    """Deals paid in earlier periods of this fiscal year, by partner, in R1 order."""
    earlier: dict[str, list[PaidDeal]] = {}
    for paid in state.paid_deals.values():
        if paid.period < terms.period and terms.in_fiscal_year(paid.close_date):
            earlier.setdefault(paid.partner_id, []).append(paid)
    for rows in earlier.values():
        rows.sort(key=lambda d: (d.close_date, d.deal_id))
    return earlier


def applied_reversals(
    state: RevenueState, reversals: Iterable[Deal], terms: Terms
) -> Mapping[str, date]:
    """P1: the reversal rows applied so far in the fiscal year, with this close's.

    Older ones are dropped, as a reversal of an earlier year is never applied late.
    """
    kept = {
        deal_id: day
        for deal_id, day in state.applied_reversals.items()
        if terms.in_fiscal_year(day)
    }
    kept.update((row.deal_id, row.close_date) for row in reversals)
    return kept


def opening_volume(state: RevenueState, terms: Terms, partner_id: str) -> Decimal:
    """O1: the YTD volume brought in before the first close, while its fiscal year lasts."""
    found = state.opening_volume.get(partner_id)
    if found is None or terms.period < found.before:
        return ZERO
    start = terms.fiscal_start
    same_year = found.before.fiscal_year_start(start) == terms.period.fiscal_year_start(start)
    return found.amount if same_year else ZERO


def paid_as(deal: Deal) -> tuple[DealType, str]:
    """The deal registration rule: an unregistered sourced or co-sell deal is influenced."""
    if deal.deal_type in _NEEDS_REGISTRATION and not deal.registered:
        return DealType.INFLUENCED, TREATED_AS_INFLUENCED
    return deal.deal_type, ""
