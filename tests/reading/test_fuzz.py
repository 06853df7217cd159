"""Bad input never yields a traceback: hypothesis mutates the demo workbooks.

The program workbook is mutated as grids in memory (fast, many examples);
partner workbooks are mutated as files (types, sheets, columns, duplicated
rows, truncation, random bytes). Whatever comes in, reading, validating and
computing return values with located problems.

Sheets renamed, added or copied, and the templates' example rows left in
place, must never change money silently: either an error stops the close, or
every line is what the unchanged workbooks give.
"""

from __future__ import annotations

import copy
import io
import math
import os
import re
import shutil
import sys
import tempfile
import tracemalloc
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.utils.exceptions import IllegalCharacterError

from partnerclose.core.close import CloseState, compute_close
from partnerclose.core.lines import Line
from partnerclose.core.period import Period
from partnerclose.core.problems import Severity
from partnerclose.demo import write_demo
from partnerclose.pipeline import Status, run_close
from partnerclose.reading.grid import SheetGrid, WorkbookGrids, column_letter
from partnerclose.reading.inputs import load_inputs, load_inputs_from_grids
from partnerclose.reading.xlsx import Limits
from partnerclose.reading.xlsx import load_workbook as load_grids
from tests.reading.test_hostile import declare_size

OCT = Period(2026, 10)
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

CELL_VALUES = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from(
        [
            "abc",
            "-5",
            "1,2,3",
            "15%",
            "=1+1",
            "HOST",
            "P001",
            "usage",
            "Y",
            "maybe",
            "2026-13-45",
            "1e309",
            "nan",
            "-0",
            "0.1",
        ]
    ),
    st.integers(-(10**15), 10**15),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1)),
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    write_demo(folder, partners=6, period=OCT, seed=3)
    return folder


@st.composite
def grid_mutations(draw, grids: WorkbookGrids) -> WorkbookGrids:
    sheets = {name: [list(row) for row in grid.rows] for name, grid in grids.sheets.items()}
    for _ in range(draw(st.integers(1, 4))):
        name = draw(st.sampled_from(sorted(sheets)))
        rows = sheets[name]
        kind = draw(st.sampled_from(["cell", "cell", "header", "delete", "duplicate", "blank"]))
        if kind == "delete":
            del sheets[name]
        elif kind == "duplicate" and len(rows) > 1:
            rows.append(list(rows[draw(st.integers(1, len(rows) - 1))]))
        elif kind == "blank":
            sheets[name] = []
        elif rows:
            r = 0 if kind == "header" else draw(st.integers(0, len(rows) - 1))
            if rows[r]:
                c = draw(st.integers(0, len(rows[r]) - 1))
                rows[r][c] = draw(CELL_VALUES)
    return WorkbookGrids(grids.file, {n: SheetGrid(n, rows) for n, rows in sheets.items()})


def program_grids(demo: Path) -> WorkbookGrids:
    loaded, problems = load_grids(demo / "program.xlsx")
    assert loaded is not None, problems
    return loaded.grids


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_mutated_program_never_raises(demo, data):
    grids = data.draw(grid_mutations(program_grids(demo)))
    inputs = load_inputs_from_grids(grids, demo, OCT)
    for problem in inputs.problems:
        assert problem.message
        assert problem.file  # every problem says where
    if inputs.ok:
        from partnerclose.core.close import CloseState, compute_close

        assert inputs.program is not None
        result = compute_close(inputs.program, OCT, inputs.data, CloseState())
        assert all(check.difference == 0 for check in result.pool_checks)


EXTREMES = (5e-324, 9.99e14, -9.99e14)  # the smallest float; the largest numbers accepted


@pytest.mark.slow
def test_every_program_number_at_its_extremes_closes_or_is_refused(demo):
    """Each number cell of the program set to each extreme: a problem or a close, never a
    traceback (found this way: a product margin of 1e-300 made a share of 10^300)."""
    from partnerclose.core.close import CloseState, compute_close

    grids = program_grids(demo)
    cases = closed = 0
    for name, sheet in grids.sheets.items():
        for r, row in enumerate(sheet.rows[1:], 1):
            for c, value in enumerate(row):
                if not isinstance(value, float):
                    continue
                for extreme in EXTREMES:
                    rows = [list(line) for line in sheet.rows]
                    rows[r][c] = extreme
                    changed = WorkbookGrids(
                        grids.file, {**grids.sheets, name: SheetGrid(name, rows)}
                    )
                    inputs = load_inputs_from_grids(changed, demo, OCT)
                    if inputs.ok:
                        assert inputs.program is not None
                        compute_close(inputs.program, OCT, inputs.data, CloseState())
                        closed += 1
                    cases += 1
    assert cases > 300
    assert closed > cases / 3  # negative ones are mostly refused; the rest computed


