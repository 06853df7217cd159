"""Cross-record checks of workbooks.md "Bad input", over already typed records.

Cell-level problems (types, ranges, missing columns) are found while reading;
here come the problems that need several records: duplicates, references,
sums, orders, and data for one partner from two sources. A data row's checks
against the program (`check_rows`) are run by the reader on each workbook, in
its worker; merging keeps the problems of the rows it keeps. Every check adds
problems and never stops early, so a user sees everything in one pass.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, replace
from decimal import Decimal
from itertools import chain
from operator import attrgetter
from typing import Protocol, TypeVar

from partnerclose.core.adjustments import check_adjustments
from partnerclose.core.currency import conversion_of, convert_deals, converted_data
from partnerclose.core.lines import Component
from partnerclose.core.opening import check_opening
from partnerclose.core.payment import account_problem, bic_problem, is_iban
from partnerclose.core.period import Period
from partnerclose.core.problems import Problem, did_you_mean_id
from partnerclose.core.records import (
    HOST,
    Basis,
    Conversion,
    Deal,
    DealStatus,
    DealType,
    Loc,
    Partner,
    PartnerStatus,
    PeriodData,
    Program,
    Submission,
    Usage,
)
from partnerclose.core.submissions import expected_partners
from partnerclose.core.validity import (
    Dated,
    in_force,
    is_dated,
    order_problems,
    overlap_problems,
)

SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
T = TypeVar("T")


def _unknown(loc: Loc, what: str, column: str, value: str, known: Iterable[str]) -> Problem:
    problem = loc.error(f'unknown {what} "{value}"' + did_you_mean_id(value, known), column)
    return replace(problem, reference=value)


def _duplicates(
    records: Sequence[T],
    key: Callable[[T], object],
    loc: Callable[[T], Loc],
    column: str,
    what: str,
) -> list[Problem]:
    keys = list(map(key, records))
    if len(set(keys)) == len(keys):  # the usual case: no record-keeping
        return []
    first: dict[object, T] = {}
    problems = []
    for record in records:
        k = key(record)
        if k in first:
            where = loc(first[k])
            shown = " / ".join(map(str, k)) if isinstance(k, tuple) else str(k)
            place = f"{where.file}:{where.sheet}!{where.cell(column)}"
            problems.append(
                loc(record).error(f"duplicate {what} {shown}, first at {place}", column)
            )
        else:
            first[k] = record
    return problems


D = TypeVar("D", bound=Dated)


def _same_key(
    records: Sequence[D], key: Callable[[D], object], column: str, what: str
) -> list[Problem]:
    """E1: rows of one key that clash.

    Plain duplicates (no validity columns) are reported at the later row, rows valid in a common
    period at both.
    """
    plain = [r for r in records if not is_dated(r)]
    return [
        *order_problems(records),
        *_duplicates(plain, key, lambda r: r.loc, column, what),
        *overlap_problems(records, key, column, what),
    ]


# Names Windows keeps for devices, with any extension (CON.xlsx opens the console).
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"} | {f"{d}{n}" for d in ("COM", "LPT") for n in range(1, 10)}
)


def is_reserved_file_name(name: str) -> bool:
    """Whether `name` (as a file name, any case, any extension) is reserved on Windows."""
    return name.split(".", 1)[0].rstrip(" ").upper() in _RESERVED


def _case_twins(partners: Sequence[Partner]) -> list[Problem]:
    """Ids that differ only in case (P001, p001): an error at each of them.

    They would name the same statement file on a case-insensitive file system.
    """
    by_folded: dict[str, list[Partner]] = {}
    for partner in partners:
        by_folded.setdefault(partner.partner_id.casefold(), []).append(partner)
    problems = []
    for twins in by_folded.values():
        ids = {p.partner_id for p in twins}
        if len(ids) < 2:
            continue
        for partner in twins:
            others = sorted(
                f"{p.partner_id} ({p.loc.sheet}!{p.loc.cell('partner_id')})"
                for p in twins
                if p.partner_id != partner.partner_id
            )
            problems.append(
                partner.loc.error(
                    f"partner_id {partner.partner_id} differs from {', '.join(others)} only "
                    "in case; their statements would overwrite each other on Windows and macOS",
                    "partner_id",
                )
            )
    return problems


@dataclass(frozen=True, slots=True)
class Validated:
    """The period's data merged from every source, and all problems found."""

    data: PeriodData
    problems: tuple[Problem, ...]


