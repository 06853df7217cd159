"""scenarios.xlsx: the actual close and each scenario side by side (docs/scenarios.md).

`comparison` turns a `ScenariosOutcome` into plain tables (text and exact
Decimals), which this module writes as a workbook and the front ends show or
write into the open workbook. Sheets: Comparison (per participant and component,
actual, each scenario and its difference), Pools (allocation and the N1 check per
pool), Checks (the margin check R8 and the reserve per scenario), each with a chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from partnerclose.core.close import CloseResult
from partnerclose.core.lines import Component
from partnerclose.core.records import HOST, Program
from partnerclose.core.scenario import ScenariosOutcome

ACTUAL = "Actual"
Value = str | Decimal | None


@dataclass(frozen=True, slots=True)
class ComparisonTable:
    """One sheet of the comparison: a title, a header and rows of values."""

    name: str
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[Value, ...], ...]
    money_from: int  # 0-based first column holding money (formatted as such)


@dataclass(frozen=True, slots=True)
class Comparison:
    """The comparison's tables, and the names of the results in column order."""

    period: str
    results: tuple[str, ...]  # "Actual", then each scenario
    notes: tuple[str, ...]  # each scenario's notes
    comparison: ComparisonTable
    pools: ComparisonTable
    checks: ComparisonTable
    reserve: ComparisonTable
    decimals: int

    @property
    def tables(self) -> tuple[ComparisonTable, ...]:
        """The tables in sheet order."""
        return (self.comparison, self.pools, self.checks, self.reserve)


def _name(programs: Sequence[Program], participant: str) -> str:
    """The participant's name in the first program that has it (actual, then scenarios)."""
    if participant == HOST:
        return "Host"
    for program in programs:
        for partner in program.partners:
            if partner.partner_id == participant:
                return partner.name
    return participant


def _results(outcome: ScenariosOutcome) -> list[tuple[str, CloseResult, Program]]:
    return [
        (ACTUAL, outcome.actual, outcome.program),
        *((s.name, s.result, s.program) for s in outcome.scenarios),
    ]


def _lines_table(outcome: ScenariosOutcome) -> ComparisonTable:
    results = _results(outcome)
    totals = [result.totals() for _, result, _ in results]
    participants: list[str] = []
    for _, result, _ in results:
        participants += [p for p in result.participants if p not in participants]
    participants.sort(key=lambda p: (p != HOST, p))
    header = ["participant", "name", "component", ACTUAL]
    for name, _, _ in results[1:]:
        header += [name, f"{name} − actual"]
    rows: list[tuple[Value, ...]] = []
    names = {p: _name([program for _, _, program in results], p) for p in participants}
    for participant in participants:
        components = sorted(
            {c for table in totals for c in table.get(participant, {})}, key=lambda c: c.rank
        )
        for component in [*components, None]:
            values = [
                _net(table, participant)
                if component is None
                else _total(table, participant, component)
                for table in totals
            ]
            label = "net" if component is None else component.value
            row: list[Value] = [participant, names[participant], label, values[0]]
            for value in values[1:]:
                row += [value, value - values[0]]
            rows.append(tuple(row))
    return ComparisonTable(
        "Comparison",
        f"Actual close and scenarios, {outcome.period}: per participant and component "
        "(positive: owed to the participant)",
        tuple(header),
        tuple(rows),
        3,
    )


def _total(table: dict[str, dict[Component, Decimal]], pid: str, component: Component) -> Decimal:
    return table.get(pid, {}).get(component, Decimal(0))


def _net(table: dict[str, dict[Component, Decimal]], pid: str) -> Decimal:
    return sum(table.get(pid, {}).values(), Decimal(0))


def _pools_table(outcome: ScenariosOutcome) -> ComparisonTable:
    rows: list[tuple[Value, ...]] = []
    for name, result, _ in _results(outcome):
        for check in result.pool_checks:
            allocated = -check.lines_total
            status = "reconciles" if check.difference == 0 else f"off by {check.difference}"
            rows.append(
                (name, check.pool_id, check.amount, check.draw, allocated, check.difference, status)
            )
    return ComparisonTable(
        "Pools",
        "Per pool: amount, reserve draw, allocated to the participants, and the N1 check "
        "(allocated = amount − draw)",
        ("scenario", "pool_id", "amount", "draw", "allocated", "N1 difference", "N1 check"),
        tuple(rows),
        2,
    )


def _checks_table(outcome: ScenariosOutcome) -> ComparisonTable:
    rows: list[tuple[Value, ...]] = []
    for name, result, program in _results(outcome):
        limit = program.settings.max_margin_share
        for pid, revenue in sorted(result.revenue.partners.items()):
            share = revenue.margin_share
            if share is None:
                verdict = "no gross profit"
            elif limit is None:
                verdict = "no limit"
            else:
                verdict = "within the limit" if share <= limit else "above the limit"
            rows.append(
                (name, pid, revenue.revenue_share, revenue.gross_profit, share, limit, verdict)
            )
    return ComparisonTable(
        "Margin check",
        "Margin check (R8): revenue share against its deals' gross profit, per scenario",
        (
            "scenario",
            "partner_id",
            "revenue share",
            "gross profit",
            "margin share",
            "max_margin_share",
            "margin check",
        ),
        tuple(rows),
        2,
    )


