"""The ledger's hash chain: tamper-evident runs and audit records (outputs.md, evidence).

Each run and each audit record carries `sha256`, the SHA-256 of the record before it in
its chain (`prev_sha256`) followed by its own content. A run's content is its row
(without `status`, which later records change and the audit trail explains), its
inputs, lines, carried state and paid deals; an audit record's content is its row and
the hash of the run it names, and so is a send record's (a statement e-mail, schema 7).
Runs form one chain (by run_id), audit records another (by audit_id), send records a
third (by send_id), and every audit and send record of a run is bound to that run's
hash, so editing any recorded value, deleting or inserting a record breaks the chain at that record.

The content is read back from the database in one canonical order, so the same
records hash the same on SQLite and PostgreSQL, at writing and at verifying.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, cast

# The hash before a chain's first record.
GENESIS = "0" * 64


class Rows(Protocol):
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def __iter__(self) -> Iterator[Any]: ...


class Database(Protocol):
    """What the ledger needs of a connection: sqlite3's, or the PostgreSQL adapter."""

    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> Rows: ...


# A run's content: each query's rows, in this order. `?` is the run's id.
_RUN_PARTS = (
    'SELECT run_id, period, kind, started_at, finished_at, "user", version, program, output '
    "FROM runs WHERE run_id = ?",
    "SELECT path, role, sha256 FROM run_inputs WHERE run_id = ? ORDER BY path, role, sha256",
    "SELECT seq, period, partner_id, component, item, description, quantity, rate, amount, "
    "status, rule FROM lines WHERE run_id = ? ORDER BY seq",
    "SELECT kind, key, value FROM state_values WHERE run_id = ? ORDER BY kind, key",
    "SELECT partner_id, deals FROM paid_deal_sets WHERE run_id = ? ORDER BY partner_id",
    "SELECT deal_id, amount FROM deal_payments WHERE run_id = ? ORDER BY deal_id",
    "SELECT deal_id, amount FROM reversals WHERE run_id = ? ORDER BY deal_id",
)
# Schema 9: the files a run registered (its Parquet lines and paid deals). A part of the
# run's content only when the run has some, so that every earlier run hashes as before.
_FILES_PART = (
    "SELECT kind, path, sha256, row_count FROM run_files WHERE run_id = ? ORDER BY kind, path"
)

_SEND_ROW = (
    "SELECT s.send_id, s.run_id, s.period, s.partner_id, s.statement, s.event, s.via, "
    's.recipients, s.message_id, s.attachments, s.at, s."user", s.detail, r.sha256 '
    "FROM sends s LEFT JOIN runs r ON r.run_id = s.run_id WHERE s.send_id = ?"
)

_AUDIT_ROW = (
    'SELECT a.audit_id, a.at, a."user", a.action, a.period, a.run_id, a.reason, r.sha256 '
    "FROM audit a LEFT JOIN runs r ON r.run_id = a.run_id WHERE a.audit_id = ?"
)


@dataclass(frozen=True, slots=True)
class Break:
    """The first record of a chain that does not fit, in plain words."""

    record: str  # "run 3 (2026-10, final)" or "audit record 5 (reopen 2026-10)"
    why: str


# A row as hashed: its JSON text (ensure_ascii off, no spaces), as json.dumps gives it.
# The C encoder made once, not per row as json.dumps does: half a million lines a
# month (about two thirds of hashing them). The pure-Python encoder where C has none.
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_C_ENCODER: Any = getattr(json.encoder, "c_make_encoder", None)
# (a list or tuple, 0) -> the pieces of its text.
_chunks: Callable[[object, int], Sequence[str]] = (
    _C_ENCODER(
        None, _JSON.default, json.encoder.encode_basestring, None, ":", ",", False, False, True
    )
    if _C_ENCODER is not None
    else lambda row, _: (_JSON.encode(row),)  # pragma: no cover - CPython has _json
)


def _text(row: Iterable[object]) -> str:
    return "".join(_chunks(row if isinstance(row, (list, tuple)) else list(row), 0))


def _encode(row: Iterable[object]) -> bytes:
    return (_text(row) + "\n").encode()


