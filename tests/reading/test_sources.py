"""The Sources sheet (docs/sources.md): data from Parquet and CSV files and database
queries, read, checked and closed exactly as the same rows in partner workbooks."""

from __future__ import annotations

import copy
import csv
import sqlite3
from decimal import Decimal as D
from pathlib import Path

import duckdb
import psycopg

from partnerclose.core.period import Period
from partnerclose.core.problems import Severity
from partnerclose.evidence import verify_period
from partnerclose.ledger.store import Ledger
from partnerclose.pipeline import Status, run_close
from partnerclose.reading.inputs import load_inputs
from tests.workbook_files import PROGRAM, Sheets, write_program

OCT = Period(2026, 10)
SOURCES_HEADER = ["kind", "location", "format", "query"]
DEALS_COLUMNS = "partner_id, deal_id, close_date, product, deal_type, registered, amount, status"
# P001's D1 and P002's D2 and both partners' usage of the CRM pool, as warehouse rows
DEALS_SQL = """SELECT * FROM (VALUES
    ('P001', 'D1', DATE '2026-10-03', 'Core', 'sourced', 'Y', 30000.00::DECIMAL(18, 2), 'won'),
    ('P002', 'D2', DATE '2026-10-09', 'Core', 'sourced', 'N', 1234.56::DECIMAL(18, 2), 'won')
) AS t(partner_id, deal_id, close_date, product, deal_type, registered, amount, status)"""
USAGE_ROWS = [["partner_id", "pool_id", "units"], ["P001", "CRM", "300"], ["P002", "CRM", "200"]]


def program_with_sources(*rows: list[object]) -> Sheets:
    program = copy.deepcopy(PROGRAM)
    program["Sources"] = [SOURCES_HEADER, *rows]
    return program


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def write_parquet(path: Path, query: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as db:
        db.execute(f"COPY ({query}) TO '{path}' (FORMAT parquet)")
    return path


def errors(program: Path, period: Period = OCT) -> list[str]:
    inputs = load_inputs(program, period)
    return [str(p) for p in inputs.problems if p.severity is Severity.ERROR]


def amounts(lines: object) -> dict[tuple[str, str, str], D]:
    return {(line.partner_id, str(line.component), line.item): line.amount for line in lines}  # type: ignore[attr-defined]


def test_deals_from_parquet_and_usage_from_csv_close_as_partner_workbooks_would(tmp_path):
    program = write_program(
        tmp_path / "sources",
        program_with_sources(
            ["Deals", "deals/{period}.parquet", None, None],
            ["Usage", "usage.csv", "csv", None],
        ),
        {},
    )
    write_parquet(program.parent / "deals" / "2026-10.parquet", DEALS_SQL)
    write_csv(program.parent / "usage.csv", USAGE_ROWS)
    by_sources = run_close(program, OCT)
    assert by_sources.status is Status.CLOSED, by_sources.problems

    workbooks = {
        "P001": {
            "Partner": [["key", "value"], ["partner_id", "P001"], ["period", "2026-10"]],
            "Usage": [["pool_id", "units"], ["CRM", 300]],
            "Deals": [
                ["deal_id", "close_date", "product", "deal_type", "registered", "amount", "status"],
                ["D1", "2026-10-03", "Core", "sourced", "Y", 30000, "won"],
            ],
        },
        "P002": {
            "Partner": [["key", "value"], ["partner_id", "P002"], ["period", "2026-10"]],
            "Usage": [["pool_id", "units"], ["CRM", 200]],
            "Deals": [
                ["deal_id", "close_date", "product", "deal_type", "registered", "amount", "status"],
                ["D2", "2026-10-09", "Core", "sourced", "N", "1234.56", "won"],
            ],
        },
    }
    by_workbooks = run_close(write_program(tmp_path / "workbooks", PROGRAM, workbooks), OCT)
    assert by_workbooks.status is Status.CLOSED, by_workbooks.problems
    assert by_sources.result is not None
    assert by_workbooks.result is not None
    assert amounts(by_sources.result.lines) == amounts(by_workbooks.result.lines)
    found = amounts(by_sources.result.lines)
    # Gold 10 % on registered sourced deals: 30,000.00 -> 3,000.00; D2 is not registered,
    # so it is paid as influenced, 3 %: 1,234.56 x 0.03 = 37.0368 -> 37.04.
    assert found["P001", "revenue_share", "D1"] == D("3000.00")
    assert found["P002", "revenue_share", "D2"] == D("37.04")
    # CRM 12,000.00 by usage: HOST 500 (the program's Usage sheet), P001 300, P002 200
    # -> P001 3,600.00, P002 2,400.00.
    assert (found["P001", "cost_share", "CRM"], found["P002", "cost_share", "CRM"]) == (
        D("-3600.00"),
        D("-2400.00"),
    )


def test_a_query_on_sqlite_reads_the_closed_month_only(tmp_path):
    program = write_program(
        tmp_path,
        program_with_sources(
            [
                "Deals",
                "sqlite:///warehouse.db",
                "sql",
                f"SELECT {DEALS_COLUMNS} FROM deals "
                "WHERE close_date BETWEEN '{period_start}' AND '{period_end}' ORDER BY deal_id",
            ],
            ["Usage", "usage.csv", None, None],
        ),
        {},
    )
    write_csv(program.parent / "usage.csv", USAGE_ROWS)
    with sqlite3.connect(program.parent / "warehouse.db") as db:
        db.execute(f"CREATE TABLE deals ({DEALS_COLUMNS})")
        db.executemany(
            "INSERT INTO deals VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                ("P001", "D1", "2026-10-03", "Core", "sourced", "Y", "30000.00", "won"),
                ("P001", "D0", "2026-09-30", "Core", "sourced", "Y", "99999.00", "won"),
            ],
        )
    outcome = run_close(program, OCT)
    assert outcome.status is Status.CLOSED, outcome.problems
    assert outcome.result is not None
    deals = {line.item for line in outcome.result.lines if line.component == "revenue_share"}
    assert deals == {"D1"}  # September's D0 is not in October's query


