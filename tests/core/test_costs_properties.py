"""Properties of compute_costs over generated small programs (hypothesis)."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Mapping
from dataclasses import replace
from decimal import Decimal as D
from typing import TypeVar

from hypothesis import given, settings
from hypothesis import strategies as st

from partnerclose.core.cost_model import CostResult, CostState
from partnerclose.core.costs import compute_costs
from partnerclose.core.lines import Component
from partnerclose.core.period import Period
from partnerclose.core.records import (
    HOST,
    Basis,
    Commitment,
    Contribution,
    CostTier,
    Partner,
    Pool,
    Program,
    Usage,
)
from tests.core.factories_costs import OCT, partner, program

Case = tuple[Program, list[Usage], CostState]
T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")

cents = st.integers(min_value=0, max_value=2_000_000).map(lambda c: D(c) / 100)
units = st.integers(min_value=0, max_value=500).map(D) | st.sampled_from(
    [D("0.5"), D("12.25"), D("1000.125")]
)
fractions = st.sampled_from([D("0"), D("0.1"), D("0.25"), D("0.5"), D("0.6"), D("0.75"), D("1")])


@st.composite
def partners(draw: st.DrawFn, partner_id: str) -> Partner:
    kind = draw(st.sampled_from(["active", "leaving", "later"]))
    if kind == "active":
        return partner(partner_id)
    if kind == "later":
        return partner(partner_id, start_date=OCT.shift(1).first_day)
    k = draw(st.integers(min_value=-1, max_value=4))  # months after the exit month
    return partner(
        partner_id,
        exit_date=OCT.shift(-k).first_day,
        wind_down_months=draw(st.integers(min_value=0, max_value=3)),
        fee=str(draw(cents)),
    )


@st.composite
def fixed_shares(draw: st.DrawFn, n: int) -> list[D]:
    """n shares of 0.00 … 1.00 that sum to exactly 1."""
    cuts = sorted(draw(st.lists(st.integers(0, 100), min_size=n - 1, max_size=n - 1)))
    bounds = [0, *cuts, 100]
    return [D(b - a) / 100 for a, b in itertools.pairwise(bounds)]


@st.composite
def cases(draw: st.DrawFn) -> Case:
    ids = [f"P{i:03d}" for i in range(1, draw(st.integers(1, 4)) + 1)]
    everyone = [HOST, *ids]
    pools: list[Pool] = []
    rows: list[Commitment] = []
    usage: list[Usage] = []
    tiers: list[CostTier] = []
    for n in range(draw(st.integers(1, 4))):
        pool_id = f"POOL{n}"
        basis = draw(st.sampled_from(list(Basis)))
        pools.append(
            Pool(
                pool_id=pool_id,
                name=f"Pool {n}",
                amount=draw(cents),
                basis=basis,
                budget=draw(st.none() | cents),
                base_share=draw(fractions) if basis is Basis.HYBRID else None,
                max_change_pct=draw(st.none() | fractions),
            )
        )
        members = draw(st.lists(st.sampled_from(everyone), unique=True, max_size=len(everyone)))
        shares = draw(fixed_shares(len(members))) if members else []
        for member, share in zip(members, shares, strict=True):
            rows.append(
                Commitment(
                    partner_id=member,
                    pool_id=pool_id,
                    committed_capacity=draw(units),
                    fixed_share=share if basis is Basis.FIXED else None,
                    standalone_cost=draw(st.none() | cents),
                )
            )
            for amount in draw(st.lists(units, max_size=2)):
                usage.append(Usage(member, pool_id, amount))
        for _ in range(draw(st.integers(0, 2))):
            tiers.append(
                CostTier(
                    pool_id,
                    draw(st.sampled_from([D(0), D("0.5"), D("0.8"), D("1.2")])),
                    draw(st.sampled_from([D("0.5"), D("0.9"), D("1.1")])),
                )
            )
    pool_ids = [p.pool_id for p in pools]
    contributions = [
        Contribution(
            partner_id=draw(st.sampled_from(ids)),
            quantity=draw(st.integers(0, 3).map(D)),
            unit_value=draw(cents),
            pool_id=draw(st.sampled_from(["", *pool_ids])),
            description=draw(st.sampled_from(["", "data access", "leads"])),
            max_credit_pct=draw(fractions),
        )
        for _ in range(draw(st.integers(0, 3)))
    ]
    cap = draw(st.none() | cents)
    prog = program(
        pools,
        rows,
        partners=[draw(partners(p)) for p in ids],
        tiers=tiers,
        contributions=contributions,
        opening=str(draw(cents)),
        fixed_contribution=str(draw(st.sampled_from([D(0), D("250.00"), D("0.01")]))),
        savings_pct=str(draw(fractions)),
        cap=None if cap is None else str(cap),
    )
    state = CostState(
        reserve_balance=draw(st.none() | cents),
        contributions_to_date=draw(st.dictionaries(st.sampled_from(ids), cents)),
        allocations=draw(
            st.dictionaries(st.tuples(st.sampled_from(everyone), st.sampled_from(pool_ids)), cents)
        ),
    )
    return prog, usage, state


def pool_lines_total(result: CostResult, pool_id: str) -> D:
    return sum(
        (
            x.amount
            for x in result.lines
            if (x.component is Component.COST_SHARE and x.item.split(":")[0] == pool_id)
            or (x.component is Component.GUARDRAIL and x.item == pool_id)
        ),
        D(0),
    )


PROPERTY = settings(max_examples=200, deadline=None)


@PROPERTY
@given(cases())
def test_parts_sum_exactly_to_the_allocable_amount(case: Case) -> None:
    prog, usage, state = case
    result = compute_costs(prog, OCT, usage, state)
    for detail in result.pools:
        assert detail.allocable == detail.amount - detail.draw
        assert sum(s.amount for s in detail.splits) == detail.allocable
        for s in detail.splits:
            parts = [p for x in detail.participants for p in x.parts if p.part == s.part]
            assert sum(p.allocation for p in parts) == s.amount
            assert all(p.allocation >= 0 for p in parts)


@PROPERTY
@given(cases())
def test_every_pool_reconciles_after_guardrails(case: Case) -> None:
    prog, usage, state = case
    result = compute_costs(prog, OCT, usage, state)
    for detail in result.pools:
        assert pool_lines_total(result, detail.pool_id) == -(detail.amount - detail.draw)
        assert detail.allocated == detail.allocable
        in_state = sum(
            a for (_, p), a in result.next_state.allocations.items() if p == detail.pool_id
        )
        assert in_state == detail.allocable
    for line in result.lines:
        assert line.amount == line.amount.quantize(D("0.01"))


def shuffled(case: Case, rnd: random.Random) -> Case:
    prog, usage, state = case

    def mix(items: Iterable[T]) -> tuple[T, ...]:
        items = list(items)
        rnd.shuffle(items)
        return tuple(items)

    def mix_map(mapping: Mapping[K, V]) -> dict[K, V]:
        return dict(mix(mapping.items()))

    prog = replace(
        prog,
        partners=mix(prog.partners),
        pools=mix(prog.pools),
        commitments=mix(prog.commitments),
        cost_tiers=mix(prog.cost_tiers),
        contributions=mix(prog.contributions),
    )
    state = CostState(
        reserve_balance=state.reserve_balance,
        contributions_to_date=mix_map(state.contributions_to_date),
        allocations=mix_map(state.allocations),
    )
    return prog, list(mix(usage)), state


@PROPERTY
@given(cases(), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_the_order_of_rows(case: Case, rnd: random.Random) -> None:
    prog, usage, state = case
    expected = compute_costs(prog, OCT, usage, state)
    prog2, usage2, state2 = shuffled(case, rnd)
    assert compute_costs(prog2, OCT, usage2, state2) == expected


@PROPERTY
@given(cases())
def test_reserve_never_goes_negative_or_above_its_cap(case: Case) -> None:
    prog, usage, state = case
    result = compute_costs(prog, OCT, usage, state)
    reserve = result.reserve
    assert reserve.after_draws >= 0
    assert reserve.closing >= 0
    assert reserve.closing == (
        reserve.opening - reserve.draws + reserve.contributions - reserve.refunds
    )
    assert reserve.draws == sum(d.draw for d in result.pools)
    cap = prog.settings.reserve_cap
    if cap is not None and reserve.opening <= cap:
        assert reserve.closing <= cap
    assert all(a.contribution >= 0 and a.refund >= 0 for a in result.accounts)
    assert sum(a.contribution for a in result.accounts) == reserve.contributions


@PROPERTY
@given(cases())
def test_second_period_runs_on_the_first_ones_state(case: Case) -> None:
    prog, usage, state = case
    first = compute_costs(prog, OCT, usage, state)
    second = compute_costs(prog, Period(2026, 11), usage, first.next_state)
    assert second.reserve.opening == first.reserve.closing
    for detail in second.pools:
        assert pool_lines_total(second, detail.pool_id) == -(detail.amount - detail.draw)
