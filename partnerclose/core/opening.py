"""Opening balances (rules.md O1): the history a program brings into its first close.

`OpeningBalances` and `OpeningDeals` take the place of the state a final close
would have left, in the first close only: once a final close exists, the
ledger's state is the program's history and the sheets are ignored (an info).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal

from partnerclose.core.close import CloseState
from partnerclose.core.cost_model import CostState
from partnerclose.core.milestones import MilestoneState
from partnerclose.core.money import ZERO, round_money, to_program_currency
from partnerclose.core.period import Period
from partnerclose.core.problems import Problem, did_you_mean_id
from partnerclose.core.records import (
    HOST,
    Loc,
    OpeningDeal,
    OpeningKind,
    Program,
)
from partnerclose.core.revenue import OpeningVolume, PaidDeal, RevenueState

_MILESTONE_KINDS = (
    OpeningKind.MILESTONE_PAID,
    OpeningKind.MILESTONE_HELD,
    OpeningKind.MILESTONE_DEFERRED,
)


def _shown(amount: Decimal) -> str:
    return f"{amount.normalize():f}"


def has_opening(program: Program) -> bool:
    """Whether the program brings any opening balance or deal."""
    return bool(program.opening_balances or program.opening_deals)


def _unknown(loc: Loc, what: str, column: str, value: str, known: Iterable[str]) -> Problem:
    problem = loc.error(f'unknown {what} "{value}"' + did_you_mean_id(value, known), column)
    return replace(problem, reference=value)


def check_opening(program: Program, period: Period) -> list[Problem]:
    """The sheets' checks (workbooks.md), at their cells, whether or not they count."""
    problems = _check_balances(program)
    problems += _check_deals(program, period)
    problems += _check_volumes(program, period)
    return problems


def _fiscal_deal_volume(program: Program, period: Period, partner_id: str) -> Decimal:
    """The partner's opening deals that closed in the fiscal year of `period`."""
    start = program.settings.fiscal_year_start
    fiscal = period.fiscal_year_start(start)
    return sum(
        (
            d.amount
            for d in (_paid_deal(program, deal) for deal in program.opening_deals)
            if d.partner_id == partner_id
            and Period.of(d.close_date).fiscal_year_start(start) == fiscal
        ),
        ZERO,
    )


def _check_volumes(program: Program, period: Period) -> list[Problem]:
    if any(
        (d.currency or program.settings.currency) != program.settings.currency
        and (Period.of(d.close_date), d.currency)
        not in {(r.period, r.currency) for r in program.fx_rates}
        for d in program.opening_deals
    ):
        return []  # a missing rate is reported at its deal
    problems = []
    for row in program.opening_balances:
        if row.balance is not OpeningKind.YTD_VOLUME or row.amount < 0:
            continue  # a negative volume is reported as such (_check_balances)
        in_deals = _fiscal_deal_volume(program, period, row.partner_id)
        if row.amount < in_deals:
            problems.append(
                row.loc.error(
                    f"ytd_volume {_shown(row.amount)} is less than {row.partner_id}'s opening "
                    f"deals of the fiscal year ({_shown(in_deals)}), which it includes",
                    "amount",
                )
            )
    return problems


