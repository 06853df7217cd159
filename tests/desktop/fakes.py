"""Fake views: record what a presenter asks of its view, answer its questions."""

from __future__ import annotations

from pathlib import Path

from desktop.presenters.main import Page, ProgressState


class FakeMainView:
    def __init__(self, confirm: bool = True) -> None:
        self.answer_confirm = confirm
        self.refreshes = 0
        self.confirms: list[str] = []
        self.errors: list[tuple[str, str]] = []
        self.statuses: list[str] = []
        self.pages: list[Page] = []
        self.progress: list[ProgressState | None] = []
        self.open_answer: Path | None = None
        self.folder_answer: Path | None = None
        self.ledger_answer: Path | None = None
        self.text_answer: str | None = None  # what ask_text answers (None: cancelled)
        self.asked: list[str] = []
        self.on_progress = None  # called with each progress state (e.g. to cancel)

    def refresh(self) -> None:
        self.refreshes += 1

    def ask_open_file(self, start: Path | None) -> Path | None:
        return self.open_answer

    def ask_folder(self, title: str, start: Path | None) -> Path | None:
        return self.folder_answer

    def ask_ledger_file(self, start: Path | None) -> Path | None:
        return self.ledger_answer

    def ask_text(self, title: str, text: str, current: str) -> str | None:
        self.asked.append(title)
        return self.text_answer

    def confirm(self, title: str, text: str, accept_label: str) -> bool:
        self.confirms.append(text)
        return self.answer_confirm

    def show_error(self, title: str, text: str) -> None:
        self.errors.append((title, text))

    def show_progress(self, state: ProgressState | None) -> None:
        self.progress.append(state)
        if state is not None and self.on_progress is not None:
            self.on_progress(state)

    def show_status(self, text: str) -> None:
        self.statuses.append(text)

    def show_page(self, page: Page) -> None:
        self.pages.append(page)


class FakeView:
    """For the page presenters: refresh, open_path, show_error, ask_reason, show_status."""

    def __init__(self, reason: str | None = None) -> None:
        self.refreshes = 0
        self.opened: list[Path] = []
        self.errors: list[tuple[str, str]] = []
        self.statuses: list[str] = []
        self.reason = reason
        self.asked: list[str] = []

    def refresh(self) -> None:
        self.refreshes += 1

    def open_path(self, path: Path) -> None:
        self.opened.append(path)

    def show_error(self, title: str, text: str) -> None:
        self.errors.append((title, text))

    def ask_reason(self, period: str) -> str | None:
        self.asked.append(period)
        return self.reason

    def show_status(self, text: str) -> None:
        self.statuses.append(text)
