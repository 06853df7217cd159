"""Partner workbooks read by worker processes give what reading in-process gives."""

from __future__ import annotations

import multiprocessing
import pickle
import threading
from pathlib import Path

import pytest

from partnerclose.core.currency import as_given, conversion_of, convert_deals
from partnerclose.core.period import Period
from partnerclose.core.validation import RowContext
from partnerclose.demo import write_demo
from partnerclose.processes import PARALLEL_ABOVE
from partnerclose.reading.inputs import (
    FileResult,
    load_inputs,
    partner_workbook_paths,
    read_partner_files,
)

OCT = Period(2026, 10)


@pytest.fixture(scope="module")
def partner_paths(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("parallel")
    write_demo(folder, partners=PARALLEL_ABOVE + 4, period=OCT, deals=400, usage_rows=80)
    partners = folder / "partners"
    (partners / "Z_broken.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    paths = partner_workbook_paths(partners)
    assert len(paths) > PARALLEL_ABOVE
    return paths


@pytest.fixture(scope="module")
def context(partner_paths: list[Path]) -> RowContext:
    program = load_inputs(partner_paths[0].parent.parent / "program.xlsx", OCT).program
    assert program is not None
    return RowContext.of(program, OCT)


def comparable(results: list[FileResult]) -> list[object]:
    """Results with every record's location spelled out (records ignore it in ==)."""
    shown = []
    for checked, file, problems, _ in results:
        rows = []
        if checked is not None:
            data = checked.data
            for record in (*data.deals, *data.usage, *data.metrics, *data.campaigns):
                rows.append((record, record.loc, dict(record.loc.columns)))
        shown.append((checked, rows, file, list(problems)))
    return shown


def test_workers_read_what_one_process_reads(partner_paths, context):
    alone = list(read_partner_files(partner_paths, context, workers=1))
    together = list(read_partner_files(partner_paths, context, workers=2))
    assert comparable(together) == comparable(alone)
    deals = sum(len(r.rows.data.deals) for r in alone if r.rows is not None)
    assert deals == 400
    broken = alone[-1]
    assert broken.rows is None
    assert [p.file for p in broken.problems] == ["Z_broken.xlsx"]


def test_workers_check_rows_with_the_close_context(partner_paths, context):
    """Row checks run in the workers, against the context each worker was given."""
    strict = RowContext(
        OCT, context.partner_ids, context.pool_ids, frozenset(), frozenset({"Core"})
    )
    alone = list(read_partner_files(partner_paths, strict, workers=1))
    together = list(read_partner_files(partner_paths, strict, workers=2))
    assert comparable(together) == comparable(alone)
    checked = [r.rows for r in together if r.rows is not None]
    unknown = [p.message for rows in checked for p in rows.deal_problems]
    assert len(unknown) == sum(d.product != "Core" for rows in checked for d in rows.data.deals)
    assert any(m.startswith('unknown product "Analytics"') for m in unknown)
    usage = [p.message for rows in checked for p in rows.usage_problems]
    assert len(usage) == sum(len(rows.usage_in_period) for rows in checked) > 0
    assert all("which has no Commitments row" in m for m in usage)


def test_spawned_workers_from_a_thread_read_the_same(partner_paths, context):
    """The desktop app closes on a thread: its workers are spawned, not forked."""
    found: list[list[FileResult]] = []
    thread = threading.Thread(
        target=lambda: found.append(list(read_partner_files(partner_paths, context, workers=2)))
    )
    thread.start()
    thread.join()
    assert comparable(found[0]) == comparable(
        list(read_partner_files(partner_paths, context, workers=1))
    )


def test_stopping_early_leaves_no_worker_behind(partner_paths, context):
    results = read_partner_files(partner_paths, context, workers=2)
    first = next(results)
    assert first.file is not None
    assert first.file.path == partner_paths[0]
    results.close()  # what a cancelled close does
    assert multiprocessing.active_children() == []


def test_inputs_survive_pickling_with_their_locations(partner_paths):
    inputs = load_inputs(partner_paths[0].parent.parent / "program.xlsx", OCT)
    back = pickle.loads(pickle.dumps(inputs))
    assert back == inputs
    assert [d.loc.cell("amount") for d in back.data.deals] == [
        d.loc.cell("amount") for d in inputs.data.deals
    ]
    assert back.program.partners[0].loc == inputs.program.partners[0].loc


def test_workers_convert_deals_in_other_currencies_on_the_close_terms(tmp_path: Path) -> None:
    """X1 runs as each workbook's rows are checked, in the workers, on the context's terms."""
    write_demo(tmp_path, partners=PARALLEL_ABOVE + 4, period=OCT, deals=300, currencies=True)
    program = load_inputs(tmp_path / "program.xlsx", OCT).program
    assert program is not None
    context = RowContext.of(program, OCT)
    assert context.conversion == conversion_of(program, OCT) is not None
    paths = partner_workbook_paths(tmp_path / "partners")
    alone = list(read_partner_files(paths, context, workers=1))
    together = list(read_partner_files(paths, context, workers=2))
    assert comparable(together) == comparable(alone)
    checked = [r.rows.data for r in together if r.rows is not None]
    assert all(data.converted == context.conversion for data in checked)
    deals = [d for data in checked for d in data.deals]
    assert sum(d.source_amount is not None for d in deals) > 0
    # the same deals as converting them afterwards, from what the workbooks gave
    given = [d for data in checked for d in as_given(data).deals]
    assert deals == list(convert_deals(context.conversion, given))
