"""All inputs of a close: the program workbook and the period's partner workbooks.

The program may come from a file or, in Excel, from the grids of the open
workbook; partner workbooks always come from the partner folder on disk.
Whatever goes wrong, the result is a value with problems, never an exception.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import NamedTuple

from partnerclose.checkpoints import checkpoint
from partnerclose.core import schema
from partnerclose.core.currency import check_currencies
from partnerclose.core.period import Period
from partnerclose.core.problems import Problem, Severity, cap_per_file, has_errors
from partnerclose.core.records import PeriodData, Program
from partnerclose.core.scenario import ScenarioChange
from partnerclose.core.submissions import empty_period_problem
from partnerclose.core.validation import CheckedRows, RowContext, check_rows, validate
from partnerclose.core.validity import in_force
from partnerclose.processes import start_workers, submit_ahead, worker_count, worker_state
from partnerclose.reading.build import read_partner_workbook, read_program, read_program_data
from partnerclose.reading.fx import currency_codes
from partnerclose.reading.grid import WorkbookGrids
from partnerclose.reading.scenarios import read_scenarios
from partnerclose.reading.sheets import (
    PLANNED_SHEETS,
    PROGRAM_INPUT_SHEETS,
    partner_sheet_problems,
    program_sheet_problems,
)
from partnerclose.reading.sources import read_sources, with_sources
from partnerclose.reading.xlsx import DEFAULT_LIMITS, Limits, load_workbook

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
PROGRAM_SHEET_NAMES = (*PROGRAM_INPUT_SHEETS, *PLANNED_SHEETS)  # planned: refused with rows
PARTNER_SHEET_NAMES = tuple(spec.name for spec in schema.PARTNER_SHEETS)

# Called as progress(done, total) while partner workbooks are read.
Progress = Callable[[int, int], None]
CHUNK = 8  # workbooks per task: few round trips, even load across the workers
DEAL_ID = attrgetter("deal_id")


@dataclass(frozen=True, slots=True)
class InputFile:
    path: Path
    sha256: str
    role: str  # "program", "partner" or "source" (a file of the Sources sheet)


@dataclass(frozen=True, slots=True)
class Inputs:
    """Everything read for one period; `program` is None when it is unusable."""

    period: Period
    program: Program | None
    data: PeriodData
    problems: tuple[Problem, ...]
    files: tuple[InputFile, ...]
    partner_folder: Path | None
    # No partner workbook of the period at all while active partners sent no data:
    # the error (or, when allowed, the note) among `problems`, so that a front end
    # can ask before closing the month empty.
    empty_period: Problem | None = None
    # The program workbook's rows of every period (rules.md E1); `program` holds
    # those in force in `period`.
    workbook_program: Program | None = None
    # The Scenarios sheet (docs/scenarios.md): what-ifs beside the close, checked on
    # their own; their problems do not stop a close.
    scenarios: tuple[ScenarioChange, ...] = ()
    scenario_problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return self.program is not None and not has_errors(self.problems)


@dataclass(frozen=True, slots=True)
class RawInputs:
    """What the files say, before cross-record validation."""

    period: Period
    program: Program | None
    program_data: PeriodData
    submissions: tuple[CheckedRows, ...]  # the period's partner workbooks, rows checked
    problems: tuple[Problem, ...]
    files: tuple[InputFile, ...]
    partner_folder: Path | None
    rejected_ids: frozenset[str] = frozenset()
    deal_ids_unique: bool = False  # no two deals of any source share an id
    scenarios: tuple[ScenarioChange, ...] = ()
    scenario_problems: tuple[Problem, ...] = ()


def read_inputs(
    program_path: Path,
    period: Period,
    limits: Limits = DEFAULT_LIMITS,
    progress: Progress | None = None,
    partner_folder: Path | None = None,
) -> RawInputs:
    """Read the program workbook file and the period's partner workbooks."""
    loaded, problems = load_workbook(program_path, PROGRAM_SHEET_NAMES, limits)
    if loaded is None:
        return RawInputs(period, None, PeriodData(), (), tuple(problems), (), None)
    program_file = InputFile(program_path, loaded.sha256, "program")
    return read_inputs_from_grids(
        loaded.grids,
        program_path.parent,
        period,
        limits,
        progress,
        (program_file,),
        partner_folder,
    )


def read_program_file(
    program_path: Path, limits: Limits = DEFAULT_LIMITS
) -> tuple[Program | None, list[Problem]]:
    """The program workbook's own sheets, without the partner folder: for the commands
    that need its partners and settings after a close (`send`, `prepare`)."""
    loaded, problems = load_workbook(program_path, PROGRAM_SHEET_NAMES, limits)
    if loaded is None:
        return None, problems
    program, found = read_program(loaded.grids)
    return program, problems + found


