"""The Exceptions, Close Summary and Close History sheets: a few range operations each.

Each sheet is written as one block, then its header is made bold and its
columns sized. Text from the inputs is written as text (`Text`), never as a
formula; the only formulas are the add-in's own `HYPERLINK`s to a cell of the
open workbook or to a statement sheet.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from decimal import Decimal

import xlwings as xw

from excel_addin.cells import to_excel
from excel_addin.layout import EXCEPTIONS_SHEET, HISTORY_SHEET, SUMMARY_SHEET, WHATIF_SHEET
from excel_addin.marks import Kind, SheetSwap
from partnerclose.api import (
    HOST,
    AuditEntry,
    CloseContext,
    Comparison,
    Component,
    Problem,
    RunInfo,
    Severity,
)
from partnerclose.template_api import COMPONENT_LABELS, CellValue, Formula, Text

HEADER_ROW = 4
EXCEPTION_COLUMNS = ("Severity", "Location", "Message", "File", "Sheet", "Cell", "Column")
EXCEPTION_WIDTHS = (10, 26, 90, 24, 16, 8, 20)
_CELL = re.compile(r"^[A-Z]{1,3}[1-9]\d{0,6}$")
_ROW = re.compile(r"^[1-9]\d{0,6}$")


def _quoted(text: str) -> str:
    """Text inside a formula's string literal."""
    return text.replace('"', '""')


def link(sheet: str, cell: str = "A1", shown: str | None = None) -> Formula:
    """`=HYPERLINK("#'Sheet'!G14","…")`: a click goes to that cell of the workbook."""
    target = "'" + sheet.replace("'", "''") + "'!" + cell
    return Formula(f'=HYPERLINK("#{_quoted(target)}","{_quoted(shown or sheet + "!" + cell)}")')


def problem_link(problem: Problem, book_name: str, sheets: Collection[str]) -> CellValue:
    """The location of a problem: a link when it is a cell of the open workbook."""
    location = Text(problem.location) if problem.location else None
    if problem.file != book_name or problem.sheet not in sheets:
        return location
    cell = problem.cell
    if _ROW.match(cell):
        cell = f"A{cell}"  # a whole row: its first cell
    elif not cell:
        cell = "A1"
    elif not _CELL.match(cell):
        return location
    return link(
        problem.sheet, cell, f"{problem.sheet}!{problem.cell}" if problem.cell else problem.sheet
    )


def counts(problems: Sequence[Problem]) -> Counter[Severity]:
    return Counter(problem.severity for problem in problems)


