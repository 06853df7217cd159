"""One vocabulary: every output names each key figure (K1) alike, and each table's
columns are the fields of its typed row."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import openpyxl
import pytest

from desktop.presenters.review_tables import key_figures_table, scorecard_table
from partnerclose.core.key_figures import KEY_FIGURE_NAMES
from partnerclose.core.lines import Component
from partnerclose.statements.close_pack_data import close_pack_fill
from partnerclose.statements.data import statement_fill
from partnerclose.statements.labels import KEY_FIGURE_LABELS, key_figure_label
from partnerclose.statements.rows import DealRow, LineRow, ParticipantRow
from partnerclose.statements.values import DataError, Table, row_values
from partnerclose.statements.writers import STATEMENT_TEMPLATE, render_statements
from tests.statements.conftest import DemoClose

PLACEHOLDER = re.compile(r"\{\{ kpi\.(\w+) \}\}")
LABEL_COLUMN = {"C": "B", "J": "F"}  # a figure's value cell -> its label cell


def _template_labels() -> dict[str, str]:
    """What the statement template writes beside each `{{ kpi.<name> }}` placeholder."""
    sheet = openpyxl.load_workbook(STATEMENT_TEMPLATE).active
    labels = {}
    for row in sheet.iter_rows():
        for cell in row:
            found = PLACEHOLDER.fullmatch(str(cell.value or ""))
            if found:
                label_cell = f"{LABEL_COLUMN[cell.column_letter]}{cell.row}"
                labels[found.group(1)] = sheet[label_cell].value
    return labels


def test_every_key_figure_has_a_label_in_the_statements_order():
    assert tuple(KEY_FIGURE_LABELS) == KEY_FIGURE_NAMES
    assert len(set(KEY_FIGURE_LABELS.values())) == len(KEY_FIGURE_NAMES)  # no two alike
    assert key_figure_label("partner_nps") == "partner nps"  # a metric without a label


def test_the_statement_the_close_pack_and_the_desktop_name_each_figure_alike(
    demo: DemoClose, tmp_path: Path
):
    context = demo.context
    assert _template_labels() == dict(KEY_FIGURE_LABELS)  # the statement's K1 section

    # The rendered statement of every partner shows each label as the template has it.
    statements = render_statements(context, tmp_path, workers=1)
    shown = {
        cell.value
        for cell in openpyxl.load_workbook(statements[0]).active.iter_cols(min_col=2, max_col=6)
        for cell in cell
    }
    assert set(KEY_FIGURE_LABELS.values()) <= shown

    pack = close_pack_fill(context).tables["key_figures"]
    pack_labels = {
        row[pack.fields.index("metric")]: row[pack.fields.index("label")] for row in pack.rows
    }
    assert pack_labels == dict(KEY_FIGURE_LABELS)

    decimals = context.program.settings.decimals
    scored = 0
    for pid in context.result.key_figures:
        desktop = key_figures_table(context.result, pid, decimals)
        for row in desktop.rows:
            assert row.cells[0].text == KEY_FIGURE_LABELS[row.key]
        # The scorecard: the statement's table and the desktop's name each metric alike.
        card = statement_fill(context, pid).tables["scorecard"]
        on_statement = [row[card.fields.index("label")] for row in card.rows]
        on_desktop = [row.cells[0].text for row in scorecard_table(context.result, pid).rows]
        assert on_statement == on_desktop
        scored += len(on_statement)
    assert scored > 0  # the demo's partners have scorecards: the comparison saw some


def test_a_tables_columns_are_its_rows_fields():
    assert [f.name for f in dataclasses.fields(ParticipantRow)][3:-2] == [
        c.value for c in Component
    ]
    line = LineRow("mdf", "MDF", "C1", "Campaign", "", "", None, None, None, 5, "", "K2", 5)
    table = Table.of_rows("line", LineRow, [line])
    assert table.fields == tuple(f.name for f in dataclasses.fields(LineRow))
    assert table.rows == (
        ("mdf", "MDF", "C1", "Campaign", "", "", None, None, None, 5, "", "K2", 5, None, None),
    )
    with pytest.raises(DataError, match="a ParticipantRow among LineRows"):
        Table.of_rows("line", LineRow, [line, ParticipantRow(*["x"] * 21)])


def test_row_values_are_what_a_table_makes_of_the_row():
    args = ("mdf", "MDF", "C1", "Campaign", "", "", None, None, None, 5, "", "K2", 5)
    kwargs = dict(zip((f.name for f in dataclasses.fields(LineRow)), args, strict=False))
    made = Table.of_values("line", LineRow, [row_values(LineRow)(**kwargs)])
    assert made == Table.of_rows("line", LineRow, [LineRow(**kwargs)])  # defaults too
    assert row_values(LineRow)(*args, restated=7) == (*args, None, 7)
    with pytest.raises(TypeError):
        row_values(DealRow)(kind="deal")  # every field without a default is needed
