"""The sheets the add-in makes in the workbook, marked so that a rerun replaces them.

Every sheet the add-in makes carries a hidden sheet-level name, `PartnerClose.Made`,
whose value says what the sheet is and the name the add-in gave it:
`="statement|P001|Stmt P001"`. A sheet is the add-in's while it still bears that
name, or a temporary one (`PC~3`: what a run cut short left behind). A copy the
user made (`Stmt P001 (2)`) or a sheet the user renamed is the user's, and kept.

A run makes its sheets under temporary names. `commit` then deletes the sheets
they replace and gives the new ones their names; `rollback` deletes the new ones.
Until `commit`, the workbook shows what it showed before the run.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum

import xlwings as xw

from excel_addin.calls import copy_sheet

MARK = "PartnerClose.Made"
TEMP_PREFIX = "PC~"
MAX_SHEET_NAME = 31  # Excel's limit

log = logging.getLogger(__name__)


class Kind(StrEnum):
    STATEMENT = "statement"
    SUMMARY = "summary"
    EXCEPTIONS = "exceptions"
    HISTORY = "history"
    WHATIF = "whatif"
    WORK = "work"  # the working copy of the template a close fills statements from


@dataclass(frozen=True, slots=True)
class Made:
    """A sheet the add-in made: its current name, what it is, the name it was given."""

    sheet: str
    kind: Kind
    key: str  # the partner id of a statement, else ""
    name: str


_MARK_VALUE = re.compile(r'^="((?:[^"]|"")*)"$')


def mark_formula(kind: Kind, key: str, name: str) -> str:
    text = f"{kind.value}|{key}|{name}".replace('"', '""')
    return f'="{text}"'


def parse_mark(refers_to: str | None) -> tuple[Kind, str, str] | None:
    match = _MARK_VALUE.match((refers_to or "").strip())
    if match is None:
        return None
    parts = match.group(1).replace('""', '"').split("|", 2)
    if len(parts) != 3 or parts[0] not in Kind.__members__.values():
        return None
    return Kind(parts[0]), parts[1], parts[2]


def _sheet_of(name: str) -> str | None:
    """`'Stmt P001'!PartnerClose.Made` -> `Stmt P001`; None for other names."""
    sheet, bang, local = name.rpartition("!")
    if not bang or local != MARK:
        return None
    if sheet.startswith("'") and sheet.endswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    return sheet


def made_sheets(book: xw.Book) -> list[Made]:
    """The sheets of `book` the add-in made (one look at the workbook's names)."""
    found = []
    for name in book.names:
        sheet = _sheet_of(name.name)
        if sheet is None:
            continue
        mark = parse_mark(name.refers_to)
        if mark is None:
            continue
        kind, key, given = mark
        if sheet == given or sheet.startswith(TEMP_PREFIX):
            found.append(Made(sheet, kind, key, given))
    return found


@dataclass(slots=True)
class _New:
    sheet: xw.Sheet
    kind: Kind | None  # None: a template sheet inserted for the user (kept on commit)
    name: str | None  # the name it gets on commit; None: deleted on commit


class SheetSwap:
    """New sheets under temporary names, swapped in for the old ones at once."""

    def __init__(self, book: xw.Book, replace: Collection[Kind], made: Iterable[Made]) -> None:
        self.book = book
        self.replace = frozenset(replace)
        sheets = [sheet.name for sheet in book.sheets]
        self._old = [
            m.sheet for m in made if m.kind in self.replace or m.sheet.startswith(TEMP_PREFIX)
        ]
        leaving = {name.lower() for name in self._old}
        self._taken = {name.lower() for name in sheets} - leaving  # names that stay
        self._used = {name.lower() for name in sheets}  # no temporary name may clash
        self._new: list[_New] = []
        self._marked: set[str] = set()  # temporary names of the sheets marked here
        self._counter = 0

    def allocate(self, preferred: str) -> str:
        """A name for a new sheet, free once the replaced sheets are gone:
        `preferred`, or `preferred (2)`..., within Excel's 31 characters."""
        base = preferred[:MAX_SHEET_NAME]
        name, number = base, 2
        while name.lower() in self._taken:
            suffix = f" ({number})"
            name = base[: MAX_SHEET_NAME - len(suffix)] + suffix
            number += 1
        self._taken.add(name.lower())
        return name

    def add(
        self, kind: Kind, key: str, name: str | None, *, source: xw.Sheet | None = None
    ) -> xw.Sheet:
        """A new, marked sheet at the end of the workbook: blank, or a copy of `source`.

        `name` (from `allocate`) is the name it gets on commit; None: deleted then.
        A copy of a sheet this swap made keeps the name Excel gives it (`PC~1 (2)`:
        temporary already) and the mark it was copied with, which is rewritten.
        New sheets always go last, so a copy is found there (`copy_sheet`).
        """
        mark = mark_formula(kind, key, name or "")
        if source is None:
            temporary = self._temporary_name()
            sheet = self.book.sheets.add(name=temporary, after=self.book.sheets[-1])
            self._mark(sheet, mark, temporary)
        else:
            # Sheet.copy() lists every sheet twice per copy: with a thousand statements
            # that is millions of calls; copy_sheet makes three.
            sheet = copy_sheet(source, self.book, known=self._used)
            self._used.add(sheet.name.lower())
            if source.name.lower() in self._marked:
                sheet.names[MARK].refers_to = mark
            else:
                given = sheet.name.lower()
                temporary = self._temporary_name()
                sheet.name = temporary
                self._used.discard(given)  # free again: Excel may give it to a later copy
                self._mark(sheet, mark, temporary)
        self._new.append(_New(sheet, kind, name))
        return sheet

    def _mark(self, sheet: xw.Sheet, mark: str, name: str) -> None:
        made = sheet.names.add(MARK, mark)
        with contextlib.suppress(Exception):  # hiding is cosmetic; not every Excel allows it
            made.api.Visible = False
        self._marked.add(name.lower())

    def inserted(self, sheet: xw.Sheet) -> None:
        """A sheet inserted for the user (a template): kept on commit, gone on rollback."""
        self._new.append(_New(sheet, None, sheet.name))
        self._used.add(sheet.name.lower())

    def commit(self) -> None:
        """Delete the sheets replaced, name the new ones, drop the working copies."""
        for name in self._old:
            self.book.sheets[name].delete()
        for new in self._new:
            if new.kind is None:
                continue
            if new.name is None:
                new.sheet.delete()
            else:
                new.sheet.name = new.name
        self._old, self._new = [], []

    def rollback(self) -> None:
        """Delete every sheet this swap made; the workbook is as before."""
        for new in reversed(self._new):
            try:
                new.sheet.delete()
            except Exception:  # keep deleting the others; the next run removes leftovers
                log.exception("could not delete a sheet the add-in made")
        self._new = []

    def _temporary_name(self) -> str:
        while True:
            self._counter += 1
            name = f"{TEMP_PREFIX}{self._counter}"
            if name.lower() not in self._used:
                self._used.add(name.lower())
                return name
