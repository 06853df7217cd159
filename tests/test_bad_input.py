"""Every kind of bad input of workbooks.md "Bad input", revision 2 included, through files.

Each case breaks a small valid program (tests/workbook_files.py) the way its bullet says,
runs the close, and finds the problem with its place: file, sheet and cell where there is
one. An error stops the close and nothing is written; the warning closes.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import msoffcrypto.format.ooxml
import pytest

from partnerclose.core.period import Period
from partnerclose.core.problems import Severity
from partnerclose.pipeline import Status, run_close
from tests.workbook_files import MILESTONE_HEADER, P001, P002, PROGRAM, Sheets, write_program

OCT, DEC = Period(2026, 10), Period(2026, 12)
Change = Callable[[Sheets, dict[str, Sheets]], None]


@dataclass(frozen=True)
class Case:
    bullet: str  # the bullet of workbooks.md, in short
    change: Change
    expected: str  # the problem as printed: place, then message
    severity: Severity = Severity.ERROR
    files: Callable[[Path], None] = field(default=lambda folder: None)
    period: Period = OCT


def cell(sheets: Sheets, sheet: str, row: int, column: int, value: object) -> None:
    line = sheets[sheet][row]
    line.extend([None] * (column + 1 - len(line)))
    line[column] = value


def deals_row(*values: object) -> list[object]:
    """A Deals row of P001's columns: deal_id, close_date, product, type, registered, amount,
    status (and original_deal_id)."""
    return list(values)


def with_refunds(program: Sheets, partners: dict[str, Sheets]) -> None:
    deals = partners["P001"]["Deals"]
    deals[0].append("original_deal_id")
    deals.append(deals_row("R1", "2026-10-20", "Core", "sourced", "Y", 100, "refunded", "D404"))


def no_original(program: Sheets, partners: dict[str, Sheets]) -> None:
    deals = partners["P001"]["Deals"]
    deals.append(deals_row("R1", "2026-10-20", "Core", "sourced", "Y", 100, "refunded"))


def milestones(*rows: list[object]) -> Change:
    def change(program: Sheets, partners: dict[str, Sheets]) -> None:
        program["Phases"] = [["phase_id", "partner_id", "gate"], ["PH1", "P001", "proceed"]]
        program["Milestones"] = [MILESTONE_HEADER, *(list(row) for row in rows)]

    return change


def fixed_pool(program: Sheets, partners: dict[str, Sheets]) -> None:
    program["CostPools"].append(["OFFICE", "Office", 3000, "fixed"])
    program["Commitments"][0].append("fixed_share")
    program["Commitments"] += [["P001", "OFFICE", 0, 0.5], ["P002", "OFFICE", 0, 0.4]]


def second_source(program: Sheets, partners: dict[str, Sheets]) -> None:
    program["Usage"].append(["P002", "CRM", 50])


def file_bytes(name: str, data: Callable[[Path], bytes]) -> Callable[[Path], None]:
    def write(folder: Path) -> None:
        (folder / "partners" / name).write_bytes(data(folder))

    return write


def encrypted(folder: Path) -> bytes:
    out = io.BytesIO()
    with (folder / "partners" / "P002.xlsx").open("rb") as source:
        msoffcrypto.format.ooxml.OOXMLFile(source).encrypt("secret", out)
    return out.getvalue()


def rename(sheets: Sheets, old: str, new: str) -> None:
    sheets[new] = sheets.pop(old)


def example_rows(program: Sheets, partners: dict[str, Sheets]) -> None:
    partners["P001"]["Deals"].append(
        deals_row("EXAMPLE-D1001", "2026-10-03", "EXAMPLE-Core", "sourced", None, 30000, "won")
    )


def drop_all_partner_files(folder: Path) -> None:
    for path in (folder / "partners").iterdir():
        path.unlink()


def keys_only(program: Sheets, partners: dict[str, Sheets]) -> None:
    partners["P001"] = {"Partner": partners["P001"]["Partner"]}


CASES = [
    # --- revision 1 -------------------------------------------------------------------
    Case(
        "missing required sheet",
        lambda program, partners: program.pop("Plans"),
        "program.xlsx: missing required sheet Plans",
    ),
    Case(
        "missing required column",
        lambda program, partners: program["Partners"][0].__setitem__(3, "state"),
        'program.xlsx:Partners!D1: missing required column status; did you mean "state"?',
    ),
    Case(
        "wrong type",
        lambda program, partners: cell(partners["P001"], "Deals", 1, 5, "abc"),
        'P001.xlsx:Deals!F2: amount must be a number ≥ 0, got "abc"',
    ),
    Case(
        "value out of range",
        lambda program, partners: cell(program, "RevenueTiers", 1, 3, 1.5),
        "program.xlsx:RevenueTiers!D2: rate must be a number from 0 to 1, got 1.5",
    ),
    Case(
        "duplicate partner_id",
        lambda program, partners: program["Partners"].append(["P001", "Copy", "Gold", "active"]),
        "program.xlsx:Partners!A4: duplicate partner_id P001, first at program.xlsx:Partners!A2",
    ),
    Case(
        "duplicate pool_id",
        lambda program, partners: program["CostPools"].append(["CRM", "Again", 1, "equal"]),
        "program.xlsx:CostPools!A3: duplicate pool_id CRM, first at program.xlsx:CostPools!A2",
    ),
    Case(
        "duplicate deal_id",
        lambda program, partners: partners["P002"].__setitem__(
            "Deals", copy.deepcopy(P001["Deals"])
        ),
        "P002.xlsx:Deals!A2: duplicate deal_id D1, first at P001.xlsx:Deals!A2",
    ),
    Case(
        "duplicate milestone_id",
        milestones(
            ["M1", "P001", None, "win_rate", 0.1, 0.2, 0.3, 1, 2, 3],
            ["M1", "P002", None, "win_rate", 0.1, 0.2, 0.3, 1, 2, 3],
        ),
        "program.xlsx:Milestones!A3: duplicate milestone_id M1, first at "
        "program.xlsx:Milestones!A2",
    ),
    Case(
        "unknown pool",
        lambda program, partners: cell(program, "Commitments", 3, 1, "CRN"),
        'program.xlsx:Commitments!B4: unknown pool "CRN"; did you mean "CRM"?',
    ),
    Case(
        "unknown plan",
        lambda program, partners: cell(program, "Partners", 2, 2, "Gld"),
        'program.xlsx:Partners!C3: unknown plan "Gld"; did you mean "Gold"?',
    ),
    Case(
        "unknown partner",
        lambda program, partners: program["Usage"].append(["P0O2", "CRM", 5]),
        'program.xlsx:Usage!A3: unknown partner "P0O2"; did you mean "P002"?',
    ),
    Case(
        "unknown original deal",
        with_refunds,
        'P001.xlsx:Deals!H3: warning: R1 reverses deal "D404", which was never paid: nothing '
        "clawed back",
        Severity.WARNING,
    ),
    Case(
        "original deal required for a reversal",
        no_original,
        "P001.xlsx:Deals!A3: original_deal_id is required for a refunded deal",
    ),
    Case(
        "unknown phase",
        milestones(["M1", "P001", "PH 1", "win_rate", 0.1, 0.2, 0.3, 1, 2, 3]),
        'program.xlsx:Milestones!C2: unknown phase "PH 1"; did you mean "PH1"?',
    ),
    Case(
        "unknown product",
        lambda program, partners: cell(partners["P001"], "Deals", 1, 2, "Cor"),
        'P001.xlsx:Deals!C2: unknown product "Cor"; did you mean "Core"?',
    ),
    Case(
        "fixed shares that do not sum to 1",
        fixed_pool,
        "program.xlsx:CostPools!A3: fixed shares of pool OFFICE must sum to 1, they sum to 0.9",
    ),
    Case(
        "a plan without a 0 bracket",
        lambda program, partners: cell(program, "RevenueTiers", 3, 2, 10),
        "program.xlsx:Plans!A2: plan Gold has no influenced bracket from 0 in RevenueTiers",
    ),
    Case(
        "floor, target and cap out of order",
        milestones(["M1", "P001", None, "win_rate", 0.1, 0.4, 0.3, 1, 2, 3]),
        "program.xlsx:Milestones!F2: floor, target and cap must be in order (floor ≤ target ≤ "
        "cap, or floor ≥ target ≥ cap when lower is better), got 0.1 / 0.4 / 0.3",
    ),
    Case(
        "plan rows with conflicting modes",
        lambda program, partners: program["Plans"].append(["Gold", "retroactive"]),
        "program.xlsx:Plans!B3: plan Gold has conflicting modes: marginal at Plans!B2, "
        "retroactive here",
    ),
    Case(
        "usage from a participant without a Commitments row",
        lambda program, partners: program["Commitments"].pop(3),
        "P002.xlsx:Usage!A2: usage of pool CRM by P002, which has no Commitments row for it",
    ),
    Case(
        "data for one partner from two sources",
        second_source,
        "P002.xlsx:Usage!A2: Usage for P002 come from two sources: this workbook and "
        "program.xlsx:Usage; keep one",
    ),
    Case(
        "a partner workbook for an unknown partner",
        lambda program, partners: partners.__setitem__(
            "P777",
            {
                **copy.deepcopy(P002),
                "Partner": [["key", "value"], ["partner_id", "P777"], ["period", "2026-10"]],
            },
        ),
        'P777.xlsx:Partner!B2: unknown partner "P777"',
    ),
    Case(
        "a corrupt workbook",
        lambda program, partners: None,
        "P003.xlsx: not a readable workbook (damaged file: File is not a zip file)",
        files=file_bytes("P003.xlsx", lambda folder: b"PK\x03\x04" + b"\x00" * 40),
    ),
    Case(
        "an encrypted workbook",
        lambda program, partners: None,
        "P003.xlsx: the workbook is password-protected; remove the password in Excel and save "
        "again",
        files=file_bytes("P003.xlsx", encrypted),
    ),
    Case(
        "an empty file",
        lambda program, partners: None,
        "P003.xlsx: the file is empty, not a workbook",
        files=file_bytes("P003.xlsx", lambda folder: b""),
    ),
    Case(
        "an active partner with no data (no submission)",
        lambda program, partners: partners.pop("P002"),
        "program.xlsx:Partners!A3: warning: no submission from P002 for 2026-10",
        Severity.WARNING,
    ),
    # --- revision 2: input that used to change money silently ------------------------
    Case(
        "a sheet of a partner workbook that is not one of its sheets (Deals Oct)",
        lambda program, partners: rename(partners["P001"], "Deals", "Deals Oct"),
        'P001.xlsx:Deals Oct: sheet "Deals Oct" is not a sheet of a partner workbook, so its '
        'rows are not read; did you mean "Deals"? Rename it to Usage, Deals, Metrics or '
        "Campaigns, or delete it",
    ),
    Case(
        "a sheet of a partner workbook that is not one of its sheets (Deal)",
        lambda program, partners: rename(partners["P001"], "Deals", "Deal"),
        'P001.xlsx:Deal: sheet "Deal" is not a sheet of a partner workbook, so its rows are not '
        'read; did you mean "Deals"? Rename it to Usage, Deals, Metrics or Campaigns, or delete '
        "it",
    ),
    Case(
        "a partner workbook with none of Usage, Deals, Metrics, Campaigns",
        keys_only,
        "P001.xlsx: the workbook has none of the sheets Usage, Deals, Metrics or Campaigns, so "
        "nothing would be read from it; with nothing to report for a kind of data, keep its "
        "sheet with the header row only",
    ),
    Case(
        "rows left over from a template's examples",
        example_rows,
        "P001.xlsx:Deals!A3: example row from the template (deal_id EXAMPLE-D1001); delete it "
        "or replace it with your own data",
    ),
    Case(
        "a file whose name says one partner and whose Partner sheet another",
        lambda program, partners: cell(partners["P001"], "Partner", 1, 1, "P002"),
        "P001.xlsx:Partner!B2: partner_id is P002, but the file name P001.xlsx says P001; "
        "correct the one that is wrong (the workbook is not read until then)",
    ),
    Case(
        "a close of a period with no partner workbooks at all",
        lambda program, partners: None,
        "program.xlsx:Program: no partner workbook of 2026-10 was found in {partners}, and 2 "
        "active partners (P001, P002) sent no data for it; check the period and the partner "
        "folder, or allow a close without partner data (--allow-empty)",
        files=drop_all_partner_files,
    ),
    Case(
        "an ambiguous number as text (1.200,50)",
        lambda program, partners: cell(partners["P001"], "Deals", 1, 5, "1.200,50"),
        'P001.xlsx:Deals!F2: amount must be a number ≥ 0, got "1.200,50"; write decimals with a '
        "point, as 1200.50 or 1,200.50",
    ),
    Case(
        "an ambiguous number as text ($1,200)",
        lambda program, partners: cell(partners["P001"], "Deals", 1, 5, "$1,200"),
        'P001.xlsx:Deals!F2: amount must be a number ≥ 0, got "$1,200"; write the number alone, '
        "as 1200.50 or 1,200.50 (the currency goes in the currency column)",
    ),
    Case(
        "a currency code in an amount cell",
        lambda program, partners: cell(partners["P001"], "Deals", 1, 5, "1,200 EUR"),
        'P001.xlsx:Deals!F2: amount must be a number ≥ 0, got "1,200 EUR"; write the number '
        "alone, as 1200.50 or 1,200.50 (the currency goes in the currency column)",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.bullet for case in CASES])
def test_every_bad_input_is_a_located_problem(tmp_path, case):
    program = copy.deepcopy(PROGRAM)
    partners = {"P001": copy.deepcopy(P001), "P002": copy.deepcopy(P002)}
    case.change(program, partners)
    path = write_program(tmp_path, program, partners)
    case.files(tmp_path)
    out = tmp_path / "out"
    outcome = run_close(path, case.period, out=out, ledger_path=tmp_path / "ledger.sqlite")
    expected = case.expected.format(partners=tmp_path / "partners")
    shown = [str(p) for p in outcome.problems if p.severity is case.severity]
    assert expected in shown, "\n".join(shown)
    (problem,) = [p for p in outcome.problems if str(p) == expected]
    assert problem.file  # every problem names its file, and a sheet and a cell where it can
    if case.severity is Severity.ERROR:
        assert outcome.status is Status.INVALID
        assert not out.exists()  # nothing computed, nothing written
    else:
        assert outcome.status is Status.CLOSED


def test_every_bullet_of_the_spec_has_a_case():
    """The spec's list, bullet by bullet (workbooks.md, "Bad input"), against CASES."""
    bullets = {case.bullet.split(" (")[0] for case in CASES}
    for wanted in (
        "missing required sheet",
        "missing required column",
        "wrong type",
        "value out of range",
        "duplicate partner_id",
        "duplicate pool_id",
        "duplicate deal_id",
        "duplicate milestone_id",
        "unknown pool",
        "unknown plan",
        "unknown partner",
        "unknown original deal",
        "unknown phase",
        "unknown product",
        "fixed shares that do not sum to 1",
        "a plan without a 0 bracket",
        "floor, target and cap out of order",
        "plan rows with conflicting modes",
        "usage from a participant without a Commitments row",
        "data for one partner from two sources",
        "a partner workbook for an unknown partner",
        "a corrupt workbook",
        "an encrypted workbook",
        "an empty file",
        "an active partner with no data",
        "a sheet of a partner workbook that is not one of its sheets",
        "a partner workbook with none of Usage, Deals, Metrics, Campaigns",
        "rows left over from a template's examples",
        "a file whose name says one partner and whose Partner sheet another",
        "a close of a period with no partner workbooks at all",
        "an ambiguous number as text",
        "a currency code in an amount cell",
    ):
        assert wanted in bullets, wanted
