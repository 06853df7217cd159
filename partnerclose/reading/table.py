"""A table sheet read column by column into typed values.

A million deal rows are read here: each column is converted in one tight loop
(fast paths for text and floats, a value cache for the kinds with few distinct
values), and no per-row dictionaries or locations are built until records are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter

from partnerclose.core.problems import Problem, Severity
from partnerclose.core.records import Loc
from partnerclose.core.schema import EXAMPLE_PREFIX, Column, Kind, SheetSpec
from partnerclose.reading import cells
from partnerclose.reading.cells import CellError
from partnerclose.reading.grid import (
    UNCACHED,
    Row,
    SheetGrid,
    convert,
    match_header,
    number_hint,
)


class _Absent:
    """A blank cell in a column that has no default: the record's own default applies."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = _Absent()
_UNCACHED = object()  # stands in for a formula cell saved without a value
_MISSING = object()

# Kinds with few distinct values per column: converting each distinct value once
# makes reading a million-row sheet cheap.
_CACHED_KINDS = frozenset({Kind.CHOICE, Kind.FLAG, Kind.DATE, Kind.PERIOD, Kind.INTEGER})


@dataclass(frozen=True, slots=True)
class TypedSheet:
    """A table sheet's non-blank rows, typed, column by column."""

    file: str
    sheet: str
    letters: Mapping[str, str]  # column name -> letter, for locations
    row_numbers: Sequence[int]  # 1-based, one per row
    columns: Mapping[str, list[object]]  # columns in the sheet: a typed value per row
    complete: Sequence[bool]  # False: some cell of the row had a problem (reported)
    constants: Mapping[str, object]  # defaults of the columns not in the sheet
    with_absent: frozenset[str]  # columns holding ABSENT somewhere

    def __len__(self) -> int:
        return len(self.row_numbers)

    def loc(self, index: int) -> Loc:
        return Loc(self.file, self.sheet, self.row_numbers[index], self.letters)


class _ColumnReader:
    """Reads one column's cells: conversion with fast paths and a value cache."""

    __slots__ = ("cache", "column", "index", "position")

    def __init__(self, column: Column, index: int, position: int) -> None:
        self.column = column
        self.index = index  # in the sheet's rows
        self.position = position  # among the columns read: problems in reading order
        self.cache: dict[tuple[type, object], object] | None = (
            {} if column.kind in _CACHED_KINDS else None
        )

    def read(self, raw: object) -> object:
        """The typed value of a non-blank cell; raises CellError."""
        if self.cache is not None:
            key = (type(raw), raw)  # 1, 1.0 and True hash alike
            found = self.cache.get(key, _MISSING)
            if found is _MISSING:
                found = self.cache[key] = convert(self.column, raw)
            return found
        return convert(self.column, raw)

    def values(self, raws: list[object]) -> tuple[list[object], list[tuple[int, str | None]]]:
        """The column's typed values, and its issues: (row index, message), None for blank."""
        kind = self.column.kind
        if kind in (Kind.TEXT, Kind.ID):
            return self._texts(raws)
        if kind is Kind.NUMBER:
            return self._numbers(raws)
        values: list[object] = []
        issues: list[tuple[int, str | None]] = []
        append, cache = values.append, self.cache
        for i, raw in enumerate(raws):
            if cache is not None:  # a hit is a sound value seen before
                found = cache.get((type(raw), raw), _MISSING)
                if found is not _MISSING:
                    append(found)
                    continue
            append(self._checked(i, raw, issues))
        return values, issues

    def _checked(self, i: int, raw: object, issues: list[tuple[int, str | None]]) -> object:
        """The cell's typed value; ABSENT, with an issue, when blank or unsound."""
        if raw is None or (type(raw) is str and not raw.strip()):
            issues.append((i, None))
            return ABSENT
        try:
            return self.read(raw)
        except CellError as exc:
            issues.append((i, UNCACHED if raw is _UNCACHED else str(exc)))
            return ABSENT

    def _numbers(self, raws: list[object]) -> tuple[list[object], list[tuple[int, str | None]]]:
        values: list[object] = []
        issues: list[tuple[int, str | None]] = []
        append = values.append
        low, high = self.column.minimum, self.column.maximum
        for i, raw in enumerate(raws):
            if type(raw) is float:  # what readers return for a number cell
                try:
                    number = cells.to_decimal(raw)
                except CellError:
                    pass
                else:
                    if (low is None or number >= low) and (high is None or number <= high):
                        append(number)
                        continue
            append(self._checked(i, raw, issues))
        return values, issues

    def _texts(self, raws: list[object]) -> tuple[list[object], list[tuple[int, str | None]]]:
        values: list[object] = []
        issues: list[tuple[int, str | None]] = []
        append = values.append
        for i, raw in enumerate(raws):
            if type(raw) is str:
                text = raw.strip()
                if text:
                    append(text)
                    continue
            elif raw is _UNCACHED:
                issues.append((i, UNCACHED))
                append(ABSENT)
                continue
            elif raw is not None:  # a number typed as an id reads as its digits
                append(self._checked(i, raw, issues))  # a cell holding an error does not
                continue
            issues.append((i, None))
            append(ABSENT)
        return values, issues


_PREFIX = EXAMPLE_PREFIX.upper()


