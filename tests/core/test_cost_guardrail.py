"""C6: the guardrail band, who it applies to, and the host offset."""

from __future__ import annotations

from decimal import Decimal as D

from partnerclose.core.cost_guardrail import band, guard_pool, hold, host_offset
from partnerclose.core.records import HOST


def test_band_ends_are_rounded_half_up() -> None:
    # 333.33 × 0.9 = 299.997 -> 300.00; 333.33 × 1.1 = 366.663 -> 366.66.
    assert band(D("333.33"), D("0.1"), 2) == (D("300.00"), D("366.66"))


def test_example_c_d_held_down() -> None:
    # prev 4,000.00, g 0.25 -> [3,000.00, 5,000.00]; 5,200.00 held at 5,000.00: line +200.00.
    guard = hold("P002", D("5200.00"), D("4000.00"), D("0.25"), 2)
    assert (guard.low, guard.high, guard.held, guard.amount) == (
        D("3000.00"),
        D("5000.00"),
        D("5000.00"),
        D("200.00"),
    )


def test_held_up() -> None:
    # prev 8,000.00, g 0.1 -> [7,200.00, 8,800.00]; 5,200.00 held at 7,200.00: line −2,000.00.
    guard = hold("P002", D("5200.00"), D("8000.00"), D("0.1"), 2)
    assert (guard.held, guard.amount) == (D("7200.00"), D("-2000.00"))


def test_inside_the_band_nothing_moves() -> None:
    assert hold("P001", D("4100.00"), D("4000.00"), D("0.25"), 2).amount == 0


def test_guardrail_skips_host_exiting_partners_and_those_without_a_previous_allocation() -> None:
    previous = {
        (HOST, "DATA"): D("1000.00"),
        ("P001", "DATA"): D("1000.00"),
        ("P002", "DATA"): D("1000.00"),
        ("P004", "DATA"): D("0.00"),  # an allocation of 0 is no allocation
    }
    allocations = [
        (HOST, D("5000.00")),
        ("P001", D("5000.00")),
        ("P002", D("5000.00")),
        ("P003", D("5000.00")),
        ("P004", D("5000.00")),
    ]
    guards = guard_pool("DATA", D("0.25"), allocations, previous, {"P002"}, 2)
    # Only P001: band [750.00, 1,250.00], held down by 3,750.00.
    assert [(g.partner_id, g.amount) for g in guards] == [("P001", D("3750.00"))]
    assert host_offset(guards) == D("-3750.00")


def test_no_guardrail_without_max_change_pct() -> None:
    assert guard_pool("DATA", None, [("P001", D(1))], {("P001", "DATA"): D(100)}, (), 2) == ()


def test_host_offset_sums_held_down_and_held_up() -> None:
    down = hold("P001", D("5200.00"), D("4000.00"), D("0.25"), 2)  # +200.00
    up = hold("P002", D("100.00"), D("200.00"), D("0.25"), 2)  # held at 150.00: −50.00
    assert host_offset([down, up]) == D("-150.00")
