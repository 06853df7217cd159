"""What a statement can say about the partner's settlement currency (rules.md X2)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from partnerclose.core.close import CloseResult
from partnerclose.core.currency import period_rates
from partnerclose.core.money import round_money
from partnerclose.core.period import Period
from partnerclose.core.records import Program
from partnerclose.statements.rows import RateRow, SettlementRow
from partnerclose.statements.values import Table, Value


def settlement_scalars(
    result: CloseResult, partner_id: str, program_currency: str
) -> dict[str, Value]:
    """`settlement.currency`, `.rate`, `.net` (signed, in the settlement currency, the sum of
    the converted lines) and `.note`, a sentence for partners in another currency."""
    rate = result.settlement_of(partner_id)
    if rate is None or rate.currency == program_currency:
        net = result.net(partner_id)
        return {
            "settlement.currency": program_currency,
            "settlement.rate": Decimal(1),
            "settlement.net": net,
            "settlement.note": "",
        }
    net = result.settlement_net(partner_id)
    shown = f"{round_money(net.copy_abs(), rate.decimals):,f}"
    return {
        "settlement.currency": rate.currency,
        "settlement.rate": rate.rate,
        "settlement.net": net,
        "settlement.note": (
            f"You settle in {rate.currency}: {rate.currency} {shown}. Each line is converted "
            f"from {program_currency} at the closing rate of {rate.rate.normalize():f} "
            f"{program_currency} per {rate.currency} and rounded line by line; each section's "
            f"total says its amount in {program_currency}."
        ),
    }


def close_pack_tables(program: Program, period: Period, result: CloseResult) -> dict[str, Table]:
    """The close pack's `settlements` (per partner in another currency: net in both
    currencies, rate, rounding difference net − round(settlement net × closing), X2) and
    `rates` (the period's FxRates rows, for the audit record, X3)."""
    names = {p.partner_id: p.name for p in program.partners}
    code, decimals = program.settings.currency, program.settings.decimals
    settlements: list[SettlementRow] = []
    for pid in result.participants:
        rate = result.settlement_of(pid)
        if rate is None or rate.currency == code:
            continue
        net = result.net(pid)
        settled = result.settlement_net(pid)
        settlements.append(
            SettlementRow(
                id=pid,
                name=names.get(pid, pid),
                currency=rate.currency,
                rate=rate.rate,
                net_program=net,
                net_settlement=settled,
                net_settlement_text=f"{rate.currency} {round_money(settled, rate.decimals):,f}",
                rounding_difference=net - round_money(settled * rate.rate, decimals),
            )
        )
    rates = [
        RateRow(
            currency=row.currency,
            average=row.average,
            closing=row.closing,
            source=row.source,
            decimals=row.decimals,
        )
        for _, row in sorted(period_rates(program, period).items())
    ]
    return {
        "settlements": Table.of_rows("settlement", SettlementRow, settlements),
        "rates": Table.of_rows("rate", RateRow, rates),
    }


def section_notes(
    result: CloseResult,
    partner_id: str,
    program_currency: str,
    sections: Sequence[tuple[str, Sequence[Decimal]]],
) -> str:
    """For a partner in another currency (X2): each section's amount in its currency,
    beside the program-currency amount, at the period's closing rate; else empty."""
    rate = result.settlement_of(partner_id)
    if rate is None or rate.currency == program_currency:
        return ""
    parts = []
    for name, amounts in sections:
        if not amounts:
            continue
        settled = sum((rate.settle(a) for a in amounts), Decimal(0))
        program = sum(amounts, Decimal(0))
        parts.append(
            f"{name} {rate.currency} {round_money(settled, rate.decimals):,f} "
            f"({program_currency} {program:,f})"
        )
    if not parts:
        return ""
    return (
        f"By section in {rate.currency}, at {rate.rate.normalize():f} {program_currency} "
        f"per {rate.currency}: " + "; ".join(parts) + "."
    )
