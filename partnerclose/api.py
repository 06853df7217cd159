"""The public API of PartnerClose: what the front ends (desktop, Excel) may use.

import-linter keeps the front ends on this module; everything here is stable
for them, everything else may change.
"""

from partnerclose import __version__
from partnerclose.core.close import CloseResult, CloseState, PoolCheck, compute_close
from partnerclose.core.lines import SECTION_OF, Component, Line, Section, sort_lines
from partnerclose.core.money import fmt_money, round_money
from partnerclose.core.participation import participation
from partnerclose.core.period import Period
from partnerclose.core.problems import Problem, Severity, has_errors, sort_key
from partnerclose.core.records import HOST, PeriodData, Program, participant_key
from partnerclose.ledger.location import (
    default_ledger,
    describe_ledger,
    ledger_exists,
    ledger_location,
    open_ledger,
)
from partnerclose.ledger.store import (
    AuditEntry,
    Ledger,
    LedgerBusyError,
    LedgerRefusedError,
    RunInfo,
)
from partnerclose.pipeline import (
    CloseContext,
    CloseOutcome,
    ProgressEvent,
    ScenarioOutcome,
    Stage,
    Status,
    Writer,
    default_output,
    run_close,
    run_scenario,
)
from partnerclose.reading.grid import SheetGrid, WorkbookGrids
from partnerclose.reading.inputs import Inputs, load_inputs, load_inputs_from_grids
from partnerclose.reading.xlsx import Limits

__all__ = [
    "HOST",
    "SECTION_OF",
    "AuditEntry",
    "CloseContext",
    "CloseOutcome",
    "CloseResult",
    "CloseState",
    "Component",
    "Inputs",
    "Ledger",
    "LedgerBusyError",
    "LedgerRefusedError",
    "Limits",
    "Line",
    "Period",
    "PeriodData",
    "PoolCheck",
    "Problem",
    "Program",
    "ProgressEvent",
    "RunInfo",
    "ScenarioOutcome",
    "Section",
    "Severity",
    "SheetGrid",
    "Stage",
    "Status",
    "WorkbookGrids",
    "Writer",
    "__version__",
    "compute_close",
    "default_ledger",
    "default_output",
    "describe_ledger",
    "fmt_money",
    "has_errors",
    "ledger_exists",
    "ledger_location",
    "load_inputs",
    "load_inputs_from_grids",
    "open_ledger",
    "participant_key",
    "participation",
    "round_money",
    "run_close",
    "run_scenario",
    "sort_key",
    "sort_lines",
]
