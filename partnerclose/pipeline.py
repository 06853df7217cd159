"""The monthly close, end to end, all or nothing.

read -> validate -> compute -> write -> record. Outputs are written to a
hidden folder beside the output folder; the ledger commits the run together
with the folder swap it owes, and only then is the folder swapped in. A failure
or a kill before the commit leaves the ledger and the output folder as they
were; a kill after it leaves a swap that the next close finishes (see
`output_folder.py` and docs/decisions.md). Every front end calls `run_close`;
progress and cancellation go through callbacks.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

from partnerclose.checkpoints import checkpoint
from partnerclose.close_context import CloseContext, Stage
from partnerclose.collector import collector_paused
from partnerclose.core.adjustments import final_period_problems
from partnerclose.core.close import CloseResult, CloseState, compute_close
from partnerclose.core.currency import foreign_settlers, rates_used, settled_totals
from partnerclose.core.journal import JournalRow, build_journal
from partnerclose.core.lines import Component, Line
from partnerclose.core.money import round_money
from partnerclose.core.opening import starting_state
from partnerclose.core.payment import payment_rows
from partnerclose.core.period import Period
from partnerclose.core.problems import Problem, Severity, did_you_mean, has_errors, sort_key
from partnerclose.core.records import HOST, Engine, Program
from partnerclose.core.revenue_rows import RowEngine
from partnerclose.core.scenario import (
    Scenario,
    ScenarioClose,
    ScenariosOutcome,
    apply_scenario,
    group_scenarios,
    scale_demand,
)
from partnerclose.core.validity import in_force
from partnerclose.engines import engine_named
from partnerclose.ledger.location import ledger_exists, ledger_location, open_ledger
from partnerclose.ledger.state_codec import (
    NewPaidDeals,
    load_close_state,
    revenue_changes,
    state_values,
)
from partnerclose.ledger.state_files import PAID_DEALS_FILE, write_paid_deals
from partnerclose.ledger.store import (
    Ledger,
    LedgerDamagedError,
    LedgerRefusedError,
    PendingSwap,
    RunFile,
    RunInfo,
    RunRecord,
    StoredState,
    current_user,
    now,
)
from partnerclose.output_folder import (
    OutputRefusedError,
    Swap,
    carry_superseded,
    check_not_an_input,
    check_replaceable,
    clean_leftovers,
    finish_swap,
    folder_locked,
    folder_locked_if_free,
    protected_paths,
    remove_backup,
    superseded_folder,
    sync_tree,
    write_marker,
)
from partnerclose.reading.grid import WorkbookGrids
from partnerclose.reading.inputs import (
    Inputs,
    read_inputs,
    read_inputs_from_grids,
    validate_inputs,
)
from partnerclose.reading.parquet_values import ParquetUnavailableError
from partnerclose.restatement import Replay, RestatedPeriod, replay, restated_amounts
from partnerclose.statements.writers import (
    write_close_pack,
    write_statements,
    write_statements_without_pdf,
)
from partnerclose.writing.csv_files import exceptions_csv, journal_csv, lines_csv
from partnerclose.writing.grid_workbook import grids_workbook
from partnerclose.writing.parquet_files import WrittenFile, write_lines_parquet
from partnerclose.writing.payments import (
    PAYMENTS_FILE,
    SEPA_FILE,
    can_write_sepa,
    payments_csv,
    sepa_credit_transfer,
)
from partnerclose.writing.scenarios_workbook import write_scenarios_workbook


@dataclass(frozen=True, slots=True)
class ProgressEvent:
    stage: Stage
    done: int
    total: int
    partner: str = ""


Progress = Callable[[ProgressEvent], None]


class Status(StrEnum):
    CLOSED = "closed"
    INVALID = "invalid"
    REFUSED = "refused"
    CANCELLED = "cancelled"
    FAILED = "failed"


EXIT_CODES = {
    Status.CLOSED: 0,
    Status.FAILED: 1,
    Status.CANCELLED: 1,
    Status.INVALID: 2,
    Status.REFUSED: 3,
}


class CancelledError(Exception):
    """The user cancelled; nothing was written."""


class OutputsNotInPlaceError(Exception):
    """The run is recorded, but its output folder could not be swapped in yet."""


# A writer puts its files into the (temporary) output folder. One that leaves work
# running (statements in forked workers) returns what waits for it: the pipeline
# runs the other writers meanwhile, so the parent's writing overlaps the workers'.
Writer = Callable[[CloseContext, Path], Callable[[], None] | None]


@dataclass(frozen=True, slots=True)
class CloseOutcome:
    status: Status
    message: str
    problems: tuple[Problem, ...] = ()
    inputs: Inputs | None = None
    result: CloseResult | None = None
    output: Path | None = None
    ledger: Path | str | None = None  # a file, or a server's URL (ledger/location.py)
    run_id: int | None = None
    timings: dict[str, float] = field(default_factory=dict)
    # participant -> component -> Σ lines of the previous period's final close
    last_period: Mapping[str, Mapping[Component, Decimal]] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.status]


@dataclass(frozen=True, slots=True)
class KeptFiles:
    """The input workbooks a run keeps (rules.md P0): (path, role, SHA-256) each, and the
    bytes held in memory (the add-in's values workbook); files on disk are read again
    when the run is recorded, and kept only if they still have the hash the close read."""

    entries: tuple[tuple[str, str, str], ...]
    contents: Mapping[str, bytes] = field(default_factory=dict)  # sha256 -> bytes

    def read(self, path: str, sha256: str) -> bytes:
        """The bytes to keep for one entry."""
        if sha256 in self.contents:
            return self.contents[sha256]
        try:
            return Path(path).read_bytes()
        except OSError as exc:
            raise LedgerRefusedError(
                f"cannot keep {Path(path).name} with the run ({exc.strerror or exc}); nothing "
                "was recorded: close again"
            ) from exc


def kept_files(inputs: Inputs, program_path: Path, grids: WorkbookGrids | None) -> KeptFiles:
    """What a run keeps: the files it read; from an open workbook (`grids`), a workbook
    of the values it read (role `program`) and the workbook as saved (`program-saved`)."""
    entries = [(str(f.path), f.role, f.sha256) for f in inputs.files]
    if grids is None:
        return KeptFiles(tuple(entries))
    values = grids_workbook(grids)
    digest = hashlib.sha256(values).hexdigest()
    program = [(str(program_path), "program", digest)]
    try:
        saved = hashlib.sha256(program_path.read_bytes()).hexdigest()
        program.append((str(program_path), "program-saved", saved))
    except OSError:
        pass  # a new workbook never saved: only its values are kept
    return KeptFiles((*program, *entries), {digest: values})


@dataclass(frozen=True, slots=True)
class Revision:
    """A close of a period that was closed final before (reopened): the statements'
    version, what the version it replaces said, and what changed since (P0)."""

    version: int = 1
    replaced_run: int | None = None
    replaced_nets: Mapping[str, Decimal] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()


def revision_of(
    ledger: Ledger,
    period: Period,
    kept: KeptFiles,
    result: CloseResult,
    program_file: str,
    decimals: int,
) -> Revision:
    """Version 1 for a period never closed final; after a reopen, version n + 1, with a
    warning for each input file that differs from the reopened run and each partner
    whose net changes (rules.md P0, outputs.md "Number and version")."""
    finals = ledger.final_runs(period)
    if not finals:
        return Revision()
    replaced = finals[-1]
    before = {(Path(k.path).name, k.role): k.sha256 for k in ledger.run_inputs(replaced.run_id)}
    now_ = {(Path(path).name, role): sha for path, role, sha in kept.entries}
    against = f"the reopened final close of {period} (run {replaced.run_id})"
    problems = []
    for name, role in sorted(before.keys() | now_.keys()):
        if (name, role) not in before:
            change = "added since"
        elif (name, role) not in now_:
            change = "removed since"
        elif before[name, role] != now_[name, role]:
            change = "changed since"
        else:
            continue
        label = {"program-saved": "the workbook as saved", "source": "the source file"}.get(
            role, f"the {role} workbook"
        )
        message = f"{label} {name} was {change} {against}"
        problems.append(Problem(Severity.WARNING, message, name))
    nets: dict[str, Decimal] = {}
    for line in ledger.lines(replaced.run_id):
        nets[line.partner_id] = nets.get(line.partner_id, Decimal(0)) + line.amount
    partners = sorted((set(nets) | set(result.participants)) - {HOST})
    for partner in partners:
        old, new = nets.get(partner, Decimal(0)), result.net(partner)
        if old != new:
            problems.append(
                Problem(
                    Severity.WARNING,
                    f"{partner}'s net changes from {_money(old, decimals)} to "
                    f"{_money(new, decimals)} ({_money(new - old, decimals, sign=True)}) "
                    f"against {against}",
                    program_file,
                )
            )
    replaced_nets = {p: nets.get(p, Decimal(0)) for p in partners}
    return Revision(len(finals) + 1, replaced.run_id, replaced_nets, tuple(problems))


def _money(amount: Decimal, decimals: int, *, sign: bool = False) -> str:
    return f"{round_money(amount, decimals):{'+' if sign else ''},.{decimals}f}"


@dataclass(frozen=True, slots=True)
class FinalVersion:
    """A final close of a period as `history` lists it: its statements' version and
    where its files are (moved to `superseded/<version>` when a later close of the
    period wrote the same output folder)."""

    run: RunInfo
    version: int
    files: str


def final_versions(runs: Sequence[RunInfo]) -> list[FinalVersion]:
    """Every final close in the ledger's history (`Ledger.history()`), in order."""
    found = []
    versions: dict[str, int] = {}
    for index, run in enumerate(runs):
        if run.kind != "final":
            continue
        version = versions[run.period] = versions.get(run.period, 0) + 1
        later = any(r.period == run.period and r.output == run.output for r in runs[index + 1 :])
        files = str(superseded_folder(Path(run.output), version)) if later else run.output
        found.append(FinalVersion(run, version, files))
    return found


def default_output(program_path: Path, period: Period) -> Path:
    return program_path.parent / f"close-{period}"


def write_csvs(context: CloseContext, folder: Path) -> None:
    decimals = context.program.settings.decimals
    result = context.result
    currency = context.program.settings.currency
    if context.lines_format != PARQUET:  # parquet: lines/ (write_parquet_outputs)
        (folder / "lines.csv").write_bytes(
            lines_csv(result.lines, decimals, result.settlement, currency)
        )
    (folder / "journal.csv").write_bytes(journal_csv(context.journal, decimals))
    (folder / "exceptions.csv").write_bytes(exceptions_csv(context.problems))


PARQUET = "parquet"
LINES_FORMATS = ("csv", PARQUET)


def write_parquet_outputs(
    context: CloseContext, new_deals: NewPaidDeals, folder: Path
) -> list[WrittenFile]:
    """`lines_format` parquet: the lines as partitioned Parquet under `folder`/lines/ and
    the newly paid deals in `folder`/paid_deals.parquet, each file with its SHA-256."""
    settings, result = context.program.settings, context.result
    written = write_lines_parquet(
        result.lines,
        settings.decimals,
        result.settlement,
        settings.currency,
        folder,
        len(result.participants),
    )
    sha256, rows = write_paid_deals(new_deals.deals(), folder / PAID_DEALS_FILE)
    return [*written, WrittenFile("paid_deals", PAID_DEALS_FILE, sha256, rows)]


def write_payments(context: CloseContext, folder: Path) -> None:
    """A final close's payments.csv and, for EUR payables, its SEPA file (payments.py)."""
    if not context.final:
        return
    result, settings = context.result, context.program.settings
    rows = payment_rows(
        context.program.partners,
        context.period,
        {pid: result.settlement_net(pid) for pid in result.participants if pid != HOST},
        result.settlement,
        settings.payment_terms_days,
        settings.currency,
        settings.decimals,
        context.statement_version,
    )
    sepa = (
        sepa_credit_transfer(rows, settings, datetime.now().astimezone().date())
        if can_write_sepa(settings)
        else None
    )
    (folder / PAYMENTS_FILE).write_bytes(payments_csv(rows, sepa is not None))
    if sepa is not None:
        (folder / SEPA_FILE).write_bytes(sepa)


DEFAULT_WRITERS: tuple[Writer, ...] = (
    write_statements,
    write_csvs,
    write_close_pack,
    write_payments,
)
# `close --no-pdf`: the statements as workbooks only.
NO_PDF_WRITERS: tuple[Writer, ...] = (
    write_statements_without_pdf,
    write_csvs,
    write_close_pack,
    write_payments,
)


def run_close(
    program_path: Path,
    period: Period,
    *,
    final: bool = False,
    out: Path | None = None,
    ledger_path: Path | str | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    grids: WorkbookGrids | None = None,
    writers: Sequence[Writer] = DEFAULT_WRITERS,
    partner_folder: Path | None = None,
    allow_empty: bool = False,
    restate: Sequence[Period] = (),
    corrections: Path | None = None,
    engine: Engine | None = None,
    lines_format: str | None = None,
) -> CloseOutcome:
    """Close `period`; with `grids`, the program comes from them (an open workbook).

    `lines_format`: "csv" or "parquet" (docs/sources.md, "Outputs at scale"); None: the
    program's `lines_format` key.

    `allow_empty`: close even when no partner workbook of the period arrived.
    `restate`: final periods before `period` restated with the corrected workbooks of
    `corrections` (rules.md P3): replayed from their kept inputs, the differences
    settled in `period` as `prior_period_adjustment` lines; a final close records the
    restated versions with it, a draft records none of them. `engine` runs the row-level
    revenue rules (None: the Program sheet's `engine`, by default the Decimal core)."""
    # The stages in order, each exit a refusal or an outcome: long because a close has
    # that many steps, each a call; their values pass between them in one place here.
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    out = out or default_output(program_path, period)
    ledger_path = ledger_location(program_path, ledger_path)

    def report(stage: Stage, done: int, total: int, partner: str = "") -> None:
        if cancelled is not None and cancelled():
            raise CancelledError
        if progress is not None:
            progress(ProgressEvent(stage, done, total, partner))

    def lap(stage: Stage) -> None:
        nonlocal clock
        timings[stage.value] = time.perf_counter() - clock
        clock = time.perf_counter()

    try:
        check_not_an_input(out, protected_paths(program_path, partner_folder, ledger_path))
        inputs = _read_and_validate(
            program_path, period, grids, partner_folder, allow_empty, report, lap
        )
        if not inputs.ok or inputs.program is None:
            return CloseOutcome(
                Status.INVALID,
                f"{_count_errors(inputs.problems)}; nothing was computed or written",
                inputs.problems,
                inputs,
                timings=timings,
            )
        program = inputs.program
        check_not_an_input(out, protected_paths(program_path, inputs.partner_folder, ledger_path))
        check_replaceable(out, program_path, str(period))  # and again once it is locked
        with open_ledger(ledger_path, program_path) as ledger:
            recover_outputs(ledger)  # what killed closes left half done
            ledger.check_close(period, final)
            start = _start(ledger, program, period, restate, corrections)
            stored, carried, replayed = start.stored, start.carried, start.replayed
            if replayed is not None and not replayed.ok:
                return CloseOutcome(
                    Status.INVALID,
                    f"{_count_errors(replayed.problems)} of the restated periods "
                    f"({', '.join(str(q) for q in replayed.restated)}); nothing was computed "
                    "or written",
                    tuple(sorted(replayed.problems, key=sort_key)),
                    inputs,
                    timings=timings,
                )
            prior, opening_problems = start.prior, start.problems
            lap(Stage.VALIDATE)
            report(Stage.COMPUTE, 0, 1)
            result, journal, problems = _compute(
                program,
                period,
                inputs,
                prior,
                replayed.adjustments if replayed is not None else (),
                opening_problems,
                engine_named(engine or program.settings.engine),
            )
            lap(Stage.COMPUTE)
            if has_errors(result.problems):
                return CloseOutcome(
                    Status.INVALID,
                    f"{_count_errors(problems)}; nothing was written",
                    problems,
                    inputs,
                    result,
                    timings=timings,
                )
            kept = kept_files(inputs, program_path, grids)
            if replayed is not None:  # P3: the corrected files, so the approval covers them
                kept = replace(kept, entries=(*kept.entries, *replayed.corrections))
            revision = revision_of(
                ledger,
                period,
                kept,
                result,
                _program_file(inputs) or program_path.name,
                program.settings.decimals,
            )
            history = _history(ledger, program, period)
            problems = tuple(
                sorted((*problems, *revision.problems, *history.problems), key=sort_key)
            )
            context = CloseContext(
                program,
                period,
                final,
                inputs,
                result,
                history.ytd_before,
                tuple(journal),
                problems,
                now(),
                report,
                current_user(),
                revision.version,
                revision.replaced_nets,
                last_period=history.last_period,
                approved_by=history.approved_by,
                approved_at=history.approved_at,
                prior=prior,
                ytd_before_settled=history.ytd_before_settled,
                last_period_settled=history.last_period_settled,
                restated_amounts=(
                    restated_amounts(replayed.periods) if replayed is not None else {}
                ),
                lines_format=lines_format or program.settings.lines_format,
            )
            versions = {run.run_id: v for v, run in enumerate(ledger.final_runs(period), 1)}
            run_id = _write_and_record(
                context,
                carried,
                stored.runs,
                ledger,
                program_path,
                out,
                writers,
                lap,
                kept,
                versions,
                replayed.periods if replayed is not None and final else (),
            )
        kind = "final" if final else "draft"
        return CloseOutcome(
            Status.CLOSED,
            f"closed {period} ({kind}); outputs in {out}",
            problems,
            inputs,
            result,
            out,
            ledger_path,
            run_id,
            timings,
            context.last_period,
        )
    except CancelledError:
        return CloseOutcome(Status.CANCELLED, "cancelled; nothing was written", timings=timings)
    except (LedgerRefusedError, OutputRefusedError, ParquetUnavailableError) as exc:
        return CloseOutcome(Status.REFUSED, str(exc), ledger=ledger_path, timings=timings)
    except OutputsNotInPlaceError as exc:
        return CloseOutcome(Status.FAILED, str(exc), ledger=ledger_path, timings=timings)


@dataclass(frozen=True, slots=True)
class _Start:
    """Where a close starts from: the ledger's state before the period, the state
    carried into it (restated by P3 when asked), the replay, and the state the engines
    start from with the opening balances (O1), with their problems."""

    stored: StoredState
    carried: CloseState
    replayed: Replay | None
    prior: CloseState
    problems: list[Problem]


def _start(
    ledger: Ledger,
    program: Program,
    period: Period,
    restate: Sequence[Period],
    corrections: Path | None,
) -> _Start:
    """The state a close of `period` starts from (see `_Start`)."""
    with collector_paused():  # a year of paid deals, kept for the close
        stored = ledger.load_state(period)
        carried = _carried_state(ledger, stored)
    replayed = _replay(ledger, period, restate, corrections, program.settings.decimals)
    if replayed is not None and not replayed.ok:
        return _Start(stored, carried, replayed, carried, [])  # refused: nothing to start
    if replayed is not None and replayed.state is not None:
        carried = replayed.state  # P3: the close starts from the restated state
    # O1: the opening balances stand in for a final close before the first one
    prior, problems = starting_state(program, period, carried, _final_before(ledger, period))
    problems += final_period_problems(program, period, ledger.final_periods())
    return _Start(stored, carried, replayed, prior, problems)


def _read_and_validate(
    program_path: Path,
    period: Period,
    grids: WorkbookGrids | None,
    partner_folder: Path | None,
    allow_empty: bool,
    report: Callable[[Stage, int, int], None],
    lap: Callable[[Stage], None],
) -> Inputs:
    """The read and validate stages: the period's inputs, from files or an open workbook."""
    report(Stage.READ, 0, 1)

    def read_progress(done: int, total: int) -> None:
        report(Stage.READ, done, total)

    with collector_paused():  # millions of lasting records: see collector.py
        if grids is None:
            raw = read_inputs(
                program_path, period, progress=read_progress, partner_folder=partner_folder
            )
        else:
            raw = read_inputs_from_grids(
                grids,
                program_path.parent,
                period,
                progress=read_progress,
                partner_folder=partner_folder,
            )
    lap(Stage.READ)
    report(Stage.VALIDATE, 0, 1)
    with collector_paused():
        return validate_inputs(raw, allow_empty=allow_empty)


def _compute(
    program: Program,
    period: Period,
    inputs: Inputs,
    prior: CloseState,
    adjustments: Sequence[Line],
    opening_problems: Sequence[Problem],
    engine: RowEngine | None = None,
) -> tuple[CloseResult, list[JournalRow], tuple[Problem, ...]]:
    """The compute stage: the close, its journal, and every problem so far, sorted."""
    with collector_paused():
        result = compute_close(program, period, inputs.data, prior, adjustments, engine)
    journal, journal_problems = build_journal(
        str(period),
        period.last_day.isoformat(),
        result.lines,
        program.accounts,
        _program_file(inputs),
        result.settlement,
    )
    problems = (*inputs.problems, *opening_problems, *result.problems, *journal_problems)
    return result, journal, tuple(sorted(problems, key=sort_key))


Totals = Mapping[str, Mapping[Component, Decimal]]  # participant -> component -> Σ lines


@dataclass(frozen=True, slots=True)
class _History:
    """What the ledger knows of the partners' year before a close: year to date and last
    period (in the program currency, and in each foreign partner's currency, X2), the
    draft's approval for the close pack's sign-off, and the rates it missed."""

    ytd_before: Totals
    last_period: Totals
    ytd_before_settled: Totals
    last_period_settled: Totals
    approved_by: str
    approved_at: str
    problems: list[Problem]


def _history(ledger: Ledger, program: Program, period: Period) -> _History:
    """The `_History` of a close of `period`."""
    fiscal_start = period.fiscal_year_start(program.settings.fiscal_year_start)
    earlier = ledger.final_line_amounts(fiscal_start, period, foreign_settlers(program))
    ytd_settled, rate_gaps = settled_totals(program, period, earlier)
    last_month = str(period.shift(-1))
    last_settled, _ = settled_totals(program, period, (r for r in earlier if r[0] == last_month))
    decision = ledger.approval(period).decision
    approved = decision if decision is not None and decision.approved else None
    return _History(
        ledger.totals_between(fiscal_start, period),
        ledger.totals_between(period.shift(-1), period),
        ytd_settled,
        last_settled,
        approved.user if approved else "",
        approved.at if approved else "",
        rate_gaps,
    )


def _replay(
    ledger: Ledger,
    period: Period,
    restate: Sequence[Period],
    corrections: Path | None,
    decimals: int,
) -> Replay | None:
    """P3's replay before the close of `period`; None without --restate."""
    if not restate:
        return None
    if corrections is None:
        raise LedgerRefusedError(
            "--restate needs --corrections DIR, the folder of the corrected workbooks"
        )
    with collector_paused():
        return replay(ledger, period, restate, corrections, decimals)


def restated_record(
    restated: RestatedPeriod, started_at: str, output: Path
) -> tuple[int, RunRecord]:
    """The new version of a restated final close, and the run it replaces."""
    next_state = restated.result.next_state
    new_deals, payments, reversals = revenue_changes(restated.prior.revenue, next_state.revenue)
    kept = KeptFiles(restated.inputs, restated.contents)
    return restated.replaced.run_id, RunRecord(
        period=restated.period,
        final=True,
        started_at=started_at,
        program=restated.replaced.program,
        output=str(output.absolute()),  # restated with the close whose outputs show it
        inputs=restated.inputs,
        lines=restated.result.lines,
        values={
            **state_values(next_state),
            **rates_used(restated.program, restated.period),
        },
        new_paid_deals=new_deals,
        deal_payments=payments,
        reversals=reversals,
        read_input=kept.read,
    )


def _final_before(ledger: Ledger, period: Period) -> str | None:
    """The last final close before `period` (None: this is the program's first)."""
    before = [p for p in ledger.final_periods() if p < str(period)]
    return before[-1] if before else None


def _carried_state(ledger: Ledger, stored: StoredState) -> CloseState:
    try:
        return load_close_state(stored)
    except (ValueError, ArithmeticError, KeyError) as exc:  # a value that is no number, …
        raise LedgerDamagedError(
            f"the ledger {ledger.path} cannot be read (its carried state holds a value that "
            f"is not what a close writes: {exc}); restore it from a backup"
        ) from exc


def _program_file(inputs: Inputs) -> str:
    programs = [f.path.name for f in inputs.files if f.role == "program"]
    return programs[0] if programs else ""


def _count_errors(problems: Sequence[Problem]) -> str:
    errors = sum(p.severity is Severity.ERROR for p in problems)
    return f"{errors} error{'s' if errors != 1 else ''} in the input"


def _write_and_record(
    context: CloseContext,
    prior: CloseState,  # the ledger's state before the close (opening deals are new)
    based_on: tuple[int, ...],  # the final runs that state came from
    ledger: Ledger,
    program_path: Path,
    out: Path,
    writers: Sequence[Writer],
    lap: Callable[[Stage], None],
    kept: KeptFiles,
    versions: Mapping[int, int],  # run id -> version of the period's earlier final closes
    restated: Sequence[RestatedPeriod] = (),  # P3: recorded as new versions, first
) -> int:
    """Write the outputs beside `out`, commit the run with the swap it owes, swap.

    The output folder's lock is held throughout: what a dead close of the same folder
    left is finished (a committed swap) or removed (an unrecorded folder) first. The
    outputs of an earlier final close of the period in `out` are carried into the new
    folder under `superseded/<version>/`, with those it superseded before.
    """
    swap = Swap.beside(out)
    period, kind = str(context.period), "final" if context.final else "draft"
    with folder_locked(swap.out, ledger.timeout):
        _recover_folder(ledger, swap.out)
        check_replaceable(swap.out, program_path, period)
        swap.partial.mkdir()
        try:
            carry_superseded(swap.out, swap.partial, versions)
            write_marker(swap.partial, program_path, period, kind, None)  # a known leftover
            with ExitStack() as running:  # waits for every writer, even when one fails
                for writer in writers:
                    finish = writer(context, swap.partial)
                    if finish is not None:
                        running.callback(finish)
                with collector_paused():  # a million deals' records: see collector.py
                    changes = revenue_changes(prior.revenue, context.result.next_state.revenue)
                    written = (
                        write_parquet_outputs(context, changes[0], swap.partial)
                        if context.lines_format == PARQUET
                        else []
                    )
                checkpoint("writing")
            lap(Stage.WRITE)
            context.progress(Stage.RECORD, 0, 1, "")
            files = [
                RunFile(f.kind, str(out.absolute() / f.path), f.sha256, f.rows) for f in written
            ]
            with collector_paused():  # a million rows built for SQLite: see collector.py
                record = _run_record(context, changes, based_on, program_path, out, kept, files)
                checkpoint("written")
                restatements = [restated_record(one, context.started_at, out) for one in restated]
                with ledger.transaction() as db:
                    if restatements:
                        if tuple(ledger.state_runs(context.period)) != based_on:
                            raise LedgerRefusedError(
                                f"the ledger changed while {period} was being closed; run "
                                "the close again"
                            )
                        periods = ", ".join(str(one.period) for one in restated)
                        new_ids = ledger.record_restatement(
                            db, restatements, f"restated with the close of {period} ({periods})"
                        )
                        record = replace(
                            record, based_on=tuple(new_ids.get(r, r) for r in based_on)
                        )
                    run_id = ledger.record_run(db, record)
                    write_marker(swap.partial, program_path, period, kind, run_id)
                    sync_tree(swap.partial)  # durable before the run that names it
                    check_replaceable(swap.out, program_path, period)  # still, once locked
                    pending = PendingSwap(
                        run_id, str(swap.out), str(swap.partial), str(swap.backup)
                    )
                    ledger.add_pending_swap(db, pending)
                    checkpoint("recorded")
        except BaseException:
            shutil.rmtree(swap.partial, ignore_errors=True)
            raise
        checkpoint("committed")
        _swap_in(ledger, run_id, swap)
    lap(Stage.RECORD)
    return run_id


def _run_record(
    context: CloseContext,
    changes: tuple[NewPaidDeals, dict[str, Decimal], dict[str, Decimal]],
    based_on: tuple[int, ...],
    program_path: Path,
    out: Path,
    kept: KeptFiles,
    files: Sequence[RunFile] = (),
) -> RunRecord:
    """What the ledger records of the close; the paid deals of a `paid_deals` file are in
    that file, not packed into the ledger."""
    new_deals, payments, reversals = changes
    in_file = any(f.kind == "paid_deals" for f in files)
    return RunRecord(
        period=context.period,
        final=context.final,
        started_at=context.started_at,
        program=str(program_path),
        output=str(out.absolute()),
        inputs=kept.entries,
        lines=context.result.lines,
        values={
            **state_values(context.result.next_state),
            **rates_used(context.program, context.period),  # X3: the rates of the run
        },
        new_paid_deals=() if in_file else new_deals,
        deal_payments=payments,
        reversals=reversals,
        based_on=based_on,
        approval_required=context.program.settings.approval_required,
        read_input=kept.read,
        files=files,
    )


def _swap_in(ledger: Ledger, run_id: int, swap: Swap) -> None:
    """The committed run's folder into place; then the swap is no longer owed."""
    try:
        finish_swap(swap)
    except OSError as exc:
        raise OutputsNotInPlaceError(
            f"run {run_id} is recorded, but its outputs could not be moved into {swap.out} "
            f"({exc.strerror or exc}); they wait in {swap.partial.name}, and the next close "
            "moves them into place"
        ) from exc
    ledger.swap_done(run_id)
    checkpoint("swapped")
    remove_backup(swap)


def _recover_folder(ledger: Ledger, out: Path) -> None:
    """With `out`'s lock held: finish its committed swaps, remove other leftovers."""
    for pending in ledger.pending_swaps(str(out)):
        _swap_in(ledger, pending.run_id, _swap_of(pending))
    clean_leftovers(out, ())


def recover_outputs(ledger: Ledger) -> None:
    """Finish what killed closes left: the folder swaps of runs they committed, and
    the folders they left unrecorded beside any output folder the ledger knows.

    A folder whose lock is held belongs to a close still running, which finishes
    its own work; one that cannot be swapped now is left for the next close.
    """
    outputs = {Path(p.output) for p in ledger.pending_swaps()}
    outputs.update(Path(o) for o in ledger.output_folders() if Path(o).is_absolute())
    for out in sorted(outputs):
        with folder_locked_if_free(out) as free:
            if free:
                with suppress(OutputsNotInPlaceError, OSError):
                    _recover_folder(ledger, out)


def _swap_of(pending: PendingSwap) -> Swap:
    return Swap(Path(pending.output), Path(pending.partial), Path(pending.backup))


@dataclass(frozen=True, slots=True)
class ScenarioOutcome:
    """A what-if beside the actual close; computed in memory, never recorded."""

    actual: CloseResult
    scenario: CloseResult
    usage_factor: Decimal
    deal_factor: Decimal


def _prior_state(inputs: Inputs, ledger_path: Path | str | None) -> CloseState:
    """The state a close of `inputs.period` starts from; the ledger is only read.

    From the ledger's final closes when the file exists, else the first-close state.
    """
    assert inputs.program is not None
    prior = CloseState()
    final_before = None
    program_file = Path(_program_file(inputs))  # names the program's ledger on a server
    if ledger_path is not None and ledger_exists(ledger_path, program_file):
        with open_ledger(ledger_path, program_file) as ledger:
            prior = load_close_state(ledger.load_state(inputs.period))
            final_before = _final_before(ledger, inputs.period)
    prior, _ = starting_state(inputs.program, inputs.period, prior, final_before)
    return prior


def run_scenario(
    inputs: Inputs,
    usage_factor: Decimal,
    deal_factor: Decimal,
    ledger_path: Path | str | None = None,
) -> ScenarioOutcome | None:
    """Recompute `inputs` with demand multipliers; the ledger is only read.

    None when the inputs are not valid. The previous state comes from the
    ledger's final closes when the file exists, else the first-close state.
    """
    if not inputs.ok or inputs.program is None:
        return None
    prior = _prior_state(inputs, ledger_path)
    program, period = inputs.program, inputs.period
    with collector_paused():
        actual = compute_close(program, period, inputs.data, prior)
        scaled = scale_demand(inputs.data, usage_factor, deal_factor, program.settings.decimals)
        scenario = compute_close(program, period, scaled, prior)
    return ScenarioOutcome(actual, scenario, usage_factor, deal_factor)


class UnknownScenarioError(ValueError):
    """A scenario asked for by name that the Scenarios sheet does not hold."""


def run_scenarios(
    inputs: Inputs,
    names: Sequence[str] = (),
    ledger_path: Path | str | None = None,
    extra: Sequence[Scenario] = (),
) -> ScenariosOutcome | None:
    """The actual close and each scenario of the Scenarios sheet (those in `names`,
    or all), plus `extra` ones (a front end's edited table); the ledger is only read.

    Every scenario starts from the same state and the same workbook rows, with its
    own changes applied on new records: the results do not depend on the order or
    the company of other scenarios. None when the inputs are not valid; an unknown
    name raises UnknownScenarioError.
    """
    if not inputs.ok or inputs.program is None:
        return None
    chosen = chosen_scenarios(inputs, names) + list(extra)
    prior = _prior_state(inputs, ledger_path)
    with collector_paused():
        actual = compute_close(inputs.program, inputs.period, inputs.data, prior)
    return scenarios_beside(inputs, actual, prior, chosen)


def chosen_scenarios(inputs: Inputs, names: Sequence[str] = ()) -> list[Scenario]:
    """The Scenarios sheet's scenarios named (all when none is), in the order asked."""
    listed = group_scenarios(inputs.scenarios)
    by_name = {scenario.name: scenario for scenario in listed}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        hint = did_you_mean(unknown[0], by_name)
        known = ", ".join(by_name) or "none"
        raise UnknownScenarioError(
            f'no scenario "{unknown[0]}" in the Scenarios sheet{hint} (scenarios: {known})'
        )
    return [by_name[name] for name in dict.fromkeys(names)] if names else list(listed)


def scenarios_beside(
    inputs: Inputs, actual: CloseResult, prior: CloseState, scenarios: Sequence[Scenario]
) -> ScenariosOutcome:
    """Each scenario computed from `prior` and the workbook's rows, beside `actual`."""
    assert inputs.program is not None
    workbook = inputs.workbook_program or inputs.program
    period = inputs.period
    closes: list[ScenarioClose] = []
    with collector_paused():
        for scenario in scenarios:
            program, data = apply_scenario(workbook, inputs.data, scenario)
            result = compute_close(program, period, data, prior)
            closes.append(ScenarioClose(scenario, result, in_force(program, period)))
    return ScenariosOutcome(period, inputs.program, actual, tuple(closes))


SCENARIOS_FILE = "scenarios.xlsx"


def write_scenarios(context: CloseContext, folder: Path) -> None:
    """`close --with-scenarios`: scenarios.xlsx beside the close pack, every scenario
    of the Scenarios sheet computed from the close's own starting state."""
    prior = context.prior or CloseState()
    chosen = group_scenarios(context.inputs.scenarios)
    outcome = scenarios_beside(context.inputs, context.result, prior, chosen)
    write_scenarios_workbook(outcome, folder / SCENARIOS_FILE)
