"""The input templates follow the schema, and the committed files are up to date."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from partnerclose.core import schema
from partnerclose.core.schema import Kind, SheetSpec

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def _load_builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_templates", TEMPLATES / "build_templates.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


builder = _load_builder()

PROGRAM_SHEETS: tuple[SheetSpec, ...] = builder.program_sheets()
PARTNER_SHEETS: tuple[SheetSpec, ...] = schema.PARTNER_SHEETS
CASES = [("program", spec) for spec in PROGRAM_SHEETS] + [
    ("partner", spec) for spec in PARTNER_SHEETS
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Workbook]:
    program, partner = builder.build(tmp_path_factory.mktemp("templates"))
    return {"program": load_workbook(program), "partner": load_workbook(partner)}


def _sheet(book: Workbook, name: str) -> Worksheet:
    sheet = book[name]
    assert isinstance(sheet, Worksheet)
    return sheet


def _case_id(case: tuple[str, SheetSpec]) -> str:
    return f"{case[0]}-{case[1].name}"


def test_program_data_sheets_carry_a_leading_partner_id() -> None:
    data = PROGRAM_SHEETS[len(schema.PROGRAM_SHEETS) :]
    assert [spec.name for spec in data] == ["Usage", "Deals", "Metrics", "Campaigns"]
    for spec in data:
        assert spec.columns[0].name == "partner_id"


@pytest.mark.parametrize(
    ("which", "sheets"), [("program", PROGRAM_SHEETS), ("partner", PARTNER_SHEETS)]
)
def test_read_me_first_then_every_schema_sheet_in_order(
    built: dict[str, Workbook], which: str, sheets: tuple[SheetSpec, ...]
) -> None:
    names = built[which].sheetnames
    assert names[0] == "Read me"
    # other sheets (such as a Close control sheet) may sit between, never the schema's order
    schema_names = [name for name in names if name in {spec.name for spec in sheets}]
    assert schema_names == [spec.name for spec in sheets]


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_headers_in_schema_order(built: dict[str, Workbook], case: tuple[str, SheetSpec]) -> None:
    which, spec = case
    sheet = _sheet(built[which], spec.name)
    rows = list(sheet.iter_rows(values_only=True))
    if spec.key_value:
        assert rows[0] == ("key", "value")
        assert [row[0] for row in rows[1:]] == [column.name for column in spec.columns]
    else:
        assert list(rows[0]) == [column.name for column in spec.columns]


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_header_is_styled_and_frozen(
    built: dict[str, Workbook], case: tuple[str, SheetSpec]
) -> None:
    which, spec = case
    sheet = _sheet(built[which], spec.name)
    assert sheet.freeze_panes == "A2"
    for cell in sheet[1]:
        assert cell.font.b
        assert cell.fill.fgColor.rgb.endswith("1F4E78")
        assert cell.border.bottom.style == "thin"
    if not spec.key_value:
        for index, column in enumerate(spec.columns, start=1):
            width = sheet.column_dimensions[get_column_letter(index)].width
            assert width is not None
            assert width >= len(column.name) + 2


def _validations(sheet: Worksheet) -> dict[str, str]:
    """Drop-down list by cell range."""
    return {
        str(ref): validation.formula1
        for validation in sheet.data_validations.dataValidation
        for ref in validation.sqref.ranges
        if validation.type == "list" and validation.formula1 is not None
    }


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_drop_down_for_every_choice_and_flag_column(
    built: dict[str, Workbook], case: tuple[str, SheetSpec]
) -> None:
    which, spec = case
    found = _validations(_sheet(built[which], spec.name))
    expected = {}
    for index, column in enumerate(spec.columns, start=1):
        if column.kind in (Kind.CHOICE, Kind.FLAG):
            assert column.choices
            listed = '"' + ",".join(column.choices) + '"'
            if spec.key_value:
                expected[f"B{index + 1}"] = listed
            else:
                letter = get_column_letter(index)
                expected[f"{letter}2:{letter}1000"] = listed
    assert found == expected


def test_flag_drop_downs_offer_y_and_n(built: dict[str, Workbook]) -> None:
    found = _validations(_sheet(built["partner"], "Deals"))
    registered = schema.DEALS.columns.index(schema.DEALS.column("registered")) + 1
    letter = get_column_letter(registered)
    assert found[f"{letter}2:{letter}1000"] == '"Y,N"'


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_example_row_fills_every_required_column(
    built: dict[str, Workbook], case: tuple[str, SheetSpec]
) -> None:
    which, spec = case
    rows = list(_sheet(built[which], spec.name).iter_rows(values_only=True))
    if spec.key_value:
        values = {row[0]: row[1] for row in rows[1:]}
        for column in spec.columns:
            assert (values[column.name] is not None) or not column.required, column.name
        return
    assert len(rows) == 2  # header and one example row
    for column, value in zip(spec.columns, rows[1], strict=True):
        if column.required:
            assert value not in (None, ""), column.name
        if column.example is not None:
            assert value is not None


def _examples(book: Workbook, name: str) -> dict[str, object]:
    rows = list(_sheet(book, name).iter_rows(values_only=True))
    return dict(zip((str(h) for h in rows[0]), rows[1], strict=True))


def test_program_examples_fit_together(built: dict[str, Workbook]) -> None:
    book = built["program"]
    partner = _examples(book, "Partners")
    assert partner["plan"] == _examples(book, "Plans")["plan"]
    assert _examples(book, "RevenueTiers")["plan"] == partner["plan"]
    assert _examples(book, "RevenueTiers")["from_amount"] == 0
    pool = _examples(book, "CostPools")["pool_id"]
    for name in ("Commitments", "CostTiers", "Usage"):
        assert _examples(book, name)["pool_id"] == pool
    for name in ("Commitments", "Milestones", "Phases", "Contributions", "Usage", "Deals"):
        assert _examples(book, name)["partner_id"] == partner["partner_id"]
    assert _examples(book, "Deals")["product"] == _examples(book, "Products")["product"]
    assert _examples(book, "Metrics")["metric"] == _examples(book, "Milestones")["metric"]


def _readme_sections(sheet: Worksheet) -> dict[str, list[str]]:
    """Column names listed under each `Sheet: <name>` heading of the read-me."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    in_table = False
    for row in sheet.iter_rows(values_only=True):
        first = row[0]
        if isinstance(first, str) and first.startswith(builder.SHEET_HEADING):
            name = first[len(builder.SHEET_HEADING) :].split(" (")[0]
            current = sections.setdefault(name, [])
            in_table = False
        elif current is not None and first in ("Column", "Key"):
            in_table = True
        elif current is not None and in_table and first is not None:
            current.append(str(first))
        elif first is None:
            in_table = False
    return sections


