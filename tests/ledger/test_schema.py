"""Ledger migrations: an older ledger opens, migrated, with everything it held."""

from __future__ import annotations

import sqlite3
from decimal import Decimal as D
from pathlib import Path

from partnerclose.core.period import Period
from partnerclose.ledger.location import open_ledger
from partnerclose.ledger.schema import LATEST, LINES_COLUMNS, MIGRATIONS
from partnerclose.ledger.store import Ledger, PaidDealRow
from tests.ledger.raw import PROGRAM, rows, schema_version, set_schema_version
from tests.ledger.test_store import NOV, OCT, record, run


def test_a_version_1_ledger_is_migrated_and_keeps_its_paid_deals(tmp_path):
    path = tmp_path / "old.ledger.sqlite"
    db = sqlite3.connect(path)
    for statement in MIGRATIONS[0]:
        db.execute(statement)
    db.execute("PRAGMA user_version = 1")
    db.execute(
        "INSERT INTO runs VALUES (1, '2026-10', 'final', 'current', 't', 't', 'u', '0', 'p', 'o')"
    )
    db.executemany(
        "INSERT INTO paid_deals VALUES (1, ?, 'P001', '2026-10', '2026-10-03', ?, "
        "'sourced', 'Core', '0.10', '0', ?)",
        [("D2", "500.00", "50.00"), ("D1", "1000.00", "100.00")],
    )
    db.execute(
        "INSERT INTO paid_deals VALUES (1, 'D0', 'P002', '2026-10', '2026-10-05', '80.00', "
        "'influenced', 'Lab', '0.05', '0.01', '4.80')"
    )
    db.commit()
    db.close()

    with Ledger(path) as ledger:
        state = ledger.load_state(Period(2026, 11))
        assert ledger.verify() == []  # migration 5 sealed the old run into the chain
    assert state.paid_deals == [  # by run, then partner, then deal id
        PaidDealRow(
            "D1", "P001", "2026-10", "2026-10-03", D("1000.00"), "sourced", "Core",
            D("0.10"), D(0), D("100.00"),
        ),
        PaidDealRow(
            "D2", "P001", "2026-10", "2026-10-03", D("500.00"), "sourced", "Core",
            D("0.10"), D(0), D("50.00"),
        ),
        PaidDealRow(
            "D0", "P002", "2026-10", "2026-10-05", D("80.00"), "influenced", "Lab",
            D("0.05"), D("0.01"), D("4.80"),
        ),
    ]  # fmt: skip
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == LATEST == 9
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "paid_deals" not in tables
    ((deals,),) = db.execute(
        "SELECT deals FROM paid_deal_sets WHERE run_id = 1 AND partner_id = 'P001'"
    )
    assert deals == (
        '[["D1","P001","2026-10","2026-10-03","1000.00","sourced","Core","0.10","0","100.00"],'
        '["D2","P001","2026-10","2026-10-03","500.00","sourced","Core","0.10","0","50.00"]]'
    )  # what a close writes: tests/ledger/test_store.py
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_schema_7_ledger_keeps_its_lines_in_order_without_their_key(ledger_at):
    """Migration 8 drops the lines' (run_id, seq) key: every line stays, in its order,
    found by run_id, and the hash chain over them still holds."""
    with open_ledger(ledger_at, PROGRAM) as ledger:
        october = record(ledger, run(OCT, final=True))
        november = record(ledger, run(NOV, final=False))
        before = {r: ledger.lines(r) for r in (october, november)}
    assert all(before.values())
    # back to schema 7: the lines keyed by (run_id, seq), as that release made them
    if isinstance(ledger_at, str):
        rows(ledger_at, "DROP INDEX lines_by_run")
        rows(ledger_at, "ALTER TABLE lines ADD PRIMARY KEY (run_id, seq)")
    else:
        for statement in (
            "CREATE TABLE lines_v7 ("
            + LINES_COLUMNS.replace("\n)", ", PRIMARY KEY (run_id, seq))"),
            "INSERT INTO lines_v7 SELECT * FROM lines",
            "DROP TABLE lines",
            "ALTER TABLE lines_v7 RENAME TO lines",
        ):
            rows(ledger_at, statement)
    rows(ledger_at, "DROP TABLE run_files")  # schema 9's
    set_schema_version(ledger_at, 7)
    assert _line_keys(ledger_at) == ["run_id", "seq"]

    with open_ledger(ledger_at, PROGRAM) as ledger:
        assert {r: ledger.lines(r) for r in (october, november)} == before
        assert ledger.verify() == []
    assert schema_version(ledger_at) == LATEST == 9
    assert _line_keys(ledger_at) == []


def _line_keys(where: str | Path) -> list[str]:
    """The columns of the lines table's primary key (none: a plain table)."""
    if isinstance(where, str):
        found = rows(
            where,
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
            "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'lines'::regclass "
            "AND i.indisprimary ORDER BY a.attnum",
        )
        return [name for (name,) in found]
    return [name for _, name, *_, key in rows(where, "PRAGMA table_info(lines)") if key]
