"""The I/O floor: the same inputs read by the fastest reader to columns, and the same statement
bytes written again as plain zips (each part of each statement deflated into a new
package, no template or cell work), both across the machine's cores (issue 28,
point 5: the floor used to re-read each statement and write its cells with
openpyxl, slower than the product itself, so it was no floor)."""

from __future__ import annotations

import logging
import os
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import fastexcel

# A text column in a number's place is read as text, as it should be for a floor; fastexcel
# says so in a warning per column and workbook (thousands at the large size).
logging.getLogger("fastexcel").setLevel(logging.ERROR)


def _read_all(path: Path) -> int:
    """Every sheet of one workbook into Arrow columns (calamine through fastexcel): the
    fastest reader to columns, with no conversion to Python values."""
    book = fastexcel.read_excel(str(path))
    return sum(book.load_sheet(name).to_arrow().num_rows for name in book.sheet_names)


def _parts(path: Path) -> list[tuple[str, bytes]]:
    """The parts of one written statement, inflated (read before the clock starts)."""
    with zipfile.ZipFile(path) as package:
        return [(name, package.read(name)) for name in package.namelist()]


def _rewrite(job: tuple[Path, list[tuple[str, bytes]]]) -> int:
    """Write one statement's bytes again as a plain zip: every part deflated, as the
    product must, and nothing else."""
    path, parts = job
    target = path.with_suffix(".floor.xlsx")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts:
            package.writestr(name, data)
    size = target.stat().st_size
    target.unlink()
    return size


def io_floor(inputs: list[Path], statements: list[Path]) -> tuple[float, float]:
    """(read seconds, write seconds)."""
    workers = os.cpu_count() or 1
    with ProcessPoolExecutor(workers) as pool:
        start = time.perf_counter()
        list(pool.map(_read_all, inputs, chunksize=8))
        read = time.perf_counter() - start
        jobs = [(path, _parts(path)) for path in statements]
        start = time.perf_counter()
        list(pool.map(_rewrite, jobs, chunksize=8))
        write = time.perf_counter() - start
    return read, write
