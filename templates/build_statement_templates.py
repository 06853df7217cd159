"""Build the output templates: the partner statement and the close pack.

    .venv/bin/python templates/build_statement_templates.py [OUT_DIR]

writes `statement.xlsx` and `close_pack.xlsx` (default: next to this script). The
built files are committed; tests/statements/test_templates_built.py checks they
are up to date. Same script, same bytes.

Everything a statement shows is marked in the cells (docs/templates.md):
`{{ partner.name }}` placeholders, and `{{#table deals}}` in column A to make
a row repeat once per line. Finance can restyle the built files in Excel (move
sections, change fonts, formats and widths, add columns with more
placeholders) without touching code. Styles are named cell styles ("PC Amount",
"PC Header", ...) so that a change in Excel's style gallery reaches every cell.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make the package importable
    sys.path.insert(0, str(ROOT))

from openpyxl import Workbook  # noqa: E402
from openpyxl.chart import BarChart, Reference  # noqa: E402
from openpyxl.chart.shapes import GraphicalProperties  # noqa: E402
from openpyxl.chart.text import RichText  # noqa: E402
from openpyxl.drawing.line import LineProperties  # noqa: E402
from openpyxl.drawing.text import (  # noqa: E402
    CharacterProperties,
    Paragraph,
    ParagraphProperties,
    RichTextProperties,
)
from openpyxl.formatting.rule import FormulaRule  # noqa: E402
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side  # noqa: E402
from openpyxl.worksheet.page import PageMargins  # noqa: E402
from openpyxl.worksheet.pagebreak import Break  # noqa: E402
from openpyxl.worksheet.worksheet import Worksheet  # noqa: E402

from partnerclose.core.lines import Component  # noqa: E402
from partnerclose.statements.data import COMPONENT_LABELS  # noqa: E402
from partnerclose.statements.labels import KEY_FIGURE_LABELS  # noqa: E402
from partnerclose.statements.xlsx import save  # noqa: E402

HERE = Path(__file__).resolve().parent
STATEMENT = "statement.xlsx"
CLOSE_PACK = "close_pack.xlsx"
BUILT = datetime(2026, 1, 1)  # noqa: DTZ001 - fixed, so the files are reproducible

NAVY = "1F3864"
BLUE = "2F5597"
PALE = "DCE6F2"
SOFT = "F2F5FA"
GREY = "7F7F7F"
RULE = "BFBFBF"
FONT = "Calibri"

# Number formats. `{{ currency }}` is replaced by the program's currency code.
CUR = '"{{ currency }}"'
AMOUNT = f'_({CUR}* #,##0.00_);_({CUR}* (#,##0.00);_({CUR}* "-"??_);_(@_)'
MONEY = '_(* #,##0.00_);_(* (#,##0.00);_(* "-"??_);_(@_)'
# A statement's amounts without the code, in the partner's currency: the placeholder
# (replaced by nothing) lets the close show them to that currency's decimals (JPY 0).
SETTLED_MONEY = '_(* #,##0.00_);_(* (#,##0.00);_(* "-{{ currency.blank }}"??_);_(@_)'
# The rules' figures (the reserve fund) in the program currency, for a partner in another.
PROGRAM = '"{{ program.currency }}"'
PROGRAM_AMOUNT = f'_({PROGRAM}* #,##0.00_);_({PROGRAM}* (#,##0.00);_({PROGRAM}* "-"??_);_(@_)'
NUMBER = "#,##0.00"
PLAIN = "General"
PERCENT = "0.0#%"
SCORE = "0.0"
DATE = "d mmmm yyyy"
DATETIME = "yyyy-mm-dd hh:mm:ss"

thin = Side(style="thin", color=RULE)
hair = Side(style="hair", color=RULE)
strong = Side(style="medium", color=NAVY)
double = Side(style="double", color=NAVY)


def _style(
    name: str,
    *,
    size: float = 9.5,
    bold: bool = False,
    italic: bool = False,
    color: str = "000000",
    fmt: str = PLAIN,
    fill: str | None = None,
    horizontal: str | None = None,
    vertical: str = "center",
    wrap: bool = False,
    border: Border | None = None,
    indent: int = 0,
    shrink: bool = False,
) -> NamedStyle:
    """A named cell style of the templates."""
    style = NamedStyle(name=name)
    style.font = Font(name=FONT, size=size, bold=bold, italic=italic, color=color)
    style.number_format = fmt
    if fill:
        style.fill = PatternFill("solid", fgColor=fill)
    style.alignment = Alignment(
        horizontal=horizontal,
        vertical=vertical,
        wrap_text=wrap,
        indent=indent,
        shrink_to_fit=shrink,
    )
    if border is not None:
        style.border = border
    return style


STYLES = {
    s.name: s
    for s in (
        _style("PC Band", size=16, bold=True, color="FFFFFF", fill=NAVY, indent=0),
        _style("PC Band right", size=10, color="FFFFFF", fill=NAVY, horizontal="right"),
        _style("PC Subband", size=10, bold=True, color=NAVY, fill=PALE),
        _style("PC Subband right", size=10, color=NAVY, fill=PALE, horizontal="right"),
        _style("PC Label", size=8.5, color=GREY),
        _style("PC Value", size=9.5, bold=True, horizontal="left"),
        _style("PC Value fit", size=9.5, bold=True, horizontal="left", shrink=True),
        _style("PC Value date", size=9.5, bold=True, fmt=DATE, horizontal="left"),
        _style("PC Logo", size=9, italic=True, color=GREY, horizontal="center"),
        _style("PC Net label", size=15, bold=True, color=NAVY, fill=PALE, indent=1),
        _style(
            "PC Net amount",
            size=20,
            bold=True,
            color=NAVY,
            fill=PALE,
            fmt=f"{CUR} #,##0.00;{CUR} -#,##0.00",
            horizontal="right",
            indent=1,
        ),
        _style("PC Note", size=8.5, italic=True, color=GREY, wrap=True, vertical="top"),
        _style("PC Notice", size=10, bold=True, color="C00000"),
        _style(
            "PC Heading",
            size=11,
            bold=True,
            color=NAVY,
            border=Border(bottom=Side(style="medium", color=NAVY)),
        ),
        _style("PC Section", size=11, bold=True, color="FFFFFF", fill=NAVY, indent=0),
        _style("PC Caption", size=9.5, bold=True, color=BLUE),
        _style(
            "PC Header",
            size=8.5,
            bold=True,
            color=NAVY,
            fill=SOFT,
            wrap=True,
            border=Border(bottom=thin),
        ),
        _style(
            "PC Header right",
            size=8.5,
            bold=True,
            color=NAVY,
            fill=SOFT,
            wrap=True,
            horizontal="right",
            border=Border(bottom=thin),
        ),
        _style("PC Text", size=9.5, wrap=True, vertical="top", border=Border(bottom=hair)),
        _style(
            "PC Text small",
            size=8.5,
            color="404040",
            wrap=True,
            vertical="top",
            border=Border(bottom=hair),
        ),
        _style(
            "PC Status",
            size=8.5,
            color="404040",
            wrap=True,
            vertical="top",
            indent=2,
            border=Border(bottom=hair),
        ),
        _style(
            "PC Header status",
            size=8.5,
            bold=True,
            color=NAVY,
            fill=SOFT,
            wrap=True,
            indent=2,
            border=Border(bottom=thin),
        ),
        _style("PC Amount", size=9.5, fmt=AMOUNT, vertical="top", border=Border(bottom=hair)),
        _style("PC Money", size=9.5, fmt=MONEY, vertical="top", border=Border(bottom=hair)),
        _style("PC Money small", size=8.5, fmt=MONEY, vertical="top", border=Border(bottom=hair)),
        _style(
            "PC Settled money",
            size=9.5,
            fmt=SETTLED_MONEY,
            vertical="top",
            border=Border(bottom=hair),
        ),
        _style(
            "PC Settled money small",
            size=8.5,
            fmt=SETTLED_MONEY,
            vertical="top",
            border=Border(bottom=hair),
        ),
        _style("PC Sign", size=9.5, bold=True, border=Border(bottom=thin)),
        _style("PC Sign date", size=9.5, bold=True, fmt=DATE, border=Border(bottom=thin)),
        _style("PC Pay", size=10.5, bold=True, color=NAVY, wrap=True, vertical="center"),
        _style("PC Number", size=9.5, fmt=NUMBER, vertical="top", border=Border(bottom=hair)),
        _style(
            "PC Count",
            size=9.5,
            fmt=PLAIN,
            horizontal="right",
            vertical="top",
            border=Border(bottom=hair),
        ),
        _style("PC Percent", size=9.5, fmt=PERCENT, vertical="top", border=Border(bottom=hair)),
        _style("PC Date", size=9.5, fmt="d mmm yyyy", vertical="top", border=Border(bottom=hair)),
        _style("PC Why", size=8.5, italic=True, color="595959", wrap=True, vertical="top"),
        _style("PC Total label", size=9.5, bold=True, border=Border(top=thin)),
        _style("PC Total", size=9.5, bold=True, fmt=AMOUNT, border=Border(top=thin)),
        _style(
            "PC Program total", size=9.5, bold=True, fmt=PROGRAM_AMOUNT, border=Border(top=thin)
        ),
        _style(
            "PC Grand total", size=10, bold=True, fmt=AMOUNT, border=Border(top=thin, bottom=double)
        ),
        _style("PC Grand label", size=10, bold=True, border=Border(top=thin, bottom=double)),
        _style(
            "PC Grand money", size=10, bold=True, fmt=MONEY, border=Border(top=thin, bottom=double)
        ),
        _style(
            "PC Grand settled money",
            size=10,
            bold=True,
            fmt=SETTLED_MONEY,
            border=Border(top=thin, bottom=double),
        ),
        _style("PC YTD label", size=8.5, italic=True, color=GREY),
        _style("PC YTD", size=8.5, italic=True, color=GREY, fmt=AMOUNT),
        _style("PC Fact label", size=9.5),
        _style("PC Fact", size=9.5, fmt=PROGRAM_AMOUNT, horizontal="right"),
        _style("PC Fact money", size=9.5, fmt=MONEY, horizontal="right"),
        _style("PC Fact number", size=9.5, fmt=NUMBER, horizontal="right"),
        _style("PC Fact percent", size=9.5, fmt=PERCENT, horizontal="right"),
        _style("PC Fact count", size=9.5, fmt="#,##0", horizontal="right"),
        _style("PC Fact ratio", size=9.5, fmt='0.00"×"', horizontal="right"),
        _style("PC Fact text", size=9.5, horizontal="right"),
        _style("PC Marker", size=7, color=GREY),
    )
}


@dataclass
class Sheet:
    """A thin writer over a worksheet: values with named styles, merges, widths."""

    ws: Worksheet
    last_column: int

    def put(
        self, ref: str, value: object = None, style: str | None = None, merge: str = ""
    ) -> None:
        cell = self.ws[ref]
        if value is not None:
            cell.value = value  # type: ignore[assignment]
        if style:
            cell.style = style
        if merge:
            self.ws.merge_cells(f"{ref}:{merge}")
            if style:  # merged cells show the first cell's value, every cell's border
                for row in self.ws[f"{ref}:{merge}"]:
                    for other in row:
                        other.style = style

    def row(
        self, row: int, cells: Sequence[tuple[str, object, str] | tuple[str, object, str, str]]
    ) -> None:
        for spec in cells:
            column, value, style = spec[0], spec[1], spec[2]
            merge = f"{spec[3]}{row}" if len(spec) == 4 else ""
            self.put(f"{column}{row}", value, style, merge)

    def fill_row(self, row: int, style: str, first: str = "A") -> None:
        for column in range(ord(first), ord("A") + self.last_column):
            self.ws[f"{chr(column)}{row}"].style = style

    def height(self, row: int, points: float) -> None:
        self.ws.row_dimensions[row].height = points

    def widths(self, widths: dict[str, float]) -> None:
        for column, width in widths.items():
            self.ws.column_dimensions[column].width = width


def _new_workbook() -> Workbook:
    """An empty workbook with the templates' styles and fixed properties."""
    workbook = Workbook()
    for style in STYLES.values():
        workbook.add_named_style(style)
    workbook.properties.creator = "PartnerClose"
    workbook.properties.created = BUILT
    workbook.properties.modified = BUILT
    workbook.properties.lastModifiedBy = "PartnerClose"
    return workbook