@pytest.mark.parametrize(
    ("which", "sheets"), [("program", PROGRAM_SHEETS), ("partner", PARTNER_SHEETS)]
)
def test_read_me_explains_every_sheet_and_column(
    built: dict[str, Workbook], which: str, sheets: tuple[SheetSpec, ...]
) -> None:
    readme = _sheet(built[which], "Read me")
    sections = _readme_sections(readme)
    assert list(sections) == [spec.name for spec in sheets]
    for spec in sheets:
        assert sections[spec.name] == [column.name for column in spec.columns]
    text = "\n".join(
        str(value) for row in readme.iter_rows(values_only=True) for value in row if value
    )
    for spec in sheets:
        assert spec.help in text
        for column in spec.columns:
            assert column.help in text


def test_read_me_states_required_defaults_and_conventions(built: dict[str, Workbook]) -> None:
    readme = _sheet(built["program"], "Read me")
    rows = {row[0]: row for row in readme.iter_rows(values_only=True) if row[0] == "clawback_days"}
    assert rows["clawback_days"][1:3] == ("optional", "90")
    text = "\n".join(
        str(value) for row in readme.iter_rows(values_only=True) for value in row if value
    )
    for phrase in ("15%", "Y/N", "2026-10-31", "YYYY-MM", "required", "Yes", "FALSE"):
        assert phrase in text


def test_build_gives_the_same_bytes_twice(tmp_path: Path) -> None:
    first = builder.build(tmp_path / "a")
    second = builder.build(tmp_path / "b")
    for one, two in zip(first, second, strict=True):
        assert one.read_bytes() == two.read_bytes()


def _contents(path: Path) -> dict[str, object]:
    book = load_workbook(path)
    contents: dict[str, object] = {}
    for sheet in book.worksheets:
        contents[sheet.title] = {
            "cells": [list(row) for row in sheet.iter_rows(values_only=True)],
            "frozen": sheet.freeze_panes,
            "drop-downs": sorted(_validations(sheet).items()),
        }
    return contents


@pytest.mark.parametrize("name", ["program_template.xlsx", "partner_template.xlsx"])
def test_committed_template_is_up_to_date(tmp_path: Path, name: str) -> None:
    committed = TEMPLATES / name
    assert committed.exists(), "run .venv/bin/python templates/build_templates.py"
    builder.build(tmp_path)
    assert _contents(committed) == _contents(tmp_path / name), (
        f"{name} is out of date: run .venv/bin/python templates/build_templates.py"
    )
