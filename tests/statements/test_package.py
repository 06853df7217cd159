"""The XML backend writes the same statements as the openpyxl backend (the reference),
from the same templates, and keeps what it does not need to touch byte for byte."""

from __future__ import annotations

import io
import re
import threading
import zipfile
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from partnerclose.processes import can_fork
from partnerclose.statements.close_pack_data import close_pack_fill
from partnerclose.statements.data import index_close, statement_fill
from partnerclose.statements.package import UnsupportedTemplateError, fill_package, load_package
from partnerclose.statements.values import Fill, Table
from partnerclose.statements.writers import (
    CLOSE_PACK_TEMPLATE,
    STATEMENT_TEMPLATE,
    render_statements,
    render_workbook,
    statement_partners,
)
from partnerclose.statements.xlsx import WorksheetSheet, fill_workbook, load_template, save
from partnerclose.statements.xmlsheet import SheetRow, Styles, XmlSheet
from tests.statements.compare import differences
from tests.statements.conftest import DemoClose
from tests.statements.test_xlsx import EVIL, data, template_bytes

PRODUCED = datetime(2026, 11, 2, 9, 30)
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def both(template: bytes, fill: Fill, folder: Path) -> tuple[Path, Path]:
    """The same fill through the openpyxl backend and the XML backend."""
    folder.mkdir(parents=True, exist_ok=True)
    book, _ = fill_workbook(template, fill, produced=PRODUCED)
    reference = folder / "openpyxl.xlsx"
    save(book, reference, PRODUCED)
    written, _ = fill_package(load_package(template), fill, produced=PRODUCED)
    fast = folder / "xml.xlsx"
    fast.write_bytes(written)
    return reference, fast


def part(workbook: bytes | Path, name: str) -> str:
    data = workbook.read_bytes() if isinstance(workbook, Path) else workbook
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name).decode("utf-8")


# --- the same statements -----------------------------------------------------------------


def test_both_backends_write_the_same_statement_for_every_demo_partner(
    demo: DemoClose, tmp_path: Path
) -> None:
    template = STATEMENT_TEMPLATE.read_bytes()
    index = index_close(demo.context.result)
    partners = statement_partners(demo.context)
    assert len(partners) == 11
    for pid in partners:
        reference, fast = both(template, statement_fill(demo.context, pid, index), tmp_path / pid)
        # Values and types, number formats, merged ranges, print area and titles, page
        # breaks, chart anchors and series, fonts, fills, borders, alignment, heights.
        assert differences(reference, fast) == [], pid


def test_both_backends_write_the_same_close_pack(demo: DemoClose, tmp_path: Path) -> None:
    reference, fast = both(
        CLOSE_PACK_TEMPLATE.read_bytes(), close_pack_fill(demo.context), tmp_path
    )
    assert len(load_workbook(fast).worksheets) > 5  # every sheet of the pack, compared
    assert differences(reference, fast) == []
    # Tables at the end of a sheet grow it: its dimension covers them, so a reader that
    # trusts the dimension (openpyxl read-only) sees every row, as in the reference.
    streamed = load_workbook(fast, read_only=True)
    for sheet in load_workbook(reference).worksheets:
        rows = list(streamed[sheet.title].iter_rows(values_only=True))
        assert len(rows) == sheet.max_row, sheet.title


def test_the_xml_backend_reads_the_template_as_openpyxl_does() -> None:
    template = STATEMENT_TEMPLATE.read_bytes()
    reference = WorksheetSheet(load_template(template).worksheets[0]).read()  # type: ignore[arg-type]
    [sheet] = load_package(template).sheets
    assert sheet.content.cells == reference.cells
    assert sorted(sheet.content.merged) == sorted(reference.merged)
    assert sheet.content.print_area == reference.print_area == "'Statement'!$A$1:$K$103"
    assert sheet.content.chart_references == reference.chart_references
    assert load_package(template) is load_package(template)  # parsed once per process


