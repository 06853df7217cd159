"""Typed, immutable records of the program and partner workbooks (workbooks.md).

Readers build these; the engines compute on them. Every record keeps where it
came from (`loc`), which takes no part in equality, so the same program read
from files or from in-memory grids gives equal records.
"""

from __future__ import annotations

import copyreg
import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from operator import attrgetter
from types import MappingProxyType
from typing import TypeVar, cast

from partnerclose.core.period import Period
from partnerclose.core.problems import Problem, Severity

HOST = "HOST"


class PartnerStatus(StrEnum):
    """A partner's status in the Partners sheet."""

    ACTIVE = "active"
    EXITING = "exiting"
    EXITED = "exited"


class Basis(StrEnum):
    """C2: how a cost pool is split among its participants."""

    USAGE = "usage"
    CAPACITY = "capacity"
    EQUAL = "equal"
    FIXED = "fixed"
    HYBRID = "hybrid"


class Mode(StrEnum):
    """R3/R4: how a plan's brackets pay, graduated (marginal) or all at the rate reached."""

    MARGINAL = "marginal"
    RETROACTIVE = "retroactive"


class Engine(StrEnum):
    """What runs the row-level revenue rules: the exact Decimal core, DuckDB or Spark."""

    DECIMAL = "decimal"
    DUCKDB = "duckdb"
    SPARK = "spark"


class DealType(StrEnum):
    """How a deal came about; it picks the plan's brackets (R2)."""

    SOURCED = "sourced"
    CO_SELL = "co-sell"
    INFLUENCED = "influenced"


class DealStatus(StrEnum):
    """A deal's status: won deals are paid (R1), refunded and churned ones clawed back (R5)."""

    WON = "won"
    LOST = "lost"
    OPEN = "open"
    REFUNDED = "refunded"
    CHURNED = "churned"


class Curve(StrEnum):
    """M1: the shape of a milestone's payout between floor, target and cap."""

    LINEAR = "linear"
    DIMINISHING = "diminishing"
    STEP = "step"


class Recurrence(StrEnum):
    """M2: whether a milestone pays its curve each month or its increase once."""

    ONCE = "once"
    MONTHLY = "monthly"


class OpeningKind(StrEnum):
    """The balances of an `OpeningBalances` row (rules.md O1)."""

    YTD_VOLUME = "ytd_volume"
    RESERVE_BALANCE = "reserve_balance"
    RESERVE_CONTRIBUTIONS = "reserve_contributions"
    LAST_ALLOCATION = "last_allocation"
    MILESTONE_PAID = "milestone_paid"
    MILESTONE_HELD = "milestone_held"
    MILESTONE_DEFERRED = "milestone_deferred"


class AdjustmentSection(StrEnum):
    """Where an `Adjustments` row appears on the statement (rules.md P2)."""

    COST_SHARING = "cost_sharing"
    RESERVE = "reserve"
    REVENUE_SHARE = "revenue_share"
    CO_MARKETING = "co_marketing"
    MILESTONES = "milestones"
    OTHER = "other"


class Gate(StrEnum):
    """M6: what a phase's gate does to its milestones: proceed, adjust (flag) or pause."""

    PROCEED = "proceed"
    ADJUST = "adjust"
    PAUSE = "pause"


_NO_COLUMNS: Mapping[str, str] = MappingProxyType({})


def _read_only(values: dict[str, str]) -> MappingProxyType[str, str]:
    return MappingProxyType(values)


# Partner workbooks are read in worker processes, and a sheet's column letters are
# one read-only mapping shared by its rows' locations: pickle it (once per sheet).
copyreg.pickle(MappingProxyType, lambda mapping: (_read_only, (dict(mapping),)))


