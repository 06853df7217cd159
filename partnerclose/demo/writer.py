"""Writing the demo to disk: a program workbook and one partner workbook per partner.

Workbooks are written in openpyxl's write-only mode (streamed, linear in the rows) with
the headers, order, drop-downs and formats of `partnerclose.core.schema`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.packaging.custom import StringProperty

from partnerclose.core import schema
from partnerclose.core.period import Period
from partnerclose.core.schema import SheetSpec
from partnerclose.demo.months import PartnerMonth, partner_months
from partnerclose.demo.scenario import DemoSize, DemoSpec, Scenario, build_scenario
from partnerclose.demo.sheets import (
    new_workbook,
    record_row,
    save_workbook,
    write_key_values,
    write_table,
)
from partnerclose.reading.inputs import WORKBOOK_SUFFIXES

PROGRAM_FILE = "program.xlsx"
# Custom document property of the program workbook holding the DemoSpec (JSON).
SPEC_PROPERTY = "partnerclose_demo"


def write_demo(
    folder: Path,
    *,
    partners: int = 12,
    period: Period,
    seed: int = 7,
    pools: int | None = None,
    deals: int | None = None,
    usage_rows: int | None = None,
    milestones: int | None = None,
    currencies: bool = False,
) -> Path:
    """Write a sample program into `folder`: `program.xlsx` and
    `partners/<partner_id>_<period>.xlsx` for every partner taking part in `period`.

    Same arguments, same files. With the defaults, every rule of rules.md is exercised
    in `period`; `pools`, `deals` (rows per period), `usage_rows` (per period) and
    `milestones` scale the program up for benchmarks; `currencies` settles three
    partners in ten in other currencies and books deals in a third (rules.md X).
    Returns the program workbook path.
    """
    size = DemoSize(partners, pools, deals, usage_rows, milestones)
    scenario = build_scenario(DemoSpec(period, seed, size, currencies=currencies))
    folder.mkdir(parents=True, exist_ok=True)
    program_path = folder / PROGRAM_FILE
    write_program_workbook(program_path, scenario)
    _write_month(folder, scenario, period, seed)
    return program_path


LEDGER_SUFFIX = ".ledger.sqlite"


def files_a_demo_would_touch(folder: Path) -> list[Path]:
    """What in `folder` looks like a real program: workbooks, a ledger, or partner
    workbooks in `partners/`. Writing a demo there would overwrite or mix with them."""
    if not folder.is_dir():
        return []
    found = [
        path
        for path in sorted(folder.iterdir())
        if path.is_file()
        and (path.suffix.lower() in WORKBOOK_SUFFIXES or path.name.endswith(LEDGER_SUFFIX))
        and not path.name.startswith("~$")
    ]
    partners = folder / "partners"
    if partners.is_dir():
        found += [
            path
            for path in sorted(partners.iterdir())
            if path.is_file() and path.suffix.lower() in WORKBOOK_SUFFIXES
        ][:1]  # one is enough to say so
    return found


def write_partner_workbooks(folder: Path, period: Period, *, seed: int | None = None) -> list[Path]:
    """Write the partner workbooks of `period` for the demo program already in `folder`
    (the program is not touched): fresh monthly data, deal ids that carry the period.

    `seed` defaults to the demo's own seed, so the demo period gives back its own files.
    """
    spec = read_spec(folder / PROGRAM_FILE)
    scenario = build_scenario(spec)
    return _write_month(folder, scenario, period, spec.seed if seed is None else seed)


def read_spec(program_path: Path) -> DemoSpec:
    """The DemoSpec stored in a demo program workbook."""
    workbook = load_workbook(program_path, read_only=True)
    try:
        for prop in workbook.custom_doc_props:  # type: ignore[attr-defined]
            if prop.name == SPEC_PROPERTY and isinstance(prop.value, str):
                return DemoSpec.from_json(prop.value)
    finally:
        workbook.close()
    raise ValueError(f"{program_path} was not written by `partnerclose demo`")


def _write_month(folder: Path, scenario: Scenario, period: Period, seed: int) -> list[Path]:
    target = folder / scenario.program.settings.partner_folder
    target.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for month in partner_months(scenario, period, seed):
        path = target / f"{month.submission.partner_id}_{period}.xlsx"
        write_partner_workbook(path, month)
        written.append(path)
    _remove_stale(target, period, written)
    return written


def _remove_stale(target: Path, period: Period, written: list[Path]) -> None:
    """Drop demo workbooks of this period left by an earlier, larger demo in the folder
    (they would name partners the program no longer has)."""
    ours = re.compile(rf"^P\d+_{re.escape(str(period))}\.xlsx$")
    keep = {path.name for path in written}
    for path in target.iterdir():
        if ours.match(path.name) and path.name not in keep:
            path.unlink()


def _rows(spec: SheetSpec, records: Iterable[object]) -> list[list[object]]:
    return [record_row(spec.columns, record) for record in records]


def write_program_workbook(path: Path, scenario: Scenario) -> None:
    program = scenario.program
    tables: Mapping[str, Iterable[object]] = {
        schema.PARTNERS.name: program.partners,
        schema.COST_POOLS.name: program.pools,
        schema.COMMITMENTS.name: program.commitments,
        schema.COST_TIERS.name: program.cost_tiers,
        schema.PLANS.name: program.plans,
        schema.REVENUE_TIERS.name: program.revenue_tiers,
        schema.PRODUCTS.name: program.products or (),
        schema.MILESTONES.name: program.milestones,
        schema.PHASES.name: program.phases,
        schema.CONTRIBUTIONS.name: program.contributions,
        schema.SCORECARD.name: program.scorecard,
        schema.ACCOUNTS.name: program.accounts,
        schema.FX_RATES.name: program.fx_rates,
    }
    workbook = new_workbook(write_only=True)
    workbook.custom_doc_props.append(  # type: ignore[attr-defined]
        StringProperty(name=SPEC_PROPERTY, value=scenario.spec.to_json())
    )
    for spec in schema.PROGRAM_SHEETS:
        if spec.key_value:
            settings = program.settings
            values = {column.name: getattr(settings, column.name, None) for column in spec.columns}
            write_key_values(workbook, spec, values)
        else:
            rows = _rows(spec, tables.get(spec.name, ()))
            write_table(workbook, spec, rows, expected_rows=len(rows))
    # Centrally collected data: HOST's usage, third-party-verified metrics.
    central = ((schema.USAGE, scenario.host_usage), (schema.METRICS, scenario.central_metrics))
    for data_spec, records in central:
        if records:
            spec = schema.with_partner_id(data_spec)
            rows = _rows(spec, records)
            write_table(workbook, spec, rows, expected_rows=len(rows))
    save_workbook(workbook, path)


def write_partner_workbook(path: Path, month: PartnerMonth) -> None:
    workbook = new_workbook(write_only=True)
    submission = month.submission
    key_spec = schema.PARTNER_KEYS
    write_key_values(
        workbook,
        key_spec,
        {column.name: getattr(submission, column.name, None) for column in key_spec.columns},
    )
    data: Mapping[str, Iterable[object]] = {
        schema.USAGE.name: month.usage,
        schema.DEALS.name: month.deals,
        schema.METRICS.name: month.metrics,
        schema.CAMPAIGNS.name: month.campaigns,
    }
    for spec in schema.DATA_SHEETS:
        rows = _rows(spec, data.get(spec.name, ()))
        write_table(workbook, spec, rows, expected_rows=len(rows))
    save_workbook(workbook, path)
