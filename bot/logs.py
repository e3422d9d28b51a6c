"""Logging for every long-running surface: one line per record on stderr, secrets redacted."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable


class RedactingFormatter(logging.Formatter):
    """A formatter that replaces every secret (the bot token, …) in the final line with ``***``."""

    def __init__(self, secrets: Iterable[str], fmt: str) -> None:
        super().__init__(fmt)
        self._secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        for secret in self._secrets:
            line = line.replace(secret, "***")
        return line


def _not_a_startup_abort(record: logging.LogRecord) -> bool:
    """PTB logs a traceback when start-up (getMe, setWebhook) gives up; serve reports that in one line."""
    return not (record.name == "telegram.ext" and record.getMessage().endswith("Aborting."))


def configure_logging(secrets: Iterable[str], level: int = logging.INFO) -> None:
    """Log to stderr with secrets redacted; httpx (it logs URLs, token included) and alembic only warn."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(level)  # libraries that set their own loggers to DEBUG (jieba) stay quiet
    handler.addFilter(_not_a_startup_abort)
    handler.setFormatter(RedactingFormatter(secrets, "%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    for noisy in ("httpx", "httpcore", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
