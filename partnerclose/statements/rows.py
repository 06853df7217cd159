"""The rows of the statement's and the close pack's tables, each declared once.

A row type's fields are its table's columns, in order: `Table.of_rows` takes the
column names from the type, so a column cannot be named twice or left out (every
field is given when a row is built). docs/templates.md lists them for template
authors.
"""

from __future__ import annotations

from dataclasses import dataclass

from partnerclose.statements.values import Value

# --- the statement -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SectionRow:
    """A section of the statement (cost sharing, reserve fund, ...) and its totals."""

    key: str
    name: str
    total: Value
    ytd_before: Value
    ytd: Value
    lines: int
    last_period: Value  # the section's amount in the previous period's final close
    change: Value


@dataclass(frozen=True, slots=True)
class ComponentRow:
    """A line component the partner has this period or earlier in the fiscal year."""

    key: str
    name: str
    section: str
    total: Value
    ytd_before: Value
    ytd: Value


@dataclass(frozen=True, slots=True)
class LineRow:
    """One line of the close."""

    component: str
    kind: str
    item: str
    title: str
    description: str
    explanation: str  # how the amount was made, in words and numbers (outputs.md rev. 2)
    quantity: Value
    rate: Value  # None for an in-kind credit, which carries a unit value instead
    unit_value: Value
    amount: Value  # in the partner's settlement currency (rules.md X2)
    status: str
    rule: str
    program_amount: Value  # the line's amount in the program currency
    # P3: the corrected amount as recorded and as restated (program currency); else None
    recorded: Value = None
    restated: Value = None


@dataclass(frozen=True, slots=True)
class PoolRow:
    """The partner's part of one cost pool."""

    id: str
    name: str
    label: str
    basis: str
    driver: str
    unit: str
    units: Value
    capacity: Value
    utilization: Value
    share: Value
    tier_factor: Value
    wind_down_factor: Value
    cushion: Value
    cost: Value
    guardrail: Value
    credit: Value
    net: Value
    pool_amount: Value
    draw: Value
    allocable: Value


@dataclass(frozen=True, slots=True)
class DealRow:
    """A deal of the period and its revenue share; a deal that spans brackets is
    followed by one `bracket` row per bracket (range, rate, `bracket_share`)."""

    kind: str  # "deal" or "bracket"
    id: str
    customer: str
    product: str
    close_date: Value
    type: str
    reported_type: str
    registered: str
    amount: Value
    rate: Value
    bonus_rate: Value
    bracket_share: Value  # bracket rows: the part of the deal's share at that bracket
    share: Value  # deal rows: the revenue_share line
    status: str
    explanation: str


@dataclass(frozen=True, slots=True)
class TrueUpRow:
    """A deal's true-up: what is due now against what was paid before."""

    deal_id: str
    amount: Value
    rate: Value
    due: Value
    paid_before: Value
    delta: Value


@dataclass(frozen=True, slots=True)
class MilestoneRow:
    """A milestone of the period: its curve, payout and what is held or deferred."""

    id: str
    metric: str
    title: str
    phase: str
    curve: str
    recurrence: str
    actual: Value
    floor: Value
    target: Value
    cap: Value
    floor_payout: Value
    target_payout: Value
    max_payout: Value
    payout: Value
    due: Value
    paid: Value
    held: Value
    deferred: Value
    not_paid: Value
    released: Value
    released_held: Value
    released_deferred: Value
    held_total: Value
    deferred_total: Value
    amount: Value
    verified: str
    status: str
    why: str


@dataclass(frozen=True, slots=True)
class ScoreRow:
    """A scorecard metric: its weight, range, value and score."""

    metric: str
    label: str
    weight: Value
    worst: Value
    best: Value
    value: Value
    score: Value


# --- the close pack ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ParticipantRow:
    """A participant's total per line component (one column each, in Component's order)."""

    id: str
    name: str
    plan: str
    cost_share: Value
    guardrail: Value
    in_kind_credit: Value
    reserve_contribution: Value
    reserve_refund: Value
    wind_down_fee: Value
    revenue_share: Value
    true_up: Value
    clawback: Value
    revenue_cap: Value
    mdf: Value
    milestone: Value
    milestone_release: Value
    deferred_release: Value
    adjustment: Value
    prior_period_adjustment: Value
    net: Value
    lines: int


@dataclass(frozen=True, slots=True)
class PoolCheckRow:
    """A pool's amount against the sum of its lines (C7)."""

    id: str
    name: str
    basis: str
    amount: Value
    budget: Value
    draw: Value
    allocable: Value
    lines_total: Value
    check: Value


@dataclass(frozen=True, slots=True)
class AccountRow:
    """A partner's reserve-fund account."""

    partner_id: str
    name: str
    asked: Value
    contribution: Value
    refund: Value
    contributions_to_date: Value
    equity: Value
    exit: str


@dataclass(frozen=True, slots=True)
class ProblemRow:
    """A problem of the close, with its place."""

    severity: str
    location: str
    file: str
    sheet: str
    cell: str
    column: str
    message: str


@dataclass(frozen=True, slots=True)
class FileRow:
    """An input file of the close and its fingerprint."""

    name: str
    path: str
    role: str
    sha256: str


@dataclass(frozen=True, slots=True)
class ComponentTotalRow:
    """A line component's total over every participant."""

    key: str
    name: str
    section: str
    total: Value


@dataclass(frozen=True, slots=True)
class KeyFigureRow:
    """A partner's key figure (K1), under the label every output gives it."""

    partner_id: str
    metric: str
    label: str
    value: Value


@dataclass(frozen=True, slots=True)
class SettlementRow:
    """A partner settled in another currency: its net in both currencies (rules.md X2)."""

    id: str
    name: str
    currency: str
    rate: Value
    net_program: Value
    net_settlement: Value
    net_settlement_text: str
    rounding_difference: Value


@dataclass(frozen=True, slots=True)
class RateRow:
    """One of the period's FxRates rows, for the audit record (rules.md X3)."""

    currency: str
    average: Value
    closing: Value
    source: Value
    decimals: Value


@dataclass(frozen=True, slots=True)
class ChangeRow:
    """A partner's net and sections this period and last (the close pack's Changes)."""

    id: str
    name: str
    net: Value
    net_last: Value
    change: Value
    change_pct: Value  # change ÷ |last|; "n/a" when last period's net was 0
    cost_sharing: Value
    cost_sharing_last: Value
    reserve_fund: Value
    reserve_fund_last: Value
    revenue_share: Value
    revenue_share_last: Value
    co_marketing: Value
    co_marketing_last: Value
    milestones: Value
    milestones_last: Value
