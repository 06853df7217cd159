"""The desktop log: details of every error go to a file, never to the user's screen.

`~/.partnerclose/desktop.log` by default, or the file named by the
PARTNERCLOSE_DESKTOP_LOG environment variable (the tests use a temporary one).
"""

from __future__ import annotations

import logging
import os
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOGGER_NAME = "partnerclose.desktop"
ENV_LOG = "PARTNERCLOSE_DESKTOP_LOG"

log = logging.getLogger(LOGGER_NAME)
_current: list[Path] = []


def default_log_file() -> Path:
    configured = os.environ.get(ENV_LOG)
    return Path(configured) if configured else Path.home() / ".partnerclose" / "desktop.log"


def configure_logging(path: Path | None = None) -> Path:
    """Send the app's log to `path` (rotated at 1 MB, 3 kept); returns the file used."""
    path = path or default_log_file()
    for handler in list(log.handlers):
        if isinstance(handler, RotatingFileHandler):
            log.removeHandler(handler)
            handler.close()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    except OSError:
        return log_file()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    _current[:] = [path]
    return path


def log_file() -> Path:
    """The file errors are logged to (configured, else the default)."""
    return _current[0] if _current else default_log_file()


def plain_reason(exc: BaseException) -> str:
    """One line a finance user can read: no traceback, no class paths."""
    if isinstance(exc, OSError) and exc.strerror:
        where = f" ({exc.filename})" if exc.filename else ""
        return f"{exc.strerror}{where}"
    text = str(exc).strip()
    return text or type(exc).__name__


def report_error(what: str, exc: BaseException) -> str:
    """Log `exc` with its traceback; return the message for the error dialog."""
    log.error("%s", what, exc_info=(type(exc), exc, exc.__traceback__))
    return (
        f"{what}: {plain_reason(exc)}.\n\n"
        f"The details have been written to the log file {log_file()}."
    )