class Record:
    """Base of the records, pickled as their constructor's arguments.

    That loads about twice as fast as a dataclass's state (a million deals cross from the processes
    that read partner workbooks).
    """

    __slots__ = ()
    __match_args__: tuple[str, ...]

    def __reduce__(self) -> tuple[type[Record], tuple[object, ...]]:
        """Pickle the record as its constructor's arguments."""
        cls = type(self)
        fields = _FIELDS_OF.get(cls)
        if fields is None:  # one C-level getter per record type: a million deals are pickled
            fields = _FIELDS_OF[cls] = attrgetter(*cls.__match_args__)  # 2 fields or more
        return cls, fields(self)


_FIELDS_OF: dict[type[Record], attrgetter[tuple[object, ...]]] = {}


R = TypeVar("R", bound=Record)
_FACTORY = object()  # stands for "no argument given" where a field has a default factory


def quick_init(cls: type[R]) -> type[R]:
    """Give a frozen, slotted record a faster `__init__`, with the dataclass's parameters.

    Each slot is set through its descriptor: the same defaults and immutability as the
    dataclass's own `__init__`, in half the time.

    The dataclass's frozen `__init__` looks `object.__setattr__` up anew for every
    field; the rows of a period are built by the million (when read, again when they
    cross from the reading processes as pickles, and when X1 converts them).
    """
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    namespace: dict[str, object] = {"_FACTORY": _FACTORY}
    parameters: list[str] = []
    body: list[str] = []
    for i, spec in enumerate(fields):
        name = spec.name
        setter: Callable[[object, object], None] = getattr(cls, name).__set__
        namespace[f"_set{i}"] = setter
        value = name
        if spec.default is not dataclasses.MISSING:
            namespace[f"_default{i}"] = spec.default
            parameters.append(f"{name}=_default{i}")
        elif spec.default_factory is not dataclasses.MISSING:
            namespace[f"_factory{i}"] = spec.default_factory
            parameters.append(f"{name}=_FACTORY")
            value = f"_factory{i}() if {name} is _FACTORY else {name}"
        else:
            parameters.append(name)
        body.append(f"    _set{i}(self, {value})\n")
    source = f"def __init__(self, {', '.join(parameters)}):\n{''.join(body)}"
    exec(source, namespace)
    init = cast(Callable[..., None], namespace["__init__"])
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = init  # type: ignore[method-assign]
    return cls


@quick_init
@dataclass(frozen=True, slots=True)
class Loc(Record):
    """Where a record came from: file, sheet, 1-based row, and column letters by field."""

    file: str = ""
    sheet: str = ""
    row: int = 0
    columns: Mapping[str, str] = field(
        default_factory=lambda: _NO_COLUMNS, repr=False, compare=False, hash=False
    )

    def cell(self, column: str = "") -> str:
        """The cell of `column` in this row, as `G14`.

        The row's first cell when the sheet lacks the column: a problem always points at a cell a
        user can click.
        """
        ref = self.columns.get(column, "")
        if not self.row:
            return ref  # key/value sheets map each key straight to its value cell
        return f"{ref or self.first_column}{self.row}"

    @property
    def first_column(self) -> str:
        """The letter of the row's leftmost column read (A when none is known)."""
        return min(self.columns.values(), key=lambda letters: (len(letters), letters), default="A")

    def problem(self, severity: Severity, message: str, column: str = "") -> Problem:
        """A problem of `severity` at this row's cell of `column`."""
        return Problem(severity, message, self.file, self.sheet, self.cell(column), column)

    def error(self, message: str, column: str = "") -> Problem:
        """An error at this row's cell of `column`."""
        return self.problem(Severity.ERROR, message, column)

    def warning(self, message: str, column: str = "") -> Problem:
        """A warning at this row's cell of `column`."""
        return self.problem(Severity.WARNING, message, column)

    def info(self, message: str, column: str = "") -> Problem:
        """An info at this row's cell of `column`."""
        return self.problem(Severity.INFO, message, column)


NOWHERE = Loc()