def _first_sheet(workbook: Workbook, title: str) -> Worksheet:
    """The new workbook's first sheet, named `title`."""
    sheet = workbook.active
    if not isinstance(sheet, Worksheet):
        raise TypeError("a new workbook starts with a worksheet")
    sheet.title = title
    return sheet


def _page(ws: Worksheet, last_row: int, last_column: str, *, landscape: bool = False) -> None:
    """The print setup: A4 fit to width, the band repeated, file name and page in the footer."""
    ws.print_area = f"A1:{last_column}{last_row}"
    ws.print_title_rows = "1:2"
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    setup: Any = ws.sheet_properties.pageSetUpPr
    setup.fitToPage = True
    ws.page_margins = PageMargins(
        left=0.4, right=0.4, top=0.45, bottom=0.55, header=0.2, footer=0.25
    )
    ws.print_options.horizontalCentered = True
    footer: Any = ws.oddFooter
    footer.left.text = "&8&K7F7F7F&F"  # the file name: <partner_id>.xlsx
    footer.right.text = "&8&K7F7F7F" + "Page &P of &N"
    ws.sheet_view.showGridLines = False
    ws.sheet_view.zoomScale = 100


# --- the statement ---------------------------------------------------------------------

# A4 portrait: A is a margin (it holds the table markers), B a text column, K the amounts.
STATEMENT_WIDTHS = {
    "A": 1.7,
    "B": 25,
    "C": 13,
    "D": 10.5,
    "E": 10.5,
    "F": 10.5,
    "G": 10.5,
    "H": 10.5,
    "I": 10.5,
    "J": 10.5,
    "K": 16,
}
LINE_HEADER = (
    ("B", "Item", "PC Header"),
    ("C", "How it was made", "PC Header", "F"),
    ("G", "Quantity", "PC Header right"),
    ("H", "Rate", "PC Header right"),
    ("I", "Status", "PC Header status", "J"),
    ("K", "Amount", "PC Header right"),
)


