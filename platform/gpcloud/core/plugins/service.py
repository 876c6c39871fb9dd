"""Provincial approval of tenant plugins: a tenant admin files a request (plugin, version,
requirement statement, config); a provincial admin approves or rejects it; approvals can be
revoked and disabled. Every step is audited and bumps the hook callers' epoch (hooks.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from jsonschema import Draft202012Validator

from gpcloud.core.auth.admin import reachable_tenant
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.db import after_commit, transaction
from gpcloud.core.errors import DomainError, NotFound, Problem
from gpcloud.core.jsonutil import decimalize, dumps
from gpcloud.core.notifications.events import plugin_request_decided
from gpcloud.core.pagination import Page, keyset_page
from gpcloud.core.plugins import hooks
from gpcloud.core.plugins.registry import InstalledPlugin, get_registry
from gpcloud.core.plugins.tables import PluginRequest
from gpcloud.core.plugins.workflow import PLUGIN_REQUEST

# Requests and decisions


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


@requires(Perm.PLUGIN_REQUEST)
async def file_request(
    actor: CurrentUser, tenant: str, name: str, version: str, statement: str, config: dict
) -> dict:
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
    async with transaction():
        await request.save()
        row = await get_request(request.id)
        await PLUGIN_REQUEST.created(row, {"plugin": name, "version": version}, "file")
        return row


async def get_request(request_id: int) -> dict:
    row = await PluginRequest.select().where(PluginRequest.id == request_id).first()
    if row is None:
        raise NotFound("plugin request", request_id)
    return row


async def _decide(actor: CurrentUser, request: dict, action: str, changes: dict, reason="") -> dict:
    detail = {"reason": reason.strip()} if reason.strip() else None
    async with transaction():
        after = await PLUGIN_REQUEST.move(actor, request, action, changes, detail)
        await plugin_request_decided(action, after)
        after_commit(hooks.bump_epoch)
        return after


def _decision(actor: CurrentUser, reason: str) -> dict:
    return {
        PluginRequest.decided_by: actor.id,
        PluginRequest.decided_at: datetime.now(UTC),
        PluginRequest.decision_reason: reason.strip(),
    }


def _reason_required(reason: str) -> None:
    if not reason.strip():
        raise DomainError("REASON_REQUIRED", "give a reason", "reason")


@requires(Perm.PLUGIN_DECIDE)
async def approve(actor: CurrentUser, request_id: int, reason: str = "") -> dict:
    request = await get_request(request_id)
    PLUGIN_REQUEST.next_state("approve", request["status"])
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
    async with transaction():
        approved = await _decide(actor, request, "approve", _decision(actor, reason), reason)
        earlier = await PluginRequest.select().where(
            (PluginRequest.tenant_id == request["tenant_id"])
            & (PluginRequest.plugin == request["plugin"])
            & (PluginRequest.status == "approved")
            & (PluginRequest.id != request_id)
        )
        for row in earlier:
            await PLUGIN_REQUEST.move(None, row, "supersede", detail={"by": request_id})
        return approved


@requires(Perm.PLUGIN_DECIDE)
async def reject(actor: CurrentUser, request_id: int, reason: str) -> dict:
    _reason_required(reason)
    request = await get_request(request_id)
    return await _decide(actor, request, "reject", _decision(actor, reason), reason)


@requires(Perm.PLUGIN_DECIDE)
async def revoke(actor: CurrentUser, request_id: int, reason: str) -> dict:
    _reason_required(reason)
    request = await get_request(request_id)
    return await _decide(actor, request, "revoke", _decision(actor, reason), reason)


@requires(Perm.PLUGIN_REQUEST)
async def set_enabled(actor: CurrentUser, request_id: int, enabled: bool) -> dict:
    request = await get_request(request_id)
    action = "enable" if enabled else "disable"
    return await _decide(actor, request, action, {PluginRequest.enabled: enabled})


@requires(Perm.PLUGIN_READ)
async def list_requests(
    actor: CurrentUser,
    status: str | None,
    tenant: str | None,
    plugin: str | None,
    first: int | None,
    after: str | None,
) -> Page:
    query = PluginRequest.select()
    if status:
        query = query.where(PluginRequest.status == status)
    if tenant:
        query = query.where(PluginRequest.tenant_id == tenant)
    if plugin:
        query = query.where(PluginRequest.plugin == plugin)
    return await keyset_page(query, PluginRequest.id, first, after)
