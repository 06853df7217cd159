"""The ledger on a PostgreSQL server that a finance team shares (outputs.md, revision 2).

The same `Ledger` interface and rules as the SQLite file; what differs is here:
- each program has its own schema on the server (`program_schema`), with the same
  tables and schema versions as an SQLite ledger (server_schema.py);
- every write transaction first takes the program's advisory lock, so closes of one
  program are serialised by the server (a second waits up to `timeout`, then is
  refused), while closes of other programs run at the same time;
- the user of a run is the database user (`session_user`), not a name the client
  reports, and approving needs membership of the role APPROVERS (`setup_server`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any

import psycopg
from psycopg import errors, sql

from partnerclose.ledger.chain import Rows
from partnerclose.ledger.errors import (
    LedgerBusyError,
    LedgerDamagedError,
    LedgerRefusedError,
    LedgerTooNewError,
)
from partnerclose.ledger.schema import LATEST
from partnerclose.ledger.server_schema import SERVER_MIGRATIONS
from partnerclose.ledger.store import Ledger, _damaged
from partnerclose.urls import shown_url

# Database roles made by `partnerclose ledger-setup`: who may use the ledgers, who may approve.
USERS = "partnerclose_users"
APPROVERS = "partnerclose_approvers"


def program_schema(program_name: str) -> str:
    """The program's schema: its workbook's file name in lower case letters, digits and
    underscores, and 8 hex digits of its exact name, so names that differ only in case
    or punctuation never share a ledger (PostgreSQL names hold at most 63 bytes)."""
    readable = re.sub(r"[^a-z0-9]+", "_", program_name.lower()).strip("_")[:40]
    tag = hashlib.sha256(program_name.encode()).hexdigest()[:8]
    return f"pc_{readable}_{tag}"


class _ServerDatabase:
    """psycopg's connection with the `?` placeholders the ledger's statements use."""

    def __init__(self, connection: psycopg.Connection[Any]) -> None:
        self.connection = connection

    def execute(self, statement: str, parameters: Sequence[Any] = (), /) -> Rows:
        query = statement.replace("?", "%s")
        return self.connection.execute(query.encode(), parameters or None)

    def executemany(self, statement: str, rows: Iterable[Sequence[Any]], /) -> None:
        with self.connection.cursor() as cursor:
            cursor.executemany(statement.replace("?", "%s").encode(), rows)

    def close(self) -> None:
        self.connection.close()


class ServerLedger(Ledger):
    """A program's ledger on a PostgreSQL server; `program_name` is its workbook's name."""

    def __init__(
        self, url: str, program_name: str, timeout: float = 10.0, *, read_only: bool = False
    ) -> None:
        self.url = url
        self.schema = program_schema(program_name)
        self.name = f"{shown_url(url)} (program {program_name}, schema {self.schema})"
        self.timeout = timeout
        self.read_only = read_only
        try:
            connection = psycopg.connect(url, autocommit=True, connect_timeout=max(1, int(timeout)))
        except (psycopg.Error, ValueError) as exc:
            raise LedgerRefusedError(
                f"cannot reach the ledger server {shown_url(url)}: {_first_line(exc)}"
            ) from exc
        self._db = _ServerDatabase(connection)
        try:
            self._open()
        except LedgerRefusedError:
            self._db.close()
            raise
        except Exception as exc:
            self._db.close()
            refusal = self.refusal(exc)
            if refusal is None:
                raise
            raise refusal from exc

    @property
    def path(self) -> str:  # type: ignore[override]
        return self.name

    def _open(self) -> None:
        self._db.execute("SELECT set_config('search_path', ?, false)", (self.schema,))
        if self.exists():
            version = self.schema_version()
            if version > LATEST:
                raise LedgerTooNewError(
                    f"the ledger has schema version {version}; this release knows up to "
                    f"{LATEST}. Install a newer PartnerClose."
                )
            if version == LATEST or self.read_only:
                return
        elif self.read_only:
            raise LedgerDamagedError(f"there is no ledger of this program on {self.name}")
        self._migrate()

    def exists(self) -> bool:
        """Whether the program has a ledger (its schema) on the server."""
        row = self._db.execute(
            "SELECT 1 FROM pg_namespace WHERE nspname = ?", (self.schema,)
        ).fetchone()
        return row is not None

    def schema_version(self) -> int:
        row = self._db.execute("SELECT version FROM schema_version").fetchone()
        return 0 if row is None else int(row[0])

    def _migrate(self) -> None:
        with self.transaction() as db:
            if not self.exists():
                db.execute(
                    sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(self.schema)).as_string()
                )
                db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
                db.execute("INSERT INTO schema_version VALUES (0)")
        for number in range(LATEST):
            with self.transaction() as db:
                if self.schema_version() != number:
                    continue  # migrated before, or by another client meanwhile
                for step in SERVER_MIGRATIONS[number]:
                    if isinstance(step, str):
                        db.execute(step)
                    else:
                        step(db)
                db.execute("UPDATE schema_version SET version = ?", (number + 1,))

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """One write transaction holding the program's advisory lock: a second close of
        the program waits for it up to `timeout` seconds, then stops with LedgerBusyError."""
        try:
            self._db.execute("BEGIN")
            self._db.execute(
                "SELECT set_config('lock_timeout', ?, true)", (f"{int(self.timeout * 1000)}ms",)
            )
            self._db.execute("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", (self.schema,))
        except Exception as exc:
            self._rollback()
            refusal = self.refusal(exc)
            if refusal is None:
                raise
            raise refusal from exc
        try:
            yield self._db
        except BaseException:
            self._rollback()
            raise
        try:
            self._db.execute("COMMIT")
        except psycopg.Error as exc:
            raise self.refusal(exc) or _damaged(self.name, exc) from exc

    def _rollback(self) -> None:
        with suppress(psycopg.Error):  # the connection is gone: the server rolled back
            self._db.execute("ROLLBACK")

    def refusal(self, exc: Exception) -> LedgerRefusedError | None:
        if isinstance(exc, (errors.LockNotAvailable, errors.QueryCanceled)):
            return LedgerBusyError(
                f"another close is running on the ledger {self.name}; try again when it "
                "has finished"
            )
        if isinstance(exc, errors.InsufficientPrivilege):
            return LedgerRefusedError(
                f"the database user may not use the ledger {self.name} "
                f"({_first_line(exc)}); ask the administrator to grant {USERS} to it"
            )
        if isinstance(exc, psycopg.OperationalError):
            return LedgerRefusedError(
                f"the connection to the ledger server {shown_url(self.url)} failed "
                f"({_first_line(exc)}); nothing unfinished was recorded"
            )
        if isinstance(exc, (psycopg.Error, ValueError, ArithmeticError, KeyError)):
            return _damaged(self.name, exc)
        return None

    def user(self) -> str:
        return str(self._db.execute("SELECT session_user").fetchone()[0])

    def check_approver(self) -> None:
        member = self._db.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ?) "
            "AND pg_has_role(session_user, ?, 'MEMBER')",
            (APPROVERS, APPROVERS),
        ).fetchone()[0]
        if not member:
            raise LedgerRefusedError(
                f"the database user {self.user()} may not approve or reject: approving "
                f"needs membership of the database role {APPROVERS} (the administrator "
                f"grants it: GRANT {APPROVERS} TO {self.user()})"
            )

    def close(self) -> None:
        self._db.close()


def server_has_ledger(url: str, program_name: str) -> bool:
    """Whether the program has a ledger on the server (nothing is created)."""
    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=10) as connection:
            row = connection.execute(
                "SELECT 1 FROM pg_namespace WHERE nspname = %s", (program_schema(program_name),)
            ).fetchone()
    except (psycopg.Error, ValueError) as exc:
        raise LedgerRefusedError(
            f"cannot reach the ledger server {shown_url(url)}: {_first_line(exc)}"
        ) from exc
    return row is not None


def setup_server(url: str, program_name: str) -> str:
    """Create the roles USERS and APPROVERS (when missing) and the program's ledger, and
    give USERS the use of it; run by a database administrator. What was done, in words."""
    with ServerLedger(url, program_name) as ledger:
        db = ledger._db
        for role in (USERS, APPROVERS):
            exists = db.execute("SELECT 1 FROM pg_roles WHERE rolname = ?", (role,)).fetchone()
            if exists is None:
                db.execute(
                    sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)).as_string()
                )
        schema = sql.Identifier(ledger.schema)
        users = sql.Identifier(USERS)
        for grant in (
            "GRANT USAGE ON SCHEMA {} TO {}",
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}",
            "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}",
        ):
            db.execute(sql.SQL(grant).format(schema, users).as_string())
        return (
            f"The ledger of {program_name} is ready on {ledger.name}. Give each member of "
            f"the team the use of it with GRANT {USERS} TO name, and those who approve "
            f"closes also GRANT {APPROVERS} TO name."
        )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
