"""merge_sorted: engines' sorted lines merged into lines.csv order without re-sorting."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from partnerclose.core.lines import Component, Line, merge_sorted, sort_lines
from partnerclose.core.records import HOST

D = Decimal  # short for literals


def line(partner: str, component: Component, item: str, description: str = "") -> Line:
    return Line("2026-10", partner, component, item, D(1), "T", description)


def test_runs_of_different_components_interleave_per_participant() -> None:
    # Costs run: P1 cost share, P2 cost share; revenue run: HOST-less P1 and P2 lines.
    costs = [line("P1", Component.COST_SHARE, "pool"), line("P2", Component.COST_SHARE, "pool")]
    revenue = [line("P1", Component.REVENUE_SHARE, "D1"), line("P2", Component.MDF, "C1")]
    host = [line(HOST, Component.MILESTONE, "M1")]
    merged = merge_sorted([costs, revenue, host])
    # HOST first, then P1 (cost share before revenue share), then P2
    assert merged == [host[0], costs[0], revenue[0], costs[1], revenue[1]]


def test_a_block_in_two_runs_is_sorted_on_item_then_description() -> None:
    # Both runs have P1 clawback lines: their items interleave (A, B, C).
    first = [line("P1", Component.CLAWBACK, "A"), line("P1", Component.CLAWBACK, "C")]
    second = [line("P1", Component.CLAWBACK, "B", "y"), line("P1", Component.CLAWBACK, "B", "x")]
    merged = merge_sorted([first, second])
    assert [(x.item, x.description) for x in merged] == [
        ("A", ""),
        ("B", "x"),
        ("B", "y"),
        ("C", ""),
    ]


def test_equal_lines_keep_the_order_of_the_runs() -> None:
    a = line("P1", Component.MDF, "C1")._replace(amount=D(1))
    b = line("P1", Component.MDF, "C1")._replace(amount=D(2))
    assert [x.amount for x in merge_sorted([[a], [b]])] == [D(1), D(2)]
    assert [x.amount for x in merge_sorted([[b], [a]])] == [D(2), D(1)]


def test_no_runs_no_lines() -> None:
    assert merge_sorted([]) == []
    assert merge_sorted([[], []]) == []


_lines = st.builds(
    line,
    st.sampled_from([HOST, "P1", "P10", "P2"]),
    st.sampled_from(list(Component)),
    st.sampled_from(["a", "b", "c"]),
    st.sampled_from(["", "x", "y"]),
)


@given(st.lists(st.lists(_lines, max_size=12), max_size=4))
def test_merging_sorted_runs_equals_sorting_them_all(runs: list[list[Line]]) -> None:
    sorted_runs = [sort_lines(run) for run in runs]
    everything = [x for run in sorted_runs for x in run]
    # Compared by identity: equal lines must keep the order of the runs too.
    assert list(map(id, merge_sorted(sorted_runs))) == list(map(id, sort_lines(everything)))
