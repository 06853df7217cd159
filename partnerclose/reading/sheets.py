"""Which sheets a workbook has, against the sheets the product reads.

A sheet under a name the reader does not know is not read, so a renamed
`Deals` sheet would silently drop every deal. In a partner workbook every
sheet is the product's, so any other sheet is an error. In the program
workbook finance keeps its own notes and pivots: a sheet whose name looks
like one of the product's (`Deal`, `Adjustment`) is an error, the others are
listed in one note. Revision 2 sheets this version does not read are known
by name and refused when they hold rows (workbooks.md, "Bad input").
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence

from partnerclose.core import schema
from partnerclose.core.problems import Problem, Severity, did_you_mean
from partnerclose.reading import cells
from partnerclose.reading.grid import SheetGrid, WorkbookGrids, column_letter, normalize_name

PARTNER_DATA_SHEETS = tuple(spec.name for spec in schema.DATA_SHEETS)
PARTNER_SHEETS = (schema.PARTNER_KEYS.name, *PARTNER_DATA_SHEETS)
PROGRAM_INPUT_SHEETS = tuple(
    spec.name for spec in (*schema.PROGRAM_SHEETS, *schema.DATA_SHEETS, schema.SCENARIOS)
)
_IMPLEMENTED = {normalize_name(name) for name in (*PROGRAM_INPUT_SHEETS, *PARTNER_SHEETS)}
PLANNED_SHEETS = {
    name: changes_money
    for name, changes_money in schema.PLANNED_SHEETS.items()
    if normalize_name(name) not in _IMPLEMENTED
}
# Sheets the product itself puts into a program workbook: the template's read-me
# and the Excel add-in's control, summary, exceptions and statement sheets
# (the names of excel_addin/layout.py, which this package may not import).
OWN_PROGRAM_SHEETS = (
    schema.README_SHEET,
    "Close",
    "Close Summary",
    "Exceptions",
    "Statement Template",
)
OWN_SHEET_PREFIX = "Stmt "  # + partner id: `Stmt P001`

_LIKELY_RATIO = 0.8  # a typo of a sheet name: `Deal`, `Comitments`, `Adjustment`
_NOT_LETTERS = re.compile(r"[^0-9a-z]+")


def _plain(name: str) -> str:
    return _NOT_LETTERS.sub("", name.lower())


def looks_like(found: str, known: str) -> bool:
    """Whether a sheet named `found` is likely meant to be `known`: a typo
    (`Deal`), or the name with something added (`Deals Oct`, `Deals (2)`, `Old Deals`)."""
    plain, wanted = _plain(found), _plain(known)
    if not plain or not wanted:
        return False
    if plain.startswith(wanted) or plain.endswith(wanted):
        return True
    return difflib.SequenceMatcher(None, plain, wanted).ratio() >= _LIKELY_RATIO


def suggestion(found: str, known: Iterable[str]) -> str:
    """`; did you mean "Deals"?` for a likely sheet name, else ``."""
    likely = [name for name in known if looks_like(found, name)]
    if not likely:
        return ""
    return did_you_mean(found, likely) or f'; did you mean "{likely[0]}"?'


def _listed(names: Sequence[str]) -> str:
    return ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else names[0]


def _repeated(
    file: str, name: str, key: str, known: dict[str, str], seen: dict[str, str]
) -> list[Problem]:
    """A known sheet met again under a name read the same (`Usage` and `Usage `): an error,
    since only the first would be read. Records the first in `seen`."""
    first = seen.setdefault(key, name)
    if first == name:
        return []
    return [
        Problem(
            Severity.ERROR,
            f'sheets "{first}" and "{name}" are both read as {known[key]}, and only the first '
            "would be read; keep one (move its rows into the other)",
            file,
            name,
        )
    ]


def partner_sheet_problems(grids: WorkbookGrids) -> list[Problem]:
    """Sheets of a partner workbook that are not its own, and a workbook without data sheets."""
    file = grids.file
    known = {normalize_name(name): name for name in (*PARTNER_SHEETS, schema.README_SHEET)}
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for name in grids.sheet_names:
        key = normalize_name(name)
        if key in known:
            problems += _repeated(file, name, key, known, seen)
            continue
        hint = suggestion(name, PARTNER_SHEETS)
        problems.append(
            Problem(
                Severity.ERROR,
                f'sheet "{name}" is not a sheet of a partner workbook, so its rows are not '
                f"read{hint + ' Rename' if hint else '; rename'} it to "
                f"{_listed(PARTNER_DATA_SHEETS)}, or delete it",
                file,
                name,
            )
        )
    if not problems and not any(normalize_name(n) in seen for n in PARTNER_DATA_SHEETS):
        problems.append(
            Problem(
                Severity.ERROR,
                f"the workbook has none of the sheets {_listed(PARTNER_DATA_SHEETS)}, so "
                "nothing would be read from it; with nothing to report for a kind of data, "
                "keep its sheet with the header row only",
                file,
            )
        )
    return problems


def _first_row_with_data(grid: SheetGrid | None) -> int | None:
    """The 1-based number of the first non-blank row below the header, if any."""
    if grid is None:
        return None
    for index, row in enumerate(grid.rows[1:], start=2):
        if any(not cells.is_blank(value) for value in row):
            return index
    return None


def program_sheet_problems(grids: WorkbookGrids) -> list[Problem]:
    """Sheets of the program workbook that look like the product's but are not read,
    revision 2 sheets with rows, and a note listing the other sheets not read."""
    file = grids.file
    inputs = {normalize_name(name): name for name in PROGRAM_INPUT_SHEETS}
    planned = {normalize_name(name): name for name in PLANNED_SHEETS}
    own = {normalize_name(name) for name in OWN_PROGRAM_SHEETS}
    prefix = normalize_name(OWN_SHEET_PREFIX)
    candidates = (*PROGRAM_INPUT_SHEETS, *PLANNED_SHEETS)
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    not_read: list[str] = []
    for name in grids.sheet_names:
        key = normalize_name(name)
        if key in inputs:
            problems += _repeated(file, name, key, inputs, seen)
        elif key in planned:
            problem = _planned_sheet(file, name, planned[key], grids.sheets.get(name))
            if problem is None:
                not_read.append(name)
            else:
                problems.append(problem)
        elif key in own or key.startswith(prefix):
            continue
        elif hint := suggestion(name, candidates):
            problems.append(
                Problem(
                    Severity.ERROR,
                    f'sheet "{name}" is not read{hint} If it holds program data, rename it; '
                    "if it is your own, give it a name unlike the program's sheets",
                    file,
                    name,
                )
            )
        else:
            not_read.append(name)
    if not_read:
        problems.append(
            Problem(Severity.INFO, "sheets not read (your own): " + ", ".join(not_read), file)
        )
    return problems


def _planned_sheet(file: str, name: str, spec_name: str, grid: SheetGrid | None) -> Problem | None:
    """A revision 2 sheet with rows: an error when leaving them out changes the amounts."""
    row = _first_row_with_data(grid)
    if row is None:
        return None
    if PLANNED_SHEETS[spec_name]:
        return Problem(
            Severity.ERROR,
            f"sheet {spec_name} (workbooks.md, revision 2) is not supported by this version "
            "yet: its rows would be left out of the close and change the amounts; remove the "
            "sheet, or its rows, to close with this version",
            file,
            name,
            f"A{row}",
        )
    return Problem(
        Severity.INFO,
        f"sheet {spec_name} (workbooks.md, revision 2) is not supported by this version yet; "
        "its rows are not computed (the close is not affected)",
        file,
        name,
        f"A{row}",
    )


def planned_column_problems(grid: SheetGrid, spec: schema.SheetSpec, file: str) -> list[Problem]:
    """Revision 2 columns of a sheet (`currency`, `valid_from`) that hold values: reading
    past them would change the amounts, so each is an error at its first value."""
    declared = {column.name for column in spec.columns}
    planned = [c for c in schema.PLANNED_COLUMNS.get(spec.name, ()) if c not in declared]
    if not planned or not grid.rows:
        return []
    wanted = {normalize_name(name): name for name in planned}
    problems: list[Problem] = []
    for index, header in enumerate(grid.rows[0]):
        name = wanted.get(normalize_name(header)) if not cells.is_blank(header) else None
        if name is None:
            continue
        for number, row in enumerate(grid.rows[1:], start=2):
            if index < len(row) and not cells.is_blank(row[index]):
                problems.append(
                    Problem(
                        Severity.ERROR,
                        f"column {name} (workbooks.md, revision 2) is not supported by this "
                        f"version yet, and its values would be ignored, got "
                        f"{cells.shown(row[index])}; leave the column blank or remove it",
                        file,
                        grid.name,
                        f"{column_letter(index)}{number}",
                        name,
                    )
                )
                break
    return problems