def validate(
    program: Program,
    period: Period,
    program_data: PeriodData,
    submissions: Sequence[CheckedRows],
    rejected_ids: Set[str] = frozenset(),
    deal_ids_unique: bool = False,
) -> Validated:
    """All cross-record checks.

    `submissions` are the partner workbooks of the period, their rows already
    checked (`check_rows`) by the reader. `rejected_ids` are ids of rows the
    reader reported as broken; naming them elsewhere is not reported again as
    an unknown reference. `deal_ids_unique` is True when the reader has shown
    that no two deals of any source share an id, which spares the check.
    """
    problems: list[Problem] = []
    problems += check_program(program, period)
    problems += check_opening(program, period)
    problems += check_adjustments(in_force(program, period), period)
    central = check_rows(RowContext.of(program, period), program_data)
    data, merge_problems = merge_sources(program, period, central, submissions)
    problems += merge_problems
    if not deal_ids_unique:
        problems += check_deal_ids(data.deals)
    problems = [p for p in problems if p.reference not in rejected_ids]
    return Validated(data, tuple(problems))


# --- the program sheets -----------------------------------------------------


def _check_debtor(program: Program) -> list[Problem]:
    """The company's paying account (Program keys debtor_iban, debtor_bic), at its cell."""
    settings, found = program.settings, []
    iban = settings.debtor_iban
    if iban.strip() and (not is_iban(iban) or account_problem(iban)):
        why = account_problem(iban) or f'"{iban}" is not an IBAN'
        found.append(settings.loc.error(why.replace("bank_account", "debtor_iban"), "debtor_iban"))
    if why := bic_problem(settings.debtor_bic):
        found.append(settings.loc.error(why.replace("bank_bic", "debtor_bic"), "debtor_bic"))
    return found


def check_program(program: Program, period: Period | None = None) -> list[Problem]:
    """The program sheets' own checks.

    Rows of a key valid at different times (E1) are checked over the whole workbook; sums and
    brackets over the rows in force in `period` (all rows when None).
    """
    current = program if period is None else in_force(program, period)
    partner_ids = {p.partner_id for p in program.partners}
    pool_ids = {p.pool_id for p in program.pools}
    return [
        *_check_debtor(program),
        *_check_partner_rows(program),
        *_check_pools(program, current, partner_ids, pool_ids),
        *_check_plans(program, current),
        *_same_key(program.products or (), lambda p: p.product, "product", "product"),
        *_check_milestones(program, partner_ids),
        *_check_contributions(program, partner_ids, pool_ids),
        *_check_scorecard(program),
        *_check_accounts(program),
    ]


def _check_partner_rows(program: Program) -> list[Problem]:
    """Partner ids (unique, safe as file names, not HOST), plans, dates and accounts."""
    problems: list[Problem] = []
    plans = {p.plan for p in program.plans}
    problems += _duplicates(
        program.partners, lambda p: p.partner_id, lambda p: p.loc, "partner_id", "partner_id"
    )
    problems += _case_twins(program.partners)
    for partner in program.partners:
        loc = partner.loc
        if partner.partner_id == HOST:
            problems.append(loc.error("partner_id HOST is reserved for the company", "partner_id"))
        elif not SAFE_ID.match(partner.partner_id):
            problems.append(
                loc.error(
                    f'partner_id must be 1-64 letters, digits, ".", "_" or "-", got '
                    f'"{partner.partner_id}"',
                    "partner_id",
                )
            )
        elif is_reserved_file_name(partner.partner_id):
            problems.append(
                loc.error(
                    f"partner_id {partner.partner_id} is a name Windows reserves for a device "
                    "and cannot name its statement file; choose another id",
                    "partner_id",
                )
            )
        if partner.plan not in plans:
            problems.append(_unknown(loc, "plan", "plan", partner.plan, plans))
        if partner.status is PartnerStatus.ACTIVE and partner.exit_date is not None:
            problems.append(
                loc.error(
                    "exit_date is not allowed for an active partner; set status to exiting",
                    "exit_date",
                )
            )
        if partner.status is not PartnerStatus.ACTIVE and partner.exit_date is None:
            problems.append(
                loc.error(
                    f"exit_date is required for a partner that is {partner.status}", "exit_date"
                )
            )
        if partner.start_date and partner.exit_date and partner.exit_date < partner.start_date:
            problems.append(loc.error("exit_date is before start_date", "exit_date"))
        if why := account_problem(partner.bank_account):
            problems.append(loc.error(why, "bank_account"))
        if why := bic_problem(partner.bank_bic):
            problems.append(loc.error(why, "bank_bic"))
    return problems


