"""The Parquet lines' layout and values (writing/parquet_files.py), read back by DuckDB."""

from __future__ import annotations

import hashlib
from decimal import Decimal as D
from pathlib import Path

import duckdb
import pytest

from partnerclose.core.currency import SettlementRate
from partnerclose.core.lines import Component, Line
from partnerclose.reading.parquet_values import bucket_of, decimal_array, lines_file
from partnerclose.writing.parquet_files import write_lines_parquet

LINES = [
    Line("2026-10", "HOST", Component.COST_SHARE, "CRM", D("-2125.00"), "C4", "", D("0.5")),
    Line("2026-10", "P001", Component.REVENUE_SHARE, "D1", D("1000.00"), "R2", "=x", D(10000)),
    Line("2026-10", "P001", Component.CLAWBACK, "D1R", D("-333.33"), "R5"),
    Line("2026-10", "P002", Component.REVENUE_SHARE, "D2", D("12.35"), "R2", "", D("123.45")),
]
JPY = {"P002": SettlementRate("JPY", D("0.0066"), 0)}  # USD per yen


def _rows(where: str) -> list[tuple[object, ...]]:
    with duckdb.connect() as db:
        return db.execute(
            "SELECT partner_id, item, description, quantity, amount, settlement_currency, "
            f"fx_rate, settlement_amount FROM read_parquet('{where}') ORDER BY seq"
        ).fetchall()


def test_up_to_1000_participants_one_hive_folder_per_partner(tmp_path: Path) -> None:
    written = write_lines_parquet(LINES, 2, JPY, "USD", tmp_path, 1000)
    assert [(f.path, f.rows) for f in written] == [
        ("lines/partner_id=HOST/part-0.parquet", 1),
        ("lines/partner_id=P001/part-0.parquet", 2),
        ("lines/partner_id=P002/part-0.parquet", 1),
    ]
    for file in written:
        assert hashlib.sha256((tmp_path / file.path).read_bytes()).hexdigest() == file.sha256
    # 12.35 USD / 0.0066 = 1,871.21 -> JPY 1,871 (no decimals); the text as in the workbook
    assert _rows(f"{tmp_path}/lines/*/*.parquet") == [
        ("HOST", "CRM", "", D("0.50"), D("-2125.00"), "USD", D(1), D("-2125.00")),
        ("P001", "D1", "=x", D("10000.00"), D("1000.00"), "USD", D(1), D("1000.00")),
        ("P001", "D1R", "", None, D("-333.33"), "USD", D(1), D("-333.33")),
        ("P002", "D2", "", D("123.45"), D("12.35"), "JPY", D("0.0066"), D("1871")),
    ]


def test_above_1000_participants_a_partners_lines_are_in_its_hash_bucket(tmp_path: Path) -> None:
    written = write_lines_parquet(LINES, 2, None, "USD", tmp_path, 1001)
    assert bucket_of("P001") == hashlib.sha256(b"P001").digest()[0]
    expected = sorted({lines_file(p, 1001) for p in ("HOST", "P001", "P002")})
    assert [f.path for f in written] == expected
    assert lines_file("P001", 1001) == f"lines/bucket={bucket_of('P001'):03d}/part-0.parquet"
    mine = _rows(f"{tmp_path}/{lines_file('P001', 1001)}")
    assert [(row[0], row[1]) for row in mine if row[0] == "P001"] == [
        ("P001", "D1"),
        ("P001", "D1R"),
    ]
    assert len(_rows(f"{tmp_path}/lines/*/*.parquet")) == 4


def test_decimals_are_exact_at_the_smallest_scale_that_holds_every_value() -> None:
    column = decimal_array([D("0.1"), None, D("0.12345678901234567890123456789")])
    assert (column.type.precision, column.type.scale) == (38, 29)
    assert column.to_pylist()[2] == D("0.12345678901234567890123456789")
    assert decimal_array([D("1.5")], 2).type.scale == 2
    with pytest.raises(ValueError, match="does not fit"):
        decimal_array([D("123456789012345678901.5"), D("0.12345678901234567890123456789")])
