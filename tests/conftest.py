"""Options for the whole suite."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--excel",
        action="store_true",
        default=False,
        help="run tests/excel_addin/test_conformance.py against real Excel (xw.App(), "
        "Windows or macOS) instead of the fake engine",
    )
