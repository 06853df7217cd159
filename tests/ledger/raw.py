"""Direct access to a ledger's database in tests, past the Ledger class: to look at
stored rows, or to change them as someone editing the database by hand would."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psycopg

from partnerclose.ledger.postgres import program_schema
from partnerclose.urls import is_server_url

PROGRAM = Path("program.xlsx")


def rows(where: str | Path, query: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Run one statement (`?` placeholders) directly on the program's ledger, committed."""
    if isinstance(where, str) and is_server_url(where):
        with psycopg.connect(where, autocommit=True) as connection:
            connection.execute(
                "SELECT set_config('search_path', %s, false)", (program_schema(PROGRAM.name),)
            )
            cursor = connection.execute(query.replace("?", "%s").encode(), parameters or None)
            return list(cursor.fetchall()) if cursor.description else []
    connection = sqlite3.connect(where, isolation_level=None)
    try:
        return connection.execute(query, parameters).fetchall()
    finally:
        connection.close()


def schema_version(where: str | Path) -> int:
    if isinstance(where, str) and is_server_url(where):
        return int(rows(where, "SELECT version FROM schema_version")[0][0])
    return int(rows(where, "PRAGMA user_version")[0][0])


def set_schema_version(where: str | Path, version: int) -> None:
    if isinstance(where, str) and is_server_url(where):
        rows(where, "UPDATE schema_version SET version = ?", (version,))
    else:
        rows(where, f"PRAGMA user_version = {int(version)}")
