"""Computed metrics (rules.md K1), and how reported and computed metrics meet.

`compute_key_figures` gives, for every partner of the program taking part in
the period (C1, `participation`), a mapping of metric name to exact value. A
metric that cannot be computed is *absent*, never 0, so that a milestone on it
says "not reported" and the scorecard leaves it out. Nothing here is rounded:
these are measurements, not amounts owed.

Which rows count (all of the partner's own rows in `PeriodData`):

- *closed deals*: rows with status `won`, `lost`, `refunded` or `churned`
  whose `close_date` is in the period (R1 and R5 take the same rows);
- *open deals*: every row with status `open`, whatever its `close_date` (for
  an open deal that is only the expected date; the submission is the current
  pipeline);
- *usage*: rows dated in the period or undated (undated means "in the
  period", workbooks.md), for pools where the partner has a `Commitments` row;
- *commitments*: the partner's `Commitments` rows of the program;
- *approved campaigns*: the partner's campaigns with `approved` = Y.

The partner "has deals" when at least one closed or open deal row counts.

Each metric, its value, and when it is absent:

- `revenue`: Σ amount of won deals; absent with no deals.
- `ytd_revenue`: from the revenue engine (`KeyFigureInputs.ytd_revenue`);
  absent when not given.
- `deals_won`, `deals_lost`: number of won / lost deals; absent with no deals.
- `win_rate`: deals_won ÷ (deals_won + deals_lost), by count; absent with no
  won or lost deal.
- `avg_deal_size`: revenue ÷ deals_won; absent with no won deal.
- `days_to_close`: mean of (close_date − created_date) in days over the won
  deals that have a created_date; absent when there is none.
- `pipeline`: Σ amount of open deals; absent with no deals.
- `net_revenue`: revenue − Σ amount of refunded and churned rows (the amounts
  reversed); absent with no deals.
- `utilization`: Σ usage units ÷ Σ committed capacity; absent with no
  commitment or when Σ committed capacity is 0.
- `remaining_capacity`: Σ committed capacity − Σ usage units (negative when
  over); absent with no commitment.
- `savings`: C8 savings from the cost engine (`KeyFigureInputs.savings`);
  absent when not given.
- `mdf_roi`: Σ attributed_revenue ÷ Σ spend, both over approved campaigns (a
  blank attributed_revenue counts 0); absent with no approved spend, or when
  no approved campaign reports attributed_revenue.
- `margin_share`: R8 revenue share ÷ gross profit
  (`KeyFigureInputs.margin_share`); absent when not given.

Units of different pools are summed as they are (utilization is a plain
ratio of the partner's totals, as K1 states it).

Reported and computed metrics meet in `MetricBook`: a partner's reported
`Metrics` row of a name takes precedence over a computed metric of the same
name (an info names both values). Computed metrics count as verified and
undisputed (M4).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter
from types import MappingProxyType
from typing import Protocol, TypeVar

from partnerclose.core.money import ZERO
from partnerclose.core.participation import participation
from partnerclose.core.period import Period
from partnerclose.core.problems import Problem
from partnerclose.core.records import (
    Campaign,
    Commitment,
    Deal,
    DealStatus,
    MetricValue,
    PeriodData,
    Program,
    Usage,
)

# The K1 metric names, in the order a statement lists them.
KEY_FIGURE_NAMES: tuple[str, ...] = (
    "revenue",
    "ytd_revenue",
    "deals_won",
    "deals_lost",
    "win_rate",
    "avg_deal_size",
    "days_to_close",
    "pipeline",
    "net_revenue",
    "utilization",
    "remaining_capacity",
    "savings",
    "mdf_roi",
    "margin_share",
)


def _empty() -> Mapping[str, Decimal]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class KeyFigureInputs:
    """Per-partner figures that other engines compute."""

    # partner -> fiscal YTD won volume after this period (revenue engine)
    ytd_revenue: Mapping[str, Decimal] = field(default_factory=_empty)
    # partner -> C8 savings (cost engine); absent = not computable
    savings: Mapping[str, Decimal] = field(default_factory=_empty)
    # partner -> R8 revenue share ÷ gross profit; absent = not computable
    margin_share: Mapping[str, Decimal] = field(default_factory=_empty)


def compute_key_figures(
    program: Program, period: Period, data: PeriodData, inputs: KeyFigureInputs
) -> Mapping[str, Mapping[str, Decimal]]:
    """K1 for every partner taking part: partner_id -> metric -> value.

    Every partner taking part has an entry, empty when nothing is computable.
    """
    result: dict[str, Mapping[str, Decimal]] = {}
    # Group once: a partner's rows are then found without scanning everyone's.
    deals, commitments = _by_partner(data.deals), _by_partner(program.commitments)
    usage, campaigns = _by_partner(data.usage), _by_partner(data.campaigns)
    for partner in sorted(program.partners, key=lambda p: p.partner_id):
        if not participation(partner, period).takes_part:
            continue
        pid = partner.partner_id
        figures: dict[str, Decimal] = {}
        figures.update(_deal_figures(period, deals.get(pid, [])))
        figures.update(_capacity_figures(period, commitments.get(pid, []), usage.get(pid, [])))
        figures.update(_campaign_figures(campaigns.get(pid, [])))
        for name, given in (
            ("ytd_revenue", inputs.ytd_revenue),
            ("savings", inputs.savings),
            ("margin_share", inputs.margin_share),
        ):
            if pid in given:
                figures[name] = given[pid]
        result[pid] = MappingProxyType(
            {name: figures[name] for name in KEY_FIGURE_NAMES if name in figures}
        )
    return MappingProxyType(result)


class _HasPartner(Protocol):
    @property
    def partner_id(self) -> str: ...


R = TypeVar("R", bound=_HasPartner)


def _by_partner(rows: Iterable[R]) -> dict[str, list[R]]:
    grouped: dict[str, list[R]] = defaultdict(list)
    for row in rows:
        grouped[row.partner_id].append(row)
    return grouped


def _deal_figures(period: Period, deals: Sequence[Deal]) -> dict[str, Decimal]:
    # One pass over the partner's deal rows, each to its bucket (every row of
    # the period is read here): open deals whatever their date, closed ones
    # of the period.
    won: list[Deal] = []
    lost: list[Deal] = []
    reversed_: list[Deal] = []
    open_deals: list[Deal] = []
    closed_buckets = {
        DealStatus.WON: won,
        DealStatus.LOST: lost,
        DealStatus.REFUNDED: reversed_,
        DealStatus.CHURNED: reversed_,
    }
    first_day, last_day = period.first_day, period.last_day  # period.contains, inline
    for deal in deals:
        status = deal.status
        if status is DealStatus.OPEN:
            open_deals.append(deal)
            continue
        bucket = closed_buckets.get(status)
        if bucket is not None and first_day <= deal.close_date <= last_day:
            bucket.append(deal)
    if not (won or lost or reversed_ or open_deals):
        return {}
    revenue = _total(map(_AMOUNT, won))
    figures = {
        "revenue": revenue,
        "deals_won": Decimal(len(won)),
        "deals_lost": Decimal(len(lost)),
        "pipeline": _total(map(_AMOUNT, open_deals)),
        "net_revenue": revenue - _total(map(_AMOUNT, reversed_)),
    }
    if won or lost:
        figures["win_rate"] = Decimal(len(won)) / Decimal(len(won) + len(lost))
    if won:
        figures["avg_deal_size"] = revenue / Decimal(len(won))
    days = [(d.close_date - d.created_date).days for d in won if d.created_date is not None]
    if days:
        figures["days_to_close"] = Decimal(sum(days)) / Decimal(len(days))
    return figures


def _capacity_figures(
    period: Period, commitments: Sequence[Commitment], usage: Sequence[Usage]
) -> dict[str, Decimal]:
    if not commitments:
        return {}
    pools = {c.pool_id for c in commitments}
    committed = _total(c.committed_capacity for c in commitments)
    used = _total(
        u.units for u in usage if u.pool_id in pools and (u.date is None or period.contains(u.date))
    )
    figures = {"remaining_capacity": committed - used}
    if committed > 0:
        figures["utilization"] = used / committed
    return figures


def _campaign_figures(campaigns: Sequence[Campaign]) -> dict[str, Decimal]:
    approved = [c for c in campaigns if c.approved]
    spend = _total(c.spend for c in approved)
    attributed = [c.attributed_revenue for c in approved if c.attributed_revenue is not None]
    if spend <= 0 or not attributed:
        return {}
    return {"mdf_roi": _total(attributed) / spend}


_AMOUNT = attrgetter("amount")


def _total(values: Iterable[Decimal]) -> Decimal:
    return sum(values, ZERO)


# --- reported and computed metrics -------------------------------------------


@dataclass(frozen=True, slots=True)
class MetricReading:
    """The value of one metric for one partner, and whether it can be trusted."""

    partner_id: str
    metric: str
    value: Decimal
    verified: bool
    disputed: bool
    computed: bool  # True: from K1 (counts as verified and undisputed)


@dataclass(frozen=True, slots=True)
class MetricBook:
    """Reported metrics (by partner and name) over computed ones (K1)."""

    reported: Mapping[tuple[str, str], MetricValue]
    computed: Mapping[str, Mapping[str, Decimal]]
    problems: tuple[Problem, ...] = ()  # duplicate reported rows

    @classmethod
    def of(
        cls, reported: Sequence[MetricValue], computed: Mapping[str, Mapping[str, Decimal]]
    ) -> MetricBook:
        """Index reported rows; of duplicates the first by location is used (warning)."""
        by_key: dict[tuple[str, str], list[MetricValue]] = {}
        for row in reported:
            by_key.setdefault((row.partner_id, row.metric), []).append(row)
        chosen: dict[tuple[str, str], MetricValue] = {}
        problems: list[Problem] = []
        for key in sorted(by_key):
            rows = sorted(by_key[key], key=_row_order)
            chosen[key] = rows[0]
            problems.extend(
                row.loc.warning(
                    f'{key[0]} reports metric "{key[1]}" more than once; '
                    f"the first value ({rows[0].value}) is used",
                    column="metric",
                )
                for row in rows[1:]
            )
        return cls(MappingProxyType(chosen), computed, tuple(problems))

    def reading(self, partner_id: str, metric: str) -> MetricReading | None:
        """K1: a partner's metric, the reported value over the computed one (None: neither)."""
        row = self.reported.get((partner_id, metric))
        if row is not None:
            return MetricReading(partner_id, metric, row.value, row.verified, row.disputed, False)
        value = self.computed.get(partner_id, {}).get(metric)
        if value is None:
            return None
        return MetricReading(partner_id, metric, value, True, False, True)

    def precedence_info(self, partner_id: str, metric: str) -> Problem | None:
        """The info K1 asks for when a reported metric hides a computed one."""
        row = self.reported.get((partner_id, metric))
        value = self.computed.get(partner_id, {}).get(metric)
        if row is None or value is None:
            return None
        return row.loc.info(
            f'{partner_id} reports metric "{metric}" = {row.value}, which is also computed '
            f"(K1) as {value}; the reported value is used",
            column="value",
        )

    def values(self) -> Mapping[str, Mapping[str, Decimal]]:
        """Each partner's metric values, reported over computed (for the scorecard)."""
        merged: dict[str, dict[str, Decimal]] = {p: dict(m) for p, m in self.computed.items()}
        for (partner_id, metric), row in self.reported.items():
            merged.setdefault(partner_id, {})[metric] = row.value
        return MappingProxyType(
            {p: MappingProxyType(dict(sorted(m.items()))) for p, m in sorted(merged.items())}
        )

    def all_precedence_infos(self) -> tuple[Problem, ...]:
        """K1: an info for every reported metric that hides a computed one."""
        found = (self.precedence_info(p, m) for p, m in sorted(self.reported))
        return tuple(p for p in found if p is not None)


def merge_metric_values(
    reported: Sequence[MetricValue], computed: Mapping[str, Mapping[str, Decimal]]
) -> tuple[Mapping[str, Mapping[str, Decimal]], tuple[Problem, ...]]:
    """Values for the scorecard, and the problems of merging (duplicates, precedence).

    The precedence infos are equal values to those `compute_milestones` reports
    for the metrics it uses, so a caller can drop repeats with `dict.fromkeys`.
    """
    book = MetricBook.of(reported, computed)
    return book.values(), book.problems + book.all_precedence_infos()


def _row_order(row: MetricValue) -> tuple[str, str, int, str, bool, bool]:
    return (row.loc.file, row.loc.sheet, row.loc.row, str(row.value), row.verified, row.disputed)