@pytest.mark.parametrize("count", [0, 1, 4, 30])
def test_both_backends_insert_rows_with_merges_rules_links_breaks_and_charts_alike(
    count: int, tmp_path: Path
) -> None:
    reference, fast = both(template_bytes(), data(count), tmp_path)
    assert differences(reference, fast) == []
    ws = load_workbook(fast)["S"]
    assert isinstance(ws, Worksheet)
    extra = max(count, 1) - 1
    assert ws[f"D{4 + extra}"].value == f"=SUM(D3:D{3 + extra})"
    assert ws[f"B{7 + extra}"].hyperlink.target == "https://example.com"
    assert [b.id for b in ws.row_breaks.brk] == [5 + extra]
    assert ws.print_area == f"'S'!$A$1:$H${20 + extra}"


# --- text stays text ----------------------------------------------------------------------


def test_text_that_looks_like_a_formula_is_written_as_text() -> None:
    fill = data(3)
    customers = fill.tables["deals"]
    rows = list(customers.rows)
    rows[1] = ('  <b>&"x"</b>\x07 ', rows[1][1])  # markup, a control character, spaces
    fill = Fill(
        {**fill.scalars, "title": "+SUM(1,2)"},
        {"deals": Table("deal", customers.fields, tuple(rows))},
    )
    written, _ = fill_package(load_package(template_bytes()), fill)
    sheet_xml = part(written, "xl/worksheets/sheet1.xml")
    assert re.findall(r"<f>(.*?)</f>", sheet_xml) == ["SUM(D3:D5)"]  # the template's own
    ws = load_workbook(io.BytesIO(written))["S"]
    assert isinstance(ws, Worksheet)
    for coordinate, text in (("B1", "+SUM(1,2)"), ("B3", EVIL), ("B4", '  <b>&"x"</b> ')):
        assert ws[coordinate].value == text
        assert ws[coordinate].data_type == "s"
    assert ws["D6"].data_type == "f"


def test_the_same_fill_gives_the_same_bytes() -> None:
    first, _ = fill_package(load_package(template_bytes()), data(3), produced=PRODUCED)
    again, _ = fill_package(load_package(template_bytes()), data(3), produced=PRODUCED)
    assert first == again
    later, _ = fill_package(
        load_package(template_bytes()), data(3), produced=PRODUCED + timedelta(1)
    )
    assert later != first
    assert "2026-11-02T09:30:00Z" in part(first, "docProps/core.xml")


# --- templates saved by Excel ------------------------------------------------------------


def _edit(data: bytes, edits: dict[str, Callable[[str], str]], added: dict[str, str]) -> bytes:
    """A copy of a package with some parts edited and others added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            text = source.read(name).decode("utf-8")
            target.writestr(name, edits[name](text) if name in edits else text)
        for name, text in added.items():
            target.writestr(name, text)
    return out.getvalue()


def excel_like_template() -> bytes:
    """A template as Excel saves one: shared strings, a shared formula, columns in
    groups, row attributes of Excel's own namespace, a calculation chain."""
    book = Workbook()
    ws: Any = book.active
    ws.title = "Sheet 1"
    ws["A1"] = "{{ title }}"
    ws["A3"] = "{{#table deals}}"
    ws["B3"] = "{{ deal.customer }}"
    ws["B3"].alignment = Alignment(wrap_text=True)
    ws["B3"].font = Font(name="Georgia", sz=14)
    ws["C3"] = "{{ deal.amount }}"
    ws["D3"] = "{{ deal.amount }}"
    ws["C4"] = "=SUM(C3:C3)"
    ws["D4"] = "=SUM(D3:D3)"
    ws["B6"] = "{{ when }}"  # a date in a cell without a date format
    ws["B7"] = "{{ stamp }}"
    ws["B8"] = "Prepared for {{ title }}"
    ws.column_dimensions["B"].width = 9
    ws.print_area = "A1:D8"
    buffer = io.BytesIO()
    book.save(buffer)
    strings: list[str] = []

    def shared(match: re.Match[str]) -> str:
        strings.append(match.group(2))
        return f'{match.group(1)}t="s"><v>{len(strings) - 1}</v></c>'

    def sheet(text: str) -> str:
        text = re.sub(
            r'(<c r="[A-Z]+\d+"(?: s="\d+")? )t="inlineStr"><is><t>(.*?)</t></is></c>', shared, text
        )
        text = re.sub(
            r"<f>SUM\(C3:C3\)</f>", '<f t="shared" ref="C4:D4" si="0">SUM(C3:C3)</f>', text
        )
        text = re.sub(r"<f>SUM\(D3:D3\)</f>", '<f t="shared" si="0"/>', text)
        text = re.sub(
            r"<cols>.*?</cols>",
            '<cols><col min="2" max="4" width="12" customWidth="1"/></cols>',
            text,
        )
        text = text.replace(
            f'<worksheet xmlns="{MAIN}"',
            f'<worksheet xmlns="{MAIN}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
            ' xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac" mc:Ignorable="x14ac"',
        )
        return re.sub(r'<row r="(\d+)"', r'<row r="\1" spans="1:4" x14ac:dyDescent="0.25"', text)

    edited = _edit(buffer.getvalue(), {"xl/worksheets/sheet1.xml": sheet}, {})
    sst = "".join(f"<si><t>{s}</t></si>" for s in strings)
    return _edit(
        edited,
        {
            "xl/_rels/workbook.xml.rels": lambda t: t.replace(
                "</Relationships>",
                f'<Relationship Id="rId8" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>'
                f'<Relationship Id="rId9" Type="{RELS}/calcChain" Target="calcChain.xml"/>'
                "</Relationships>",
            ),
            "[Content_Types].xml": lambda t: t.replace(
                "</Types>",
                '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                '<Override PartName="/xl/calcChain.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/></Types>',
            ),
        },
        {
            "xl/sharedStrings.xml": f'<sst xmlns="{MAIN}" count="{len(strings)}" '
            f'uniqueCount="{len(strings)}">{sst}</sst>',
            "xl/calcChain.xml": f'<calcChain xmlns="{MAIN}"><c r="C4" i="1"/><c r="D4"/></calcChain>',
        },
    )