def _check_balances(program: Program) -> list[Problem]:
    problems: list[Problem] = []
    partners = {p.partner_id for p in program.partners}
    pools = {p.pool_id for p in program.pools}
    milestones = {m.milestone_id: m for m in program.milestones}
    seen: dict[tuple[str, str, str, str], Loc] = {}
    for row in program.opening_balances:
        loc, kind = row.loc, row.balance
        if kind is OpeningKind.RESERVE_BALANCE:
            if row.partner_id != HOST:
                problems.append(
                    loc.error(
                        f"reserve_balance is the host's: partner_id must be HOST, got "
                        f"{row.partner_id}",
                        "partner_id",
                    )
                )
            # a blank (or 0) reserve_opening_balance is the default: not a second balance
            if program.settings.reserve_opening_balance:
                where = program.settings.loc
                problems.append(
                    loc.error(
                        "the reserve balance is given twice: here and as reserve_opening_balance "
                        f"at {where.sheet}!{where.cell('reserve_opening_balance')}; keep one",
                        "balance",
                    )
                )
                problems.append(
                    where.error(
                        "the reserve balance is given twice: here and as a reserve_balance row "
                        f"at {loc.sheet}!{loc.cell('balance')}; keep one",
                        "reserve_opening_balance",
                    )
                )
        elif row.partner_id not in partners:
            problems.append(_unknown(loc, "partner", "partner_id", row.partner_id, partners))
        if kind is OpeningKind.LAST_ALLOCATION:
            if not row.pool_id:
                problems.append(loc.error("last_allocation needs a pool_id", "pool_id"))
            elif row.pool_id not in pools:
                problems.append(_unknown(loc, "pool", "pool_id", row.pool_id, pools))
            if row.amount > 0:
                problems.append(
                    loc.error(
                        "last_allocation is a cost share, so negative (e.g. "
                        f"-{_shown(row.amount)}), got {_shown(row.amount)}",
                        "amount",
                    )
                )
        elif row.amount < 0:
            problems.append(loc.error(f"{kind} must be ≥ 0, got {_shown(row.amount)}", "amount"))
        if kind in _MILESTONE_KINDS:
            found = milestones.get(row.milestone_id)
            if not row.milestone_id:
                problems.append(loc.error(f"{kind} needs a milestone_id", "milestone_id"))
            elif found is None:
                problems.append(
                    _unknown(loc, "milestone", "milestone_id", row.milestone_id, milestones)
                )
            elif found.partner_id != row.partner_id:
                problems.append(
                    loc.error(
                        f"milestone {row.milestone_id} belongs to {found.partner_id}, not "
                        f"{row.partner_id}",
                        "milestone_id",
                    )
                )
        key = (row.partner_id, str(kind), row.pool_id, row.milestone_id)
        if key in seen:
            first = seen[key]
            problems.append(
                loc.error(
                    f"duplicate {kind} for {row.partner_id}, first at "
                    f"{first.sheet}!{first.cell('balance')}",
                    "balance",
                )
            )
        else:
            seen[key] = loc
    return problems


def _check_deals(program: Program, period: Period) -> list[Problem]:
    problems: list[Problem] = []
    partners = {p.partner_id for p in program.partners}
    code = program.settings.currency
    rates = {(r.period, r.currency) for r in program.fx_rates}
    seen: dict[str, Loc] = {}
    for deal in program.opening_deals:
        loc = deal.loc
        if deal.partner_id not in partners:
            problems.append(_unknown(loc, "partner", "partner_id", deal.partner_id, partners))
        if deal.close_date >= period.first_day:
            problems.append(
                loc.error(
                    f"an opening deal closed before the first close: {deal.close_date} is not "
                    f"before {period}",
                    "close_date",
                )
            )
        currency = deal.currency or code
        if currency != code and (Period.of(deal.close_date), currency) not in rates:
            problems.append(
                loc.error(
                    f"no FxRates row for {currency} in {Period.of(deal.close_date)}, the period "
                    "the deal closed in: add it, or give the deal in the program currency",
                    "currency",
                )
            )
        first = seen.get(deal.deal_id)
        if first is not None:
            problems.append(
                loc.error(
                    f"duplicate deal_id {deal.deal_id}, first at "
                    f"{first.sheet}!{first.cell('deal_id')}",
                    "deal_id",
                )
            )
        else:
            seen[deal.deal_id] = loc
    return problems


