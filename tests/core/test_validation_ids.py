"""Partner ids name statement files: ids Windows reserves for devices, and ids that
differ only in case, are refused at their cells (through workbook files)."""

from __future__ import annotations

import copy

import pytest

from partnerclose.cli import main
from partnerclose.core.validation import is_reserved_file_name
from tests.workbook_files import P001, P002, PROGRAM, write_program


def with_partner_ids(*ids: str) -> dict:
    program = copy.deepcopy(PROGRAM)
    program["Partners"] = [program["Partners"][0]] + [
        [pid, f"Partner {pid}", "Gold", "active"] for pid in ids
    ]
    program["Commitments"] = [program["Commitments"][0], ["HOST", "CRM", 600]]
    return program


@pytest.mark.parametrize("pid", ["CON", "nul", "Com1", "LPT9", "aux.1", "PRN.backup"])
def test_an_id_windows_reserves_is_an_error_at_its_cell(tmp_path, capsys, pid):
    program = write_program(tmp_path, with_partner_ids("P001", pid), {"P001": P001})
    assert main(["validate", str(program), "--period", "2026-10"]) == 2
    assert (
        f"program.xlsx:Partners!A3: partner_id {pid} is a name Windows reserves for a device "
        "and cannot name its statement file; choose another id"
    ) in capsys.readouterr().err


@pytest.mark.parametrize(
    ("name", "reserved"),
    [
        ("CON", True),
        ("con.xlsx", True),
        ("COM0", False),
        ("CONSOLE", False),
        ("P001", False),
        ("LPT1 ", True),
        ("NULL", False),
    ],
)
def test_reserved_file_names(name, reserved):
    assert is_reserved_file_name(name) is reserved


def test_ids_that_differ_only_in_case_are_an_error_at_both_cells(tmp_path, capsys):
    p002 = copy.deepcopy(P002)
    program = write_program(
        tmp_path, with_partner_ids("P001", "p001"), {"P001": P001, "P002": p002}
    )
    assert main(["validate", str(program), "--period", "2026-10"]) == 2
    err = capsys.readouterr().err
    assert (
        "program.xlsx:Partners!A2: partner_id P001 differs from p001 (Partners!A3) only in "
        "case; their statements would overwrite each other on Windows and macOS"
    ) in err
    assert (
        "program.xlsx:Partners!A3: partner_id p001 differs from P001 (Partners!A2) only in "
        "case; their statements would overwrite each other on Windows and macOS"
    ) in err