def _digest(prev: str, rows: Iterable[Iterable[object]]) -> str:
    hasher = hashlib.sha256(prev.encode())
    for row in rows:
        hasher.update(_encode(row))
    return hasher.hexdigest()


# The part of a run's content that holds its lines (RunSeal hashes it as written).
_LINES_PART = 2
# The lines part's columns after seq (period, partner_id, component, item, description,
# quantity, rate, amount, status, rule): which repeat a few values in a month's lines.
_LINE_COLUMNS_REPEAT = (True, True, True, False, True, False, False, False, True, True)
# A column's table of texts is dropped beyond this many values (memory bounded): the
# column does not repeat a few values after all, and its texts are made one by one.
_TABLE_LIMIT = 50_000
# A str's JSON text, as the encoder gives it (a TypeError for any other value).
_string_text = cast(Callable[[object], str], json.encoder.encode_basestring)


def _scalar_text(value: object) -> str:
    return _text((value,))[1:-1]


class _Texts(dict[object, str]):
    """value -> its JSON text, made once per distinct value: for values that are equal
    only when their texts are (str and None; not 1 and True, or 1 and 1.0)."""

    def __missing__(self, value: object) -> str:
        text = self[value] = _scalar_text(value)
        return text


def _value_texts(values: Sequence[object]) -> Iterable[str]:
    """Each value's JSON text: the C function alone while all are text (or None)."""
    try:
        return list(map(_string_text, values))
    except TypeError:  # a None (no quantity, no rate) or a number among them
        pass
    nulls = places_of(values, None)  # a few: found by C, not by a test of each value
    if nulls:
        blanked = list(values)
        for place in nulls:
            blanked[place] = ""
        try:
            texts = list(map(_string_text, blanked))
        except TypeError:  # a number
            pass
        else:
            for place in nulls:
                texts[place] = "null"
            return texts
    return [_string_text(v) if isinstance(v, str) else _scalar_text(v) for v in values]


def places_of(values: Sequence[object], value: object) -> list[int]:
    """Where `value` is among `values` (compared by identity first, then ==)."""
    found: list[int] = []
    place = -1
    try:
        while True:
            place = values.index(value, place + 1)
            found.append(place)
    except ValueError:
        return found


def _run_rows(db: Database, run_id: int, with_files: bool) -> Iterator[Iterable[object]]:
    for number in range(len(_RUN_PARTS)):
        yield from _part_rows(db, run_id, number)
    yield from _files_rows(db, run_id, with_files)


def _part_rows(db: Database, run_id: int, number: int) -> Iterator[Iterable[object]]:
    yield (f"part {number}",)  # so rows cannot move from one part to another
    yield from db.execute(_RUN_PARTS[number], (run_id,))


def _files_rows(db: Database, run_id: int, with_files: bool) -> Iterator[Iterable[object]]:
    """The run's files, as the part after the others; nothing when it has none."""
    files = db.execute(_FILES_PART, (run_id,)).fetchall() if with_files else []
    if files:
        yield (f"part {len(_RUN_PARTS)}",)
        yield from files


def run_hash(db: Database, run_id: int, prev: str, *, with_files: bool = True) -> str:
    """A run's hash; `with_files` False for a ledger before schema 9 (no run_files)."""
    return _digest(prev, _run_rows(db, run_id, with_files))


def audit_hash(db: Database, audit_id: int, prev: str) -> str:
    return _digest(prev, db.execute(_AUDIT_ROW, (audit_id,)).fetchall())


def send_hash(db: Database, send_id: int, prev: str) -> str:
    return _digest(prev, db.execute(_SEND_ROW, (send_id,)).fetchall())


def _last(db: Database, table: str, key: str, before: int) -> str:
    # `table` and `key` are constants of this module; values go through parameters.
    row = db.execute(
        f"SELECT sha256 FROM {table} WHERE {key} < ? ORDER BY {key} DESC LIMIT 1", (before,)
    ).fetchone()
    return GENESIS if row is None or row[0] is None else str(row[0])


def seal_run(db: Database, run_id: int, *, with_files: bool = True) -> None:
    """Inside the run's transaction, once all its rows are written: its place in the chain."""
    prev = _last(db, "runs", "run_id", run_id)
    _write_seal(db, run_id, prev, run_hash(db, run_id, prev, with_files=with_files))


