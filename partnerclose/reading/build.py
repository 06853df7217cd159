"""Typed rows to records: one builder per sheet of workbooks.md."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from enum import StrEnum
from itertools import repeat
from typing import Any, TypeVar

from partnerclose.core import records as r
from partnerclose.core import schema as s
from partnerclose.core.problems import Problem
from partnerclose.core.records import Loc
from partnerclose.reading.fx import program_decimals, with_minor_units
from partnerclose.reading.grid import WorkbookGrids, read_key_values
from partnerclose.reading.sheets import planned_column_problems
from partnerclose.reading.table import ABSENT, TypedSheet, read_table

T = TypeVar("T")

# Columns whose text becomes an enum member, per sheet.
_ENUMS: dict[str, dict[str, type[StrEnum]]] = {
    "Partners": {"status": r.PartnerStatus},
    "CostPools": {"basis": r.Basis},
    "Plans": {"mode": r.Mode},
    "RevenueTiers": {"deal_type": r.DealType},
    "Milestones": {"curve": r.Curve, "recurrence": r.Recurrence},
    "Phases": {"gate": r.Gate},
    "Deals": {"deal_type": r.DealType, "status": r.DealStatus},
    "OpeningBalances": {"balance": r.OpeningKind},
    "OpeningDeals": {"deal_type": r.DealType},
    "Adjustments": {"section": r.AdjustmentSection},
}
ENUMS: Mapping[str, Mapping[str, type[StrEnum]]] = _ENUMS  # for values typed elsewhere


def _records(
    cls: Callable[..., T], sheet: str, table: TypedSheet, extra: Mapping[str, Any]
) -> tuple[T, ...]:
    """The complete rows' records, built column by column (a million deals)."""
    keep = [i for i, ok in enumerate(table.complete) if ok]
    every_row = len(keep) == len(table)
    enums = _ENUMS.get(sheet, {})
    arguments: list[Iterable[object]] = []
    for spec_field in dataclasses.fields(cls):  # type: ignore[arg-type]
        name = spec_field.name
        if name == "loc":
            continue
        if name in extra:
            arguments.append(repeat(extra[name]))
        elif name in table.columns:
            values = table.columns[name]
            if not every_row:
                values = [values[i] for i in keep]
            if name in table.with_absent:  # blank and no column default: the record's
                default = _default(spec_field)
                values = [default if v is ABSENT else v for v in values]
            if name in enums:  # a dict lookup: Enum(value) is slow over a million rows
                members = enums[name]._value2member_map_
                values = [members[str(v)] for v in values]
            arguments.append(values)
        elif name in table.constants:  # the column's default: the sheet lacks the column
            constant = table.constants[name]
            if name in enums:
                constant = enums[name]._value2member_map_[str(constant)]
            arguments.append(repeat(constant))
        else:
            arguments.append(repeat(_default(spec_field)))
    rows = table.row_numbers if every_row else [table.row_numbers[i] for i in keep]
    locs = map(Loc, repeat(table.file), repeat(table.sheet), rows, repeat(table.letters))
    return tuple(map(cls, *arguments, locs))


def _default(spec_field: dataclasses.Field[Any]) -> object:
    if spec_field.default is not dataclasses.MISSING:
        return spec_field.default
    if spec_field.default_factory is not dataclasses.MISSING:
        return spec_field.default_factory()
    return None


# The id column of each sheet whose ids other sheets refer to.
ID_COLUMNS = {
    "Partners": "partner_id",
    "CostPools": "pool_id",
    "Plans": "plan",
    "Products": "product",
    "Phases": "phase_id",
    "Deals": "deal_id",
    "FxRates": "currency",  # a refused rate row: its rate is not reported missing again
}


def build_table(
    grids: WorkbookGrids,
    spec: s.SheetSpec,
    cls: Callable[..., T],
    rejected_ids: set[str] | None = None,
    **extra: Any,
) -> tuple[tuple[T, ...], list[Problem]]:
    """Records of the sheet's complete rows; ids of incomplete ones go to `rejected_ids`."""
    grid = grids.find(spec.name)
    table, problems = read_table(grid, spec, grids.file)
    if grid is not None:
        problems += planned_column_problems(grid, spec, grids.file)
    if table is None:
        return (), problems
    ids = table.columns.get(ID_COLUMNS.get(spec.name, ""))
    if rejected_ids is not None and ids is not None:
        rejected_ids.update(
            str(ids[i]) for i, ok in enumerate(table.complete) if not ok and ids[i] is not ABSENT
        )
    return _records(cls, spec.name, table, extra), problems