# --- program workbook -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Settings(Record):
    """The `Program` key/value sheet."""

    program_name: str
    currency: str = "USD"
    decimals: int = 2
    fiscal_year_start: int = 1
    partner_folder: str = "partners"
    reserve_opening_balance: Decimal = Decimal(0)
    reserve_fixed_contribution: Decimal = Decimal(0)
    reserve_savings_pct: Decimal = Decimal(0)
    reserve_cap: Decimal | None = None
    clawback_days: int = 90
    interim_payment_pct: Decimal = Decimal(0)
    shock_factor: Decimal = Decimal(1)
    max_margin_share: Decimal | None = None
    renegotiation_below: Decimal | None = None
    upgrade_at: Decimal | None = None
    approval_required: bool = False
    payment_terms_days: int = 30
    remit_to: str = ""
    contact: str = ""
    logo: str = ""  # relative to the program workbook
    statement_cc: str = ""
    # the company's account that pays partners (the SEPA file's debtor)
    debtor_name: str = ""
    debtor_iban: str = ""
    debtor_bic: str = ""
    engine: Engine = Engine.DECIMAL
    lines_format: str = "csv"  # csv | parquet (docs/sources.md, "Outputs at scale")
    statement_deal_limit: int | None = None  # None: a statement lists every deal
    loc: Loc = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Partner(Record):
    """A row of `Partners`: one partner, its plan, status, exit terms and payment details."""

    partner_id: str
    name: str
    plan: str
    status: PartnerStatus
    start_date: date | None = None
    exit_date: date | None = None
    wind_down_months: int = 0
    wind_down_fee: Decimal = Decimal(0)
    email: str = ""
    currency: str = ""  # blank: settles in the program currency (rules.md X2)
    bank_account: str = ""
    bank_bic: str = ""
    loc: Loc = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Pool(Record):
    """A row of `CostPools`: one shared cost of the period and how it is split (C2)."""

    pool_id: str
    name: str
    amount: Decimal
    basis: Basis
    owner: str = ""
    budget: Decimal | None = None
    base_share: Decimal | None = None
    max_change_pct: Decimal | None = None
    unit: str = ""
    valid_from: Period | None = None  # E1: the first period the row applies to
    valid_to: Period | None = None  # ... and the last (None: no end)
    loc: Loc = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Commitment(Record):
    """A row of `Commitments`: a participant's committed capacity or share in a pool (C1, C2)."""

    partner_id: str  # a partner id or HOST
    pool_id: str
    committed_capacity: Decimal = Decimal(0)
    fixed_share: Decimal | None = None
    standalone_cost: Decimal | None = None
    valid_from: Period | None = None  # E1: the first period the row applies to
    valid_to: Period | None = None  # ... and the last (None: no end)
    loc: Loc = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class CostTier(Record):
    """A row of `CostTiers`: the tier factor from a utilization up (C3)."""

    pool_id: str
    min_utilization: Decimal
    factor: Decimal
    valid_from: Period | None = None  # E1: the first period the row applies to
    valid_to: Period | None = None  # ... and the last (None: no end)
    loc: Loc = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Plan(Record):
    """A row of `Plans`: a revenue plan's mode, period cap and co-marketing terms (R3–R7)."""

    plan: str
    mode: Mode
    period_cap: Decimal | None = None
    mdf_cofund_pct: Decimal = Decimal(0)
    mdf_period_cap: Decimal | None = None
    valid_from: Period | None = None  # E1: the first period the row applies to
    valid_to: Period | None = None  # ... and the last (None: no end)
    loc: Loc = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class RevenueTier(Record):
    """A row of `RevenueTiers`: a plan's bracket rate for a deal type from an amount up (R3)."""

    plan: str
    deal_type: DealType
    from_amount: Decimal
    rate: Decimal
    valid_from: Period | None = None  # E1: the first period the row applies to
    valid_to: Period | None = None  # ... and the last (None: no end)
    loc: Loc = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Product(Record):
    """A row of `Products`: a product's gross margin (R8) and bonus rate (R2)."""

    product: str
    gross_margin: Decimal | None = None
    bonus_rate: Decimal = Decimal(0)
    valid_from: Period | None = None  # E1: the first period the row applies to
    valid_to: Period | None = None  # ... and the last (None: no end)
    loc: Loc = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Milestone(Record):
    """A row of `Milestones`: one partner's milestone, its curve and payouts (M1–M7)."""

    milestone_id: str
    partner_id: str
    metric: str
    floor: Decimal
    target: Decimal
    cap: Decimal
    floor_payout: Decimal
    target_payout: Decimal
    max_payout: Decimal
    phase_id: str = ""
    curve: Curve = Curve.LINEAR
    recurrence: Recurrence = Recurrence.ONCE
    retention_metric: str = ""
    retention_target: Decimal | None = None
    verification_required: bool = True
    valid_from: Period | None = None  # E1: the first period the row applies to
    valid_to: Period | None = None  # ... and the last (None: no end)
    loc: Loc = field(default=NOWHERE, compare=False, repr=False)

    @property
    def lower_is_better(self) -> bool:
        """M1: whether a lower value is better (the floor lies above the cap)."""
        return self.floor > self.cap


