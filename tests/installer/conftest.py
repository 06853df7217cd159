"""Fixtures of the packaging tests (helpers in fakes.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.installer.fakes import (
    build_addin,
    index_unreachable,
    make_fake_stage,
    package_index_url,
)


@pytest.fixture(scope="session")
def package_index() -> str:
    """The package index URL; skips the test only when the index host refuses at once."""
    url = package_index_url()
    reason = index_unreachable(url)
    if reason:
        pytest.skip(f"the package index is unreachable: {reason}")
    return url


@pytest.fixture(scope="session")
def built_addin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real add-in, built once (excel_addin.build)."""
    return build_addin(tmp_path_factory.mktemp("addin"))


@pytest.fixture
def fake_stage(tmp_path: Path, built_addin: Path) -> Path:
    return make_fake_stage(tmp_path / "stage", built_addin)
