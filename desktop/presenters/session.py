"""The session: the open program, its period and folders, its last validation and close.

Presenters read it and listen to it; only `MainPresenter` changes what is
open, validated or closed. `Backend` is the part of `partnerclose.api` the
app calls, so that a test can slow a close down or count calls.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from pathlib import Path

from desktop.presenters.period_state import PeriodStatus
from desktop.presenters.settings import AppSettings, MemorySettings
from partnerclose.api import (
    CloseOutcome,
    Inputs,
    Period,
    Problem,
    ScenarioOutcome,
    ScenariosOutcome,
    Status,
    default_output,
    ledger_location,
    load_inputs,
    run_close,
    run_scenario,
    run_scenarios,
)


class Change(Enum):
    """What changed in the session, for the presenters that listen."""

    PROGRAM = "program"  # another program workbook (or none)
    PERIOD = "period"
    FOLDERS = "folders"  # partner folder, output folder or ledger
    VALIDATION = "validation"
    CLOSE = "close"
    LEDGER = "ledger"  # a reopen
    BUSY = "busy"  # a job started or finished
    RECENT = "recent"


def last_month(today: date | None = None) -> Period:
    """The month before today's, the period a close usually is for."""
    return Period.of(today or datetime.now().astimezone().date()).shift(-1)


@dataclass(frozen=True, slots=True)
class Backend:
    """What the desktop calls in partnerclose.api; tests give fakes."""

    load_inputs: Callable[..., Inputs] = load_inputs
    run_close: Callable[..., CloseOutcome] = run_close
    run_scenario: Callable[..., ScenarioOutcome | None] = run_scenario
    run_scenarios: Callable[..., ScenariosOutcome | None] = run_scenarios


@dataclass(frozen=True, slots=True)
class Restatement:
    """Final periods before the close to restate with corrected workbooks (rules.md P3)."""

    periods: tuple[Period, ...]
    corrections: Path

    def text(self) -> str:
        """The months and the folder, as in `2026-09 (corrected workbooks in corrections)`."""
        months = ", ".join(str(p) for p in self.periods)
        return f"{months} (corrected workbooks in {self.corrections.name or self.corrections})"


class Session:
    """One desktop session: the open program, the period, folders, last validation and close."""

    def __init__(
        self,
        settings: AppSettings | None = None,
        backend: Backend | None = None,
        today: date | None = None,
    ) -> None:
        """A session with nothing open, for last month (settings in memory, the real API)."""
        self.settings = settings or AppSettings(MemorySettings())
        self.backend = backend or Backend()
        self.program_path: Path | None = None
        self.period: Period = last_month(today)
        self.partner_folder_override: Path | None = None
        self.inputs: Inputs | None = None  # the last validation of (program, period)
        self.problems: tuple[Problem, ...] = ()  # what the validation view lists
        self.problems_note = ""  # why they are listed ("validated", "close refused", ...)
        self.outcome: CloseOutcome | None = None  # the last successful close
        self.restatement: Restatement | None = None  # what the next close of the period restates
        self.period_status: PeriodStatus | None = None  # the period in the ledger
        self.busy: str = ""  # the running job's name
        self._listeners: list[Callable[[Change], None]] = []

    # --- listening -------------------------------------------------------------

    def subscribe(self, listener: Callable[[Change], None]) -> None:
        """Call `listener` with every change from now on."""
        self._listeners.append(listener)

    def notify(self, change: Change) -> None:
        """Tell every listener what changed."""
        for listener in list(self._listeners):
            listener(change)

    # --- derived facts ---------------------------------------------------------

    @property
    def is_open(self) -> bool:
        """Whether a program workbook is open."""
        return self.program_path is not None

    @property
    def closed(self) -> CloseOutcome | None:
        """The last close, when it succeeded and belongs to what is open now."""
        outcome = self.outcome
        if outcome is None or outcome.status is not Status.CLOSED or outcome.result is None:
            return None
        return outcome

    def ledger_path(self) -> Path | str | None:
        """The ledger the session uses.

        The one chosen here, else PARTNERCLOSE_LEDGER, else the file beside the program (a
        postgresql:// URL stays text).
        """
        if self.program_path is None:
            return None
        return ledger_location(self.program_path, self.settings.ledger_path(self.program_path))

    def output_folder(self) -> Path | None:
        """The folder the close of the period writes to (None when no program is open)."""
        if self.program_path is None:
            return None
        root = self.settings.output_root(self.program_path)
        if root is None:
            return default_output(self.program_path, self.period)
        return root / f"close-{self.period}"

    def partner_folder(self) -> Path | None:
        """The override, else the folder the last validation read (None: not yet known)."""
        if self.partner_folder_override is not None:
            return self.partner_folder_override
        return self.inputs.partner_folder if self.inputs is not None else None

    def decimals(self) -> int:
        """The currency's decimals, from the program (2 until one is read)."""
        inputs = self.inputs or (self.outcome.inputs if self.outcome else None)
        if inputs is not None and inputs.program is not None:
            return inputs.program.settings.decimals
        return 2

    def partner_names(self) -> dict[str, str]:
        """Partner id -> name, from the program ({} until one is read)."""
        inputs = self.inputs or (self.outcome.inputs if self.outcome else None)
        if inputs is None or inputs.program is None:
            return {}
        return {p.partner_id: p.name for p in inputs.program.partners}
