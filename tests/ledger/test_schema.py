"""Ledger migrations: an older ledger opens, migrated, with everything it held."""

from __future__ import annotations

import sqlite3
from decimal import Decimal as D

from partnerclose.core.period import Period
from partnerclose.ledger.schema import LATEST, MIGRATIONS
from partnerclose.ledger.store import Ledger, PaidDealRow


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
    db.commit()
    db.close()

    with Ledger(path) as ledger:
        state = ledger.load_state(Period(2026, 11))
    assert state.paid_deals == [
        PaidDealRow(
            "D1", "P001", "2026-10", "2026-10-03", D("1000.00"), "sourced", "Core",
            D("0.10"), D(0), D("100.00"),
        ),
        PaidDealRow(
            "D2", "P001", "2026-10", "2026-10-03", D("500.00"), "sourced", "Core",
            D("0.10"), D(0), D("50.00"),
        ),
    ]  # fmt: skip
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == LATEST == 2
    indexes = {row[1] for row in db.execute("PRAGMA index_list(paid_deals)")}
    assert indexes == {"paid_deals_by_run"}
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
