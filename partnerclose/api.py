"""The public API of PartnerClose: what the front ends (desktop, Excel) may use.

import-linter keeps the front ends on this module and on `template_api` (the
template engine, for the add-in's statement sheets); everything in the two is
stable for them, everything else may change.
"""

from partnerclose import __version__
from partnerclose.cli import main as cli_main
from partnerclose.close_context import CloseContext, Stage
from partnerclose.core.close import CloseResult, CloseState, PoolCheck, compute_close, pool_of_item
from partnerclose.core.lines import SECTION_OF, Component, Line, Section, section_of, sort_lines
from partnerclose.core.money import fmt_money, round_money
from partnerclose.core.participation import participation
from partnerclose.core.period import Period
from partnerclose.core.problems import Problem, Severity, has_errors, sort_key
from partnerclose.core.records import HOST, PeriodData, Program, participant_key
from partnerclose.core.scenario import (
    Scenario,
    ScenarioChange,
    ScenarioClose,
    ScenariosOutcome,
    group_scenarios,
)
from partnerclose.core.validity import DatedRow, dated_rows
from partnerclose.demo import write_demo
from partnerclose.doctor import Check, Verdict, package_checks
from partnerclose.doctor import report as doctor_report
from partnerclose.ledger.approval import ApprovalState
from partnerclose.ledger.location import ENVIRONMENT_VARIABLE as LEDGER_VARIABLE
from partnerclose.ledger.location import (
    Where,
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
    SCENARIOS_FILE,
    CloseOutcome,
    FinalVersion,
    ProgressEvent,
    ScenarioOutcome,
    Status,
    UnknownScenarioError,
    Writer,
    chosen_scenarios,
    default_output,
    final_versions,
    run_close,
    run_scenario,
    run_scenarios,
)
from partnerclose.preparing import Prepared, PrepareOutcome, prepare
from partnerclose.reading.grid import SheetGrid, WorkbookGrids
from partnerclose.reading.inputs import (
    WORKBOOK_SUFFIXES,
    Inputs,
    load_inputs,
    load_inputs_from_grids,
)
from partnerclose.reading.scenarios import SCENARIO_HEADER, change_row, check_scenario_rows
from partnerclose.reading.xlsx import Limits
from partnerclose.sending import (
    PartnerResult,
    SendError,
    SendOutcome,
    SendPlan,
    SmtpTarget,
    default_sender,
    plan_send,
    send_smtp,
    write_emails,
)
from partnerclose.sending import Result as SendResult
from partnerclose.statements.labels import KEY_FIGURE_LABELS, key_figure_label
from partnerclose.sync_folders import SyncRoot, root_of, sync_roots
from partnerclose.urls import is_server_url
from partnerclose.writing.scenarios_workbook import (
    Comparison,
    ComparisonTable,
    comparison,
    write_scenarios_workbook,
)

__all__ = [
    "HOST",
    "KEY_FIGURE_LABELS",
    "LEDGER_VARIABLE",
    "SCENARIOS_FILE",
    "SCENARIO_HEADER",
    "SECTION_OF",
    "WORKBOOK_SUFFIXES",
    "ApprovalState",
    "AuditEntry",
    "Check",
    "CloseContext",
    "CloseOutcome",
    "CloseResult",
    "CloseState",
    "Comparison",
    "ComparisonTable",
    "Component",
    "DatedRow",
    "FinalVersion",
    "Inputs",
    "Ledger",
    "LedgerBusyError",
    "LedgerRefusedError",
    "Limits",
    "Line",
    "PartnerResult",
    "Period",
    "PeriodData",
    "PoolCheck",
    "PrepareOutcome",
    "Prepared",
    "Problem",
    "Program",
    "ProgressEvent",
    "RunInfo",
    "Scenario",
    "ScenarioChange",
    "ScenarioClose",
    "ScenarioOutcome",
    "ScenariosOutcome",
    "Section",
    "SendError",
    "SendOutcome",
    "SendPlan",
    "SendResult",
    "Severity",
    "SheetGrid",
    "SmtpTarget",
    "Stage",
    "Status",
    "SyncRoot",
    "UnknownScenarioError",
    "Verdict",
    "Where",
    "WorkbookGrids",
    "Writer",
    "__version__",
    "change_row",
    "check_scenario_rows",
    "chosen_scenarios",
    "cli_main",
    "comparison",
    "compute_close",
    "dated_rows",
    "default_ledger",
    "default_output",
    "default_sender",
    "describe_ledger",
    "doctor_report",
    "final_versions",
    "fmt_money",
    "group_scenarios",
    "has_errors",
    "is_server_url",
    "key_figure_label",
    "ledger_exists",
    "ledger_location",
    "load_inputs",
    "load_inputs_from_grids",
    "open_ledger",
    "package_checks",
    "participant_key",
    "participation",
    "plan_send",
    "pool_of_item",
    "prepare",
    "root_of",
    "round_money",
    "run_close",
    "run_scenario",
    "run_scenarios",
    "section_of",
    "send_smtp",
    "sort_key",
    "sort_lines",
    "sync_roots",
    "write_demo",
    "write_emails",
    "write_scenarios_workbook",
]