def example_rows(values: list[object]) -> list[int]:
    """Indexes of the id values that carry the template's example prefix.

    One search over the joined column first: a million deal ids hold no example,
    and a join and a search cost a tenth of looking at each id.
    """
    try:
        joined = "\x00".join(values)  # type: ignore[arg-type]
    except TypeError:  # a blank required id (ABSENT) among them
        joined = "\x00".join(v for v in values if type(v) is str)
    if _PREFIX not in joined.upper():
        return []
    size = len(_PREFIX)
    return [i for i, v in enumerate(values) if type(v) is str and v[:size].upper() == _PREFIX]


def example_problem(loc: Loc, column: Column, value: object) -> Problem:
    return loc.error(
        f"example row from the template ({column.name} {value}); delete it or replace it "
        "with your own data",
        column.name,
    )


def _is_blank_row(row: Row) -> bool:
    return not any(row) and all(cells.is_blank(v) for v in row)


def _column_raws(
    rows: list[Row],
    c: int,
    narrowest: int,
    kept: list[int],
    uncached: frozenset[tuple[int, int]],
) -> list[object]:
    """Column `c` of the kept rows (blank past a short row), uncached formulas marked."""
    if c < narrowest:
        raws = list(map(itemgetter(c), rows))
    else:
        raws = [row[c] if c < len(row) else None for row in rows]
    if uncached:
        index_of = {r: i for i, r in enumerate(kept)}
        for r, uc in uncached:
            if uc == c and r in index_of:
                raws[index_of[r]] = _UNCACHED
    return raws


@dataclass(slots=True)
class _SheetRows:
    """Where read_table collects its problems: rows marked incomplete, each problem with
    its (row, column position) so that they are reported in reading order."""

    file: str
    sheet: str
    letters: Mapping[str, str]
    kept: list[int]
    complete: list[bool]
    found: list[tuple[int, int, Problem]]
    with_absent: set[str]

    def _loc(self, i: int) -> Loc:
        return Loc(self.file, self.sheet, self.kept[i] + 1, self.letters)

    def note_issues(
        self,
        reader: _ColumnReader,
        values: list[object],
        issues: list[tuple[int, str | None]],
        raws: list[object],
        sheet_spec: str,
    ) -> None:
        """A blank optional cell takes its default; any other issue is a problem."""
        column = reader.column
        for i, message in issues:
            if message is None and not column.required:  # a blank cell
                if column.default is not None:
                    values[i] = column.default
                else:
                    self.with_absent.add(column.name)
                continue
            self.complete[i] = False
            if message is None:
                text = f"{column.name} is required"
            elif column.kind is Kind.NUMBER:
                text = message + number_hint(raws[i], sheet_spec)
            else:
                text = message
            self.found.append((i, reader.position, self._loc(i).error(text, column.name)))

    def note_examples(self, reader: _ColumnReader, values: list[object]) -> None:
        """Rows whose id is a template example: one problem per row, at its first."""
        for i in example_rows(values):
            if self.complete[i]:
                self.complete[i] = False
                problem = example_problem(self._loc(i), reader.column, values[i])
                self.found.append((i, reader.position, problem))


def read_table(
    grid: SheetGrid | None, spec: SheetSpec, file: str
) -> tuple[TypedSheet | None, list[Problem]]:
    """The rows of a table sheet, typed, and every problem found on the way.

    A row with a problem is marked incomplete, with the cells that were sound:
    builders leave it out, but its ids still count as existing, so one bad cell
    does not also raise "unknown" errors everywhere it is named.
    """
    problems: list[Problem] = []
    if grid is None:
        if spec.required:
            problems.append(Problem(Severity.ERROR, f"missing required sheet {spec.name}", file))
        return None, problems
    if not grid.rows:
        if spec.required:
            problems.append(Problem(Severity.ERROR, f"sheet {spec.name} is empty", file, grid.name))
        return None, problems
    positions, letters, header_problems = match_header(grid, spec, file)
    problems.extend(header_problems)
    if any(p.severity is Severity.ERROR for p in header_problems):
        return None, problems
    readers = [
        _ColumnReader(spec.column(name), index, position)
        for position, (name, index) in enumerate(positions.items())
    ]
    uncached = grid.uncached
    uncached_rows = {r for r, _ in uncached}
    kept = [
        r for r in range(1, len(grid.rows)) if not _is_blank_row(grid.rows[r]) or r in uncached_rows
    ]
    rows = [grid.rows[r] for r in kept]
    narrowest = min(map(len, rows), default=0)
    complete = [True] * len(rows)
    columns: dict[str, list[object]] = {}
    found: list[tuple[int, int, Problem]] = []
    with_absent: set[str] = set()
    sheet = _SheetRows(file, grid.name, letters, kept, complete, found, with_absent)
    for reader in readers:
        raws = _column_raws(rows, reader.index, narrowest, kept, uncached)
        values, issues = reader.values(raws)
        sheet.note_issues(reader, values, issues, raws, spec.name)
        columns[reader.column.name] = values
        if reader.column.kind is Kind.ID:
            sheet.note_examples(reader, values)
    found.sort(key=lambda issue: issue[:2])  # row by row, as a reader reads them
    problems.extend(problem for _, _, problem in found)
    constants = {
        column.name: column.default
        for column in spec.columns
        if column.name not in positions and column.default is not None
    }
    return (
        TypedSheet(
            file,
            grid.name,
            letters,
            [r + 1 for r in kept],
            columns,
            complete,
            constants,
            frozenset(with_absent),
        ),
        problems,
    )