def _write_seal(db: Database, run_id: int, prev: str, sha256: str) -> None:
    db.execute(
        "UPDATE runs SET prev_sha256 = ?, sha256 = ? WHERE run_id = ?", (prev, sha256, run_id)
    )


class RunSeal:
    """A run's place in the chain, hashed as its rows are written: the same bytes as
    run_hash reads back, but its lines (half a million a month) hashed on their way
    into the database instead of read back and sorted by seq again.

    Inside the run's transaction: `RunSeal(db, run_id)` once the run's row and its
    inputs are written, then `lines(batches)` gives the lines to insert a batch at a
    time, then `seal()` once every other row of the run is written.
    """

    def __init__(self, db: Database, run_id: int) -> None:
        self._db = db
        self._run_id = run_id
        self._prev = _last(db, "runs", "run_id", run_id)
        self._hasher = hashlib.sha256(self._prev.encode())
        self._lines = "unwritten"  # then "writing", then "hashed"
        for number in range(_LINES_PART):
            self._part(number)

    def _hash(self, rows: Iterable[Iterable[object]]) -> None:
        # Row by row as read: a part's text (a month's paid deals, ~60 MB) never whole.
        update = self._hasher.update
        for row in rows:
            update(_encode(row))

    def _part(self, number: int) -> None:
        self._hash(_part_rows(self._db, self._run_id, number))

    def lines(
        self, batches: Iterable[Sequence[Sequence[object]]]
    ) -> Iterator[tuple[range, Sequence[Sequence[object]]]]:
        """`batches` of the lines part's columns after seq (period to rule, each value a
        str, int or None), a few thousand rows each, hashed as each is taken: each batch's
        seqs (from 0, in order) and columns, to be inserted as rows (the run's id, seq,
        the columns) in seq order before the next is taken."""
        if self._lines != "unwritten":
            raise RuntimeError("a run's lines are hashed once")
        self._lines = "writing"
        return self._hashed(batches)

    def _hashed(
        self, batches: Iterable[Sequence[Sequence[object]]]
    ) -> Iterator[tuple[range, Sequence[Sequence[object]]]]:
        # A batch's text built column by column (C loops, not a Python call per row): a
        # column that repeats a few values (period, partner, component...) from a table
        # of their texts, the others value by value; then joined row by row.
        self._hash([(f"part {_LINES_PART}",)])  # the part's rows: the lines, as inserted
        tables = [_Texts() if repeats else None for repeats in _LINE_COLUMNS_REPEAT]
        seq = 0
        for columns in batches:
            count = len(columns[0])
            seqs = range(seq, seq + count)
            texts = [
                _value_texts(column) if table is None else map(table.__getitem__, column)
                for column, table in zip(columns, tables, strict=True)
            ]
            rows = "]\n[".join(map(",".join, zip(map(str, seqs), *texts, strict=True)))
            self._hasher.update(f"[{rows}]\n".encode() if count else b"")
            yield seqs, columns
            seq += count
            for place, table in enumerate(tables):
                if table is not None and len(table) > _TABLE_LIMIT:
                    tables[place] = None  # a column that does not repeat after all
        self._lines = "hashed"

    def seal(self, *, with_files: bool = True) -> None:
        """The rest of the run's content read back, and its hash written."""
        if self._lines == "unwritten":  # a run without lines: hashed as one
            for _ in self.lines(()):
                pass
        if self._lines != "hashed":
            raise RuntimeError("a run's lines were not all written before it was sealed")
        for number in range(_LINES_PART + 1, len(_RUN_PARTS)):
            self._part(number)
        self._hash(_files_rows(self._db, self._run_id, with_files))
        _write_seal(self._db, self._run_id, self._prev, self._hasher.hexdigest())


def seal_audit(db: Database, audit_id: int) -> None:
    prev = _last(db, "audit", "audit_id", audit_id)
    db.execute(
        "UPDATE audit SET prev_sha256 = ?, sha256 = ? WHERE audit_id = ?",
        (prev, audit_hash(db, audit_id, prev), audit_id),
    )