def excel_fill(count: int) -> Fill:
    return Fill(
        scalars={"title": "Q4", "when": date(2026, 10, 31), "stamp": PRODUCED},
        tables={
            "deals": Table.of(
                "deal",
                ("customer", "amount"),
                (
                    {
                        "customer": f"Customer {i} with a name long enough to wrap",
                        "amount": Decimal(i),
                    }
                    for i in range(count)
                ),
            )
        },
    )


def test_a_template_saved_by_excel_is_filled_as_openpyxl_fills_it(tmp_path: Path) -> None:
    template = excel_like_template()
    assert "calcChain" in part(template, "[Content_Types].xml")
    reference, fast = both(template, excel_fill(5), tmp_path)
    assert differences(reference, fast) == []
    ws = load_workbook(fast)["Sheet 1"]
    assert isinstance(ws, Worksheet)
    assert [ws[f"{c}8"].value for c in "CD"] == ["=SUM(C3:C7)", "=SUM(D3:D7)"]  # shared, moved
    assert ws["B10"].number_format == "yyyy-mm-dd"  # as openpyxl gives a date
    assert ws["B11"].number_format == "yyyy-mm-dd h:mm:ss"
    assert ws["B12"].value == "Prepared for Q4"
    assert ws.row_dimensions[3].height > 20  # wrapped in a column group 12 wide
    with zipfile.ZipFile(fast) as archive:
        assert "xl/calcChain.xml" not in archive.namelist()  # stale once rows move
        assert "calcChain" not in archive.read("[Content_Types].xml").decode()
        assert "calcChain" not in archive.read("xl/_rels/workbook.xml.rels").decode()
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert 'mc:Ignorable="x14ac"' in sheet_xml
    assert '<row r="7" x14ac:dyDescent="0.25"' in sheet_xml  # a new row, as its template row
    assert 'fullCalcOnLoad="1"' in part(fast, "xl/workbook.xml")


