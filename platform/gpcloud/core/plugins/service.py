"""Provincial approval of tenant plugins: a tenant admin files a request (plugin, version,
requirement statement, config); a provincial admin approves or rejects it; approvals can be
revoked and disabled. Every step is audited and bumps the hook callers' epoch (hooks.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from jsonschema import Draft202012Validator

from gpcloud.core.audit import service as audit
from gpcloud.core.auth.admin import reachable_tenant, require_admin
from gpcloud.core.auth.roles import PROVINCE_ADMIN
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.db import after_commit
from gpcloud.core.errors import DomainError, NotFound, Problem
from gpcloud.core.jsonutil import decimalize, dumps
from gpcloud.core.notifications.events import plugin_request_decided
from gpcloud.core.pagination import Page, keyset_page
from gpcloud.core.plugins import hooks
from gpcloud.core.plugins.registry import InstalledPlugin, get_registry
from gpcloud.core.plugins.tables import PluginRequest
from gpcloud.core.tenancy.scope import all_tenants

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
    after_commit(hooks.bump_epoch)
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
