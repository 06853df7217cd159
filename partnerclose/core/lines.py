"""Settlement lines: every computed amount is one (outputs.md)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from enum import StrEnum
from itertools import chain, groupby
from operator import attrgetter
from typing import NamedTuple

from partnerclose.core.records import participant_key


class Component(StrEnum):
    """Line components, declared in the order of outputs.md (the sort order)."""

    COST_SHARE = "cost_share"
    GUARDRAIL = "guardrail"
    IN_KIND_CREDIT = "in_kind_credit"
    RESERVE_CONTRIBUTION = "reserve_contribution"
    RESERVE_REFUND = "reserve_refund"
    WIND_DOWN_FEE = "wind_down_fee"
    REVENUE_SHARE = "revenue_share"
    TRUE_UP = "true_up"
    CLAWBACK = "clawback"
    REVENUE_CAP = "revenue_cap"
    MDF = "mdf"
    MILESTONE = "milestone"
    MILESTONE_RELEASE = "milestone_release"
    DEFERRED_RELEASE = "deferred_release"
    ADJUSTMENT = "adjustment"
    PRIOR_PERIOD_ADJUSTMENT = "prior_period_adjustment"

    @property
    def rank(self) -> int:
        """The component's place in lines.csv order within a participant."""
        return _RANK[self]

    @property
    def label(self) -> str:
        """How statements and screens name the component."""
        return _LABELS[self]


_RANK = {c: i for i, c in enumerate(Component)}
_LABELS = {
    Component.COST_SHARE: "Cost share",
    Component.GUARDRAIL: "Guardrail",
    Component.IN_KIND_CREDIT: "In-kind credit",
    Component.RESERVE_CONTRIBUTION: "Reserve contribution",
    Component.RESERVE_REFUND: "Reserve refund",
    Component.WIND_DOWN_FEE: "Wind-down fee",
    Component.REVENUE_SHARE: "Revenue share",
    Component.TRUE_UP: "True-up",
    Component.CLAWBACK: "Clawback",
    Component.REVENUE_CAP: "Revenue cap",
    Component.MDF: "Co-marketing (MDF)",
    Component.MILESTONE: "Milestone",
    Component.MILESTONE_RELEASE: "Held amount released",
    Component.DEFERRED_RELEASE: "Deferred amount released",
    Component.ADJUSTMENT: "Adjustment",
    Component.PRIOR_PERIOD_ADJUSTMENT: "Prior-period adjustment",
}


class Section(StrEnum):
    """The statement section a component belongs to."""

    COST_SHARING = "cost sharing"
    RESERVE_FUND = "reserve fund"
    REVENUE_SHARE = "revenue share"
    CO_MARKETING = "co-marketing"
    MILESTONES = "milestones"
    OTHER = "other"


SECTION_OF: dict[Component, Section] = {
    Component.COST_SHARE: Section.COST_SHARING,
    Component.GUARDRAIL: Section.COST_SHARING,
    Component.IN_KIND_CREDIT: Section.COST_SHARING,
    Component.RESERVE_CONTRIBUTION: Section.RESERVE_FUND,
    Component.RESERVE_REFUND: Section.RESERVE_FUND,
    Component.WIND_DOWN_FEE: Section.COST_SHARING,
    Component.REVENUE_SHARE: Section.REVENUE_SHARE,
    Component.TRUE_UP: Section.REVENUE_SHARE,
    Component.CLAWBACK: Section.REVENUE_SHARE,
    Component.REVENUE_CAP: Section.REVENUE_SHARE,
    Component.MDF: Section.CO_MARKETING,
    Component.MILESTONE: Section.MILESTONES,
    Component.MILESTONE_RELEASE: Section.MILESTONES,
    Component.DEFERRED_RELEASE: Section.MILESTONES,
    Component.ADJUSTMENT: Section.OTHER,  # a line's own section: `section_of`
    Component.PRIOR_PERIOD_ADJUSTMENT: Section.OTHER,  # shown under Corrections (P3)
}

# An adjustment line's item is its row's section (outputs.md), which names where it shows.
ADJUSTMENT_SECTION: dict[str, Section] = {
    "cost_sharing": Section.COST_SHARING,
    "reserve": Section.RESERVE_FUND,
    "revenue_share": Section.REVENUE_SHARE,
    "co_marketing": Section.CO_MARKETING,
    "milestones": Section.MILESTONES,
    "other": Section.OTHER,
}


def corrected_component(item: str) -> Component | None:
    """P3: the component a `prior_period_adjustment` corrects, read from its item.

    The item reads like "2026-09 cost_share"; None for an item of another shape.
    """
    _, _, name = item.partition(" ")
    try:
        return Component(name)
    except ValueError:
        return None


def section_of(line: Line) -> Section:
    """The statement section of a line.

    Its component's section, or for an adjustment the section its row names (rules.md P2).
    """
    if line.component is Component.ADJUSTMENT:
        return ADJUSTMENT_SECTION.get(line.item, Section.OTHER)
    return SECTION_OF[line.component]


class Line(NamedTuple):
    """One computed amount for one participant in one period.

    `amount` is already rounded to the currency's decimals and signed as seen
    from the participant: positive is owed to it, negative is charged to it.
    """

    period: str
    partner_id: str
    component: Component
    item: str
    amount: Decimal
    rule: str
    description: str = ""
    quantity: Decimal | None = None
    rate: Decimal | None = None
    status: str = ""

    def sort_key(self) -> tuple[tuple[int, str], int, str, str]:
        """The line's place in lines.csv: participant order, component, item, description."""
        return (participant_key(self.partner_id), self.component.rank, self.item, self.description)


def sort_lines(lines: Iterable[Line]) -> list[Line]:
    """Participant order, then component in outputs.md order, then item."""
    return sorted(lines, key=Line.sort_key)


# C-level keys (attrgetter): the merge below handles ~560,000 lines at the large size.
_BLOCK = attrgetter("partner_id", "component")
_WITHIN_BLOCK = attrgetter("item", "description")


def merge_sorted(runs: Iterable[Iterable[Line]]) -> list[Line]:
    """`sort_lines` of all the runs' lines, for runs already in `sort_lines` order.

    Equal to `sort_lines(chain(*runs))`, ties included, without building a key
    per line: each run is cut into blocks of one participant and component,
    and the blocks are put in order. Runs need only list each block's lines
    in (item, description) order; a block found in more than one run (or
    twice in one run) is sorted on those, stably, like `sort_lines` would.
    """
    blocks: dict[tuple[str, Component], list[Line]] = {}
    shared: set[tuple[str, Component]] = set()
    for run in runs:
        for block, group in groupby(run, _BLOCK):
            found = blocks.get(block)
            if found is None:
                blocks[block] = list(group)
            else:
                found.extend(group)
                shared.add(block)
    for block in shared:
        blocks[block].sort(key=_WITHIN_BLOCK)
    order = sorted(blocks, key=lambda b: (participant_key(b[0]), b[1].rank))
    return list(chain.from_iterable(blocks[block] for block in order))


def net(lines: Iterable[Line]) -> Decimal:
    """N1: the sum of the lines' amounts."""
    return sum((line.amount for line in lines), Decimal(0))
