"""Data from Parquet or CSV files or a database query: the program workbook's `Sources`.

Each `Sources` row names one source of one kind of data sheet (Deals, Usage, Metrics or
Campaigns) that holds that sheet's columns with `partner_id` first, as the program
workbook's own data sheets do (docs/sources.md). A source is read into the same grid a
worksheet gives, its header as row 1 and its rows numbered from 2 (a CSV file's line
numbers), and from there on it is read, checked and merged exactly as the program
workbook's data sheets: the same cell rules, the same messages, located at the file
(or the query's database), the kind and the cell.

Files are read through DuckDB: CSV as text only (an amount is never guessed into a
binary float), Parquet with its own types (DECIMAL as Decimal, DATE as date). A query
runs read-only on SQLite (the standard library), DuckDB or PostgreSQL (psycopg).
Nothing about a source changes money silently: a location that matches no file, a file
that cannot be read, a query that fails or a database that cannot be reached is an
error at the `Sources` cell, and the close computes nothing.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from partnerclose.core import records as r
from partnerclose.core import schema as s
from partnerclose.core.period import Period
from partnerclose.core.problems import Problem
from partnerclose.core.records import Loc
from partnerclose.reading.build import DATA_RECORDS, build_table
from partnerclose.reading.grid import SheetGrid, WorkbookGrids
from partnerclose.reading.xlsx import DEFAULT_LIMITS, Limits
from partnerclose.urls import shown_url

FILE_FORMATS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv"}
SQL_SCHEMES = ("sqlite:///", "duckdb:///", "postgresql://", "postgres://")
CONNECT_TIMEOUT_S = 10


@dataclass(frozen=True, slots=True)
class Source:
    """One row of the `Sources` sheet."""

    kind: str
    location: str
    format: str
    query: str
    loc: Loc


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file a source read: kept with the run as its evidence (rules.md P0)."""

    path: Path
    sha256: str


@dataclass(frozen=True, slots=True)
class SourcesRead:
    """The rows of every source, as one program-workbook data set, and what went wrong."""

    data: r.PeriodData
    problems: tuple[Problem, ...]
    files: tuple[SourceFile, ...]


class SourceError(Exception):
    """A source that cannot be read; the message says which and why, `column` the
    Sources cell at fault."""

    def __init__(self, message: str, column: str = "location") -> None:
        super().__init__(message)
        self.column = column


def read_sources(
    grids: WorkbookGrids, base_folder: Path, period: Period, limits: Limits = DEFAULT_LIMITS
) -> SourcesRead:
    """Every source the program workbook's `Sources` sheet names, read and row-checked."""
    sources, problems = build_table(grids, s.SOURCES, Source)
    found: dict[str, list[Any]] = {kind: [] for kind in s.SOURCE_KINDS}
    files: list[SourceFile] = []
    for source in sources:
        try:
            tables, read = _read(source, base_folder, period, limits)
        except SourceError as exc:
            problems.append(source.loc.error(str(exc), exc.column))
            continue
        files += read
        spec = s.with_partner_id(next(d for d in s.DATA_SHEETS if d.name == source.kind))
        for shown, header, rows in tables:
            table = WorkbookGrids(shown, {source.kind: SheetGrid(source.kind, [header, *rows])})
            built, row_problems = build_table(table, spec, DATA_RECORDS[source.kind])
            found[source.kind] += built
            problems += row_problems
    data = r.PeriodData(
        usage=tuple(found[s.USAGE.name]),
        deals=tuple(found[s.DEALS.name]),
        metrics=tuple(found[s.METRICS.name]),
        campaigns=tuple(found[s.CAMPAIGNS.name]),
    )
    return SourcesRead(data, tuple(problems), tuple(files))


def with_sources(program_data: r.PeriodData, sources: r.PeriodData) -> r.PeriodData:
    """The program workbook's own data rows followed by its sources' rows."""
    if not (sources.usage or sources.deals or sources.metrics or sources.campaigns):
        return program_data
    return r.PeriodData(
        usage=(*program_data.usage, *sources.usage),
        deals=(*program_data.deals, *sources.deals),
        metrics=(*program_data.metrics, *sources.metrics),
        campaigns=(*program_data.campaigns, *sources.campaigns),
        submissions=program_data.submissions,
    )


# (what a problem names as the file, header, rows) of each file or query of a source
Tables = list[tuple[str, list[object], list[Sequence[object]]]]


