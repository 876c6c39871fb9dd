"""Calling a tenant's hooks: only on plugins the province approved for it.

A plugin runs for a tenant when the tenant or one of its ancestors holds an approved, enabled
request whose version and code digest are those of the installed plugin; the nearest approval
wins and the configs merge county -> city -> province over the plugin's schema defaults.

Hook callers are cached per tenant and process; every approval change bumps an epoch in Redis
(after commit), and a cached caller is used only while the epoch is unchanged, so a revocation
takes effect on the next call in every process. The requests and decisions that change
approvals are in service.py.

Some hooks are also implemented by the platform itself for every tenant, with no approval:
a domain registers such a built-in implementation (an async function) with `@builtin` in its
`hooks` module, which `builtins_of` loads through the domain list (core imports no domain).
`collect` calls a hook's built-ins and then the tenant's approved plugins.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from pluggy import HookCaller

from gpcloud import domains
from gpcloud.core.errors import DomainError, Problem
from gpcloud.core.jsonutil import loads
from gpcloud.core.plugins import calling, hookspecs
from gpcloud.core.plugins.calling import HOOKS, STYLES, Answer, Outcome
from gpcloud.core.plugins.registry import InstalledPlugin, PluginRegistry, get_registry
from gpcloud.core.plugins.tables import PluginRequest
from gpcloud.core.redis import get_redis, key
from gpcloud.core.tenancy.config import EffectiveConfig, effective_config, merge
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.core.tenancy.service import TenantNode, tenant_tree

EPOCH_KEY = ("plugins", "epoch")


class PluginState(Enum):
    ACTIVE = "active"
    NOT_APPROVED = "not_approved"
    DISABLED = "disabled"
    NEEDS_REAPPROVAL = "needs_reapproval"


@dataclass(frozen=True)
class PluginStatus:
    plugin: InstalledPlugin
    state: PluginState
    approval: dict | None  # the nearest approved request, if any
    config: dict  # resolved county -> city -> province over the schema defaults


async def _approvals(chain: list[str]) -> list[dict]:
    """Approved requests of the tenants in `chain` (nearest first)."""
    with all_tenants("plugins: approvals of ancestors apply to their subtree", audited=False):
        rows = await PluginRequest.select().where(
            PluginRequest.tenant_id.is_in(chain) & (PluginRequest.status == "approved")
        )
    order = {code: i for i, code in enumerate(chain)}
    return sorted(rows, key=lambda r: order[r["tenant_id"]])


async def plugin_statuses(
    code: str, registry: PluginRegistry | None = None
) -> dict[str, PluginStatus]:
    registry = registry or get_registry()
    tree = await tenant_tree()
    chain = [code, *tree.ancestors(code)]
    approvals = await _approvals(chain)
    statuses = {}
    for name, plugin in registry.plugins.items():
        mine = [a for a in approvals if a["plugin"] == name]
        nearest = mine[0] if mine else None
        config = plugin.config_defaults()
        for approval in reversed(mine):
            config = merge(config, loads(approval["config"]))
        if nearest is None:
            state = PluginState.NOT_APPROVED
        elif (nearest["version"], nearest["code_digest"]) != (plugin.version, plugin.digest):
            state = PluginState.NEEDS_REAPPROVAL
        elif not nearest["enabled"]:
            state = PluginState.DISABLED
        else:
            state = PluginState.ACTIVE
        statuses[name] = PluginStatus(plugin, state, nearest, config)
    return statuses


# Calling hooks


@dataclass
class TenantContext:
    """What hooks get as `tenant` (see hookspecs.py)."""

    region_code: str
    name: str
    level: str
    config: dict
    configs: dict[str, dict] = field(default_factory=dict)

    def plugin_config(self, name: str) -> dict:
        return self.configs.get(name, {})


class TenantHooks:
    """The hooks of one tenant's active plugins: pluggy's subset hook callers, which leave out
    every other plugin. Should the installed set change while this object is in use, the
    callers are rebuilt over the same installed plugins only (a new release is not approved)."""

    def __init__(self, registry: PluginRegistry, active: list[InstalledPlugin]):
        self.registry = registry
        self.active = tuple(plugin.name for plugin in active)
        self._active = active
        self._generation = -1
        self._callers: dict[str, HookCaller] = {}

    def caller(self, hook: str) -> HookCaller:
        registry = self.registry
        if self._generation != registry.generation:
            keep = {p.name for p in self._active if registry.plugins.get(p.name) is p}
            remove = [plugin for name, plugin in registry.pm.list_name_plugin() if name not in keep]
            self._callers = {h: registry.pm.subset_hook_caller(h, remove) for h in HOOKS}
            self._generation = registry.generation
        return self._callers[hook]

    def call(self, hook: str, **kwargs: Any) -> Any:
        """list[Answer], or Answer | None for a firstresult hook; a failure raises PluginFailed."""
        return calling.call(self.caller(hook), **kwargs)

    def call_robust(self, hook: str, **kwargs: Any) -> Outcome:
        return calling.call_robust(self.caller(hook), **kwargs)

    def problems(self, hook: str, **kwargs: Any) -> list[Problem]:
        """Problems returned by a validation hook, each naming its plugin."""
        return [
            Problem("PLUGIN_RULE", f"{answer.plugin}: {p.get('message', '')}", p.get("path"))
            for answer in self.call(hook, **kwargs)
            for p in answer.value
        ]


_callers: dict[str, tuple[tuple[int, int], TenantHooks]] = {}


async def _epoch() -> int:
    return int(await get_redis().get(key(*EPOCH_KEY)) or 0)


async def bump_epoch() -> None:
    await get_redis().incr(key(*EPOCH_KEY))


async def tenant_hooks(code: str) -> TenantHooks:
    """The cached hook caller of a tenant; rebuilt after any approval change anywhere."""
    registry = get_registry()
    stamp = (await _epoch(), registry.generation)
    cached = _callers.get(code)
    if cached and cached[0] == stamp:
        return cached[1]
    statuses = await plugin_statuses(code, registry)
    hooks = TenantHooks(
        registry, [s.plugin for s in statuses.values() if s.state is PluginState.ACTIVE]
    )
    _callers[code] = (stamp, hooks)
    return hooks


async def tenant_context(code: str, config: EffectiveConfig | None = None) -> TenantContext:
    node: TenantNode = (await tenant_tree()).nodes[code]
    config = config or await effective_config(code)
    statuses = await plugin_statuses(code)
    return TenantContext(
        region_code=code,
        name=node.name,
        level=node.level,
        config=config.values,
        configs={n: s.config for n, s in statuses.items() if s.state is PluginState.ACTIVE},
    )


async def validate_event(
    code: str, kind: str, obj: dict, before: Any = None, after: Any = None
) -> None:
    """For subsystems: let the tenant's plugins veto a lifecycle event (raises DomainError)."""
    hooks = await tenant_hooks(code)
    if not hooks.active:
        return
    event = {"kind": kind, "object": obj, "before": before, "after": after}
    problems = hooks.problems(
        "gpcloud_validate_event", event=event, tenant=await tenant_context(code)
    )
    if problems:
        raise DomainError.many(problems)