def _line_row(s: Sheet, row: int, table: str, empty: str) -> None:
    """The template row of a table of statement lines."""
    s.row(
        row,
        (
            ("A", f'{{{{#table {table} empty="{empty}"}}}}', "PC Marker"),
            ("B", "{{ line.title }}", "PC Text"),
            ("C", "{{ line.explanation }}", "PC Text small", "F"),
            ("G", "{{ line.quantity }}", "PC Number"),
            ("H", "{{ line.rate }}", "PC Percent"),
            ("I", "{{ line.status }}", "PC Status", "J"),
            ("K", "{{ line.amount }}", "PC Amount"),
        ),
    )


def _axis_text() -> RichText:
    """8-point grey axis labels."""
    font = CharacterProperties(sz=800, solidFill="595959")
    return RichText(
        bodyPr=RichTextProperties(),
        p=[Paragraph(pPr=ParagraphProperties(defRPr=font), endParaRPr=font)],
    )


def _section(s: Sheet, row: int, title: str) -> None:
    """A numbered section's title across the sheet."""
    s.fill_row(row, "PC Section", first="B")
    s.put(f"B{row}", title, "PC Section")
    s.height(row, 19)


def _total(s: Sheet, row: int, label: str, formula: str, ytd_key: str) -> None:
    """A section's total row and its fiscal year to date below it."""
    # `.note`: the section in the program currency and the rate, for a partner in another
    note = f"{{{{ {ytd_key}.note }}}}"
    s.row(row, (("B", label + note, "PC Total label", "J"), ("K", formula, "PC Total")))
    s.row(
        row + 1,
        (
            ("B", "Fiscal year to date, {{ ytd.label }}", "PC YTD label", "J"),
            ("K", f"{{{{ {ytd_key}.ytd }}}}", "PC YTD"),
        ),
    )


def build_statement() -> Workbook:
    """The partner statement template: one sheet, its blocks top to bottom."""
    workbook = _new_workbook()
    ws = _first_sheet(workbook, "Statement")
    s = Sheet(ws, 11)
    s.widths(STATEMENT_WIDTHS)
    _statement_band(s)
    _statement_facts(s)
    _net_box(s)
    _settlement_summary(s)
    _summary_chart(s)
    _cost_sharing(s)
    _reserve_fund(s)
    _revenue_share(s)
    _co_marketing(s)
    _milestones(s)
    _key_figures(s)
    _scorecard(s)
    _corrections(s)
    _payment(s)
    _statement_footer(s)
    return workbook


def _statement_band(s: Sheet) -> None:
    """The band: program, partner and period (rows 1-2 repeat on every printed page)."""
    s.fill_row(1, "PC Band")
    s.put("B1", "{{ program.name }}", "PC Band")
    s.put("H1", "PARTNER STATEMENT", "PC Band right", merge="K1")
    s.height(1, 30)
    s.fill_row(2, "PC Subband")
    s.put("B2", "{{ partner.name }}  ·  {{ partner.id }}", "PC Subband")
    s.put("H2", "{{ period.label }}  ·  {{ close.status }}", "PC Subband right", merge="K2")
    s.height(2, 18)
    s.height(3, 8)


def _statement_facts(s: Sheet) -> None:
    """The statement number and due date, and the partner's facts beside them."""
    ws = s.ws
    # Statement number and due date beside the partner block (no logo placeholder: a
    # program's `logo` is placed by the PDF; finance may add a picture to this template).
    s.put("B4", "Statement number", "PC Label")
    s.put("B5", "{{ statement.number }}", "PC Value")
    s.put("B6", "Due date", "PC Label")
    s.put("B7", "{{ payment.due_date }}", "PC Value date")
    facts = (
        ("Partner", "{{ partner.name }}", "Period", "{{ period.label }}", "PC Value"),
        ("Partner ID", "{{ partner.id }}", "Currency", "{{ currency }}", "PC Value"),
        ("Email", "{{ partner.email }}", "Date produced", "{{ produced }}", "PC Value date"),
        ("Plan", "{{ partner.plan }}", "Close status", "{{ close.status }}", "PC Value"),
        (
            "Version",
            "{{ statement.version }}",
            "Partner status",
            "{{ partner.status }}",
            "PC Value",
        ),
    )
    for offset, (label, value, label2, value2, style2) in enumerate(facts):
        r = 4 + offset
        s.row(
            r,
            (
                ("D", label, "PC Label"),
                ("E", value, "PC Value fit", "G"),
                ("H", label2, "PC Label", "I"),
                ("J", value2, style2, "K"),
            ),
        )
        s.height(r, 15)
    ws.conditional_formatting.add(
        "J7",
        FormulaRule(  # type: ignore[no-untyped-call]
            formula=['$J$7="DRAFT"'], font=Font(name=FONT, bold=True, color="C00000")
        ),
    )
    s.height(9, 10)


def _net_box(s: Sheet) -> None:
    """The net settlement, prominent, with the payment in words and notices below."""
    ws = s.ws
    box = Border(top=strong, bottom=strong, left=strong, right=strong)
    s.put("B10", "{{ net.label }}", "PC Net label", merge="F12")
    s.put("G10", "{{ net.amount }}", "PC Net amount", merge="K12")
    for r in range(10, 13):
        for c in "BCDEFGHIJK":
            cell = ws[f"{c}{r}"]
            cell.border = Border(
                top=box.top if r == 10 else None,
                bottom=box.bottom if r == 12 else None,
                left=box.left if c == "B" else None,
                right=box.right if c == "K" else None,
            )
    s.put("B13", "{{ payment.text }}", "PC Pay", merge="K13")
    s.height(13, 20)
    # Empty unless this statement replaces an earlier one, or the partner sent no data.
    s.put("B14", "{{ statement.revision }}{{ submission.note }}", "PC Notice", merge="K14")


def _settlement_summary(s: Sheet) -> None:
    """The settlement summary by section, with the net settlement below it."""
    s.put("B15", "Settlement summary", "PC Heading", merge="F15")
    s.row(
        16,
        (
            ("B", "Section", "PC Header"),
            ("C", "This period", "PC Header right"),
            ("D", "Last period", "PC Header right"),
            ("E", "Change", "PC Header right"),
            ("F", "Year to date", "PC Header right"),
        ),
    )
    summary = (
        ("Cost sharing", "cost_sharing"),
        ("Reserve fund", "reserve_fund"),
        ("Revenue share", "revenue_share"),
        ("Co-marketing", "co_marketing"),
        ("Milestones and other", "milestones_and_other"),  # other: Corrections (P2)
    )
    for offset, (label, key) in enumerate(summary):
        r = 17 + offset
        s.row(
            r,
            (
                ("B", label, "PC Text"),
                ("C", f"{{{{ {key}.total }}}}", "PC Settled money"),
                ("D", f"{{{{ {key}.last_period }}}}", "PC Settled money small"),
                ("E", f"{{{{ {key}.change }}}}", "PC Settled money small"),
                ("F", f"{{{{ {key}.ytd }}}}", "PC Settled money small"),
            ),
        )
    s.row(
        22,
        (
            ("B", "Net settlement ({{ currency }})", "PC Grand label"),
            ("C", "=SUM(C17:C21)", "PC Grand settled money"),
            ("D", "=SUM(D17:D21)", "PC Grand settled money"),
            ("E", "=SUM(E17:E21)", "PC Grand settled money"),
            ("F", "=SUM(F17:F21)", "PC Grand settled money"),
        ),
    )
    s.put(
        "B23",
        "Net settlement for {{ period.label }}: the sum of every line below; last period: "
        "{{ last_period.label }}. Positive amounts are owed to you; amounts in brackets are "
        "charged to you. {{ close.note }} {{ settlement.note }}",
        "PC Note",
        merge="K23",
    )
    s.height(23, 30)


