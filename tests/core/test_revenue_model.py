"""in_deal_order: R1 order of deal rows, the full key used only for ties."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from partnerclose.core.records import Deal, DealStatus, DealType
from partnerclose.core.revenue_model import deal_order, in_deal_order

D = Decimal  # short for literals


def deal(deal_id: str, day: int, amount: str = "100", partner: str = "P1") -> Deal:
    return Deal(
        partner_id=partner,
        deal_id=deal_id,
        close_date=date(2026, 10, day),
        product="Core",
        deal_type=DealType.SOURCED,
        amount=D(amount),
        status=DealStatus.WON,
    )


def test_close_date_first_then_deal_id() -> None:
    rows = [deal("D1", 9), deal("D3", 2), deal("D2", 2)]
    assert [d.deal_id for d in in_deal_order(rows)] == ["D2", "D3", "D1"]


def test_a_repeated_deal_id_on_one_day_is_ordered_by_the_other_fields() -> None:
    # Same (close_date, deal_id): the partner decides (P1 < P2), then the amount.
    rows = [deal("D1", 5, "300", "P2"), deal("D1", 5, "200", "P1"), deal("D1", 5, "100", "P2")]
    assert [(d.partner_id, d.amount) for d in in_deal_order(rows)] == [
        ("P1", D(200)),
        ("P2", D(100)),
        ("P2", D(300)),
    ]


_deals = st.builds(
    deal,
    st.sampled_from(["D1", "D2", "D3"]),
    st.integers(1, 3),
    st.sampled_from(["100", "200"]),
    st.sampled_from(["P1", "P2"]),
)


@given(st.lists(_deals, max_size=15))
def test_same_order_as_sorting_on_the_full_key(rows: list[Deal]) -> None:
    # Compared by identity: equal rows must keep their input order too (a stable sort).
    assert list(map(id, in_deal_order(rows))) == list(map(id, sorted(rows, key=deal_order)))
