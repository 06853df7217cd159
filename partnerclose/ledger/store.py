"""The ledger store: who closed what, when, with which lines and carried state.

Rules (outputs.md "Ledger of closes"):
- a draft close can be rerun; a rerun replaces the draft (kept as 'replaced');
- a final close locks its period; closing it again is refused;
- final closes come in order: a final close of a period needs the month before
  it final, unless the period is the program's first: the earliest period ever
  closed final (reopened or not), or any period while none ever was;
- reopen needs a reason, is audited, keeps the reopened lines as history, and
  is allowed only for the last final period (later periods build on it).

A ledger that cannot be read (not a database, damaged, from a newer release, a
folder) is refused with a plain message (LedgerDamagedError), never a traceback.

Every write happens in one `BEGIN IMMEDIATE` transaction: a second close on
the same ledger waits up to `timeout` seconds for the first, then stops with
LedgerBusyError. Queries are parameterised only.
"""

from __future__ import annotations

import functools
import getpass
import hashlib
import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple, Protocol, Self, TypeVar, cast, runtime_checkable
from urllib.parse import quote

from partnerclose import __version__
from partnerclose.checkpoints import checkpoint
from partnerclose.core.lines import Component, Line
from partnerclose.core.period import Period
from partnerclose.ledger.approval import ApprovalState, approval_state, check_decider, check_final
from partnerclose.ledger.chain import (
    Break,
    Database,
    RunSeal,
    places_of,
    seal_audit,
    seal_send,
    verify_chain,
    verify_kept,
)
from partnerclose.ledger.errors import (
    LedgerBusyError,
    LedgerDamagedError,
    LedgerRefusedError,
    LedgerTooNewError,
)
from partnerclose.ledger.schema import (
    KEPT_INPUTS_VERSION,
    LATEST,
    RUN_FILES_SCHEMA,
    SENDS_SCHEMA,
    migrate,
)
from partnerclose.ledger.state_files import read_paid_deals

# The ledger's errors live in errors.py (schema.py raises one too); imported from here.
__all__ = [
    "LedgerBusyError",
    "LedgerDamagedError",
    "LedgerRefusedError",
    "LedgerTooNewError",
]


def _damaged(path: Path | str, exc: BaseException) -> LedgerDamagedError:
    detail = str(exc) or type(exc).__name__
    return LedgerDamagedError(
        f"the ledger {path} cannot be read ({detail}); it is damaged or not a PartnerClose "
        "ledger. Restore it from a backup, or give another file with --ledger"
    )


_Method = TypeVar("_Method", bound=Callable[..., Any])


