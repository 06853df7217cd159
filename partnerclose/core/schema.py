"""The workbook formats of workbooks.md as data.

One declaration serves the reader (header matching, types, ranges, defaults),
the template builder (headers, drop-downs, read-me text) and the demo
generator (column order), so a change of the spec is one edit here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from partnerclose.core.records import (
    AdjustmentSection,
    Basis,
    Curve,
    DealStatus,
    DealType,
    Engine,
    Gate,
    Mode,
    OpeningKind,
    PartnerStatus,
    Recurrence,
)


class Kind(StrEnum):
    """What a column holds, and so how the reader converts a cell."""

    TEXT = "text"
    ID = "id"  # text; a number typed in is read as its digits (1001, not 1001.0)
    NUMBER = "number"  # exact decimal: money, rates, shares, units
    INTEGER = "integer"
    DATE = "date"
    PERIOD = "period"
    FLAG = "flag"
    CHOICE = "choice"


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a workbook sheet: its name, kind, limits and help for the template."""

    name: str
    kind: Kind = Kind.TEXT
    required: bool = True
    default: object = None
    choices: tuple[str, ...] = ()
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    help: str = ""
    example: object = None

    @property
    def label(self) -> str:
        """The column's header as written in the sheet."""
        return self.name


@dataclass(frozen=True, slots=True)
class SheetSpec:
    """One sheet of a workbook: its columns, whether it is required, and its help."""

    name: str
    columns: tuple[Column, ...]
    required: bool = False
    key_value: bool = False
    help: str = ""

    def column(self, name: str) -> Column:
        """The column of that name (KeyError when the sheet has none)."""
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)


def _opt(column: Column) -> Column:
    return Column(
        column.name,
        column.kind,
        False,
        column.default,
        column.choices,
        column.minimum,
        column.maximum,
        column.help,
        column.example,
    )


