"""Logs: human-readable lines in the embedded default, one JSON object per line in production
(`log_format = "json"`), for the data centre's log collector.

Every request leaves one line on the `gpcloud.request` logger: the GraphQL operation (its type,
first root field and the name the client gave it), the caller's tenant and user id, the
duration and the outcome with its error codes; other routes their template and status. No
personal data beyond ids: never a user name, a token, a variable or a message.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

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


def configure(log_format: str, level: int = logging.INFO) -> None:
    """The root handler for `gpcloud serve` and `gpcloud worker`."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT))
    logging.basicConfig(level=level, handlers=[handler], force=True)


def request_line(message: str, *args: object, **fields: object) -> None:
    log.info(message, *args, extra={"request": fields})
