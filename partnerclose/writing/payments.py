"""Payment files of a final close (outputs.md, "Payment file"): payments.csv, and for the
EUR payables a SEPA credit transfer `pain.001.001.03` made with sepaxml.

payments.csv has a row per partner whose net is not zero: what the company pays it
(`pay`) or collects from it (`collect`), in its settlement currency, with the due
date, the account masked and in full (separate columns, so that a sheet shown
around can drop the full one), the BIC, the statement number and whether the row is
in the SEPA file. The SEPA file holds the `pay` rows in EUR to a valid IBAN; it is
written only when the Program names the paying account (debtor_name, debtor_iban).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date
from typing import Any

from sepaxml import SepaTransfer

from partnerclose.core.money import fmt_money
from partnerclose.core.payment import PaymentRow, mask_account
from partnerclose.core.records import Settings
from partnerclose.writing.csv_files import _csv, safe_text

PAYMENTS_FILE = "payments.csv"
SEPA_FILE = "payments-sepa.xml"
SEPA_SCHEMA = "pain.001.001.03"
PAYMENT_COLUMNS = (
    "partner_id",
    "name",
    "direction",
    "amount",
    "currency",
    "due_date",
    "account_masked",
    "account",
    "bic",
    "statement_number",
    "in_sepa_file",
)


def payments_csv(rows: Sequence[PaymentRow], sepa_written: bool) -> bytes:
    """payments.csv: deterministic bytes, amounts with the currency's decimals."""
    return _csv(
        PAYMENT_COLUMNS,
        (
            (
                safe_text(row.partner_id),
                safe_text(row.name),
                row.direction,
                fmt_money(row.amount, row.decimals),
                row.currency,
                row.due.isoformat() if row.due else "",
                mask_account(row.account),
                row.account,
                row.bic,
                row.statement,
                "Y" if sepa_written and row.in_sepa else "N",
            )
            for row in rows
        ),
    )


def can_write_sepa(settings: Settings) -> bool:
    """The Program names the account that pays (the SEPA file's debtor)."""
    return bool(settings.debtor_name.strip() and settings.debtor_iban.strip())


def sepa_credit_transfer(
    rows: Sequence[PaymentRow], settings: Settings, today: date
) -> bytes | None:
    """The pain.001 file of the EUR payables; None when there are none. Each is executed on
    its due date, or `today` when that has passed (a bank refuses a date in the past)."""
    payables = [row for row in rows if row.in_sepa]
    if not payables:
        return None
    config: dict[str, Any] = {
        "name": settings.debtor_name.strip(),
        "IBAN": "".join(settings.debtor_iban.split()).upper(),
        "batch": True,
        "currency": "EUR",
    }
    if settings.debtor_bic.strip():
        config["BIC"] = "".join(settings.debtor_bic.split()).upper()
    transfer = SepaTransfer(config, schema=SEPA_SCHEMA, clean=True)
    for row in payables:
        payment: dict[str, Any] = {
            "name": row.name,
            "IBAN": row.account,
            "amount": row.minor_units,
            "execution_date": max(row.due or today, today),
            "description": f"{settings.program_name} statement {row.statement}",
            "endtoend_id": _end_to_end(row.statement),
        }
        if row.bic:
            payment["BIC"] = row.bic
        transfer.add_payment(payment)
    return bytes(transfer.export(validate=False, pretty_print=True))


def _end_to_end(statement: str) -> str:
    """The statement number as the end-to-end id (at most 35 characters; longer ones are
    shortened with a hash, so they stay unique)."""
    if len(statement) <= 35:
        return statement
    return statement[:26] + "-" + hashlib.sha256(statement.encode()).hexdigest()[:8]
