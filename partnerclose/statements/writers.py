"""The statement and close-pack writers of a close (`partnerclose.pipeline.Writer`).

- `write_statements`: `statements/<partner_id>.xlsx` per partner taking part
  (HOST has none), from `templates/statement.xlsx`; in parallel worker
  processes when there are more than `PARALLEL_ABOVE` partners.
- `write_close_pack`: `close_pack.xlsx` from `templates/close_pack.xlsx`.

The statement data is built here, in the parent (one pass over the close);
the workers only fill and save workbooks, so what crosses to them is plain
picklable data.
"""

from __future__ import annotations

import multiprocessing
import os
import re
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from partnerclose.core.records import HOST
from partnerclose.statements.data import close_pack_fill, index_close, run_time, statement_fill
from partnerclose.statements.values import Fill
from partnerclose.statements.xlsx import fill_workbook, save

if TYPE_CHECKING:
    from partnerclose.pipeline import CloseContext

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"
STATEMENT_TEMPLATE = TEMPLATES / "statement.xlsx"
CLOSE_PACK_TEMPLATE = TEMPLATES / "close_pack.xlsx"
STATEMENTS_FOLDER = "statements"
CLOSE_PACK_FILE = "close_pack.xlsx"
PARALLEL_ABOVE = 16  # fewer statements are written faster than worker processes start
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def write_statements(context: CloseContext, folder: Path) -> None:
    """Writer: one statement workbook per partner taking part in the period."""
    render_statements(context, folder / STATEMENTS_FOLDER)


def write_close_pack(context: CloseContext, folder: Path) -> None:
    """Writer: the close pack (summary, pools, reserve, exceptions, audit)."""
    render_close_pack(context, folder / CLOSE_PACK_FILE)


def statement_partners(context: CloseContext) -> list[str]:
    """Partners taking part in the period, in participant order (HOST has no statement)."""
    return [pid for pid in context.result.participants if pid != HOST]


def render_statements(
    context: CloseContext,
    folder: Path,
    template: Path = STATEMENT_TEMPLATE,
    *,
    workers: int | None = None,
) -> list[Path]:
    """Statements into `folder`; `workers` None: parallel above PARALLEL_ABOVE partners."""
    from partnerclose.pipeline import Stage

    partners = statement_partners(context)
    for pid in partners:
        if not _SAFE_ID.match(pid):  # validation refuses these; never write outside `folder`
            raise ValueError(f"partner id {pid!r} cannot name a statement file")
    folder.mkdir(parents=True, exist_ok=True)
    index = index_close(context.result)
    jobs = [(pid, statement_fill(context, pid, index)) for pid in partners]
    template_bytes = template.read_bytes()
    produced = run_time(context.started_at)
    total = len(jobs)

    def report(done: int, pid: str) -> None:
        context.progress(Stage.WRITE, done, total, pid)

    if workers is None:
        workers = worker_count(total, os.cpu_count())
    if workers <= 1:
        for done, (pid, fill) in enumerate(jobs, start=1):
            _render(template_bytes, fill, produced, folder / f"{pid}.xlsx")
            report(done, pid)
    else:
        _render_parallel(jobs, template_bytes, produced, folder, workers, report)
    return [folder / f"{pid}.xlsx" for pid in partners]


def worker_count(statements: int, cpus: int | None) -> int:
    """Processes to write `statements` with: one, unless there are many and cores."""
    if statements <= PARALLEL_ABOVE:
        return 1
    return max(1, min(cpus or 1, statements))


def render_close_pack(
    context: CloseContext, path: Path, template: Path = CLOSE_PACK_TEMPLATE
) -> Path:
    from partnerclose.ledger.store import current_user

    fill = close_pack_fill(context, current_user())
    _render(template.read_bytes(), fill, run_time(context.started_at), path)
    return path


def _render(template: bytes, fill: Fill, produced: datetime, path: Path) -> None:
    workbook, _ = fill_workbook(template, fill, produced=produced)
    save(workbook, path, produced)


# --- worker processes -----------------------------------------------------------------

_worker_template: bytes = b""


def _start_worker(template: bytes) -> None:
    global _worker_template  # noqa: PLW0603 - one template per worker process
    _worker_template = template


def _render_in_worker(fill: Fill, produced: datetime, path: Path) -> None:
    _render(_worker_template, fill, produced, path)


def _render_parallel(
    jobs: Sequence[tuple[str, Fill]],
    template: bytes,
    produced: datetime,
    folder: Path,
    workers: int,
    report: Callable[[int, str], None],
) -> None:
    # `spawn`: a fork of a process with threads (the desktop app, Excel) is unsafe.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_start_worker, initargs=(template,)
    ) as pool:
        futures: dict[Future[None], str] = {
            pool.submit(_render_in_worker, fill, produced, folder / f"{pid}.xlsx"): pid
            for pid, fill in jobs
        }
        try:
            for done, future in enumerate(as_completed(futures), start=1):
                future.result()  # a failed statement fails the close
                report(done, futures[future])
        except BaseException:
            for future in futures:
                future.cancel()
            raise