def opening_state(program: Program, period: Period) -> CloseState:
    """O1: the state the first close of `period` starts from.

    The rows are valid (check_opening). A `ytd_volume` includes the partner's opening deals of the
    fiscal year, which count as deals (true-ups, clawbacks): the rest is carried as volume alone.
    """
    settings = program.settings
    decimals = settings.decimals
    paid = {deal.deal_id: _paid_deal(program, deal) for deal in program.opening_deals}
    reserve: Decimal | None = None
    contributions: dict[str, Decimal] = {}
    allocations: dict[tuple[str, str], Decimal] = {}
    accrued: dict[str, Decimal] = defaultdict(Decimal)
    held: dict[str, Decimal] = {}
    deferred: dict[str, Decimal] = {}
    phase_spent: dict[str, Decimal] = defaultdict(Decimal)
    phase_of = {m.milestone_id: m.phase_id for m in program.milestones}
    volume: dict[str, OpeningVolume] = {}
    for row in program.opening_balances:
        amount = round_money(row.amount, decimals)
        match row.balance:
            case OpeningKind.RESERVE_BALANCE:
                reserve = amount
            case OpeningKind.RESERVE_CONTRIBUTIONS:
                contributions[row.partner_id] = amount
            case OpeningKind.LAST_ALLOCATION:
                allocations[(row.partner_id, row.pool_id)] = -amount
            case OpeningKind.YTD_VOLUME:
                in_deals = _fiscal_deal_volume(program, period, row.partner_id)
                volume[row.partner_id] = OpeningVolume(period, max(amount - in_deals, ZERO))
            case _:  # the three milestone balances
                accrued[row.milestone_id] += amount
                if row.balance is OpeningKind.MILESTONE_HELD:
                    held[row.milestone_id] = amount
                else:
                    if row.balance is OpeningKind.MILESTONE_DEFERRED:
                        deferred[row.milestone_id] = amount
                    phase = phase_of.get(row.milestone_id, "")
                    if phase:
                        phase_spent[phase] += amount
    return CloseState(
        CostState(reserve, contributions, allocations),
        RevenueState(paid_deals=paid, opening_volume=volume),
        MilestoneState(dict(accrued), held, deferred, dict(phase_spent)),
    )


def _paid_deal(program: Program, deal: OpeningDeal) -> PaidDeal:
    """An opening deal as a deal paid by an earlier final close (R4, R5)."""
    settings = program.settings
    amount, share = deal.amount, deal.revenue_share
    currency = deal.currency or settings.currency
    if currency != settings.currency:  # X1 at the average rate of the month it closed in
        month = Period.of(deal.close_date)
        rate = next(r for r in program.fx_rates if (r.period, r.currency) == (month, currency))
        amount = to_program_currency(amount, rate.average, settings.decimals)
        share = to_program_currency(share, rate.average, settings.decimals)
    else:
        amount, share = (
            round_money(amount, settings.decimals),
            round_money(share, settings.decimals),
        )
    bonus = next((p.bonus_rate for p in program.products or () if p.product == deal.product), ZERO)
    return PaidDeal(
        deal_id=deal.deal_id,
        partner_id=deal.partner_id,
        period=Period.of(deal.close_date),
        close_date=deal.close_date,
        amount=amount,
        deal_type=deal.deal_type,
        product=deal.product,
        rate=share / amount if amount else ZERO,
        share=share,
        paid=share,
        bonus_rate=bonus,
    )


def ignored_problems(program: Program, final_period: str) -> list[Problem]:
    """O1: once a final close exists, the sheets are ignored; an info at each sheet."""
    problems = []
    for rows, sheet in (
        (program.opening_balances, "OpeningBalances"),
        (program.opening_deals, "OpeningDeals"),
    ):
        if rows:
            problems.append(
                rows[0].loc.info(
                    f"{sheet} is ignored: the ledger holds a final close ({final_period}), "
                    "whose state the close starts from"
                )
            )
    return problems


def starting_state(
    program: Program, period: Period, ledger_state: CloseState, final_before: str | None
) -> tuple[CloseState, list[Problem]]:
    """O1: the state a close of `period` starts from, and what the opening balances say.

    The ledger's state when a final close exists before it (`final_before`, its period), else the
    opening balances.
    """
    if not has_opening(program):
        return ledger_state, []
    if final_before is not None:
        return ledger_state, ignored_problems(program, final_before)
    return opening_state(program, period), []
