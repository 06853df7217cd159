"""Ledger schema and its migrations.

`PRAGMA user_version` holds the schema version. Each migration is a list of
statements run in one transaction; a newer release appends migrations and
never edits old ones, so it can open any older ledger.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from partnerclose.ledger.chain import Database, seal_all
from partnerclose.ledger.errors import LedgerTooNewError

# A step of a migration: a statement, or a function run on the open transaction.
Step = str | Callable[[Database], None]

# 5: the hash chain (chain.py): every run and audit record sealed, old ones in order.
CHAIN_MIGRATION: tuple[Step, ...] = (
    "ALTER TABLE runs ADD COLUMN prev_sha256 TEXT",
    "ALTER TABLE runs ADD COLUMN sha256 TEXT",
    "ALTER TABLE audit ADD COLUMN prev_sha256 TEXT",
    "ALTER TABLE audit ADD COLUMN sha256 TEXT",
    seal_all,
)

# 6: kept inputs (rules.md P0): the exact bytes of every input workbook a run read,
# once per SHA-256 (a file unchanged from run to run is stored once). `run_inputs`
# names them by hash, and is part of what a run's hash in the chain covers; runs
# recorded before this version kept no bytes.
INPUTS_MIGRATION: tuple[Step, ...] = (
    """CREATE TABLE input_blobs (
        sha256 TEXT PRIMARY KEY,
        size INTEGER NOT NULL,
        content BLOB NOT NULL
    )""",
)
# 7: every statement e-mail, as events: 'attempt' is committed before a message goes to
# the SMTP server and 'sent' or 'failed' after, so a kill in between leaves a record
# (an attempt without an outcome, which a rerun does not repeat without --resend);
# 'written' is an .eml file. Sealed in a third hash chain (chain.py).
SENDS_COLUMNS = """
    period TEXT NOT NULL,
    partner_id TEXT NOT NULL,
    statement TEXT NOT NULL,
    event TEXT NOT NULL CHECK (event IN ('attempt', 'sent', 'failed', 'written')),
    via TEXT NOT NULL,
    recipients TEXT NOT NULL,
    message_id TEXT NOT NULL,
    attachments TEXT NOT NULL,
    at TEXT NOT NULL,
    "user" TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    prev_sha256 TEXT,
    sha256 TEXT
)"""
SENDS_INDEX = "CREATE INDEX sends_by_partner ON sends (period, partner_id, send_id)"
SENDS_MIGRATION: tuple[Step, ...] = (
    "CREATE TABLE sends (send_id INTEGER PRIMARY KEY, "
    "run_id INTEGER NOT NULL REFERENCES runs (run_id)," + SENDS_COLUMNS,
    SENDS_INDEX,
)
# The first schema that has the sends table.
SENDS_SCHEMA = 7
# 8: a run's lines without the (run_id, seq) primary key, found by an index on run_id
# alone. A month adds over half a million lines; the unique key made SQLite check each
# one in a second B-tree (about 40 % of inserting them, measured), while an index on
# run_id alone grows in insertion order. A run's seq values are unique by construction
# (the enumeration of its lines); readers still order a run's lines by seq.
LINES_COLUMNS = """
    run_id INTEGER NOT NULL REFERENCES runs (run_id),
    seq INTEGER NOT NULL,
    period TEXT NOT NULL,
    partner_id TEXT NOT NULL,
    component TEXT NOT NULL,
    item TEXT NOT NULL,
    description TEXT NOT NULL,
    quantity TEXT,
    rate TEXT,
    amount TEXT NOT NULL,
    status TEXT NOT NULL,
    rule TEXT NOT NULL
)"""
LINES_INDEX = "CREATE INDEX IF NOT EXISTS lines_by_run ON lines (run_id)"
LINES_MIGRATION: tuple[Step, ...] = (
    "CREATE TABLE lines_v8 (" + LINES_COLUMNS,
    "INSERT INTO lines_v8 SELECT * FROM lines ORDER BY run_id, seq",
    "DROP TABLE lines",
    "ALTER TABLE lines_v8 RENAME TO lines",
    LINES_INDEX,
)
# 9: files a run wrote outside the ledger and registered by path and SHA-256: its lines
# as Parquet partitions, and its newly paid deals as one Parquet file that the next
# close reads back (`lines_format` parquet; ledger/state_files.py). A run with a
# `paid_deals` file packs no paid_deal_sets. Part of a run's hash in the chain. A
# release before 9 refuses such a ledger (it would not see the deals in the file).
RUN_FILES_MIGRATION: tuple[Step, ...] = (
    """CREATE TABLE run_files (
        run_id INTEGER NOT NULL REFERENCES runs (run_id),
        kind TEXT NOT NULL CHECK (kind IN ('lines', 'paid_deals')),
        path TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        row_count BIGINT NOT NULL,
        PRIMARY KEY (run_id, path)
    )""",
)
# The first schema that has the run_files table.
RUN_FILES_SCHEMA = 9

MIGRATIONS: tuple[tuple[Step, ...], ...] = (
    # 1: runs, their inputs and lines, the audit trail, and carried state.
    (
        """CREATE TABLE runs (
            run_id INTEGER PRIMARY KEY,
            period TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('draft', 'final')),
            status TEXT NOT NULL CHECK (status IN ('current', 'replaced', 'reopened')),
            started_at TEXT NOT NULL,
            finished_at TEXT NOT NULL,
            user TEXT NOT NULL,
            version TEXT NOT NULL,
            program TEXT NOT NULL,
            output TEXT NOT NULL
        )""",
        "CREATE INDEX runs_by_period ON runs (period, kind, status)",
        """CREATE TABLE run_inputs (
            run_id INTEGER NOT NULL REFERENCES runs (run_id),
            path TEXT NOT NULL,
            role TEXT NOT NULL,
            sha256 TEXT NOT NULL
        )""",
        """CREATE TABLE lines (
            run_id INTEGER NOT NULL REFERENCES runs (run_id),
            seq INTEGER NOT NULL,
            period TEXT NOT NULL,
            partner_id TEXT NOT NULL,
            component TEXT NOT NULL,
            item TEXT NOT NULL,
            description TEXT NOT NULL,
            quantity TEXT,
            rate TEXT,
            amount TEXT NOT NULL,
            status TEXT NOT NULL,
            rule TEXT NOT NULL,
            PRIMARY KEY (run_id, seq)
        )""",
        """CREATE TABLE audit (
            audit_id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            user TEXT NOT NULL,
            action TEXT NOT NULL,
            period TEXT NOT NULL,
            run_id INTEGER,
            reason TEXT NOT NULL DEFAULT ''
        )""",
        # Carried state, one value per (run, kind, key): small maps such as pool
        # allocations, reserve balance, contributions to date, milestone accruals.
        """CREATE TABLE state_values (
            run_id INTEGER NOT NULL REFERENCES runs (run_id),
            kind TEXT NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (run_id, kind, key)
        )""",
        # Deals paid by a run (one row each; never repeated by later runs).
        """CREATE TABLE paid_deals (
            run_id INTEGER NOT NULL REFERENCES runs (run_id),
            deal_id TEXT NOT NULL,
            partner_id TEXT NOT NULL,
            period TEXT NOT NULL,
            close_date TEXT NOT NULL,
            amount TEXT NOT NULL,
            deal_type TEXT NOT NULL,
            product TEXT NOT NULL,
            rate TEXT NOT NULL,
            bonus_rate TEXT NOT NULL,
            share TEXT NOT NULL,
            PRIMARY KEY (run_id, deal_id)
        )""",
        # True-ups a run attributed to a deal (its share is in paid_deals).
        """CREATE TABLE deal_payments (
            run_id INTEGER NOT NULL REFERENCES runs (run_id),
            deal_id TEXT NOT NULL,
            amount TEXT NOT NULL,
            PRIMARY KEY (run_id, deal_id)
        )""",
        # Amounts of a deal reversed (refunds, churn) by a run.
        """CREATE TABLE reversals (
            run_id INTEGER NOT NULL REFERENCES runs (run_id),
            deal_id TEXT NOT NULL,
            amount TEXT NOT NULL,
            PRIMARY KEY (run_id, deal_id)
        )""",
    ),
    # 2: paid deals without the (run_id, deal_id) key. A month adds a million rows:
    # filling that index needed them sorted by deal id first (n log n, 2.3× the time
    # for twice the deals), while an index on run_id alone is filled in insertion
    # order. A run's deal ids are unique by construction (the engine's dict keys).
    (
        """CREATE TABLE paid_deals_v2 (
            run_id INTEGER NOT NULL REFERENCES runs (run_id),
            deal_id TEXT NOT NULL,
            partner_id TEXT NOT NULL,
            period TEXT NOT NULL,
            close_date TEXT NOT NULL,
            amount TEXT NOT NULL,
            deal_type TEXT NOT NULL,
            product TEXT NOT NULL,
            rate TEXT NOT NULL,
            bonus_rate TEXT NOT NULL,
            share TEXT NOT NULL
        )""",
        "INSERT INTO paid_deals_v2 SELECT * FROM paid_deals ORDER BY run_id, deal_id",
        "DROP TABLE paid_deals",
        "ALTER TABLE paid_deals_v2 RENAME TO paid_deals",
        "CREATE INDEX paid_deals_by_run ON paid_deals (run_id)",
    ),
    # 3: a run's paid deals packed by partner, one JSON array of rows each. A month
    # adds a million deals, read back whole by the next close and never queried one
    # by one: a million SQLite rows took a third of recording, a thousand take little.
    # Each row: [deal_id, partner_id, period, close_date, amount, deal_type, product,
    # rate, bonus_rate, share], all text. (Each deal's share is also a line.)
    (
        """CREATE TABLE paid_deal_sets (
            run_id INTEGER NOT NULL REFERENCES runs (run_id),
            partner_id TEXT NOT NULL,
            deals TEXT NOT NULL,
            PRIMARY KEY (run_id, partner_id)
        )""",
        """INSERT INTO paid_deal_sets
            SELECT run_id, partner_id, json_group_array(json_array(deal_id, partner_id,
                period, close_date, amount, deal_type, product, rate, bonus_rate, share))
            FROM (SELECT * FROM paid_deals ORDER BY run_id, partner_id, deal_id)
            GROUP BY run_id, partner_id""",
        "DROP TABLE paid_deals",
    ),
    # 4: output folder swaps a committed run still owes. A close commits its run
    # first, with the swap of its output folder recorded here, then swaps the folder
    # and deletes the row; a crash in between is finished by the next close.
    (
        """CREATE TABLE output_swaps (
            run_id INTEGER PRIMARY KEY REFERENCES runs (run_id),
            output TEXT NOT NULL,
            partial TEXT NOT NULL,
            backup TEXT NOT NULL
        )""",
    ),
    CHAIN_MIGRATION,
    INPUTS_MIGRATION,
    SENDS_MIGRATION,
    LINES_MIGRATION,
    RUN_FILES_MIGRATION,
)

LATEST = len(MIGRATIONS)
KEPT_INPUTS_VERSION = 6  # the first schema whose runs keep their inputs' bytes


def migrate(connection: sqlite3.Connection) -> None:
    """Bring the schema to LATEST, one migration per transaction."""
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if version > LATEST:
        raise LedgerTooNewError(
            f"the ledger has schema version {version}; this release knows up to {LATEST}. "
            "Install a newer PartnerClose."
        )
    for number in range(version, LATEST):
        with connection:
            connection.execute("BEGIN IMMEDIATE")
            if connection.execute("PRAGMA user_version").fetchone()[0] != number:
                continue  # another process migrated meanwhile
            for step in MIGRATIONS[number]:
                if isinstance(step, str):
                    connection.execute(step)
                else:
                    step(connection)
            connection.execute(f"PRAGMA user_version = {number + 1}")
