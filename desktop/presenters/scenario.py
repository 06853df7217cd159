"""The What-if view: demand multipliers on usage and deal volume, beside the actual close.

`run_scenario` recomputes the period in memory from the validated inputs; the
ledger is only read (for the state earlier final closes left), never written.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

from desktop.logs import report_error
from desktop.presenters.charts import EMPTY_CHART, ChartData, Series
from desktop.presenters.formatting import money, participant_label, percent
from desktop.presenters.jobs import CancelToken, InlineRunner, Job, JobRunner, Report
from desktop.presenters.session import Change, Session
from desktop.presenters.table import (
    EMPTY_TABLE,
    Align,
    Cell,
    Column,
    DisplayTable,
    Row,
    Tone,
    money_cell,
    text_cell,
)
from partnerclose.api import HOST, SECTION_OF, CloseResult, ScenarioOutcome, Section

MIN_FACTOR = Decimal("0.10")
MAX_FACTOR = Decimal("3.00")
STEP = Decimal("0.05")
ONE = Decimal(1)


class ScenarioView(Protocol):
    """What the what-if presenter needs of its view."""

    def refresh(self) -> None:
        """Redraw the page from the presenter."""

    def show_error(self, title: str, text: str) -> None:
        """Show an error message with its title."""


def retained_cost(result: CloseResult) -> Decimal:
    """What the host keeps of the shared costs: −Σ of its cost-sharing lines."""
    return -sum(
        (
            line.amount
            for line in result.lines_of(HOST)
            if SECTION_OF[line.component] is Section.COST_SHARING
        ),
        Decimal(0),
    )


def change_cells(actual: Decimal, scenario: Decimal, decimals: int) -> tuple[Cell, Cell]:
    """The change from actual to what-if, as an amount and a percent of the actual."""
    delta = scenario - actual
    if actual == 0:
        ratio = text_cell("")
    else:
        share = delta / abs(actual)
        sign = "+" if share > 0 else ""
        ratio = Cell(
            f"{sign}{percent(share, 1)}",
            (1, share),
            Tone.NEGATIVE if share < 0 and money(delta, decimals) != "0.00" else Tone.NORMAL,
            "",
            share,
        )
    return money_cell(delta, decimals), ratio


COMPARE_COLUMNS = (
    Column("Participant", stretch=True),
    Column("Actual", Align.RIGHT, "The period as closed (computed again in memory)"),
    Column("What-if", Align.RIGHT, "With the demand multipliers"),
    Column("Change", Align.RIGHT, "What-if − actual"),
    Column("Change %", Align.RIGHT, "Change ÷ |actual|"),
)


def comparison_table(
    actual: CloseResult, scenario: CloseResult, names: dict[str, str], decimals: int
) -> DisplayTable:
    """One row per partner: net actual, net what-if and the change."""
    partners = [p for p in actual.participants if p != HOST]
    rows = []
    for pid in partners:
        a, w = actual.net(pid), scenario.net(pid)
        rows.append(
            Row(
                (
                    text_cell(participant_label(pid, names)),
                    money_cell(a, decimals),
                    money_cell(w, decimals),
                    *change_cells(a, w, decimals),
                ),
                key=pid,
            )
        )
    total_a = sum((actual.net(p) for p in partners), Decimal(0))
    total_w = sum((scenario.net(p) for p in partners), Decimal(0))
    rows.append(
        Row(
            (
                text_cell("All partners"),
                money_cell(total_a, decimals),
                money_cell(total_w, decimals),
                *change_cells(total_a, total_w, decimals),
            ),
            total=True,
        )
    )
    return DisplayTable(COMPARE_COLUMNS, tuple(rows))


def host_table(actual: CloseResult, scenario: CloseResult, decimals: int) -> DisplayTable:
    """The host's retained cost and net, actual and what-if."""
    rows = []
    for label, a, w in (
        ("Host's retained cost", retained_cost(actual), retained_cost(scenario)),
        ("Host's net", actual.net(HOST), scenario.net(HOST)),
    ):
        rows.append(
            Row(
                (
                    text_cell(label),
                    money_cell(a, decimals),
                    money_cell(w, decimals),
                    *change_cells(a, w, decimals),
                )
            )
        )
    return DisplayTable((Column("Host", stretch=True), *COMPARE_COLUMNS[1:]), tuple(rows))


