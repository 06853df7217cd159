"""The payment block of a partner statement: its number and version, the due date,
what is paid or due in words, where to pay and whom to ask (pure)."""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from decimal import Decimal

from partnerclose.close_context import CloseContext
from partnerclose.core.money import ZERO
from partnerclose.core.payment import compact_account, due_date, statement_number
from partnerclose.core.records import Partner
from partnerclose.statements.explain import money_text
from partnerclose.statements.values import Value


def masked_account(account: str) -> str:
    """A bank account as a statement shows it: its last 4 characters ("ending 4321")."""
    plain = compact_account(account)
    return f"ending {plain[-4:]}" if plain else ""


def payment_scalars(
    context: CloseContext,
    partner: Partner | None,
    partner_id: str,
    net: Decimal,
    own: Decimal,
    scalars: Mapping[str, Value],
) -> dict[str, Value]:
    """The payment block: the statement's number and version, the due date, what is
    paid or due in words (`net`, in the settlement currency), where to pay and whom
    to ask; and a revision's note (`own`, the net in the program currency, as the
    ledger keeps the replaced statement's)."""
    settings = context.program.settings
    version = context.statement_version
    number = statement_number(partner_id, context.period, version)
    due = due_date(context.period, settings.payment_terms_days)
    currency = str(scalars["currency"])
    amount = f"{currency} {money_text(abs(net), int(str(scalars['currency.decimals'])))}"
    decimals = settings.decimals
    by = f" by {due.day} {calendar.month_name[due.month]} {due.year}" if due else ""
    account = masked_account(partner.bank_account if partner else "")
    if net > 0:
        where = f"your account {account}" if account else "your account on file"
        text = f"We will pay {amount} to {where}{by}."
    elif net < 0:
        to = f" to {settings.remit_to}" if settings.remit_to else ""
        text = f"Please pay {amount}{to}{by}, quoting {number}."
    else:
        text = "Nothing is paid or due for this period."
    revision = ""
    replaced = context.replaced_nets.get(partner_id)
    if version > 1:
        before = replaced if replaced is not None else ZERO
        change = own - before
        revision = (
            f"Revised statement: replaces "
            f"{statement_number(partner_id, context.period, version - 1)}. "
            f"Net then {settings.currency} {money_text(before, decimals)}, now "
            f"{settings.currency} {money_text(own, decimals)}: change "
            f"{'+' if change > 0 else ''}{money_text(change, decimals)}."
        )
    return {
        "statement.number": number,
        "statement.version": version,
        "statement.revision": revision,
        "payment.due_date": due,
        "payment.text": text,
        "payment.account": account,
        "payment.remit_to": settings.remit_to if net < 0 else "",
        "payment.remit_label": "Pay to" if net < 0 and settings.remit_to else "",
        "payment.contact": (
            f"Questions about this statement: {settings.contact}" if settings.contact else ""
        ),
    }
