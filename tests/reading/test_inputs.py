"""Reading and validating whole inputs: one broken workbook per problem kind."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from partnerclose.core.period import Period
from partnerclose.core.problems import Severity
from partnerclose.core.records import DealType, PartnerStatus
from partnerclose.reading.inputs import Inputs, load_inputs
from tests.workbook_files import P001, P002, PROGRAM, Sheets, write_program, write_workbook

OCT = Period(2026, 10)


def load(
    tmp_path: Path, program: Sheets | None = None, partners: dict[str, Sheets] | None = None
) -> Inputs:
    return load_inputs(write_program(tmp_path, program, partners), OCT)


def messages(inputs: Inputs, severity: Severity = Severity.ERROR) -> list[str]:
    return [str(p) for p in inputs.problems if p.severity is severity]


def changed(sheet: str, row: int, column: int, value: object, base: Sheets | None = None) -> Sheets:
    sheets = copy.deepcopy(base or PROGRAM)
    line = sheets[sheet][row]
    line.extend([None] * (column + 1 - len(line)))
    line[column] = value
    return sheets


def test_valid_program_reads_into_records(tmp_path):
    inputs = load(tmp_path)
    assert messages(inputs) == []
    assert inputs.ok
    program = inputs.program
    assert program is not None
    assert program.settings.program_name == "Test Program"
    assert program.settings.reserve_opening_balance == D(10000)
    assert program.settings.decimals == 2  # default
    assert [p.partner_id for p in program.partners] == ["P001", "P002"]
    assert program.partners[0].status is PartnerStatus.ACTIVE
    assert program.revenue_tiers[1].rate == D("0.15")  # not 0.1499999...
    deal = inputs.data.deals[0]
    assert (deal.partner_id, deal.deal_type, deal.registered, deal.close_date) == (
        "P001",
        DealType.SOURCED,
        True,
        date(2026, 10, 3),
    )
    assert sorted((u.partner_id, u.units) for u in inputs.data.usage) == [
        ("HOST", D(500)),
        ("P001", D(300)),
        ("P002", D(200)),
    ]
    assert {f.role for f in inputs.files} == {"program", "partner"}
    assert all(len(f.sha256) == 64 for f in inputs.files)


def test_missing_required_sheet(tmp_path):
    program = copy.deepcopy(PROGRAM)
    del program["Plans"]
    assert "program.xlsx: missing required sheet Plans" in messages(load(tmp_path, program))


def test_missing_required_column_suggests_a_near_header(tmp_path):
    partner = copy.deepcopy(P001)
    partner["Deals"][0][5] = "amout"
    found = messages(load(tmp_path, partners={"P001": partner, "P002": P002}))
    assert found == ['P001.xlsx:Deals!F1: missing required column amount; did you mean "amout"?']


def test_wrong_type_names_the_cell_and_what_was_found(tmp_path):
    partner = changed("Deals", 1, 5, "abc", P001)
    found = messages(load(tmp_path, partners={"P001": partner, "P002": P002}))
    assert found == ['P001.xlsx:Deals!F2: amount must be a number ≥ 0, got "abc"']


def test_out_of_range_values(tmp_path):
    program = changed("CostPools", 1, 2, -5)
    program = changed("RevenueTiers", 1, 3, 1.5, program)
    found = messages(load(tmp_path, program))
    assert "program.xlsx:CostPools!C2: amount must be a number ≥ 0, got -5" in found
    assert "program.xlsx:RevenueTiers!D2: rate must be a number from 0 to 1, got 1.5" in found


def test_choice_with_a_typo_suggests_the_choice(tmp_path):
    found = messages(load(tmp_path, changed("CostPools", 1, 3, "usge")))
    assert found == [
        "program.xlsx:CostPools!D2: basis must be one of usage, capacity, equal, "
        'fixed, hybrid, got "usge"; did you mean "usage"?'
    ]


@pytest.mark.parametrize(
    ("sheet", "row", "expected"),
    [
        (
            "Partners",
            ["P001", "Copy", "Gold", "active"],
            "program.xlsx:Partners!A4: duplicate partner_id P001, first at program.xlsx:Partners!A2",
        ),
        (
            "CostPools",
            ["CRM", "Again", 1, "equal"],
            "program.xlsx:CostPools!A3: duplicate pool_id CRM, first at program.xlsx:CostPools!A2",
        ),
        (
            "Products",
            ["Core", 0.01],
            "program.xlsx:Products!A4: duplicate product Core, first at program.xlsx:Products!A2",
        ),
    ],
)
def test_duplicate_ids(tmp_path, sheet, row, expected):
    program = copy.deepcopy(PROGRAM)
    program[sheet].append(row)
    assert expected in messages(load(tmp_path, program))


def test_duplicate_deal_id_across_workbooks(tmp_path):
    p002 = copy.deepcopy(P002)
    p002["Deals"] = copy.deepcopy(P001["Deals"])
    found = messages(load(tmp_path, partners={"P001": P001, "P002": p002}))
    assert found == ["P002.xlsx:Deals!A2: duplicate deal_id D1, first at P001.xlsx:Deals!A2"]


def test_a_deal_id_repeated_only_by_a_dropped_workbook_is_not_a_duplicate(tmp_path):
    """Reading finds D1 twice, so validation compares the ids of the deals it keeps."""
    again = copy.deepcopy(P001)  # a second workbook for P001: dropped, with its deals
    found = messages(load(tmp_path, partners={"P001": P001, "P001b": again, "P002": P002}))
    assert found == [
        "P001b.xlsx:Partner!B2: a second workbook for P001 and 2026-10; the other is P001.xlsx"
    ]


def test_duplicate_milestone_id_and_floor_target_cap_order(tmp_path):
    program = copy.deepcopy(PROGRAM)
    header = [
        "milestone_id",
        "partner_id",
        "metric",
        "floor",
        "target",
        "cap",
        "floor_payout",
        "target_payout",
        "max_payout",
    ]
    program["Milestones"] = [
        header,
        ["M1", "P001", "activation_rate", 0.4, 0.6, 0.8, 2000, 10000, 15000],
        ["M1", "P002", "activation_rate", 0.4, 0.3, 0.8, 2000, 10000, 15000],
    ]
    found = messages(load(tmp_path, program))
    assert (
        "program.xlsx:Milestones!A3: duplicate milestone_id M1, first at "
        "program.xlsx:Milestones!A2" in found
    )
    assert (
        "program.xlsx:Milestones!E3: floor, target and cap must be in order (floor ≤ target "
        "≤ cap, or floor ≥ target ≥ cap when lower is better), got 0.4 / 0.3 / 0.8"
    ) in found


def test_lower_is_better_milestone_is_valid(tmp_path):
    program = copy.deepcopy(PROGRAM)
    program["Milestones"] = [
        [
            "milestone_id",
            "partner_id",
            "metric",
            "floor",
            "target",
            "cap",
            "floor_payout",
            "target_payout",
            "max_payout",
        ],
        ["M2", "P001", "onboarding_days", 30, 20, 10, 1000, 5000, 8000],
    ]
    inputs = load(tmp_path, program)
    assert messages(inputs) == []
    assert inputs.program is not None
    assert inputs.program.milestones[0].lower_is_better


def test_unknown_references_suggest_the_nearest(tmp_path):
    program = changed("Partners", 2, 2, "Gld")
    program = changed("Commitments", 3, 1, "CRN", program)
    partner = changed("Deals", 1, 2, "Cor", P001)
    found = messages(load(tmp_path, program, {"P001": partner, "P002": P002}))
    assert 'program.xlsx:Partners!C3: unknown plan "Gld"; did you mean "Gold"?' in found
    assert 'program.xlsx:Commitments!B4: unknown pool "CRN"; did you mean "CRM"?' in found
    assert 'P001.xlsx:Deals!C2: unknown product "Cor"; did you mean "Core"?' in found


def test_unknown_phase_and_partner_of_milestone(tmp_path):
    program = copy.deepcopy(PROGRAM)
    program["Phases"] = [["phase_id", "partner_id", "gate"], ["PH1", "P001", "proceed"]]
    program["Milestones"] = [
        [
            "milestone_id",
            "partner_id",
            "phase_id",
            "metric",
            "floor",
            "target",
            "cap",
            "floor_payout",
            "target_payout",
            "max_payout",
        ],
        ["M1", "P009", "PH2", "x", 1, 2, 3, 1, 2, 3],
    ]
    found = messages(load(tmp_path, program))
    assert 'program.xlsx:Milestones!B2: unknown partner "P009"' in " ".join(found)
    # PH2 and PH1 both look valid: no guess between them (a typo such as "PH 1" gets one).
    assert 'program.xlsx:Milestones!C2: unknown phase "PH2"' in found


def test_fixed_shares_must_sum_to_one(tmp_path):
    program = copy.deepcopy(PROGRAM)
    program["CostPools"].append(["OFFICE", "Office", 9000, "fixed"])
    program["Commitments"][0].append("fixed_share")
    program["Commitments"] += [["HOST", "OFFICE", 0, 0.5], ["P001", "OFFICE", 0, 0.3]]
    found = messages(load(tmp_path, program))
    assert found == [
        "program.xlsx:CostPools!A3: fixed shares of pool OFFICE must sum to 1, they sum to 0.8"
    ]


def test_plan_without_zero_bracket_and_conflicting_modes(tmp_path):
    program = changed("RevenueTiers", 3, 2, 5000)
    program["Plans"].append(["Gold", "retroactive"])
    found = messages(load(tmp_path, program))
    assert (
        "program.xlsx:Plans!A2: plan Gold has no influenced bracket from 0 in RevenueTiers" in found
    )
    assert (
        "program.xlsx:Plans!B3: plan Gold has conflicting modes: marginal at Plans!B2, "
        "retroactive here" in found
    )


def test_usage_without_commitment(tmp_path):
    program = copy.deepcopy(PROGRAM)
    program["CostPools"].append(["DATA", "Data platform", 5000, "usage"])
    partner = copy.deepcopy(P002)
    partner["Usage"].append(["DATA", 10])
    found = messages(load(tmp_path, program, {"P001": P001, "P002": partner}))
    assert found == [
        "P002.xlsx:Usage!A3: usage of pool DATA by P002, which has no Commitments row for it"
    ]


def test_data_from_two_sources_names_both(tmp_path):
    program = copy.deepcopy(PROGRAM)
    program["Usage"].append(["P001", "CRM", 10])
    found = messages(load(tmp_path, program))
    assert found == [
        "P001.xlsx:Usage!A2: Usage for P001 come from two sources: this workbook and "
        "program.xlsx:Usage; keep one"
    ]


def test_workbook_for_unknown_partner_and_two_workbooks_for_one(tmp_path):
    stranger = changed("Partner", 1, 1, "P077", P002)
    found = messages(load(tmp_path, partners={"P001": P001, "P001-copy": P001, "P077": stranger}))
    assert 'P077.xlsx:Partner!B2: unknown partner "P077"' in " | ".join(found)
    # Files are taken in name order: "P001-copy" sorts before "P001.".
    assert (
        "P001.xlsx:Partner!B2: a second workbook for P001 and 2026-10; the other is "
        "P001-copy.xlsx" in found
    )


def test_no_submission_is_a_warning(tmp_path):
    inputs = load(tmp_path, partners={"P001": P001})
    assert inputs.ok
    assert messages(inputs, Severity.WARNING) == [
        "program.xlsx:Partners!A3: warning: no submission from P002 for 2026-10"
    ]


def test_other_period_workbooks_and_lock_files_are_skipped(tmp_path):
    september = changed("Partner", 2, 1, "2026-09", P002)
    program = write_program(
        tmp_path, partners={"P001": P001, "P002-sep": september, "~$P001": P001}
    )
    (tmp_path / "partners" / "notes.txt").write_text("not a workbook")
    inputs = load_inputs(program, OCT)
    assert messages(inputs) == []
    assert messages(inputs, Severity.INFO) == [
        "program.xlsx: info: 1 workbook of other periods skipped (2026-09: 1; closing 2026-10)"
    ]
    assert [s.partner_id for s in inputs.data.submissions] == ["P001"]


def test_usage_outside_the_period_is_ignored_with_a_warning(tmp_path):
    partner = copy.deepcopy(P002)
    partner["Usage"] = [
        ["pool_id", "units", "date"],
        ["CRM", 200, date(2026, 10, 5)],
        ["CRM", 999, date(2026, 9, 30)],
    ]
    inputs = load(tmp_path, partners={"P001": P001, "P002": partner})
    assert messages(inputs, Severity.WARNING) == [
        "P002.xlsx:Usage!C3: warning: usage dated 2026-09-30 is outside 2026-10; ignored"
    ]
    assert sum(u.units for u in inputs.data.usage if u.partner_id == "P002") == 200


def test_unknown_columns_are_a_single_warning(tmp_path):
    program = copy.deepcopy(PROGRAM)
    program["Partners"][0] += ["notes", "region"]
    found = messages(load(tmp_path, program), Severity.WARNING)
    assert found == ["program.xlsx:Partners!E1: warning: unknown columns ignored: notes, region"]


def test_reading_conventions(tmp_path):
    program = copy.deepcopy(PROGRAM)
    program["Partners"] = [
        [" Partner ID ", "NAME", "Plan", "status", "exit_date", "wind_down_months"],
        [1001, "Numbered Ltd", "Gold", "Exiting", "2026-10-15", 2],
        [None, None, None, None, None, None],
        ["P002", "Beta Systems", "Gold", "active", None, None],
    ]
    program["Commitments"][2][0] = 1001
    program["Program"] += [
        ["reserve_savings_pct", "15%"],
        ["reserve_fixed_contribution", "1,234.50"],
    ]
    p1001 = changed("Partner", 1, 1, 1001.0, P001)
    p1001["Partner"][2][1] = date(2026, 10, 31)  # a date inside the month is the period
    p1001["Deals"][1][4] = "TRUE"
    inputs = load(tmp_path, program, {"P1001": p1001, "P002": P002})
    assert messages(inputs) == []
    program_read = inputs.program
    assert program_read is not None
    partner = program_read.partners[0]
    assert (partner.partner_id, partner.status, partner.exit_date, partner.wind_down_months) == (
        "1001",
        PartnerStatus.EXITING,
        date(2026, 10, 15),
        2,
    )
    assert program_read.settings.reserve_savings_pct == D("0.15")
    assert program_read.settings.reserve_fixed_contribution == D("1234.50")
    assert inputs.data.deals[0].partner_id == "1001"
    assert inputs.data.deals[0].registered is True


def test_formula_without_saved_value_is_an_error_at_its_cell(tmp_path):
    partner = changed("Usage", 1, 1, "=2*150", P001)
    found = messages(load(tmp_path, partners={"P001": partner, "P002": P002}))
    assert found == [
        "P001.xlsx:Usage!B2: formula has no saved value; open and save the workbook in Excel"
    ]


def test_unsafe_partner_id_and_reserved_host(tmp_path):
    program = copy.deepcopy(PROGRAM)
    program["Partners"] += [
        [
            "../evil",
            "Evil",
            "Gold",
            "exited",
        ],
        ["HOST", "Me", "Gold", "active"],
    ]
    found = messages(load(tmp_path, program))
    assert (
        'program.xlsx:Partners!A4: partner_id must be 1-64 letters, digits, ".", "_" or '
        '"-", got "../evil"' in found
    )
    assert "program.xlsx:Partners!A5: partner_id HOST is reserved for the company" in found


def test_exit_date_rules(tmp_path):
    program = copy.deepcopy(PROGRAM)
    program["Partners"][0].append("exit_date")
    program["Partners"][1].append("2026-10-01")
    program["Partners"][2][3] = "exiting"
    found = messages(load(tmp_path, program))
    assert (
        "program.xlsx:Partners!E2: exit_date is not allowed for an active partner; set "
        "status to exiting" in found
    )
    assert "program.xlsx:Partners!E3: exit_date is required for a partner that is exiting" in found


def test_every_problem_is_collected_in_one_pass(tmp_path):
    program = changed("Partners", 2, 2, "Gld")
    program = changed("CostPools", 1, 2, "lots", program)
    partner = changed("Deals", 1, 5, "abc", P001)
    inputs = load(tmp_path, program, {"P001": partner, "P002": P002})
    assert len(messages(inputs)) == 3
    assert not inputs.ok


def test_missing_program_file_is_a_problem_not_a_traceback(tmp_path):
    inputs = load_inputs(tmp_path / "nope.xlsx", OCT)
    assert not inputs.ok
    assert messages(inputs)[0].startswith("nope.xlsx: cannot read the file")


def test_program_key_value_problems(tmp_path):
    program = copy.deepcopy(PROGRAM)
    program["Program"] = [
        ["key", "value"],
        ["currency", "EUR"],
        ["decimals", "two"],
        ["colour", "blue"],
    ]
    inputs = load(tmp_path, program)
    assert messages(inputs) == [
        'program.xlsx:Program!B3: decimals must be a whole number from 0 to 4, got "two"',
        "program.xlsx:Program!A5: missing required key program_name",  # below the last key
    ]
    assert messages(inputs, Severity.WARNING) == [
        "program.xlsx:Program!A4: warning: unknown keys ignored: colour"
    ]


def test_write_workbook_helper_round_trips(tmp_path):
    path = write_workbook(tmp_path / "x.xlsx", {"S": [["a"], [1]]})
    assert path.exists()


def test_numbers_too_large_to_keep_exact_are_refused_at_their_cell(tmp_path):
    """Found by the fuzz test: a pool of 1.5625e32 used to stop the close mid-way."""
    program = changed("CostPools", 1, 2, 1.5625e32)
    partner = changed("Deals", 1, 5, 2e18, P001)
    found = messages(load(tmp_path, program, partners={"P001": partner, "P002": P002}))
    assert found == [
        "program.xlsx:CostPools!C2: amount must be below 10^15 in size, got 1.5625e+32",
        "P001.xlsx:Deals!F2: amount must be below 10^15 in size, got 2e+18",
    ]
