"""Sheets the reader does not know never drop data silently (workbooks.md, "Bad input", rev. 2).

Through workbook files: a renamed, added or doubled sheet in a partner workbook is an error
naming it; in the program workbook a sheet that looks like one of the product's is an error,
the others one note; revision 2 sheets and columns this version does not read are refused
when they hold values.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from partnerclose.core import schema
from partnerclose.core.period import Period
from partnerclose.core.problems import Severity
from partnerclose.pipeline import Status, run_close
from partnerclose.reading import inputs as inputs_module
from partnerclose.reading import sheets
from partnerclose.reading.inputs import PROGRAM_SHEET_NAMES, Inputs, load_inputs
from partnerclose.reading.sheets import OWN_PROGRAM_SHEETS, OWN_SHEET_PREFIX, looks_like
from tests.workbook_files import P001, P002, PROGRAM, Sheets, write_program

OCT = Period(2026, 10)


def load(tmp_path: Path, program: Sheets | None = None, p001: Sheets | None = None) -> Inputs:
    partners = {"P001": p001 or P001, "P002": P002}
    return load_inputs(write_program(tmp_path, program, partners), OCT)


def found(inputs: Inputs, severity: Severity = Severity.ERROR) -> list[str]:
    return [str(p) for p in inputs.problems if p.severity is severity]


def renamed(sheets: Sheets, old: str, new: str) -> Sheets:
    copied = copy.deepcopy(sheets)
    return {new if name == old else name: rows for name, rows in copied.items()}


@pytest.mark.parametrize("name", ["Deals Oct", "Deal"])
def test_a_renamed_partner_sheet_is_an_error_with_a_suggestion(tmp_path, name):
    inputs = load(tmp_path, p001=renamed(P001, "Deals", name))
    assert found(inputs) == [
        f'P001.xlsx:{name}: sheet "{name}" is not a sheet of a partner workbook, so its rows '
        'are not read; did you mean "Deals"? Rename it to Usage, Deals, Metrics or Campaigns, '
        "or delete it"
    ]
    (problem,) = [p for p in inputs.problems if p.severity is Severity.ERROR]
    assert (problem.file, problem.sheet) == ("P001.xlsx", name)


def test_a_renamed_deals_sheet_stops_the_close_instead_of_losing_the_deal(tmp_path):
    """P001's one deal (30,000.00 at 10 %) would be 3,000.00 of revenue share lost."""
    program = write_program(tmp_path, partners={"P001": renamed(P001, "Deals", "Deals Oct")})
    outcome = run_close(program, OCT, out=tmp_path / "out")
    assert outcome.status is Status.INVALID
    assert not (tmp_path / "out").exists()


def test_an_added_sheet_is_an_error_and_the_read_me_is_allowed(tmp_path):
    p001 = copy.deepcopy(P001)
    p001["Notes"] = [["anything"], ["at all"]]
    p001["Read me"] = [["PartnerClose: partner workbook"]]
    assert found(load(tmp_path, p001=p001)) == [
        'P001.xlsx:Notes: sheet "Notes" is not a sheet of a partner workbook, so its rows are '
        "not read; rename it to Usage, Deals, Metrics or Campaigns, or delete it"
    ]


def test_a_sheet_twice_under_one_name_is_an_error(tmp_path):
    p001 = copy.deepcopy(P001)
    p001["Usage "] = [["pool_id", "units"], ["CRM", 50]]  # read as Usage too
    assert found(load(tmp_path, p001=p001)) == [
        'P001.xlsx:Usage : sheets "Usage" and "Usage " are both read as Usage, and only the '
        "first would be read; keep one (move its rows into the other)"
    ]


def test_a_partner_workbook_without_data_sheets_is_an_error(tmp_path):
    only_keys = {"Partner": copy.deepcopy(P001["Partner"])}
    assert found(load(tmp_path, p001=only_keys)) == [
        "P001.xlsx: the workbook has none of the sheets Usage, Deals, Metrics or Campaigns, so "
        "nothing would be read from it; with nothing to report for a kind of data, keep its "
        "sheet with the header row only"
    ]
    header_only = {**only_keys, "Deals": [copy.deepcopy(P001["Deals"][0])]}
    assert found(load(tmp_path / "header", p001=header_only)) == []


