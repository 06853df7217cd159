"""Problems point at a cell, and suggestions are made only where a typo is likely."""

from __future__ import annotations

from types import MappingProxyType

from partnerclose.core.problems import did_you_mean, did_you_mean_id, id_pattern
from partnerclose.core.records import Loc


def test_two_valid_looking_ids_of_one_pattern_are_never_suggested_for_each_other():
    partners = ["P001", "P002", "P010"]
    assert id_pattern("P007") == id_pattern("P010") == "P###"
    assert did_you_mean("P007", partners) == '; did you mean "P010"?'  # what difflib says
    assert did_you_mean_id("P007", partners) == ""  # P007 may be a partner not yet listed
    assert did_you_mean_id("P0O2", partners) == '; did you mean "P002"?'  # O for 0: a typo
    assert did_you_mean_id("p010", partners) == '; did you mean "P010"?'  # case: a typo
    assert did_you_mean_id("CRN", ["CRM", "OFFICE"]) == '; did you mean "CRM"?'
    assert did_you_mean_id("Cor", ["Core", "Analytics"]) == '; did you mean "Core"?'


def test_a_row_location_always_names_a_cell():
    columns = MappingProxyType({"partner_id": "A", "plan": "C", "exit_date": "F"})
    row = Loc("program.xlsx", "Partners", 7, columns)
    assert row.cell("plan") == "C7"
    assert row.cell("wind_down_fee") == "A7"  # a column the sheet lacks: the row's first cell
    assert row.cell() == "A7"
    wide = Loc("p.xlsx", "Deals", 3, MappingProxyType({"amount": "AB", "status": "Z"}))
    assert wide.cell() == "Z3"  # leftmost by column order, not by text
    assert Loc("p.xlsx", "Metrics", 4).cell("metric") == "A4"
    keys = Loc("p.xlsx", "Partner", 0, MappingProxyType({"partner_id": "B2"}))
    assert keys.cell("partner_id") == "B2"
    assert keys.cell("prepared_by") == ""  # a key/value sheet without the key: the sheet
