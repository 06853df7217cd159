"""The journal: one balanced entry per partner and component (outputs.md).

Accounts come from the `Accounts` sheet. A mapping is written for the
component's usual direction: charges to the partner (cost share, reserve
contribution, fee, clawback, cap) are negative lines, payouts positive. When a
component's total has the unusual sign (a guardrail that raises a charge, a
negative true-up), debit and credit swap, so every entry stays positive and
balanced. HOST's lines are the company's own and are not journalled.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby
from operator import attrgetter

from partnerclose.core.currency import SettlementRate
from partnerclose.core.lines import Component, Line
from partnerclose.core.money import fmt_money
from partnerclose.core.problems import Problem, Severity
from partnerclose.core.records import HOST, Account, participant_key

UNMAPPED = "UNMAPPED"

_BLOCK = attrgetter("partner_id", "component")
_AMOUNT = attrgetter("amount")

CHARGES = frozenset(
    {
        Component.COST_SHARE,
        Component.RESERVE_CONTRIBUTION,
        Component.WIND_DOWN_FEE,
        Component.CLAWBACK,
        Component.REVENUE_CAP,
    }
)


@dataclass(frozen=True, slots=True)
class JournalRow:
    period: str
    date: str
    partner_id: str
    component: Component
    account: str
    debit: Decimal
    credit: Decimal
    memo: str


def build_journal(
    period: str,
    date: str,
    lines: Iterable[Line],
    accounts: Sequence[Account],
    program_file: str = "",
    settlement: Mapping[str, SettlementRate] | None = None,
) -> tuple[list[JournalRow], list[Problem]]:
    """Rows in participant, then component order; a debit row then its credit row.

    Amounts are in the program currency; for a partner that settles in another
    currency (`settlement`), the memo gives the entry's settlement amount and rate."""
    totals: dict[tuple[str, Component], Decimal] = {}
    rates = {pid: rate for pid, rate in (settlement or {}).items() if rate.rate != Decimal(1)}
    settled: dict[tuple[str, Component], Decimal] = {}
    # Lines come sorted (one run per partner and component, ~560,000 lines at
    # the large size): each run is summed at C level, in line order from 0 as
    # before; a run met again (unsorted input) carries on from its total.
    for block, run in groupby(lines, _BLOCK):
        if block[0] == HOST:
            continue
        rate = rates.get(block[0])
        if rate is None:
            totals[block] = sum(map(_AMOUNT, run), totals.get(block, Decimal(0)))
            continue
        amounts = list(map(_AMOUNT, run))
        totals[block] = sum(amounts, totals.get(block, Decimal(0)))
        settled[block] = sum(map(rate.settle, amounts), settled.get(block, Decimal(0)))
    mapping = {a.component: a for a in accounts}
    rows: list[JournalRow] = []
    unmapped: set[Component] = set()
    for (partner_id, component), amount in sorted(
        totals.items(), key=lambda kv: (participant_key(kv[0][0]), kv[0][1].rank)
    ):
        if amount == 0:
            continue
        account = mapping.get(component.value)
        if account is None:
            unmapped.add(component)
            debit, credit = UNMAPPED, UNMAPPED
        else:
            debit, credit = account.debit_account, account.credit_account
        usual_sign = -1 if component in CHARGES else 1
        if (amount > 0) != (usual_sign > 0):
            debit, credit = credit, debit
        size = abs(amount)
        memo = f"{period} {component.value} {partner_id}"
        if (partner_id, component) in settled:
            rate = rates[partner_id]
            shown = fmt_money(abs(settled[partner_id, component]), rate.decimals)
            memo += f"; settled {rate.currency} {shown} at {rate.rate.normalize():f}"
        zero = Decimal(0)
        rows.append(JournalRow(period, date, partner_id, component, debit, size, zero, memo))
        rows.append(JournalRow(period, date, partner_id, component, credit, zero, size, memo))
    problems = [
        Problem(
            Severity.WARNING,
            f"no account mapping for {c.value}; journalled to {UNMAPPED} accounts",
            program_file,
            "Accounts",
        )
        for c in sorted(unmapped, key=lambda c: c.rank)
    ]
    return rows, problems