def test_a_query_on_postgresql_reads_its_rows_exactly(tmp_path, postgres_database):
    with psycopg.connect(postgres_database, autocommit=True) as db:
        db.execute(
            "CREATE TABLE deals (partner_id text, deal_id text, close_date date, product text, "
            "deal_type text, registered text, amount numeric(18, 2), status text)"
        )
        db.execute(
            "INSERT INTO deals VALUES ('P002', 'D7', '2026-10-15', 'Core', 'sourced', 'Y', "
            "0.15, 'won'), ('P002', 'D8', '2026-10-16', 'Core', 'sourced', 'Y', 0.25, 'won')"
        )
    program = write_program(
        tmp_path,
        program_with_sources(
            ["Deals", postgres_database, "sql", f"SELECT {DEALS_COLUMNS} FROM deals"],
            ["Usage", "usage.csv", None, None],
        ),
        {},
    )
    write_csv(program.parent / "usage.csv", USAGE_ROWS)
    outcome = run_close(program, OCT)
    assert outcome.status is Status.CLOSED, outcome.problems
    assert outcome.result is not None
    found = amounts(outcome.result.lines)
    # numeric(18, 2) arrives as Decimal, never as a binary float: 10 % of 0.15 = 0.015
    # exactly -> 0.02 and 10 % of 0.25 = 0.025 -> 0.03 (money.py rounds half up; from
    # floats 0.015 would be 0.01499… and round to 0.01).
    assert (found["P002", "revenue_share", "D7"], found["P002", "revenue_share", "D8"]) == (
        D("0.02"),
        D("0.03"),
    )


