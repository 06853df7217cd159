"""Scenario analysis: changed terms, costs and data beside the actual close (issue 27).

A scenario is a list of changes (rows of the `Scenarios` sheet, docs/scenarios.md)
applied in order to the program workbook's rows and the period's data; the close
is then computed on the changed records by the same rules, never recorded. The
records are immutable: a change gives new records (`dataclasses.replace`), so the
actual close and every other scenario see their own, unchanged inputs.

`scale_demand` is the older what-if: multipliers on all usage and deal volume.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from partnerclose.core.close import CloseResult
from partnerclose.core.currency import as_given
from partnerclose.core.money import round_money
from partnerclose.core.period import Period
from partnerclose.core.records import NOWHERE, Loc, PeriodData, Program
from partnerclose.core.schema import ChangeKind


@dataclass(frozen=True, slots=True)
class Target:
    """A sheet a scenario may change: its records' field and the columns of its key."""

    sheet: str
    records: str  # the Program (or PeriodData) field holding the sheet's rows
    key: tuple[str, ...]
    data: bool = False  # a data sheet: key parts may be left out (every row)
    number: str = ""  # a data sheet's column changed when none is named


PROGRAM_TARGETS = (
    Target("Partners", "partners", ("partner_id",)),
    Target("CostPools", "pools", ("pool_id",)),
    Target("Commitments", "commitments", ("partner_id", "pool_id")),
    Target("CostTiers", "cost_tiers", ("pool_id", "min_utilization")),
    Target("Plans", "plans", ("plan",)),
    Target("RevenueTiers", "revenue_tiers", ("plan", "deal_type", "from_amount")),
    Target("Products", "products", ("product",)),
    Target("Milestones", "milestones", ("milestone_id",)),
    Target("Phases", "phases", ("phase_id",)),
    Target("Contributions", "contributions", ("partner_id", "pool_id")),
    Target("FxRates", "fx_rates", ("currency", "period")),
    Target("Adjustments", "adjustments", ("partner_id", "reference")),
)
DATA_TARGETS = (
    Target("Usage", "usage", ("pool_id", "partner_id"), data=True, number="units"),
    Target("Deals", "deals", ("partner_id", "deal_id"), data=True, number="amount"),
    Target("Metrics", "metrics", ("metric", "partner_id"), data=True, number="value"),
    Target("Campaigns", "campaigns", ("partner_id", "campaign_id"), data=True, number="spend"),
)
SETTINGS_SHEET = "Program"
TARGETS = {t.sheet: t for t in (*PROGRAM_TARGETS, *DATA_TARGETS)}

# Columns holding money: a factor's result is rounded to the currency, as typed
# amounts are (a pool of 12,345.67 × 1.3 is 16,049.37, and N1 still reconciles).
MONEY_COLUMNS = frozenset(
    {
        "amount",
        "budget",
        "period_cap",
        "mdf_period_cap",
        "standalone_cost",
        "wind_down_fee",
        "unit_value",
        "floor_payout",
        "target_payout",
        "max_payout",
        "spend",
        "pipeline",
        "attributed_revenue",
        "reserve_opening_balance",
        "reserve_fixed_contribution",
        "reserve_cap",
    }
)


@dataclass(frozen=True, slots=True)
class ScenarioChange:
    """One row of the Scenarios sheet, its values already typed by the reader."""

    scenario: str
    change: ChangeKind
    sheet: str
    key: tuple[str, ...]  # the key parts; on Program: the setting's name
    column: str  # the record field changed ("" for add and Program)
    value: Any  # set: the typed value; factor: a Decimal; add: the copied row's key
    note: str = ""
    loc: Loc = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Scenario:
    """A named scenario: its changes, in the sheet's order."""

    name: str
    changes: tuple[ScenarioChange, ...]

    @property
    def notes(self) -> str:
        """The notes of its rows, joined (shown beside the scenario)."""
        return "; ".join(c.note for c in self.changes if c.note)


def group_scenarios(changes: Sequence[ScenarioChange]) -> tuple[Scenario, ...]:
    """The scenarios in the order their names first appear."""
    named: dict[str, list[ScenarioChange]] = {}
    for change in changes:
        named.setdefault(change.scenario, []).append(change)
    return tuple(Scenario(name, tuple(rows)) for name, rows in named.items())


@dataclass(frozen=True, slots=True)
class ScenarioClose:
    """One scenario's close: computed like the actual one, never recorded."""

    scenario: Scenario
    result: CloseResult
    program: Program  # the terms as the scenario changed them (in force in the period)

    @property
    def name(self) -> str:
        """The scenario's name, as in the Scenarios sheet."""
        return self.scenario.name


@dataclass(frozen=True, slots=True)
class ScenariosOutcome:
    """The actual close and each scenario's, side by side."""

    period: Period
    program: Program
    actual: CloseResult
    scenarios: tuple[ScenarioClose, ...]