def seal_send(db: Database, send_id: int) -> None:
    """A send record's place in the third chain (bound to its run's hash)."""
    prev = _last(db, "sends", "send_id", send_id)
    db.execute(
        "UPDATE sends SET prev_sha256 = ?, sha256 = ? WHERE send_id = ?",
        (prev, send_hash(db, send_id, prev), send_id),
    )


def seal_all(db: Database) -> None:
    """The migration that adds the chain: existing records sealed in their order."""
    for (run_id,) in db.execute("SELECT run_id FROM runs ORDER BY run_id").fetchall():
        seal_run(db, int(run_id), with_files=False)  # schema 5: no run_files yet
    for (audit_id,) in db.execute("SELECT audit_id FROM audit ORDER BY audit_id").fetchall():
        seal_audit(db, int(audit_id))


def verify_chain(db: Database, *, with_sends: bool = True, with_files: bool = True) -> list[Break]:
    """The first record of each chain (runs, audit and, from schema 7, sends) that does not
    fit; [] when all hold. `with_files`: the ledger has run_files (schema 9)."""

    def hash_of_run(db: Database, run_id: int, prev: str) -> str:
        return run_hash(db, run_id, prev, with_files=with_files)

    runs = _first_misfit(
        db,
        "SELECT run_id, period || ', ' || kind, prev_sha256, sha256 FROM runs ORDER BY run_id",
        lambda key, what: f"run {key} ({what})",
        hash_of_run,
        "run",
    )
    audit = _first_misfit(
        db,
        "SELECT audit_id, action || ' ' || period, prev_sha256, sha256 FROM audit "
        "ORDER BY audit_id",
        lambda key, what: f"audit record {key} ({what})",
        audit_hash,
        "record",
    )
    sends = (
        _first_misfit(
            db,
            "SELECT send_id, event || ' ' || partner_id || ' ' || period, prev_sha256, sha256 "
            "FROM sends ORDER BY send_id",
            lambda key, what: f"send record {key} ({what})",
            send_hash,
            "record",
        )
        if with_sends
        else None
    )
    return [found for found in (runs, audit, sends) if found is not None]


def _first_misfit(
    db: Database,
    query: str,  # (key, description, prev_sha256, sha256) of each record, in chain order
    name: Callable[[int, str], str],
    content_hash: Callable[[Database, int, str], str],
    what: str,
) -> Break | None:
    prev = GENESIS
    for key, description, stored_prev, stored in db.execute(query).fetchall():
        why = _misfit(prev, stored_prev, stored, content_hash(db, int(key), prev), what)
        if why:
            return Break(name(int(key), str(description)), why)
        prev = stored
    return None


def _misfit(prev: str, stored_prev: str | None, stored: str | None, actual: str, what: str) -> str:
    if stored_prev != prev:
        return (
            f"it names {stored_prev or 'no record'} as the record before it, but the record "
            f"before it has hash {prev}: a record before it was removed or inserted"
        )
    if stored != actual:
        return (
            f"its content no longer has the hash it was recorded with ({stored}, now "
            f"{actual}): the {what} or a row of it was changed after it was recorded"
        )
    return ""


def verify_kept(db: Database) -> list[Break]:
    """Every kept input (rules.md P0) whose bytes no longer have the SHA-256 they are kept
    under: the runs name their inputs by hash, inside the chain, so a changed byte of a
    kept workbook shows here."""
    found = []
    keys = [str(row[0]) for row in db.execute("SELECT sha256 FROM input_blobs ORDER BY sha256")]
    for sha256 in keys:  # one workbook in memory at a time
        (content,) = db.execute(
            "SELECT content FROM input_blobs WHERE sha256 = ?", (sha256,)
        ).fetchone()
        actual = hashlib.sha256(bytes(content)).hexdigest()
        if actual != sha256:
            names = sorted(
                {
                    str(path).replace("\\", "/").rsplit("/", 1)[-1]
                    for (path,) in db.execute(
                        "SELECT path FROM run_inputs WHERE sha256 = ?", (sha256,)
                    ).fetchall()
                }
            )
            found.append(
                Break(
                    f"the kept input {', '.join(names) or sha256}",
                    f"its bytes no longer have the SHA-256 the runs name ({sha256}, now "
                    f"{actual}): the kept workbook was changed after it was recorded",
                )
            )
    return found
