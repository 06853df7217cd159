"""The ledger's rules, on an SQLite file and on a PostgreSQL server (`ledger_at`)."""

import dataclasses
from decimal import Decimal as D
from pathlib import Path

import pytest

from partnerclose.core.lines import Component, Line
from partnerclose.core.period import Period
from partnerclose.ledger.location import open_ledger
from partnerclose.ledger.schema import LATEST, LedgerTooNewError
from partnerclose.ledger.store import (
    Ledger,
    LedgerBusyError,
    LedgerRefusedError,
    PaidDealRow,
    RunRecord,
)
from tests.ledger.raw import PROGRAM, rows, schema_version, set_schema_version

OCT, NOV, DEC = Period(2026, 10), Period(2026, 11), Period(2026, 12)


def run(period, final, amount="-100.00", values=None, deals=(), payments=None, reversals=None):
    line = Line(
        str(period),
        "P001",
        Component.COST_SHARE,
        "CRM",
        D(amount),
        "C4",
        quantity=D(300),
        rate=D("0.25"),
    )
    return RunRecord(
        period,
        final,
        "2026-11-01T00:00:00+00:00",
        "program.xlsx",
        "out",
        [("program.xlsx", "program", "ab" * 32)],
        [line],
        values or {},
        [("P001", list(deals))] if deals else [],
        payments or {},
        reversals or {},
    )


def record(ledger, record_):
    """Record a run computed from the ledger's current state, as a close does."""
    based_on = tuple(ledger.load_state(record_.period).runs)
    with ledger.transaction() as db:
        return ledger.record_run(db, dataclasses.replace(record_, based_on=based_on))


@pytest.fixture
def ledger(ledger_at):
    with open_ledger(ledger_at, PROGRAM) as opened:
        yield opened


def test_new_ledger_has_the_latest_schema(ledger_at, ledger):
    assert schema_version(ledger_at) == LATEST
    assert ledger.history() == []


def test_a_ledger_from_a_newer_release_is_refused(ledger_at):
    open_ledger(ledger_at, PROGRAM).close()
    set_schema_version(ledger_at, 99)
    with pytest.raises(LedgerTooNewError, match="schema version 99"):
        open_ledger(ledger_at, PROGRAM)


def test_reopening_a_ledger_keeps_its_runs(ledger_at):
    with open_ledger(ledger_at, PROGRAM) as first:
        record(first, run(OCT, final=True))
    with open_ledger(ledger_at, PROGRAM) as second:
        assert [r.period for r in second.history()] == ["2026-10"]
        assert second.lines(1)[0].amount == D("-100.00")
        assert second.lines(1)[0].rate == D("0.25")


def test_draft_rerun_replaces_the_draft(ledger):
    first = record(ledger, run(OCT, final=False, amount="-100.00"))
    second = record(ledger, run(OCT, final=False, amount="-90.00"))
    assert [(r.run_id, r.kind, r.status) for r in ledger.history()] == [
        (first, "draft", "replaced"),
        (second, "draft", "current"),
    ]
    assert ledger.lines(first)[0].amount == D("-100.00")  # kept as history


def test_final_close_locks_the_period(ledger):
    record(ledger, run(OCT, final=True))
    for final in (True, False):
        with pytest.raises(LedgerRefusedError, match="period 2026-10 is closed; reopen it first"):
            ledger.check_close(OCT, final)


def test_final_closes_come_in_order(ledger):
    record(ledger, run(OCT, final=True))
    with pytest.raises(LedgerRefusedError, match="2026-12 cannot be closed before 2026-11"):
        record(ledger, run(DEC, final=True))
    record(ledger, run(DEC, final=False))  # a draft of a later period is fine
    record(ledger, run(NOV, final=True))
    assert ledger.final_periods() == ["2026-10", "2026-11"]


def test_reopen_needs_a_reason_is_audited_and_keeps_history(ledger):
    run_id = record(ledger, run(OCT, final=True))
    with pytest.raises(LedgerRefusedError, match="needs a reason"):
        ledger.reopen(OCT, "  ")
    ledger.reopen(OCT, "late refund from Acme")
    assert ledger.history()[0].status == "reopened"
    assert ledger.lines(run_id)  # the reopened lines stay as history
    trail = ledger.audit_trail()
    assert [(a.action, a.period, a.reason) for a in trail] == [
        ("close (final)", "2026-10", ""),
        ("reopen", "2026-10", "late refund from Acme"),
    ]
    record(ledger, run(OCT, final=True, amount="-80.00"))  # closable again
    assert ledger.final_periods() == ["2026-10"]


def test_only_the_last_final_period_can_be_reopened(ledger):
    record(ledger, run(OCT, final=True))
    record(ledger, run(NOV, final=True))
    with pytest.raises(LedgerRefusedError, match="reopen 2026-11 first"):
        ledger.reopen(OCT, "fix")
    with pytest.raises(LedgerRefusedError, match="2026-12 is not closed"):
        ledger.reopen(DEC, "fix")