def _check_pools(
    program: Program, current: Program, partner_ids: set[str], pool_ids: set[str]
) -> list[Problem]:
    """Pools, their commitments (fixed shares summing to 1 in the period) and cost tiers."""
    problems: list[Problem] = []
    problems += _same_key(program.pools, lambda p: p.pool_id, "pool_id", "pool_id")
    for pool in program.pools:
        if pool.basis is Basis.HYBRID and pool.base_share is None:
            problems.append(
                pool.loc.error("base_share is required for a hybrid pool", "base_share")
            )

    problems += _same_key(
        program.commitments, lambda c: (c.partner_id, c.pool_id), "pool_id", "commitment for"
    )
    basis_of = {p.pool_id: p.basis for p in current.pools}
    fixed_sums: dict[str, Decimal] = defaultdict(Decimal)
    for commitment in current.commitments:
        loc = commitment.loc
        if commitment.partner_id != HOST and commitment.partner_id not in partner_ids:
            problems.append(
                _unknown(loc, "partner", "partner_id", commitment.partner_id, partner_ids | {HOST})
            )
        if commitment.pool_id not in pool_ids:
            problems.append(_unknown(loc, "pool", "pool_id", commitment.pool_id, pool_ids))
        elif basis_of.get(commitment.pool_id) is Basis.FIXED:
            if commitment.fixed_share is None:
                problems.append(
                    loc.error("fixed_share is required for a fixed pool", "fixed_share")
                )
            else:
                fixed_sums[commitment.pool_id] += commitment.fixed_share
    for pool in current.pools:
        if pool.basis is Basis.FIXED and pool.pool_id in fixed_sums:
            total = fixed_sums[pool.pool_id]
            if total != 1:
                problems.append(
                    pool.loc.error(
                        f"fixed shares of pool {pool.pool_id} must sum to 1, they sum to "
                        f"{total.normalize():f}",
                        "pool_id",
                    )
                )

    for tier in program.cost_tiers:
        if tier.pool_id not in pool_ids:
            problems.append(_unknown(tier.loc, "pool", "pool_id", tier.pool_id, pool_ids))
    problems += _same_key(
        program.cost_tiers, lambda t: (t.pool_id, t.min_utilization), "min_utilization", "tier for"
    )
    return problems


def _check_contributions(
    program: Program, partner_ids: set[str], pool_ids: set[str]
) -> list[Problem]:
    """In-kind contributions name a known partner and, if any, a known pool."""
    problems: list[Problem] = []
    for contribution in program.contributions:
        loc = contribution.loc
        if contribution.partner_id not in partner_ids:
            problems.append(
                _unknown(loc, "partner", "partner_id", contribution.partner_id, partner_ids)
            )
        if contribution.pool_id and contribution.pool_id not in pool_ids:
            problems.append(_unknown(loc, "pool", "pool_id", contribution.pool_id, pool_ids))
    return problems


def _check_scorecard(program: Program) -> list[Problem]:
    """Scorecard metrics: unique, a positive weight, worst and best apart."""
    problems: list[Problem] = []
    problems += _duplicates(
        program.scorecard, lambda m: m.metric, lambda m: m.loc, "metric", "scorecard metric"
    )
    for metric in program.scorecard:
        if metric.weight <= 0:
            problems.append(metric.loc.error(f"weight must be > 0, got {metric.weight}", "weight"))
        if metric.worst == metric.best:
            problems.append(metric.loc.error("worst and best must differ", "best"))
    return problems