def _read(
    source: Source, base_folder: Path, period: Period, limits: Limits
) -> tuple[Tables, list[SourceFile]]:
    location = source.location.strip().replace("{period}", str(period))
    form = source.format or _format_of(location)
    if form == "sql":
        return [_query(source, location, base_folder, period, limits)], []
    if source.query.strip():
        raise SourceError(f"a query is read only for format sql, not for {form}", "query")
    paths = _matching(location, base_folder)
    tables: Tables = []
    files = []
    for path in paths:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise SourceError(
                f"{_shown(path, base_folder)} is {size:,} bytes, more than the limit of "
                f"{limits.max_file_bytes:,}"
            )
        content = path.read_bytes()
        files.append(SourceFile(path, hashlib.sha256(content).hexdigest()))
        header, rows = _read_file(path, form, base_folder)
        _check_rows(len(rows), _shown(path, base_folder), limits)
        tables.append((_shown(path, base_folder), header, rows))
    return tables, files


def _format_of(location: str) -> str:
    if location.startswith(SQL_SCHEMES):
        return "sql"
    suffix = Path(location).suffix.lower()
    if suffix in FILE_FORMATS:
        return FILE_FORMATS[suffix]
    raise SourceError(
        f"cannot tell the format of {location!r} from its name: give format parquet, csv or sql"
    )


def _matching(location: str, base_folder: Path) -> list[Path]:
    pattern = Path(location)
    if pattern.is_absolute():
        root, relative = Path(pattern.anchor), str(pattern.relative_to(pattern.anchor))
    else:
        root, relative = base_folder, location
    if any(ch in relative for ch in "*?["):
        paths = sorted(p for p in root.glob(relative) if p.is_file())
    else:
        single = root / relative
        paths = [single] if single.is_file() else []
    if not paths:
        raise SourceError(f"no file matches {location} (in {root})")
    return paths


def _read_file(path: Path, form: str, base_folder: Path) -> tuple[list[object], list[Any]]:
    import duckdb  # only a program with sources pays for importing it

    with duckdb.connect(":memory:") as db:
        try:
            if form == "csv":  # text only: "1234.50" stays exact, a date is read by the rules
                result = db.execute(
                    "SELECT * FROM read_csv(?, header = true, all_varchar = true)", [str(path)]
                )
            else:
                result = db.execute("SELECT * FROM read_parquet(?)", [str(path)])
            header: list[object] = [column[0] for column in result.description or ()]
            return header, result.fetchall()
        except duckdb.Error as exc:
            raise SourceError(
                f"{_shown(path, base_folder)} cannot be read as {form}: {_first_line(exc)}"
            ) from exc


def _query(
    source: Source, url: str, base_folder: Path, period: Period, limits: Limits
) -> tuple[str, list[object], list[Sequence[object]]]:
    text = source.query.strip()
    if not text:
        raise SourceError("format sql needs a query", "query")
    text = (
        text.replace("{period_start}", period.first_day.isoformat())
        .replace("{period_end}", period.last_day.isoformat())
        .replace("{period}", str(period))
    )
    shown = shown_url(url)
    header, rows = _run_query(url, text, base_folder, shown)
    _check_rows(len(rows), shown, limits)
    return shown, header, rows


def _run_query(
    url: str, text: str, base_folder: Path, shown: str
) -> tuple[list[object], list[Sequence[object]]]:
    """The query's columns and rows, on a connection that cannot write."""
    import duckdb
    import psycopg  # only for a sql source: it is a fifth of a small close's start-up

    try:
        if url.startswith(("postgresql://", "postgres://")):
            with psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S) as db:
                db.read_only = True
                cursor = db.execute(text)  # type: ignore[arg-type]  # the user's own query
                return [c.name for c in cursor.description or ()], list(cursor.fetchall())
        path = _database_file(url, base_folder)
        if url.startswith("sqlite:///"):
            with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True) as lite:
                cursor_lite = lite.execute(text)
                columns = [c[0] for c in cursor_lite.description or ()]
                return columns, list(cursor_lite.fetchall())
        with duckdb.connect(str(path), read_only=True) as duck:
            result = duck.execute(text)
            return [c[0] for c in result.description or ()], list(result.fetchall())
    except psycopg.OperationalError as exc:
        raise SourceError(f"cannot reach the database {shown}: {_first_line(exc)}") from exc
    except (psycopg.Error, sqlite3.Error, duckdb.Error) as exc:
        raise SourceError(f"the query on {shown} failed: {_first_line(exc)}", "query") from exc


def _database_file(url: str, base_folder: Path) -> Path:
    """The file of a sqlite:/// or duckdb:/// URL: relative to the program workbook's
    folder, absolute with a fourth slash (sqlite:////data/deals.db)."""
    name = url.split(":///", 1)[1]
    path = Path(name) if Path(name).is_absolute() else base_folder / name
    if not path.is_file():
        raise SourceError(f"no database file {path}")
    return path


def _check_rows(count: int, shown: str, limits: Limits) -> None:
    if count > limits.max_rows_per_sheet:
        raise SourceError(
            f"{shown} has {count:,} rows, more than the limit of {limits.max_rows_per_sheet:,}"
        )


def _shown(path: Path, base_folder: Path) -> str:
    try:
        return path.relative_to(base_folder).as_posix()
    except ValueError:
        return str(path)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
