"""Database URLs as messages show them: never with a password."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

# A ledger or source URL that names a PostgreSQL server.
SERVER_URL_PREFIXES = ("postgresql://", "postgres://")


def shown_url(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[-1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}@{host}"))


def is_server_url(where: object) -> bool:
    """Whether `where` names a PostgreSQL server (rather than a file)."""
    return isinstance(where, str) and where.startswith(SERVER_URL_PREFIXES)
