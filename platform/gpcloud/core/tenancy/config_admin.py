"""Reading a tenant's configuration with its sources, and admin edits to it.

An edit is validated as a whole before it is stored: the schema (core and plugin sections), the
parent's bounds, the bounds of every tenant below (a city may not tighten past what a county
already set without that county changing first), and the active plugins' own checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gpcloud.core.audit import service as audit
from gpcloud.core.auth.admin import reachable_tenant
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.db import serialize_writes
from gpcloud.core.errors import DomainError, Problem
from gpcloud.core.jsonutil import decimalize, dumps, loads
from gpcloud.core.plugins.hooks import (
    PluginState,
    plugin_statuses,
    tenant_context,
    tenant_hooks,
)
from gpcloud.core.plugins.registry import get_registry
from gpcloud.core.tenancy.config import (
    EffectiveConfig,
    bound_problems,
    chain_layers,
    effective_config,
    forget_read_once,
    full_schema,
    known_path,
    latest_edits,
    resolve,
    schema_problems,
    set_path,
)
from gpcloud.core.tenancy.service import TenantTree, tenant_tree
from gpcloud.core.tenancy.tables import TenantConfigEdit

MAX_CHANGES = 100


@dataclass(frozen=True)
class ConfigView:
    config: EffectiveConfig
    problems: list[Problem]
    summaries: list[tuple[str, str, str]]  # plugin, label, value
    sections: list[tuple[str, str | None, bool]]  # section, owning plugin, usable here


async def _checks(
    code: str, config: EffectiveConfig
) -> tuple[list[Problem], list[tuple[str, str, str]], list[Problem]]:
    """The active plugins' problems with, and figures from, a tenant's effective config, and
    the summaries that failed (shown, but no reason to refuse an edit)."""
    hooks = await tenant_hooks(code)
    if not hooks.active:
        return [], [], []
    context = await tenant_context(code, config)
    problems = [
        problem
        for section, value in config.values.items()
        for problem in hooks.problems(
            "gpcloud_validate_config_section", section=section, value=value, tenant=context
        )
    ]
    summary = hooks.call_robust("gpcloud_config_summary", tenant=context)
    summaries = [
        (answer.plugin, item.get("label", ""), item.get("value", ""))
        for answer in summary.answers
        for item in answer.value
    ]
    return problems, summaries, [failure.problem() for failure in summary.failures]


async def config_view(code: str) -> ConfigView:
    await reachable_tenant(code, "regionCode")
    config = await effective_config(code)
    problems, summaries, failed = await _checks(code, config)
    statuses = await plugin_statuses(code)
    owners = get_registry().section_owner
    sections = [
        (
            section,
            owners.get(section),
            owners.get(section) is None or statuses[owners[section]].state is PluginState.ACTIVE,
        )
        for section in full_schema()["properties"]
    ]
    return ConfigView(
        config, schema_problems(config.values) + problems + failed, summaries, sections
    )


def _parse(
    changes: list[tuple[str, Any]], schema: dict
) -> tuple[list[tuple[tuple[str, ...], Any]], list[Problem]]:
    parsed, problems = [], []
    for path, value in changes:
        keys = tuple(k for k in path.strip().split(".") if k)
        if not keys or not known_path(schema, keys):
            problems.append(
                Problem("CONFIG_UNKNOWN_PATH", f"{path!r} is not a configuration setting", path)
            )
            continue
        parsed.append((keys, decimalize(value)))
    return parsed, problems


def _resolve_all(
    tree: TenantTree, codes: list[str], edits: dict[str, dict]
) -> dict[str, EffectiveConfig]:
    return {code: resolve(code, chain_layers(tree, code, edits)) for code in codes}


@requires(Perm.TENANT_CONFIG_EDIT)
async def edit_config(
    actor: CurrentUser, code: str, changes: list[tuple[str, Any]], reason: str
) -> ConfigView:
    """Set (or with value None, remove) settings in the tenant's admin layer, as one new version."""
    node = await reachable_tenant(code, "regionCode")
    if not reason.strip():
        raise DomainError("REASON_REQUIRED", "say why the configuration changes", "reason")
    if not 1 <= len(changes) <= MAX_CHANGES:
        raise DomainError("NO_CHANGES", f"give 1 to {MAX_CHANGES} changes", "changes")
    schema = full_schema()
    parsed, problems = _parse(changes, schema)
    statuses = await plugin_statuses(code)
    owners = get_registry().section_owner
    for keys, _ in parsed:
        owner = owners.get(keys[0])
        if owner and statuses[owner].state is not PluginState.ACTIVE:
            problems.append(
                Problem(
                    "PLUGIN_NOT_ACTIVE",
                    f"{keys[0]} belongs to plugin {owner}, not active here",
                    ".".join(keys),
                )
            )
    if problems:
        raise DomainError.many(problems)

    await serialize_writes(f"tenant-config:{code}")
    tree = await tenant_tree()
    subtree = sorted(tree.subtree(code))
    everyone = sorted({*subtree, *tree.ancestors(code)})
    edits = await latest_edits(everyone)
    current = edits.get(code)
    old_layer = loads(current["layer"]) if current else {}
    layer = old_layer
    for keys, value in parsed:
        layer = set_path(layer, keys, value)
    if layer == old_layer:
        raise DomainError("NO_CHANGES", "the configuration already says this", "changes")
    version = (current["version"] if current else 0) + 1
    before = _resolve_all(tree, [code], edits)[code]
    edits[code] = {"version": version, "layer": dumps(layer)}
    after = _resolve_all(tree, everyone, edits)

    problems = schema_problems(after[code].values, schema)
    if problems:
        raise DomainError.many(problems)
    if node.parent:
        parent = tree.nodes[node.parent]
        problems += bound_problems(
            after[code].own.get(code, {}), after[parent.region_code].values, parent.name
        )
    for child in subtree:
        parent_code = tree.nodes[child].parent
        if child == code or parent_code is None:
            continue
        for p in bound_problems(
            after[child].own.get(child, {}), after[parent_code].values, tree.nodes[parent_code].name
        ):
            problems.append(
                Problem(
                    "CONFIG_BREAKS_CHILD",
                    f"{tree.nodes[child].name} already sets {p.message}",
                    p.field,
                )
            )
    if not problems:
        problems, _, _ = await _checks(code, after[code])
    if problems:
        raise DomainError.many(problems)

    forget_read_once()
    await TenantConfigEdit(
        tenant_id=code,
        version=version,
        layer=dumps(layer),
        changes=dumps([{"path": ".".join(k), "value": v} for k, v in parsed]),
        reason=reason.strip(),
        author_id=actor.id,
    ).save()
    await audit.record(
        "config.edit",
        "tenant_config",
        code,
        before.values,
        after[code].values,
        {"version": version, "paths": [".".join(k) for k, _ in parsed], "reason": reason.strip()},
        tenant=code,
    )
    return await config_view(code)