class ScenarioPresenter:
    """The What-if page: the period closed again with usage and deals scaled."""

    def __init__(self, session: Session, runner: JobRunner | None = None) -> None:
        """Follow `session`; the what-if runs through `runner` (inline when none is given)."""
        self.session = session
        self.runner: JobRunner = runner or InlineRunner()
        self.view: ScenarioView | None = None
        self.usage_factor = ONE
        self.deal_factor = ONE
        self.outcome: ScenarioOutcome | None = None  # of the current factors
        self.running = False
        self._pending = False
        session.subscribe(self._changed)

    def bind(self, view: ScenarioView) -> None:
        """Attach the view and draw it."""
        self.view = view
        view.refresh()

    def _changed(self, change: Change) -> None:
        if change in (Change.VALIDATION, Change.PROGRAM, Change.PERIOD, Change.LEDGER):
            self.outcome = None
            self._refresh()

    # --- state ----------------------------------------------------------------------------

    def available(self) -> bool:
        """Whether the what-if can run: the inputs are valid."""
        inputs = self.session.inputs
        return inputs is not None and inputs.ok

    def headline(self) -> str:
        """What the page says over the comparison, or what to do first."""
        if not self.session.is_open:
            return "Open a program workbook to try demand scenarios."
        if not self.available():
            return "The what-if needs valid inputs: validate the program first."
        if self.outcome is None:
            return (
                f"Set the multipliers and press Recompute: {self.session.period} is computed "
                "again in memory; nothing is written to the ledger or the output folder."
            )
        return (
            f"{self.session.period} with usage × {self.usage_factor:.2f} and deal volume × "
            f"{self.deal_factor:.2f}, beside the actual close. Computed in memory only."
        )

    def comparison(self) -> DisplayTable:
        """One row per partner: net actual, net what-if and the change."""
        if self.outcome is None:
            return EMPTY_TABLE
        return comparison_table(
            self.outcome.actual,
            self.outcome.scenario,
            self.session.partner_names(),
            self.session.decimals(),
        )

    def host(self) -> DisplayTable:
        """The host's retained cost and net, actual and what-if."""
        if self.outcome is None:
            return EMPTY_TABLE
        return host_table(self.outcome.actual, self.outcome.scenario, self.session.decimals())

    def chart(self) -> ChartData:
        """Net per partner, actual and what-if, as a bar chart."""
        if self.outcome is None:
            return EMPTY_CHART
        actual, scenario = self.outcome.actual, self.outcome.scenario
        names = self.session.partner_names()
        partners = [p for p in actual.participants if p != HOST]
        return ChartData(
            "Net per partner: actual and what-if",
            f"usage × {self.usage_factor:.2f} · deal volume × {self.deal_factor:.2f}",
            tuple(participant_label(p, names) for p in partners),
            (
                Series("Actual", tuple(actual.net(p) for p in partners), 0),
                Series("What-if", tuple(scenario.net(p) for p in partners), 1),
            ),
            self.session.decimals(),
        )

    # --- what the user does -------------------------------------------------------------------

    def set_factors(self, usage: Decimal, deals: Decimal) -> None:
        """Set the usage and deal multipliers, held within the allowed range."""
        self.usage_factor = min(max(usage, MIN_FACTOR), MAX_FACTOR)
        self.deal_factor = min(max(deals, MIN_FACTOR), MAX_FACTOR)

    def reset(self) -> None:
        """Set both multipliers back to 1 and compute again."""
        self.set_factors(ONE, ONE)
        self.recompute()

    def recompute(self) -> None:
        """Close the period again with the multipliers (no output, no ledger)."""
        inputs = self.session.inputs
        if inputs is None or not inputs.ok:
            self._refresh()
            return
        if self.running:
            self._pending = True
            return
        self.running = True
        self._pending = False
        usage, deals = self.usage_factor, self.deal_factor
        ledger = self.session.ledger_path()
        run = self.session.backend.run_scenario

        def work(report: Report, cancelled: CancelToken) -> ScenarioOutcome | None:
            return run(inputs, usage, deals, ledger)

        def done(outcome: ScenarioOutcome | None) -> None:
            self.running = False
            if self.session.inputs is inputs:
                self.outcome = outcome
            if self._pending:
                self.recompute()
                return
            self._refresh()

        def failed(exc: BaseException) -> None:
            self.running = False
            self._pending = False
            self._refresh()
            if self.view is not None:
                message = report_error("The what-if could not be computed", exc)
                self.view.show_error("The what-if could not be computed", message)

        self._refresh()
        self.runner.start(Job("what-if", work, done, failed), CancelToken())

    def _refresh(self) -> None:
        if self.view is not None:
            self.view.refresh()