def _summary_chart(s: Sheet) -> None:
    """The chart of this period by section, beside the summary."""
    ws = s.ws
    s.put("H15", "This period by section", "PC Heading", merge="K15")
    for c in "GHIJK":
        ws[f"{c}15"].style = "PC Heading"
    ws["H15"].value = "This period by section"
    chart = BarChart()
    chart.type = "bar"
    chart.add_data(Reference(ws, min_col=3, min_row=17, max_row=21), titles_from_data=False)
    chart.set_categories(Reference(ws, min_col=2, min_row=17, max_row=21))
    chart.legend = None
    size: Any = chart  # sizes are in cm; the stubs say int
    size.height, size.width = 3.9, 8.7
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.x_axis.scaling.orientation = "maxMin"  # sections top to bottom, as in the table
    chart.x_axis.tickLblPos = "low"  # labels stay clear of negative bars
    chart.y_axis.numFmt = '#,##0,"k";-#,##0,"k";0'  # short labels: thousands
    chart.y_axis.majorGridlines = None
    chart.x_axis.txPr = _axis_text()
    chart.y_axis.txPr = _axis_text()
    chart.gapWidth = 50
    series = chart.series[0]
    series.graphicalProperties = GraphicalProperties(solidFill=BLUE)
    series.graphicalProperties.line = LineProperties(solidFill=BLUE)
    series.invertIfNegative = False
    ws.add_chart(chart, "H16")


def _cost_sharing(s: Sheet) -> None:
    """Section 1, cost sharing: the share of each pool and the cost-sharing lines."""
    _section(s, 24, "1   Cost sharing")
    s.put("B25", "Your share of each pool{{ pools.currency_note }}", "PC Caption")
    s.row(
        26,
        (
            ("B", "Pool", "PC Header"),
            ("C", "Driver", "PC Header"),
            ("D", "Units", "PC Header right"),
            ("E", "Committed capacity", "PC Header right"),
            ("F", "Utilization", "PC Header right"),
            ("G", "Share", "PC Header right"),
            ("H", "Reserve cushion", "PC Header right"),
            ("I", "Guardrail effect", "PC Header right"),
            ("J", "In-kind credit", "PC Header right"),
            ("K", "Net cost", "PC Header right"),
        ),
    )
    s.height(26, 24)
    s.row(
        27,
        (
            (
                "A",
                '{{#table pools empty="No cost pools this period."}}',
                "PC Marker",
            ),
            ("B", "{{ pool.label }}", "PC Text"),
            ("C", "{{ pool.driver }}", "PC Text small"),
            ("D", "{{ pool.units }}", "PC Count"),
            ("E", "{{ pool.capacity }}", "PC Count"),
            ("F", "{{ pool.utilization }}", "PC Percent"),
            ("G", "{{ pool.share }}", "PC Percent"),
            ("H", "{{ pool.cushion }}", "PC Settled money"),
            ("I", "{{ pool.guardrail }}", "PC Settled money"),
            ("J", "{{ pool.credit }}", "PC Settled money"),
            ("K", "{{ pool.net }}", "PC Amount"),
        ),
    )
    s.height(28, 6)
    s.put("B29", "Cost-sharing lines", "PC Caption")
    s.row(30, LINE_HEADER)
    _line_row(s, 31, "cost_lines", "No cost lines this period.")
    _total(s, 32, "Total cost sharing", "=SUM(K31:K31)", "cost_sharing")
    s.height(34, 10)


def _reserve_fund(s: Sheet) -> None:
    """Section 2, reserve fund: its lines, the fund this period and the partner's part."""
    _section(s, 35, "2   Reserve fund")
    s.row(36, LINE_HEADER)
    _line_row(s, 37, "reserve_lines", "No reserve lines this period.")
    _total(s, 38, "Total reserve fund", "=SUM(K37:K37)", "reserve_fund")
    s.height(40, 6)
    s.put("B41", "The fund this period{{ reserve.currency_note }}", "PC Caption")
    s.put("F41", "Your part of it", "PC Caption")
    fund = (
        (
            "Opening balance",
            "{{ reserve.opening }}",
            "Your contribution this period",
            "{{ reserve.your_contribution }}",
            "PC Fact",
        ),
        (
            "Draws for cost shocks",
            "{{ reserve.draws }}",
            "Your contributions to date",
            "{{ reserve.your_contributions }}",
            "PC Fact",
        ),
        (
            "Contributions",
            "{{ reserve.contributions }}",
            "Your share of the fund",
            "{{ reserve.equity_share }}",
            "PC Fact percent",
        ),
        (
            "Refunds",
            "{{ reserve.refunds }}",
            "Your equity in the fund",
            "{{ reserve.equity }}",
            "PC Fact",
        ),
    )
    for offset, (label, value, label2, value2, style2) in enumerate(fund):
        r = 42 + offset
        s.row(
            r,
            (
                ("B", label, "PC Fact label"),
                ("C", value, "PC Fact", "D"),
                ("F", label2, "PC Fact label", "I"),
                ("J", value2, style2, "K"),
            ),
        )
    s.row(
        46,
        (
            ("B", "Closing balance", "PC Total label"),
            ("C", "{{ reserve.closing }}", "PC Program total", "D"),
        ),
    )
    s.height(47, 10)


def _revenue_share(s: Sheet) -> None:
    """Section 3, revenue share: the plan, the deals, true-ups and clawbacks."""
    _section(s, 48, "3   Revenue share")
    s.row(
        49,
        (
            ("B", "Plan", "PC Fact label"),
            ("C", "{{ revenue.plan }} ({{ revenue.mode }})", "PC Value", "D"),
            ("F", "Deal volume this fiscal year, before this period", "PC Fact label", "I"),
            ("J", "{{ revenue.ytd_volume_before }}", "PC Fact money", "K"),
        ),
    )
    s.row(
        50,
        (
            ("B", "Revenue-share cap per period", "PC Fact label"),
            ("C", "{{ revenue.period_cap }}", "PC Fact money", "D"),
            ("F", "Deal volume this fiscal year, after this period", "PC Fact label", "I"),
            ("J", "{{ revenue.ytd_volume_after }}", "PC Fact money", "K"),
        ),
    )
    s.height(51, 6)
    s.put("B52", "Deals{{ deals.currency_note }}", "PC Caption")
    s.row(
        53,
        (
            ("B", "Customer", "PC Header"),
            ("C", "Deal", "PC Header"),
            ("D", "Product", "PC Header"),
            ("E", "Type", "PC Header"),
            ("F", "Registered", "PC Header"),
            ("G", "Deal amount", "PC Header right"),
            ("H", "Rate", "PC Header right"),
            ("I", "Status", "PC Header status"),
            ("J", "Bracket amount", "PC Header right"),
            ("K", "Revenue share", "PC Header right"),
        ),
    )
    s.row(
        54,
        (
            ("A", '{{#table deals empty="No deals paid this period."}}', "PC Marker"),
            ("B", "{{ deal.customer }}", "PC Text"),
            ("C", "{{ deal.id }}", "PC Text small"),
            ("D", "{{ deal.product }}", "PC Text small"),
            ("E", "{{ deal.type }}", "PC Text small"),
            ("F", "{{ deal.registered }}", "PC Text small"),
            ("G", "{{ deal.amount }}", "PC Money"),
            ("H", "{{ deal.rate }}", "PC Percent"),
            ("I", "{{ deal.status }}", "PC Status"),
            ("J", "{{ deal.bracket_share }}", "PC Money"),
            ("K", "{{ deal.share }}", "PC Amount"),
        ),
    )
    s.height(55, 6)
    s.put("B56", "True-ups, clawbacks and the period cap", "PC Caption")
    s.row(57, LINE_HEADER)
    _line_row(s, 58, "revenue_adjustments", "No adjustments this period.")
    _total(s, 59, "Total revenue share", "=SUM(K54:K54)+SUM(K58:K58)", "revenue_share")
    s.height(61, 10)


