"""`with exercised(*hooks):` the test proves that the platform calls these hooks in the block.

Every plugin implementation logs its hook and plugin at DEBUG before it runs
(core/plugins/calling.py `named`); the block records those records and fails unless each named
hook ran at least one implementation. test_hook_meta.py reads the tests' syntax trees for these
blocks: a hook counts as tested only where a test both names it here and makes it run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from gpcloud.core.plugins.calling import HOOKS


class _Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.ran: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if hasattr(record, "hook"):
            self.ran.append((record.hook, record.plugin))


@contextmanager
def exercised(*hooks: str) -> Iterator[list[tuple[str, str]]]:
    """Yields the (hook, plugin) pairs run so far, in the order they ran."""
    unknown = set(hooks) - set(HOOKS)
    assert not unknown, f"no such hookspec: {sorted(unknown)}"
    logger = logging.getLogger("gpcloud.plugins")
    recorder, level = _Recorder(), logger.level
    logger.addHandler(recorder)
    logger.setLevel(logging.DEBUG)
    try:
        yield recorder.ran
    finally:
        logger.removeHandler(recorder)
        logger.setLevel(level)
    missing = set(hooks) - {hook for hook, _ in recorder.ran}
    assert not missing, f"no plugin implementation of {sorted(missing)} ran in the block"
