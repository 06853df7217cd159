"""Properties of whole closes over generated programs (the demo generator at random seeds)."""

from __future__ import annotations

import csv
import io
import random
from dataclasses import fields, replace
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partnerclose.close_context import CloseContext
from partnerclose.core.close import CloseResult, CloseState, compute_close
from partnerclose.core.journal import build_journal
from partnerclose.core.period import Period
from partnerclose.core.records import FxRate, PeriodData, Program
from partnerclose.demo import write_demo
from partnerclose.pipeline import Status, run_close
from partnerclose.reading.inputs import Inputs, load_inputs
from partnerclose.statements.data import index_close, statement_fill
from partnerclose.writing.csv_files import journal_csv, lines_csv

OCT = Period(2026, 10)


def generated(folder: Path, seed: int, partners: int) -> Inputs:
    inputs = load_inputs(write_demo(folder, partners=partners, period=OCT, seed=seed), OCT)
    assert inputs.ok, [str(p) for p in inputs.problems]
    return inputs


def outputs(program: Program, data: PeriodData) -> tuple[CloseResult, bytes, bytes]:
    result = compute_close(program, OCT, data, CloseState())
    rows, _ = build_journal(
        str(OCT), "2026-10-31", result.lines, program.accounts, settlement=result.settlement
    )
    decimals = program.settings.decimals
    lines = lines_csv(result.lines, decimals, result.settlement, program.settings.currency)
    return result, lines, journal_csv(rows, decimals)


def shuffled(record, rng: random.Random):
    """The same record with every tuple of records in a random order."""
    changes = {}
    for f in fields(record):
        value = getattr(record, f.name)
        if isinstance(value, tuple) and value and not isinstance(value[0], str):
            items = list(value)
            rng.shuffle(items)
            changes[f.name] = tuple(items)
    return replace(record, **changes)


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 10**6), partners=st.integers(3, 14), order=st.integers(0, 10**6))
def test_generated_closes_reconcile_balance_and_ignore_row_order(tmp_path, seed, partners, order):
    inputs = generated(tmp_path / f"{seed}-{partners}", seed, partners)
    assert inputs.program is not None
    result, lines, journal = outputs(inputs.program, inputs.data)

    for check in result.pool_checks:  # N1
        assert check.difference == 0, check
    rows = list(csv.DictReader(io.StringIO(journal.decode())))
    assert sum(Decimal(r["debit"]) for r in rows) == sum(Decimal(r["credit"]) for r in rows)
    by_partner: dict[str, Decimal] = {}
    for row in csv.DictReader(io.StringIO(lines.decode())):
        by_partner[row["partner_id"]] = by_partner.get(row["partner_id"], Decimal(0)) + Decimal(
            row["amount"]
        )
    for pid in result.participants:
        assert by_partner.get(pid, Decimal(0)) == result.net(pid)
    assert result.costs.reserve.closing >= 0

    rng = random.Random(order)
    again = outputs(shuffled(inputs.program, rng), shuffled(inputs.data, rng))
    assert (again[1], again[2]) == (lines, journal)


def test_file_names_and_order_do_not_change_the_outputs(tmp_path):
    program = write_demo(tmp_path, partners=12, period=OCT, seed=11)
    first = run_close(program, OCT, out=tmp_path / "first")
    assert first.status is Status.CLOSED
    partners = sorted((tmp_path / "partners").glob("*.xlsx"))
    names = [f"{random.Random(3).randrange(10**6)}-{i}.xlsx" for i in range(len(partners))]
    random.Random(5).shuffle(names)
    for path, name in zip(partners, names, strict=True):
        path.rename(path.with_name(name))
    second = run_close(program, OCT, out=tmp_path / "second")
    assert second.status is Status.CLOSED
    for name in ("lines.csv", "journal.csv"):
        assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "second" / name).read_bytes()


def with_currencies(program: Program, rng: random.Random, eur: Decimal, jpy: Decimal) -> Program:
    """The program with about a third of its partners settling in EUR or JPY at these
    rates (average and closing alike), every other partner settling in USD by name."""
    partners = tuple(
        replace(p, currency=rng.choice(("EUR", "JPY", "USD", "USD", "USD", "")))
        for p in program.partners
    )
    rates = (
        FxRate(OCT, "EUR", eur, eur + Decimal("0.02"), "test", 2),
        FxRate(OCT, "JPY", jpy, jpy - Decimal("0.0002"), "test", 0),
    )
    return replace(program, partners=partners, fx_rates=rates)


@settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 10**6), partners=st.integers(3, 12), pick=st.integers(0, 10**6))
def test_multi_currency_closes_add_up_in_both_currencies(tmp_path, seed, partners, pick):
    inputs = generated(tmp_path / f"{seed}-{partners}", seed, partners)
    assert inputs.program is not None
    rng = random.Random(pick)
    program = with_currencies(inputs.program, rng, Decimal("1.0837"), Decimal("0.006713"))
    result = compute_close(program, OCT, inputs.data, CloseState())
    for check in result.pool_checks:  # N1 in the program currency
        assert check.difference == 0, check
    text = lines_csv(result.lines, 2, result.settlement, "USD").decode()
    settled: dict[str, Decimal] = {}
    for row in csv.DictReader(io.StringIO(text)):
        pid = row["partner_id"]
        settled[pid] = settled.get(pid, Decimal(0)) + Decimal(row["settlement_amount"])
        rate = result.settlement[pid]
        assert row["settlement_currency"] == rate.currency
        # X2 per line: amount / closing, to the currency's minor units (JPY none)
        exact = Decimal(row["amount"]) / rate.rate
        assert abs(Decimal(row["settlement_amount"]) - exact) <= Decimal(5).scaleb(
            -rate.decimals - 1
        )
    context = CloseContext(
        program, OCT, False, inputs, result, {}, (), (), "", lambda *_: None, "test"
    )
    index = index_close(result)
    for pid in result.participants:  # every statement's net is the sum of its lines
        assert settled.get(pid, Decimal(0)) == result.settlement_net(pid)
        fill = statement_fill(context, pid, index)
        rate = result.settlement[pid]
        assert fill.scalars["currency"] == rate.currency
        # the statement in its currency: net = Σ its converted lines = Σ its sections
        column = fill.tables["lines"].fields.index("amount")
        shown = sum((row[column] for row in fill.tables["lines"].rows), Decimal(0))
        sections = fill.tables["sections"]
        total = sections.fields.index("total")
        assert fill.scalars["net.signed"] == shown == result.settlement_net(pid)
        assert sum((row[total] for row in sections.rows), Decimal(0)) == shown


@settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 10**6), partners=st.integers(3, 12), pick=st.integers(0, 10**6))
def test_a_program_in_one_currency_gives_the_same_lines_and_journal(tmp_path, seed, partners, pick):
    inputs = generated(tmp_path / f"{seed}-{partners}", seed, partners)
    assert inputs.program is not None
    _, lines, journal = outputs(inputs.program, inputs.data)
    # Partners named as settling in USD, and rates listed for currencies no one uses:
    # the same bytes, and the three currency columns say USD, 1 and the amount.
    rng = random.Random(pick)
    program = with_currencies(inputs.program, rng, Decimal("1.08"), Decimal("0.0067"))
    program = replace(program, partners=tuple(replace(p, currency="USD") for p in program.partners))
    _, again, journal_again = outputs(program, inputs.data)
    assert (again, journal_again) == (lines, journal)
    for row in csv.DictReader(io.StringIO(lines.decode())):
        assert (row["settlement_currency"], row["fx_rate"]) == ("USD", "1")
        assert row["settlement_amount"] == row["amount"]