def _check_accounts(program: Program) -> list[Problem]:
    """Account rows: one per component, each a component the journal knows."""
    problems: list[Problem] = []
    components = [c.value for c in Component]
    problems += _same_key(program.accounts, lambda a: a.component, "component", "component")
    for account in program.accounts:
        if account.component not in components:
            problems.append(
                _unknown(account.loc, "component", "component", account.component, components)
            )
    return problems


def _check_plans(program: Program, current: Program) -> list[Problem]:
    """Plans and their brackets; `current`: the rows in force in the period closed."""
    problems: list[Problem] = []
    first: dict[str, Loc] = {}
    modes: dict[str, object] = {}
    problems += order_problems(program.plans)
    problems += overlap_problems(program.plans, lambda p: p.plan, "plan", "plan")
    for plan in program.plans:
        if is_dated(plan):
            continue  # dated rows: checked for overlaps above
        if plan.plan in first:
            where = first[plan.plan]
            if modes[plan.plan] != plan.mode:
                problems.append(
                    plan.loc.error(
                        f"plan {plan.plan} has conflicting modes: {modes[plan.plan]} at "
                        f"{where.sheet}!{where.cell('mode')}, {plan.mode} here",
                        "mode",
                    )
                )
            else:
                problems.append(
                    plan.loc.error(
                        f"duplicate plan {plan.plan}, first at {where.sheet}!{where.cell('plan')}",
                        "plan",
                    )
                )
        else:
            first[plan.plan] = plan.loc
            modes[plan.plan] = plan.mode
    plans = {plan.plan for plan in program.plans}
    for tier in program.revenue_tiers:
        if tier.plan not in plans:
            problems.append(_unknown(tier.loc, "plan", "plan", tier.plan, plans))
    brackets: dict[tuple[str, DealType], list[Decimal]] = defaultdict(list)
    for tier in current.revenue_tiers:
        brackets[(tier.plan, tier.deal_type)].append(tier.from_amount)
    problems += _same_key(
        program.revenue_tiers,
        lambda t: (t.plan, t.deal_type.value, t.from_amount),
        "from_amount",
        "bracket",
    )
    checked: set[str] = set()
    for plan in current.plans:
        if plan.plan in checked:
            continue
        checked.add(plan.plan)
        for deal_type in DealType:
            amounts = brackets.get((plan.plan, deal_type))
            if amounts is not None and Decimal(0) not in amounts:
                problems.append(
                    plan.loc.error(
                        f"plan {plan.plan} has no {deal_type} bracket from 0 in RevenueTiers",
                        "plan",
                    )
                )
        if not any((plan.plan, t) in brackets for t in DealType):
            problems.append(plan.loc.error(f"plan {plan.plan} has no rows in RevenueTiers", "plan"))
    return problems


def _check_milestones(program: Program, partner_ids: set[str]) -> list[Problem]:
    problems: list[Problem] = []
    phases = {p.phase_id: p for p in program.phases}
    problems += _duplicates(
        program.phases, lambda p: p.phase_id, lambda p: p.loc, "phase_id", "phase_id"
    )
    for phase in program.phases:
        if phase.partner_id not in partner_ids:
            problems.append(
                _unknown(phase.loc, "partner", "partner_id", phase.partner_id, partner_ids)
            )
    problems += _same_key(
        program.milestones, lambda m: m.milestone_id, "milestone_id", "milestone_id"
    )
    for m in program.milestones:
        loc = m.loc
        if m.partner_id not in partner_ids:
            problems.append(_unknown(loc, "partner", "partner_id", m.partner_id, partner_ids))
        if m.phase_id:
            found = phases.get(m.phase_id)
            if found is None:
                problems.append(_unknown(loc, "phase", "phase_id", m.phase_id, phases))
            elif found.partner_id != m.partner_id:
                problems.append(
                    loc.error(
                        f"phase {m.phase_id} belongs to {found.partner_id}, not {m.partner_id}",
                        "phase_id",
                    )
                )
        rising = m.floor <= m.target <= m.cap
        falling = m.floor >= m.target >= m.cap
        if not (rising or falling) or m.floor == m.cap:
            problems.append(
                loc.error(
                    f"floor, target and cap must be in order (floor ≤ target ≤ cap, or floor ≥ "
                    f"target ≥ cap when lower is better), got {m.floor} / {m.target} / {m.cap}",
                    "target",
                )
            )
        if not m.floor_payout <= m.target_payout <= m.max_payout:
            problems.append(
                loc.error(
                    f"payouts must satisfy floor_payout ≤ target_payout ≤ max_payout, got "
                    f"{m.floor_payout} / {m.target_payout} / {m.max_payout}",
                    "target_payout",
                )
            )
        if m.retention_metric and (m.retention_target is None or m.retention_target <= 0):
            problems.append(
                loc.error(
                    "retention_target must be a number > 0 when retention_metric is set",
                    "retention_target",
                )
            )
    return problems