def _co_marketing(s: Sheet) -> None:
    """Section 4, co-marketing: the co-funding terms and the campaigns reimbursed."""
    _section(s, 62, "4   Co-marketing")
    s.row(
        63,
        (
            ("B", "Co-funding rate", "PC Fact label"),
            ("C", "{{ co_marketing.cofund_pct }}", "PC Fact percent", "D"),
            ("F", "Reimbursement cap per period", "PC Fact label", "I"),
            ("J", "{{ co_marketing.period_cap }}", "PC Fact money", "K"),
        ),
    )
    s.row(
        64,
        (
            ("B", "Campaign", "PC Header", "F"),
            ("G", "Approved spend", "PC Header right"),
            ("H", "Co-funding", "PC Header right"),
            ("I", "Status", "PC Header status", "J"),
            ("K", "Reimbursed", "PC Header right"),
        ),
    )
    s.row(
        65,
        (
            (
                "A",
                '{{#table mdf_lines empty="No reimbursement this period."}}',
                "PC Marker",
            ),
            ("B", "{{ line.title }}", "PC Text", "F"),
            ("G", "{{ line.quantity }}", "PC Money"),
            ("H", "{{ line.rate }}", "PC Percent"),
            ("I", "{{ line.status }}", "PC Status", "J"),
            ("K", "{{ line.amount }}", "PC Amount"),
        ),
    )
    _total(s, 66, "Total co-marketing", "=SUM(K65:K65)", "co_marketing")
    s.height(68, 10)


def _milestones(s: Sheet) -> None:
    """Section 5, milestones: two rows per milestone (figures, then why)."""
    _section(s, 69, "5   Milestones{{ milestones.currency_note }}")
    s.row(
        70,
        (
            ("B", "Milestone", "PC Header"),
            ("C", "Actual", "PC Header right"),
            ("D", "Floor", "PC Header right"),
            ("E", "Target", "PC Header right"),
            ("F", "Cap", "PC Header right"),
            ("G", "Payout", "PC Header right"),
            ("H", "Held", "PC Header right"),
            ("I", "Deferred", "PC Header right"),
            ("J", "Released", "PC Header right"),
            ("K", "Paid", "PC Header right"),
        ),
    )
    s.row(
        71,
        (
            ("A", '{{#table milestones empty="No milestones this period."}}', "PC Marker"),
            ("B", "{{ milestone.title }}", "PC Text"),
            ("C", "{{ milestone.actual }}", "PC Number"),
            ("D", "{{ milestone.floor }}", "PC Number"),
            ("E", "{{ milestone.target }}", "PC Number"),
            ("F", "{{ milestone.cap }}", "PC Number"),
            ("G", "{{ milestone.payout }}", "PC Money"),
            ("H", "{{ milestone.held }}", "PC Money"),
            ("I", "{{ milestone.deferred }}", "PC Money"),
            ("J", "{{ milestone.released }}", "PC Settled money"),
            ("K", "{{ milestone.paid }}", "PC Amount"),
        ),
    )
    s.row(72, (("A", "{{/table}}", "PC Marker"), ("B", "{{ milestone.why }}", "PC Why", "K")))
    _total(s, 73, "Total milestones (paid and released)", "=SUM(J71:K72)", "milestones")
    s.height(75, 10)


def _key_figures(s: Sheet) -> None:
    """Section 6: the key figures (K1), two label/value pairs a row."""
    _section(s, 76, "6   Key figures and scorecard")
    figures = (
        (
            "revenue",
            "PC Fact money",
            "ytd_revenue",
            "PC Fact money",
        ),
        ("deals_won", "PC Fact count", "deals_lost", "PC Fact count"),
        (
            "win_rate",
            "PC Fact percent",
            "avg_deal_size",
            "PC Fact money",
        ),
        (
            "days_to_close",
            "PC Fact number",
            "pipeline",
            "PC Fact money",
        ),
        (
            "net_revenue",
            "PC Fact money",
            "savings",
            "PC Fact money",
        ),
        (
            "utilization",
            "PC Fact percent",
            "remaining_capacity",
            "PC Fact number",
        ),
        (
            "mdf_roi",
            "PC Fact ratio",
            "margin_share",
            "PC Fact percent",
        ),
    )
    # Two label/value pairs a row: B | C:D and F:I | J:K (E is a gutter). The labels are
    # the ones every output gives the figures.
    for offset, (key, style, key2, style2) in enumerate(figures):
        r = 77 + offset
        s.row(
            r,
            (
                ("B", KEY_FIGURE_LABELS[key], "PC Fact label"),
                ("C", f"{{{{ kpi.{key} }}}}", style, "D"),
                ("F", KEY_FIGURE_LABELS[key2], "PC Fact label", "I"),
                ("J", f"{{{{ kpi.{key2} }}}}", style2, "K"),
            ),
        )
        s.height(r, 15)


def _scorecard(s: Sheet) -> None:
    """The scorecard (S1): each metric, the overall score, its flags."""
    ws = s.ws
    s.height(84, 6)
    s.put("B85", "Scorecard", "PC Caption")
    s.row(
        86,
        (
            ("B", "Metric", "PC Header"),
            ("C", "Weight", "PC Header right"),
            ("D", "Worst", "PC Header right"),
            ("E", "Best", "PC Header right"),
            ("F", "Value", "PC Header right", "G"),
            ("H", "Score (0–100)", "PC Header right"),
        ),
    )
    s.row(
        87,
        (
            ("A", '{{#table scorecard empty="No scorecard metrics."}}', "PC Marker"),
            ("B", "{{ metric.label }}", "PC Text"),
            ("C", "{{ metric.weight }}", "PC Number"),
            ("D", "{{ metric.worst }}", "PC Number"),
            ("E", "{{ metric.best }}", "PC Number"),
            ("F", "{{ metric.value }}", "PC Number", "G"),
            ("H", "{{ metric.score }}", "PC Number"),
        ),
    )
    s.row(
        88,
        (
            ("B", "Overall score", "PC Total label", "G"),
            ("H", "{{ scorecard.score }}", "PC Total label"),
        ),
    )
    ws["H88"].number_format = SCORE
    ws["H88"].alignment = Alignment(horizontal="right")
    s.row(89, (("B", "Flags", "PC Fact label"), ("C", "{{ scorecard.flags }}", "PC Value", "K")))
    s.row(
        90,
        (
            ("B", "Not scored (no value)", "PC Fact label"),
            ("C", "{{ scorecard.missing }}", "PC Value", "K"),
        ),
    )
    s.height(91, 10)