def plural(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


def problem_summary(problems: Sequence[Problem]) -> str:
    found = counts(problems)
    return ", ".join(
        (
            plural(found[Severity.ERROR], "error"),
            plural(found[Severity.WARNING], "warning"),
            plural(found[Severity.INFO], "note"),
        )
    )


def write_exceptions(
    swap: SheetSwap,
    problems: Sequence[Problem],
    *,
    title: str,
    book_name: str,
    sheets: Collection[str],
) -> xw.Sheet:
    """A new Exceptions sheet listing `problems` (links to cells of this workbook)."""
    rows: list[list[CellValue]] = [
        [Text(title)],
        [Text(problem_summary(problems) + ". Click a location to go to its cell.")],
        [],
        [Text(header) for header in EXCEPTION_COLUMNS],
    ]
    for problem in problems:
        rows.append(
            [
                Text(problem.severity.value),
                problem_link(problem, book_name, sheets),
                Text(problem.message),
                Text(problem.file),
                Text(problem.sheet),
                Text(problem.cell),
                Text(problem.column),
            ]
        )
    if not problems:
        rows.append([None, None, Text("No problems found.")])
    sheet = swap.add(Kind.EXCEPTIONS, "", swap.allocate(EXCEPTIONS_SHEET))
    _write_table(sheet, rows, len(EXCEPTION_COLUMNS), EXCEPTION_WIDTHS)
    return sheet


def write_summary(
    swap: SheetSwap,
    context: CloseContext,
    statements: Mapping[str, str],
    *,
    produced: datetime,
) -> xw.Sheet:
    """A new Close Summary sheet: one row per participant, each component's total,
    the net, the number of lines and a link to the statement sheet."""
    program, result = context.program, context.result
    totals = result.totals()
    components = [c for c in Component if any(c in by_c for by_c in totals.values())]
    partners = {partner.partner_id: partner for partner in program.partners}
    lines = Counter(line.partner_id for line in result.lines)
    kind = "FINAL" if context.final else "DRAFT"
    net_to_partners = sum(
        (sum(by_c.values(), Decimal(0)) for pid, by_c in totals.items() if pid != HOST),
        Decimal(0),
    )
    currency = program.settings.currency
    headers = ["Participant", "Name", "Plan", *(COMPONENT_LABELS[c] for c in components)]
    headers += ["Net", "Lines", "Statement"]
    rows: list[list[CellValue]] = [
        [Text(f"Close summary · {program.settings.program_name} · {context.period} · {kind}")],
        [
            Text(
                f"Produced {produced:%Y-%m-%d %H:%M} · {len(statements)} statements · "
                f"net to partners {currency} {net_to_partners:,f}"
            )
        ],
        [],
        [Text(header) for header in headers],
    ]
    column_totals = dict.fromkeys(components, Decimal(0))
    for pid in result.participants:
        by_c = totals.get(pid, {})
        partner = partners.get(pid)
        name = "Host (the company)" if pid == HOST else (partner.name if partner else pid)
        row: list[CellValue] = [Text(pid), Text(name), Text(partner.plan if partner else "")]
        for component in components:
            amount = by_c.get(component, Decimal(0))
            column_totals[component] += amount
            row.append(amount)
        row += [sum(by_c.values(), Decimal(0)), lines[pid]]
        row.append(link(statements[pid], "A1", statements[pid]) if pid in statements else None)
        rows.append(row)
    total_row: list[CellValue] = [Text("Total"), None, None, *column_totals.values()]
    total_row += [sum(column_totals.values(), Decimal(0)), sum(lines.values()), None]
    rows.append(total_row)
    sheet = swap.add(Kind.SUMMARY, "", swap.allocate(SUMMARY_SHEET))
    widths = (12, 28, 12, *(14 for _ in components), 16, 8, 14)
    _write_table(sheet, rows, len(headers), widths)
    decimals = program.settings.decimals
    amounts = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    first, last = HEADER_ROW + 1, len(rows)
    sheet.range((first, 4), (last, 4 + len(components))).number_format = f"{amounts};-{amounts};-"
    sheet.range((last, 1), (last, len(headers))).font.bold = True
    return sheet


HISTORY_COLUMNS = ("Run", "Period", "Kind", "Status", "Finished (UTC)", "User", "Output")
HISTORY_WIDTHS = (6, 10, 8, 10, 26, 16, 60)


def write_history(
    swap: SheetSwap, runs: Sequence[RunInfo], trail: Sequence[AuditEntry], *, title: str
) -> xw.Sheet:
    """A new Close History sheet: every run in the ledger, then every reopen with its
    reason (what `partnerclose history` prints)."""
    reopens = [entry for entry in trail if entry.action == "reopen"]
    rows: list[list[CellValue]] = [
        [Text(title)],
        [Text(f"{plural(len(runs), 'run')}, {plural(len(reopens), 'reopen')}.")],
        [],
        [Text(header) for header in HISTORY_COLUMNS],
    ]
    for run in runs:
        rows.append(
            [
                run.run_id,
                Text(run.period),
                Text(run.kind),
                Text(run.status),
                Text(run.finished_at),
                Text(run.user),
                Text(run.output),
            ]
        )
    if reopens:
        rows += [[], [Text("Reopened"), Text("Period"), Text("Run"), Text("At"), Text("By")]]
        for entry in reopens:
            rows.append(
                [
                    Text(entry.reason),
                    Text(entry.period),
                    entry.run_id,
                    Text(entry.at),
                    Text(entry.user),
                ]
            )
    sheet = swap.add(Kind.HISTORY, "", swap.allocate(HISTORY_SHEET))
    _write_table(sheet, rows, len(HISTORY_COLUMNS), HISTORY_WIDTHS)
    return sheet


def write_whatif(swap: SheetSwap, compared: Comparison, *, title: str) -> xw.Sheet:
    """A new What-if sheet: the comparison `partnerclose whatif` writes to scenarios.xlsx,
    its tables one below the other (per participant and component, pools and N1, the
    margin check, the reserve)."""
    names = ", ".join(compared.results[1:])
    rows: list[list[CellValue]] = [
        [Text(title)],
        [Text(f"{compared.period}: the actual close beside {names}; nothing is recorded.")],
        [],
    ]
    width = max(len(table.header) for table in compared.tables)
    for table in compared.tables:
        rows.append([Text(table.title)])
        rows.append([Text(header) for header in table.header])
        for values in table.rows:
            rows.append([v if isinstance(v, Decimal) else Text(str(v or "")) for v in values])
        rows.append([])
    sheet = swap.add(Kind.WHATIF, "", swap.allocate(WHATIF_SHEET))
    _write_table(sheet, rows, width, (12, 20, 22, *((14,) * (width - 3))))
    return sheet


def _write_table(
    sheet: xw.Sheet, rows: Sequence[Sequence[CellValue]], width: int, widths: Sequence[int]
) -> None:
    block = [[to_excel(value) for value in row] + [None] * (width - len(row)) for row in rows]
    sheet.range((1, 1), (len(block), width)).value = block
    sheet.range((1, 1)).font.bold = True
    sheet.range((HEADER_ROW, 1), (HEADER_ROW, width)).font.bold = True
    for column, size in enumerate(widths, start=1):
        sheet.range((1, column)).column_width = size
