"""The journal: one balanced entry per partner and component (outputs.md).

Accounts come from the `Accounts` sheet. A mapping is written for the
component's usual direction: charges to the partner (cost share, reserve
contribution, fee, clawback, cap) are negative lines, payouts positive. When a
component's total has the unusual sign (a guardrail that raises a charge, a
negative true-up), debit and credit swap, so every entry stays positive and
balanced. A `prior_period_adjustment` is booked through the accounts (and the
usual direction) of the component it corrects. HOST's lines are the company's
own and are not journalled.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby
from operator import attrgetter

from partnerclose.core.currency import SettlementRate
from partnerclose.core.lines import Component, Line, corrected_component
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
    """One journal entry for the accounting system: a component's debit or credit for a partner."""

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
    currency (`settlement`), the memo gives the entry's settlement amount and rate.
    """
    # (partner, component, the component whose account books it): a prior-period
    # adjustment is journalled like the component it corrects (rules.md P2/P3).
    totals: dict[tuple[str, Component, Component], Decimal] = {}
    rates = {pid: rate for pid, rate in (settlement or {}).items() if rate.rate != Decimal(1)}
    settled: dict[tuple[str, Component, Component], Decimal] = {}
    # Lines come sorted (one run per partner and component, ~560,000 lines at
    # the large size): each run is summed at C level, in line order from 0 as
    # before; a run met again (unsorted input) carries on from its total.
    for (partner_id, component), run in groupby(lines, _BLOCK):
        if partner_id == HOST:
            continue
        rate = rates.get(partner_id)
        if component is Component.PRIOR_PERIOD_ADJUSTMENT:
            for line in run:
                via = corrected_component(line.item) or component
                key = (partner_id, component, via)
                totals[key] = totals.get(key, Decimal(0)) + line.amount
                if rate is not None:
                    settled[key] = settled.get(key, Decimal(0)) + rate.settle(line.amount)
            continue
        block = (partner_id, component, component)
        if rate is None:
            totals[block] = sum(map(_AMOUNT, run), totals.get(block, Decimal(0)))
            continue
        amounts = list(map(_AMOUNT, run))
        totals[block] = sum(amounts, totals.get(block, Decimal(0)))
        settled[block] = sum(map(rate.settle, amounts), settled.get(block, Decimal(0)))
    mapping = {a.component: a for a in accounts}
    rows: list[JournalRow] = []
    unmapped: set[Component] = set()
    for (partner_id, component, via), amount in sorted(
        totals.items(), key=lambda kv: (participant_key(kv[0][0]), kv[0][1].rank, kv[0][2].rank)
    ):
        if amount == 0:
            continue
        account = mapping.get(via.value)
        if account is None:
            unmapped.add(via)
            debit, credit = UNMAPPED, UNMAPPED
        else:
            debit, credit = account.debit_account, account.credit_account
        usual_sign = -1 if via in CHARGES else 1
        if (amount > 0) != (usual_sign > 0):
            debit, credit = credit, debit
        size = abs(amount)
        memo = f"{period} {component.value} {partner_id}"
        if via is not component:
            memo += f" ({via.value})"
        if (partner_id, component, via) in settled:
            rate = rates[partner_id]
            shown = fmt_money(abs(settled[partner_id, component, via]), rate.decimals)
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
