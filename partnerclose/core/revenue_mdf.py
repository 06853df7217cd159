"""R7 Co-marketing (MDF): the company co-funds approved campaign spend."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from partnerclose.core.lines import Component, Line
from partnerclose.core.money import ZERO, fmt_money, round_money
from partnerclose.core.period import Period
from partnerclose.core.problems import Problem
from partnerclose.core.records import Campaign, Plan, participant_key


@dataclass(frozen=True, slots=True)
class Reimbursements:
    """R7: the period's co-marketing (MDF) lines and their problems."""

    lines: tuple[Line, ...]
    problems: tuple[Problem, ...]


def _campaign_order(c: Campaign) -> tuple[tuple[int, str], str, Decimal, str, bool]:
    return (participant_key(c.partner_id), c.campaign_id, c.spend, c.name, c.approved)


def reimburse_campaigns(
    campaigns: Iterable[Campaign],
    plan_of: Mapping[str, Plan],
    period: Period,
    decimals: int,
) -> Reimbursements:
    """Each approved campaign, in campaign_id order, until the partner's period cap is used.

    `plan_of` maps the id of every partner whose campaigns count to its plan.
    """
    lines: list[Line] = []
    problems: list[Problem] = []
    paid: dict[str, Decimal] = {}
    for campaign in sorted(campaigns, key=_campaign_order):
        plan = plan_of.get(campaign.partner_id)
        if plan is None:
            continue
        if not campaign.approved:
            problems.append(
                campaign.loc.info(
                    f"campaign {campaign.campaign_id} is not approved: nothing reimbursed",
                    column="approved",
                )
            )
            continue
        due = round_money(campaign.spend * plan.mdf_cofund_pct, decimals)
        paid_so_far = paid.get(campaign.partner_id, ZERO)
        cap = plan.mdf_period_cap
        amount = due if cap is None else max(ZERO, min(due, cap - paid_so_far))
        if amount <= 0:
            if due > 0 and cap is not None:
                problems.append(
                    campaign.loc.info(
                        f"campaign {campaign.campaign_id}: the co-marketing cap of "
                        f"{fmt_money(cap, decimals)} for the period is used up; nothing "
                        "reimbursed",
                        column="spend",
                    )
                )
            continue
        paid[campaign.partner_id] = paid_so_far + amount
        lines.append(
            Line(
                period=str(period),
                partner_id=campaign.partner_id,
                component=Component.MDF,
                item=campaign.campaign_id,
                amount=amount,
                rule="R7",
                description=campaign.name,
                quantity=campaign.spend,
                rate=plan.mdf_cofund_pct,
                status=""
                if amount == due
                else f"capped at the period cap of {fmt_money(cap or ZERO, decimals)}",
            )
        )
    return Reimbursements(tuple(lines), tuple(problems))