def _choices(enum: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


ZERO = Decimal(0)
ONE = Decimal(1)
FLAG_HELP = "Y or N"


def _num(
    name: str,
    help_text: str,
    *,
    minimum: Decimal | None = ZERO,
    maximum: Decimal | None = None,
    required: bool = True,
    default: object = None,
    example: object = None,
) -> Column:
    return Column(name, Kind.NUMBER, required, default, (), minimum, maximum, help_text, example)


def _share(
    name: str,
    help_text: str,
    *,
    required: bool = True,
    default: object = None,
    example: object = None,
) -> Column:
    return _num(
        name,
        help_text,
        minimum=ZERO,
        maximum=ONE,
        required=required,
        default=default,
        example=example,
    )


def _choice(
    name: str,
    enum: type[StrEnum],
    help_text: str,
    *,
    required: bool = True,
    default: object = None,
    example: object = None,
) -> Column:
    return Column(
        name, Kind.CHOICE, required, default, _choices(enum), None, None, help_text, example
    )


def _flag(name: str, help_text: str, default: bool, example: object = None) -> Column:
    return Column(
        name,
        Kind.FLAG,
        False,
        default,
        ("Y", "N"),
        None,
        None,
        f"{help_text} ({FLAG_HELP}, default {'Y' if default else 'N'})",
        example,
    )


def _id(name: str, help_text: str, *, required: bool = True, example: object = None) -> Column:
    return Column(
        name, Kind.ID, required, None if required else "", (), None, None, help_text, example
    )


def _text(
    name: str, help_text: str, *, required: bool = False, example: object = None, default: str = ""
) -> Column:
    return Column(
        name, Kind.TEXT, required, None if required else default, (), None, None, help_text, example
    )


def _validity() -> tuple[Column, Column]:
    """E1: the optional first and last period a row applies to (rules.md E1)."""
    return (
        _opt(
            Column(
                "valid_from",
                Kind.PERIOD,
                help="First period (YYYY-MM) this row applies to (blank: from the start).",
            )
        ),
        _opt(
            Column(
                "valid_to",
                Kind.PERIOD,
                help="Last period (YYYY-MM) this row applies to, inclusive (blank: no end).",
            )
        ),
    )


PROGRAM = SheetSpec(
    "Program",
    key_value=True,
    required=True,
    help="Settings of the program, one per row: a key in column A, its value in column B.",
    columns=(
        _text(
            "program_name",
            "Name of the program, shown on statements.",
            required=True,
            example="Northwind Partner Program",
        ),
        _text(
            "currency",
            "ISO 4217 currency code shown on statements (default USD).",
            example="USD",
            default="USD",
        ),
        Column(
            "decimals",
            Kind.INTEGER,
            False,
            2,
            (),
            ZERO,
            Decimal(4),
            "Minor units of the currency: 2 for cents (default 2).",
            2,
        ),
        Column(
            "fiscal_year_start",
            Kind.INTEGER,
            False,
            1,
            (),
            ONE,
            Decimal(12),
            "Month number (1-12) in which year-to-date volumes reset (default 1).",
            1,
        ),
        _text(
            "partner_folder",
            "Folder of partner workbooks, relative to this workbook (default partners).",
            example="partners",
            default="partners",
        ),
        _num(
            "reserve_opening_balance",
            "Reserve fund balance before the first close.",
            required=False,
            default=ZERO,
            example=10000,
        ),
        _num(
            "reserve_fixed_contribution",
            "Paid into the reserve by each active partner every period.",
            required=False,
            default=ZERO,
            example=250,
        ),
        _share(
            "reserve_savings_pct",
            "Share of a partner's savings against standalone cost paid into the reserve.",
            required=False,
            default=ZERO,
            example=0.1,
        ),
        _num(
            "reserve_cap",
            "Contributions stop when the reserve balance reaches this.",
            required=False,
            example=50000,
        ),
        Column(
            "clawback_days",
            Kind.INTEGER,
            False,
            90,
            (),
            ZERO,
            None,
            "Refunds within this many days of a deal's close claw back its revenue share.",
            90,
        ),
        _share(
            "interim_payment_pct",
            "Share of a disputed milestone payout paid while the dispute is open.",
            required=False,
            default=ZERO,
            example=0.5,
        ),
        _share(
            "shock_factor",
            "0-1; scales milestone payouts during a declared external shock (default 1).",
            required=False,
            default=ONE,
            example=1,
        ),
        _share(
            "max_margin_share",
            "Warn when revenue share exceeds this share of the deals' gross profit.",
            required=False,
            example=0.5,
        ),
        _num(
            "renegotiation_below",
            "Scorecard score (0-100) under which a partner is flagged for renegotiation.",
            required=False,
            maximum=Decimal(100),
            example=40,
        ),
        _num(
            "upgrade_at",
            "Scorecard score (0-100) at or above which a partner is an upgrade candidate.",
            required=False,
            maximum=Decimal(100),
            example=80,
        ),
        _flag(
            "approval_required",
            "A final close needs its draft approved by another user",
            False,
            example="N",
        ),
        Column(
            "payment_terms_days",
            Kind.INTEGER,
            False,
            30,
            (),
            ZERO,
            Decimal(366),
            "Days after the period's last day by which the net is paid or due (default 30).",
            30,
        ),
        _text(
            "remit_to",
            "Where partners who owe pay: bank, account and reference, shown on their statements.",
            example="Northwind Ltd, IBAN GB33 BUKB 2020 1555 5555 55, quote the statement number",
        ),
        _text(
            "contact",
            "Whom partners contact about their statement, shown on it.",
            example="partners@northwind.example",
        ),
        _text(
            "logo",
            "Image file (PNG or JPEG, relative to this workbook) placed on statements.",
        ),
        _text(
            "statement_cc",
            "Address copied on every statement e-mail.",
            example="partner-finance@northwind.example",
        ),
        _text(
            "debtor_name",
            "Account holder of the company's account that pays partners (SEPA file).",
        ),
        _text("debtor_iban", "IBAN of the company's account that pays partners (SEPA file)."),
        _text("debtor_bic", "BIC of the company's account that pays partners (SEPA file)."),
        _choice(
            "engine",
            Engine,
            "What runs the row-level revenue rules: decimal (default), duckdb or spark.",
            required=False,
            default=Engine.DECIMAL,
            example="decimal",
        ),
        Column(
            "lines_format",
            Kind.CHOICE,
            False,
            "csv",
            ("csv", "parquet"),
            None,
            None,
            "csv: lines.csv (default); parquet: lines/ as partitioned Parquet and the paid "
            "deals in paid_deals.parquet, for programs of millions of deals.",
            "csv",
        ),
        Column(
            "statement_deal_limit",
            Kind.INTEGER,
            False,
            None,
            (),
            ONE,
            None,
            "Deals listed on a statement; the rest in one row that refers to the partner's "
            "lines file (blank: every deal).",
        ),
    ),
)

PARTNERS = SheetSpec(
    "Partners",
    required=True,
    help="One row per partner in the program.",
    columns=(
        _id(
            "partner_id",
            "Unique id: letters, digits, dot, dash or underscore (HOST is "
            "reserved for the company).",
            example="P001",
        ),
        _text(
            "name", "Partner name, shown on statements.", required=True, example="Acme Analytics"
        ),
        _id("plan", "Revenue-share plan, one of the Plans sheet.", example="Gold"),
        _choice(
            "status",
            PartnerStatus,
            "active, exiting (leaving, exit date set) or exited.",
            example="active",
        ),
        _opt(
            Column(
                "start_date", Kind.DATE, help="First day the partner takes part (blank: always)."
            )
        ),
        _opt(
            Column(
                "exit_date",
                Kind.DATE,
                help="Exit date; required for exiting or exited partners, blank for active ones.",
            )
        ),
        Column(
            "wind_down_months",
            Kind.INTEGER,
            False,
            0,
            (),
            ZERO,
            None,
            "Months of phase-out after the exit month (default 0).",
            0,
        ),
        _num(
            "wind_down_fee",
            "Fee charged once in the exit month (default 0).",
            required=False,
            default=ZERO,
            example=0,
        ),
        _text("email", "Contact e-mail, shown on the statement.", example="finance@acme.example"),
        _id(
            "currency",
            "ISO 4217 code of the currency the partner settles in (blank: the program's).",
            required=False,
        ),
        _text(
            "bank_account",
            "IBAN or account number the partner is paid to; statements show its last 4.",
        ),
        _text("bank_bic", "BIC or routing code of the partner's bank, for payment files."),
    ),
)

COST_POOLS = SheetSpec(
    "CostPools",
    required=True,
    help="Shared fixed costs for the period, one row per pool.",
    columns=(
        _id("pool_id", "Unique id of the pool.", example="CRM"),
        _text(
            "name", "Name of the cost, shown on statements.", required=True, example="CRM licences"
        ),
        _text("owner", "Responsible person or team."),
        _num("amount", "The pool's cost for the period.", example=12000),
        _num(
            "budget",
            "Budget for the period; cost above it is cushioned by the reserve.",
            required=False,
        ),
        _choice(
            "basis",
            Basis,
            "How the cost is split: usage, capacity, equal, fixed or "
            "hybrid (part capacity, part usage).",
            example="usage",
        ),
        _share(
            "base_share", "For hybrid pools: share of the amount split by capacity.", required=False
        ),
        _share(
            "max_change_pct",
            "Guardrail: most a partner's allocation may move against last period (0.25 = ±25 %).",
            required=False,
        ),
        _text("unit", "Name of the usage unit, e.g. seats.", example="seats"),
        *_validity(),
    ),
)

COMMITMENTS = SheetSpec(
    "Commitments",
    required=True,
    help="One row per participant (a partner or HOST) per pool: only they share the pool.",
    columns=(
        _id("partner_id", "A partner id or HOST.", example="P001"),
        _id("pool_id", "A pool of the CostPools sheet.", example="CRM"),
        _num(
            "committed_capacity",
            "Units the participant commits to (default 0).",
            required=False,
            default=ZERO,
            example=350,
        ),
        _share(
            "fixed_share",
            "For fixed pools: the participant's agreed share; shares of a pool sum to 1.",
            required=False,
        ),
        _num(
            "standalone_cost",
            "What the participant would pay for this alone per period.",
            required=False,
        ),
        *_validity(),
    ),
)

COST_TIERS = SheetSpec(
    "CostTiers",
    help="Volume tiers: higher utilization lowers a partner's per-unit burden.",
    columns=(
        _id("pool_id", "A pool of the CostPools sheet.", example="CRM"),
        _num(
            "min_utilization",
            "The tier starts when usage ÷ committed capacity reaches this.",
            example=0.8,
        ),
        _num("factor", "Weight factor applied in this tier, e.g. 0.9.", example=0.9),
        *_validity(),
    ),
)

PLANS = SheetSpec(
    "Plans",
    required=True,
    help="Revenue-share plans.",
    columns=(
        _id("plan", "Unique plan name.", example="Gold"),
        _choice(
            "mode",
            Mode,
            "marginal (each bracket pays its own rate) or retroactive "
            "(all deals of the year at the rate reached).",
            example="marginal",
        ),
        _num("period_cap", "Most revenue share paid to a partner per period.", required=False),
        _share(
            "mdf_cofund_pct",
            "Share of approved campaign spend reimbursed (default 0).",
            required=False,
            default=ZERO,
            example=0.5,
        ),
        _num(
            "mdf_period_cap",
            "Most reimbursed per partner per period.",
            required=False,
            example=4000,
        ),
        *_validity(),
    ),
)

REVENUE_TIERS = SheetSpec(
    "RevenueTiers",
    required=True,
    help="Revenue-share brackets by plan and deal type; each needs a bracket from 0.",
    columns=(
        _id("plan", "A plan of the Plans sheet.", example="Gold"),
        _choice("deal_type", DealType, "sourced, co-sell or influenced.", example="sourced"),
        _num(
            "from_amount",
            "The bracket starts when the fiscal year-to-date volume reaches this.",
            example=0,
        ),
        _share("rate", "Revenue-share rate of the bracket.", example=0.1),
        *_validity(),
    ),
)

PRODUCTS = SheetSpec(
    "Products",
    help="Products; when this sheet exists, every deal's product must be listed.",
    columns=(
        _id("product", "Unique product name.", example="Core"),
        _share("gross_margin", "0-1, for the margin check.", required=False, example=0.7),
        _share(
            "bonus_rate",
            "Added to the bracket rate for deals in this product (default 0).",
            required=False,
            default=ZERO,
            example=0,
        ),
        *_validity(),
    ),
)

MILESTONES = SheetSpec(
    "Milestones",
    help="Milestone payments tied to metrics.",
    columns=(
        _id("milestone_id", "Unique id.", example="M001"),
        _id("partner_id", "A partner of the Partners sheet.", example="P001"),
        _id("phase_id", "A phase of the Phases sheet.", required=False),
        _id(
            "metric", "A metric reported in Metrics, or a computed one.", example="activation_rate"
        ),
        _num("floor", "Metric level where payouts start.", minimum=None, example=0.4),
        _num("target", "Metric level that pays the target payout.", minimum=None, example=0.6),
        _num(
            "cap",
            "Metric level that pays the maximum payout (lower than the floor when "
            "lower is better).",
            minimum=None,
            example=0.8,
        ),
        _num("floor_payout", "Payout at the floor.", example=2000),
        _num("target_payout", "Payout at the target.", example=10000),
        _num("max_payout", "Payout at or past the cap.", example=15000),
        _choice(
            "curve",
            Curve,
            "linear, diminishing (square-root above target) or step.",
            required=False,
            default=Curve.LINEAR.value,
            example="linear",
        ),
        _choice(
            "recurrence",
            Recurrence,
            "once (pays increases only) or monthly.",
            required=False,
            default=Recurrence.ONCE.value,
            example="once",
        ),
        _id("retention_metric", "Metric that guards the upside above target.", required=False),
        _num("retention_target", "Retention level that keeps the full upside.", required=False),
        _flag("verification_required", "Pay only when the metric is verified", True),
        *_validity(),
    ),
)

PHASES = SheetSpec(
    "Phases",
    help="Phases of a partner's milestone plan, with gates and budgets.",
    columns=(
        _id("phase_id", "Unique id.", example="PH1"),
        _id("partner_id", "A partner of the Partners sheet.", example="P001"),
        _text("name", "Name of the phase."),
        _num("budget", "Most that the phase's milestones may pay in total.", required=False),
        _choice("gate", Gate, "proceed, adjust (terms under review) or pause.", example="proceed"),
    ),
)

CONTRIBUTIONS = SheetSpec(
    "Contributions",
    help="In-kind contributions credited against a partner's cost share.",
    columns=(
        _id("partner_id", "A partner of the Partners sheet.", example="P001"),
        _id(
            "pool_id", "Credit only against this pool (blank: the partner's total).", required=False
        ),
        _text("description", "What is contributed, e.g. data access.", example="data access"),
        _num("quantity", "Quantity contributed.", example=1),
        _num("unit_value", "Value per unit.", example=1000),
        _share(
            "max_credit_pct",
            "Most of the allocation the credit may offset (default 1).",
            required=False,
            default=ONE,
            example=0.25,
        ),
    ),
)

SCORECARD = SheetSpec(
    "Scorecard",
    help="Weighted scorecard of partner metrics.",
    columns=(
        _id("metric", "A reported or computed metric.", example="win_rate"),
        _num("weight", "Weight (> 0).", example=1),
        _num("worst", "Value scoring 0.", minimum=None, example=0.1),
        _num(
            "best",
            "Value scoring 100 (below worst when lower is better).",
            minimum=None,
            example=0.5,
        ),
    ),
)

ACCOUNTS = SheetSpec(
    "Accounts",
    help="General-ledger accounts of each line component, for the journal.",
    columns=(
        _id("component", "A line component, e.g. cost_share.", example="cost_share"),
        _id("debit_account", "Account debited.", example="1200"),
        _id("credit_account", "Account credited.", example="6100"),
        *_validity(),
    ),
)

FX_RATES = SheetSpec(
    "FxRates",
    help="Exchange rates per period: program-currency units for one unit of the currency "
    "(rules.md X); required when any other currency is used.",
    columns=(
        Column("period", Kind.PERIOD, help="The month, YYYY-MM.", example="2026-10"),
        _id("currency", "ISO 4217 code, not the program currency.", example="EUR"),
        _num(
            "average",
            "The period's average rate (> 0), for deals and campaigns (rules.md X1).",
            example=1.08,
        ),
        _num(
            "closing",
            "The rate at the period's end (> 0), for what is owed (rules.md X2).",
            example=1.1,
        ),
        _text("source", "Where the rates come from, printed in the close pack."),
    ),
)

OPENING_BALANCES = SheetSpec(
    "OpeningBalances",
    help="Balances a program brings in before its first close in PartnerClose (rules.md O1); "
    "ignored once a final close exists.",
    columns=(
        _id("partner_id", "A partner, or HOST for reserve_balance.", example="P001"),
        _choice(
            "balance",
            OpeningKind,
            "ytd_volume, reserve_balance (HOST), reserve_contributions, last_allocation, "
            "milestone_paid, milestone_held or milestone_deferred.",
            example="ytd_volume",
        ),
        _id("pool_id", "For last_allocation: the pool.", required=False),
        _id("milestone_id", "For the three milestone balances: the milestone.", required=False),
        _num(
            "amount",
            "Program currency; last_allocation as a negative cost share (e.g. -3600).",
            minimum=None,
            example=90000,
        ),
    ),
)

OPENING_DEALS = SheetSpec(
    "OpeningDeals",
    help="Deals paid before the first close in PartnerClose, for clawbacks and retroactive "
    "true-ups (rules.md O1); ignored once a final close exists.",
    columns=(
        _id("partner_id", "A partner of the Partners sheet.", example="P001"),
        _id("deal_id", "The deal's id, unique across the program.", example="D0950"),
        Column("close_date", Kind.DATE, help="When the deal closed (before the first close)."),
        _choice("deal_type", DealType, "The type it was paid as.", example="sourced"),
        _id("product", "Its product.", example="Core"),
        _num("amount", "Deal amount.", example=20000),
        _num("revenue_share", "What was paid for it (revenue share and true-ups).", example=2000),
        _id(
            "currency",
            "ISO 4217 code of amount and revenue_share (blank: the program currency).",
            required=False,
        ),
    ),
)

ADJUSTMENTS = SheetSpec(
    "Adjustments",
    help="Manual adjustments: one line each in the close of their period (rules.md P2), "
    "not capped and not counted in YTD volumes, brackets, the reserve or key figures.",
    columns=(
        Column(
            "period",
            Kind.PERIOD,
            help="The period whose close takes it, YYYY-MM.",
            example="2026-10",
        ),
        _id("partner_id", "A partner, or HOST.", example="P001"),
        _choice(
            "section",
            AdjustmentSection,
            "Where it appears on the statement: cost_sharing, reserve, revenue_share, "
            "co_marketing, milestones or other.",
            example="other",
        ),
        _num(
            "amount",
            "Signed, the partner's view (positive: owed to the partner), program currency.",
            minimum=None,
            example=250,
        ),
        _text(
            "reason",
            "Why, printed on the statement.",
            required=True,
            example="goodwill credit for the September outage",
        ),
        _text("reference", "Ticket, e-mail or approval."),
    ),
)

# --- data sheets (partner workbooks; in the program workbook with partner_id) --

USAGE = SheetSpec(
    "Usage",
    help="Units used of each pool in the period.",
    columns=(
        _id("pool_id", "A pool of the program.", example="CRM"),
        _num("units", "Units used.", example=300),
        _opt(Column("date", Kind.DATE, help="Date of use (default: in the period).")),
        _text("reference", "Your reference."),
    ),
)

DEALS = SheetSpec(
    "Deals",
    help="Deals won, lost, open, refunded or churned.",
    columns=(
        _id("deal_id", "Unique across the program.", example="D1001"),
        _opt(Column("created_date", Kind.DATE, help="When the deal was created.")),
        Column("close_date", Kind.DATE, help="When the deal closed (or was reversed)."),
        _text("customer", "Customer name."),
        _id("product", "A product of the program.", example="Core"),
        _choice("deal_type", DealType, "sourced, co-sell or influenced.", example="sourced"),
        _flag("registered", "Deal registered with the program", False),
        _num(
            "amount",
            "Deal amount; for refunded or churned rows, the amount reversed.",
            example=30000,
        ),
        _choice("status", DealStatus, "won, lost, open, refunded or churned.", example="won"),
        _id("original_deal_id", "For refunded or churned rows: the deal reversed.", required=False),
        _id(
            "currency",
            "ISO 4217 code of the amount (blank: the partner's settlement currency).",
            required=False,
        ),
    ),
)

METRICS = SheetSpec(
    "Metrics",
    help="Metrics for milestones and the scorecard.",
    columns=(
        _id("metric", "Metric name.", example="activation_rate"),
        _num("value", "Value for the period.", minimum=None, example=0.55),
        _flag("verified", "Verified by the company or a third party", False),
        _flag("disputed", "Under dispute", False),
        _text("source", "Where the value comes from."),
    ),
)

CAMPAIGNS = SheetSpec(
    "Campaigns",
    help="Co-marketing campaigns.",
    columns=(
        _id("campaign_id", "Campaign id.", example="C1"),
        _num("spend", "Spend in the period.", example=5000),
        _text("name", "Campaign name."),
        _num("pipeline", "Pipeline generated.", required=False),
        _num("attributed_revenue", "Revenue attributed to the campaign.", required=False),
        _flag("approved", "Approved for co-funding", False),
        _id(
            "currency",
            "ISO 4217 code of spend, pipeline and attributed revenue (blank: the partner's "
            "settlement currency).",
            required=False,
        ),
    ),
)

PARTNER_KEYS = SheetSpec(
    "Partner",
    key_value=True,
    required=True,
    help="Who submits this workbook and for which month.",
    columns=(
        _id("partner_id", "Your partner id.", example="P001"),
        Column("period", Kind.PERIOD, help="The month reported, YYYY-MM.", example="2026-10"),
        _text("prepared_by", "Who prepared the workbook."),
        _opt(Column("submitted_on", Kind.DATE, help="Date of submission.")),
    ),
)

DATA_SHEETS = (USAGE, DEALS, METRICS, CAMPAIGNS)

# A program's data may come from files or a database instead of partner workbooks: each
# row names one source of one kind of data sheet (docs/sources.md).
SOURCE_KINDS = tuple(spec.name for spec in DATA_SHEETS)
SOURCE_FORMATS = ("parquet", "csv", "sql")

SOURCES = SheetSpec(
    "Sources",
    help="Data from Parquet or CSV files or a database query instead of partner workbooks "
    "(docs/sources.md): the columns of the data sheet named by kind, partner_id first.",
    columns=(
        Column(
            "kind",
            Kind.CHOICE,
            choices=SOURCE_KINDS,
            help="The data sheet the source stands for: Usage, Deals, Metrics or Campaigns.",
            example="Deals",
        ),
        _text(
            "location",
            "A file or glob relative to this workbook ({period} is the closed month), "
            "or for sql a database URL (sqlite:///…, duckdb:///…, postgresql://…).",
            required=True,
            example="deals/{period}/*.parquet",
        ),
        Column(
            "format",
            Kind.CHOICE,
            required=False,
            default="",
            choices=SOURCE_FORMATS,
            help="parquet, csv or sql (blank: from the location's file extension).",
            example="parquet",
        ),
        _text(
            "query",
            "For sql: the query; {period}, {period_start} and {period_end} stand for the "
            "closed month and its first and last day.",
        ),
    ),
)


class ChangeKind(StrEnum):
    """How a row of the Scenarios sheet changes the close's inputs."""

    SET = "set"  # the target cells take the value
    FACTOR = "factor"  # the target numbers are multiplied by the value
    ADD = "add"  # a new row, a copy of the row (or rows) named in value


# What-ifs beside a close (docs/scenarios.md): read, never part of a close's inputs.
SCENARIOS = SheetSpec(
    "Scenarios",
    help="What-if scenarios: changes to the terms, costs or data, computed beside the close "
    "and never recorded (partnerclose whatif).",
    columns=(
        _text(
            "scenario",
            "The scenario's name; its rows apply in order.",
            required=True,
            example="Gold 18 %",
        ),
        _choice("change", ChangeKind, "set, factor or add.", example="set"),
        _text(
            "sheet",
            "The sheet changed: a program sheet (Plans, RevenueTiers, CostPools, "
            "Program, FxRates, ...) or a data sheet (Deals, Usage, Metrics, Campaigns).",
            required=True,
            example="RevenueTiers",
        ),
        _text(
            "key",
            "The row or rows: the sheet's key values joined by / (Gold / sourced / "
            "100000); blank on a data sheet: every row. On Program: the setting.",
            example="Gold / sourced / 100000",
        ),
        _text(
            "column",
            "The column changed (blank on Program; on a data sheet: its "
            "amount, units, value or spend).",
            example="rate",
        ),
        _text(
            "value",
            "set: the new value; factor: the multiplier; add: the key of the row to copy.",
            example="0.18",
        ),
        _text("note", "Your own note, shown beside the scenario."),
    ),
)

PROGRAM_SHEETS = (
    PROGRAM,
    PARTNERS,
    COST_POOLS,
    COMMITMENTS,
    COST_TIERS,
    PLANS,
    REVENUE_TIERS,
    PRODUCTS,
    MILESTONES,
    PHASES,
    CONTRIBUTIONS,
    SCORECARD,
    ACCOUNTS,
    FX_RATES,
    OPENING_BALANCES,
    OPENING_DEALS,
    ADJUSTMENTS,
    SOURCES,
)
PARTNER_SHEETS = (PARTNER_KEYS, *DATA_SHEETS)

PARTNER_ID_COLUMN = _id("partner_id", "The partner the row belongs to.", example="P001")


def with_partner_id(spec: SheetSpec) -> SheetSpec:
    """A data sheet as it appears in the program workbook: partner_id first."""
    return SheetSpec(
        spec.name, (PARTNER_ID_COLUMN, *spec.columns), spec.required, spec.key_value, spec.help
    )


# --- names the reader must know besides the sheets above ---------------------------

README_SHEET = "Read me"  # the templates' read-me sheet, allowed in every workbook

# Revision 2 sheets of the program workbook not read by this version. Each is known
# by name (so `FXRates` or `Adjustment` is recognised), and a close refuses one that
# holds rows, since leaving them out would change the amounts. A sheet leaves this
# list when it gets its SheetSpec above. True: its rows change a close's amounts.
PLANNED_SHEETS: dict[str, bool] = {}

# Revision 2 columns not read by this version whose values would change amounts
# (sheet -> columns); a column leaves this list when its sheet's spec declares it.
PLANNED_COLUMNS: dict[str, tuple[str, ...]] = {}

# Example rows of the templates carry this prefix in their ids, and are refused.
EXAMPLE_PREFIX = "EXAMPLE-"