# --- the period's data --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RowContext:
    """What checking one data row needs to know of the program.

    Small and picklable: the reading workers check each workbook's rows while
    they are at hand, in parallel, instead of validation walking a million rows.
    """

    period: Period
    partner_ids: frozenset[str]
    pool_ids: frozenset[str]
    committed: frozenset[tuple[str, str]]
    products: frozenset[str] | None  # None: the program lists no products
    conversion: Conversion | None = None  # X1's terms (None: one currency)

    @classmethod
    def of(cls, program: Program, period: Period) -> RowContext:
        """The context of `period`: the program rows in force then (rules.md E1)."""
        program = in_force(program, period)
        return cls(
            period,
            frozenset(p.partner_id for p in program.partners),
            frozenset(p.pool_id for p in program.pools),
            frozenset((c.partner_id, c.pool_id) for c in program.commitments),
            None if program.products is None else frozenset(p.product for p in program.products),
            conversion_of(program, period),
        )


@dataclass(frozen=True, slots=True)
class CheckedRows:
    """One source's rows (the program's data sheets or a partner workbook), checked.

    `data` is what the source says; `usage_in_period` its usage without rows
    dated outside the period. Problems are kept by kind: when merging drops a
    kind of this source (the same data comes from elsewhere), they go with it.
    """

    data: PeriodData
    usage_in_period: tuple[Usage, ...] = ()
    usage_problems: tuple[Problem, ...] = ()
    deal_problems: tuple[Problem, ...] = ()
    metric_problems: tuple[Problem, ...] = ()
    campaign_problems: tuple[Problem, ...] = ()


def check_rows(context: RowContext, data: PeriodData) -> CheckedRows:
    """The checks of workbooks.md "Bad input" that look at one row at a time.

    Also duplicates of metrics and campaigns (a partner's come from one source). Deals in
    another currency are converted here (X1), once, while the rows are at hand (in the
    reading workers): the close then finds them in the program currency.
    """
    data = converted_data(context.conversion, data)
    in_period, usage_problems = _check_usage(context, data.usage)
    metric_problems = _check_partners(context, data.metrics)
    metric_problems += _duplicates(
        data.metrics, lambda m: (m.partner_id, m.metric), lambda m: m.loc, "metric", "metric"
    )
    campaign_problems = _check_partners(context, data.campaigns)
    campaign_problems += _duplicates(
        data.campaigns,
        lambda c: (c.partner_id, c.campaign_id),
        lambda c: c.loc,
        "campaign_id",
        "campaign",
    )
    return CheckedRows(
        data,
        in_period,
        tuple(usage_problems),
        tuple(_check_deals(context, data.deals)),
        tuple(metric_problems),
        tuple(campaign_problems),
    )