def read_inputs_from_grids(
    grids: WorkbookGrids,
    base_folder: Path,
    period: Period,
    limits: Limits = DEFAULT_LIMITS,
    progress: Progress | None = None,
    files: tuple[InputFile, ...] = (),
    partner_folder: Path | None = None,
) -> RawInputs:
    """Read the program from grids, and its partner workbooks from disk.

    `partner_folder` overrides the program's `partner_folder` setting, which is
    otherwise taken relative to `base_folder` (the program workbook's folder).
    """
    rejected_ids: set[str] = set()
    program, problems = read_program(grids, rejected_ids)
    problems += program_sheet_problems(grids)
    program_data, data_problems = read_program_data(grids)
    problems += data_problems
    scenarios, scenario_problems = read_scenarios(grids, program)
    if program is None:
        return RawInputs(period, None, program_data, (), tuple(problems), files, None)
    # The Sources sheet's files and queries count as the program workbook's own rows.
    sources = read_sources(grids, base_folder, period, limits)
    problems += sources.problems
    program_data = with_sources(program_data, sources.data)
    files += tuple(InputFile(f.path, f.sha256, "source") for f in sources.files)
    folder = partner_folder or base_folder / program.settings.partner_folder
    context = RowContext.of(program, period)
    found = read_partner_folder(folder, context, grids.file, limits, progress)
    problems += found.problems
    found.deal_ids.update(map(DEAL_ID, program_data.deals))
    deals = found.deals + len(program_data.deals)
    return RawInputs(
        period,
        program,
        program_data,
        tuple(found.submissions),
        tuple(problems),
        files + tuple(found.files),
        folder,
        frozenset(rejected_ids),
        len(found.deal_ids) == deals,
        scenarios,
        tuple(scenario_problems),
    )


def validate_inputs(
    raw: RawInputs, limits: Limits = DEFAULT_LIMITS, allow_empty: bool = False
) -> Inputs:
    """Cross-record validation; the merged period data.

    A period without any partner workbook while active partners sent no data is
    an error unless `allow_empty` (then a note)."""
    if raw.program is None:
        return Inputs(raw.period, None, PeriodData(), raw.problems, raw.files, raw.partner_folder)
    # E1: the whole workbook is validated, the close computes on the rows of its period
    program = in_force(raw.program, raw.period)
    validated = validate(
        raw.program,
        raw.period,
        raw.program_data,
        raw.submissions,
        raw.rejected_ids,
        raw.deal_ids_unique,
    )
    currency_problems = check_currencies(
        program, raw.period, validated.data, currency_codes(), raw.rejected_ids
    )
    folder = str(raw.partner_folder or raw.program.settings.partner_folder)
    empty = empty_period_problem(program, raw.period, validated.data, folder, allow_empty)
    return Inputs(
        raw.period,
        program,
        validated.data,
        tuple(
            cap_per_file(
                raw.problems
                + validated.problems
                + tuple(currency_problems)
                + ((empty,) if empty else ()),
                limits.max_problems_per_file,
            )
        ),
        raw.files,
        raw.partner_folder,
        empty,
        raw.program,
        raw.scenarios,
        raw.scenario_problems,
    )


def load_inputs(
    program_path: Path,
    period: Period,
    limits: Limits = DEFAULT_LIMITS,
    progress: Progress | None = None,
    partner_folder: Path | None = None,
    allow_empty: bool = False,
) -> Inputs:
    """Read and validate the program workbook file and its partner folder."""
    raw = read_inputs(program_path, period, limits, progress, partner_folder)
    return validate_inputs(raw, limits, allow_empty=allow_empty)


def load_inputs_from_grids(
    grids: WorkbookGrids,
    base_folder: Path,
    period: Period,
    limits: Limits = DEFAULT_LIMITS,
    progress: Progress | None = None,
    files: tuple[InputFile, ...] = (),
    partner_folder: Path | None = None,
    allow_empty: bool = False,
) -> Inputs:
    """Read (program from grids, partners from disk) and validate."""
    raw = read_inputs_from_grids(
        grids, base_folder, period, limits, progress, files, partner_folder
    )
    return validate_inputs(raw, limits, allow_empty=allow_empty)


def partner_workbook_paths(folder: Path) -> list[Path]:
    """Workbooks in the folder, in name order; lock files and other files skipped."""
    return sorted(
        path
        for path in folder.iterdir()
        if path.is_file()
        and path.suffix.lower() in WORKBOOK_SUFFIXES
        and not path.name.startswith("~$")
    )


def text_named(paths: Sequence[Path]) -> tuple[list[Path], list[Path]]:
    """Paths whose names are text, and those whose names are bytes that are not
    (a Windows archive unzipped elsewhere): these cannot be shown, hashed into the
    ledger or opened by name everywhere."""
    named, unnamed = [], []
    for path in paths:
        try:
            path.name.encode("utf-8")
        except UnicodeEncodeError:
            unnamed.append(path)
        else:
            named.append(path)
    return named, unnamed