def test_pictures_and_shapes_are_kept_byte_for_byte_and_move_down(tmp_path: Path) -> None:
    pytest.importorskip("PIL")
    from openpyxl.drawing.image import Image
    from PIL import Image as Picture

    png = io.BytesIO()
    Picture.new("RGB", (4, 4), "red").save(png, format="PNG")
    book = Workbook()
    ws: Any = book.active
    ws["A2"] = "{{#table deals}}"
    ws["B2"] = "{{ deal.customer }}"
    ws.add_image(Image(io.BytesIO(png.getvalue())), "C5")  # below the region
    buffer = io.BytesIO()
    book.save(buffer)
    template = buffer.getvalue()
    written, _ = fill_package(load_package(template), excel_fill(4))
    with (
        zipfile.ZipFile(io.BytesIO(template)) as before,
        zipfile.ZipFile(io.BytesIO(written)) as after,
    ):
        media = [n for n in before.namelist() if n.startswith("xl/media/")]
        assert media
        assert all(before.read(n) == after.read(n) for n in media)
    drawing = part(written, "xl/drawings/drawing1.xml")
    assert re.findall(r"<(?:\w+:)?row>(\d+)</", drawing) == ["7"]  # C5, 0-based, 3 below


def test_a_template_with_parts_the_xml_backend_does_not_rewrite_goes_to_openpyxl(
    tmp_path: Path,
) -> None:
    book = load_workbook(io.BytesIO(template_bytes()))
    ws = book["S"]
    assert isinstance(ws, Worksheet)
    ws["B7"].comment = Comment("a note anchored to its cell", "finance")
    buffer = io.BytesIO()
    book.save(buffer)
    template = buffer.getvalue()
    with pytest.raises(UnsupportedTemplateError, match=r"legacyDrawing|comments"):
        load_package(template)
    render_workbook(template, data(3), PRODUCED, tmp_path / "fallback.xlsx")
    reference = tmp_path / "reference.xlsx"
    save(fill_workbook(template, data(3), produced=PRODUCED)[0], reference, PRODUCED)
    assert (tmp_path / "fallback.xlsx").read_bytes() == reference.read_bytes()


# --- the writers --------------------------------------------------------------------------


def test_forked_spawned_and_serial_writers_give_the_same_bytes(
    demo: DemoClose, tmp_path: Path
) -> None:
    runs = {
        "serial": render_statements(demo.context, tmp_path / "serial", workers=1),
        "forked": render_statements(demo.context, tmp_path / "forked", workers=2, fork=True),
        "spawned": render_statements(demo.context, tmp_path / "spawned", workers=2, fork=False),
    }
    names = {k: [p.name for p in v] for k, v in runs.items()}
    assert names["serial"] == names["forked"] == names["spawned"]
    for a, b, c in zip(*runs.values(), strict=True):
        assert a.read_bytes() == b.read_bytes() == c.read_bytes()


def test_workers_are_forked_only_from_the_main_thread_of_a_single_threaded_process() -> None:
    seen: list[bool] = []
    thread = threading.Thread(target=lambda: seen.append(can_fork()))
    thread.start()
    thread.join()
    assert seen == [False]


def test_a_block_writes_decimals_as_a_single_cell_does() -> None:
    package = load_package(STATEMENT_TEMPLATE.read_bytes())
    sheet = XmlSheet(package.sheets[0], Styles(package.styles), package.epoch)
    numbers = ["1400.00", "-0.00", "0.0300", "1E+3", "12345678901234.5678", "NaN", "7"]
    values = [Decimal(n) for n in numbers]
    sheet.write_block(200, 1, [values])
    cells = sheet.rows[200].cells
    assert [cells[1 + i] for i in range(len(values))] == [sheet._cell(0, v) for v in values]


def test_a_cell_beyond_column_zz_or_with_an_unknown_style_is_written_whole() -> None:
    package = load_package(STATEMENT_TEMPLATE.read_bytes())
    styles = Styles(package.styles)
    sheet = XmlSheet(package.sheets[0], styles, package.epoch)
    sheet.write_block(300, 703, [[Decimal("1.50")]])
    unknown = len(styles.book.xfs) + 5
    sheet.rows[301] = SheetRow({}, {2: (unknown, ' t="n"><v>2</v></c>', Decimal(2))}, False)
    xml = sheet.render().decode("utf-8")
    assert '<c r="AAA300" t="n"><v>1.5</v></c>' in xml
    assert f'<c r="B301" s="{unknown}" t="n"><v>2</v></c>' in xml