# --- keys ----------------------------------------------------------------------


def key_text(value: object) -> str:
    """A key cell as compared with a key part: numbers without trailing zeros."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value else "0"
    if isinstance(value, StrEnum):
        return value.value
    if value is None:
        return ""
    return str(value)


def part_text(part: str) -> str:
    """A key part as typed, compared like `key_text` (100,000 and 100000.00 are one)."""
    try:
        number = Decimal(part.replace(",", ""))
    except InvalidOperation:
        return part
    return key_text(number) if number.is_finite() else part


def matches(row: object, target: Target, key: tuple[str, ...]) -> bool:
    """Whether `row` has the key parts given (fewer parts: a prefix of the key)."""
    return all(
        key_text(getattr(row, name)) == part_text(part)
        for name, part in zip(target.key, key, strict=False)
    )


def rows_of(program: Program, data: PeriodData, target: Target) -> tuple[Any, ...]:
    """The current rows of a target sheet."""
    holder: object = data if target.data else program
    return tuple(getattr(holder, target.records) or ())


def key_of(row: object, target: Target) -> tuple[str, ...]:
    """A row's whole key as text parts."""
    return tuple(key_text(getattr(row, name)) for name in target.key)


# --- applying ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Applied:
    """The records after a change, and how many rows it changed or added."""

    program: Program
    data: PeriodData
    rows: int


def _changed_value(current: object, change: ScenarioChange, decimals: int) -> object:
    if change.change is ChangeKind.SET:
        return change.value
    if not isinstance(current, Decimal):
        return current  # a blank optional number: nothing to multiply
    result = current * Decimal(change.value)
    if change.column in MONEY_COLUMNS:
        return round_money(result, decimals)
    return result


def _set_key(row: object, target: Target, key: tuple[str, ...]) -> object:
    """`row` with its key columns set to `key` (typed like the row's own values)."""
    values: dict[str, object] = {}
    for name, part in zip(target.key, key, strict=True):
        current = getattr(row, name)
        if isinstance(current, Decimal):
            values[name] = Decimal(part_text(part))
        elif isinstance(current, StrEnum):
            values[name] = type(current)(part)
        elif isinstance(current, Period):
            values[name] = Period.parse(part)
        else:
            values[name] = part
    return replace(row, **values)  # type: ignore[type-var]


def apply_change(program: Program, data: PeriodData, change: ScenarioChange) -> Applied:
    """One change applied; `rows` is 0 when its key named no row."""
    decimals = program.settings.decimals
    if change.sheet == SETTINGS_SHEET:
        setting = change.key[0]
        current = getattr(program.settings, setting)
        value: Any = _changed_value(current, replace(change, column=setting), decimals)
        settings = replace(program.settings, **{setting: value})
        return Applied(replace(program, settings=settings), data, 1)
    target = TARGETS[change.sheet]
    rows = rows_of(program, data, target)
    if change.change is ChangeKind.ADD:
        copied = [row for row in rows if matches(row, target, tuple(change.value))]
        added = tuple(_set_key(row, target, change.key) for row in copied)
        changed: tuple[Any, ...] = rows + added
        count = len(added)
    else:
        count = 0
        new_rows: list[Any] = []
        for row in rows:
            if matches(row, target, change.key):
                count += 1
                value = _changed_value(getattr(row, change.column), change, decimals)
                new_rows.append(replace(row, **{change.column: value}))
            else:
                new_rows.append(row)
        changed = tuple(new_rows)
    changes: dict[str, Any] = {target.records: changed}
    if target.data:
        return Applied(program, replace(data, **changes), count)
    return Applied(replace(program, **changes), data, count)


def apply_scenario(
    program: Program, data: PeriodData, scenario: Scenario
) -> tuple[Program, PeriodData]:
    """Every change of `scenario`, in order, on new records (the inputs are unchanged).

    Deals change as their partner gave them, in their own currency: the close converts
    them again (X1) on the scenario's terms.
    """
    data = as_given(data)
    for change in scenario.changes:
        applied = apply_change(program, data, change)
        program, data = applied.program, applied.data
    return program, data


def scale_demand(
    data: PeriodData, usage_factor: Decimal, deal_factor: Decimal, decimals: int = 2
) -> PeriodData:
    """Usage units and deal amounts multiplied (deal amounts rounded to the currency)."""
    if usage_factor < 0 or deal_factor < 0:
        raise ValueError("demand multipliers must be ≥ 0")
    data = as_given(data)  # a deal's volume in its own currency, as apply_scenario's
    return replace(
        data,
        usage=tuple(replace(u, units=u.units * usage_factor) for u in data.usage),
        deals=tuple(
            replace(d, amount=round_money(d.amount * deal_factor, decimals)) for d in data.deals
        ),
    )
