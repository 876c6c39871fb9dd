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
import threading
from collections import deque
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


class _Batched(logging.Handler):
    """Keeps each record as it is, for the writer thread, which wakes every `PAUSE` seconds
    (at once for a warning or worse) to format and write what came: formatting, the write and
    the thread's wake-up are not paid in the event loop serving each request (a wake-up per
    record cost more than the line itself: issue 20)."""

    PAUSE = 0.05

    def __init__(self, target: logging.StreamHandler):
        super().__init__()
        self.target = target
        self.kept: deque[logging.LogRecord] = deque()
        self.wake = threading.Event()
        self.stopping = False
        self.writing = threading.Lock()
        self.thread = threading.Thread(target=self._write, name="gpcloud-logs", daemon=True)
        self.thread.start()

    def handle(self, record: logging.LogRecord) -> bool:  # no lock: deque.append is atomic
        self.kept.append(record)
        if record.levelno >= logging.WARNING:
            self.wake.set()
        return True

    def emit(self, record: logging.LogRecord) -> None:
        self.handle(record)

    def _write(self) -> None:
        while not self.stopping:
            self.wake.wait(self.PAUSE)
            self.wake.clear()
            self.flush()
        self.flush()

    def flush(self) -> None:
        """Write what is kept, in order, in one write (one writer at a time): a write and a
        flush per line cost the process more than formatting it."""
        target = self.target
        with self.writing:
            lines, last = [], None
            while self.kept:
                last = self.kept.popleft()
                if not target.filter(last):
                    continue
                try:
                    lines.append(target.format(last) + target.terminator)
                except Exception:  # noqa: BLE001 (as logging does: reported, the rest written)
                    target.handleError(last)
            if not lines:
                return
            try:
                target.stream.write("".join(lines))
                target.stream.flush()
            except Exception:  # noqa: BLE001
                target.handleError(last)

    def close(self) -> None:
        """Write what is kept; the thread goes on. `logging.config.dictConfig` (uvicorn's, at
        its start) closes every handler there is, ours included, and keeps using it."""
        self.flush()
        super().close()

    def stop(self) -> None:
        """Write what is kept, then end the writer thread."""
        self.stopping = True
        self.wake.set()
        self.thread.join()
        self.close()


_writer: _Batched | None = None


def configure(log_format: str, level: int = logging.INFO) -> None:
    """The root handler for `gpcloud serve` and `gpcloud worker`: lines in `log_format`,
    written by one thread (the app leaves logging alone: create_app passes no logging_config)."""
    global _writer
    _stop()
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT))
    _writer = _Batched(handler)
    logging.basicConfig(level=level, handlers=[_writer], force=True)


@atexit.register
def _stop() -> None:
    """Write what is kept, then end the writer thread."""
    global _writer
    if _writer is not None:
        _writer.stop()
        _writer = None


def request_line(message: str, *args: object, **fields: object) -> None:
    """The request's line. Built without `Logger.info`'s search of the stack for the caller's
    file and line, which no format here shows (about a third of the line's cost)."""
    if log.isEnabledFor(logging.INFO):
        log.handle(
            log.makeRecord(
                log.name, logging.INFO, __file__, 0, message, args, None, extra={"request": fields}
            )
        )
