"""What a close loads at start-up: a library only a few programs use is imported only
when one of them uses it (quality.md revision 2: the demo close within 0.35 s, start-up
included)."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _modules_after(code: str) -> set[str]:
    """The top-level modules loaded in a fresh interpreter after running `code`."""
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint(' '.join(sys.modules))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return {name.split(".", 1)[0] for name in out.split()}


@pytest.mark.parametrize("entry", ["partnerclose.cli", "partnerclose.api"])
def test_psycopg_is_loaded_only_for_a_server_ledger_or_a_sql_source(entry: str) -> None:
    assert "psycopg" not in _modules_after(f"import {entry}")


def test_a_server_ledger_loads_psycopg() -> None:
    code = (
        "from pathlib import Path\n"
        "from partnerclose.ledger.location import open_ledger\n"
        "try:\n"
        "    open_ledger('postgresql://nobody@127.0.0.1:9/none', Path('p.xlsx'), 0.1)\n"
        "except Exception:\n"
        "    pass\n"
    )
    assert "psycopg" in _modules_after(code)
