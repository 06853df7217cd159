"""The statement and close-pack writers of a close (`partnerclose.pipeline.Writer`).

- `write_statements`: `statements/<partner_id>.xlsx` per partner taking part
  (HOST has none), from `templates/statement.xlsx`, through the XML backend
  (`package.py`; the openpyxl backend for a template it cannot fill); in
  parallel worker processes when there are more than `processes.PARALLEL_ABOVE` partners.
  Each statement is also written as `statements/<partner_id>.pdf` (`pdf.py`), from
  the same data, in the same worker (`write_statements_without_pdf`: `--no-pdf`).
- `write_close_pack`: `close_pack.xlsx` from `templates/close_pack.xlsx`, through
  the same backends (the XML one, openpyxl for a template it cannot fill).

Worker processes are *forked* when the process has a single thread (the CLI,
the benchmark): they inherit the close, its index and the parsed template, and
build each statement's data themselves, so nothing but partner ids crosses to
them. A process with threads (the desktop app, Excel) cannot fork safely: its
workers are *spawned*, and the parent builds the statement data and sends it,
a few statements at a time, so that only a bounded number are held at once.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from pathlib import Path

from partnerclose.close_context import CloseContext, Stage
from partnerclose.core.records import HOST
from partnerclose.core.validation import SAFE_ID
from partnerclose.processes import (
    can_fork,
    start_workers,
    submit_ahead,
    worker_count,
    worker_state,
)
from partnerclose.resources import templates_folder
from partnerclose.statements.close_pack_data import close_pack_fill
from partnerclose.statements.data import (
    CloseIndex,
    index_close,
    run_time,
    statement_fill,
)
from partnerclose.statements.package import (
    UnsupportedTemplateError,
    fill_package,
    load_package,
)
from partnerclose.statements.pdf import render_pdf
from partnerclose.statements.values import Fill
from partnerclose.statements.xlsx import fill_workbook, save

TEMPLATES = templates_folder()
STATEMENT_TEMPLATE = TEMPLATES / "statement.xlsx"
CLOSE_PACK_TEMPLATE = TEMPLATES / "close_pack.xlsx"
STATEMENTS_FOLDER = "statements"
CLOSE_PACK_FILE = "close_pack.xlsx"
CHUNK = 4  # statements per task: few round trips, even load across the workers


def write_statements(context: CloseContext, folder: Path) -> Callable[[], None]:
    """Writer: one statement workbook per partner taking part in the period.

    Forked workers are left writing: the close's other writers run meanwhile, and
    the pipeline calls what this returns to wait for the statements.
    """
    return start_statements(context, folder / STATEMENTS_FOLDER)


def write_close_pack(context: CloseContext, folder: Path) -> None:
    """Writer: the close pack (summary, pools, reserve, exceptions, audit)."""
    render_close_pack(context, folder / CLOSE_PACK_FILE)


def statement_partners(context: CloseContext) -> list[str]:
    """Partners taking part in the period, in participant order (HOST has no statement)."""
    return [pid for pid in context.result.participants if pid != HOST]


def write_statements_without_pdf(context: CloseContext, folder: Path) -> Callable[[], None]:
    """Writer: the statement workbooks alone (`--no-pdf`)."""
    return start_statements(context, folder / STATEMENTS_FOLDER, pdf=False)


def logo_path(context: CloseContext) -> Path | None:
    """The Program sheet's `logo`, relative to the program workbook; None without one."""
    name = context.program.settings.logo
    programs = [f.path for f in context.inputs.files if f.role == "program"]
    if not name or not programs:
        return None
    return programs[0].parent / name


@dataclass(frozen=True, slots=True)
class _Job:
    """What writing any statement of a close needs."""

    context: CloseContext
    index: CloseIndex
    template: bytes
    produced: datetime
    folder: Path
    pdf: bool = True
    logo: Path | None = None

    def write(self, pid: str) -> None:
        fill = statement_fill(self.context, pid, self.index)
        render_workbook(self.template, fill, self.produced, self.folder / f"{pid}.xlsx")
        if self.pdf:
            (self.folder / f"{pid}.pdf").write_bytes(render_pdf(fill, self.logo))


def render_statements(
    context: CloseContext,
    folder: Path,
    template: Path = STATEMENT_TEMPLATE,
    *,
    workers: int | None = None,
    fork: bool | None = None,
    pdf: bool = True,
) -> list[Path]:
    """Statements into `folder`; `workers` None: parallel above PARALLEL_ABOVE partners;
    `fork` None: fork the workers when that is safe (see the module's docstring)."""
    start_statements(context, folder, template, workers=workers, fork=fork, pdf=pdf)()
    return [folder / f"{pid}.xlsx" for pid in statement_partners(context)]