def _corrections(s: Sheet) -> None:
    """Section 7, corrections (P2, P3): the lines of the adjustment components."""
    _section(s, 92, "7   Corrections")
    # a restated period's amount as recorded and as restated (P3), and the difference
    s.row(
        93,
        (
            ("B", "Item", "PC Header"),
            ("C", "How it was made", "PC Header", "F"),
            ("G", "Recorded ({{ program.currency }})", "PC Header right"),
            ("H", "Restated ({{ program.currency }})", "PC Header right"),
            ("I", "Status", "PC Header status", "J"),
            ("K", "Amount", "PC Header right"),  # P3: the difference
        ),
    )
    s.row(
        94,
        (
            ("A", '{{#table corrections empty="No corrections this period."}}', "PC Marker"),
            ("B", "{{ line.title }}", "PC Text"),
            ("C", "{{ line.explanation }}", "PC Text small", "F"),
            ("G", "{{ line.recorded }}", "PC Money"),
            ("H", "{{ line.restated }}", "PC Money"),
            ("I", "{{ line.status }}", "PC Status", "J"),
            ("K", "{{ line.amount }}", "PC Amount"),
        ),
    )
    s.row(
        95, (("B", "Total corrections", "PC Total label", "J"), ("K", "=SUM(K94:K94)", "PC Total"))
    )
    s.height(96, 10)


def _payment(s: Sheet) -> None:
    """The payment: number, due date, what is paid or due, where to pay, whom to ask."""
    s.put("B97", "Payment", "PC Heading", merge="K97")
    s.row(
        98,
        (
            ("B", "Statement number", "PC Fact label"),
            ("C", "{{ statement.number }}", "PC Value", "D"),
            ("F", "Due date", "PC Fact label", "I"),
            ("J", "{{ payment.due_date }}", "PC Value date", "K"),
        ),
    )
    s.put("B99", "{{ payment.text }}", "PC Pay", merge="K99")
    s.height(99, 20)
    s.row(
        100,
        (
            ("B", "{{ payment.remit_label }}", "PC Fact label"),
            ("C", "{{ payment.remit_to }}", "PC Value", "K"),
        ),
    )
    s.put("B101", "{{ payment.contact }}", "PC Note", merge="K101")
    s.height(102, 10)


def _statement_footer(s: Sheet) -> None:
    """Where the figures come from, and the page setup."""
    ws = s.ws
    s.put(
        "B103",
        "Produced by PartnerClose {{ version }} from the {{ close.kind }} close of {{ period }}. "
        "Every amount on this statement is a settlement line of that close or a sum of lines; "
        "lines.csv and the close pack list each line with the rule that produced it.",
        "PC Note",
        merge="K103",
    )
    s.height(103, 24)
    _page(ws, 103, "K")
    ws.row_breaks.append(Break(id=47))  # revenue share starts page 2
    ws.freeze_panes = None


# --- the close pack ---------------------------------------------------------------------


def _band(s: Sheet, title: str, last: str) -> None:
    """A close pack sheet's band: the program and the sheet's title."""
    s.fill_row(1, "PC Band")
    s.put("B1", "{{ program.name }}", "PC Band")
    s.put(f"{last}1", title, "PC Band right")
    s.height(1, 28)
    s.fill_row(2, "PC Subband")
    s.put("B2", "Close pack  ·  {{ period.label }}  ·  {{ close.status }}", "PC Subband")
    s.put(f"{last}2", "run of {{ produced.time }} UTC", "PC Subband right")
    s.height(2, 18)


def _summary(workbook: Workbook) -> None:
    ws = _first_sheet(workbook, "Summary")
    components = list(Component)
    last = 3 + len(components) + 2  # B id, C name, components, net, check
    s = Sheet(ws, last)
    last_letter = _letter(last)
    _band(s, "SUMMARY BY PARTICIPANT", last_letter)
    s.widths({"A": 1.7, "B": 11, "C": 24})
    s.put("B4", "Participant", "PC Header")
    s.put("C4", "Name", "PC Header")
    s.put("A5", "{{#table participants}}", "PC Marker")
    s.put("B5", "{{ participant.id }}", "PC Text")
    s.put("C5", "{{ participant.name }}", "PC Text")
    s.put("B6", "Total", "PC Grand label")
    s.put("C6", None, "PC Grand label")
    for i, component in enumerate(components):
        letter = _letter(4 + i)
        s.ws.column_dimensions[letter].width = 11
        s.put(f"{letter}4", COMPONENT_LABELS[component], "PC Header right")
        s.put(f"{letter}5", f"{{{{ participant.{component.value} }}}}", "PC Money")
        s.put(f"{letter}6", f"=SUM({letter}5:{letter}5)", "PC Grand money")
    net, check = _letter(4 + len(components)), _letter(5 + len(components))
    first, before = _letter(4), _letter(3 + len(components))
    s.ws.column_dimensions[net].width = 16
    s.ws.column_dimensions[check].width = 11
    s.put(f"{net}4", "Net settlement", "PC Header right")
    s.put(f"{net}5", "{{ participant.net }}", "PC Amount")
    s.put(f"{net}6", f"=SUM({net}5:{net}5)", "PC Grand total")
    s.put(f"{check}4", "Check (net − Σ components)", "PC Header right")
    s.put(f"{check}5", f"={net}5-SUM({first}5:{before}5)", "PC Money")
    s.put(f"{check}6", f"=SUM({check}5:{check}5)", "PC Grand money")
    s.height(4, 36)
    s.put(
        "B8",
        "One row per participant of {{ period }} (HOST is the company). Amounts are seen from the "
        "participant: positive is owed to it, negative is charged to it. {{ lines.count }} lines "
        "in total; {{ close.note }}",
        "PC Note",
        merge=f"{net}8",
    )
    s.height(8, 26)
    # Sign-off: prepared by the run's user; approved from the ledger's approval records,
    # else blank lines to sign by hand.
    s.put("B10", "Sign-off", "PC Heading", merge="F10")
    signoff = (
        (11, "Prepared by", "{{ signoff.prepared_by }}", "{{ signoff.prepared_on }}"),
        (12, "Approved by", "{{ signoff.approved_by }}", "{{ signoff.approved_on }}"),
    )
    for r, label, who, when in signoff:
        s.row(
            r,
            (
                ("B", label, "PC Fact label"),
                ("C", who, "PC Sign", "D"),
                ("E", "Date", "PC Fact label"),
                ("F", when, "PC Sign date"),
            ),
        )
        s.height(r, 22)
    _page(ws, 12, check, landscape=True)
    ws.freeze_panes = "D5"


