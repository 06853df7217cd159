"""The records of cost sharing: a pool's allocated total and the empty first state."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from partnerclose.core.cost_model import CostState, PoolDetail, PoolParticipantDetail
from partnerclose.core.records import Basis

D = Decimal


def participant(pid: str, after_guardrail: str) -> PoolParticipantDetail:
    return PoolParticipantDetail(
        partner_id=pid,
        committed=True,
        usage_units=D(0),
        committed_capacity=D(0),
        fixed_share=D(0),
        freed_share=D(0),
        utilization=D(0),
        tier_factor=D(1),
        wind_down_factor=D(1),
        standalone_cost=None,
        parts=(),
        allocation=D(after_guardrail),
        previous_allocation=None,
        band=None,
        guardrail=D(0),
        allocation_after_guardrail=D(after_guardrail),
        in_kind_credit=D(0),
    )


def test_a_pool_s_allocated_total_is_its_participants_after_the_guardrail() -> None:
    # 12,000.00 pool, 1,500.00 drawn from the reserve: 10,500.00 allocable, and the three
    # participants' allocations after C6 sum to it (N1): 3,000.00 + 7,000.00 + 500.00.
    pool = PoolDetail(
        pool_id="CRM",
        name="CRM licences",
        owner="HOST",
        unit="seats",
        basis=Basis.USAGE,
        amount=D("12000.00"),
        budget=None,
        draw=D("1500.00"),
        allocable=D("10500.00"),
        base_share=None,
        max_change_pct=None,
        splits=(),
        participants=(
            participant("HOST", "3000.00"),
            participant("P001", "7000.00"),
            participant("P002", "500.00"),
        ),
    )
    assert pool.allocated == pool.allocable == D("10500.00")


def test_the_first_close_starts_from_an_empty_state_that_cannot_be_changed() -> None:
    state = CostState()
    assert state.reserve_balance is None  # the Program's reserve_opening_balance applies
    assert dict(state.contributions_to_date) == {}
    assert dict(state.allocations) == {}
    with pytest.raises(TypeError):
        state.contributions_to_date["P001"] = D(1)  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        state.reserve_balance = D(0)  # type: ignore[misc]
