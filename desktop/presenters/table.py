"""Tables as plain values: what every Qt table model shows.

A presenter builds a `DisplayTable` (columns and rows of cells, each with its text,
its sort key and its tone); `desktop.models.TableModel` shows any of them, so
the table logic is tested without Qt.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from desktop.presenters.formatting import money, number, percent


class Align(Enum):
    """How a column's cells are aligned."""

    LEFT = "left"
    RIGHT = "right"
    CENTER = "center"


class Tone(Enum):
    """How a cell is coloured; the view picks the colours."""

    NORMAL = "normal"
    NEGATIVE = "negative"  # a negative amount: red
    MUTED = "muted"  # secondary text
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    GOOD = "good"


# Blanks sort first, then numbers, then text: a column holds one kind of value.
SortKey = tuple[int, Decimal | str]
BLANK_KEY: SortKey = (0, "")


@dataclass(frozen=True, slots=True)
class Column:
    """A column of a display table: its title, alignment, tooltip and width."""

    title: str  # may hold a line break: a two-line header
    align: Align = Align.LEFT
    tooltip: str = ""
    stretch: bool = False  # takes the spare width of the view
    strong: bool = False  # bold, like a net column
    key: str = ""  # a stable name for code and tests (defaults to the title)

    @property
    def name(self) -> str:
        """The column's stable name: its key, else its title."""
        return self.key or self.title


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell: its text, how it sorts, its tone and the exact number behind it."""

    text: str
    sort_key: SortKey = BLANK_KEY
    tone: Tone = Tone.NORMAL
    tooltip: str = ""
    value: Decimal | None = None  # the exact number behind the text, when there is one


@dataclass(frozen=True, slots=True)
class Row:
    """One row of a display table: its cells, and whether it is a totals row."""

    cells: tuple[Cell, ...]
    total: bool = False  # a totals row: bold, kept at the bottom whatever the sort
    category: str = ""  # what a category filter looks at (e.g. the severity)
    key: str = ""  # what the row stands for (a participant id, a file path, a run id)


@dataclass(frozen=True, slots=True)
class DisplayTable:
    """A table as a view shows it, Qt-free: columns and rows of formatted cells."""

    columns: tuple[Column, ...]
    rows: tuple[Row, ...] = ()

    def column(self, name: str) -> int:
        """The index of the column with this key (or title)."""
        return [c.name for c in self.columns].index(name)

    def texts(self, name: str) -> list[str]:
        """The texts of the column with this key (or title), top to bottom."""
        i = self.column(name)
        return [row.cells[i].text for row in self.rows]


EMPTY_TABLE = DisplayTable(())


def text_cell(text: str, tone: Tone = Tone.NORMAL, tooltip: str = "") -> Cell:
    """A text cell, sorted without regard to case."""
    return Cell(text, (2, text.casefold()) if text else BLANK_KEY, tone, tooltip or "")


DASH = "–"


def money_cell(
    value: Decimal | None, decimals: int, tooltip: str = "", dash_zero: bool = False
) -> Cell:
    """An amount: grouped to the currency unit, red when negative; zero as a dash if asked."""
    if value is None:
        return Cell("", BLANK_KEY)
    text = money(value, decimals)
    if dash_zero and text.lstrip("-").strip("0.,") == "":
        return Cell(DASH, (1, value), Tone.MUTED, tooltip, value)
    tone = Tone.NEGATIVE if text.startswith("-") else Tone.NORMAL
    return Cell(text, (1, value), tone, tooltip, value)


def number_cell(value: Decimal | None, places: int = 2, tooltip: str = "") -> Cell:
    """A number to `places` decimals, red when negative."""
    if value is None:
        return Cell("", BLANK_KEY)
    tone = Tone.NEGATIVE if value < 0 else Tone.NORMAL
    return Cell(number(value, places), (1, value), tone, tooltip, value)


def percent_cell(value: Decimal | None, places: int = 1, tooltip: str = "") -> Cell:
    """A rate as a percent to `places` decimals."""
    if value is None:
        return Cell("", BLANK_KEY)
    return Cell(percent(value, places), (1, value), Tone.NORMAL, tooltip, value)


def int_cell(value: int, tooltip: str = "") -> Cell:
    """A whole number, grouped by thousands."""
    return Cell(f"{value:,}", (1, Decimal(value)), Tone.NORMAL, tooltip, Decimal(value))
