"""Fixtures of the distribution tests: a local SMTP server, and a closed program."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.mail_server import LocalSmtp, stand_in_pdf


@pytest.fixture
def smtp() -> Iterator[LocalSmtp]:
    server = LocalSmtp()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_with_login() -> Iterator[LocalSmtp]:
    server = LocalSmtp(user="finance", password="s3cret-Pa55")
    server.start()
    yield server
    server.stop()


def write_pdfs(close_folder: Path, partners: list[str]) -> dict[str, bytes]:
    """The PDF statements where the close writes them (statements/<partner>.pdf)."""
    written = {}
    for pid in partners:
        data = stand_in_pdf(f"Statement {pid}")
        path = close_folder / "statements" / f"{pid}.pdf"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written[pid] = data
    return written