def _check_usage(
    context: RowContext, rows: Sequence[Usage]
) -> tuple[tuple[Usage, ...], list[Problem]]:
    period, partner_ids = context.period, context.partner_ids
    problems: list[Problem] = []
    in_period = []
    for usage in rows:
        loc = usage.loc
        if usage.date is not None and not period.contains(usage.date):
            problems.append(
                loc.warning(f"usage dated {usage.date} is outside {period}; ignored", "date")
            )
            continue
        in_period.append(usage)
        if usage.partner_id != HOST and usage.partner_id not in partner_ids:
            problems.append(
                _unknown(loc, "partner", "partner_id", usage.partner_id, partner_ids | {HOST})
            )
        elif usage.pool_id not in context.pool_ids:
            problems.append(_unknown(loc, "pool", "pool_id", usage.pool_id, context.pool_ids))
        elif (usage.partner_id, usage.pool_id) not in context.committed:
            problems.append(
                loc.error(
                    f"usage of pool {usage.pool_id} by {usage.partner_id}, which has no "
                    f"Commitments row for it",
                    "pool_id",
                )
            )
    return tuple(in_period), problems


def _check_deals(context: RowContext, deals: Sequence[Deal]) -> list[Problem]:
    partner_ids, products = context.partner_ids, context.products
    problems: list[Problem] = []
    for deal in deals:  # the usual deal passes every test of _check_deal at once
        if (
            deal.partner_id not in partner_ids
            or (products is not None and deal.product not in products)
            or (deal.status in _REVERSALS and not deal.original_deal_id)
            or (deal.created_date and deal.created_date > deal.close_date)
        ):
            problems += _check_deal(deal, partner_ids, products)
    return problems


_REVERSALS = (DealStatus.REFUNDED, DealStatus.CHURNED)


def _check_deal(deal: Deal, partner_ids: Set[str], products: Set[str] | None) -> list[Problem]:
    problems = []
    loc = deal.loc
    if deal.partner_id not in partner_ids:
        problems.append(_unknown(loc, "partner", "partner_id", deal.partner_id, partner_ids))
    if products is not None and deal.product not in products:
        problems.append(_unknown(loc, "product", "product", deal.product, products))
    if deal.status in _REVERSALS and not deal.original_deal_id:
        problems.append(
            loc.error(f"original_deal_id is required for a {deal.status} deal", "original_deal_id")
        )
    if deal.created_date and deal.created_date > deal.close_date:
        problems.append(loc.warning("created_date is after close_date", "created_date"))
    return problems


class _Row(Protocol):
    @property
    def partner_id(self) -> str: ...
    @property
    def loc(self) -> Loc: ...


def _check_partners(context: RowContext, rows: Sequence[_Row]) -> list[Problem]:
    partner_ids = context.partner_ids
    return [
        _unknown(row.loc, "partner", "partner_id", row.partner_id, partner_ids)
        for row in rows
        if row.partner_id not in partner_ids
    ]


R = TypeVar("R", bound=_Row)


def _merge_kind(
    kind: str,
    central: tuple[Sequence[R], Sequence[Problem]],
    submitted: Sequence[tuple[Sequence[R], Sequence[R], Sequence[Problem]]],
) -> tuple[tuple[R, ...], list[Problem]]:
    """Rows of one kind: central rows, plus each workbook's unless they clash.

    `central` is (rows, their problems); each of `submitted` is (rows as read,
    rows kept, their problems). Rows are copied once: a million deals.
    """
    parts = [central[0]]
    problems = list(central[1])
    first_central: dict[str, Loc] = {}
    for row in central[0]:
        first_central.setdefault(row.partner_id, row.loc)
    for read, kept, found in submitted:
        if not read:
            continue
        pid = read[0].partner_id
        where = first_central.get(pid)
        if where is None:
            parts.append(kept)
            problems += found
        else:
            problems.append(
                read[0].loc.error(
                    f"{kind} for {pid} come from two sources: this workbook and "
                    f"{where.file}:{where.sheet}; keep one"
                )
            )
    return tuple(chain.from_iterable(parts)), problems


