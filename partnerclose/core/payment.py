"""Payment terms, accounts and statement numbers (outputs.md, distribution and payment).

Pure functions: the due date of a period's net, the IBAN checksum (ISO 13616,
mod 97), an account shown masked, the number a statement is sent under, and the
payment rows of a final close (payments.csv, the SEPA file).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from partnerclose.core.currency import SettlementRate
from partnerclose.core.money import round_money
from partnerclose.core.period import Period
from partnerclose.core.records import Partner

# An IBAN: country, two check digits, then 11-30 letters and digits (ISO 13616).
_IBAN = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}")
# What an IBAN starts with; an account that does not is a plain account number.
_IBAN_START = re.compile(r"[A-Za-z]{2}[0-9]{2}")
_BIC = re.compile(r"[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?")


def due_date(period: Period, payment_terms_days: int | None) -> date | None:
    """The day the period's net is paid or due: its last day plus the terms; None without."""
    if payment_terms_days is None:
        return None
    return period.last_day + timedelta(days=payment_terms_days)


def compact_account(text: str) -> str:
    """An account as banks take it: without spaces, IBAN letters in capitals."""
    compact = "".join(text.split())
    return compact.upper() if _IBAN_START.match(compact) else compact


def is_iban(text: str) -> bool:
    """Whether the account is written as an IBAN (two letters, two digits, ...)."""
    return bool(_IBAN_START.match(compact_account(text)))


def iban_checksum_ok(iban: str) -> bool:
    """Whether the account is a valid IBAN (ISO 13616 check digits).

    The IBAN, its first four characters moved to the end and letters as numbers (A = 10 ... Z = 35),
    is 1 modulo 97.
    """
    compact = compact_account(iban)
    if not _IBAN.fullmatch(compact):
        return False
    moved = compact[4:] + compact[:4]
    return int("".join(str(int(char, 36)) for char in moved)) % 97 == 1


def account_problem(account: str) -> str:
    """Why a `bank_account` cannot be paid to; "" when it can.

    Blank, a valid IBAN, or an account number that is not written as an IBAN can be paid to.
    """
    if not account.strip() or not is_iban(account):
        return ""
    compact = compact_account(account)
    if not _IBAN.fullmatch(compact):
        return (
            f'bank_account "{account}" looks like an IBAN but is not one: an IBAN is two '
            "letters, two check digits and 11-30 letters or digits"
        )
    if not iban_checksum_ok(compact):
        return (
            f'bank_account "{account}" is not a valid IBAN: its check digits do not match '
            "(a typing error?)"
        )
    return ""


def bic_problem(bic: str) -> str:
    """Why a `bank_bic` is not a BIC (ISO 9362: 8 or 11 characters); "" when it is or is blank."""
    compact = "".join(bic.split()).upper()
    if not compact or _BIC.fullmatch(compact):
        return ""
    return f'bank_bic "{bic}" is not a BIC: 8 or 11 letters and digits, e.g. DEUTDEFF'


def mask_account(account: str) -> str:
    """The account with all but its last 4 characters hidden; "" for none."""
    compact = compact_account(account)
    if not compact:
        return ""
    return "*" * max(len(compact) - 4, 0) + compact[-4:]


def statement_number(partner_id: str, period: Period, revision: int = 1) -> str:
    """The number a partner's statement of `period` is sent and paid under."""
    return f"{partner_id}-{period}-{revision}"


@dataclass(frozen=True, slots=True)
class PaymentRow:
    """One partner's payment of a final close: what is paid to it, or due from it."""

    partner_id: str
    name: str
    direction: str  # "pay" (net payable to the partner) or "collect" (due from it)
    amount: Decimal  # positive, in `currency`, rounded to its minor units
    decimals: int
    currency: str
    due: date | None
    account: str  # compact: no spaces
    bic: str
    statement: str

    @property
    def in_sepa(self) -> bool:
        """Paid by the SEPA credit transfer file: a EUR payable to a valid IBAN."""
        return (
            self.direction == PAY
            and self.currency == "EUR"
            and is_iban(self.account)
            and iban_checksum_ok(self.account)
        )

    @property
    def minor_units(self) -> int:
        """The amount in cents (or the currency's minor unit), exactly."""
        return int(self.amount.scaleb(self.decimals))


PAY = "pay"
COLLECT = "collect"


def payment_rows(
    partners: Sequence[Partner],
    period: Period,
    nets: Mapping[str, Decimal],
    settlement: Mapping[str, SettlementRate],
    payment_terms_days: int | None,
    currency: str,
    decimals: int,
    version: int = 1,
) -> list[PaymentRow]:
    """The payment file's rows: one per partner with a net other than zero, by id.

    Amounts are in the partner's settlement currency; `version` is the statements' (2, 3, … after a
    reopen).
    """
    due = due_date(period, payment_terms_days)
    by_id = {p.partner_id: p for p in partners}
    rows = []
    for pid in sorted(nets):
        rate = settlement.get(pid)
        places = rate.decimals if rate is not None else decimals
        net = round_money(nets[pid], places)
        partner = by_id.get(pid)
        if partner is None or net == 0:
            continue
        rows.append(
            PaymentRow(
                pid,
                partner.name,
                PAY if net > 0 else COLLECT,
                abs(net),
                places,
                rate.currency if rate is not None else currency,
                due,
                compact_account(partner.bank_account),
                "".join(partner.bank_bic.split()).upper(),
                statement_number(pid, period, version),
            )
        )
    return rows