def test_state_comes_from_current_final_runs_before_the_period(ledger_at, ledger):
    deal = PaidDealRow(
        "D1",
        "P001",
        "2026-10",
        "2026-10-03",
        D("30000.00"),
        "sourced",
        "Core",
        D("0.1"),
        D(0),
        D("3000.00"),
    )
    record(
        ledger,
        run(
            OCT,
            final=True,
            values={"reserve": {"balance": "9000.00"}},
            deals=[
                (
                    "D1",
                    "P001",
                    "2026-10",
                    "2026-10-03",
                    "30000.00",
                    "sourced",
                    "Core",
                    "0.1",
                    "0",
                    "3000.00",
                )
            ],
            payments={"D1": D("3000.00")},
        ),
    )
    record(
        ledger,
        run(
            NOV,
            final=True,
            values={"reserve": {"balance": "9500.00"}},
            payments={"D1": D("600.00")},
            reversals={"D1": D("5000.00")},
        ),
    )
    record(ledger, run(DEC, final=False, values={"reserve": {"balance": "1.00"}}))
    state = ledger.load_state(DEC)
    assert state.values == {"reserve": {"balance": "9500.00"}}
    assert state.paid_deals == [deal]
    stored = rows(ledger_at, "SELECT run_id, partner_id, deals FROM paid_deal_sets")
    assert stored == [  # the form migration 3 gives older ledgers' rows
        (1, "P001", '[["D1","P001","2026-10","2026-10-03","30000.00","sourced","Core","0.1","0",'
         '"3000.00"]]')
    ]  # fmt: skip
    assert state.deal_payments == {"D1": D("3600.00")}
    assert state.reversals == {"D1": D("5000.00")}
    assert ledger.load_state(NOV).values == {"reserve": {"balance": "9000.00"}}
    assert ledger.load_state(OCT).values == {}
    ledger.reopen(NOV, "fix")
    assert ledger.load_state(DEC).deal_payments == {"D1": D("3000.00")}


def test_a_second_writer_waits_then_stops_clearly(ledger_at):
    with (
        open_ledger(ledger_at, PROGRAM) as first,
        open_ledger(ledger_at, PROGRAM, timeout=0.2) as second,
    ):
        with first.transaction():
            with pytest.raises(LedgerBusyError, match="another close is running"):
                with second.transaction():
                    pass
        record(second, run(OCT, final=False))  # free again afterwards
        assert len(first.history()) == 1


def test_failure_inside_the_transaction_leaves_the_ledger_unchanged(ledger):
    def record_then_fail():
        with ledger.transaction() as db:
            ledger.record_run(db, run(OCT, final=True))
            raise RuntimeError("writing statements failed")

    with pytest.raises(RuntimeError):
        record_then_fail()
    assert ledger.history() == []
    assert ledger.audit_trail() == []


def test_several_processes_creating_one_ledger_at_once_all_succeed(ledger_at, tmp_path):
    import subprocess
    import sys

    code = (
        "import sys; from pathlib import Path; from partnerclose.ledger.location import "
        "ledger_location, open_ledger; program = Path(sys.argv[2]); "
        "open_ledger(ledger_location(program, sys.argv[1]), program).close()"
    )
    for attempt in range(3):
        program = f"program-{attempt}.xlsx"  # a new ledger each time, on either backend
        where = tmp_path / f"{program}.sqlite" if isinstance(ledger_at, Path) else ledger_at
        processes = [
            subprocess.Popen(
                [sys.executable, "-c", code, str(where), program], stderr=subprocess.PIPE
            )
            for _ in range(4)
        ]
        results = [(p.wait(timeout=60), p.stderr.read() if p.stderr else b"") for p in processes]
        assert all(code == 0 for code, _ in results), results
        with open_ledger(where, Path(program), read_only=True) as opened:
            assert opened.history() == []
        if isinstance(where, Path):
            assert schema_version(where) == LATEST


def test_a_ledger_in_a_new_folder_is_created_and_an_unusable_path_is_refused(tmp_path):
    with Ledger(tmp_path / "a" / "b" / "l.sqlite") as ledger:
        assert ledger.history() == []
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(LedgerRefusedError, match="cannot open the ledger"):
        Ledger(tmp_path / "file" / "l.sqlite")


def test_a_run_computed_from_a_state_that_changed_meanwhile_is_refused(ledger):
    record(ledger, run(OCT, final=True))
    record(ledger, run(NOV, final=True))
    started_from = ledger.load_state(DEC).runs
    assert started_from == (1, 2)
    ledger.reopen(NOV, "late invoice")  # while December was being computed
    stale = dataclasses.replace(run(DEC, final=False), based_on=started_from)
    with pytest.raises(
        LedgerRefusedError, match="the ledger changed while 2026-12 was being closed"
    ):
        with ledger.transaction() as db:
            ledger.record_run(db, stale)
    assert [r.period for r in ledger.history()] == ["2026-10", "2026-11"]


def test_a_paid_deal_in_another_currency_keeps_it_and_its_amount_in_it(ledger_at):
    with open_ledger(ledger_at, PROGRAM) as ledger:
        fields = ("D1", "P001", "2026-10", "2026-10-03", "21600.00", "sourced", "Core")
        record(
            ledger,
            run(
                OCT,
                final=True,
                deals=[
                    (*fields, "0.1", "0", "2160.00", "EUR", "20000.00"),
                    ("D2", *fields[1:], "0.1", "0", "2160.00", "", ""),  # the program's own
                ],
            ),
        )
        d1, d2 = ledger.load_state(NOV).paid_deals
    assert (d1.currency, d1.source_amount, d1.amount) == ("EUR", D("20000.00"), D("21600.00"))
    assert (d2.currency, d2.source_amount) == ("", None)
