"""The workbook formats as data: looking a column up, a data sheet in the program
workbook, and the declarations agreeing with workbooks.md and with the records."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from enum import StrEnum

import pytest

from partnerclose.core import schema as s
from partnerclose.core.records import (
    AdjustmentSection,
    DealStatus,
    DealType,
    OpeningKind,
    Settings,
)


def test_a_column_by_name() -> None:
    column = s.FX_RATES.column("closing")
    assert (column.name, column.label, column.kind) == ("closing", "closing", s.Kind.NUMBER)


def test_an_unknown_column_is_a_key_error() -> None:
    with pytest.raises(KeyError, match="rate"):
        s.FX_RATES.column("rate")


def test_a_data_sheet_in_the_program_workbook_has_partner_id_first() -> None:
    sheet = s.with_partner_id(s.DEALS)
    assert [c.name for c in sheet.columns] == ["partner_id", *(c.name for c in s.DEALS.columns)]
    assert (sheet.name, sheet.help) == ("Deals", s.DEALS.help)
    assert s.DEALS.columns[0].name == "deal_id"  # the partner workbook's sheet is unchanged


@pytest.mark.parametrize(
    ("key", "default"),
    [  # workbooks.md, the Program sheet's table
        ("currency", "USD"),
        ("decimals", 2),
        ("fiscal_year_start", 1),
        ("partner_folder", "partners"),
        ("reserve_opening_balance", Decimal(0)),
        ("clawback_days", 90),
        ("shock_factor", Decimal(1)),
        ("payment_terms_days", 30),
        ("approval_required", False),
    ],
)
def test_program_defaults_are_the_specs(key: str, default: object) -> None:
    assert s.PROGRAM.column(key).default == default


def test_program_defaults_agree_with_the_settings_record() -> None:
    """A setting left out of the workbook reads as the record's own default."""
    fields = {f.name: f.default for f in dataclasses.fields(Settings)}
    differ = {
        c.name: (c.default, fields[c.name])
        for c in s.PROGRAM.columns
        if c.name in fields and not c.required and c.default not in (None, "")
        if c.default != fields[c.name]
    }
    assert differ == {}


@pytest.mark.parametrize(
    ("sheet", "column", "enum"),
    [
        (s.ADJUSTMENTS, "section", AdjustmentSection),
        (s.OPENING_BALANCES, "balance", OpeningKind),
        (s.DEALS, "status", DealStatus),
        (s.DEALS, "deal_type", DealType),
        (s.OPENING_DEALS, "deal_type", DealType),
    ],
)
def test_a_choice_column_offers_exactly_the_records_values(
    sheet: s.SheetSpec, column: str, enum: type[StrEnum]
) -> None:
    assert set(sheet.column(column).choices) == {member.value for member in enum}


@pytest.mark.parametrize(
    ("sheet", "column", "signed"),
    [
        (s.ADJUSTMENTS, "amount", True),  # P2: signed, the partner's view
        (s.OPENING_BALANCES, "amount", True),  # last_allocation is negative
        (s.DEALS, "amount", False),  # a reversal gives the amount reversed, ≥ 0
        (s.FX_RATES, "average", False),
    ],
)
def test_which_amounts_may_be_negative(sheet: s.SheetSpec, column: str, signed: bool) -> None:
    minimum = sheet.column(column).minimum
    assert (minimum is None) is signed
    assert signed or minimum == 0


def test_a_flag_says_its_values_and_default() -> None:
    flag = s.DEALS.column("registered")
    assert (flag.kind, flag.required, flag.default, flag.choices) == (
        s.Kind.FLAG,
        False,
        False,
        ("Y", "N"),
    )
    assert flag.help == "Deal registered with the program (Y or N, default N)"


def test_an_optional_id_reads_blank_as_empty_and_a_required_one_has_no_default() -> None:
    optional, required = s.DEALS.column("original_deal_id"), s.DEALS.column("deal_id")
    assert (optional.required, optional.default) == (False, "")
    assert (required.required, required.default) == (True, None)


@pytest.mark.parametrize("sheet", [*s.PROGRAM_SHEETS, *s.PARTNER_SHEETS, s.SCENARIOS])
def test_no_sheet_names_a_column_twice(sheet: s.SheetSpec) -> None:
    names = [c.name for c in sheet.columns]
    assert len(names) == len(set(names))


def test_sheet_names_are_unique_and_the_required_ones_are_the_specs() -> None:
    names = [sheet.name.lower() for sheet in s.PROGRAM_SHEETS]
    assert len(names) == len(set(names))
    # workbooks.md marks these six "(required)"; the rest may be absent
    assert [sheet.name for sheet in s.PROGRAM_SHEETS if sheet.required] == [
        "Program",
        "Partners",
        "CostPools",
        "Commitments",
        "Plans",
        "RevenueTiers",
    ]


def test_validity_columns_on_the_e1_sheets() -> None:
    with_validity = {
        sheet.name
        for sheet in s.PROGRAM_SHEETS
        if {"valid_from", "valid_to"} <= {c.name for c in sheet.columns}
    }
    # rules.md E1's eight sheets
    assert with_validity == {
        "Plans",
        "RevenueTiers",
        "Products",
        "CostPools",
        "CostTiers",
        "Commitments",
        "Milestones",
        "Accounts",
    }