def _plain_faults(method: _Method) -> _Method:
    """A fault of the ledger file (damaged pages, a value that is no number, a busy
    database) becomes a LedgerRefusedError with a plain message."""

    @functools.wraps(method)
    def checked(self: Ledger, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except LedgerRefusedError:
            raise
        except Exception as exc:
            refusal = self.refusal(exc)
            if refusal is None:
                raise
            raise refusal from exc

    return cast(_Method, checked)


@dataclass(frozen=True, slots=True)
class PendingSwap:
    """A committed run whose output folder is not yet in place (output_folder.Swap)."""

    run_id: int
    output: str
    partial: str
    backup: str


@dataclass(frozen=True, slots=True)
class RunInfo:
    run_id: int
    period: str
    kind: str  # draft | final
    status: str  # current | replaced | reopened
    started_at: str
    finished_at: str
    user: str
    version: str
    program: str
    output: str


@dataclass(frozen=True, slots=True)
class KeptInput:
    """An input workbook a run read: where it was, its role, and whether its bytes are kept."""

    path: str
    role: str  # program | partner | program-saved (the add-in's saved file)
    sha256: str
    size: int | None  # None: not kept (a run recorded before the ledger kept inputs)

    @property
    def kept(self) -> bool:
        return self.size is not None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: str
    user: str
    action: str
    period: str
    run_id: int | None
    reason: str


@dataclass(frozen=True, slots=True)
class SendRecord:
    """One event of a statement e-mail (ledger schema 7): attempt, sent, failed, written."""

    run_id: int
    period: str
    partner_id: str
    statement: str  # the statement number, e.g. P001-2026-10-1
    event: str
    via: str  # "smtp HOST:PORT" or "eml"
    to: tuple[str, ...]
    cc: tuple[str, ...]
    message_id: str
    attachments: tuple[tuple[str, str], ...]  # (file name, SHA-256)
    at: str = ""
    user: str = ""
    detail: str = ""


class PaidDealRow(NamedTuple):
    """A paid deal as read back, amounts as decimals."""

    deal_id: str
    partner_id: str
    period: str
    close_date: str
    amount: Decimal
    deal_type: str
    product: str
    rate: Decimal
    bonus_rate: Decimal
    share: Decimal
    currency: str | None = None  # None: recorded before paid deals kept their currency
    source_amount: Decimal | None = None


# A paid deal as written: PaidDealRow's fields, every one as text (a plain tuple,
# as a month of a million deals is built for SQLite and nothing else); "" for no
# source amount. Rows written before deals kept their currency have ten fields.
PaidDealText = tuple[str, ...]


@runtime_checkable
class PackedPaidDeals(Protocol):
    """A run's new paid deals that make their packed text themselves (faster than a
    row of text per deal and json.dumps)."""

    def packed(self) -> Iterator[tuple[str, str]]:
        """(partner_id, the JSON text of its PaidDealText rows, as json.dumps gives it
        with ensure_ascii off and no spaces), by partner; none for a partner without."""
        ...


@dataclass(frozen=True, slots=True)
class StoredState:
    """Carried state as the ledger keeps it, engine-neutral.

    `values[kind][key]` are small maps (a snapshot per final run); paid deals,
    payments on deals and reversals are summed over all current final runs,
    `runs` (in period order).
    """

    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    paid_deals: Sequence[PaidDealRow] = ()
    deal_payments: Mapping[str, Decimal] = field(default_factory=dict)
    reversals: Mapping[str, Decimal] = field(default_factory=dict)
    runs: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class RunFile:
    """A file a run wrote outside the ledger, registered by path and SHA-256 (schema 9):
    a partition of its Parquet lines, or its paid deals (`kind` lines | paid_deals)."""

    kind: str
    path: str  # absolute, in the run's output folder once it is swapped in
    sha256: str
    rows: int


@dataclass(frozen=True, slots=True)
class RunRecord:
    """What a close writes to the ledger."""

    period: Period
    final: bool
    started_at: str
    program: str
    output: str
    inputs: Sequence[tuple[str, str, str]]  # (path, role, sha256)
    lines: Sequence[Line]
    values: Mapping[str, Mapping[str, str]]
    # (partner_id, its deals), or deals that pack themselves (state_codec.NewPaidDeals)
    new_paid_deals: Iterable[tuple[str, Sequence[PaidDealText]]] | PackedPaidDeals
    deal_payments: Mapping[str, Decimal]  # deal_id -> paid by this run
    reversals: Mapping[str, Decimal]  # deal_id -> reversed by this run
    based_on: tuple[int, ...] = ()  # StoredState.runs of the state the close started from
    approval_required: bool = False  # the program's `approval_required` (a final needs it)
    # (path, sha256) -> the exact bytes of that input (P0), asked only for a SHA-256 the
    # ledger does not hold yet; None: no bytes are kept (tests of the rules alone).
    read_input: Callable[[str, str], bytes] | None = None
    # Schema 9: the run's Parquet files; with a `paid_deals` file, `new_paid_deals` is
    # in that file and not packed into the ledger.
    files: Sequence[RunFile] = ()


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def current_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no user name in a bare container
        return "unknown"


class Ledger:
    """The ledger file; `read_only` opens it for reading only (history), and never
    creates, migrates or writes it, so a user without write access can read it."""

    # sqlite3's connection here; postgres.ServerLedger's adapter takes the same statements.
    _db: Any

    def __init__(self, path: Path, timeout: float = 10.0, *, read_only: bool = False) -> None:
        self.path = path
        self.timeout = timeout
        self.read_only = read_only
        if path.is_dir():
            raise LedgerRefusedError(
                f"cannot open the ledger {path}: it is a folder, not a ledger file"
            )
        try:
            if read_only:
                self._db = self._connect_read_only()
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(path, timeout=timeout, isolation_level=None)
            self._db.execute("PRAGMA foreign_keys = ON")
        except (OSError, sqlite3.Error) as exc:
            raise LedgerRefusedError(f"cannot open the ledger {path}: {exc}") from exc
        try:
            if read_only:
                self._open_read_only()
            else:
                self._prepare()
        except LedgerRefusedError:
            self._db.close()
            raise
        except (sqlite3.DatabaseError, ValueError) as exc:
            self._db.close()
            raise _damaged(path, exc) from exc

    def refusal(self, exc: Exception) -> LedgerRefusedError | None:
        """A fault of the database as a plain refusal; None: not a ledger fault."""
        if isinstance(exc, sqlite3.OperationalError) and _is_busy(exc):
            return LedgerBusyError(_busy_message(self.path))
        if isinstance(exc, (sqlite3.DatabaseError, ValueError, ArithmeticError, KeyError)):
            return _damaged(self.path, exc)
        return None

    def user(self) -> str:
        """Who the ledger records as the user of a run (on SQLite: the OS user)."""
        return current_user()

    def check_approver(self) -> None:
        """Refuse an approver the ledger cannot trust; SQLite can only compare names."""

    def _prepare(self) -> None:
        # Switching to WAL and migrating take exclusive locks without waiting for
        # the busy timeout; two closes opening a new ledger at once retry here.
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                self._db.execute("PRAGMA journal_mode = WAL")
                migrate(self._db)
                return
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or time.monotonic() > deadline:
                    if _is_busy(exc):
                        raise LedgerBusyError(_busy_message(self.path)) from exc
                    raise
                time.sleep(0.05)

    def _connect_read_only(self, immutable: bool = False) -> sqlite3.Connection:
        flags = "mode=ro&immutable=1" if immutable else "mode=ro"
        uri = f"file:{quote(str(self.path.absolute()))}?{flags}"
        return sqlite3.connect(uri, uri=True, timeout=self.timeout)

    def _open_read_only(self) -> None:
        try:
            self._check_version()
        except sqlite3.OperationalError:
            # A WAL ledger needs its -shm file, which a reader without write access
            # to the folder cannot create. With no unsaved changes in the -wal file
            # (the last close ended), the file alone is the whole ledger.
            wal = self.path.with_name(self.path.name + "-wal")
            if wal.exists() and wal.stat().st_size > 0:
                raise
            self._db.close()
            self._db = self._connect_read_only(immutable=True)
            self._check_version()

    def _check_version(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > LATEST:
            raise LedgerTooNewError(
                f"the ledger has schema version {version}; this release knows up to {LATEST}. "
                "Install a newer PartnerClose."
            )
        if version == 0:  # an empty file or another SQLite database
            raise LedgerDamagedError(f"{self.path} is not a PartnerClose ledger (no runs table)")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- reading -------------------------------------------------------------

    @_plain_faults
    def history(self) -> list[RunInfo]:
        rows = self._db.execute(
            'SELECT run_id, period, kind, status, started_at, finished_at, "user", version, '
            "program, output FROM runs ORDER BY run_id"
        ).fetchall()
        return [RunInfo(*row) for row in rows]

    @_plain_faults
    def audit_trail(self) -> list[AuditEntry]:
        rows = self._db.execute(
            'SELECT at, "user", action, period, run_id, reason FROM audit ORDER BY audit_id'
        ).fetchall()
        return [AuditEntry(*row) for row in rows]

    @_plain_faults
    def lines(self, run_id: int) -> list[Line]:
        rows = self._db.execute(
            "SELECT period, partner_id, component, item, amount, rule, description, quantity, "
            "rate, status FROM lines WHERE run_id = ? ORDER BY seq",
            (run_id,),
        ).fetchall()
        return [
            Line(
                p,
                pid,
                Component(c),
                item,
                Decimal(a),
                rule,
                d,
                None if q is None else Decimal(q),
                None if r is None else Decimal(r),
                s,
            )
            for p, pid, c, item, a, rule, d, q, r, s in rows
        ]

    @_plain_faults
    def run_inputs(self, run_id: int) -> list[KeptInput]:
        """The input workbooks of a run, in the order it read them."""
        size = "b.size" if self.schema_version() >= KEPT_INPUTS_VERSION else "NULL"
        blobs = (
            "LEFT JOIN input_blobs b ON b.sha256 = i.sha256 "
            if self.schema_version() >= KEPT_INPUTS_VERSION
            else ""
        )
        rows = self._db.execute(
            f"SELECT i.path, i.role, i.sha256, {size} FROM run_inputs i {blobs}"
            "WHERE i.run_id = ? ORDER BY i.role <> 'program', i.role, i.path",
            (run_id,),
        ).fetchall()
        return [
            KeptInput(str(p), str(r), str(h), None if n is None else int(n)) for p, r, h, n in rows
        ]

    def schema_version(self) -> int:
        """The ledger's schema version (a reader opens an older ledger unmigrated)."""
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    @_plain_faults
    def input_content(self, sha256: str) -> bytes | None:
        """The kept bytes of an input workbook, None when the ledger does not hold them."""
        if self.schema_version() < KEPT_INPUTS_VERSION:
            return None
        row = self._db.execute(
            "SELECT content FROM input_blobs WHERE sha256 = ?", (sha256,)
        ).fetchone()
        return None if row is None else bytes(row[0])

    @_plain_faults
    def kept_bytes(self) -> int:
        """The size of every kept input, each stored once."""
        if self.schema_version() < KEPT_INPUTS_VERSION:
            return 0
        row = self._db.execute("SELECT COALESCE(SUM(size), 0) FROM input_blobs").fetchone()
        return int(row[0])

    @_plain_faults
    def final_runs(self, period: Period) -> list[RunInfo]:
        """The period's final runs in order (reopened ones, then the current one)."""
        return [run for run in self.history() if run.period == str(period) and run.kind == "final"]

    @_plain_faults
    def totals_between(self, first: Period, before: Period) -> dict[str, dict[Component, Decimal]]:
        """participant -> component -> Σ lines of current final runs in [first, before)."""
        totals: dict[str, dict[Component, Decimal]] = {}
        for partner_id, component, amount in self._db.execute(
            "SELECT l.partner_id, l.component, l.amount FROM lines l JOIN runs r "
            "ON r.run_id = l.run_id WHERE r.kind = 'final' AND r.status = 'current' "
            "AND r.period >= ? AND r.period < ?",
            (str(first), str(before)),
        ):
            by_component = totals.setdefault(partner_id, {})
            key = Component(component)
            by_component[key] = by_component.get(key, Decimal(0)) + Decimal(amount)
        return totals

    @_plain_faults
    def final_line_amounts(
        self, first: Period, before: Period, partner_ids: Iterable[str]
    ) -> list[tuple[str, str, Component, Decimal]]:
        """(period, participant, component, amount) of every line of the given
        participants in the current final runs of [first, before): what a statement
        in another currency converts line by line at each period's rate (X2)."""
        wanted = set(partner_ids)
        if not wanted:
            return []
        return [
            (period, partner_id, Component(component), Decimal(amount))
            for period, partner_id, component, amount in self._db.execute(
                "SELECT r.period, l.partner_id, l.component, l.amount FROM lines l JOIN runs r "
                "ON r.run_id = l.run_id WHERE r.kind = 'final' AND r.status = 'current' "
                "AND r.period >= ? AND r.period < ? ORDER BY r.period, l.seq",
                (str(first), str(before)),
            )
            if partner_id in wanted
        ]

    @_plain_faults
    def final_periods(self) -> list[str]:
        rows = self._db.execute(
            "SELECT period FROM runs WHERE kind = 'final' AND status = 'current' ORDER BY period"
        ).fetchall()
        return [row[0] for row in rows]

    @_plain_faults
    def check_close(self, period: Period, final: bool) -> None:
        """Raise LedgerRefusedError when this close may not run (outputs.md's order)."""
        finals = self.final_periods()
        text = str(period)
        if text in finals:
            raise LedgerRefusedError(f"period {text} is closed; reopen it first")
        if not final:
            return
        first = self.first_period()
        if first is None:
            return  # no final close ever: this one makes the program's first period
        expected = Period.parse(finals[-1]).shift(1) if finals else Period.parse(first)
        if period == expected:
            return
        if text < first:
            raise LedgerRefusedError(
                f"period {text} cannot be closed finally: the program's first period is "
                f"{first}, and final closes come in order from it"
            )
        if finals:
            raise LedgerRefusedError(
                f"period {text} cannot be closed before {expected}: final closes "
                f"come in order, and the last final close is {finals[-1]}"
            )
        raise LedgerRefusedError(
            f"period {text} cannot be closed before {expected}: final closes come in order, "
            f"and {expected}, the program's first period, was reopened; close it finally first"
        )

    @_plain_faults
    def first_period(self) -> str | None:
        """The program's first period: the earliest ever closed final (reopened or not)."""
        row = self._db.execute("SELECT MIN(period) FROM runs WHERE kind = 'final'").fetchone()
        return None if row is None or row[0] is None else str(row[0])

    @_plain_faults
    def approval(self, period: Period) -> ApprovalState:
        """The period's latest draft and the last approval or rejection of it."""
        return approval_state(self._db, str(period))

    @_plain_faults
    def verify(self) -> list[Break]:
        """The first run, audit and send record that break the hash chain, and every
        kept input whose bytes no longer have their SHA-256; [] when all holds."""
        kept = verify_kept(self._db) if self.schema_version() >= KEPT_INPUTS_VERSION else []
        chain = verify_chain(
            self._db,
            with_sends=self.schema_version() >= SENDS_SCHEMA,
            with_files=self.schema_version() >= RUN_FILES_SCHEMA,
        )
        return [*chain, *kept]

    @_plain_faults
    def current_run(self, period: Period, kind: str) -> RunInfo | None:
        """The period's current run of `kind` ("final" or "draft"); None without one."""
        row = self._db.execute(
            'SELECT run_id, period, kind, status, started_at, finished_at, "user", version, '
            "program, output FROM runs WHERE period = ? AND kind = ? AND status = 'current' "
            "ORDER BY run_id DESC LIMIT 1",
            (str(period), kind),
        ).fetchone()
        return None if row is None else RunInfo(*row)

    @_plain_faults
    def sends(self, period: Period) -> list[SendRecord]:
        """The period's send records, oldest first (none before schema 7)."""
        if self.schema_version() < SENDS_SCHEMA:
            return []
        rows = self._db.execute(
            "SELECT run_id, period, partner_id, statement, event, via, recipients, message_id, "
            'attachments, at, "user", detail FROM sends WHERE period = ? ORDER BY send_id',
            (str(period),),
        ).fetchall()
        found = []
        for run_id, period_, pid, number, event, via, recipients, mid, files, at, user, why in rows:
            addresses = json.loads(recipients)
            found.append(
                SendRecord(
                    int(run_id),
                    period_,
                    pid,
                    number,
                    event,
                    via,
                    tuple(addresses["to"]),
                    tuple(addresses["cc"]),
                    mid,
                    tuple((str(name), str(digest)) for name, digest in json.loads(files)),
                    at,
                    user,
                    why,
                )
            )
        return found

    @_plain_faults
    def record_send(self, *records: SendRecord) -> None:
        """Send events, committed at once in one transaction (a kill after it loses none)."""
        with self.transaction() as db:
            for record in records:
                send_id = db.execute(
                    "INSERT INTO sends (run_id, period, partner_id, statement, event, via, "
                    'recipients, message_id, attachments, at, "user", detail) VALUES '
                    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING send_id",
                    (
                        record.run_id,
                        record.period,
                        record.partner_id,
                        record.statement,
                        record.event,
                        record.via,
                        json.dumps({"to": list(record.to), "cc": list(record.cc)}),
                        record.message_id,
                        json.dumps([list(pair) for pair in record.attachments]),
                        record.at or now(),
                        record.user or self.user(),
                        record.detail,
                    ),
                ).fetchone()[0]
                seal_send(db, int(send_id))

    @_plain_faults
    def state_runs(self, period: Period) -> list[int]:
        """The current final runs of periods before `period`, whose state it starts from."""
        return [
            row[0]
            for row in self._db.execute(
                "SELECT run_id FROM runs WHERE kind = 'final' AND status = 'current' "
                "AND period < ? ORDER BY period",
                (str(period),),
            )
        ]

    @_plain_faults
    def load_state(self, period: Period) -> StoredState:
        """State left by the current final runs of periods before `period`."""
        runs = self.state_runs(period)
        if not runs:
            return StoredState()
        marks = ",".join("?" * len(runs))
        values: dict[str, dict[str, str]] = {}
        for kind, key, value in self._db.execute(
            "SELECT kind, key, value FROM state_values WHERE run_id = ?", (runs[-1],)
        ):
            values.setdefault(kind, {})[key] = value
        packed: dict[int, list[str]] = {}
        for run_id, deals in self._db.execute(
            f"SELECT run_id, deals FROM paid_deal_sets WHERE run_id IN ({marks}) "
            "ORDER BY run_id, partner_id",
            runs,
        ):
            packed.setdefault(int(run_id), []).append(deals)
        files = self._paid_deal_files(marks, runs)
        paid: list[PaidDealRow] = []
        for run_id in runs:  # in period order, each run's deals as it recorded them
            for deals in packed.get(run_id, ()):
                paid.extend(_paid_deal_row(fields) for fields in json.loads(deals))
            if run_id in files:
                path, sha256, closed = files[run_id]
                found = read_paid_deals(path, sha256, f"the final close of {closed} (run {run_id})")
                paid.extend(map(PaidDealRow._make, found))
        return StoredState(
            values,
            paid,
            self._sums("deal_payments", marks, runs),
            self._sums("reversals", marks, runs),
            tuple(runs),
        )

    def _paid_deal_files(self, marks: str, runs: list[int]) -> dict[int, tuple[str, str, str]]:
        """run id -> (path, SHA-256, period) of the runs' paid-deal files (schema 9)."""
        if self.schema_version() < RUN_FILES_SCHEMA:
            return {}
        return {
            int(run_id): (str(path), str(sha256), str(period))
            for run_id, path, sha256, period in self._db.execute(
                "SELECT f.run_id, f.path, f.sha256, r.period FROM run_files f JOIN runs r "
                f"ON r.run_id = f.run_id WHERE f.kind = 'paid_deals' AND f.run_id IN ({marks})",
                runs,
            )
        }

    @_plain_faults
    def run_files(self, run_id: int) -> list[RunFile]:
        """The files a run registered (its Parquet lines and paid deals), by kind and path."""
        if self.schema_version() < RUN_FILES_SCHEMA:
            return []
        rows = self._db.execute(
            "SELECT kind, path, sha256, row_count FROM run_files WHERE run_id = ? "
            "ORDER BY kind, path",
            (run_id,),
        ).fetchall()
        return [RunFile(str(k), str(p), str(h), int(n)) for k, p, h, n in rows]

    def _sums(self, table: str, marks: str, runs: list[int]) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = {}
        # `table` is one of two constants; values go through parameters.
        for deal_id, amount in self._db.execute(
            f"SELECT deal_id, amount FROM {table} WHERE run_id IN ({marks})",
            runs,
        ):
            totals[deal_id] = totals.get(deal_id, Decimal(0)) + Decimal(amount)
        return totals

    @_plain_faults
    def pending_swaps(self, output: str | None = None) -> list[PendingSwap]:
        """Committed runs whose output folder swap did not finish (all, or of `output`)."""
        rows = self._db.execute(
            "SELECT run_id, output, partial, backup FROM output_swaps ORDER BY run_id"
        ).fetchall()
        return [PendingSwap(*row) for row in rows if output is None or row[1] == output]

    @_plain_faults
    def output_folders(self) -> list[str]:
        """Every output folder a run was written to."""
        rows = self._db.execute("SELECT DISTINCT output FROM runs ORDER BY output").fetchall()
        return [str(row[0]) for row in rows]

    # --- writing -------------------------------------------------------------

    def add_pending_swap(self, db: Database, swap: PendingSwap) -> None:
        """Inside the run's `transaction()`: the folder swap it owes once committed."""
        db.execute(
            "INSERT INTO output_swaps VALUES (?, ?, ?, ?)",
            (swap.run_id, swap.output, swap.partial, swap.backup),
        )

    @_plain_faults
    def swap_done(self, run_id: int) -> None:
        """The run's output folder is in place."""
        with self.transaction() as db:
            db.execute("DELETE FROM output_swaps WHERE run_id = ?", (run_id,))

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """One write transaction; waits for another close, then gives up clearly."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if _is_busy(exc):
                raise LedgerBusyError(_busy_message(self.path)) from exc
            raise _damaged(self.path, exc) from exc
        except sqlite3.DatabaseError as exc:
            raise _damaged(self.path, exc) from exc
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    @_plain_faults
    def record_run(self, db: Any, run: RunRecord) -> int:
        """Inside `transaction()`: replace a draft of the period, write the run."""
        period = str(run.period)
        user = self.user()
        self.check_close(run.period, run.final)
        approved = ""
        if run.final and run.approval_required:
            approved = check_final(db, approval_state(db, period), run.inputs)
        if tuple(self.state_runs(run.period)) != run.based_on:
            raise LedgerRefusedError(
                f"the ledger changed while {period} was being closed (another close of an "
                "earlier period was recorded or reopened); run the close again"
            )
        db.execute(
            "UPDATE runs SET status = 'replaced' WHERE period = ? AND kind = 'draft' "
            "AND status = 'current'",
            (period,),
        )
        kind = "final" if run.final else "draft"
        run_id = self._insert_run(db, run, user)
        self._audit(db, f"close ({kind})", period, run_id, approved, user)
        return run_id

    @_plain_faults
    def record_restatement(
        self, db: Any, restated: Sequence[tuple[int, RunRecord]], reason: str
    ) -> dict[int, int]:
        """Inside `transaction()`, before the close of the open period that settles the
        differences: each final run given becomes 'replaced' (its lines and files stay
        as recorded) by a new final run of its period, the restated version (rules.md
        P3); audited as "restate". The replaced run id -> the new run id."""
        user = self.user()
        new_ids: dict[int, int] = {}
        for replaced, run in restated:
            row = db.execute(
                "SELECT status, kind, period FROM runs WHERE run_id = ?", (replaced,)
            ).fetchone()
            if row is None or tuple(row) != ("current", "final", str(run.period)):
                raise LedgerRefusedError(
                    f"the final close of {run.period} changed while it was being restated "
                    "(reopened or restated by another close); run the close again"
                )
            db.execute("UPDATE runs SET status = 'replaced' WHERE run_id = ?", (replaced,))
            run_id = self._insert_run(db, run, user)
            self._audit(db, "restate", str(run.period), run_id, reason, user)
            new_ids[replaced] = run_id
        return new_ids

    def _insert_run(self, db: Any, run: RunRecord, user: str) -> int:
        """A run's rows, sealed into the hash chain; its id."""
        period = str(run.period)
        kind = "final" if run.final else "draft"
        run_id = int(
            db.execute(
                'INSERT INTO runs (period, kind, status, started_at, finished_at, "user", '
                "version, program, output) VALUES (?, ?, 'current', ?, ?, ?, ?, ?, ?) "
                "RETURNING run_id",
                (period, kind, run.started_at, now(), user, __version__, run.program, run.output),
            ).fetchone()[0]
        )
        db.executemany(
            "INSERT INTO run_inputs VALUES (?, ?, ?, ?)", [(run_id, *entry) for entry in run.inputs]
        )
        if run.read_input is not None:
            _keep_inputs(db, run.inputs, run.read_input)
        seal = RunSeal(db, run_id)
        # Rows are generated as SQLite takes them, a batch at a time, and hashed on the
        # way: a million are never held at once, nor read back to be hashed.
        for seqs, columns in seal.lines(_line_columns(run.lines)):
            _insert_lines(db, run_id, seqs, columns)
        db.executemany(
            "INSERT INTO state_values VALUES (?, ?, ?, ?)",
            [
                (run_id, kind_, key, value)
                for kind_, values in sorted(run.values.items())
                for key, value in sorted(values.items())
            ],
        )
        db.executemany(
            "INSERT INTO paid_deal_sets VALUES (?, ?, ?)",
            ((run_id, partner_id, deals) for partner_id, deals in _packed(run.new_paid_deals)),
        )
        db.executemany(
            "INSERT INTO run_files VALUES (?, ?, ?, ?, ?)",
            [(run_id, f.kind, f.path, f.sha256, f.rows) for f in run.files],
        )
        db.executemany(
            "INSERT INTO deal_payments VALUES (?, ?, ?)",
            _amount_rows(run_id, run.deal_payments.items()),
        )
        db.executemany(
            "INSERT INTO reversals VALUES (?, ?, ?)", _amount_rows(run_id, run.reversals.items())
        )
        seal.seal()
        return run_id

    @_plain_faults
    def decide(self, period: Period, approved: bool, text: str) -> int:
        """Approve (or reject, with a reason) the period's latest draft; its run id."""
        if not approved and not text.strip():
            raise LedgerRefusedError("reject needs a reason")
        user = self.user()
        with self.transaction() as db:
            run_id = check_decider(approval_state(db, str(period)), user)
            self.check_approver()
            action = "approve" if approved else "reject"
            self._audit(db, action, str(period), run_id, text.strip(), user)
        return run_id

    @_plain_faults
    def reopen(self, period: Period, reason: str) -> int:
        """Unlock the last final period; its run is kept as 'reopened' history."""
        if not reason.strip():
            raise LedgerRefusedError("reopen needs a reason")
        text = str(period)
        with self.transaction() as db:
            finals = self.final_periods()
            if text not in finals:
                raise LedgerRefusedError(f"period {text} is not closed; nothing to reopen")
            if finals[-1] != text:
                raise LedgerRefusedError(
                    f"period {text} cannot be reopened while {finals[-1]} is closed; reopen "
                    f"{finals[-1]} first"
                )
            run_id = int(
                db.execute(
                    "SELECT run_id FROM runs WHERE period = ? AND kind = 'final' AND "
                    "status = 'current'",
                    (text,),
                ).fetchone()[0]
            )
            db.execute("UPDATE runs SET status = 'reopened' WHERE run_id = ?", (run_id,))
            self._audit(db, "reopen", text, run_id, reason.strip(), self.user())
        return run_id

    def _audit(
        self,
        db: Any,
        action: str,
        period: str,
        run_id: int | None,
        reason: str,
        user: str,
    ) -> None:
        audit_id = db.execute(
            'INSERT INTO audit (at, "user", action, period, run_id, reason) VALUES '
            "(?, ?, ?, ?, ?, ?) RETURNING audit_id",
            (now(), user, action, period, run_id, reason),
        ).fetchone()[0]
        seal_audit(db, int(audit_id))


def _keep_inputs(
    db: Any, inputs: Sequence[tuple[str, str, str]], read: Callable[[str, str], bytes]
) -> None:
    """The bytes of each input whose SHA-256 the ledger does not hold yet (P0); bytes
    that no longer have the hash the close read refuse the run (the file changed)."""
    for path, _, sha256 in dict.fromkeys(inputs):
        if db.execute("SELECT 1 FROM input_blobs WHERE sha256 = ?", (sha256,)).fetchone():
            continue
        content = read(path, sha256)
        if hashlib.sha256(content).hexdigest() != sha256:
            raise LedgerRefusedError(
                f"{Path(path).name} changed while the close ran (its bytes are not the ones "
                "it read); nothing was recorded: close again"
            )
        db.execute(
            "INSERT INTO input_blobs (sha256, size, content) VALUES (?, ?, ?)",
            (sha256, len(content), content),
        )
        checkpoint("keeping")


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def _busy_message(path: Path | str) -> str:
    name = path.name if isinstance(path, Path) else path
    return f"another close is running on the ledger {name}; try again when it has finished"


# Lines turned into columns this many at a time (the text of one batch is held at once).
_LINE_BATCH = 4096
# A component (a StrEnum) -> its value as a plain str, as str() gives it.
_COMPONENT_TEXT = {component: str(component) for component in Component}


def _line_columns(lines: Sequence[Line]) -> Iterator[tuple[Sequence[str | None], ...]]:
    """The lines' columns as inserted after seq (RunSeal's order), a batch at a time."""
    for start in range(0, len(lines), _LINE_BATCH):
        # Line's fields in their order; one more field fails here rather than going unseen.
        period, partner_id, component, item, amount, rule, description, quantity, rate, status = (
            zip(*lines[start : start + _LINE_BATCH], strict=True)
        )
        yield (
            period,
            partner_id,
            list(map(_COMPONENT_TEXT.get, component, component)),  # a str as it is
            item,
            description,
            _decimal_texts(quantity),
            _decimal_texts(rate),
            list(map(str, amount)),
            status,
            rule,
        )


def _decimal_texts(values: Sequence[Decimal | None]) -> list[str | None]:
    """str() of each value, None for None (a few: found by C, not by a test of each)."""
    texts: list[str | None] = list(map(str, values))
    for place in places_of(values, None):
        texts[place] = None
    return texts


# Lines inserted this many in one statement: SQLite's cost of running a statement is
# about a third of inserting a line one by one (measured: 1.40 -> 0.96 s for 561,640).
_LINES_PER_INSERT = 256
_LINE_WIDTH = 12  # the lines table's columns
_LINE_VALUES = "(" + ", ".join("?" * _LINE_WIDTH) + ")"


def _insert_statement(rows: int) -> str:
    return "INSERT INTO lines VALUES " + ", ".join([_LINE_VALUES] * rows)


_INSERT_LINES = _insert_statement(_LINES_PER_INSERT)


def _insert_lines(db: Any, run_id: int, seqs: range, columns: Sequence[Sequence[object]]) -> None:
    """A batch of lines, rows (run_id, seq, the columns) in seq order (so rowids follow
    seq); the parameters laid out row by row from the columns by slice assignments,
    not a tuple per row."""
    count, width = len(seqs), _LINE_WIDTH
    if len(columns) != width - 2:
        raise ValueError(f"a lines row has {width} columns, not {len(columns) + 2}")
    values: list[object] = [None] * (count * width)
    values[0::width] = [run_id] * count
    values[1::width] = seqs
    for place, column in enumerate(columns, 2):
        values[place::width] = column
    step = _LINES_PER_INSERT * width
    whole = (count - count % _LINES_PER_INSERT) * width
    db.executemany(_INSERT_LINES, (values[start : start + step] for start in range(0, whole, step)))
    if whole < len(values):
        db.execute(_insert_statement(count % _LINES_PER_INSERT), values[whole:])


def _packed(
    deals: Iterable[tuple[str, Sequence[PaidDealText]]] | PackedPaidDeals,
) -> Iterator[tuple[str, str]]:
    """(partner_id, the packed text of its paid deals) of each partner with some."""
    if isinstance(deals, PackedPaidDeals):
        return deals.packed()
    return (
        (partner_id, json.dumps(rows, ensure_ascii=False, separators=(",", ":")))
        for partner_id, rows in deals
        if rows
    )


def _amount_rows(run_id: int, items: Iterable[tuple[str, Decimal]]) -> list[tuple[int, str, str]]:
    return [(run_id, key, str(amount)) for key, amount in sorted(items) if amount != 0]


def _paid_deal_row(fields: Sequence[str]) -> PaidDealRow:
    """A stored paid deal: ten fields, or twelve with its currency and source amount."""
    d, p, per, cd, a, t, prod, r, b, s, *kept = fields
    row = PaidDealRow(d, p, per, cd, Decimal(a), t, prod, Decimal(r), Decimal(b), Decimal(s))
    if not kept:
        return row
    currency, source = kept
    return row._replace(currency=currency, source_amount=Decimal(source) if source else None)
