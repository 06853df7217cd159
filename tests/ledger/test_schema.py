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
    assert db.execute("PRAGMA user_version").fetchone()[0] == LATEST == 8
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
