"""The Scenarios sheet of the program workbook (docs/scenarios.md): what-if changes.

Each row is checked at its cells against the program workbook as the earlier rows
of its scenario leave it (a partner added in row 3 can be changed in row 4): an
unknown sheet, column, setting or key is an error with a "did you mean". Values are
typed by the changed column's own rules (grid.convert), as if typed into that sheet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from partnerclose.core import schema as s
from partnerclose.core.problems import Problem, did_you_mean
from partnerclose.core.records import HOST, NOWHERE, Loc, PeriodData, Program
from partnerclose.core.scenario import (
    SETTINGS_SHEET,
    TARGETS,
    ScenarioChange,
    Target,
    apply_change,
    key_of,
    matches,
    part_text,
    rows_of,
)
from partnerclose.core.schema import ChangeKind, Kind
from partnerclose.reading.build import ENUMS, build_table
from partnerclose.reading.cells import CellError
from partnerclose.reading.grid import SheetGrid, WorkbookGrids, convert

SPECS: Mapping[str, s.SheetSpec] = {spec.name: spec for spec in (*s.PROGRAM_SHEETS, *s.DATA_SHEETS)}
SHEETS = (SETTINGS_SHEET, *TARGETS)
KEY_SEPARATOR = "/"


@dataclass(frozen=True, slots=True)
class ScenarioRow:
    """A Scenarios row as typed by the sheet's own columns."""

    scenario: str
    change: str
    sheet: str
    key: str = ""
    column: str = ""
    value: str = ""
    note: str = ""
    loc: Loc = field(default=NOWHERE, compare=False, repr=False)


def split_key(text: str) -> tuple[str, ...]:
    """`Gold / sourced / 100000` as its parts; blank: no parts."""
    return tuple(part.strip() for part in text.split(KEY_SEPARATOR)) if text.strip() else ()


def _sheet_name(text: str) -> str | None:
    """The sheet as spelled in the spec (`revenuetiers` is RevenueTiers)."""
    wanted = text.replace(" ", "").lower()
    return next((name for name in SHEETS if name.lower() == wanted), None)


def _typed(column: s.Column, sheet: str, text: str) -> object:
    """A value typed as the column of `sheet` would read it; CellError when it cannot."""
    if not text:
        if column.required:
            raise CellError(f"value: {column.name} needs a value on sheet {sheet}")
        return column.default
    value = convert(column, text)
    enum = ENUMS.get(sheet, {}).get(column.name)
    if enum is not None:
        return enum(str(value))
    return value


