"""The app's log file: ``devsynth-tui.log`` in the app home, rotating, never holding the API key.

It keeps the traceback of anything unexpected and each server error; the user
sees one line naming the file.
"""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOG_NAME = "devsynth-tui.log"
MAX_BYTES = 1_000_000
BACKUPS = 3
REDACTED = "***"

log = logging.getLogger("devsynth_tui")
log.addHandler(logging.NullHandler())  # headless commands open no log file: nothing reaches stderr


class Redact(logging.Filter):
    """Masks each secret (the API key) wherever it would appear in a record, traceback included."""

    def __init__(self, secrets: list[str]):
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
            record.exc_info, record.exc_text = None, None
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        record.msg, record.args = text, None
        return True


def open_log(home: Path, secrets: list[str | None]) -> Path:
    """Log to the app home's rotating file from now on (once per process and home); returns its path."""
    path = home / LOG_NAME
    for handler in log.handlers:
        if isinstance(handler, RotatingFileHandler) and Path(handler.baseFilename) == path:
            return path
    home.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(Redact([s for s in secrets if s]))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False  # the terminal belongs to the dashboard
    return path


def record(error: BaseException, what: str) -> None:
    """Log a failure: a service error (server, database, config) as its one line, anything else with its traceback."""
    from devsynth_tui.services.errors import ServiceError

    if isinstance(error, ServiceError):
        log.warning("%s: %s", what, error)
    else:
        log.error("%s: unexpected %s", what, type(error).__name__, exc_info=error)