def merge_sources(
    program: Program,
    period: Period,
    central: CheckedRows,
    submissions: Sequence[CheckedRows],
) -> tuple[PeriodData, list[Problem]]:
    """One PeriodData from the program's data sheets and the partner workbooks.

    The caller passes only partner workbooks of this period. Checked here: a
    workbook for an unknown partner, two workbooks for one partner, data of one
    kind for one partner from two sources, and active partners with nothing at
    all for the period. The problems of the rows merged come along.
    """
    problems: list[Problem] = []
    partner_ids = {p.partner_id for p in program.partners}
    by_folded = {pid.casefold(): pid for pid in partner_ids}
    seen: dict[str, Submission] = {}
    accepted: list[CheckedRows] = []
    for rows in sorted(submissions, key=lambda r: r.data.submissions[0].file):
        submission = rows.data.submissions[0]
        pid = submission.partner_id
        named = partners_named(submission.file, by_folded)
        if named and pid.casefold() not in {n.casefold() for n in named}:
            problems.append(  # this file, not the one whose partner it claims, is wrong
                submission.loc.error(
                    f"partner_id is {pid}, but the file name {submission.file} says "
                    f"{' or '.join(sorted(named))}; correct the one that is wrong (the "
                    "workbook is not read until then)",
                    "partner_id",
                )
            )
        elif pid not in partner_ids:
            problems.append(_unknown(submission.loc, "partner", "partner_id", pid, partner_ids))
        elif pid in seen:
            problems.append(
                submission.loc.error(
                    f"a second workbook for {pid} and {period}; the other is {seen[pid].file}",
                    "partner_id",
                )
            )
        else:
            seen[pid] = submission
            accepted.append(rows)

    own = central.data
    usage, found = _merge_kind(
        "Usage",
        (central.usage_in_period, central.usage_problems),
        [(r.data.usage, r.usage_in_period, r.usage_problems) for r in accepted],
    )
    problems += found
    deals, found = _merge_kind(
        "Deals",
        (own.deals, central.deal_problems),
        [(r.data.deals, r.data.deals, r.deal_problems) for r in accepted],
    )
    problems += found
    metrics, found = _merge_kind(
        "Metrics",
        (own.metrics, central.metric_problems),
        [(r.data.metrics, r.data.metrics, r.metric_problems) for r in accepted],
    )
    problems += found
    campaigns, found = _merge_kind(
        "Campaigns",
        (own.campaigns, central.campaign_problems),
        [(r.data.campaigns, r.data.campaigns, r.campaign_problems) for r in accepted],
    )
    problems += found

    # A workbook's rows are all its partner's: only the program's own rows need a look.
    own_rows: tuple[Sequence[_Row], ...] = (own.usage, own.deals, own.metrics, own.campaigns)
    reporting = {row.partner_id for rows in own_rows for row in rows}
    for partner in expected_partners(program, period):
        pid = partner.partner_id
        if pid not in seen and pid not in reporting:
            problems.append(
                partner.loc.warning(f"no submission from {pid} for {period}", "partner_id")
            )

    conversion = own.converted
    merged = PeriodData(
        usage,
        deals,
        metrics,
        campaigns,
        tuple(r.data.submissions[0] for r in accepted),
        conversion,
    )
    if any(r.data.converted != conversion for r in accepted):  # rows checked on other terms
        merged = replace(merged, deals=convert_deals(conversion, deals))
    return merged, problems


_PERIOD_IN_NAME = re.compile(r"\d{4}-\d{2}")


def partners_named(file: str, by_folded: Mapping[str, str]) -> set[str]:
    """The program's partner ids a file name says (`P003_2026-10.xlsx` says P003).

    An id counts where it stands between separators (`P001b.xlsx` names no one);
    ids may hold `.`, `_` and `-`, so runs of parts are tried whole. `by_folded`
    maps each case-folded id to the id (file names do not keep case on Windows).
    """
    stem = _PERIOD_IN_NAME.sub(" ", file.rsplit(".", 1)[0])
    bounds = [m.span() for m in re.finditer(r"[0-9A-Za-z]+", stem)]
    named = set()
    for i, (start, _) in enumerate(bounds):
        for _, end in bounds[i:]:
            found = by_folded.get(stem[start:end].casefold())
            if found is not None:
                named.add(found)
    return named


def check_deal_ids(deals: Sequence[Deal]) -> list[Problem]:
    """Deal ids are unique across every source."""
    return _duplicates(deals, _DEAL_ID, lambda d: d.loc, "deal_id", "deal_id")


_DEAL_ID = attrgetter("deal_id")