@dataclass(frozen=True, slots=True)
class Phase(Record):
    """A row of `Phases`: a group of a partner's milestones with a gate and a budget (M6)."""

    phase_id: str
    partner_id: str
    gate: Gate
    name: str = ""
    budget: Decimal | None = None
    loc: Loc = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Contribution(Record):
    """A row of `Contributions`: an in-kind contribution credited against costs (C7)."""

    partner_id: str
    quantity: Decimal
    unit_value: Decimal
    pool_id: str = ""
    description: str = ""
    max_credit_pct: Decimal = Decimal(1)
    loc: Loc = field(default=NOWHERE, compare=False, repr=False)

    @property
    def value(self) -> Decimal:
        """C7: the contribution's worth, quantity × unit value."""
        return self.quantity * self.unit_value


@dataclass(frozen=True, slots=True)
class ScorecardMetric(Record):
    """A row of `Scorecard`: a metric's weight and its worst and best values (S1)."""

    metric: str
    weight: Decimal
    worst: Decimal
    best: Decimal
    loc: Loc = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Account(Record):
    """A row of `Accounts`: the journal's debit and credit accounts for a component."""

    component: str
    debit_account: str
    credit_account: str
    valid_from: Period | None = None  # E1: the first period the row applies to
    valid_to: Period | None = None  # ... and the last (None: no end)
    loc: Loc = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class OpeningBalance(Record):
    """A row of `OpeningBalances`: a balance left before the first close (rules.md O1)."""

    partner_id: str  # a partner, or HOST for reserve_balance
    balance: OpeningKind
    amount: Decimal  # last_allocation: as a (negative) cost share
    pool_id: str = ""  # last_allocation
    milestone_id: str = ""  # the milestone balances
    loc: Loc = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class OpeningDeal(Record):
    """A row of `OpeningDeals`: a deal paid before the first close (rules.md O1)."""

    partner_id: str
    deal_id: str
    close_date: date
    deal_type: DealType
    product: str
    amount: Decimal
    revenue_share: Decimal  # what was paid for it
    currency: str = ""  # blank: the program currency
    loc: Loc = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Adjustment(Record):
    """A row of `Adjustments`: a manual line for one close (rules.md P2)."""

    period: Period
    partner_id: str  # a partner or HOST
    section: AdjustmentSection
    amount: Decimal  # signed, the partner's view, program currency
    reason: str
    reference: str = ""
    loc: Loc = field(default=NOWHERE, compare=False, repr=False)


# --- period data (partner workbooks, or data sheets of the program) ----------


@quick_init
@dataclass(frozen=True, slots=True)
class Usage(Record):
    """A row of `Usage`: units a participant used of a pool (C2)."""

    partner_id: str
    pool_id: str
    units: Decimal
    date: date | None = None
    reference: str = ""
    loc: Loc = field(default=NOWHERE, compare=False, repr=False)