# Built-in implementations


@dataclass(frozen=True)
class Builtin:
    """A domain's own implementation of a hook, run for every tenant without approval.
    `consults_plugins`: it asks the tenant's plugins itself (so that what it stores records
    their answers), and `collect` does not ask them again."""

    hook: str
    name: str
    function: Callable[..., Awaitable[Any]]
    consults_plugins: bool


_BUILTINS: dict[str, list[Builtin]] = {}


def builtin(hook: str, name: str, consults_plugins: bool = False) -> Callable:
    """Register the decorated async function as the built-in `name` ("credit") of `hook`.
    Only collected hooks (not firstresult: a built-in would silence every plugin) and with the
    hookspec's arguments."""

    def register(function: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        spec = getattr(hookspecs, hook, None)
        if hook not in HOOKS or spec is None:
            raise ValueError(f"built-in {name}: no hookspec {hook}")
        if getattr(spec, "gpcloud_spec", {}).get("firstresult"):
            raise ValueError(f"built-in {name}: {hook} is firstresult")
        wanted = list(inspect.signature(spec).parameters)
        if list(inspect.signature(function).parameters) != wanted or not (
            inspect.iscoroutinefunction(function)
        ):
            raise ValueError(f"built-in {name}: must be async def {hook}({', '.join(wanted)})")
        mine = _BUILTINS.setdefault(hook, [])
        if any(b.name == name for b in mine):
            raise ValueError(f"built-in {name} of {hook} is registered twice")
        mine.append(Builtin(hook, name, function, consults_plugins))
        return function

    return register


def builtins_of(hook: str) -> tuple[Builtin, ...]:
    domains.load("hooks")  # importing a domain's hooks module registers its built-ins
    return tuple(_BUILTINS.get(hook, ()))


log = logging.getLogger("gpcloud.plugins")


async def collect(code: str, hook: str, **kwargs: Any) -> list[Answer]:
    """Every answer to a collected hook for tenant `code`: the built-ins' (named
    "builtin:<name>"; a failure raises as any bug of the platform does), then the approved
    plugins' in the hook's call style (`call`: a failure raises PluginFailed)."""
    answers: list[Answer] = []
    consulted = False
    for implementation in builtins_of(hook):
        plugin = f"builtin:{implementation.name}"
        log.debug("%s: %s", hook, plugin, extra={"hook": hook, "plugin": plugin})
        value = await implementation.function(**kwargs)
        if value is not None:
            answers.append(Answer(plugin, value))
        consulted = consulted or implementation.consults_plugins
    if not consulted:
        hooks = await tenant_hooks(code)
        if STYLES[hook] == "call":
            answers += hooks.call(hook, **kwargs)
        else:
            answers += hooks.call_robust(hook, **kwargs).answers
    return answers