@pytest.mark.parametrize(
    ("name", "meant"),
    [("Deal", "Deals"), ("Adjustment", "Adjustments"), ("Cost Pools", "CostPools")],
)
def test_a_program_sheet_that_looks_like_one_of_ours_is_an_error(tmp_path, name, meant):
    program = copy.deepcopy(PROGRAM)
    program[name] = [["partner_id", "deal_id"], ["P001", "D9"]]
    assert found(load(tmp_path, program)) == [
        f'program.xlsx:{name}: sheet "{name}" is not read; did you mean "{meant}"? If it holds '
        "program data, rename it; if it is your own, give it a name unlike the program's sheets"
    ]


def test_finance_s_own_sheets_are_one_note_and_the_product_s_sheets_none(tmp_path):
    program = copy.deepcopy(PROGRAM)
    for name in ("Notes", "Pivot", "Instructions", *OWN_PROGRAM_SHEETS, OWN_SHEET_PREFIX + "P001"):
        program[name] = [["x"], [1]]
    program["Sources"] = [["kind", "location"]]  # read: header only
    program["Adjustments"] = [["period", "partner_id", "section", "amount", "reason"]]  # read
    program["FxRates"] = [["period", "currency", "average", "closing"]]  # read: not listed
    inputs = load(tmp_path, program)
    assert found(inputs) == []
    assert found(inputs, Severity.INFO) == [
        "program.xlsx: info: sheets not read (your own): Notes, Pivot, Instructions"
    ]


def test_a_revision_2_sheet_with_rows_is_refused(tmp_path, monkeypatch):
    # every revision 2 sheet that changes amounts is read; the refusal stays for the next
    monkeypatch.setitem(sheets.PLANNED_SHEETS, "Forecasts", True)
    monkeypatch.setattr(inputs_module, "PROGRAM_SHEET_NAMES", (*PROGRAM_SHEET_NAMES, "Forecasts"))
    program = copy.deepcopy(PROGRAM)
    program["FORECASTS"] = [  # FORECASTS is Forecasts: names match case-insensitively
        ["source", "kind", "file"],
        [None, None, None],
        ["CRM export", "deals", "crm.xlsx"],
    ]
    inputs = load(tmp_path, program)
    assert found(inputs) == [
        "program.xlsx:FORECASTS!A3: sheet Forecasts (workbooks.md, revision 2) is not "
        "supported by "
        "this version yet: its rows would be left out of the close and change the amounts; "
        "remove the sheet, or its rows, to close with this version"
    ]


def test_a_revision_2_column_with_values_is_refused_at_its_first_value(tmp_path, monkeypatch):
    # every revision 2 column of this version is read; the refusal stays for the next ones
    monkeypatch.setattr(schema, "PLANNED_COLUMNS", {"Plans": ("tier_source",)})
    program = copy.deepcopy(PROGRAM)
    program["Plans"] = [["plan", "mode", "tier_source"], ["Gold", "marginal", "CRM"]]
    assert found(load(tmp_path / "value", program)) == [
        "program.xlsx:Plans!C2: column tier_source (workbooks.md, revision 2) is not supported "
        'by this version yet, and its values would be ignored, got "CRM"; leave the column '
        "blank or remove it"
    ]
    program["Plans"] = [["plan", "mode", "tier_source"], ["Gold", "marginal", None]]
    assert found(load(tmp_path / "blank", program)) == []  # a blank column changes nothing


def test_validity_columns_are_read_not_refused(tmp_path):
    program = copy.deepcopy(PROGRAM)
    program["Plans"] = [["plan", "mode", "valid_from"], ["Gold", "marginal", "2026-01"]]
    assert found(load(tmp_path, program)) == []


@pytest.mark.parametrize(
    ("found_name", "known", "likely"),
    [
        ("Deal", "Deals", True),
        ("Deals (2)", "Deals", True),
        ("Old Deals", "Deals", True),
        ("Comitments", "Commitments", True),
        ("Instructions", "Contributions", False),
        ("Payments", "Adjustments", False),
        ("Costs", "CostTiers", False),
    ],
)
def test_which_sheet_names_look_like_ours(found_name, known, likely):
    assert looks_like(found_name, known) is likely


def test_the_add_in_s_sheet_names_are_known_to_the_reader():
    from excel_addin import layout

    assert set(OWN_PROGRAM_SHEETS[1:]) == {
        layout.CLOSE_SHEET,
        layout.SUMMARY_SHEET,
        layout.EXCEPTIONS_SHEET,
        layout.STATEMENT_TEMPLATE_SHEET,
    }
    assert layout.STATEMENT_PREFIX == OWN_SHEET_PREFIX