def _unnamed_file(path: Path) -> Problem:
    shown = repr(os.fsencode(path.name))
    return Problem(
        Severity.WARNING,
        "the file name is not valid text (bytes that are not UTF-8); the workbook is not "
        "read: rename it",
        shown,
    )


@dataclass(slots=True)
class PartnerFolder:
    submissions: list[CheckedRows] = field(default_factory=list)  # in file order
    files: list[InputFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # Every workbook's deal ids, gathered as each arrives (in cache, while the
    # workers read on): when there are as many as deals, none repeats, and
    # validation need not walk a million deals to look for duplicates.
    deal_ids: set[str] = field(default_factory=set)
    deals: int = 0


def read_partner_folder(
    folder: Path,
    context: RowContext,
    program_file: str,
    limits: Limits = DEFAULT_LIMITS,
    progress: Progress | None = None,
) -> PartnerFolder:
    """The period's partner workbooks; others are skipped with an info."""
    found = PartnerFolder()
    if not folder.is_dir():
        message = f"partner folder {folder} not found; no partner workbooks read"
        found.problems.append(Problem(Severity.WARNING, message, program_file))
        return found
    paths, unnamed = text_named(partner_workbook_paths(folder))
    found.problems.extend(map(_unnamed_file, unnamed))
    skipped: Counter[Period] = Counter()
    for done, result in enumerate(read_partner_files(paths, context, limits), 1):
        found.problems.extend(result.problems)
        if result.other_period is not None:
            skipped[result.other_period] += 1
        if result.rows is not None and result.file is not None:
            found.submissions.append(result.rows)
            found.files.append(result.file)
            deals = result.rows.data.deals
            found.deal_ids.update(map(DEAL_ID, deals))
            found.deals += len(deals)
        if progress:
            progress(done, len(paths))
    if skipped:
        found.problems.append(other_periods_skipped(skipped, context.period, program_file))
    return found


def other_periods_skipped(skipped: Counter[Period], period: Period, program_file: str) -> Problem:
    """One note for the folder's workbooks of other months, however many there are."""
    total = sum(skipped.values())
    by_period = ", ".join(f"{p}: {n}" for p, n in sorted(skipped.items()))
    return Problem(
        Severity.INFO,
        f"{total} workbook{'s' if total != 1 else ''} of other periods skipped "
        f"({by_period}; closing {period})",
        program_file,
    )


class FileResult(NamedTuple):
    """One partner workbook: its rows (None when unusable or of another period)."""

    rows: CheckedRows | None
    file: InputFile | None
    problems: Sequence[Problem]
    other_period: Period | None = None  # the period of a workbook skipped for it


def read_partner_files(
    paths: Sequence[Path],
    context: RowContext,
    limits: Limits = DEFAULT_LIMITS,
    workers: int | None = None,
) -> Iterator[FileResult]:
    """Each workbook's result, in the order of `paths`.

    Converting cells is Python work, so a large folder is read by worker
    processes, one per core (threads would share one core); their records come
    back pickled. `workers` None: parallel above PARALLEL_ABOVE workbooks.
    """
    if workers is None:
        workers = worker_count(len(paths), os.cpu_count())
    if workers <= 1:
        for path in paths:
            yield read_partner_file(path, context, limits)
        return
    chunks = ((tuple(paths[i : i + CHUNK]), limits) for i in range(0, len(paths), CHUNK))
    pool = start_workers(workers, context)  # the RowContext: sent once per worker
    try:
        # A few tasks ahead of the workers, collected in order: memory stays bounded
        # by what the close keeps, and progress is reported file by file.
        results = submit_ahead(pool, _read_chunk, chunks, ahead=2 * workers)
        checkpoint("reading")
        for chunk_results in results:
            yield from chunk_results
    finally:  # also when the caller stops early (a cancelled close)
        pool.shutdown(wait=True, cancel_futures=True)


def _read_chunk(paths: tuple[Path, ...], limits: Limits) -> list[FileResult]:
    context = worker_state(RowContext)
    return [read_partner_file(path, context, limits) for path in paths]


def read_partner_file(
    path: Path, context: RowContext, limits: Limits = DEFAULT_LIMITS
) -> FileResult:
    """A workbook read, and its rows checked while they are at hand."""
    loaded, problems = load_workbook(path, PARTNER_SHEET_NAMES, limits)
    if loaded is None:
        return FileResult(None, None, problems)
    submission, data, found = read_partner_workbook(loaded.grids)
    problems += found
    if submission is None:
        return FileResult(None, None, problems + partner_sheet_problems(loaded.grids))
    if submission.period != context.period:
        return FileResult(None, None, (), submission.period)
    problems += partner_sheet_problems(loaded.grids)
    return FileResult(
        check_rows(context, data), InputFile(path, loaded.sha256, "partner"), problems
    )
