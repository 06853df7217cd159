"""Who sent what: the file at fault is blamed, an empty month needs a choice, and a partner
without data reads so on its statement. Through workbook files, the pipeline and the CLI."""

from __future__ import annotations

import copy
import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from partnerclose.cli import main
from partnerclose.core.period import Period
from partnerclose.core.problems import Severity
from partnerclose.demo import write_demo, write_partner_workbooks
from partnerclose.pipeline import Status, run_close
from partnerclose.reading.inputs import load_inputs
from tests.workbook_files import P001, P002, write_program

OCT, DEC = Period(2026, 10), Period(2026, 12)


def errors(problems) -> list[str]:
    return [str(p) for p in problems if p.severity is Severity.ERROR]


# --- the wrong file is blamed no more -----------------------------------------------


def test_a_file_whose_name_and_partner_disagree_is_the_one_blamed(tmp_path):
    program = write_demo(tmp_path, partners=12, period=OCT, seed=7)
    wrong = tmp_path / "partners" / "P003_2026-10.xlsx"
    book = load_workbook(wrong)
    book["Partner"]["B2"] = "P004"
    book.save(wrong)
    inputs = load_inputs(program, OCT)
    assert errors(inputs.problems) == [
        "P003_2026-10.xlsx:Partner!B2: partner_id is P004, but the file name "
        "P003_2026-10.xlsx says P003; correct the one that is wrong (the workbook is not "
        "read until then)"
    ]
    (blamed,) = [p for p in inputs.problems if p.severity is Severity.ERROR]
    assert (blamed.file, blamed.sheet, blamed.cell, blamed.column) == (
        "P003_2026-10.xlsx",
        "Partner",
        "B2",
        "partner_id",
    )
    assert [s.file for s in inputs.data.submissions if s.partner_id == "P004"] == [
        "P004_2026-10.xlsx"  # the innocent workbook is the one read
    ]


def test_names_that_say_no_partner_keep_the_rule_of_the_later_file(tmp_path):
    """`P001b.xlsx` names no partner (P001 runs into the b): no name to compare with."""
    partners = {"P001": P001, "P001b": copy.deepcopy(P001), "P002": P002}
    inputs = load_inputs(write_program(tmp_path, partners=partners), OCT)
    assert errors(inputs.problems) == [
        "P001b.xlsx:Partner!B2: a second workbook for P001 and 2026-10; the other is P001.xlsx"
    ]


# --- an empty month ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_demo(tmp_path_factory.mktemp("demo"), partners=12, period=OCT, seed=7)


EMPTY = (
    "program.xlsx:Program!B6: no partner workbook of 2026-12 was found in {folder}, and 8 "
    "active partners (P001, P002, P003, P004, P006, …) sent no data for it; check the period "
    "and the partner folder, or allow a close without partner data (--allow-empty)"
)


def test_a_period_without_any_partner_workbook_is_an_error(demo):
    inputs = load_inputs(demo, DEC)
    assert errors(inputs.problems) == [EMPTY.format(folder=demo.parent / "partners")]
    assert inputs.empty_period is not None
    assert inputs.empty_period.severity is Severity.ERROR
    assert not inputs.ok
    notes = [str(p) for p in inputs.problems if p.severity is Severity.INFO]
    assert notes == [  # one line for the folder's October workbooks, not eleven
        "program.xlsx: info: 11 workbooks of other periods skipped (2026-10: 11; closing 2026-12)"
    ]


def test_validate_and_close_refuse_an_empty_month_unless_allowed(demo, capsys):
    assert main(["validate", str(demo), "--period", "2026-12"]) == 2
    assert EMPTY.format(folder=demo.parent / "partners") in capsys.readouterr().err
    assert main(["validate", str(demo), "--period", "2026-12", "--allow-empty"]) == 0
    err = capsys.readouterr().err
    assert (
        "program.xlsx:Program!B6: info: closing 2026-12 with no partner workbooks, as allowed: "
        "8 active partners (P001, P002, P003, P004, P006, …) sent no data for it, and each of "
        "their statements says so"
    ) in err
    out = demo.parent / "close-dec"
    assert main(["close", str(demo), "--period", "2026-12", "--out", str(out)]) == 2
    assert not out.exists()


def test_an_empty_month_allowed_gives_statements_that_say_no_data_came(tmp_path):
    program = write_demo(tmp_path, partners=12, period=OCT, seed=7)
    outcome = run_close(program, DEC, allow_empty=True)
    assert outcome.status is Status.CLOSED, outcome.message
    assert outcome.result is not None
    assert outcome.output is not None
    assert sorted(outcome.result.without_data) == [
        "P001",
        "P002",
        "P003",
        "P004",
        "P006",
        "P007",
        "P009",
        "P010",
    ]
    sheet = load_workbook(outcome.output / "statements" / "P001.xlsx")["Statement"]
    assert sheet["B14"].value == "We received no data from you for December 2026."
    with (outcome.output / "lines.csv").open(encoding="utf-8") as stream:
        partners_with_lines = {row["partner_id"] for row in csv.DictReader(stream)}
    assert "P001" in partners_with_lines  # still charged its fixed costs: nothing was skipped


def test_a_partner_with_data_has_no_such_line(tmp_path):
    """November has a workbook for every partner but P002: only P002's statement says so."""
    program = write_demo(tmp_path, partners=12, period=OCT, seed=7)
    written = write_partner_workbooks(tmp_path, Period(2026, 11))
    (tmp_path / "partners" / "P002_2026-11.xlsx").unlink()
    assert len(written) == 11
    outcome = run_close(program, Period(2026, 11))
    assert outcome.status is Status.CLOSED, outcome.message
    assert outcome.result is not None
    assert outcome.output is not None
    assert outcome.result.without_data == frozenset({"P002"})
    statements = outcome.output / "statements"
    assert load_workbook(statements / "P002.xlsx")["Statement"]["B14"].value == (
        "We received no data from you for November 2026."
    )
    assert load_workbook(statements / "P001.xlsx")["Statement"]["B14"].value is None
