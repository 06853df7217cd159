"""What a statement can say about the partner's settlement currency (rules.md X2)."""

from __future__ import annotations

from decimal import Decimal

from partnerclose.core.close import CloseResult
from partnerclose.core.money import round_money
from partnerclose.statements.values import Value


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
            f"Amounts are in {program_currency}. You settle in {rate.currency}: "
            f"{rate.currency} {shown}, each line at the closing rate of "
            f"{rate.rate.normalize():f} {program_currency} per {rate.currency}."
        ),
    }
