"""Options and shared fixtures of the whole suite."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.postgres_server import Cluster, binaries_missing, remove_cluster, start_cluster


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--excel",
        action="store_true",
        default=False,
        help="run tests/excel_addin/test_conformance.py against real Excel (xw.App(), "
        "Windows or macOS) instead of the fake engine",
    )


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[Cluster]:
    """One throwaway PostgreSQL cluster for the session (tests/postgres_server.py)."""
    missing = binaries_missing()
    if missing:
        pytest.skip(missing)
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        remove_cluster(cluster)


_databases = itertools.count(1)


@pytest.fixture
def postgres_database(postgres_cluster: Cluster) -> str:
    """A new, empty database of the cluster; its URL (as the cluster's superuser)."""
    import psycopg

    name = f"ledger_{next(_databases)}"
    with psycopg.connect(postgres_cluster.url(), autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}".encode())
    return postgres_cluster.url(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_at(request: pytest.FixtureRequest, tmp_path: Path) -> str | Path:
    """Where a test's ledger is: an SQLite file, then a new PostgreSQL database, so each
    ledger test runs on both backends."""
    if request.param == "sqlite":
        return tmp_path / "program.xlsx.ledger.sqlite"
    return str(request.getfixturevalue("postgres_database"))