@dataclass
class _Checker:
    """Checks rows in order, each scenario on its own copy of the workbook's rows."""

    program: Program
    file: str
    states: dict[str, tuple[Program, PeriodData]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def error(self, row: ScenarioRow, message: str, column: str) -> None:
        self.problems.append(row.loc.error(message, column))

    def check(self, row: ScenarioRow) -> ScenarioChange | None:
        program, data = self.states.get(row.scenario, (self.program, PeriodData()))
        sheet = _sheet_name(row.sheet)
        if sheet is None:
            hint = did_you_mean(row.sheet, SHEETS) or f"; a scenario changes {', '.join(SHEETS)}"
            self.error(row, f'sheet "{row.sheet}" cannot be changed by a scenario{hint}', "sheet")
            return None
        change = self._setting(row) if sheet == SETTINGS_SHEET else self._row(row, sheet, program)
        if change is not None:
            change = _unboxed(change)
            applied = apply_change(program, data, change)
            self.states[row.scenario] = (applied.program, applied.data)
        return change

    # --- Program settings ---

    def _setting(self, row: ScenarioRow) -> ScenarioChange | None:
        kind = ChangeKind(row.change)
        if kind is ChangeKind.ADD:
            self.error(
                row, "add does not apply to Program: change a setting with set or factor", "change"
            )
            return None
        names = [c.name for c in s.PROGRAM.columns]
        setting = row.key.strip() or row.column.strip()
        if setting not in names:
            hint = did_you_mean(setting, names)
            self.error(row, f'"{setting}" is not a Program setting{hint}', "key")
            return None
        column = s.PROGRAM.column(setting)
        value = self._value(row, kind, column, SETTINGS_SHEET)
        if value is None:
            return None
        return ScenarioChange(
            row.scenario, kind, SETTINGS_SHEET, (setting,), "", value, row.note, row.loc
        )

    # --- table sheets ---

    def _row(self, row: ScenarioRow, sheet: str, program: Program) -> ScenarioChange | None:
        target = TARGETS[sheet]
        kind = ChangeKind(row.change)
        key = split_key(row.key)
        if len(key) > len(target.key):
            self.error(
                row,
                f"{sheet} rows are named by {' / '.join(target.key)}: {len(target.key)} "
                f'part(s), got "{row.key}"',
                "key",
            )
            return None
        if kind is ChangeKind.ADD:
            return self._add(row, target, key, program)
        if not target.data and not key:
            self.error(row, f"name the {sheet} row: its {' / '.join(target.key)}", "key")
            return None
        if not self._key_found(row, target, key, program):
            return None
        spec = SPECS[sheet]
        names = [c.name for c in spec.columns]
        column_name = row.column.strip() or target.number
        if column_name not in names:
            hint = did_you_mean(column_name, names)
            what = f'column "{column_name}"' if column_name else "the column"
            self.error(row, f"{what} is not a column of {sheet}{hint}", "column")
            return None
        if column_name in target.key:
            self.error(
                row,
                f"{column_name} is part of the key of {sheet}; to try a new row, add a copy "
                "with change add",
                "column",
            )
            return None
        value = self._value(row, kind, spec.column(column_name), sheet)
        if value is None:
            return None
        return ScenarioChange(row.scenario, kind, sheet, key, column_name, value, row.note, row.loc)

    def _key_found(
        self, row: ScenarioRow, target: Target, key: tuple[str, ...], program: Program
    ) -> bool:
        if target.data:
            return self._data_key(row, target, key, program)
        rows = rows_of(program, PeriodData(), target)
        if any(matches(r, target, key) for r in rows):
            return True
        known = {" / ".join(key_of(r, target)[: len(key)]) for r in rows}
        hint = did_you_mean(" / ".join(key), known)
        self.error(row, f'no {target.sheet} row has the key "{row.key.strip()}"{hint}', "key")
        return False

    def _data_key(
        self, row: ScenarioRow, target: Target, key: tuple[str, ...], program: Program
    ) -> bool:
        """Data keys name pools and partners of the program (the data is read later)."""
        known = {
            "partner_id": [HOST, *(p.partner_id for p in program.partners)],
            "pool_id": [p.pool_id for p in program.pools],
        }
        for name, part in zip(target.key, key, strict=False):
            ids = known.get(name)
            if ids is not None and part not in ids:
                hint = did_you_mean(part, ids)
                self.error(row, f'no {name} "{part}" in the program{hint}', "key")
                return False
        return True

    def _add(
        self, row: ScenarioRow, target: Target, key: tuple[str, ...], program: Program
    ) -> ScenarioChange | None:
        parts = " / ".join(target.key)
        if len(key) != len(target.key):
            self.error(row, f"add names the new {target.sheet} row by its {parts}", "key")
            return None
        like = split_key(row.value)
        if len(like) != len(target.key):
            self.error(
                row,
                f"add copies a row: give the {parts} of the {target.sheet} row to copy",
                "value",
            )
            return None
        if target.data:
            if not self._data_key(row, target, key, program):
                return None
            return ScenarioChange(
                row.scenario, ChangeKind.ADD, target.sheet, key, "", like, row.note, row.loc
            )
        rows = rows_of(program, PeriodData(), target)
        if any(matches(r, target, key) for r in rows):
            self.error(
                row,
                f'{target.sheet} already has a row "{row.key.strip()}"; change it with set',
                "key",
            )
            return None
        if not any(matches(r, target, like) for r in rows):
            known = {" / ".join(key_of(r, target)) for r in rows}
            hint = did_you_mean(" / ".join(like), known)
            self.error(row, f'no {target.sheet} row "{row.value.strip()}" to copy{hint}', "value")
            return None
        if not self._new_key_typed(row, target, key):
            return None
        return ScenarioChange(
            row.scenario, ChangeKind.ADD, target.sheet, key, "", like, row.note, row.loc
        )

    def _new_key_typed(self, row: ScenarioRow, target: Target, key: tuple[str, ...]) -> bool:
        spec = SPECS[target.sheet]
        for name, part in zip(target.key, key, strict=True):
            try:
                _typed(spec.column(name), target.sheet, part)
            except CellError as exc:
                self.error(row, f"key: {exc}", "key")
                return False
        return True

    # --- values ---

    def _value(self, row: ScenarioRow, kind: ChangeKind, column: s.Column, sheet: str) -> object:
        """The typed value, or None after reporting why it cannot be read."""
        if kind is ChangeKind.FACTOR:
            if column.kind is not Kind.NUMBER:
                self.error(
                    row, f"factor multiplies numbers; {column.name} is not a number", "column"
                )
                return None
            try:
                factor = Decimal(part_text(row.value.replace("%", "").strip()))
            except ArithmeticError:
                factor = Decimal(-1)
            if not row.value.strip() or not factor.is_finite() or factor < 0:
                self.error(
                    row, f'factor must be a number ≥ 0 (1.2 for +20 %), got "{row.value}"', "value"
                )
                return None
            return factor
        try:
            return _SET(_typed(column, sheet, row.value.strip()))
        except CellError as exc:
            self.error(row, f"value: {exc}", "value")
            return None


@dataclass(frozen=True, slots=True)
class _SET:
    """A set value, boxed so that a blank optional cell (None) is told from a failure."""

    value: Any


def read_scenarios(
    grids: WorkbookGrids, program: Program | None
) -> tuple[tuple[ScenarioChange, ...], list[Problem]]:
    """The Scenarios sheet's changes, each checked at its cells; () without the sheet."""
    if grids.find(s.SCENARIOS.name) is None:
        return (), []
    rows, problems = build_table(grids, s.SCENARIOS, ScenarioRow)
    if program is None:
        return (), problems
    checker = _Checker(program, grids.file)
    changes: list[ScenarioChange] = []
    for row in rows:
        change = checker.check(row)
        if change is not None:
            changes.append(change)
    return tuple(changes), problems + checker.problems


def _unboxed(change: ScenarioChange) -> ScenarioChange:
    if isinstance(change.value, _SET):
        return ScenarioChange(
            change.scenario,
            change.change,
            change.sheet,
            change.key,
            change.column,
            change.value.value,
            change.note,
            change.loc,
        )
    return change


SCENARIO_HEADER = tuple(column.name for column in s.SCENARIOS.columns)


def check_scenario_rows(
    rows: Sequence[Sequence[object]], program: Program, file: str = "What-if"
) -> tuple[tuple[ScenarioChange, ...], list[Problem]]:
    """Rows of a front end's scenario table (columns as SCENARIO_HEADER), checked as
    the Scenarios sheet's rows are: problems at their cells, rows counted from 2."""
    grid = SheetGrid(s.SCENARIOS.name, [list(SCENARIO_HEADER), *(list(row) for row in rows)])
    return read_scenarios(WorkbookGrids(file, {s.SCENARIOS.name: grid}), program)


def change_row(change: ScenarioChange) -> tuple[str, ...]:
    """A change as the table row that gives it back (for editing the sheet's scenarios)."""
    value = change.value
    if change.change is ChangeKind.ADD:
        shown_value = " / ".join(value)
    elif value is None:
        shown_value = ""
    else:
        shown_value = str(value)
    return (
        change.scenario,
        change.change.value,
        change.sheet,
        " / ".join(change.key),
        change.column,
        shown_value,
        change.note,
    )
