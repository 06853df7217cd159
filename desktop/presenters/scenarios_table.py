"""The What-if page's scenario table: scenarios on terms, costs and data (docs/scenarios.md).

The user edits rows like the `Scenarios` sheet's (it starts with the sheet's own);
each edit is checked at once against the validated program, every problem shown
on its row. Running computes each scenario beside the actual close off the UI
thread (the app's job runner); the ledger is only read. The comparison is the one
`whatif` writes to scenarios.xlsx.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Protocol

from desktop.logs import report_error
from desktop.presenters.charts import EMPTY_CHART, ChartData, Series
from desktop.presenters.jobs import CancelToken, InlineRunner, Job, JobRunner, Report
from desktop.presenters.session import Change, Session
from desktop.presenters.table import (
    EMPTY_TABLE,
    Align,
    Column,
    DisplayTable,
    Row,
    Tone,
    money_cell,
    text_cell,
)
from partnerclose.api import (
    SCENARIO_HEADER,
    Problem,
    ScenarioChange,
    ScenariosOutcome,
    change_row,
    check_scenario_rows,
    comparison,
    group_scenarios,
)

EDIT_FILE = "What-if"  # where the table's problems are said to be


class ScenarioTableView(Protocol):
    """What the scenarios presenter needs of its view."""

    def refresh(self) -> None:
        """Redraw the page from the presenter."""

    def show_error(self, title: str, text: str) -> None:
        """Show an error message with its title."""


class ScenarioTablePresenter:
    """Edits, checks and runs scenarios; knows no Qt."""

    def __init__(self, session: Session, runner: JobRunner | None = None) -> None:
        """Follow `session`, and load the program's Scenarios sheet; runs go through `runner`."""
        self.session = session
        self.runner: JobRunner = runner or InlineRunner()
        self.view: ScenarioTableView | None = None
        self.rows: list[list[str]] = []
        self.changes: tuple[ScenarioChange, ...] = ()
        self.problems: dict[int, list[str]] = {}  # row index -> messages
        self.outcome: ScenariosOutcome | None = None
        self.running = False
        session.subscribe(self._changed)
        self._load_sheet()

    def bind(self, view: ScenarioTableView) -> None:
        """Attach the view and draw it."""
        self.view = view
        view.refresh()

    def _changed(self, change: Change) -> None:
        if change in (Change.VALIDATION, Change.PROGRAM, Change.PERIOD, Change.LEDGER):
            self.outcome = None
            if change is not Change.LEDGER:
                self._load_sheet()
            self._refresh()

    def _load_sheet(self) -> None:
        inputs = self.session.inputs
        scenarios = inputs.scenarios if inputs is not None else ()
        self.rows = [list(change_row(c)) for c in scenarios]
        self._check()

    # --- editing --------------------------------------------------------------------

    @property
    def header(self) -> tuple[str, ...]:
        """The table's columns, as the Scenarios sheet names them."""
        return SCENARIO_HEADER

    def add_row(self, *values: str) -> None:
        """A new row (blank, or the values given), checked."""
        row = [*values, *([""] * (len(SCENARIO_HEADER) - len(values)))]
        self.rows.append(row[: len(SCENARIO_HEADER)])
        self._edited()

    def remove_row(self, index: int) -> None:
        """The row removed."""
        del self.rows[index]
        self._edited()

    def set_cell(self, index: int, column: str, text: str) -> None:
        """One cell edited: the table is checked again at once."""
        self.rows[index][SCENARIO_HEADER.index(column)] = text.strip()
        self._edited()

    def _edited(self) -> None:
        self.outcome = None
        self._check()
        self._refresh()

    def _check(self) -> None:
        inputs = self.session.inputs
        program = inputs.workbook_program or inputs.program if inputs is not None else None
        self.problems = {}
        if program is None:
            self.changes = ()
            return
        changes, problems = check_scenario_rows(self.rows, program, EDIT_FILE)
        self.changes = changes
        for problem in problems:
            self.problems.setdefault(_row_index(problem), []).append(problem.message)

    # --- state ----------------------------------------------------------------------

    def can_run(self) -> bool:
        """Valid inputs, at least one change, no problem in the table, nothing running."""
        inputs = self.session.inputs
        ok = inputs is not None and inputs.ok
        return ok and bool(self.changes) and not self.problems and not self.running

    def status(self) -> str:
        """One line above the table."""
        inputs = self.session.inputs
        if inputs is None:
            return "Open a program workbook to plan scenarios."
        if not inputs.ok:
            return "Scenarios need valid inputs: validate the program first."
        if self.running:
            return "Computing the scenarios…"
        if self.problems:
            count = sum(len(m) for m in self.problems.values())
            return f"{count} problem{'s' if count != 1 else ''} in the table: see the marked rows."
        if not self.changes:
            return "Add a row: a scenario, a change (set, factor or add), a sheet, key and value."
        names = len(group_scenarios(self.changes))
        return f"{names} scenario{'s' if names != 1 else ''} ready; never recorded in the ledger."

    def edit_table(self) -> DisplayTable:
        """The rows being edited, each with its problems (if any) in the last column."""
        columns = (*(Column(name) for name in SCENARIO_HEADER), Column("problem", stretch=True))
        rows = []
        for index, row in enumerate(self.rows):
            messages = self.problems.get(index, [])
            tone = Tone.NEGATIVE if messages else Tone.NORMAL
            cells = (*(text_cell(value) for value in row), text_cell("; ".join(messages), tone))
            rows.append(Row(tuple(cells), key=str(index)))
        return DisplayTable(columns, tuple(rows))

    def comparison(self) -> DisplayTable:
        """Per participant and component: actual, each scenario and its difference."""
        if self.outcome is None:
            return EMPTY_TABLE
        table = comparison(self.outcome).comparison
        decimals = self.session.decimals()
        columns = tuple(
            Column(title, Align.RIGHT if i >= table.money_from else Align.LEFT)
            for i, title in enumerate(table.header)
        )
        rows = tuple(
            Row(
                tuple(
                    money_cell(v, decimals) if isinstance(v, Decimal) else text_cell(str(v or ""))
                    for v in values
                ),
                total=values[2] == "net",
                key=str(values[0]),
            )
            for values in table.rows
        )
        return DisplayTable(columns, rows)

    def chart(self) -> ChartData:
        """Net per participant: actual and each scenario side by side."""
        if self.outcome is None:
            return EMPTY_CHART
        table = comparison(self.outcome).comparison
        nets = [row for row in table.rows if row[2] == "net"]
        results = [3, *range(4, len(table.header), 2)]
        series = tuple(
            Series(
                str(table.header[column]),
                tuple(Decimal(str(row[column])) for row in nets),
                index,
            )
            for index, column in enumerate(results)
        )
        return ChartData(
            "Net per participant: actual and scenarios",
            "positive: owed to the participant",
            tuple(f"{row[0]} · {row[1]}" for row in nets),
            series,
            self.session.decimals(),
        )

    # --- running --------------------------------------------------------------------

    def run(self) -> None:
        """Each scenario beside the actual close, off the UI thread."""
        inputs = self.session.inputs
        if inputs is None or not self.can_run():
            self._refresh()
            return
        self.running = True
        scenarios = group_scenarios(self.changes)
        ledger = self.session.ledger_path()
        run = self.session.backend.run_scenarios
        only_these = replace(inputs, scenarios=())  # the table's scenarios, not the sheet's

        def work(report: Report, cancelled: CancelToken) -> ScenariosOutcome | None:
            return run(only_these, (), ledger, scenarios)

        def done(outcome: ScenariosOutcome | None) -> None:
            self.running = False
            if self.session.inputs is inputs:
                self.outcome = outcome
            self._refresh()

        def failed(exc: BaseException) -> None:
            self.running = False
            self._refresh()
            if self.view is not None:
                message = report_error("The scenarios could not be computed", exc)
                self.view.show_error("The scenarios could not be computed", message)

        self._refresh()
        self.runner.start(Job("scenarios", work, done, failed), CancelToken())

    def _refresh(self) -> None:
        if self.view is not None:
            self.view.refresh()


def _row_index(problem: Problem) -> int:
    """The table row (0-based) of a problem at a cell like `F3` (row 1 is the header)."""
    digits = "".join(ch for ch in problem.cell if ch.isdigit())
    return int(digits) - 2 if digits else 0
