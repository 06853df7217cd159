"""Chart data: plain values that the QPainter chart widgets draw."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from desktop.presenters.formatting import money, participant_label
from desktop.presenters.session import Change, Session
from partnerclose.api import HOST, CloseResult, Component, pool_of_item


@dataclass(frozen=True, slots=True)
class Series:
    """One series of a bar chart: its name, a value per category and its colour."""

    name: str
    values: tuple[Decimal, ...]  # one per category
    color: int  # an index into the view's palette


@dataclass(frozen=True, slots=True)
class ChartData:
    """A bar chart as the Charts page draws it: title, categories and series."""

    title: str
    subtitle: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    decimals: int = 2
    stacked: bool = False  # stacked: series add up along a bar; else side by side

    @property
    def empty(self) -> bool:
        """Whether there is nothing to draw (no category or no series)."""
        return not self.categories or not self.series

    def totals(self) -> tuple[Decimal, ...]:
        """The sum of the series for each category (a stacked bar's length)."""
        return tuple(
            sum((s.values[i] for s in self.series), Decimal(0)) for i in range(len(self.categories))
        )


EMPTY_CHART = ChartData("", "", (), ())

NET_COLOR = 0


def net_chart(
    result: CloseResult, names: dict[str, str], decimals: int, currency: str
) -> ChartData:
    """N1: each partner's net settlement as one bar, payable right of zero, due left."""
    partners = [p for p in result.participants if p != HOST]
    values = tuple(result.net(p) for p in partners)
    host = result.net(HOST)
    return ChartData(
        f"Net settlement per partner ({currency})" if currency else "Net settlement per partner",
        f"{result.period} · right of zero: payable to the partner; left: due from it · "
        f"host's net {money(host, decimals)}",
        tuple(participant_label(p, names) for p in partners),
        (Series("Net", values, NET_COLOR),),
        decimals,
    )


def cost_share_chart(
    result: CloseResult, names: dict[str, str], decimals: int, currency: str
) -> ChartData:
    """Each pool's allocated cost (amount − draw), split by participant (−Σ of its lines)."""
    shares: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for line in result.lines:
        if line.component in (Component.COST_SHARE, Component.GUARDRAIL):
            shares[pool_of_item(line.item)][line.partner_id] -= line.amount
    pools = [p for p in result.costs.pools if p.pool_id in shares]
    participants = [p for p in result.participants if any(p in shares[q.pool_id] for q in pools)]
    series = tuple(
        Series(
            participant_label(pid, names),
            tuple(max(shares[pool.pool_id].get(pid, Decimal(0)), Decimal(0)) for pool in pools),
            i,
        )
        for i, pid in enumerate(participants)
    )
    title = "Cost share by pool and participant"
    return ChartData(
        f"{title} ({currency})" if currency else title,
        f"{result.period} · each bar is the pool's cost after reserve draws",
        tuple(f"{pool.pool_id} · {pool.name}" for pool in pools),
        series,
        decimals,
        stacked=True,
    )


class ChartsView(Protocol):
    """What the charts presenter needs of its view."""

    def refresh(self) -> None:
        """Redraw the charts from the presenter."""


class ChartsPresenter:
    """The Charts page: the period's net settlement and cost share charts."""

    def __init__(self, session: Session) -> None:
        """Follow `session`; the charts change with its close, program and period."""
        self.session = session
        self.view: ChartsView | None = None
        session.subscribe(self._changed)

    def bind(self, view: ChartsView) -> None:
        """Attach the view and draw it."""
        self.view = view
        view.refresh()

    def _changed(self, change: Change) -> None:
        if change in (Change.CLOSE, Change.PROGRAM, Change.PERIOD) and self.view is not None:
            self.view.refresh()

    def _context(self) -> tuple[CloseResult, dict[str, str], int, str] | None:
        outcome = self.session.closed
        if outcome is None or outcome.result is None:
            return None
        currency = ""
        if outcome.inputs is not None and outcome.inputs.program is not None:
            currency = outcome.inputs.program.settings.currency
        return outcome.result, self.session.partner_names(), self.session.decimals(), currency

    def headline(self) -> str:
        """What the page says above the charts ("" once a close has run)."""
        if self._context() is None:
            return "Run a close to see its charts."
        return ""

    def net(self) -> ChartData:
        """N1: the net settlement chart of the last close (empty before one)."""
        context = self._context()
        return net_chart(*context) if context else EMPTY_CHART

    def cost_share(self) -> ChartData:
        """C4: the cost share chart of the last close (empty before one)."""
        context = self._context()
        return cost_share_chart(*context) if context else EMPTY_CHART
