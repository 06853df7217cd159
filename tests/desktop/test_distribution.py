"""The desktop's Send statements, Payment file and Prepare next month, through the
presenters with fake views (the demo program, closed final, stand-in PDFs)."""

from __future__ import annotations

from email import message_from_bytes, policy

from desktop.presenters.distribution import (
    PreparePresenter,
    SendPresenter,
    payment_files,
    payment_message,
)
from desktop.presenters.jobs import InlineRunner
from tests.desktop.test_presenters import open_session
from tests.distribution.conftest import write_pdfs


class FakeSendView:
    def __init__(self) -> None:
        self.previews: list = []
        self.progress: list = []
        self.results: list = []
        self.errors: list = []
        self.prepared: list = []

    def show_preview(self, preview) -> None:
        self.previews.append(preview)

    def show_progress(self, done: int, total: int, partner: str) -> None:
        self.progress.append((done, total, partner))

    def show_results(self, headline, table) -> None:
        self.results.append((headline, table))

    def show_prepared(self, headline, table) -> None:
        self.prepared.append((headline, table))

    def show_error(self, title: str, text: str) -> None:
        self.errors.append((title, text))


def closed_final(program):
    session, main, _ = open_session(program)
    main.close(final=True)
    outcome = session.closed
    assert outcome is not None
    assert outcome.output is not None
    partners = sorted(p.stem for p in (outcome.output / "statements").glob("*.xlsx"))
    write_pdfs(outcome.output, partners)
    return session, outcome.output, partners


def test_send_previews_the_first_message_then_writes_one_eml_per_partner(demo_program):
    session, folder, partners = closed_final(demo_program)
    presenter = SendPresenter(session, InlineRunner())
    view = FakeSendView()
    presenter.bind(view)
    assert presenter.preview()
    [preview] = view.previews
    assert preview.count == len(partners)
    assert preview.kind == "final"
    assert preview.headline.startswith(f"{len(partners)} statement e-mails of the final close")
    first = partners[0]
    assert f"Subject: Northwind Partner Program: statement {first}-2026-10-1 for 2026-10" in (
        preview.first
    )
    assert f"Attached: {first}.pdf" in preview.first
    presenter.send()
    [(headline, table)] = view.results
    assert headline.startswith(f"{len(partners)} written")
    assert [row.key for row in table.rows] == partners
    assert [p[0] for p in view.progress] == list(range(1, len(partners) + 1))
    eml = folder / "emails" / f"{first}.eml"
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    [part] = list(message.iter_attachments())
    assert part.get_content() == (folder / "statements" / f"{first}.pdf").read_bytes()


def test_send_over_smtp_shows_each_partner_and_a_second_send_skips(demo_program, smtp):
    session, _, partners = closed_final(demo_program)
    presenter = SendPresenter(session, InlineRunner())
    view = FakeSendView()
    presenter.bind(view)
    assert presenter.preview(sender="finance@northwind.example")
    presenter.send(smtp.address)
    assert len(smtp.received) == len(partners)
    assert {row.cells[1].text for row in view.results[-1][1].rows} == {"sent"}
    presenter.preview(sender="finance@northwind.example")
    presenter.send(smtp.address)
    assert len(smtp.received) == len(partners)
    assert {row.cells[1].text for row in view.results[-1][1].rows} == {"skipped"}


def test_send_before_a_final_close_explains_why_not(demo_program):
    session, main, _ = open_session(demo_program)
    main.close(final=False)
    presenter = SendPresenter(session, InlineRunner())
    view = FakeSendView()
    presenter.bind(view)
    assert not presenter.preview()
    [(title, text)] = view.errors
    assert title == "Cannot send the statements"
    assert "has no final close" in text


def test_payment_file_is_found_after_a_final_close(demo_program):
    session, main, _ = open_session(demo_program)
    main.close(final=False)
    assert payment_files(session) == []
    assert "the final close writes payments.csv" in payment_message(session)
    main.close(final=True)
    assert [p.name for p in payment_files(session)] == ["payments.csv"]
    assert payment_message(session) == ""


def test_prepare_next_month_writes_the_workbooks_and_keeps_existing_ones(demo_program):
    session, _, _ = open_session(demo_program)
    presenter = PreparePresenter(session)
    view = FakeSendView()
    presenter.bind(view)
    assert str(presenter.next_period()) == "2026-11"
    presenter.prepare()
    [(headline, table)] = view.prepared
    written = len(table.rows)
    assert written > 0
    assert headline == f"2026-11: {written} workbooks written, 0 kept."
    presenter.prepare()
    assert view.prepared[-1][0] == f"2026-11: 0 workbooks written, {written} kept."
