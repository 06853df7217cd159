"""The records: where a row came from (its cells), equality without the location,
records that cross to worker processes intact, and participant order."""

from __future__ import annotations

import dataclasses
import inspect
import pickle
from datetime import date
from types import MappingProxyType

import pytest

from partnerclose.core import records as r
from partnerclose.core.problems import Problem, Severity
from partnerclose.core.records import (
    HOST,
    NOWHERE,
    Contribution,
    Deal,
    DealStatus,
    DealType,
    Loc,
    participant_key,
)
from tests.core.factories_milestones import milestone
from tests.core.factories_revenue import D, won

COLUMNS = MappingProxyType({"deal_id": "B", "amount": "H", "partner_id": "AA"})
AT_ROW_7 = Loc("P001_2026-10.xlsx", "Deals", 7, COLUMNS)


def test_the_cell_of_a_column() -> None:
    assert AT_ROW_7.cell("amount") == "H7"


def test_a_column_the_sheet_lacks_points_at_the_rows_first_cell() -> None:
    # B is the leftmost column read (AA comes after H, not before B)
    assert (AT_ROW_7.cell("currency"), AT_ROW_7.cell()) == ("B7", "B7")


def test_a_row_with_no_column_known_points_at_column_a() -> None:
    assert Loc("x.xlsx", "Usage", 3).cell("units") == "A3"


def test_a_key_value_sheet_maps_a_key_to_its_value_cell() -> None:
    settings = Loc("program.xlsx", "Program", 0, {"currency": "B3"})
    assert (settings.cell("currency"), settings.cell("decimals")) == ("B3", "")


def test_a_problem_at_a_cell() -> None:
    assert AT_ROW_7.error("amount must be ≥ 0", "amount") == Problem(
        Severity.ERROR, "amount must be ≥ 0", "P001_2026-10.xlsx", "Deals", "H7", "amount"
    )
    assert str(AT_ROW_7.warning("late", "deal_id")) == "P001_2026-10.xlsx:Deals!B7: warning: late"
    assert AT_ROW_7.info("noted").severity is Severity.INFO


def test_nowhere_is_an_empty_location() -> None:
    assert (NOWHERE.file, NOWHERE.sheet, NOWHERE.cell("amount")) == ("", "", "")


def test_the_location_takes_no_part_in_equality() -> None:
    # the same deal read from a file or built in memory
    from_file = won("D1", date(2026, 10, 3), "100.00", row=9)
    in_memory = won("D1", date(2026, 10, 3), "100.00", row=2)
    assert from_file == in_memory
    assert hash(from_file) == hash(in_memory)


def test_a_record_pickles_with_its_location_and_exact_amounts() -> None:
    deal = Deal(
        "P001",
        "D1",
        date(2026, 10, 3),
        "Core",
        DealType.CO_SELL,
        D("1234.505"),
        DealStatus.WON,
        registered=True,
        currency="EUR",
        loc=AT_ROW_7,
    )
    back = pickle.loads(pickle.dumps(deal))
    assert back == deal
    assert (back.amount, back.amount.as_tuple()) == (D("1234.505"), D("1234.505").as_tuple())
    assert (back.loc, back.loc.cell("amount")) == (AT_ROW_7, "H7")


def test_a_sheets_rows_share_one_column_mapping_across_a_pickle() -> None:
    rows = [Loc("P001.xlsx", "Deals", n, COLUMNS) for n in (2, 3)]
    back = pickle.loads(pickle.dumps(rows))
    assert back[0].columns is back[1].columns
    assert isinstance(back[0].columns, MappingProxyType)
    assert dict(back[0].columns) == dict(COLUMNS)


def test_a_contributions_value_is_quantity_times_unit_value() -> None:
    # 3 × 1,250.50 = 3,751.50
    assert Contribution("P001", D("3"), D("1250.50")).value == D("3751.50")


def test_a_milestone_with_its_floor_above_its_cap_is_lower_is_better() -> None:
    churn = milestone(levels=("0.10", "0.05", "0.02"))  # churn: 10 % floor, 2 % best
    assert (churn.lower_is_better, milestone().lower_is_better) == (True, False)


def test_participant_order_is_host_then_ids_as_text() -> None:
    ids = ["P010", "P002", HOST, "A-1", "P1"]
    assert sorted(ids, key=participant_key) == [HOST, "A-1", "P002", "P010", "P1"]


@pytest.mark.parametrize("record", [r.Deal, r.Usage, r.MetricValue, r.Campaign, r.Loc])
def test_a_quick_init_takes_the_dataclass_parameters_and_defaults(
    record: type[r.Record],
) -> None:
    fields = dataclasses.fields(record)  # type: ignore[arg-type]
    quick = inspect.signature(record.__init__)
    expected = [
        (f.name, f.default if f.default is not dataclasses.MISSING else None) for f in fields
    ]
    got = [
        (p.name, None if p.default is inspect.Parameter.empty else p.default)
        for p in list(quick.parameters.values())[1:]
    ]
    assert [name for name, _ in got] == [name for name, _ in expected]
    for (name, default), (_, want) in zip(got, expected, strict=True):
        if want is not None:
            assert default == want, name


def test_a_record_with_a_quick_init_stays_immutable_with_its_defaults() -> None:
    deal = r.Deal(
        "P1", "D1", date(2026, 10, 3), "X", r.DealType.SOURCED, D("12.50"), r.DealStatus.WON
    )
    assert (deal.registered, deal.customer, deal.source_amount, deal.loc) == (
        False,
        "",
        None,
        r.NOWHERE,
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        deal.amount = D(1)  # type: ignore[misc]
    assert r.Loc().columns == {}  # the default factory's value
    assert r.Loc(columns={"amount": "F"}).cell("amount") == "F"
    with pytest.raises(TypeError, match="missing 6 required positional arguments"):
        r.Deal("P1")  # type: ignore[call-arg]
    assert dataclasses.replace(deal, amount=D("3.00")).amount == D("3.00")


def test_every_record_has_two_fields_or_more_so_it_pickles_as_a_tuple_of_them() -> None:
    # Record.__reduce__ gets the fields with one attrgetter, which returns a bare value
    # (not a tuple) for a single name.
    records = [c for c in vars(r).values() if inspect.isclass(c) and issubclass(c, r.Record)]
    assert len(records) > 20
    assert all(len(c.__match_args__) >= 2 for c in records if c is not r.Record)
