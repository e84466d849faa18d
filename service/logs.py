"""Structured JSON logs on stdout, each line tagged with the request id.

Article text is never logged; with LOG_ARTICLES=1 (debugging only) the first characters
of each article are, at DEBUG level."""

from __future__ import annotations

import logging
import sys

from flask import g, has_request_context
from pythonjsonlogger.json import JsonFormatter

FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
RENAMES = {"asctime": "time", "levelname": "level", "name": "logger"}


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id") if has_request_context() else None
        return True


def json_formatter() -> JsonFormatter:
    return JsonFormatter(FORMAT, rename_fields=RENAMES, timestamp=False)


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(json_formatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # trafilatura logs every page it cannot parse at ERROR: for us that is a 422, not an error.
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
