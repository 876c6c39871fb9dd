"""Provincial approval of tenant plugins, and calling a tenant's hooks.

A plugin runs for a tenant when the tenant or one of its ancestors holds an approved, enabled
request whose version and code digest are those of the installed plugin; the nearest approval
wins and the configs merge county -> city -> province over the plugin's schema defaults.

Hook callers are cached per tenant and process; every approval change bumps an epoch in Redis
(after commit), and a cached caller is used only while the epoch is unchanged, so a revocation
takes effect on the next call in every process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from jsonschema import Draft202012Validator

from gpcloud.core.audit import service as audit
from gpcloud.core.auth.admin import reachable_tenant, require_admin
from gpcloud.core.auth.roles import PROVINCE_ADMIN
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.db import after_commit
from gpcloud.core.errors import DomainError, NotFound, Problem
from gpcloud.core.jsonutil import decimalize, dumps, loads
from gpcloud.core.notifications.events import plugin_request_decided
from gpcloud.core.pagination import Page, keyset_page
from gpcloud.core.plugins.registry import HOOKS, InstalledPlugin, PluginRegistry, get_registry
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
    with all_tenants("plugins: approvals of ancestors apply to their subtree"):
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


class PluginFailed(DomainError):
    def __init__(self, plugin: str, hook: str, exc: BaseException):
        super().__init__(
            "PLUGIN_FAILED", f"plugin {plugin} failed in {hook}: {type(exc).__name__}: {exc}"
        )
        self.plugin = plugin


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
    """The hooks of one tenant's active plugins; results come back with the plugin's name."""

    def __init__(self, registry: PluginRegistry, active: list[str]):
        remove = [registry.pm.get_plugin(n) for n in registry.plugins if n not in active]
        self.active = tuple(active)
        self._impls = {
            hook: registry.pm.subset_hook_caller(hook, remove_plugins=remove).get_hookimpls()
            for hook in HOOKS
        }

    def call(self, hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
        results = []
        for impl in reversed(self._impls[hook]):
            try:
                result = impl.function(*(kwargs[arg] for arg in impl.argnames))
            except Exception as exc:
                raise PluginFailed(impl.plugin_name, hook, exc) from exc
            if result is not None:
                results.append((impl.plugin_name, result))
        return results

    def problems(self, hook: str, **kwargs: Any) -> list[Problem]:
        """Problems returned by a validation hook, each naming its plugin."""
        return [
            Problem("PLUGIN_RULE", f"{plugin}: {p.get('message', '')}", p.get("path"))
            for plugin, found in self.call(hook, **kwargs)
            for p in found
        ]


_callers: dict[str, tuple[tuple[int, int], TenantHooks]] = {}


async def _epoch() -> int:
    return int(await get_redis().get(key(*EPOCH_KEY)) or 0)


async def _bump_epoch() -> None:
    await get_redis().incr(key(*EPOCH_KEY))


async def tenant_hooks(code: str) -> TenantHooks:
    """The cached hook caller of a tenant; rebuilt after any approval change anywhere."""
    registry = get_registry()
    stamp = (await _epoch(), registry.generation)
    cached = _callers.get(code)
    if cached and cached[0] == stamp:
        return cached[1]
    statuses = await plugin_statuses(code, registry)
    hooks = TenantHooks(registry, [n for n, s in statuses.items() if s.state is PluginState.ACTIVE])
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


# Requests and decisions


def _require(actor: CurrentUser, role: str) -> None:
    if role not in actor.roles:
        raise DomainError("FORBIDDEN", f"needs the role {role}")


def _installed(name: str) -> InstalledPlugin:
    plugin = get_registry().plugins.get(name)
    if plugin is None:
        raise DomainError("UNKNOWN_PLUGIN", f"no plugin {name!r} is installed", "plugin")
    return plugin


def config_problems(plugin: InstalledPlugin, config: dict) -> list[Problem]:
    validator = Draft202012Validator(plugin.config_schema)
    return [
        Problem(
            "CONFIG_INVALID",
            error.message,
            ".".join(["config", *(str(p) for p in error.absolute_path)]),
        )
        for error in validator.iter_errors(config)
    ]


async def file_request(
    actor: CurrentUser, tenant: str, name: str, version: str, statement: str, config: dict
) -> dict:
    require_admin(actor)
    await reachable_tenant(tenant)
    plugin = _installed(name)
    config = decimalize(config or {})
    problems = []
    if version != plugin.version:
        problems.append(
            Problem(
                "UNKNOWN_VERSION",
                f"{name} {version} is not installed ({plugin.version} is)",
                "version",
            )
        )
    if not 10 <= len(statement.strip()) <= 10000:
        problems.append(
            Problem(
                "STATEMENT_REQUIRED",
                "describe the requirement in 10 to 10000 characters",
                "requirementStatement",
            )
        )
    problems += config_problems(plugin, config)
    if await PluginRequest.exists().where(
        (PluginRequest.tenant_id == tenant)
        & (PluginRequest.plugin == name)
        & (PluginRequest.status == "requested")
    ):
        problems.append(
            Problem("DUPLICATE_REQUEST", f"a request for {name} is already pending here", "plugin")
        )
    if problems:
        raise DomainError.many(problems)
    request = PluginRequest(
        tenant_id=tenant,
        plugin=name,
        version=version,
        code_digest=plugin.digest,
        requirement_statement=statement.strip(),
        config=dumps(config),
        requested_by=actor.id,
    )
    await request.save()
    row = await get_request(request.id)
    await audit.record("plugin.request", "plugin_request", request.id, None, row, tenant=tenant)
    return row


async def get_request(request_id: int) -> dict:
    row = await PluginRequest.select().where(PluginRequest.id == request_id).first()
    if row is None:
        raise NotFound("plugin request", request_id)
    return row


def _check_state(request: dict, status: str) -> None:
    if request["status"] != status:
        raise DomainError("WRONG_STATE", f"the request is {request['status']}, not {status}")


async def _decide(request_id: int, action: str, from_status: str, changes: dict) -> dict:
    before = await get_request(request_id)
    _check_state(before, from_status)
    await PluginRequest.update(changes).where(PluginRequest.id == request_id)
    after = await get_request(request_id)
    await audit.record(
        f"plugin.{action}",
        "plugin_request",
        request_id,
        before,
        after,
        {"reason": after["decision_reason"]} if "decision_reason" in changes else None,
        tenant=before["tenant_id"],
    )
    await plugin_request_decided(action, after)
    after_commit(_bump_epoch)
    return after


def _decision(actor: CurrentUser, status: str, reason: str) -> dict:
    return {
        PluginRequest.status: status,
        PluginRequest.decided_by: actor.id,
        PluginRequest.decided_at: datetime.now(UTC),
        PluginRequest.decision_reason: reason.strip(),
    }


def _reason_required(reason: str) -> None:
    if not reason.strip():
        raise DomainError("REASON_REQUIRED", "give a reason", "reason")


async def approve(actor: CurrentUser, request_id: int, reason: str = "") -> dict:
    _require(actor, PROVINCE_ADMIN)
    request = await get_request(request_id)
    _check_state(request, "requested")
    if request["requested_by"] == actor.id:
        raise DomainError(
            "SELF_APPROVAL", "a request is approved by someone other than who filed it"
        )
    plugin = get_registry().plugins.get(request["plugin"])
    if plugin is None or (plugin.version, plugin.digest) != (
        request["version"],
        request["code_digest"],
    ):
        raise DomainError(
            "PLUGIN_CHANGED",
            f"{request['plugin']} {request['version']} as filed is not what is installed; "
            "the tenant must file again",
        )
    with all_tenants("plugins: the previous approval of this tenant is superseded"):
        await PluginRequest.update({PluginRequest.status: "superseded"}).where(
            (PluginRequest.tenant_id == request["tenant_id"])
            & (PluginRequest.plugin == request["plugin"])
            & (PluginRequest.status == "approved")
        )
    return await _decide(request_id, "approve", "requested", _decision(actor, "approved", reason))


async def reject(actor: CurrentUser, request_id: int, reason: str) -> dict:
    _require(actor, PROVINCE_ADMIN)
    _reason_required(reason)
    return await _decide(request_id, "reject", "requested", _decision(actor, "rejected", reason))


async def revoke(actor: CurrentUser, request_id: int, reason: str) -> dict:
    _require(actor, PROVINCE_ADMIN)
    _reason_required(reason)
    return await _decide(request_id, "revoke", "approved", _decision(actor, "revoked", reason))


async def set_enabled(actor: CurrentUser, request_id: int, enabled: bool) -> dict:
    require_admin(actor)
    return await _decide(
        request_id, "enable" if enabled else "disable", "approved", {PluginRequest.enabled: enabled}
    )


async def list_requests(
    status: str | None, tenant: str | None, plugin: str | None, first: int | None, after: str | None
) -> Page:
    query = PluginRequest.select()
    if status:
        query = query.where(PluginRequest.status == status)
    if tenant:
        query = query.where(PluginRequest.tenant_id == tenant)
    if plugin:
        query = query.where(PluginRequest.plugin == plugin)
    return await keyset_page(query, PluginRequest.id, first, after)
