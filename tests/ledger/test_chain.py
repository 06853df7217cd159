"""The hash chain on both backends: it holds through every kind of record, and a row
edited, or a record removed, directly in the database is named by `verify`."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

import pytest

from partnerclose.cli import main
from partnerclose.core.lines import Component, Line
from partnerclose.ledger import chain
from partnerclose.ledger.chain import _encode
from partnerclose.ledger.location import open_ledger
from tests.ledger.raw import PROGRAM, rows
from tests.ledger.test_store import NOV, OCT, record, run


@pytest.fixture
def closed(ledger_at):
    """Runs 1-4 and audit records 1-4: a replaced draft, a final, a reopen, a final."""
    with open_ledger(ledger_at, PROGRAM) as ledger:
        record(ledger, run(OCT, final=False, amount="-90.00"))  # run 1, replaced by run 2
        record(ledger, run(OCT, final=True))  # run 2
        ledger.reopen(OCT, "late refund")  # audit record 3
        record(ledger, run(OCT, final=True, amount="-80.00"))  # run 3
        record(ledger, run(NOV, final=False))  # run 4
    return ledger_at


def verify(where):
    with open_ledger(where, PROGRAM, read_only=True) as ledger:
        return [(found.record, found.why) for found in ledger.verify()]


def test_the_chain_holds_through_replaced_reopened_and_new_runs(closed):
    assert verify(closed) == []
    hashes = rows(closed, "SELECT prev_sha256, sha256 FROM runs ORDER BY run_id")
    assert hashes[0][0] == "0" * 64  # the first run follows no record
    assert [prev for prev, _ in hashes[1:]] == [sha for _, sha in hashes[:-1]]
    assert all(len(sha) == 64 for _, sha in hashes)


def test_a_recorded_line_edited_in_the_database_is_named(closed):
    rows(closed, "UPDATE lines SET amount = '-1.00' WHERE run_id = 2 AND seq = 0")
    [(name, why)] = verify(closed)
    assert name == "run 2 (2026-10, final)"
    assert "changed after it was recorded" in why


def test_an_audit_row_edited_in_the_database_is_named(closed):
    rows(closed, "UPDATE audit SET reason = 'no reason' WHERE audit_id = 3")
    [(name, why)] = verify(closed)
    assert name == "audit record 3 (reopen 2026-10)"
    assert "changed after it was recorded" in why


def test_an_audit_row_removed_is_named_by_the_record_after_it(closed):
    rows(closed, "DELETE FROM audit WHERE audit_id = 3")
    [(name, why)] = verify(closed)
    assert name == "audit record 4 (close (final) 2026-10)"
    assert "removed or inserted" in why


def test_a_run_rehashed_by_hand_breaks_its_audit_record(closed):
    # Someone edits run 3's user and writes a matching hash: its audit record still
    # holds the old one (the run's own chain breaks at the run after it, too).
    rows(closed, "UPDATE runs SET \"user\" = 'mallory', sha256 = ? WHERE run_id = 3", ("f" * 64,))
    found = verify(closed)
    assert [name for name, _ in found] == [
        "run 3 (2026-10, final)",
        "audit record 4 (close (final) 2026-10)",
    ]


def test_verify_command_exits_4_naming_the_record(closed, capsys):
    arguments = ["verify", str(PROGRAM), "--ledger", str(closed)]
    assert main(arguments) == 0
    assert "hash chain holds: 4 runs and 5 audit records verified" in capsys.readouterr().out
    rows(closed, "UPDATE lines SET item = 'ERP' WHERE run_id = 1")
    assert main(arguments) == 4
    assert "run 1 (2026-10, draft) does not fit the hash chain" in capsys.readouterr().err


def test_verify_command_counts_one_run_in_the_singular(ledger_at, capsys):
    with open_ledger(ledger_at, PROGRAM) as ledger:
        record(ledger, run(OCT, final=False))  # run 1 and its audit record
    assert main(["verify", str(PROGRAM), "--ledger", str(ledger_at)]) == 0
    assert "hash chain holds: 1 run and 1 audit record verified" in capsys.readouterr().out


def test_lines_hashed_as_written_hash_as_read_back(ledger_at):
    """RunSeal hashes a run's lines on their way in (in batches); verify reads them back:
    awkward text, no quantity or rate, and a batch boundary give the same hash."""
    awkward = ['quote " and \\ back', "],[5,0,", "naïve ✓ 日本", "new\nline\ttab\x01"]
    lines = [
        Line(
            str(OCT),
            f"P{n % 7:03d}",
            Component.COST_SHARE,
            awkward[n % len(awkward)],
            Decimal(-n) / 100,
            "C4",
            description=awkward[(n + 1) % len(awkward)],
            quantity=None if n % 3 else Decimal(n),
            rate=None if n % 2 else Decimal("0.25"),
            status="" if n % 4 else "late",
        )
        for n in range(4096 + 5)
    ]
    with open_ledger(ledger_at, PROGRAM) as ledger:
        record(ledger, replace(run(OCT, final=False), lines=lines))
        record(ledger, replace(run(OCT, final=False), lines=[]))  # a run without lines
    assert verify(ledger_at) == []


def test_lines_of_columns_that_do_not_repeat_hash_as_read_back(ledger_at, monkeypatch):
    """A column's table of texts that outgrows its limit is dropped, the column's texts
    made one by one from then on."""
    monkeypatch.setattr(chain, "_TABLE_LIMIT", 3)
    lines = [
        Line(str(OCT), f"P{n:03d}", Component.MDF, "CRM", Decimal(n), "M1", f'd"{n}')
        for n in range(4096 + 10)
    ]
    with open_ledger(ledger_at, PROGRAM) as ledger:
        record(ledger, replace(run(OCT, final=False), lines=lines))
        assert ledger.lines(1) == lines
    assert verify(ledger_at) == []


@pytest.mark.parametrize(
    "row",
    [(1, "a", None, 'q"\\', "é\u2028\x7f\x01"), [0, "", 12345678901234567890], (), (True, 1.5)],
)
def test_a_row_hashes_as_json_dumps_gives_it(row):
    expected = json.dumps(list(row), ensure_ascii=False, separators=(",", ":")) + "\n"
    assert _encode(row) == expected.encode()


@pytest.mark.parametrize(
    "column", [["a", 'q"\\'], ["a", None, "\x01", None], [None, 3, "b"], [None], [1.5, True], []]
)
def test_a_column_of_values_has_the_texts_json_dumps_gives_them(column):
    assert list(chain._value_texts(column)) == [json.dumps(v, ensure_ascii=False) for v in column]
