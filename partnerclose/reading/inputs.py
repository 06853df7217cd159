"""All inputs of a close: the program workbook and the period's partner workbooks.

The program may come from a file or, in Excel, from the grids of the open
workbook; partner workbooks always come from the partner folder on disk.
Whatever goes wrong, the result is a value with problems, never an exception.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from partnerclose.core import schema
from partnerclose.core.period import Period
from partnerclose.core.problems import Problem, Severity, has_errors
from partnerclose.core.records import PeriodData, Program
from partnerclose.core.validation import validate
from partnerclose.processes import worker_context, worker_count
from partnerclose.reading.build import read_partner_workbook, read_program, read_program_data
from partnerclose.reading.grid import WorkbookGrids
from partnerclose.reading.xlsx import DEFAULT_LIMITS, Limits, load_workbook

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
PROGRAM_SHEET_NAMES = tuple(spec.name for spec in (*schema.PROGRAM_SHEETS, *schema.DATA_SHEETS))
PARTNER_SHEET_NAMES = tuple(spec.name for spec in schema.PARTNER_SHEETS)

# Called as progress(done, total) while partner workbooks are read.
Progress = Callable[[int, int], None]
CHUNK = 8  # workbooks per task: few round trips, even load across the workers


@dataclass(frozen=True, slots=True)
class InputFile:
    path: Path
    sha256: str
    role: str  # "program" or "partner"


@dataclass(frozen=True, slots=True)
class Inputs:
    """Everything read for one period; `program` is None when it is unusable."""

    period: Period
    program: Program | None
    data: PeriodData
    problems: tuple[Problem, ...]
    files: tuple[InputFile, ...]
    partner_folder: Path | None

    @property
    def ok(self) -> bool:
        return self.program is not None and not has_errors(self.problems)


@dataclass(frozen=True, slots=True)
class RawInputs:
    """What the files say, before cross-record validation."""

    period: Period
    program: Program | None
    program_data: PeriodData
    submissions: tuple[PeriodData, ...]
    problems: tuple[Problem, ...]
    files: tuple[InputFile, ...]
    partner_folder: Path | None
    rejected_ids: frozenset[str] = frozenset()


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
    program_data, data_problems = read_program_data(grids)
    problems += data_problems
    if program is None:
        return RawInputs(period, None, program_data, (), tuple(problems), files, None)
    folder = partner_folder or base_folder / program.settings.partner_folder
    submissions, partner_files, partner_problems = read_partner_folder(
        folder, period, grids.file, limits, progress
    )
    problems += partner_problems
    return RawInputs(
        period,
        program,
        program_data,
        tuple(submissions),
        tuple(problems),
        files + tuple(partner_files),
        folder,
        frozenset(rejected_ids),
    )


def validate_inputs(raw: RawInputs) -> Inputs:
    """Cross-record validation; the merged period data."""
    if raw.program is None:
        return Inputs(raw.period, None, PeriodData(), raw.problems, raw.files, raw.partner_folder)
    validated = validate(
        raw.program, raw.period, raw.program_data, raw.submissions, raw.rejected_ids
    )
    return Inputs(
        raw.period,
        raw.program,
        validated.data,
        raw.problems + validated.problems,
        raw.files,
        raw.partner_folder,
    )


def load_inputs(
    program_path: Path,
    period: Period,
    limits: Limits = DEFAULT_LIMITS,
    progress: Progress | None = None,
    partner_folder: Path | None = None,
) -> Inputs:
    """Read and validate the program workbook file and its partner folder."""
    return validate_inputs(read_inputs(program_path, period, limits, progress, partner_folder))


def load_inputs_from_grids(
    grids: WorkbookGrids,
    base_folder: Path,
    period: Period,
    limits: Limits = DEFAULT_LIMITS,
    progress: Progress | None = None,
    files: tuple[InputFile, ...] = (),
    partner_folder: Path | None = None,
) -> Inputs:
    """Read (program from grids, partners from disk) and validate."""
    return validate_inputs(
        read_inputs_from_grids(grids, base_folder, period, limits, progress, files, partner_folder)
    )


def partner_workbook_paths(folder: Path) -> list[Path]:
    """Workbooks in the folder, in name order; lock files and other files skipped."""
    return sorted(
        path
        for path in folder.iterdir()
        if path.is_file()
        and path.suffix.lower() in WORKBOOK_SUFFIXES
        and not path.name.startswith("~$")
    )


def read_partner_folder(
    folder: Path,
    period: Period,
    program_file: str,
    limits: Limits = DEFAULT_LIMITS,
    progress: Progress | None = None,
) -> tuple[list[PeriodData], list[InputFile], list[Problem]]:
    """The period's partner workbooks; others are skipped with an info."""
    if not folder.is_dir():
        return (
            [],
            [],
            [
                Problem(
                    Severity.WARNING,
                    f"partner folder {folder} not found; no partner workbooks read",
                    program_file,
                )
            ],
        )
    paths = partner_workbook_paths(folder)
    found: list[PeriodData] = []
    files: list[InputFile] = []
    problems: list[Problem] = []
    for done, (data, file, file_problems) in enumerate(
        read_partner_files(paths, period, limits), 1
    ):
        problems += file_problems
        if data is not None and file is not None:
            found.append(data)
            files.append(file)
        if progress:
            progress(done, len(paths))
    return found, files, problems


FileResult = tuple[PeriodData | None, InputFile | None, Sequence[Problem]]


def read_partner_files(
    paths: Sequence[Path],
    period: Period,
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
            yield read_partner_file(path, period, limits)
        return
    chunks = (tuple(paths[i : i + CHUNK]) for i in range(0, len(paths), CHUNK))
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=worker_context())
    pending: deque[Future[list[FileResult]]] = deque()
    try:
        # A few tasks ahead of the workers, collected in order: memory stays bounded
        # by what the close keeps, and progress is reported file by file.
        for chunk in islice(chunks, 2 * workers):
            pending.append(pool.submit(_read_chunk, chunk, period, limits))
        while pending:
            results = pending.popleft().result()
            following = next(chunks, None)
            if following is not None:
                pending.append(pool.submit(_read_chunk, following, period, limits))
            yield from results
    finally:  # also when the caller stops early (a cancelled close)
        pool.shutdown(wait=True, cancel_futures=True)


def _read_chunk(paths: tuple[Path, ...], period: Period, limits: Limits) -> list[FileResult]:
    return [read_partner_file(path, period, limits) for path in paths]


def read_partner_file(
    path: Path, period: Period, limits: Limits = DEFAULT_LIMITS
) -> tuple[PeriodData | None, InputFile | None, Sequence[Problem]]:
    loaded, problems = load_workbook(path, PARTNER_SHEET_NAMES, limits)
    if loaded is None:
        return None, None, problems
    submission, data, found = read_partner_workbook(loaded.grids)
    problems += found
    if submission is None:
        return None, None, problems
    if submission.period != period:
        info = submission.loc.info(
            f"workbook for {submission.period} skipped (closing {period})", "period"
        )
        return None, None, [info]
    return data, InputFile(path, loaded.sha256, "partner"), problems
