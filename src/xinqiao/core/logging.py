"""Structured logs: one JSON object per line, with the request id and the user's id.

Confidential text must never reach a log: we log ids and paths, never request bodies, query
strings or model values; exception messages from the database can quote values, so only the
exception type and the stack (file, line, function) are written.
"""

from __future__ import annotations

import contextvars
import json
import logging
import traceback
from datetime import UTC, datetime

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
user_id_var: contextvars.ContextVar[int | None] = contextvars.ContextVar("user_id", default=None)
path_var: contextvars.ContextVar[str] = contextvars.ContextVar("path", default="")


class RequestContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        record.user_id = user_id_var.get()
        record.path = path_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": _first_line(record.getMessage()),
            "request_id": getattr(record, "request_id", ""),
            "user_id": getattr(record, "user_id", None),
            "path": getattr(record, "path", ""),
        }
        if record.exc_info and record.exc_info[0] is not None:
            exc_type, _exc, tb = record.exc_info
            entry["exception"] = exc_type.__name__
            entry["stack"] = [
                f"{frame.filename}:{frame.lineno} in {frame.name}"
                for frame in traceback.extract_tb(tb)
            ]
        return json.dumps(entry, ensure_ascii=False)


def _first_line(message: str) -> str:
    # The message with its arguments (a 500 is "Internal Server Error: <path>", not its
    # template "%s: %s"); one line, so that nothing a caller appended spills into the log.
    return message.split("\n", 1)[0]
