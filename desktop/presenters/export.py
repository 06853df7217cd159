"""The Export view: what the close wrote, listed from its output folder."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Protocol

from desktop.presenters.formatting import participant_label, plural
from desktop.presenters.session import Change, Session
from desktop.presenters.table import Align, Cell, Column, DisplayTable, Row, Tone, text_cell

DOCUMENTS = {
    "close_pack.xlsx": (0, "Close pack"),
    "lines.csv": (1, "Settlement lines (CSV)"),
    "journal.csv": (2, "Journal for the general ledger (CSV)"),
    "exceptions.csv": (3, "Exceptions (CSV)"),
}
STATEMENTS = "statements"

COLUMNS = (
    Column("Document", stretch=True),
    Column("File"),
    Column("Size", Align.RIGHT),
    Column("Modified", Align.RIGHT),
)


class ExportView(Protocol):
    """What the export presenter needs of its view."""

    def refresh(self) -> None:
        """Redraw the page from the presenter."""

    def open_path(self, path: Path) -> None:
        """Open a file or folder with the system's application."""

    def show_error(self, title: str, text: str) -> None:
        """Show an error message with its title."""


def size_text(size: int) -> str:
    """A file size as a user reads it: 512 B, 3.4 KB, 1.2 MB."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{(Decimal(size) / 1024):.1f} KB"
    return f"{(Decimal(size) / (1024 * 1024)):.1f} MB"


def modified_text(path: Path) -> str:
    """When a file was last changed, in local time (`2026-11-03 14:05`)."""
    stamp = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).astimezone()
    return stamp.strftime("%Y-%m-%d %H:%M")


def describe(relative: Path, names: dict[str, str]) -> tuple[int, str]:
    """The order and the plain name of an output file."""
    if relative.parts[0] == STATEMENTS and len(relative.parts) == 2:
        kind = "Statement (PDF)" if relative.suffix == ".pdf" else "Statement"
        return 10, f"{kind} · {participant_label(relative.stem, names)}"
    known = DOCUMENTS.get(relative.as_posix())
    if known is not None:
        return known
    return 20, relative.name


def output_files(folder: Path) -> list[Path]:
    """Every file in the folder and below, hidden ones (temporary folders) left out."""
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )


def files_table(folder: Path, names: dict[str, str]) -> DisplayTable:
    """One row per output file of a close: what it is, its file, size and time modified."""
    entries = []
    for path in output_files(folder):
        relative = path.relative_to(folder)
        order, label = describe(relative, names)
        entries.append((order, relative.as_posix(), label, path))
    entries.sort()
    rows = []
    for order, relative_text, label, path in entries:
        size = path.stat().st_size
        rows.append(
            Row(
                (
                    Cell(label, (1, f"{order:03d}{relative_text}")),
                    text_cell(relative_text, Tone.MUTED),
                    Cell(size_text(size), (1, Decimal(size)), Tone.NORMAL, f"{size:,} bytes"),
                    text_cell(modified_text(path)),
                ),
                key=str(path),
            )
        )
    return DisplayTable(COLUMNS, tuple(rows))


class ExportPresenter:
    """The Export page: the files the close wrote, to open or hand on."""

    def __init__(self, session: Session) -> None:
        """Follow `session`; the file list changes with its close, program, period and folders."""
        self.session = session
        self.view: ExportView | None = None
        self.table = DisplayTable(COLUMNS)
        session.subscribe(self._changed)

    def bind(self, view: ExportView) -> None:
        """Attach the view and draw it."""
        self.view = view
        self.refresh()

    def _changed(self, change: Change) -> None:
        if change in (Change.CLOSE, Change.PROGRAM, Change.PERIOD, Change.FOLDERS):
            self.refresh()

    def folder(self) -> Path | None:
        """The last close's output folder, else where a close of the period would write."""
        outcome = self.session.closed
        if outcome is not None and outcome.output is not None:
            return outcome.output
        return self.session.output_folder()

    def refresh(self) -> None:
        """List the output folder's files again and redraw the view."""
        folder = self.folder()
        self.table = (
            files_table(folder, self.session.partner_names()) if folder else DisplayTable(COLUMNS)
        )
        if self.view is not None:
            self.view.refresh()

    def headline(self) -> str:
        """What the page says over the files: how many statements, or what to do first."""
        folder = self.folder()
        if folder is None:
            return "Open a program workbook and run a close to export its statements."
        if not folder.is_dir():
            return f"Nothing written yet for {self.session.period}: run a close first."
        statements = len(  # a statement's workbook and its PDF are one statement
            {
                Path(r.cells[1].text).stem
                for r in self.table.rows
                if r.cells[1].text.startswith(STATEMENTS)
            }
        )
        detail = f"; {plural(statements, 'statement')}" if statements else ""
        return f"{plural(len(self.table.rows), 'file')} in the output folder{detail}."

    def folder_text(self) -> str:
        """The output folder as text ("" when no program is open)."""
        folder = self.folder()
        return str(folder) if folder else ""

    def can_open_folder(self) -> bool:
        """Whether the output folder exists, so it can be opened."""
        folder = self.folder()
        return folder is not None and folder.is_dir()

    def can_open_statements(self) -> bool:
        """Whether the statements folder exists, so it can be opened."""
        folder = self.folder()
        return folder is not None and (folder / STATEMENTS).is_dir()

    def open_folder(self) -> None:
        """Open the output folder."""
        self._open(self.folder())

    def open_statements(self) -> None:
        """Open the folder of the statements."""
        folder = self.folder()
        self._open(folder / STATEMENTS if folder else None)

    def open_row(self, row: int) -> None:
        """Open the file of the table's row `row`."""
        if 0 <= row < len(self.table.rows):
            self._open(Path(self.table.rows[row].key))

    def _open(self, path: Path | None) -> None:
        if self.view is None:
            return
        if path is None or not path.exists():
            self.view.show_error(
                "Nothing to open", f"{path or 'The output folder'} does not exist (yet)."
            )
            return
        self.view.open_path(path)