def _changes(workbook: Workbook) -> None:
    """Each partner's net and sections this period and last, largest change first."""
    ws = workbook.create_sheet("Changes")
    sections = (
        ("cost_sharing", "Cost sharing"),
        ("reserve_fund", "Reserve fund"),
        ("revenue_share", "Revenue share"),
        ("co_marketing", "Co-marketing"),
        ("milestones", "Milestones"),
    )
    last = 7 + 2 * len(sections)
    s = Sheet(ws, last)
    _band(s, "CHANGES AGAINST LAST PERIOD", _letter(last))
    s.widths({"A": 1.7, "B": 10, "C": 24, "D": 13, "E": 13, "F": 13, "G": 9})
    heads = (
        ("B", "Partner", "PC Header"),
        ("C", "Name", "PC Header"),
        ("D", "Net this period", "PC Header right"),
        ("E", "Net last period", "PC Header right"),
        ("F", "Change", "PC Header right"),
        ("G", "Change %", "PC Header right"),
    )
    s.row(4, heads)
    s.put("A5", "{{#table changes}}", "PC Marker")
    s.row(
        5,
        (
            ("B", "{{ change.id }}", "PC Text"),
            ("C", "{{ change.name }}", "PC Text"),
            ("D", "{{ change.net }}", "PC Money"),
            ("E", "{{ change.net_last }}", "PC Money"),
            ("F", "{{ change.change }}", "PC Money"),
            ("G", "{{ change.change_pct }}", "PC Percent"),
        ),
    )
    for i, (key, label) in enumerate(sections):
        now, before = _letter(8 + 2 * i), _letter(9 + 2 * i)
        s.widths({now: 12, before: 12})
        s.put(f"{now}4", f"{label} this period", "PC Header right")
        s.put(f"{before}4", f"{label} last period", "PC Header right")
        s.put(f"{now}5", f"{{{{ change.{key} }}}}", "PC Money")
        s.put(f"{before}5", f"{{{{ change.{key}_last }}}}", "PC Money")
    s.height(4, 36)
    s.put(
        "B7",
        "Partners of {{ period }} by the size of the change of their net against the previous "
        "period's final close (0 when there is none); change % is of last period's net.",
        "PC Note",
        merge=f"{_letter(last)}7",
    )
    s.height(7, 26)
    _page(ws, 7, _letter(last), landscape=True)
    ws.freeze_panes = "D5"


def _pools(workbook: Workbook) -> None:
    ws = workbook.create_sheet("Pools")
    s = Sheet(ws, 10)
    _band(s, "POOL RECONCILIATION (N1)", "J")
    s.widths(
        {"A": 1.7, "B": 12, "C": 30, "D": 11, "E": 16, "F": 16, "G": 16, "H": 16, "I": 16, "J": 14}
    )
    s.row(
        4,
        (
            ("B", "Pool", "PC Header"),
            ("C", "Name", "PC Header"),
            ("D", "Basis", "PC Header"),
            ("E", "Amount", "PC Header right"),
            ("F", "Budget", "PC Header right"),
            ("G", "Reserve draw", "PC Header right"),
            ("H", "Allocable", "PC Header right"),
            ("I", "Σ cost share and guardrail lines", "PC Header right"),
            ("J", "Check (0)", "PC Header right"),
        ),
    )
    s.height(4, 30)
    s.row(
        5,
        (
            ("A", "{{#table pools}}", "PC Marker"),
            ("B", "{{ pool.id }}", "PC Text"),
            ("C", "{{ pool.name }}", "PC Text"),
            ("D", "{{ pool.basis }}", "PC Text small"),
            ("E", "{{ pool.amount }}", "PC Amount"),
            ("F", "{{ pool.budget }}", "PC Amount"),
            ("G", "{{ pool.draw }}", "PC Amount"),
            ("H", "{{ pool.allocable }}", "PC Amount"),
            ("I", "{{ pool.lines_total }}", "PC Amount"),
            ("J", "{{ pool.check }}", "PC Money"),
        ),
    )
    s.row(
        6,
        (
            ("B", "Total", "PC Grand label"),
            ("C", None, "PC Grand label"),
            ("D", None, "PC Grand label"),
            ("E", "=SUM(E5:E5)", "PC Grand money"),
            ("F", "=SUM(F5:F5)", "PC Grand money"),
            ("G", "=SUM(G5:G5)", "PC Grand money"),
            ("H", "=SUM(H5:H5)", "PC Grand money"),
            ("I", "=SUM(I5:I5)", "PC Grand money"),
            ("J", "=SUM(J5:J5)", "PC Grand money"),
        ),
    )
    s.put(
        "B8",
        "N1: for every pool, Σ cost_share + guardrail lines over all participants = −(amount − "
        "draw). Check = Σ lines + (amount − draw), which is 0 for every pool of a close.",
        "PC Note",
        merge="J8",
    )
    s.height(8, 26)
    _page(ws, 8, "J", landscape=True)


def _reserve(workbook: Workbook) -> None:
    ws = workbook.create_sheet("Reserve")
    s = Sheet(ws, 9)
    _band(s, "RESERVE FUND MOVEMENT", "I")
    s.widths({"A": 1.7, "B": 12, "C": 34, "D": 16, "E": 16, "F": 16, "G": 18, "H": 16, "I": 14})
    s.put("B4", "Movement of the period", "PC Heading", merge="E4")
    movement = (
        ("Opening balance", "{{ reserve.opening }}"),
        ("Draws for cost shocks (C5)", "{{ reserve.draws }}"),
        ("Contributions (C8)", "{{ reserve.contributions }}"),
        ("Refunds on exit (C9)", "{{ reserve.refunds }}"),
    )
    for offset, (label, value) in enumerate(movement):
        r = 5 + offset
        s.put(f"B{r}", label, "PC Fact label", merge=f"C{r}")
        s.put(f"D{r}", value, "PC Fact")
    s.put("B9", "Closing balance", "PC Grand label", merge="C9")
    s.put("D9", "{{ reserve.closing }}", "PC Grand total")
    s.put(
        "B10",
        "Check (0): opening − draws + contributions − refunds − closing",
        "PC Fact label",
        merge="C10",
    )
    s.put("D10", "=D5-D6+D7-D8-D9", "PC Fact money")
    s.put("B11", "Reserve cap", "PC Fact label", merge="C11")
    s.put("D11", "{{ reserve.cap }}", "PC Fact")
    s.put("B13", "Partners' accounts", "PC Heading", merge="I13")
    s.row(
        14,
        (
            ("B", "Partner", "PC Header"),
            ("C", "Name", "PC Header"),
            ("D", "Asked (C8)", "PC Header right"),
            ("E", "Contribution", "PC Header right"),
            ("F", "Refund (C9)", "PC Header right"),
            ("G", "Contributions to date", "PC Header right"),
            ("H", "Equity", "PC Header right"),
            ("I", "Note", "PC Header"),
        ),
    )
    s.height(14, 24)
    s.row(
        15,
        (
            ("A", "{{#table accounts}}", "PC Marker"),
            ("B", "{{ account.partner_id }}", "PC Text"),
            ("C", "{{ account.name }}", "PC Text"),
            ("D", "{{ account.asked }}", "PC Money"),
            ("E", "{{ account.contribution }}", "PC Money"),
            ("F", "{{ account.refund }}", "PC Money"),
            ("G", "{{ account.contributions_to_date }}", "PC Money"),
            ("H", "{{ account.equity }}", "PC Money"),
            ("I", "{{ account.exit }}", "PC Text small"),
        ),
    )
    s.row(
        16,
        (
            ("B", "Total", "PC Grand label"),
            ("C", None, "PC Grand label"),
            ("D", "=SUM(D15:D15)", "PC Grand money"),
            ("E", "=SUM(E15:E15)", "PC Grand money"),
            ("F", "=SUM(F15:F15)", "PC Grand money"),
            ("G", "=SUM(G15:G15)", "PC Grand money"),
            ("H", "=SUM(H15:H15)", "PC Grand money"),
            ("I", None, "PC Grand label"),
        ),
    )
    _page(ws, 16, "I")