def start_statements(
    context: CloseContext,
    folder: Path,
    template: Path = STATEMENT_TEMPLATE,
    *,
    workers: int | None = None,
    fork: bool | None = None,
    pdf: bool = True,
) -> Callable[[], None]:
    """Start writing the statements (as render_statements), each also as PDF unless
    `pdf` is False; call the result to finish.

    Only forked workers go on in the background; otherwise the statements are
    written before this returns, since the parent itself feeds spawned workers.
    """
    partners = statement_partners(context)
    for pid in partners:
        if not SAFE_ID.match(pid):  # validation refuses these; never write outside `folder`
            raise ValueError(f"partner id {pid!r} cannot name a statement file")
    folder.mkdir(parents=True, exist_ok=True)
    job = _Job(
        context,
        index_close(context.result),
        template.read_bytes(),
        run_time(context.started_at),
        folder,
        pdf,
        logo_path(context),
    )
    total = len(partners)
    done = 0

    def report(pids: Sequence[str]) -> None:
        nonlocal done
        for pid in pids:
            done += 1
            context.progress(Stage.WRITE, done, total, pid)

    if workers is None:
        workers = worker_count(total, os.cpu_count())
    if fork is None:
        fork = can_fork()
    if workers > 1 and fork:
        return _start_forked(job, partners, workers, report)
    if workers <= 1:
        for pid in partners:
            job.write(pid)
            report((pid,))
    else:
        _render_spawned(job, partners, workers, report)
    return lambda: None


def render_close_pack(
    context: CloseContext, path: Path, template: Path = CLOSE_PACK_TEMPLATE
) -> Path:
    fill = close_pack_fill(context)
    render_workbook(template.read_bytes(), fill, run_time(context.started_at), path)
    return path


def render_workbook(template: bytes, fill: Fill, produced: datetime, path: Path) -> None:
    """One filled workbook (a statement or the close pack): the XML backend (the template
    parsed once per process), or the openpyxl backend when the template has parts the
    XML backend does not rewrite."""
    try:
        package = load_package(template)
    except UnsupportedTemplateError:
        workbook, _ = fill_workbook(template, fill, produced=produced)
        save(workbook, path, produced)
        return
    data, _ = fill_package(package, fill, produced=produced)
    path.write_bytes(data)


def _chunks(partners: Sequence[str]) -> Iterator[tuple[str, ...]]:
    it = iter(partners)
    while chunk := tuple(islice(it, CHUNK)):
        yield chunk


def _report_all(
    results: Iterator[tuple[str, ...]], report: Callable[[Sequence[str]], None]
) -> None:
    """Report each task's statements as it is collected (a failed one fails the close)."""
    for pids in results:
        report(pids)


# --- forked workers: they inherit the job -------------------------------------------------


def _write_forked(pids: tuple[str, ...]) -> tuple[str, ...]:
    job = worker_state(_Job)
    for pid in pids:
        job.write(pid)
    return pids


def _start_forked(
    job: _Job, partners: Sequence[str], workers: int, report: Callable[[Sequence[str]], None]
) -> Callable[[], None]:
    """Fork the workers and give them every statement; the result waits for them."""
    with suppress(UnsupportedTemplateError):
        load_package(job.template)  # parsed once, here, for every worker
    # The close stays in the parent's memory, shared with the workers page by page
    # until written to: keep the collector from touching (and so copying) it there.
    # It stays frozen in the parent afterwards too (see partnerclose/collector.py).
    gc.freeze()
    pool = start_workers(workers, job, fork=True)  # forked: the job is inherited, not sent
    try:
        chunks = [(chunk,) for chunk in _chunks(partners)]
        results = submit_ahead(pool, _write_forked, chunks, ahead=len(chunks))
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise

    def finish() -> None:
        try:
            _report_all(results, report)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    return finish


# --- spawned workers: the parent sends each statement's data -----------------------------


def _write_spawned(
    jobs: tuple[tuple[str, Fill], ...],
    produced: datetime,
    folder: Path,
    pdf: bool = True,
    logo: Path | None = None,
) -> tuple[str, ...]:
    template = worker_state(bytes)
    for pid, fill in jobs:
        render_workbook(template, fill, produced, folder / f"{pid}.xlsx")
        if pdf:
            (folder / f"{pid}.pdf").write_bytes(render_pdf(fill, logo))
    return tuple(pid for pid, _ in jobs)


def _render_spawned(
    job: _Job, partners: Sequence[str], workers: int, report: Callable[[Sequence[str]], None]
) -> None:
    # `spawn`: a fork of a process with threads (the desktop app, Excel) is unsafe.
    pool = start_workers(workers, job.template, fork=False)  # the template: once per worker
    tasks = (
        (
            tuple((pid, statement_fill(job.context, pid, job.index)) for pid in chunk),
            job.produced,
            job.folder,
            job.pdf,
            job.logo,
        )
        for chunk in _chunks(partners)
    )
    try:
        # A few tasks ahead of the workers: the data of every statement is never held at once.
        _report_all(submit_ahead(pool, _write_spawned, tasks, ahead=2 * workers), report)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
