"""Accounts (IBAN checksum, BIC), due dates and statement numbers; an invalid IBAN in
Partners is a located validation error."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from partnerclose.core.payment import (
    account_problem,
    bic_problem,
    due_date,
    iban_checksum_ok,
    mask_account,
    statement_number,
)
from partnerclose.core.period import Period
from partnerclose.reading.inputs import load_inputs
from tests.workbook_files import PROGRAM, write_program

OCT = Period(2026, 10)


@pytest.mark.parametrize(
    "iban",
    [
        "DE89370400440532013000",
        "DE89 3704 0044 0532 0130 00",
        "GB82WEST12345698765432",
        "fr1420041010050500013m02606",
    ],
)
def test_valid_ibans(iban):
    assert iban_checksum_ok(iban)
    assert account_problem(iban) == ""


def test_a_mistyped_digit_breaks_the_checksum():
    assert not iban_checksum_ok("DE89370400440532013001")  # last digit 0 -> 1
    assert "check digits do not match" in account_problem("DE89370400440532013001")
    assert "is not one" in account_problem("DE89 3704")  # too short for an IBAN
    assert account_problem("123-456-789") == ""  # an account number, not an IBAN
    assert account_problem("") == ""


def test_bic_and_mask_and_due_date_and_number():
    assert bic_problem("DEUTDEFF") == ""
    assert bic_problem("DEUTDEFF500") == ""
    assert "is not a BIC" in bic_problem("DEUT")
    assert mask_account("DE89 3704 0044 0532 0130 00") == "*" * 18 + "3000"
    assert due_date(OCT, 30) == date(2026, 11, 30)  # 31 Oct + 30 days
    assert due_date(Period(2026, 2), 30) == date(2026, 3, 30)  # 28 Feb + 30 days
    assert due_date(OCT, None) is None
    assert statement_number("P001", OCT) == "P001-2026-10-1"


def test_an_invalid_iban_in_partners_is_a_located_validation_error(tmp_path):
    sheets = copy.deepcopy(PROGRAM)
    sheets["Partners"] = [
        ["partner_id", "name", "plan", "status", "bank_account", "bank_bic"],
        ["P001", "Acme Analytics", "Gold", "active", "DE89370400440532013000", "COBADEFF"],
        ["P002", "Beta Systems", "Gold", "active", "DE89370400440532013001", "COBA"],
    ]
    program = write_program(tmp_path, sheets)
    inputs = load_inputs(program, OCT)
    assert not inputs.ok
    found = [(p.sheet, p.cell, p.column) for p in inputs.problems if "bank_" in p.message]
    assert found == [("Partners", "E3", "bank_account"), ("Partners", "F3", "bank_bic")]
    [iban] = [p for p in inputs.problems if p.column == "bank_account"]
    assert iban.file == "program.xlsx"
    assert "not a valid IBAN" in iban.message


def test_a_valid_iban_passes_validation(tmp_path):
    sheets = copy.deepcopy(PROGRAM)
    sheets["Partners"] = [
        ["partner_id", "name", "plan", "status", "bank_account"],
        ["P001", "Acme Analytics", "Gold", "active", "DE89 3704 0044 0532 0130 00"],
        ["P002", "Beta Systems", "Gold", "active", "GB82WEST12345698765432"],
    ]
    inputs = load_inputs(write_program(tmp_path, sheets), OCT)
    assert inputs.ok, inputs.problems
    assert inputs.program.partners[0].bank_account == "DE89 3704 0044 0532 0130 00"
