"""Calling hooks as pluggy does, with every answer and failure naming its plugin.

The registry installs each hook implementation wrapped by `named`: a result comes back as an
`Answer(plugin, value)` (None stays None, so firstresult still stops at the first plugin that
answers), an exception as `PluginFailed` naming the plugin. pluggy does the rest as for any
hook: the order, firstresult, and (through `subset_hook_caller`) the subset of plugins that a
tenant may run.

Each hookspec names its call style (hookspecs.py); calling a hook in the other style is a bug
and raises HookStyleError:
- `call`: the first failure propagates as PluginFailed (code PLUGIN_FAILED) and no later plugin
  runs; for what must not happen without every plugin's consent (vetoes, money).
- `call_robust`: a failure is logged and reported, and the other plugins still run (for a
  firstresult hook the next plugin is asked); the caller gets the answers and the failures.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from pluggy import HookCaller

from gpcloud.core.errors import DomainError, Problem
from gpcloud.core.plugins import hookspecs

log = logging.getLogger("gpcloud.plugins")

HOOKS = tuple(name for name in dir(hookspecs) if name.startswith("gpcloud_"))
DECLARATION = re.compile(r"Firstresult: (yes|no)\. Call style: (call_robust|call)\b")


def declaration(hook: str) -> tuple[bool, str] | None:
    """(firstresult, call style) as the hookspec's docstring states them, None if it does not."""
    found = DECLARATION.search(getattr(hookspecs, hook).__doc__ or "")
    return (found[1] == "yes", found[2]) if found else None


STYLES = {hook: (declaration(hook) or (False, None))[1] for hook in HOOKS}


@dataclass(slots=True)  # made for every answer: slots, not frozen, as that is cheaper
class Answer:
    plugin: str
    value: Any


@dataclass(frozen=True)
class Failure:
    plugin: str
    hook: str
    error: str  # "ExceptionType: message"

    @property
    def message(self) -> str:
        return f"plugin {self.plugin} failed in {self.hook}: {self.error}"

    def problem(self) -> Problem:
        return Problem("PLUGIN_FAILED", self.message)


@dataclass(frozen=True)
class Outcome:
    """What `call_robust` returns: pluggy's result (a list of Answers, or for a firstresult hook
    one Answer or None) and the plugins that failed."""

    answers: Any
    failures: list[Failure]


class PluginFailed(DomainError):
    def __init__(self, failure: Failure):
        super().__init__("PLUGIN_FAILED", failure.message)
        self.failure = failure
        self.plugin = failure.plugin


class HookStyleError(TypeError):
    """A hook called in the style its hookspec does not declare."""


# Set around one pluggy call: None by `call` (a failure raises), by `call_robust` the list the
# wrapped implementations put their failures in.
_failures: ContextVar[list[Failure] | None] = ContextVar("gpcloud_plugin_failures", default=None)


def named(plugin: str, hook: str, function: Callable) -> Callable:
    """`function` (a plugin's implementation of `hook`) answering with its plugin's name.
    functools.wraps keeps the hookimpl marker and the signature pluggy reads."""

    @functools.wraps(function)
    def implementation(*args: Any, **kwargs: Any) -> Answer | None:
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s: plugin %s", hook, plugin, extra={"hook": hook, "plugin": plugin})
        try:
            value = function(*args, **kwargs)
        except Exception as exc:
            failure = Failure(plugin, hook, f"{type(exc).__name__}: {exc}")
            failures = _failures.get()
            if failures is None:
                raise PluginFailed(failure) from exc
            log.warning(
                "%s", failure.message, exc_info=True, extra={"hook": hook, "plugin": plugin}
            )
            failures.append(failure)
            return None
        return None if value is None else Answer(plugin, value)

    return implementation


def _check_style(caller: HookCaller, style: str) -> None:
    if STYLES.get(caller.name) != style:
        raise HookStyleError(
            f"{caller.name} is declared with call style {STYLES.get(caller.name)}, not {style}"
        )


def call(caller: HookCaller, **kwargs: Any) -> Any:
    """pluggy's call: list[Answer], or Answer | None for a firstresult hook. Raises
    PluginFailed at the first plugin that fails."""
    _check_style(caller, "call")
    token = _failures.set(None)
    try:
        return caller(**kwargs)
    finally:
        _failures.reset(token)


def call_robust(caller: HookCaller, **kwargs: Any) -> Outcome:
    """pluggy's call, past failing plugins: their failures come back in the Outcome."""
    _check_style(caller, "call_robust")
    failures: list[Failure] = []
    token = _failures.set(failures)
    try:
        return Outcome(caller(**kwargs), failures)
    finally:
        _failures.reset(token)
