"""Schema 8: files a run registers by path and SHA-256, its paid deals in a Parquet file,
on an SQLite file and on a PostgreSQL server (`ledger_at`)."""

import dataclasses
from datetime import date
from decimal import Decimal as D

import pytest

from partnerclose.core.period import Period
from partnerclose.core.records import DealType
from partnerclose.core.revenue_model import PaidDeal
from partnerclose.ledger.location import open_ledger
from partnerclose.ledger.schema import LATEST, RUN_FILES_SCHEMA
from partnerclose.ledger.state_files import write_paid_deals
from partnerclose.ledger.store import LedgerRefusedError, RunFile
from tests.ledger.raw import PROGRAM, rows, schema_version
from tests.ledger.test_store import record, run

OCT, NOV = Period(2026, 10), Period(2026, 11)


def _deal(deal_id: str, amount: str, share: str) -> PaidDeal:
    return PaidDeal(
        deal_id,
        "P001",
        OCT,
        date(2026, 10, 3),
        D(amount),
        DealType.SOURCED,
        "Core",
        D("0.1"),
        D(share),
        D(share),
        D("0.02"),
        "EUR",
        D("20000.00"),
    )


def _october_with_a_file(ledger_at, tmp_path):
    target = tmp_path / "close-2026-10" / "paid_deals.parquet"
    target.parent.mkdir()
    sha256, count = write_paid_deals(
        [_deal("D1", "21600.00", "2160.00"), _deal("D2", "1234.5", "123.45")], target
    )
    files = [RunFile("paid_deals", str(target), sha256, count)]
    with open_ledger(ledger_at, PROGRAM) as ledger:
        run_id = record(ledger, dataclasses.replace(run(OCT, final=True), files=files))
    return target, sha256, run_id


def test_a_run_registers_its_files_and_the_next_close_reads_the_paid_deals_back(
    ledger_at, tmp_path
):
    target, sha256, run_id = _october_with_a_file(ledger_at, tmp_path)
    assert schema_version(ledger_at) == LATEST == RUN_FILES_SCHEMA
    with open_ledger(ledger_at, PROGRAM) as ledger:
        assert ledger.run_files(run_id) == [RunFile("paid_deals", str(target), sha256, 2)]
        d1, d2 = ledger.load_state(NOV).paid_deals
        assert ledger.verify() == []
    assert rows(ledger_at, "SELECT COUNT(*) FROM paid_deal_sets")[0][0] == 0  # in the file
    assert (d1.deal_id, d1.amount, d1.share, d1.close_date) == (
        "D1",
        D("21600.00"),
        D("2160.00"),
        "2026-10-03",
    )
    assert (d2.amount, d2.share, d2.rate, d2.bonus_rate) == (
        D("1234.5"),
        D("123.45"),
        D("0.1"),
        D("0.02"),
    )
    assert (d2.deal_type, d2.product, d2.currency, d2.source_amount) == (
        "sourced",
        "Core",
        "EUR",
        D("20000.00"),
    )


def test_a_missing_paid_deal_file_is_refused_naming_it(ledger_at, tmp_path):
    target, _, run_id = _october_with_a_file(ledger_at, tmp_path)
    target.unlink()
    with open_ledger(ledger_at, PROGRAM) as ledger, pytest.raises(LedgerRefusedError) as caught:
        ledger.load_state(NOV)
    assert str(caught.value).startswith(
        f"{target}: the paid deals of the final close of 2026-10 (run {run_id}) are not there"
    )


def test_a_paid_deal_file_with_another_hash_is_refused_naming_both_hashes(ledger_at, tmp_path):
    target, sha256, run_id = _october_with_a_file(ledger_at, tmp_path)
    changed, _ = write_paid_deals([_deal("D1", "21600.00", "2160.00")], target)  # D2 removed
    with open_ledger(ledger_at, PROGRAM) as ledger, pytest.raises(LedgerRefusedError) as caught:
        ledger.load_state(NOV)
    assert str(caught.value).startswith(
        f"{target}: the paid deals of the final close of 2026-10 (run {run_id}) are not the "
        f"file that close wrote (its SHA-256 is {changed}, the ledger recorded {sha256})"
    )


def test_a_changed_file_registration_breaks_the_hash_chain(ledger_at, tmp_path):
    _, _, run_id = _october_with_a_file(ledger_at, tmp_path)
    rows(ledger_at, "UPDATE run_files SET sha256 = ? WHERE run_id = ?", ("0" * 64, run_id))
    with open_ledger(ledger_at, PROGRAM) as ledger:
        [found] = ledger.verify()
    assert found.record == f"run {run_id} (2026-10, final)"
    assert "changed after it was recorded" in found.why
