"""The demo program, as core records (no files here); its monthly data is `months.py`.

The program is a function of a `DemoSpec` (first period, seed, size). The first twelve partners
each play a `Role`, chosen so that together they exercise every rule of rules.md in the
first period; partners after them are ordinary ("generic") partners, used for scale.

All amounts are built from integers (cents or whole units), never from binary floats.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from random import Random
from types import MappingProxyType

from partnerclose.core.key_figures import KEY_FIGURE_NAMES
from partnerclose.core.lines import Component
from partnerclose.core.period import Period
from partnerclose.core.records import (
    HOST,
    Account,
    Basis,
    Commitment,
    Contribution,
    CostTier,
    Curve,
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
    Usage,
)
from partnerclose.demo import currencies, names

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
    currencies: bool = False  # partners and deals in several currencies (demo/currencies.py)

    def to_json(self) -> str:
        size = self.size
        data: dict[str, object] = {
            "version": 1,
            "period": str(self.period),
            "seed": self.seed,
            "partners": size.partners,
            "pools": size.pools,
            "deals": size.deals,
            "usage_rows": size.usage_rows,
            "milestones": size.milestones,
        }
        if self.currencies:  # absent otherwise: a one-currency demo keeps its bytes
            data["currencies"] = True
        return json.dumps(data, sort_keys=True)

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
        return cls(
            Period.parse(str(data["period"])),
            int(data["seed"]),
            size,
            currencies=bool(data.get("currencies", False)),
        )


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
    payment_terms_days=30,
    remit_to="Northwind Traders Ltd, IBAN GB29 NWBK 6016 1331 9268 19",
    contact="partner-finance@northwind.example, +44 20 7946 0000",
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
UNIT_DECIMALS = {"DATA": 1}  # TB processed has one decimal; other units are whole

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
PRODUCT_WEIGHTS = (35, 20, 10, 15, 15, 5)
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
# A prior-period adjustment is booked through the accounts of the component it corrects.
ACCOUNTS = tuple(Account(component.value, *_ACCOUNTS[component]) for component in _ACCOUNTS)

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
    partners = tuple(
        replace(_partner(rng, i, pid, roles[pid], spec.period), bank_account=_bank_account(i))
        for i, pid in enumerate(ids)
    )
    if spec.currencies:
        partners = tuple(
            replace(partner, currency=currencies.settlement_currency(i))
            for i, partner in enumerate(partners)
        )
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
        fx_rates=currencies.fx_rates(spec.period) if spec.currencies else (),
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


def _bank_account(index: int) -> str:
    """A made-up German IBAN per partner, with valid check digits (ISO 13616), and no
    draw from the random generator, so that the demo's figures do not depend on it."""
    bban = f"370400440532{(index + 1) * 7919 % 10000:04d}{index % 100:02d}"
    check = 98 - int(bban + "131400") % 97  # "DE" as digits (D = 13, E = 14), then "00"
    iban = f"DE{check:02d}{bban}"
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


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
