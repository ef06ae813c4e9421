"""Structured logs: one JSON object per line. Request logs carry sizes and timings, never text."""

from __future__ import annotations

import json
import logging
import time


class JsonFormatter(logging.Formatter):
    FIELDS = ("request_id", "method", "path", "status", "request_bytes", "response_bytes", "duration_ms", "job_id")

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: getattr(record, k) for k in self.FIELDS if hasattr(record, k)})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str) -> None:
    """Send every log record to stderr as JSON (called by `tomtat serve`, not at import)."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
