"""`lines_format` parquet through real closes of the demo program (issue 25, point 3):
the lines as partitioned Parquet hold lines.csv's rows value for value, the paid deals
go to a Parquet file that the next close reads back, and a missing or changed file is
refused, naming it."""

from __future__ import annotations

import csv
import hashlib
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from partnerclose.core.period import Period
from partnerclose.demo.writer import write_demo, write_partner_workbooks
from partnerclose.ledger.location import open_ledger
from partnerclose.pipeline import NO_PDF_WRITERS, CloseOutcome, Status, run_close
from partnerclose.writing.csv_files import LINE_COLUMNS

OCT, NOV = Period(2026, 10), Period(2026, 11)
DECIMAL_COLUMNS = {"quantity", "rate", "amount", "fx_rate", "settlement_amount"}


def _close(program: Path, period: Period, out: Path, lines_format: str) -> CloseOutcome:
    outcome = run_close(
        program,
        period,
        final=True,
        out=out,
        ledger_path=out.parent / f"{lines_format}.ledger.sqlite",
        writers=NO_PDF_WRITERS,
        lines_format=lines_format,
    )
    assert outcome.status is Status.CLOSED, (outcome.message, outcome.problems[:3])
    return outcome


@pytest.fixture(scope="module")
def two_months(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo program in several currencies, October and November closed final
    twice: with lines.csv (`csv/`) and with Parquet (`parquet/`)."""
    folder = tmp_path_factory.mktemp("demo")
    program = write_demo(folder, partners=12, period=OCT, currencies=True)
    for kind in ("csv", "parquet"):
        _close(program, OCT, folder / kind / "close-2026-10", kind)
    write_partner_workbooks(folder, NOV)
    for kind in ("csv", "parquet"):
        _close(program, NOV, folder / kind / "close-2026-11", kind)
    return folder


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _parquet_rows(out: Path) -> list[dict[str, object]]:
    query = f"SELECT * FROM read_parquet('{out}/lines/*/*.parquet') ORDER BY seq"
    with duckdb.connect() as db:
        result = db.execute(query)
        names = [d[0] for d in result.description]
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def _same(column: str, csv_text: str, value: object) -> bool:
    if column in DECIMAL_COLUMNS:
        return (value is None and csv_text == "") or (
            isinstance(value, Decimal) and value == Decimal(csv_text)
        )
    unquoted = csv_text[1:] if csv_text.startswith("'") else csv_text  # csv's formula guard
    return value == unquoted


@pytest.mark.parametrize("month", ["close-2026-10", "close-2026-11"])
def test_parquet_lines_hold_the_rows_of_lines_csv_value_for_value(two_months, month):
    expected = _csv_rows(two_months / "csv" / month / "lines.csv")
    out = two_months / "parquet" / month
    found = _parquet_rows(out)
    assert not (out / "lines.csv").exists()
    assert len(found) == len(expected) > 100
    assert [row["seq"] for row in found] == list(range(1, len(expected) + 1))
    for want, got in zip(expected, found, strict=True):
        differing = [c for c in LINE_COLUMNS if not _same(c, want[c], got[c])]
        assert differing == [], (want, got)
    # several settlement currencies, each amount exact in its own decimals
    assert {row["settlement_currency"] for row in found} >= {"USD", "EUR", "JPY"}
    with duckdb.connect() as db:
        types = dict(
            db.execute(
                f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM "
                f"read_parquet('{out}/lines/*/*.parquet'))"
            ).fetchall()
        )
    assert types["amount"] == "DECIMAL(38,2)"
    assert types["settlement_amount"].startswith("DECIMAL(38,")


def test_each_partner_has_its_own_file_registered_in_the_ledger_by_sha256(two_months):
    out = two_months / "parquet" / "close-2026-11"
    with open_ledger(two_months / "parquet" / "parquet.ledger.sqlite", out) as ledger:
        final = ledger.current_run(NOV, "final")
        assert final is not None
        files = ledger.run_files(final.run_id)
    lines = [f for f in files if f.kind == "lines"]
    partners = sorted(p.name.removeprefix("partner_id=") for p in (out / "lines").iterdir())
    assert [Path(f.path).parent.name for f in lines] == [f"partner_id={p}" for p in partners]
    assert "HOST" in partners
    for file in files:
        assert hashlib.sha256(Path(file.path).read_bytes()).hexdigest() == file.sha256
        assert Path(file.path).is_relative_to(out)
    with duckdb.connect() as db:
        for file in lines:
            owner = Path(file.path).parent.name.removeprefix("partner_id=")
            count, owners = db.execute(
                f"SELECT COUNT(*), LIST(DISTINCT partner_id) FROM '{file.path}'"
            ).fetchone()
            assert (count, owners) == (file.rows, [owner])
    [state] = [f for f in files if f.kind == "paid_deals"]
    assert Path(state.path) == out / "paid_deals.parquet"


def test_november_from_the_parquet_state_gives_the_lines_of_the_csv_state(two_months):
    """November's true-ups and clawbacks need October's paid deals: read back from
    October's paid_deals.parquet they give the lines they give from the ledger's text."""
    by_csv = _csv_rows(two_months / "csv" / "close-2026-11" / "lines.csv")
    by_parquet = _parquet_rows(two_months / "parquet" / "close-2026-11")
    components = {row["component"] for row in by_csv}
    assert {"clawback", "true_up", "revenue_share"} <= components
    assert len(by_csv) == len(by_parquet)
    for want, got in zip(by_csv, by_parquet, strict=True):
        assert all(_same(c, want[c], got[c]) for c in LINE_COLUMNS), (want, got)
    with duckdb.connect() as db:
        (paid,) = db.execute(
            f"SELECT COUNT(*) FROM '{two_months}/parquet/close-2026-10/paid_deals.parquet'"
        ).fetchone()
    assert paid > 10


@pytest.mark.parametrize("damage", ["missing", "changed"])
def test_a_missing_or_changed_state_file_is_refused_and_nothing_is_written(tmp_path, damage):
    program = write_demo(tmp_path, partners=4, period=OCT)
    _close(program, OCT, tmp_path / "close-2026-10", "parquet")
    state = tmp_path / "close-2026-10" / "paid_deals.parquet"
    if damage == "missing":
        state.unlink()
    else:
        state.write_bytes(state.read_bytes() + b"\0")
    write_partner_workbooks(tmp_path, NOV)
    outcome = run_close(
        program,
        NOV,
        out=tmp_path / "close-2026-11",
        ledger_path=tmp_path / "parquet.ledger.sqlite",
        writers=NO_PDF_WRITERS,
    )
    assert outcome.status is Status.REFUSED
    assert outcome.exit_code == 3
    why = "are not there" if damage == "missing" else "are not the file that close wrote"
    assert outcome.message.startswith(
        f"{state}: the paid deals of the final close of 2026-10 (run 1) {why}"
    )
    assert outcome.message.endswith("Nothing was computed or written")
    assert not (tmp_path / "close-2026-11").exists()


def test_without_pyarrow_a_parquet_close_is_refused_plainly(tmp_path, monkeypatch):
    """The desktop app's bundle has no pyarrow: such a close says what to do instead."""
    program = write_demo(tmp_path, partners=3, period=OCT)
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # `import pyarrow` fails
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    out = tmp_path / "close-2026-10"
    outcome = run_close(program, OCT, out=out, writers=NO_PDF_WRITERS, lines_format="parquet")
    assert outcome.status is Status.REFUSED
    assert outcome.message == (
        "Parquet lines and paid deals (lines_format parquet) need pyarrow, which this "
        "installation does not include (the desktop app leaves it out); close this program "
        "with the command line, or set lines_format to csv. Nothing was written or recorded"
    )
    assert not out.exists()
    with open_ledger(tmp_path / "program.xlsx.ledger.sqlite", program) as ledger:
        assert ledger.history() == []