@pytest.mark.slow
def test_every_partner_number_column_at_its_extremes_closes_or_is_refused(demo, tmp_path):
    """The first number of each column of a partner workbook at each extreme."""
    from partnerclose.core.close import CloseState, compute_close

    grids = program_grids(demo)
    folder = tmp_path / "case"
    shutil.copytree(demo, folder)
    target = sorted((folder / "partners").glob("*.xlsx"))[0]
    original = target.read_bytes()
    columns = [
        (sheet.title, column)
        for sheet in load_workbook(target).worksheets
        for column in range(1, sheet.max_column + 1)
        if isinstance(sheet.cell(2, column).value, int | float)
    ]
    assert len(columns) >= 5
    closed = 0
    for title, column in columns:
        for extreme in EXTREMES:
            book = load_workbook(io.BytesIO(original))
            book[title].cell(2, column).value = extreme
            book.save(target)
            inputs = load_inputs_from_grids(grids, folder, OCT)
            if inputs.ok:
                assert inputs.program is not None
                compute_close(inputs.program, OCT, inputs.data, CloseState())
                closed += 1
    assert closed > len(columns)  # most extremes are accepted and computed


def mutate_file(path: Path, kind: str, value: object, pick: int) -> None:
    if kind == "truncate":
        data = path.read_bytes()
        path.write_bytes(data[: pick % max(1, len(data))])
        return
    if kind == "garble":
        data = bytearray(path.read_bytes())
        for i in range(pick % 50 + 1):
            data[(pick * (i + 7)) % len(data)] ^= 0xFF
        path.write_bytes(bytes(data))
        return
    book = load_workbook(path)
    sheet = book.worksheets[pick % len(book.worksheets)]
    if kind == "drop_sheet":
        book.remove(sheet)
    elif kind == "drop_column":
        sheet.delete_cols(pick % max(1, sheet.max_column) + 1)
    elif kind == "duplicate_row" and sheet.max_row > 1:
        sheet.append([c.value for c in sheet[pick % (sheet.max_row - 1) + 2]])
    else:
        row = pick % sheet.max_row + 1
        column = pick % max(1, sheet.max_column) + 1
        sheet.cell(row, column).value = value  # type: ignore[assignment]
    book.save(path)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kind=st.sampled_from(
        ["cell", "cell", "drop_sheet", "drop_column", "duplicate_row", "truncate", "garble"]
    ),
    value=CELL_VALUES.filter(lambda v: not isinstance(v, float) or not math.isnan(v)),
    pick=st.integers(0, 10**6),
    which=st.integers(0, 5),
)
def test_mutated_partner_workbook_never_raises(demo, tmp_path, kind, value, pick, which):
    folder = Path(tempfile.mkdtemp(dir=tmp_path)) / "case"
    shutil.copytree(demo, folder)
    target = sorted((folder / "partners").glob("*.xlsx"))[which]
    try:
        mutate_file(target, kind, copy.copy(value), pick)
    except (ValueError, TypeError, IllegalCharacterError):  # openpyxl refuses the value
        return
    outcome = run_close(folder / "program.xlsx", OCT, out=folder / "out")
    assert outcome.status in (Status.CLOSED, Status.INVALID)
    if outcome.status is Status.INVALID:
        errors = [p for p in outcome.problems if p.severity is Severity.ERROR]
        assert errors
        assert all(p.file for p in errors)
        assert not (folder / "out").exists()


def test_demo_from_files_and_from_grids_gives_equal_records(demo):
    """What xlwings returns (floats, datetimes, None) reads to the same records."""
    from_files = load_inputs(demo / "program.xlsx", OCT)
    grids = program_grids(demo)
    excel_like = WorkbookGrids(
        "program.xlsx",
        {
            name: SheetGrid(name, [[_as_excel(v) for v in row] for row in grid.rows])
            for name, grid in grids.sheets.items()
        },
    )
    from_grids = load_inputs_from_grids(excel_like, demo, OCT)
    assert from_files.ok
    assert from_grids.ok
    assert from_grids.program == from_files.program
    assert from_grids.data == from_files.data


