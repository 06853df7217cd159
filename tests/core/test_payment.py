"""Payment details: due dates, accounts (IBAN, ISO 13616), BICs, statement numbers."""

from __future__ import annotations

from datetime import date

import pytest

from partnerclose.core.payment import (
    account_problem,
    bic_problem,
    compact_account,
    due_date,
    iban_checksum_ok,
    mask_account,
    statement_number,
)
from partnerclose.core.period import Period

_VALID_IBAN = "DE89 3704 0044 0532 0130 00"  # the standard example IBAN


def test_due_date_is_the_last_day_plus_the_terms() -> None:
    assert due_date(Period(2026, 10), 30) == date(2026, 11, 30)
    assert due_date(Period(2026, 2), 0) == date(2026, 2, 28)
    assert due_date(Period(2026, 10), None) is None


@pytest.mark.parametrize(
    ("text", "compact"),
    [("de89 3704 0044 0532 0130 00", "DE89370400440532013000"), ("12 345 678", "12345678")],
)
def test_compact_account(text: str, compact: str) -> None:
    assert compact_account(text) == compact


def test_iban_checksum() -> None:
    assert iban_checksum_ok(_VALID_IBAN)
    assert not iban_checksum_ok("DE88 3704 0044 0532 0130 00")


@pytest.mark.parametrize(
    ("account", "problem"),
    [
        (_VALID_IBAN, ""),
        ("", ""),
        ("12345678", ""),  # a plain account number, not written as an IBAN
        (
            "DE88 3704 0044 0532 0130 00",
            'bank_account "DE88 3704 0044 0532 0130 00" is not a valid IBAN: its check '
            "digits do not match (a typing error?)",
        ),
        (
            "DE89 37",
            'bank_account "DE89 37" looks like an IBAN but is not one: an IBAN is two '
            "letters, two check digits and 11-30 letters or digits",
        ),
    ],
)
def test_account_problem(account: str, problem: str) -> None:
    assert account_problem(account) == problem


@pytest.mark.parametrize(
    ("bic", "problem"),
    [
        ("DEUTDEFF", ""),
        ("deut de ff 500", ""),
        ("", ""),
        ("DEUT", 'bank_bic "DEUT" is not a BIC: 8 or 11 letters and digits, e.g. DEUTDEFF'),
    ],
)
def test_bic_problem(bic: str, problem: str) -> None:
    assert bic_problem(bic) == problem


def test_mask_account_keeps_the_last_four() -> None:
    assert mask_account(_VALID_IBAN) == "*" * 18 + "3000"
    assert mask_account("123") == "123"
    assert mask_account("") == ""


def test_statement_number_changes_with_the_revision() -> None:
    assert statement_number("P002", Period(2026, 11)) == "P002-2026-11-1"
    assert statement_number("P002", Period(2026, 11), 2) == "P002-2026-11-2"
