"""Logs: human-readable lines in the embedded default, one JSON object per line in production
(`log_format = "json"`), for the data centre's log collector.

Every request leaves one line on the `gpcloud.request` logger: the GraphQL operation (its type,
first root field and the name the client gave it), the caller's tenant and user id, the
duration and the outcome with its error codes; other routes their template and status. No
personal data beyond ids: never a user name, a token, a variable or a message.
"""

from __future__ import annotations

import atexit
import json
import logging
import queue
from datetime import UTC, datetime
from logging.handlers import QueueHandler, QueueListener

log = logging.getLogger("gpcloud.request")
TEXT = "%(levelname)s %(name)s: %(message)s"
FORMATS = ("text", "json")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request = getattr(record, "request", None)
        if request:
            line |= request
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class _Handover(QueueHandler):
    """Hands each record to the writer thread as it is: formatting (the JSON line) and the
    write happen there, not in the event loop serving the request."""

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        return record


_listener: QueueListener | None = None


def configure(log_format: str, level: int = logging.INFO) -> None:
    """The root handler for `gpcloud serve` and `gpcloud worker`: lines in `log_format`,
    written by one thread (the app leaves logging alone: create_app passes no logging_config)."""
    global _listener
    _stop()
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT))
    records: queue.SimpleQueue = queue.SimpleQueue()
    _listener = QueueListener(records, handler)
    _listener.start()
    logging.basicConfig(level=level, handlers=[_Handover(records)], force=True)


@atexit.register
def _stop() -> None:
    """Write what is queued, then end the writer thread."""
    global _listener
    if _listener is not None:
        _listener.stop()
        _listener = None


def request_line(message: str, *args: object, **fields: object) -> None:
    """The request's line. Built without `Logger.info`'s search of the stack for the caller's
    file and line, which no format here shows (about a third of the line's cost)."""
    if log.isEnabledFor(logging.INFO):
        log.handle(
            log.makeRecord(
                log.name, logging.INFO, __file__, 0, message, args, None, extra={"request": fields}
            )
        )
