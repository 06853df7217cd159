"""The demo program and its monthly data, as core records (no files here).

The program is a function of a `DemoSpec` (first period, seed, size); a month's partner
data is a function of the program, the period and a seed. The first twelve partners
each play a `Role`, chosen so that together they exercise every rule of rules.md in the
first period; partners after them are ordinary ("generic") partners, used for scale.

All amounts are built from integers (cents or whole units), never from binary floats.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from random import Random
from types import MappingProxyType

from partnerclose.core.key_figures import KEY_FIGURE_NAMES
from partnerclose.core.lines import Component
from partnerclose.core.participation import Stage, participation
from partnerclose.core.period import Period
from partnerclose.core.records import (
    HOST,
    Account,
    Basis,
    Campaign,
    Commitment,
    Contribution,
    CostTier,
    Curve,
    Deal,
    DealStatus,
    DealType,
    Gate,
    MetricValue,
    Milestone,
    Mode,
    Partner,
    PartnerStatus,
    Phase,
    Plan,
    Pool,
    Product,
    Program,
    Recurrence,
    RevenueTier,
    ScorecardMetric,
    Settings,
    Submission,
    Usage,
)
from partnerclose.demo import names

D = Decimal

# --- what the demo is built from ---------------------------------------------


@dataclass(frozen=True, slots=True)
class DemoSize:
    """How big the demo is. None: the natural size of the scenario.

    `deals` and `usage_rows` are rows per period over all partner workbooks;
    `milestones` is the number of Milestones rows; `pools` the number of CostPools rows.
    """

    partners: int = 12
    pools: int | None = None
    deals: int | None = None
    usage_rows: int | None = None
    milestones: int | None = None

    def __post_init__(self) -> None:
        if self.partners < 1:
            raise ValueError(f"partners must be at least 1, got {self.partners}")
        for name in ("pools", "deals", "usage_rows", "milestones"):
            value = getattr(self, name)
            if value is not None and value < (1 if name == "pools" else 0):
                raise ValueError(f"{name} must not be negative or zero, got {value}")


@dataclass(frozen=True, slots=True)
class DemoSpec:
    """Everything the program is generated from; stored in the program workbook so that
    the partner workbooks of other periods can be generated for the same program."""

    period: Period
    seed: int = 7
    size: DemoSize = field(default_factory=DemoSize)

    def to_json(self) -> str:
        size = self.size
        return json.dumps(
            {
                "version": 1,
                "period": str(self.period),
                "seed": self.seed,
                "partners": size.partners,
                "pools": size.pools,
                "deals": size.deals,
                "usage_rows": size.usage_rows,
                "milestones": size.milestones,
            },
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> DemoSpec:
        data = json.loads(text)
        size = DemoSize(
            partners=int(data["partners"]),
            pools=data.get("pools"),
            deals=data.get("deals"),
            usage_rows=data.get("usage_rows"),
            milestones=data.get("milestones"),
        )
        return cls(Period.parse(str(data["period"])), int(data["seed"]), size)


class Role(StrEnum):
    """What a partner of the scenario is there to show (partners 1-12, in this order)."""

    BIG_SELLER = "big seller"
    RETENTION = "retention guard"
    DISPUTED = "disputed metric"
    REFUND = "refund"
    CENTRAL_METRICS = "central metrics"
    LOW_MARGIN = "low margin"
    UNREGISTERED = "unregistered deal"
    EXITING = "exiting"
    COMPUTED_METRIC = "computed metric"
    NEW_JOINER = "new joiner"
    EXITING_NEXT = "exiting next month"
    EXITED = "exited"
    GENERIC = "generic"


ROLE_ORDER: tuple[Role, ...] = tuple(role for role in Role if role is not Role.GENERIC)

ROLE_NOTES: Mapping[Role, str] = MappingProxyType(
    {
        Role.BIG_SELLER: "Gold (marginal): deals cross the 100k and 250k brackets and the "
        "period cap; MDF cap reached, one campaign unapproved; milestones in phase PH1 "
        "(budget reached), one lower-is-better; in-kind credit against CRM",
        Role.RETENTION: "Silver (retroactive): true-up once YTD crosses 100k; diminishing "
        "milestone with a retention guard",
        Role.DISPUTED: "Gold: step milestone in phase PH2 (adjust) on a disputed metric "
        "(interim payment); in-kind credit against DATA",
        Role.REFUND: "Bronze: a refund of a deal won earlier in the month (clawback); a "
        "milestone on an unverified metric (held)",
        Role.CENTRAL_METRICS: "Silver: metrics come from the program workbook (third-party "
        "verified); milestone in phase PH3 (pause)",
        Role.LOW_MARGIN: "Gold: sells the low-margin EdgeBox (margin warning); a churned deal",
        Role.UNREGISTERED: "Bronze: an unregistered sourced deal (paid as influenced); "
        "in-kind credit against its total allocation",
        Role.EXITING: "Silver: exits in the demo period with a wind-down fee and 2 months "
        "of wind-down; fixed share in AUDIT",
        Role.COMPUTED_METRIC: "Gold: milestone on the computed metric revenue",
        Role.NEW_JOINER: "Bronze: starts in the demo period",
        Role.EXITING_NEXT: "Silver: exits the month after the demo period (reserve refund)",
        Role.EXITED: "Gold: exited months ago; takes no part",
        Role.GENERIC: "an ordinary partner",
    }
)

# --- the program ---------------------------------------------------------------

SETTINGS = Settings(
    program_name=names.PROGRAM_NAME,
    currency="USD",
    decimals=2,
    fiscal_year_start=1,
    partner_folder="partners",
    reserve_opening_balance=D("20000.00"),
    reserve_fixed_contribution=D("250.00"),
    reserve_savings_pct=D("0.10"),
    # After the DATA draw (1,500.00) only 1,500.00 fits: contributions are scaled down.
    reserve_cap=D("20000.00"),
    clawback_days=90,
    interim_payment_pct=D("0.50"),
    shock_factor=D("1"),
    max_margin_share=D("0.50"),
    renegotiation_below=D("40"),
    upgrade_at=D("75"),
)

FEATURE_POOLS = (
    Pool("CRM", "CRM licences", D("12000.00"), Basis.USAGE, owner="Sales Operations", unit="seats"),
    Pool(
        "DATA",
        "Data platform",
        D("21500.00"),
        Basis.HYBRID,
        owner="Data Engineering",
        budget=D("20000.00"),
        base_share=D("0.60"),
        unit="TB processed",
    ),
    Pool(
        "SUPPORT",
        "Partner support desk",
        D("7800.00"),
        Basis.USAGE,
        owner="Customer Success",
        max_change_pct=D("0.25"),
        unit="tickets",
    ),
    Pool(
        "PLATFORM",
        "Cloud hosting",
        D("18400.00"),
        Basis.CAPACITY,
        owner="IT Infrastructure",
        unit="vCPU",
    ),
    Pool(
        "OFFICE",
        "Shared office, Berlin",
        D("9000.00"),
        Basis.EQUAL,
        owner="Facilities",
        budget=D("9500.00"),
    ),
    Pool("AUDIT", "Compliance audit (monthly accrual)", D("4250.00"), Basis.FIXED, owner="Finance"),
)

FEATURE_TIERS = (
    CostTier("CRM", D("0.80"), D("0.90")),
    CostTier("CRM", D("1.00"), D("0.85")),
    CostTier("DATA", D("0.90"), D("0.95")),
)

USAGE_BASES = (Basis.USAGE, Basis.HYBRID)

_HOST_CAPACITY = {"CRM": 600, "DATA": 600, "SUPPORT": 300, "PLATFORM": 256, "OFFICE": 0, "AUDIT": 0}
# HOST's own usage, from the program workbook's Usage sheet: undated, so it counts in
# whatever period is closed (the program workbook does not change month to month).
_HOST_USAGE = {
    "CRM": (D(500), "Internal sales and service teams"),
    "DATA": (D(1000), "Internal analytics"),
    "SUPPORT": (D(180), "Direct customers"),
}
_UNIT_DECIMALS = {"DATA": 1}  # TB processed has one decimal; other units are whole

# (pool, committed capacity, standalone cost, fixed share)
_Entry = tuple[str, int, str | None, str | None]
_ROLE_COMMITMENTS: Mapping[Role, tuple[_Entry, ...]] = {
    Role.BIG_SELLER: (
        ("CRM", 350, "5000.00", None),
        ("DATA", 300, None, None),
        ("SUPPORT", 120, "2500.00", None),
        ("PLATFORM", 64, "6000.00", None),
        ("OFFICE", 0, "3000.00", None),
        ("AUDIT", 0, None, "0.20"),
    ),
    Role.RETENTION: (
        ("CRM", 150, "2400.00", None),
        ("DATA", 100, None, None),
        ("SUPPORT", 60, None, None),
        ("OFFICE", 0, "2500.00", None),
    ),
    Role.DISPUTED: (
        ("CRM", 200, "3000.00", None),
        ("DATA", 150, None, None),
        ("PLATFORM", 48, None, None),
        ("AUDIT", 0, None, "0.15"),
    ),
    Role.REFUND: (
        ("CRM", 80, "1500.00", None),
        ("SUPPORT", 40, None, None),
        ("OFFICE", 0, "2000.00", None),
    ),
    Role.CENTRAL_METRICS: (
        ("CRM", 120, None, None),
        ("DATA", 80, None, None),
        ("PLATFORM", 32, None, None),
    ),
    Role.LOW_MARGIN: (
        ("CRM", 180, "2800.00", None),
        ("DATA", 120, None, None),
        ("SUPPORT", 90, None, None),
        ("AUDIT", 0, None, "0.15"),
    ),
    Role.UNREGISTERED: (
        ("CRM", 60, None, None),
        ("SUPPORT", 30, None, None),
        ("OFFICE", 0, None, None),
    ),
    Role.EXITING: (
        ("CRM", 100, None, None),
        ("PLATFORM", 40, None, None),
        ("OFFICE", 0, None, None),
        ("AUDIT", 0, None, "0.10"),
    ),
    Role.COMPUTED_METRIC: (
        ("CRM", 140, "2200.00", None),
        ("DATA", 90, None, None),
        ("PLATFORM", 24, None, None),
    ),
    Role.NEW_JOINER: (
        ("CRM", 50, None, None),
        ("SUPPORT", 20, None, None),
        ("OFFICE", 0, None, None),
    ),
    Role.EXITING_NEXT: (
        ("CRM", 90, "1600.00", None),
        ("SUPPORT", 50, None, None),
        ("PLATFORM", 16, None, None),
    ),
    Role.EXITED: (),
}

_ROLE_PLAN = {
    Role.BIG_SELLER: "Gold",
    Role.RETENTION: "Silver",
    Role.DISPUTED: "Gold",
    Role.REFUND: "Bronze",
    Role.CENTRAL_METRICS: "Silver",
    Role.LOW_MARGIN: "Gold",
    Role.UNREGISTERED: "Bronze",
    Role.EXITING: "Silver",
    Role.COMPUTED_METRIC: "Gold",
    Role.NEW_JOINER: "Bronze",
    Role.EXITING_NEXT: "Silver",
    Role.EXITED: "Gold",
}
_GENERIC_PLANS = ("Gold", "Silver", "Bronze", "Silver", "Bronze")

# Months before the demo period when the partner started (None: no start date).
_ROLE_START = {
    Role.BIG_SELLER: 40,
    Role.RETENTION: 28,
    Role.REFUND: 14,
    Role.LOW_MARGIN: 20,
    Role.UNREGISTERED: 9,
    Role.EXITING: 33,
    Role.NEW_JOINER: 0,
    Role.EXITING_NEXT: 18,
    Role.EXITED: 30,
}

PLANS = (
    Plan("Gold", Mode.MARGINAL, D("25000.00"), D("0.50"), D("4000.00")),
    Plan("Silver", Mode.RETROACTIVE, D("15000.00"), D("0.40"), D("2500.00")),
    Plan("Bronze", Mode.MARGINAL),
)

_BRACKETS: Mapping[str, Mapping[DealType, tuple[tuple[str, str], ...]]] = {
    "Gold": {
        DealType.SOURCED: (("0", "0.10"), ("100000", "0.15"), ("250000", "0.20")),
        DealType.CO_SELL: (("0", "0.07"), ("150000", "0.10")),
        DealType.INFLUENCED: (("0", "0.03"),),
    },
    "Silver": {
        DealType.SOURCED: (("0", "0.08"), ("100000", "0.12")),
        DealType.CO_SELL: (("0", "0.05"), ("100000", "0.08")),
        DealType.INFLUENCED: (("0", "0.02"),),
    },
    "Bronze": {
        DealType.SOURCED: (("0", "0.06"),),
        DealType.CO_SELL: (("0", "0.04"), ("200000", "0.05")),
        DealType.INFLUENCED: (("0", "0.015"),),
    },
}
REVENUE_TIERS = tuple(
    RevenueTier(plan, deal_type, D(start), D(rate))
    for plan, by_type in _BRACKETS.items()
    for deal_type, brackets in by_type.items()
    for start, rate in brackets
)

PRODUCTS = (
    Product("Core", D("0.80")),
    Product("Analytics", D("0.75"), D("0.02")),
    Product("DataHub", D("0.70"), D("0.03")),  # co-created with partners: bonus rate
    Product("Security", D("0.85"), D("0.01")),
    Product("Services", D("0.35")),
    Product("EdgeBox", D("0.15")),  # hardware: thin margin
)
_PRODUCT_WEIGHTS = (35, 20, 10, 15, 15, 5)
LOW_MARGIN_PRODUCT = "EdgeBox"


def _m(
    metric: str, levels: tuple[str, str, str], payouts: tuple[str, str, str], **terms: object
) -> Milestone:
    floor, target, cap = (D(x) for x in levels)
    low, mid, high = (D(x) for x in payouts)
    return Milestone("", "", metric, floor, target, cap, low, mid, high, **terms)  # type: ignore[arg-type]


# Milestones of the scenario, by the role of the partner they belong to.
_FEATURE_MILESTONES: tuple[tuple[Role, Milestone], ...] = (
    (
        Role.BIG_SELLER,
        _m(
            "activation_rate",
            ("0.40", "0.60", "0.80"),
            ("2000.00", "10000.00", "15000.00"),
            phase_id="PH1",
        ),
    ),
    (
        Role.BIG_SELLER,
        _m(
            "onboarding_days",
            ("30", "20", "10"),
            ("1000.00", "5000.00", "8000.00"),
            phase_id="PH1",
            recurrence=Recurrence.MONTHLY,
        ),
    ),
    (
        Role.RETENTION,
        _m(
            "activation_rate",
            ("0.40", "0.60", "0.80"),
            ("2000.00", "10000.00", "15000.00"),
            curve=Curve.DIMINISHING,
            retention_metric="customer_retention",
            retention_target=D("0.85"),
        ),
    ),
    (
        Role.DISPUTED,
        _m(
            "certified_consultants",
            ("5", "10", "20"),
            ("1000.00", "4000.00", "6000.00"),
            phase_id="PH2",
            curve=Curve.STEP,
        ),
    ),
    (Role.REFUND, _m("marketplace_listings", ("2", "5", "10"), ("500.00", "2000.00", "3000.00"))),
    (
        Role.CENTRAL_METRICS,
        _m(
            "nps", ("20", "40", "60"), ("0.00", "3000.00", "5000.00"), recurrence=Recurrence.MONTHLY
        ),
    ),
    (
        Role.CENTRAL_METRICS,
        _m(
            "integrations_live",
            ("1", "3", "6"),
            ("1000.00", "3000.00", "4500.00"),
            phase_id="PH3",
            curve=Curve.STEP,
        ),
    ),
    (
        Role.COMPUTED_METRIC,
        _m(
            "revenue",
            ("50000", "150000", "300000"),
            ("0.00", "2500.00", "5000.00"),
            recurrence=Recurrence.MONTHLY,
            verification_required=False,
        ),
    ),
    (
        Role.EXITING,
        _m(
            "pipeline",
            ("50000", "100000", "200000"),
            ("500.00", "1500.00", "2500.00"),
            curve=Curve.DIMINISHING,
            verification_required=False,
        ),
    ),
)

# Milestones added round-robin when a benchmark asks for more.
_GENERIC_MILESTONES = (
    _m(
        "revenue",
        ("20000", "60000", "120000"),
        ("0.00", "1500.00", "3000.00"),
        recurrence=Recurrence.MONTHLY,
        verification_required=False,
    ),
    _m(
        "deals_won",
        ("2", "5", "10"),
        ("250.00", "1000.00", "2000.00"),
        curve=Curve.STEP,
        verification_required=False,
    ),
    _m(
        "win_rate",
        ("0.20", "0.40", "0.60"),
        ("500.00", "1500.00", "2500.00"),
        curve=Curve.DIMINISHING,
        recurrence=Recurrence.MONTHLY,
        verification_required=False,
    ),
    _m("activation_rate", ("0.40", "0.60", "0.80"), ("1000.00", "4000.00", "6000.00")),
    _m("csat", ("3.5", "4.2", "4.7"), ("0.00", "750.00", "1250.00"), recurrence=Recurrence.MONTHLY),
)

_FEATURE_PHASES = (
    (Role.BIG_SELLER, Phase("PH1", "", Gate.PROCEED, "Launch", D("15000.00"))),
    (Role.DISPUTED, Phase("PH2", "", Gate.ADJUST, "Enablement")),
    (Role.CENTRAL_METRICS, Phase("PH3", "", Gate.PAUSE, "Expansion", D("10000.00"))),
)

_FEATURE_CONTRIBUTIONS = (
    (Role.BIG_SELLER, Contribution("", D(1), D("1000.00"), "CRM", "data access", D("0.25"))),
    (Role.DISPUTED, Contribution("", D(40), D("95.00"), "DATA", "engineering hours")),
    (Role.UNREGISTERED, Contribution("", D(12), D("125.00"), "", "channel leverage", D("0.10"))),
)

SCORECARD = (
    ScorecardMetric("win_rate", D(2), D("0.10"), D("0.50")),
    ScorecardMetric("days_to_close", D(1), D(90), D(20)),  # lower is better
    ScorecardMetric("csat", D(1), D("3.0"), D("4.8")),
    ScorecardMetric("utilization", D(1), D("0.50"), D("1.00")),
)

# General-ledger accounts of every component: a demo close warns only of what a
# user should look at (a missing mapping is exercised by tests/core/test_journal.py).
_ACCOUNTS = {
    Component.COST_SHARE: ("1250", "6150"),
    Component.GUARDRAIL: ("6150", "1250"),
    Component.IN_KIND_CREDIT: ("6150", "1250"),  # borne by the host, like a guardrail credit
    Component.RESERVE_CONTRIBUTION: ("1250", "2450"),
    Component.RESERVE_REFUND: ("2450", "2150"),
    Component.WIND_DOWN_FEE: ("1250", "4950"),
    Component.REVENUE_SHARE: ("5200", "2150"),
    Component.TRUE_UP: ("5200", "2150"),
    Component.CLAWBACK: ("2150", "5200"),
    Component.REVENUE_CAP: ("2150", "5200"),
    Component.MDF: ("6400", "2150"),
    Component.MILESTONE: ("5300", "2150"),
    Component.MILESTONE_RELEASE: ("5300", "2150"),
    Component.DEFERRED_RELEASE: ("5300", "2150"),
    Component.ADJUSTMENT: ("5900", "2150"),  # a manual credit: expense, owed to the partner
}
ACCOUNTS = tuple(Account(component.value, *_ACCOUNTS[component]) for component in Component)

# Names computed by the engine (rules.md K1): never reported in Metrics.
COMPUTED_METRICS = frozenset(KEY_FIGURE_NAMES)
SCORECARD_REPORTED = "csat"

# Central, third-party-verified metrics of the CENTRAL_METRICS partner (program workbook).
_CENTRAL_METRICS = (("nps", D(47)), ("integrations_live", D(4)), ("csat", D("4.4")))
CENTRAL_SOURCE = "Independent survey panel (third-party verified)"


@dataclass(frozen=True, slots=True)
class Scenario:
    spec: DemoSpec
    program: Program
    roles: Mapping[str, Role]
    host_usage: tuple[Usage, ...]
    central_metrics: tuple[MetricValue, ...]

    def partner_of(self, role: Role) -> str | None:
        for partner_id, partner_role in self.roles.items():
            if partner_role is role:
                return partner_id
        return None


def partner_ids(count: int) -> list[str]:
    width = max(3, len(str(count)))
    return [f"P{i:0{width}d}" for i in range(1, count + 1)]


def build_scenario(spec: DemoSpec) -> Scenario:
    """The demo program for `spec`: same spec, same program."""
    size = spec.size
    rng = Random(f"partnerclose-demo/program/{spec.seed}")
    ids = partner_ids(size.partners)
    roles = {
        pid: ROLE_ORDER[i] if i < len(ROLE_ORDER) else Role.GENERIC for i, pid in enumerate(ids)
    }
    by_role = {role: pid for pid, role in roles.items() if role is not Role.GENERIC}
    partners = tuple(_partner(rng, i, pid, roles[pid], spec.period) for i, pid in enumerate(ids))
    pools, host_capacity = _pools(rng, size.pools)
    pool_ids = {pool.pool_id for pool in pools}
    commitments = _commitments(rng, partners, roles, pools, host_capacity)
    tiers = tuple(tier for tier in _tiers(pools) if tier.pool_id in pool_ids)
    milestones = _milestones(partners, roles, size.milestones)
    phases = tuple(
        replace(phase, partner_id=by_role[role])
        for role, phase in _FEATURE_PHASES
        if role in by_role
    )
    contributions = tuple(
        replace(contribution, partner_id=by_role[role])
        for role, contribution in _FEATURE_CONTRIBUTIONS
        if role in by_role and (not contribution.pool_id or contribution.pool_id in pool_ids)
    )
    program = Program(
        settings=SETTINGS,
        partners=partners,
        pools=pools,
        commitments=commitments,
        cost_tiers=tiers,
        plans=PLANS,
        revenue_tiers=REVENUE_TIERS,
        products=PRODUCTS,
        milestones=milestones,
        phases=phases,
        contributions=contributions,
        scorecard=SCORECARD,
        accounts=ACCOUNTS,
    )
    host_usage = tuple(
        Usage(HOST, pool.pool_id, *_host_usage(pool, host_capacity))
        for pool in pools
        if pool.basis in USAGE_BASES
    )
    central = by_role.get(Role.CENTRAL_METRICS)
    central_metrics = (
        ()
        if central is None
        else tuple(
            MetricValue(central, metric, value, verified=True, source=CENTRAL_SOURCE)
            for metric, value in _CENTRAL_METRICS
        )
    )
    return Scenario(spec, program, MappingProxyType(roles), host_usage, central_metrics)


def _host_usage(pool: Pool, host_capacity: Mapping[str, int]) -> tuple[Decimal, None, str]:
    if pool.pool_id in _HOST_USAGE:
        units, reference = _HOST_USAGE[pool.pool_id]
        return units, None, reference
    return D(host_capacity[pool.pool_id] * 4 // 5), None, "Internal use"


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def partner_name(index: int) -> str:
    if index < len(names.PARTNER_NAMES):
        return names.PARTNER_NAMES[index]
    j = index - len(names.PARTNER_NAMES)
    first = names.NAME_FIRST[j % len(names.NAME_FIRST)]
    second = names.NAME_SECOND[(j // len(names.NAME_FIRST)) % len(names.NAME_SECOND)]
    rounds = j // (len(names.NAME_FIRST) * len(names.NAME_SECOND))
    return f"{first} {second}" + (f" {rounds + 1}" if rounds else "")


def _partner(rng: Random, index: int, pid: str, role: Role, period: Period) -> Partner:
    name = partner_name(index)
    email = f"finance@{_slug(name)}.example"
    if role is Role.GENERIC:
        plan = _GENERIC_PLANS[index % len(_GENERIC_PLANS)]
        months = rng.randint(3, 36) if rng.randrange(2) else None
    else:
        plan = _ROLE_PLAN[role]
        months = _ROLE_START.get(role)
    start = None if months is None else period.shift(-months).first_day
    if role is Role.EXITING:
        exit_day = date(period.year, period.month, 15)
        return Partner(
            pid, name, plan, PartnerStatus.EXITING, start, exit_day, 2, D("1500.00"), email
        )
    if role is Role.EXITING_NEXT:
        following = period.shift(1)
        exit_day = date(following.year, following.month, 15)
        return Partner(
            pid, name, plan, PartnerStatus.EXITING, start, exit_day, 0, D("750.00"), email
        )
    if role is Role.EXITED:
        return Partner(
            pid, name, plan, PartnerStatus.EXITED, start, period.shift(-6).last_day, 0, D(0), email
        )
    return Partner(pid, name, plan, PartnerStatus.ACTIVE, start, email=email)


def _pools(rng: Random, count: int | None) -> tuple[tuple[Pool, ...], dict[str, int]]:
    wanted = len(FEATURE_POOLS) if count is None else count
    pools = list(FEATURE_POOLS[:wanted])
    host_capacity = dict(_HOST_CAPACITY)
    bases = (Basis.USAGE, Basis.CAPACITY, Basis.EQUAL, Basis.FIXED, Basis.HYBRID)
    for number in range(len(pools) + 1, wanted + 1):
        j = number - len(FEATURE_POOLS) - 1
        base_name = names.POOL_NAMES[j % len(names.POOL_NAMES)]
        rounds = j // len(names.POOL_NAMES)
        basis = bases[j % len(bases)]
        pool_id = f"POOL{number:02d}"
        pools.append(
            Pool(
                pool_id,
                base_name + (f" {rounds + 1}" if rounds else ""),
                D(rng.randint(40, 1200) * 50),
                basis,
                owner="Operations",
                base_share=D("0.50") if basis is Basis.HYBRID else None,
                unit="units" if basis in USAGE_BASES else "",
            )
        )
        host_capacity[pool_id] = rng.randint(100, 800)
    return tuple(pools), host_capacity


def _tiers(pools: Sequence[Pool]) -> Iterator[CostTier]:
    yield from FEATURE_TIERS
    for number, pool in enumerate(pools, start=1):
        if number > len(FEATURE_POOLS) and pool.basis is Basis.USAGE and number % 3 == 0:
            yield CostTier(pool.pool_id, D("0.90"), D("0.92"))


_GENERIC_FEATURE_POOLS = (
    ("DATA", 40, 200),
    ("SUPPORT", 10, 80),
    ("PLATFORM", 8, 48),
    ("OFFICE", 0, 0),
)
_MAX_FIXED_PARTNERS = 20


def _generic_entries(rng: Random, pools: Sequence[Pool]) -> list[_Entry]:
    crm = rng.randint(40, 300)
    standalone = str(crm * rng.randint(12, 20) // 10 * 10) if rng.randrange(2) else None
    entries: list[_Entry] = [("CRM", crm, standalone, None)]
    for pool_id, low, high in _GENERIC_FEATURE_POOLS:
        if rng.randrange(100) < 35:
            entries.append((pool_id, rng.randint(low, high), None, None))
    extra = list(pools[len(FEATURE_POOLS) :])
    for pool in rng.sample(extra, min(len(extra), rng.randint(2, 5))):
        share = f"0.0{rng.randint(1, 4)}" if pool.basis is Basis.FIXED else None
        entries.append((pool.pool_id, rng.randint(20, 200), None, share))
    return entries


def _commitments(
    rng: Random,
    partners: Sequence[Partner],
    roles: Mapping[str, Role],
    pools: Sequence[Pool],
    host_capacity: Mapping[str, int],
) -> tuple[Commitment, ...]:
    by_pool: dict[str, list[Commitment]] = {pool.pool_id: [] for pool in pools}
    basis_of = {pool.pool_id: pool.basis for pool in pools}
    for partner in partners:
        role = roles[partner.partner_id]
        entries = _generic_entries(rng, pools) if role is Role.GENERIC else _ROLE_COMMITMENTS[role]
        for pool_id, capacity, standalone, share in entries:
            rows = by_pool.get(pool_id)
            if rows is None:
                continue
            if basis_of[pool_id] is Basis.FIXED and len(rows) >= _MAX_FIXED_PARTNERS:
                continue  # keep fixed pools to a few named shareholders
            rows.append(
                Commitment(
                    partner.partner_id,
                    pool_id,
                    D(capacity),
                    None if share is None else D(share),
                    None if standalone is None else D(standalone),
                )
            )
    result: list[Commitment] = []
    for pool in pools:
        rows = by_pool[pool.pool_id]
        host_share = None
        if pool.basis is Basis.FIXED:
            # HOST holds what the partners do not, so the shares sum to exactly 1.
            host_share = D(1) - sum((row.fixed_share or D(0) for row in rows), D(0))
        result.append(Commitment(HOST, pool.pool_id, D(host_capacity[pool.pool_id]), host_share))
        result.extend(rows)
    return tuple(result)


def _milestones(
    partners: Sequence[Partner], roles: Mapping[str, Role], count: int | None
) -> tuple[Milestone, ...]:
    by_role = {role: pid for pid, role in roles.items() if role is not Role.GENERIC}
    chosen = [
        replace(terms, partner_id=by_role[role])
        for role, terms in _FEATURE_MILESTONES
        if role in by_role
    ]
    if count is not None:
        chosen = chosen[:count]
        # active partners that report their own metrics
        eligible = [
            p.partner_id
            for p in partners
            if p.status is PartnerStatus.ACTIVE and roles[p.partner_id] is not Role.CENTRAL_METRICS
        ] or [partners[0].partner_id]
        generic = [p for p in eligible if roles[p] is Role.GENERIC] + [
            p for p in eligible if roles[p] is not Role.GENERIC
        ]
        for m in range(count - len(chosen)):
            template = _GENERIC_MILESTONES[(m // len(generic)) % len(_GENERIC_MILESTONES)]
            chosen.append(replace(template, partner_id=generic[m % len(generic)]))
    width = max(3, len(str(len(chosen))))
    return tuple(
        replace(milestone, milestone_id=f"M{number:0{width}d}")
        for number, milestone in enumerate(chosen, start=1)
    )


# --- a month's data ----------------------------------------------------------------


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
    sellers = [p.partner_id for p, state in taking_part if state.stage is not Stage.WIND_DOWN]
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
            state.stage is Stage.WIND_DOWN,
            None if usage_quota is None else usage_quota[pid],
        )
        submission = Submission(
            pid,
            period,
            prepared_by=names.PEOPLE[context.position[pid] % len(names.PEOPLE)],
            submitted_on=period.last_day,
        )
        if state.stage is Stage.WIND_DOWN:  # phasing out: usage only
            yield PartnerMonth(submission, usage)
            continue
        quota = None if deal_quota is None else deal_quota[pid]
        deals = _deals(rng, pid, role, period, k, quota, numbers)
        metrics = _metrics(rng, context, pid, role, k)
        campaigns = _campaigns(rng, context, partner, role, numbers)
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
        decimals = _UNIT_DECIMALS.get(row.pool_id, 0)
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
        product = rng.choices(_PRODUCTS, _PRODUCT_WEIGHTS)[0]
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
