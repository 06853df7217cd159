"""The problems table: validation results and a close's exceptions."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from desktop.presenters.table import Align, Cell, Column, DisplayTable, Row, Tone, text_cell
from partnerclose.api import Problem, Severity, sort_key

SEVERITY_LABELS = {Severity.ERROR: "Error", Severity.WARNING: "Warning", Severity.INFO: "Note"}
SEVERITY_TONES = {
    Severity.ERROR: Tone.ERROR,
    Severity.WARNING: Tone.WARNING,
    Severity.INFO: Tone.INFO,
}
SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}

PROBLEM_COLUMNS = (
    Column("Severity", Align.LEFT, "Errors stop the close; warnings and notes do not"),
    Column("File", Align.LEFT, "The workbook the problem was found in"),
    Column("Sheet"),
    Column("Cell", Align.LEFT, "A cell (G14), a whole row (14), or empty for the sheet"),
    Column("Message", stretch=True),
)


def cell_sort_key(cell: str) -> tuple[int, str]:
    """Row numbers compare as numbers (9 before 10), then the column letters."""
    digits = "".join(ch for ch in cell if ch.isdigit())
    letters = "".join(ch for ch in cell if ch.isalpha())
    return (int(digits) if digits else 0, letters.rjust(3))


def problem_row(problem: Problem) -> Row:
    """One problem as a row: severity, where (file, sheet, cell) and the message."""
    severity = problem.severity
    row_number, letters = cell_sort_key(problem.cell)
    cell_key = f"{row_number:09d}{letters}" if problem.cell else ""
    return Row(
        (
            Cell(
                SEVERITY_LABELS[severity],
                (1, f"{SEVERITY_ORDER[severity]}"),
                SEVERITY_TONES[severity],
            ),
            text_cell(problem.file),
            text_cell(problem.sheet),
            Cell(problem.cell, (2, cell_key) if cell_key else (0, "")),
            text_cell(problem.message, tooltip=str(problem)),
        ),
        category=severity.value,
        key=problem.file,
    )


def problems_table(problems: Sequence[Problem]) -> DisplayTable:
    """Errors first, then by place, as the command line lists them."""
    return DisplayTable(
        PROBLEM_COLUMNS, tuple(problem_row(p) for p in sorted(problems, key=sort_key))
    )


def severity_counts(problems: Sequence[Problem]) -> dict[Severity, int]:
    """How many problems there are of each severity."""
    return {s: sum(p.severity is s for p in problems) for s in Severity}


def workbook_of(file_name: str, program: Path | None, partner_folder: Path | None) -> Path | None:
    """The workbook a problem names, when it can be found on disk."""
    if not file_name:
        return program
    candidates = []
    if program is not None:
        candidates.append(program if program.name == file_name else program.parent / file_name)
    if partner_folder is not None:
        candidates.append(partner_folder / file_name)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    return None