def test_bad_sources_are_errors_at_their_cells(tmp_path):
    program = write_program(
        tmp_path,
        program_with_sources(
            ["Deals", "deals/{period}.parquet", None, None],
            ["Deal", "usage.csv", None, None],
            ["Usage", "usage.txt", None, None],
            ["Usage", "usage.csv", "parquet", None],
            ["Deals", "sqlite:///missing.db", "sql", "SELECT 1"],
            ["Deals", "deals.csv", None, "SELECT 1"],
            ["Deals", "sqlite:///warehouse.db", "sql", None],
            ["Deals", "sqlite:///warehouse.db", "sql", "SELECT * FROM no_such_table"],
            ["Deals", "postgresql://nobody@127.0.0.1:1/finance", "sql", "SELECT 1"],
        ),
        {},
    )
    write_csv(program.parent / "usage.csv", USAGE_ROWS)
    write_csv(program.parent / "deals.csv", [["partner_id"]])
    sqlite3.connect(program.parent / "warehouse.db").close()
    every = errors(program)
    found = sorted(p for p in every if p.startswith("program.xlsx:Sources!"))
    # no row was read, so the month has no data at all: that error comes too
    assert [p for p in every if p not in found] == [
        f"program.xlsx:Program: no partner workbook of 2026-10 was found in "
        f"{program.parent / 'partners'}, and 2 active partners (P001, P002) sent no data for "
        "it; check the period and the partner folder, or allow a close without partner data "
        "(--allow-empty)"
    ]
    folder = program.parent
    kind = next(problem for problem in found if problem.startswith("program.xlsx:Sources!A3:"))
    assert kind.startswith("program.xlsx:Sources!A3: kind must be one of Usage, Deals, ")
    assert 'did you mean "Deals"' in kind
    unreachable = next(p for p in found if p.startswith("program.xlsx:Sources!B10:"))
    assert unreachable.startswith(
        "program.xlsx:Sources!B10: cannot reach the database postgresql://nobody@127.0.0.1:1/"
        "finance: "
    )
    unreadable = next(p for p in found if p.startswith("program.xlsx:Sources!B5:"))
    assert unreadable.startswith("program.xlsx:Sources!B5: usage.csv cannot be read as parquet: ")
    assert sorted(set(found) - {kind, unreachable, unreadable}) == [
        f"program.xlsx:Sources!B2: no file matches deals/2026-10.parquet (in {folder})",
        "program.xlsx:Sources!B4: cannot tell the format of 'usage.txt' from its name: give "
        "format parquet, csv or sql",
        f"program.xlsx:Sources!B6: no database file {folder / 'missing.db'}",
        "program.xlsx:Sources!D7: a query is read only for format sql, not for csv",
        "program.xlsx:Sources!D8: format sql needs a query",
        "program.xlsx:Sources!D9: the query on sqlite:///warehouse.db failed: no such table: "
        "no_such_table",
    ]
    assert len(found) == 9


def test_rows_of_a_source_are_checked_at_their_file_and_cell(tmp_path):
    program = write_program(
        tmp_path,
        program_with_sources(
            ["Deals", "deals/*.csv", None, None], ["Usage", "usage.csv", None, None]
        ),
        {},
    )
    header = ["partner_id", "deal_id", "close_date", "product", "deal_type", "registered"]
    header += ["amount", "status"]
    write_csv(
        program.parent / "deals" / "a.csv",
        [header, ["P001", "D1", "2026-10-03", "Core", "sourced", "Y", "abc", "won"]],
    )
    write_csv(
        program.parent / "deals" / "b.csv",
        [header, ["P002", "D2", "2026-10-05", "Core", "sourced", "Y", "100", "won"]],
    )
    write_csv(
        program.parent / "deals" / "c.csv",
        [header, ["P002", "D2", "2026-10-06", "Core", "sourced", "Y", "200", "won"]],
    )
    write_csv(program.parent / "usage.csv", [*USAGE_ROWS, ["P009", "CRM", "5"]])
    found = errors(program)
    assert 'deals/a.csv:Deals!G2: amount must be a number ≥ 0, got "abc"' in found
    assert any(
        problem.startswith("deals/") and "D2" in problem and "deal_id" in problem
        for problem in found
    ), found  # one deal id in two files
    assert any(problem.startswith("usage.csv:Usage!A4:") and "P009" in problem for problem in found)
    assert run_close(program, OCT).status is Status.INVALID  # nothing is computed


def test_a_final_close_keeps_its_source_files_and_verifies_from_them(tmp_path):
    program = write_program(
        tmp_path,
        program_with_sources(
            ["Deals", "deals/{period}.parquet", None, None], ["Usage", "usage.csv", None, None]
        ),
        {},
    )
    parquet = write_parquet(program.parent / "deals" / "2026-10.parquet", DEALS_SQL)
    write_csv(program.parent / "usage.csv", USAGE_ROWS)
    outcome = run_close(program, OCT, final=True)
    assert outcome.status is Status.CLOSED, outcome.problems
    parquet.unlink()  # the warehouse moves on; the ledger kept what the close read
    with Ledger(program.with_name("program.xlsx.ledger.sqlite"), read_only=True) as ledger:
        [run] = ledger.history()
        roles = sorted((Path(k.path).name, k.role, k.kept) for k in ledger.run_inputs(run.run_id))
        assert roles == [
            ("2026-10.parquet", "source", True),
            ("program.xlsx", "program", True),
            ("usage.csv", "source", True),
        ]
        verification = verify_period(ledger, OCT)
    assert verification.problems == ()
    assert verification.differences == ()
    assert verification.lines == len(outcome.result.lines) if outcome.result else False
