"""Send records (schema 7) on both backends: written, read back, sealed in their own
hash chain, and a schema-5 ledger migrated to them."""

from __future__ import annotations

from partnerclose.ledger.location import open_ledger
from partnerclose.ledger.schema import LATEST, SENDS_SCHEMA
from partnerclose.ledger.store import SendRecord
from tests.ledger.raw import PROGRAM, rows, schema_version, set_schema_version
from tests.ledger.test_store import OCT, record, run


def _send(run_id: int, partner: str, event: str) -> SendRecord:
    return SendRecord(
        run_id,
        "2026-10",
        partner,
        f"{partner}-2026-10-1",
        event,
        "smtp localhost:2525",
        (f"{partner.lower()}@example.com",),
        ("finance@example.com",),
        f"<{partner}@partnerclose>",
        ((f"{partner}.pdf", "ab" * 32),),
    )


def _verify(where):
    with open_ledger(where, PROGRAM, read_only=True) as ledger:
        return [(found.record, found.why) for found in ledger.verify()]


def test_send_records_are_read_back_in_order_and_sealed(ledger_at):
    with open_ledger(ledger_at, PROGRAM) as ledger:
        run_id = record(ledger, run(OCT, final=True))
        ledger.record_send(_send(run_id, "P001", "attempt"))
        ledger.record_send(_send(run_id, "P001", "sent"))
        ledger.record_send(_send(run_id, "P002", "attempt"))
        found = ledger.sends(OCT)
    assert [(s.partner_id, s.event) for s in found] == [
        ("P001", "attempt"),
        ("P001", "sent"),
        ("P002", "attempt"),
    ]
    assert found[1].to == ("p001@example.com",)
    assert found[1].cc == ("finance@example.com",)
    assert found[1].attachments == (("P001.pdf", "ab" * 32),)
    assert found[1].statement == "P001-2026-10-1"
    assert found[1].user  # who sent it
    assert _verify(ledger_at) == []
    rows(ledger_at, "UPDATE sends SET recipients = ? WHERE send_id = 2", ('{"to":[],"cc":[]}',))
    [(name, why)] = _verify(ledger_at)
    assert name == "send record 2 (sent P001 2026-10)"
    assert "changed after it was recorded" in why


def test_a_schema_5_ledger_is_migrated_to_send_records(ledger_at):
    with open_ledger(ledger_at, PROGRAM) as ledger:
        run_id = record(ledger, run(OCT, final=True))
    # back to what today's release writes: schema 5, no sends table
    rows(ledger_at, "DROP TABLE sends")
    rows(ledger_at, "DROP TABLE input_blobs")  # schema 6's: kept inputs
    rows(ledger_at, "DROP TABLE run_files")  # schema 9's
    set_schema_version(ledger_at, 5)
    with open_ledger(ledger_at, PROGRAM, read_only=True) as ledger:
        assert ledger.sends(OCT) == []  # a reader of an old ledger sees none
        assert ledger.verify() == []
    with open_ledger(ledger_at, PROGRAM) as ledger:
        ledger.record_send(_send(run_id, "P001", "sent"))
        assert [s.event for s in ledger.sends(OCT)] == ["sent"]
    assert schema_version(ledger_at) == LATEST == 9
    assert SENDS_SCHEMA == 7
    assert _verify(ledger_at) == []
