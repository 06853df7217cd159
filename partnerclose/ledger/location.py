"""Where a program's ledger is: an SQLite file (the default) or a PostgreSQL server.

`--ledger PATH-or-URL` wins; else the environment variable PARTNERCLOSE_LEDGER (a
team sets its server once for everyone); else PROGRAM.ledger.sqlite beside the
program workbook. A `postgresql://` URL names the server, the program's workbook
file name names its ledger there (postgres.program_schema).
"""

from __future__ import annotations

import os
from pathlib import Path

from partnerclose.ledger.store import Ledger
from partnerclose.urls import is_server_url, shown_url

ENVIRONMENT_VARIABLE = "PARTNERCLOSE_LEDGER"

# A ledger's place: a file, or a server URL (kept as text: a Path would fold its '//').
Where = Path | str


def default_ledger(program_path: Path) -> Path:
    return program_path.with_name(program_path.name + ".ledger.sqlite")


def ledger_location(program_path: Path, given: Where | None = None) -> Where:
    """The ledger of `program_path`: `given`, else PARTNERCLOSE_LEDGER, else the file beside."""
    chosen = given if given is not None and str(given) else os.environ.get(ENVIRONMENT_VARIABLE)
    if not chosen:
        return default_ledger(program_path)
    if is_server_url(chosen):
        return str(chosen)
    return Path(chosen)


def open_ledger(
    where: Where, program_path: Path, timeout: float = 10.0, *, read_only: bool = False
) -> Ledger:
    """Open (creating and migrating unless `read_only`) the ledger at `where`."""
    if isinstance(where, str) and is_server_url(where):
        # psycopg only for a server ledger: it is a fifth of a small close's start-up.
        from partnerclose.ledger.postgres import ServerLedger

        return ServerLedger(where, program_path.name, timeout, read_only=read_only)
    return Ledger(Path(where), timeout, read_only=read_only)


def ledger_exists(where: Where, program_path: Path) -> bool:
    """Whether the program has a ledger there yet (history of a program never closed)."""
    if isinstance(where, str) and is_server_url(where):
        from partnerclose.ledger.postgres import server_has_ledger

        return server_has_ledger(where, program_path.name)
    return Path(where).exists()


def describe_ledger(where: Where) -> str:
    """The place in words, without a password."""
    if isinstance(where, str) and is_server_url(where):
        return shown_url(where)
    return str(where)