def _exceptions(workbook: Workbook) -> None:
    ws = workbook.create_sheet("Exceptions")
    s = Sheet(ws, 6)
    _band(s, "EXCEPTIONS", "F")
    s.widths({"A": 1.7, "B": 10, "C": 38, "D": 16, "E": 70, "F": 12})
    s.put(
        "B4",
        "{{ problems.count }} problems reported by the close: {{ problems.warnings }} warnings "
        "and {{ problems.infos }} notes (errors stop a close).",
        "PC Value",
        merge="F4",
    )
    s.row(
        5,
        (
            ("B", "Severity", "PC Header"),
            ("C", "Location", "PC Header"),
            ("D", "Column", "PC Header"),
            ("E", "Message", "PC Header", "F"),
        ),
    )
    s.row(
        6,
        (
            ("A", '{{#table problems empty="No warnings or notes."}}', "PC Marker"),
            ("B", "{{ problem.severity }}", "PC Text small"),
            ("C", "{{ problem.location }}", "PC Text small"),
            ("D", "{{ problem.column }}", "PC Text small"),
            ("E", "{{ problem.message }}", "PC Text", "F"),
        ),
    )
    _page(ws, 6, "F", landscape=True)


def _audit(workbook: Workbook) -> None:
    ws = workbook.create_sheet("Audit")
    s = Sheet(ws, 5)
    _band(s, "AUDIT RECORD", "E")
    s.widths({"A": 1.7, "B": 26, "C": 60, "D": 12, "E": 66})
    record = (
        ("Program", "{{ program.name }}", "PC Value"),
        ("Program file", "{{ program.file }}", "PC Value"),
        ("Period", "{{ period }}", "PC Value"),
        ("Close", "{{ close.kind }}", "PC Value"),
        ("Run started (UTC)", "{{ produced.time }}", "PC Value"),
        ("User", "{{ run.user }}", "PC Value"),
        ("PartnerClose version", "{{ version }}", "PC Value"),
        ("Participants", "{{ participants.count }}", "PC Value"),
        ("Lines", "{{ lines.count }}", "PC Value"),
    )
    for offset, (label, value, style) in enumerate(record):
        r = 4 + offset
        s.put(f"B{r}", label, "PC Fact label")
        s.put(f"C{r}", value, style)
    ws["C8"].number_format = DATETIME
    s.put("B14", "Input files", "PC Heading", merge="E14")
    s.row(
        15,
        (
            ("B", "File", "PC Header"),
            ("C", "SHA-256", "PC Header"),
            ("D", "Role", "PC Header"),
            ("E", "Path", "PC Header"),
        ),
    )
    s.row(
        16,
        (
            (
                "A",
                '{{#table files empty="No input files (the program came from an open workbook)."}}',
                "PC Marker",
            ),
            ("B", "{{ file.name }}", "PC Text"),
            ("C", "{{ file.sha256 }}", "PC Text small"),
            ("D", "{{ file.role }}", "PC Text small"),
            ("E", "{{ file.path }}", "PC Text small"),
        ),
    )
    s.put("B19", "Exchange rates of the period (rules.md X3)", "PC Heading", merge="E19")
    s.row(
        20,
        (
            ("B", "Currency", "PC Header"),
            ("C", "Average (deals, campaigns)", "PC Header"),
            ("D", "Closing (what is owed)", "PC Header"),
            ("E", "Source", "PC Header"),
        ),
    )
    s.row(
        21,
        (
            (
                "A",
                '{{#table rates empty="One currency: no exchange rates used."}}',
                "PC Marker",
            ),
            ("B", "{{ rate.currency }}", "PC Text"),
            ("C", "{{ rate.average }}", "PC Text small"),
            ("D", "{{ rate.closing }}", "PC Text small"),
            ("E", "{{ rate.source }}", "PC Text small"),
        ),
    )
    _page(ws, 21, "E", landscape=True)


def _currencies(workbook: Workbook) -> None:
    ws = workbook.create_sheet("Currencies")
    s = Sheet(ws, 8)
    _band(s, "PARTNERS SETTLING IN ANOTHER CURRENCY", "H")
    s.widths({"A": 1.7, "B": 12, "C": 34, "D": 10, "E": 12, "F": 18, "G": 20, "H": 16})
    s.put(
        "B4",
        "Each line converts at the closing rate, rounded per line (rules.md X2); the rounding "
        "difference is net − round(settlement net × rate), in {{ currency }}.",
        "PC Value",
        merge="H4",
    )
    s.row(
        5,
        (
            ("B", "Partner", "PC Header"),
            ("C", "Name", "PC Header"),
            ("D", "Currency", "PC Header"),
            ("E", "Rate", "PC Header"),
            ("F", "Net ({{ currency }})", "PC Header"),
            ("G", "Net (settlement)", "PC Header"),
            ("H", "Rounding diff.", "PC Header"),
        ),
    )
    s.row(
        6,
        (
            (
                "A",
                '{{#table settlements empty="Every partner settles in the program currency."}}',
                "PC Marker",
            ),
            ("B", "{{ settlement.id }}", "PC Text"),
            ("C", "{{ settlement.name }}", "PC Text"),
            ("D", "{{ settlement.currency }}", "PC Text"),
            ("E", "{{ settlement.rate }}", "PC Text small"),
            ("F", "{{ settlement.net_program }}", "PC Money"),
            ("G", "{{ settlement.net_settlement_text }}", "PC Text"),
            ("H", "{{ settlement.rounding_difference }}", "PC Money"),
        ),
    )
    _page(ws, 6, "H", landscape=True)


def _letter(column: int) -> str:
    """A column's letter."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(column)


def build_close_pack() -> Workbook:
    """The close pack template: one sheet per part of the close."""
    workbook = _new_workbook()
    _summary(workbook)
    _changes(workbook)
    _pools(workbook)
    _reserve(workbook)
    _currencies(workbook)
    _exceptions(workbook)
    _audit(workbook)
    return workbook


def build(folder: Path = HERE) -> tuple[Path, Path]:
    """Both templates written into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    statement, close_pack = folder / STATEMENT, folder / CLOSE_PACK
    save(build_statement(), statement, BUILT)
    save(build_close_pack(), close_pack, BUILT)
    return statement, close_pack


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    for path in build(out):
        print(f"wrote {path}")