def _as_excel(value: object) -> object:
    """A cell as xlwings on Windows returns it."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return float(value)
    if hasattr(value, "year") and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)  # type: ignore[attr-defined]
    return value


# --- hostile package shapes (issue 16): bounded memory, never a traceback ---------------

HOSTILE_LIMITS = Limits(max_uncompressed_bytes=8 * 2**20, max_cells_per_sheet=2_000_000)
_SHEET = "xl/worksheets/sheet2.xml"  # the second sheet of a demo partner workbook


def hostile_shape(source: Path, target: Path, kind: str, pick: int) -> Path:
    """`source` rewritten with one hostile shape; returns the file to read."""
    with zipfile.ZipFile(source) as book:
        parts = {info.filename: book.read(info) for info in book.infolist()}
    xml = parts[_SHEET]
    if kind == "far_cell":  # one cell far from the rest: a huge rectangle for calamine
        column = column_letter(pick % 16384)
        row = 1 + pick % 1_048_576
        xml = xml.replace(
            b"</sheetData>",
            f'<row r="{row}"><c r="{column}{row}"><v>1</v></c></row></sheetData>'.encode(),
        )
    elif kind == "lying_dimension":  # many rows, a dimension that says two
        rows = b"".join(
            b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (r, r)
            for r in range(900, 900 + pick % 5000)
        )
        xml = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:B2"', xml)
        xml = xml.replace(b"</sheetData>", rows + b"</sheetData>")
    elif kind == "utf16":  # every XML part in UTF-16, with or without a byte-order mark
        codec = "utf-16" if pick % 2 else "utf-16-le"
        parts = {
            n: (d.decode().encode(codec) if n.endswith(".xml") else d) for n, d in parts.items()
        }
        xml = parts[_SHEET]
    padding = b""
    if kind == "lying_zip":  # a part far larger than it declares
        padding = b"<!-- " + b"x" * (9 * 2**20 + pick % 2**20) + b" -->"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as book:
        for name, data in parts.items():
            book.writestr(
                name,
                xml.replace(b"<sheetData>", padding + b"<sheetData>", 1)
                if name == _SHEET
                else data,
            )
    if kind == "lying_zip":
        target.write_bytes(declare_size(target.read_bytes(), _SHEET, 4096))
    return target


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kind=st.sampled_from(["far_cell", "lying_dimension", "lying_zip", "utf16"]),
    pick=st.integers(0, 10**7),
)
def test_hostile_shapes_are_refused_or_read_within_bounded_memory(demo, tmp_path, kind, pick):
    source = sorted((demo / "partners").glob("*.xlsx"))[0]
    target = hostile_shape(source, Path(tempfile.mkdtemp(dir=tmp_path)) / "P.xlsx", kind, pick)
    tracemalloc.start()
    loaded, problems = load_grids(target, limits=HOSTILE_LIMITS)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert (loaded is None) == bool(problems)
    assert all(p.file == "P.xlsx" and p.message for p in problems)
    # The inflated parts (the limit), the file, and calamine's rows: never the 100 GB a
    # far cell asks for, nor the gigabytes a lying zip holds.
    assert peak < 3 * HOSTILE_LIMITS.max_uncompressed_bytes + target.stat().st_size
    if kind == "utf16":
        assert loaded is not None  # read, not refused and not empty
        assert any(len(grid.rows) > 1 for grid in loaded.grids.sheets.values())


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="byte file names")
@given(name=st.binary(min_size=1, max_size=12).filter(lambda b: b"/" not in b and b"\0" not in b))
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_odd_partner_file_names_never_stop_a_close(demo, tmp_path, name):
    folder = Path(tempfile.mkdtemp(dir=tmp_path)) / "case"
    shutil.copytree(demo, folder)
    source = sorted((folder / "partners").glob("*.xlsx"))[0]
    odd = folder / "partners" / os.fsdecode(name + b".xlsx")
    if odd.exists():
        return
    shutil.copy(source, odd)
    outcome = run_close(folder / "program.xlsx", OCT, out=folder / "out")
    assert outcome.status in (Status.CLOSED, Status.INVALID)
    for problem in outcome.problems:
        str(problem).encode("utf-8")  # every problem can be printed


# --- sheets renamed, added, copied; template examples left in place ------------------------


def close_lines(inputs) -> tuple[Line, ...] | None:
    """The lines of a first close of `inputs`, None when an error stops it."""
    if not inputs.ok:
        return None
    result = compute_close(inputs.program, OCT, inputs.data, CloseState())
    return None if any(p.severity is Severity.ERROR for p in result.problems) else result.lines


@pytest.fixture(scope="module")
def baseline(demo) -> tuple[Line, ...]:
    lines = close_lines(load_inputs(demo / "program.xlsx", OCT))
    assert lines is not None
    return lines


def template_examples(name: str) -> dict[str, list[object]]:
    """The example row of each table sheet of a template, by sheet name."""
    book = load_workbook(TEMPLATES / name, read_only=True)
    rows = {}
    for sheet in book.worksheets:
        values = [list(row) for row in sheet.iter_rows(values_only=True)]
        if len(values) == 2 and values[0][:2] != ["key", "value"]:
            rows[sheet.title] = values[1]
    book.close()
    return rows


@st.composite
def near_names(draw, name: str) -> str:
    """How a person renames a sheet by mistake, or keeps a copy of it."""
    kind = draw(st.sampled_from(["drop", "suffix", "prefix", "case", "space", "double"]))
    if kind == "drop":
        return name[:-1]
    if kind == "suffix":
        return name + draw(st.sampled_from([" Oct", " (2)", "_old", " 2026-10", "s"]))
    if kind == "prefix":
        return draw(st.sampled_from(["Old ", "Copy of ", "My "])) + name
    if kind == "case":
        return name.upper()  # the same sheet: names match case-insensitively
    if kind == "space":
        return f" {name} "  # the same sheet: surrounding spaces do not count
    cut = draw(st.integers(1, max(1, len(name) - 1)))
    return name[:cut] + " " + name[cut:]


@st.composite
def sheet_mutations(draw, grids: WorkbookGrids, examples: dict[str, list[object]]):
    """Grids with sheets renamed, added, copied, or a template example row appended."""
    sheets = {name: [list(row) for row in grid.rows] for name, grid in grids.sheets.items()}
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(sorted(sheets)))
        kind = draw(st.sampled_from(["rename", "add", "copy", "example"]))
        if kind == "rename":
            new = draw(near_names(name))
            if new.strip() and new not in sheets:
                sheets[new] = sheets.pop(name)
        elif kind == "add":
            new = draw(st.sampled_from(["Notes", "Pivot", "Sheet1", "Deal", "Adjustment"]))
            sheets.setdefault(new, [list(row) for row in sheets[name]])
        elif kind == "copy":
            sheets.setdefault(f"{name} (2)", [list(row) for row in sheets[name]])
        elif name in examples and sheets[name]:
            header = [str(h) for h in sheets[name][0]]
            template = examples[name]
            if len(header) == len(template):  # same columns, same order as the template
                sheets[name].append(list(template))
    return WorkbookGrids(grids.file, {n: SheetGrid(n, rows) for n, rows in sheets.items()})


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_program_sheets_renamed_added_or_copied_never_change_money_silently(demo, baseline, data):
    examples = template_examples("program_template.xlsx")
    grids = data.draw(sheet_mutations(program_grids(demo), examples))
    lines = close_lines(load_inputs_from_grids(grids, demo, OCT))
    assert lines is None or lines == baseline


def mutate_sheets(path: Path, kind: str, pick: int, name: str) -> None:
    book = load_workbook(path)
    sheet = book.worksheets[pick % len(book.worksheets)]
    if kind == "rename_sheet":
        sheet.title = name[:31] or "Sheet"
    elif kind == "add_sheet":
        book.create_sheet(name[:31] or "Sheet").append(["anything", 1])
    elif kind == "copy_sheet":
        book.copy_worksheet(sheet)  # "Deals Copy"
    else:  # the template's example row left in (or pasted into) a data sheet
        examples = template_examples("partner_template.xlsx")
        data = [s for s in book.worksheets if s.title in examples]
        if data:
            target = data[pick % len(data)]
            target.append(examples[target.title])
    book.save(path)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kind=st.sampled_from(["rename_sheet", "add_sheet", "copy_sheet", "examples"]),
    pick=st.integers(0, 10**6),
    which=st.integers(0, 5),
    name=st.one_of(
        st.sampled_from(["Deals Oct", "Deal", "deals", "Notes", "Usage (2)", "Partner"]),
        st.text(alphabet=st.characters(blacklist_characters="[]:*?/\\'"), max_size=12),
    ),
)
def test_partner_sheets_renamed_added_or_copied_never_change_money_silently(
    demo, baseline, tmp_path, kind, pick, which, name
):
    folder = Path(tempfile.mkdtemp(dir=tmp_path)) / "case"
    shutil.copytree(demo, folder)
    target = sorted((folder / "partners").glob("*.xlsx"))[which]
    try:
        mutate_sheets(target, kind, pick, name)
    except ValueError:  # openpyxl refuses the title (a duplicate, for instance)
        return
    inputs = load_inputs(folder / "program.xlsx", OCT)
    lines = close_lines(inputs)
    assert lines is None or lines == baseline
    if lines is None:
        errors = [p for p in inputs.problems if p.severity is Severity.ERROR]
        assert errors
        assert all(p.file for p in errors)
