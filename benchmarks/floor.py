"""The I/O floor: the same inputs read by the fastest reader, the same statement
cells written unstyled, both across the machine's cores."""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from openpyxl import Workbook
from python_calamine import CalamineWorkbook


def _read_all(path: Path) -> int:
    book = CalamineWorkbook.from_path(str(path))
    return sum(len(book.get_sheet_by_name(name).to_python()) for name in book.sheet_names)


def _rewrite(path: Path) -> int:
    """Write the cells of one statement again, values only, in write-only mode."""
    book = CalamineWorkbook.from_path(str(path))
    out = Workbook(write_only=True)
    cells = 0
    for name in book.sheet_names:
        sheet = out.create_sheet(name)
        for row in book.get_sheet_by_name(name).to_python():
            sheet.append(row)
            cells += len(row)
    out.save(path.with_suffix(".floor.xlsx"))
    path.with_suffix(".floor.xlsx").unlink()
    return cells


def io_floor(inputs: list[Path], statements: list[Path]) -> tuple[float, float]:
    """(read seconds, write seconds)."""
    workers = os.cpu_count() or 1
    with ProcessPoolExecutor(workers) as pool:
        start = time.perf_counter()
        list(pool.map(_read_all, inputs, chunksize=8))
        read = time.perf_counter() - start
        start = time.perf_counter()
        list(pool.map(_rewrite, statements, chunksize=8))
        write = time.perf_counter() - start
    return read, write
