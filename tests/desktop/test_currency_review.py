"""The Review of a program in several currencies: each partner in its own currency (X2),
the program currency on request, and the closing rates the close used."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from desktop.presenters.formatting import money
from desktop.presenters.main import MainPresenter
from desktop.presenters.review import ReviewPresenter
from desktop.presenters.session import Session
from desktop.presenters.settings import AppSettings, MemorySettings
from partnerclose.api import Period
from tests.desktop.fakes import FakeMainView, FakeView


@pytest.fixture(scope="module")
def currency_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from partnerclose.demo import write_demo

    folder = tmp_path_factory.mktemp("fx-demo") / "program"
    write_demo(folder, partners=12, period=Period(2026, 10), seed=7, currencies=True)
    return folder


def _review(template: Path, tmp_path: Path) -> ReviewPresenter:
    folder = tmp_path / "Northwind"
    shutil.copytree(template, folder)
    session = Session(AppSettings(MemorySettings()), None, today=date(2026, 11, 15))
    main = MainPresenter(session)
    main.bind(FakeMainView())
    main.open_program(folder / "program.xlsx")
    main.close(final=False)
    review = ReviewPresenter(session)
    review.bind(FakeView())
    return review


def test_a_eur_partner_shows_its_net_in_eur_and_in_usd_on_request(
    currency_template: Path, tmp_path: Path
) -> None:
    review = _review(currency_template, tmp_path)
    result = review.result()
    assert result is not None
    lines = result.lines_of("P002")
    assert lines
    # X2 by hand: each line ÷ the closing rate 1.1, rounded to the cent, then summed
    in_eur = sum(
        (
            (line.amount / Decimal("1.1")).quantize(Decimal("0.01"), "ROUND_HALF_UP")
            for line in lines
        ),
        Decimal(0),
    )
    in_usd = sum((line.amount for line in lines), Decimal(0))
    review.select("P002")
    header = review.partner_header()
    assert header is not None
    assert header.net == f"{money(abs(in_eur), 2)} EUR"
    assert header.other == f"= {money(abs(in_usd), 2)} USD at 1.1 USD per EUR"
    review.show_program_currency(True)
    header = review.partner_header()
    assert header is not None
    assert header.net == f"{money(abs(in_usd), 2)} USD"
    assert header.other == f"= {money(abs(in_eur), 2)} EUR at 1.1 USD per EUR"
    assert review.rates_note() == (
        # the closing column of partnerclose/demo/currencies.py: (average, closing, decimals)
        "Closing rates of 2026-10: 1 CHF = 1.14 USD; 1 EUR = 1.1 USD; 1 GBP = 1.26 USD; "
        "1 JPY = 0.0065 USD."
    )


def test_a_partner_in_the_program_currency_has_no_second_amount(
    currency_template: Path, tmp_path: Path
) -> None:
    review = _review(currency_template, tmp_path)
    review.select("P001")
    header = review.partner_header()
    assert header is not None
    assert header.net.endswith(" USD")
    assert header.other == ""


def test_the_review_page_shows_the_eur_amount_and_toggles_to_usd(
    qtbot, currency_template: Path, tmp_path: Path
) -> None:
    from desktop.views.review_page import ReviewPage

    review = _review(currency_template, tmp_path)
    page = ReviewPage(review)
    qtbot.addWidget(page)
    review.select("P002")
    page.refresh()
    header = review.partner_header()
    assert header is not None
    assert page.net.text() == header.net
    assert page.net.text().endswith(" EUR")
    assert page.other.text().endswith(" USD at 1.1 USD per EUR")
    assert "1 EUR = 1.1 USD" in page.summary_note.text()
    page.in_program_currency.setChecked(True)
    assert page.net.text().endswith(" USD")
    assert page.other.text().startswith("= ")
    assert page.other.text().endswith(" EUR at 1.1 USD per EUR")