def build_settings(grids: WorkbookGrids) -> tuple[r.Settings | None, list[Problem]]:
    values, loc, problems = read_key_values(grids.find(s.PROGRAM.name), s.PROGRAM, grids.file)
    if "program_name" not in values:
        return None, problems
    currency = str(values.get("currency", s.PROGRAM.column("currency").default))
    # the key's own cell, when the sheet has one (read_key_values fills in defaults)
    given = values.get("decimals") if "decimals" in loc.columns else None
    decimals, found = program_decimals(currency, given if isinstance(given, int) else None, loc)
    problems += found
    if decimals is not None:
        values["decimals"] = decimals
    return r.Settings(**values, loc=loc), problems  # type: ignore[arg-type]


def read_program(
    grids: WorkbookGrids, rejected_ids: set[str] | None = None
) -> tuple[r.Program | None, list[Problem]]:
    """The program sheets of a program workbook; None when Program is unusable.

    Ids of rows that had problems are added to `rejected_ids` (see build_table).
    """
    problems: list[Problem] = []
    settings, found = build_settings(grids)
    problems += found

    def table(spec: s.SheetSpec, cls: Callable[..., T]) -> tuple[T, ...]:
        built, found = build_table(grids, spec, cls, rejected_ids)
        problems.extend(found)
        return built

    partners = table(s.PARTNERS, r.Partner)
    pools = table(s.COST_POOLS, r.Pool)
    commitments = table(s.COMMITMENTS, r.Commitment)
    cost_tiers = table(s.COST_TIERS, r.CostTier)
    plans = table(s.PLANS, r.Plan)
    revenue_tiers = table(s.REVENUE_TIERS, r.RevenueTier)
    products = table(s.PRODUCTS, r.Product) if grids.find(s.PRODUCTS.name) else None
    milestones = table(s.MILESTONES, r.Milestone)
    phases = table(s.PHASES, r.Phase)
    contributions = table(s.CONTRIBUTIONS, r.Contribution)
    scorecard = table(s.SCORECARD, r.ScorecardMetric)
    accounts = table(s.ACCOUNTS, r.Account)
    fx_rates = with_minor_units(table(s.FX_RATES, r.FxRate))
    opening_balances = table(s.OPENING_BALANCES, r.OpeningBalance)
    opening_deals = table(s.OPENING_DEALS, r.OpeningDeal)
    adjustments = table(s.ADJUSTMENTS, r.Adjustment)
    if settings is None:
        return None, problems
    program = r.Program(
        settings,
        partners,
        pools,
        commitments,
        cost_tiers,
        plans,
        revenue_tiers,
        products,
        milestones,
        phases,
        contributions,
        scorecard,
        accounts,
        fx_rates,
        opening_balances,
        opening_deals,
        adjustments,
    )
    return program, problems


DATA_RECORDS: Mapping[str, Callable[..., Any]] = {
    s.USAGE.name: r.Usage,
    s.DEALS.name: r.Deal,
    s.METRICS.name: r.MetricValue,
    s.CAMPAIGNS.name: r.Campaign,
}


def read_program_data(grids: WorkbookGrids) -> tuple[r.PeriodData, list[Problem]]:
    """Data sheets of the program workbook (with a leading partner_id column)."""
    problems: list[Problem] = []
    found: dict[str, tuple[Any, ...]] = {}
    for spec in s.DATA_SHEETS:
        built, sheet_problems = build_table(grids, s.with_partner_id(spec), DATA_RECORDS[spec.name])
        problems += sheet_problems
        found[spec.name] = built
    return _period_data(found), problems


def read_partner_workbook(
    grids: WorkbookGrids,
) -> tuple[r.Submission | None, r.PeriodData, list[Problem]]:
    """A partner workbook: who and which period, and its data rows."""
    values, loc, problems = read_key_values(
        grids.find(s.PARTNER_KEYS.name), s.PARTNER_KEYS, grids.file
    )
    if "partner_id" not in values or "period" not in values:
        return None, r.PeriodData(), problems
    submission = r.Submission(**values, file=grids.file, loc=loc)  # type: ignore[arg-type]
    found: dict[str, tuple[Any, ...]] = {}
    for spec in s.DATA_SHEETS:
        built, sheet_problems = build_table(
            grids, spec, DATA_RECORDS[spec.name], partner_id=submission.partner_id
        )
        problems += sheet_problems
        found[spec.name] = built
    return submission, _period_data(found, (submission,)), problems


def _period_data(
    found: Mapping[str, tuple[Any, ...]], submissions: tuple[r.Submission, ...] = ()
) -> r.PeriodData:
    return r.PeriodData(
        usage=found.get(s.USAGE.name, ()),
        deals=found.get(s.DEALS.name, ()),
        metrics=found.get(s.METRICS.name, ()),
        campaigns=found.get(s.CAMPAIGNS.name, ()),
        submissions=submissions,
    )