def _reserve_table(outcome: ScenariosOutcome) -> ComparisonTable:
    rows: list[tuple[Value, ...]] = []
    for name, result, _ in _results(outcome):
        r = result.costs.reserve
        at_cap = "at the cap" if r.cap is not None and r.closing >= r.cap else ""
        rows.append(
            (name, r.opening, r.draws, r.contributions, r.refunds, r.closing, r.cap, at_cap)
        )
    return ComparisonTable(
        "Reserve",
        "Reserve fund (C8) per scenario: opening − draws + contributions − refunds = closing",
        (
            "scenario",
            "opening",
            "draws",
            "contributions",
            "refunds",
            "closing",
            "reserve_cap",
            "cap",
        ),
        tuple(rows),
        1,
    )


def comparison(outcome: ScenariosOutcome) -> Comparison:
    """The comparison's tables of an outcome (the same outcome gives the same tables)."""
    return Comparison(
        str(outcome.period),
        tuple(name for name, _, _ in _results(outcome)),
        tuple(s.scenario.notes for s in outcome.scenarios),
        _lines_table(outcome),
        _pools_table(outcome),
        _checks_table(outcome),
        _reserve_table(outcome),
        outcome.program.settings.decimals,
    )


# --- the workbook ----------------------------------------------------------------


def _money_format(decimals: int) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def _write_table(sheet: Worksheet, table: ComparisonTable, decimals: int) -> None:
    sheet.append([table.title])
    sheet["A1"].font = Font(bold=True)
    sheet.append(list(table.header))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    money = _money_format(decimals)
    for row in table.rows:
        sheet.append(list(row))
        for cell in sheet[sheet.max_row][table.money_from :]:
            if isinstance(cell.value, Decimal):
                cell.number_format = money
    for index, title in enumerate(table.header, 1):
        width = max(len(title), *(len(str(row[index - 1] or "")) for row in table.rows), 8)
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 4, 40)
    sheet.freeze_panes = "A3"


def _bar_chart(title: str, y_title: str) -> BarChart:
    chart = BarChart()
    chart.type = "col"
    chart.title = title
    chart.y_axis.title = y_title
    chart.height, chart.width = 8, 18
    chart.x_axis.tickLblPos = "low"  # participant names below negative bars too
    return chart


def _net_chart(sheet: Worksheet, result_count: int, row_count: int) -> None:
    """Net per participant, one series per result (the Comparison sheet's net rows)."""
    money = sheet.cell(3, 4).number_format
    net_rows = [r for r in range(3, row_count + 3) if sheet.cell(r, 3).value == "net"]
    if not net_rows:
        return
    # a compact block to chart: participant, then each result's net
    start = row_count + 5
    sheet.cell(start, 1, "net per participant (chart data)").font = Font(bold=True)
    header_row = start + 1
    sheet.cell(header_row, 1, "participant")
    columns = [4, *range(5, 5 + 2 * (result_count - 1), 2)]
    for offset, column in enumerate(columns):
        sheet.cell(header_row, 2 + offset, sheet.cell(2, column).value)
    for index, row in enumerate(net_rows, 1):
        sheet.cell(header_row + index, 1, sheet.cell(row, 1).value)
        for offset, column in enumerate(columns):
            value = sheet.cell(row, column).value
            sheet.cell(header_row + index, 2 + offset, value).number_format = money
    chart = _bar_chart("Net per participant: actual and scenarios", "net")
    data = Reference(
        sheet,
        min_col=2,
        max_col=1 + len(columns),
        min_row=header_row,
        max_row=header_row + len(net_rows),
    )
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(
        Reference(sheet, min_col=1, min_row=header_row + 1, max_row=header_row + len(net_rows))
    )
    sheet.add_chart(chart, f"A{header_row + len(net_rows) + 2}")


def _reserve_chart(sheet: Worksheet, rows: int) -> None:
    chart = _bar_chart("Reserve closing balance per scenario", "closing")
    chart.add_data(Reference(sheet, min_col=6, min_row=2, max_row=rows + 2), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=3, max_row=rows + 2))
    sheet.add_chart(chart, f"A{rows + 5}")


def write_scenarios_workbook(outcome: ScenariosOutcome | Comparison, path: Path) -> Path:
    """scenarios.xlsx at `path`: the comparison's sheets, with charts."""
    table = outcome if isinstance(outcome, Comparison) else comparison(outcome)
    book = Workbook()
    first = book.active
    for part in table.tables:
        sheet = book.create_sheet(part.name)
        _write_table(sheet, part, table.decimals)
    book.remove(first)  # type: ignore[arg-type]
    _net_chart(book[table.comparison.name], len(table.results), len(table.comparison.rows))
    _reserve_chart(book[table.reserve.name], len(table.reserve.rows))
    notes = book.create_sheet("Notes")
    notes.append(["scenario", "note"])
    for name, note in zip(table.results[1:], table.notes, strict=True):
        notes.append([name, note])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def scenario_names(outcome: ScenariosOutcome) -> Sequence[str]:
    """The scenarios' names in column order."""
    return [s.name for s in outcome.scenarios]