@quick_init
@dataclass(frozen=True, slots=True)
class Deal(Record):
    """A row of `Deals`: one deal, won, lost, open or reversed (R1–R5)."""

    partner_id: str
    deal_id: str
    close_date: date
    product: str
    deal_type: DealType
    amount: Decimal
    status: DealStatus
    registered: bool = False
    created_date: date | None = None
    customer: str = ""
    original_deal_id: str = ""
    currency: str = ""  # blank: the partner's settlement currency (never blank after X1)
    # the amount in `currency` before X1 converted `amount` (None: not converted)
    source_amount: Decimal | None = None
    # the currency cell as given ("": blank) of a deal X1 converted: a deal converted
    # with other terms (a scenario) is converted again from what it was given
    given_currency: str = ""
    loc: Loc = field(default=NOWHERE, compare=False, repr=False)


@quick_init
@dataclass(frozen=True, slots=True)
class MetricValue(Record):
    """A row of `Metrics`: a partner's reported value of a metric (M1, S1)."""

    partner_id: str
    metric: str
    value: Decimal
    verified: bool = False
    disputed: bool = False
    source: str = ""
    loc: Loc = field(default=NOWHERE, compare=False, repr=False)


@quick_init
@dataclass(frozen=True, slots=True)
class Campaign(Record):
    """A row of `Campaigns`: a co-marketing campaign's spend and results (R7, K1)."""

    partner_id: str
    campaign_id: str
    spend: Decimal
    name: str = ""
    pipeline: Decimal | None = None
    attributed_revenue: Decimal | None = None
    approved: bool = False
    currency: str = ""  # blank: the partner's settlement currency
    loc: Loc = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class FxRate(Record):
    """A row of `FxRates`: program-currency units for one unit of `currency` (rules.md X)."""

    period: Period
    currency: str
    average: Decimal
    closing: Decimal
    source: str = ""
    decimals: int = 2  # the currency's ISO 4217 minor units (set by the reader, not a column)
    loc: Loc = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Submission(Record):
    """The `Partner` sheet of one partner workbook."""

    partner_id: str
    period: Period
    prepared_by: str = ""
    submitted_on: date | None = None
    file: str = ""
    loc: Loc = field(default=NOWHERE, compare=False, repr=False)


# --- whole inputs ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Program(Record):
    """Everything in the program workbook except its data sheets."""

    settings: Settings
    partners: tuple[Partner, ...] = ()
    pools: tuple[Pool, ...] = ()
    commitments: tuple[Commitment, ...] = ()
    cost_tiers: tuple[CostTier, ...] = ()
    plans: tuple[Plan, ...] = ()
    revenue_tiers: tuple[RevenueTier, ...] = ()
    products: tuple[Product, ...] | None = None  # None: no Products sheet
    milestones: tuple[Milestone, ...] = ()
    phases: tuple[Phase, ...] = ()
    contributions: tuple[Contribution, ...] = ()
    scorecard: tuple[ScorecardMetric, ...] = ()
    accounts: tuple[Account, ...] = ()
    fx_rates: tuple[FxRate, ...] = ()
    opening_balances: tuple[OpeningBalance, ...] = ()  # rules.md O1
    opening_deals: tuple[OpeningDeal, ...] = ()
    adjustments: tuple[Adjustment, ...] = ()  # rules.md P2


@dataclass(frozen=True, slots=True)
class Conversion(Record):
    """X1's terms for a period: what a deal in another currency converts at.

    `averages` are the period's average rates by currency; `settles` each partner's
    settlement currency, which a deal with a blank currency is in.
    """

    currency: str  # the program currency
    decimals: int
    averages: tuple[tuple[str, Decimal], ...]
    settles: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class PeriodData(Record):
    """The period's data from every source, merged."""

    usage: tuple[Usage, ...] = ()
    deals: tuple[Deal, ...] = ()
    metrics: tuple[MetricValue, ...] = ()
    campaigns: tuple[Campaign, ...] = ()
    submissions: tuple[Submission, ...] = ()
    # the X1 terms the deals were converted at as they were read (None: as given)
    converted: Conversion | None = None


def participant_key(participant_id: str) -> tuple[int, str]:
    """Participant order (rules.md section 0): HOST first, then ids as text."""
    return (0, "") if participant_id == HOST else (1, participant_id)
