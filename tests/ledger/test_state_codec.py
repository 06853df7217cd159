"""A run's new paid deals as the ledger packs them: the text NewPaidDeals builds column
by column is the one json.dumps gives its rows, and reads back as the same deals; what
revenue_changes finds a run changed."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from decimal import Decimal as D

from partnerclose.core.period import Period
from partnerclose.core.records import DealType
from partnerclose.core.revenue_model import PaidDeal, RevenueState
from partnerclose.ledger.location import open_ledger
from partnerclose.ledger.state_codec import NewPaidDeals, revenue_changes
from tests.ledger.raw import PROGRAM, rows
from tests.ledger.test_store import OCT, record, run

AWKWARD = ['quote " and \\ back', "],[", "naïve ✓ 日本", "new\nline\ttab\x01", ""]


def _deals() -> dict[str, list[PaidDeal]]:
    by_partner: dict[str, list[PaidDeal]] = {"P002": [], "P003": []}
    for n in range(60):
        partner = ("P001", "P003", "P\u00e9", "P004")[n % 4]  # P004: plain ids
        by_partner.setdefault(partner, []).append(
            PaidDeal(
                f"D{n}" if partner == "P004" else f"D{n}{AWKWARD[n % len(AWKWARD)]}",
                partner,
                Period(2026, 9 + n % 2),
                date(2026, 9 + n % 2, 1 + n % 28),
                D(n) / 8,
                (DealType.SOURCED, DealType.INFLUENCED)[n % 2],
                AWKWARD[(n + 1) % len(AWKWARD)],
                (D("0.1"), D("0.10"), D("1E+1"))[n % 3],  # equal rates, other texts
                D(-n) / 3,
                D(-n) / 3,
                (D(0), D("0.00"))[n % 2],
                ("", "EUR", "日本")[n % 3],
                None if n % 4 else D("-0.0"),
            )
        )
    return by_partner


def test_packed_deals_are_the_text_json_dumps_gives_their_rows():
    deals = NewPaidDeals(_deals())
    expected = [
        (partner_id, json.dumps(texts, ensure_ascii=False, separators=(",", ":")))
        for partner_id, texts in deals
        if texts
    ]
    assert list(deals.packed()) == expected
    assert [partner_id for partner_id, _ in expected] == ["P001", "P003", "P004", "P\u00e9"]


def test_packed_deals_are_recorded_and_hashed_as_their_rows(ledger_at, tmp_path):
    deals = NewPaidDeals(_deals())
    as_rows = [(partner_id, texts) for partner_id, texts in deals]
    stored = []
    for where, paid in ((ledger_at, deals), (tmp_path / "rows.sqlite", as_rows)):
        with open_ledger(where, PROGRAM) as ledger:
            record(ledger, dataclasses.replace(run(OCT, final=True), new_paid_deals=paid))
            state = ledger.load_state(Period(2026, 11))
            assert ledger.verify() == []
        stored.append((sorted(rows(where, "SELECT * FROM paid_deal_sets")), state))
    assert stored[0] == stored[1]
    assert [row.deal_id for row in stored[0][1].paid_deals] == [d.deal_id for d in deals.deals()]


def test_revenue_changes_are_the_new_deals_true_ups_and_reversals_of_the_run():
    d1, d2, d3, d4, d5 = (
        PaidDeal(
            f"D{n}",
            "P002" if n == 4 else "P001",
            OCT,
            date(2026, 10, n),
            D(100),
            DealType.SOURCED,
            "Core",
            D("0.1"),
            D(10),
            D(10),
        )
        for n in range(1, 6)
    )
    before = RevenueState({"D1": d1, "D2": d2, "D5": d5}, {"D1": D(5)})
    after = RevenueState(
        {
            "D1": d1,  # carried over as it was
            "D2": d2._replace(paid=D(13)),  # trued up by 3
            "D3": d3,  # new, paid its share
            "D4": d4._replace(paid=D("12.0")),  # new, and trued up by 2 at once
            "D5": d5._replace(paid=D("10.00")),  # another decimal, the same amount
        },
        {"D1": D(7), "D2": D(1)},
    )
    new, payments, reversals = revenue_changes(before, after)
    assert list(new.deals()) == [after.paid_deals["D3"], after.paid_deals["D4"]]
    assert [partner_id for partner_id, _ in new] == ["P001", "P002"]
    assert payments == {"D2": D(3), "D4": D(2)}
    assert reversals == {"D1": D(2), "D2": D(1)}
