"""A partner with hundreds of deals: its PDF statement's deal table runs over many pages
(the large program has about 600 deals a statement). The table's rows are written as
PDF operators one string a row (pdf.py `_Cells`); read back with poppler, the statement
says what it said when every cell was its own string (the golden text was written by
that renderer), and its bytes are those the per-string writer gives."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from partnerclose.statements import pdf
from partnerclose.statements.data import statement_fill
from partnerclose.statements.pdf import render_pdf
from partnerclose.statements.values import Fill, Value
from tests.statements.conftest import DemoClose

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler")

GOLDEN = Path(__file__).parent / "golden" / "pdf_long_deals.txt"
CUSTOMERS = (
    "Société Générale (Zürich) · Ltd",  # beyond ASCII, and brackets to escape
    "The Very Long Customer Name Holding Company of the Northern Regions",  # wraps
    "Back\\slash Trading",
)


def long_fill(fill: Fill, deals: int = 600) -> Fill:
    """`fill` with `deals` deal rows made from its own: amounts of every sign, zero
    and missing ones, rates of 0, and customers that wrap or need more than ASCII."""
    table = fill.tables["deals"]
    at = {name: i for i, name in enumerate(table.fields)}
    rows: list[tuple[Value, ...]] = []
    for n in range(deals):
        row = list(table.rows[n % len(table.rows)])
        row[at["id"]] = f"D-2026-10-{n:05d}"
        amount = Decimal(1000 + 37 * n) + Decimal(n % 100) / 100
        share = (amount * Decimal("0.1")).quantize(Decimal("0.01"))
        if n % 50 == 7:
            amount, share = -amount, -share
        if n % 70 == 9:
            share = Decimal("0.00")
        row[at["amount"]] = None if n % 90 == 11 else amount
        row[at["share"]] = share
        if n % 40 == 13:
            row[at["rate"]] = Decimal("0.0000")
        if n % 30 == 17:
            row[at["customer"]] = CUSTOMERS[(n // 30) % len(CUSTOMERS)]
        rows.append(tuple(row))
    tables = dict(fill.tables)
    tables["deals"] = dataclasses.replace(table, rows=tuple(rows))
    return Fill(fill.scalars, tables)


def pdf_text(path: Path, *options: str) -> str:
    return subprocess.run(
        ["pdftotext", *options, "-raw", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture(scope="module")
def long_pdf(demo: DemoClose, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("long") / "P001.pdf"
    path.write_bytes(render_pdf(long_fill(statement_fill(demo.context, "P001"))))
    return path


def test_a_long_deal_table_reads_as_before(long_pdf: Path, update_golden: bool) -> None:
    text = pdf_text(long_pdf)
    if update_golden:
        GOLDEN.write_text(text, encoding="utf-8")
    assert text.splitlines() == GOLDEN.read_text(encoding="utf-8").splitlines()


def test_every_page_of_a_long_table_has_its_header_and_number(long_pdf: Path) -> None:
    pages = pdf_text(long_pdf).split("\f")[:-1]
    assert len(pages) >= 10
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert "DRAFT" in page.replace("D R A F T", "DRAFT")
    deal_pages = [page for page in pages if "D-2026-10-" in page]
    assert len(deal_pages) >= 9
    assert all("Customer Deal Product" in page for page in deal_pages)  # the header again
    text = "".join(deal_pages)
    ids = [f"D-2026-10-{n:05d}" for n in range(600)]
    assert [i for i in ids if i in text] == ids
    assert "(1,259.07)" in text  # deal 7's amount, negative
    assert "Société Générale (Zürich)\n· Ltd" in text  # wrapped
    assert "Back\\slash Trading" in text


def test_rows_as_one_string_are_the_per_string_writer_s_bytes(
    demo: DemoClose, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rows of `_Cells.row`, one string each, against the same rows drawn through
    `_operators` (a text operator per string, ReportLab's subsets for every string)."""
    fill = long_fill(statement_fill(demo.context, "P001"))
    fast = render_pdf(fill)

    def per_string(cells: pdf._Cells, y: float, row: list[pdf.Cell], lines: int) -> pdf.Draw:
        return cells._slow(y, row, pdf._rule(y, lines))

    monkeypatch.setattr(pdf._Cells, "row", per_string)
    assert render_pdf(fill) == fast


def test_a_word_wider_than_its_column_is_broken_at_the_column_s_edge() -> None:
    pdf._register_fonts()
    word = "ACCOUNT-REFERENCE-0000000000000001"
    lines = pdf._wrap(f"see {word} today", pdf.REGULAR, 7.0, 64.0)
    assert lines[0] == "see"
    assert "".join(lines[1:])[: len(word)] == word  # pieces in order, nothing lost
    assert lines[-1].endswith(" today")  # the last piece takes the next word
    assert all(pdf._ascii_width(line, pdf.REGULAR, 7.0) <= 64.0 for line in lines)
    assert len(lines) == 4  # each piece as long as the column allows


def test_a_crm_deal_id_stays_on_one_line_in_the_deal_column() -> None:
    pdf._register_fonts()
    deal = next(column for column in pdf.DEAL_COLUMNS if column.field == "id")
    limit = deal.width * pdf.INNER - 4  # a cell's room, as the table gives it
    assert pdf._wrap("D-2026-10-0000001", pdf.REGULAR, pdf._ROW_SIZE, limit) == [
        "D-2026-10-0000001"
    ]
