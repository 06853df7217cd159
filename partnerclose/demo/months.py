"""A month's partner data of the demo program, as core records (no files here).

A month's partner workbooks are a function of the program (`scenario.py`), the period
and a seed: usage, deals, metrics and campaigns per partner taking part, each drawn from
a random stream of its own (seed, period, partner), so a partner's data does not change
when other partners are added. In a currency demo the deals and campaigns are then
expressed in their currencies (`currencies.py`).

All amounts are built from integers (cents or whole units), never from binary floats.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from random import Random

from partnerclose.core.participation import MembershipStage, participation
from partnerclose.core.period import Period
from partnerclose.core.records import (
    Campaign,
    Commitment,
    Deal,
    DealStatus,
    DealType,
    MetricValue,
    Milestone,
    Partner,
    Plan,
    Pool,
    Submission,
    Usage,
)
from partnerclose.demo import currencies, names
from partnerclose.demo.scenario import (
    COMPUTED_METRICS,
    LOW_MARGIN_PRODUCT,
    PRODUCT_WEIGHTS,
    PRODUCTS,
    SCORECARD_REPORTED,
    UNIT_DECIMALS,
    USAGE_BASES,
    D,
    Role,
    Scenario,
)


@dataclass(frozen=True, slots=True)
class PartnerMonth:
    """One partner workbook: its Partner sheet and its data sheets."""

    submission: Submission
    usage: tuple[Usage, ...] = ()
    deals: tuple[Deal, ...] = ()
    metrics: tuple[MetricValue, ...] = ()
    campaigns: tuple[Campaign, ...] = ()


@dataclass(slots=True, eq=False)
class _Draft:
    """A deal before it gets its id (ids follow the close dates)."""

    close: date
    product: str
    deal_type: DealType
    amount: Decimal
    status: DealStatus
    registered: bool
    created: date | None
    customer: str
    original: _Draft | None = None
    deal_id: str = ""


@dataclass(slots=True)
class _Numbers:
    period: Period
    width: int
    deals: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    campaigns: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def deal_id(self) -> str:
        return f"D-{self.period}-{next(self.deals):0{self.width}d}"

    def campaign_id(self) -> str:
        return f"C-{self.period}-{next(self.campaigns):03d}"


def _quota(total: int | None, ids: Sequence[str]) -> dict[str, int] | None:
    if total is None or not ids:
        return None
    base, extra = divmod(total, len(ids))
    return {pid: base + (1 if i < extra else 0) for i, pid in enumerate(ids)}


def partner_months(scenario: Scenario, period: Period, seed: int) -> Iterator[PartnerMonth]:
    """The partner workbooks of `period`: one per partner taking part (rules.md C1), in
    partner order. Deal and campaign ids carry the period, so periods never collide."""
    program = scenario.program
    size = scenario.spec.size
    taking_part = [
        (partner, state)
        for partner in program.partners
        if (state := participation(partner, period)).takes_part
    ]
    sellers = [
        p.partner_id for p, state in taking_part if state.stage is not MembershipStage.WIND_DOWN
    ]
    deal_quota = _quota(size.deals, sellers)
    usage_quota = _quota(size.usage_rows, [p.partner_id for p, _ in taking_part])
    numbers = _Numbers(period, max(4, len(str(size.deals or 0))))
    context = _Context.of(scenario)
    k = period.months_since(scenario.spec.period)
    for partner, state in taking_part:
        pid = partner.partner_id
        rng = Random(f"partnerclose-demo/{seed}/{period}/{pid}")
        role = scenario.roles[pid]
        usage = _usage(
            rng,
            context,
            pid,
            period,
            state.stage is MembershipStage.WIND_DOWN,
            None if usage_quota is None else usage_quota[pid],
        )
        submission = Submission(
            pid,
            period,
            prepared_by=names.PEOPLE[context.position[pid] % len(names.PEOPLE)],
            submitted_on=period.last_day,
        )
        if state.stage is MembershipStage.WIND_DOWN:  # phasing out: usage only
            yield PartnerMonth(submission, usage)
            continue
        quota = None if deal_quota is None else deal_quota[pid]
        deals = _deals(rng, pid, role, period, k, quota, numbers)
        metrics = _metrics(rng, context, pid, role, k)
        campaigns = _campaigns(rng, context, partner, role, numbers)
        if scenario.spec.currencies:
            deals, campaigns = currencies.in_currencies(
                deals,
                campaigns,
                settlement=partner.currency,
                period=period,
                demo_period=scenario.spec.period,
            )
        yield PartnerMonth(submission, usage, deals, metrics, campaigns)


@dataclass(frozen=True, slots=True)
class _Context:
    """Lookups over the program, built once per month."""

    pools: Mapping[str, Pool]
    commitments: Mapping[str, tuple[Commitment, ...]]
    milestones: Mapping[str, tuple[Milestone, ...]]
    plans: Mapping[str, Plan]
    position: Mapping[str, int]
    central: frozenset[str]

    @classmethod
    def of(cls, scenario: Scenario) -> _Context:
        program = scenario.program
        commitments: dict[str, list[Commitment]] = {}
        for row in program.commitments:
            commitments.setdefault(row.partner_id, []).append(row)
        milestones: dict[str, list[Milestone]] = {}
        for milestone in program.milestones:
            milestones.setdefault(milestone.partner_id, []).append(milestone)
        return cls(
            {pool.pool_id: pool for pool in program.pools},
            {pid: tuple(rows) for pid, rows in commitments.items()},
            {pid: tuple(rows) for pid, rows in milestones.items()},
            {plan.plan: plan for plan in program.plans},
            {p.partner_id: i for i, p in enumerate(program.partners)},
            frozenset(metric.partner_id for metric in scenario.central_metrics),
        )


# Utilization of committed capacity, in per cent, by pool (SUPPORT swings: guardrail).
_UTILIZATION = {"CRM": (55, 115), "DATA": (50, 120), "SUPPORT": (30, 160)}
_REFERENCES = {
    "CRM": ("Sales team", "Service team"),
    "DATA": ("Nightly ETL", "Ad-hoc queries"),
    "SUPPORT": ("Tier 1 tickets", "Tier 2 tickets"),
}


def _day(rng: Random, period: Period, first: int = 1, last: int | None = None) -> date:
    end = period.last_day.day if last is None else min(last, period.last_day.day)
    return date(period.year, period.month, rng.randint(first, end))


def _parts(rng: Random, total: int, count: int) -> list[int]:
    """`total` split into `count` non-negative whole parts."""
    if count <= 1:
        return [total] * count
    cuts = sorted(rng.randint(0, total) for _ in range(count - 1))
    edges = [0, *cuts, total]
    return [edges[i + 1] - edges[i] for i in range(count)]


def _usage(
    rng: Random,
    context: _Context,
    pid: str,
    period: Period,
    winding_down: bool,
    quota: int | None,
) -> tuple[Usage, ...]:
    mine = [
        row
        for row in context.commitments.get(pid, ())
        if context.pools[row.pool_id].basis in USAGE_BASES
    ]
    if not mine:
        return ()
    if quota is None:
        counts = [
            2 if row.pool_id in _REFERENCES and row.committed_capacity >= 100 else 1 for row in mine
        ]
    else:
        base, extra = divmod(quota, len(mine))
        counts = [base + (1 if i < extra else 0) for i in range(len(mine))]
    rows: list[Usage] = []
    for row, count in zip(mine, counts, strict=True):
        low, high = _UTILIZATION.get(row.pool_id, (40, 120))
        percent = rng.randint(low, high) // (2 if winding_down else 1)
        decimals = UNIT_DECIMALS.get(row.pool_id, 0)
        scale: int = 10**decimals
        total = int(row.committed_capacity) * percent * scale // 100
        references = _REFERENCES.get(row.pool_id, ("Monthly usage",))
        undated = quota is None and count == 1 and rng.randrange(4) == 0
        for i, part in enumerate(_parts(rng, total, count)):
            rows.append(
                Usage(
                    pid,
                    row.pool_id,
                    D(part) / scale if decimals else D(part),
                    None if undated else _day(rng, period),
                    references[i % len(references)],
                )
            )
    return tuple(rows)


def _near(rng: Random, amount: int, step: int = 500) -> Decimal:
    """About `amount` (within 15 %), rounded to `step`: deals negotiated in round figures."""
    return D(amount * rng.randint(85, 115) // 100 // step * step)


def _money(rng: Random) -> Decimal:
    if rng.randrange(100) < 35:
        return D(rng.randint(10, 190) * 500)
    return D(rng.randint(450_000, 9_500_000)) / 100


def _won(
    rng: Random,
    period: Period,
    amount: Decimal,
    product: str,
    deal_type: DealType,
    *,
    registered: bool = True,
    first: int = 1,
    last: int | None = None,
) -> _Draft:
    close = _day(rng, period, first, last)
    return _Draft(
        close,
        product,
        deal_type,
        amount,
        DealStatus.WON,
        registered,
        close - timedelta(days=rng.randint(14, 150)),
        rng.choice(names.CUSTOMERS),
    )


def _reversal(rng: Random, period: Period, original: _Draft, status: DealStatus) -> _Draft:
    """A refund or churn of a quarter of `original`, 7-20 days after it closed."""
    end = period.last_day
    close = min(end, original.close + timedelta(days=rng.randint(7, 20)))
    amount = (original.amount / 4).quantize(D("0.01"), rounding=ROUND_HALF_UP)
    return replace(original, close=close, amount=amount, status=status, original=original)


def _role_deals(rng: Random, role: Role, period: Period, k: int) -> list[_Draft]:
    """The deals a role is there to show; always in the demo period, at times later."""
    always = k == 0 or rng.randrange(2) == 0
    if role is Role.BIG_SELLER:
        return [
            _won(rng, period, _near(rng, 150_000), "Analytics", DealType.SOURCED),
            _won(rng, period, _near(rng, 85_000), "Core", DealType.CO_SELL),
            _won(rng, period, _near(rng, 62_500), "DataHub", DealType.SOURCED),
            _won(
                rng, period, _near(rng, 40_000), "Security", DealType.INFLUENCED, registered=False
            ),
        ]
    if role is Role.REFUND and always:
        original = _won(rng, period, _near(rng, 24_000), "Core", DealType.SOURCED, last=8)
        return [original, _reversal(rng, period, original, DealStatus.REFUNDED)]
    if role is Role.LOW_MARGIN and always:
        original = _won(
            rng, period, _near(rng, 36_000), LOW_MARGIN_PRODUCT, DealType.SOURCED, last=6
        )
        return [original, _reversal(rng, period, original, DealStatus.CHURNED)]
    if role is Role.UNREGISTERED and always:
        return [_won(rng, period, _near(rng, 18_500), "Core", DealType.SOURCED, registered=False)]
    if role is Role.COMPUTED_METRIC:  # revenue past its milestone's floor
        return [_won(rng, period, _near(rng, 90_000), "Core", DealType.CO_SELL)]
    if role is Role.EXITING:  # pipeline between its milestone's target and cap
        pipeline = _won(rng, period, _near(rng, 140_000), "Services", DealType.SOURCED)
        return [replace(pipeline, status=DealStatus.OPEN)]
    return []


_PRODUCTS = tuple(product.product for product in PRODUCTS)
_DEAL_TYPES = (DealType.SOURCED, DealType.CO_SELL, DealType.INFLUENCED)
_STATUSES = (DealStatus.WON, DealStatus.LOST, DealStatus.OPEN)


def _deal(rng: Random, period: Period, role: Role, status: DealStatus) -> _Draft:
    if role is Role.LOW_MARGIN and status is DealStatus.WON:
        product, deal_type = LOW_MARGIN_PRODUCT, DealType.SOURCED
    else:
        product = rng.choices(_PRODUCTS, PRODUCT_WEIGHTS)[0]
        deal_type = rng.choices(_DEAL_TYPES, (40, 30, 30))[0]
    if deal_type is DealType.INFLUENCED:
        registered = rng.randrange(10) == 0
    else:
        registered = rng.randrange(20) != 0
    close = _day(rng, period)
    return _Draft(
        close,
        product,
        deal_type,
        _money(rng),
        status,
        registered,
        close - timedelta(days=rng.randint(14, 150)),
        rng.choice(names.CUSTOMERS),
    )


def _deals(
    rng: Random,
    pid: str,
    role: Role,
    period: Period,
    k: int,
    quota: int | None,
    numbers: _Numbers,
) -> tuple[Deal, ...]:
    drafts = _role_deals(rng, role, period, k)
    if quota is None:
        # a lost and an open deal each month, and a few more of any status
        drafts.append(_deal(rng, period, role, DealStatus.LOST))
        drafts.append(_deal(rng, period, role, DealStatus.OPEN))
        generic = rng.randint(3, 7)
    else:
        drafts = drafts[:quota]
        generic = quota - len(drafts)
    for _ in range(generic):
        drafts.append(_deal(rng, period, role, rng.choices(_STATUSES, (55, 25, 20))[0]))
    order = sorted(range(len(drafts)), key=lambda i: (drafts[i].close, i))
    deals: list[Deal] = []
    for i in order:
        draft = drafts[i]
        draft.deal_id = numbers.deal_id()
        original = draft.original
        deals.append(
            Deal(
                partner_id=pid,
                deal_id=draft.deal_id,
                close_date=draft.close,
                product=draft.product,
                deal_type=draft.deal_type,
                amount=draft.amount,
                status=draft.status,
                registered=draft.registered,
                created_date=draft.created,
                customer=draft.customer,
                # originals close earlier, so they already have their id
                original_deal_id="" if original is None else original.deal_id,
            )
        )
    return tuple(deals)


_MDF_CAMPAIGNS = (("5000.00", True), ("4000.00", True), ("3000.00", False))


def _campaigns(
    rng: Random, context: _Context, partner: Partner, role: Role, numbers: _Numbers
) -> tuple[Campaign, ...]:
    plan = context.plans[partner.plan]
    if not plan.mdf_cofund_pct:
        return ()
    if role is Role.BIG_SELLER:  # two approved that reach the MDF cap, one not approved
        wanted = [(D(spend), approved) for spend, approved in _MDF_CAMPAIGNS]
    else:
        wanted = [
            (D(rng.randint(6, 32) * 250), rng.randrange(4) != 0) for _ in range(rng.randint(0, 2))
        ]
    return tuple(
        Campaign(
            partner.partner_id,
            numbers.campaign_id(),
            spend,
            rng.choice(names.CAMPAIGN_NAMES),
            spend * rng.randint(3, 12),
            spend * rng.randint(0, 40) / 10,
            approved,
        )
        for spend, approved in wanted
    )


# In the demo period, these (role, metric) values fall where the role needs them:
# (lowest, highest, decimals).
_FEATURE_BANDS: Mapping[tuple[Role, str], tuple[str, str, int]] = {
    (Role.BIG_SELLER, "activation_rate"): ("0.66", "0.78", 2),  # between target and cap
    (Role.BIG_SELLER, "onboarding_days"): ("12", "18", 0),  # lower is better: past target
    (Role.RETENTION, "activation_rate"): ("0.62", "0.78", 2),
    (Role.RETENTION, "customer_retention"): ("0.70", "0.84", 2),  # under target: guard bites
    (Role.DISPUTED, "certified_consultants"): ("10", "19", 0),
    (Role.REFUND, "marketplace_listings"): ("3", "9", 0),
}
_BANDS: Mapping[str, tuple[str, str, int]] = {
    "csat": ("3.4", "4.9", 1),
    "customer_retention": ("0.72", "0.96", 2),
}
_DECIMALS = {
    "activation_rate": 2,
    "win_rate": 2,
    "csat": 1,
    "onboarding_days": 0,
    "certified_consultants": 0,
    "marketplace_listings": 0,
    "integrations_live": 0,
    "nps": 0,
}
_SOURCES = {"csat": "Quarterly customer survey", "customer_retention": "Billing system"}


def _between(rng: Random, low: Decimal, high: Decimal, decimals: int) -> Decimal:
    scale: int = 10**decimals
    return D(rng.randint(int(low * scale), int(high * scale))) / scale


def _metric_value(
    rng: Random, role: Role, metric: str, k: int, levels: Milestone | None
) -> Decimal:
    band = _FEATURE_BANDS.get((role, metric)) if k == 0 else None
    band = band or _BANDS.get(metric)
    if band is not None:
        return _between(rng, D(band[0]), D(band[1]), band[2])
    decimals = _DECIMALS.get(metric, 2)
    if levels is None:
        return _between(rng, D(0), D(1), decimals)
    low, high = sorted((levels.floor, levels.cap))
    span = high - low
    # mostly between floor and cap, sometimes short of the floor or past the cap
    value = low + span * rng.randint(-10, 115) / 100
    value = value.quantize(D(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return value if value > 0 else D(0)


def _metrics(
    rng: Random, context: _Context, pid: str, role: Role, k: int
) -> tuple[MetricValue, ...]:
    if pid in context.central:
        return ()  # one source per kind of data: this partner's metrics are central
    levels: dict[str, Milestone | None] = {}
    for milestone in context.milestones.get(pid, ()):
        if milestone.metric not in COMPUTED_METRICS:
            levels.setdefault(milestone.metric, milestone)
        if milestone.retention_metric and milestone.retention_metric not in COMPUTED_METRICS:
            levels.setdefault(milestone.retention_metric, None)
    levels.setdefault(SCORECARD_REPORTED, None)
    metrics = []
    for metric, terms in levels.items():
        value = _metric_value(rng, role, metric, k, terms)
        first = k == 0
        metrics.append(
            MetricValue(
                pid,
                metric,
                value,
                verified=not (first and role is Role.REFUND and metric == "marketplace_listings"),
                disputed=first and role is Role.DISPUTED and metric == "certified_consultants",
                source=_SOURCES.get(metric, "Partner portal"),
            )
        )
    return tuple(metrics)
