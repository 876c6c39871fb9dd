"""Tenant configuration: schema, layers, bounds, and the effective config with its sources.

Effective config of a tenant = defaults (all levels, then its level) <- for each tenant from the
province down to itself: that tenant's file layer (tenants/*.toml [config]) <- its admin edits
(latest version in the database). Values are merged section by section, key by key; lists are
replaced whole.

Bounds: a schema property marked "x-bound" may only be tightened by a child relative to its
parent's effective value (see config/tenant-config.schema.json). The province sets the rules.
"""

from __future__ import annotations

import json
import operator
import tomllib
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache, lru_cache, reduce, wraps
from typing import Any, ParamSpec, TypeVar

from jsonschema import Draft202012Validator, FormatChecker
from piccolo.query.functions.aggregate import Max

from gpcloud.core.clock import today
from gpcloud.core.errors import Problem
from gpcloud.core.jsonutil import loads
from gpcloud.core.plugins.registry import get_registry
from gpcloud.core.rules.sets import config_schema as rules_schema
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.core.tenancy.service import TenantTree, tenant_tree
from gpcloud.core.tenancy.tables import TenantConfigEdit
from gpcloud.settings import PROJECT_ROOT

CONFIG_DIR = PROJECT_ROOT / "config"
KeyPath = tuple[str, ...]


def plain(value: Any) -> Any:
    """TOML values as JSON-schema values: dates become ISO strings."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


@cache
def core_schema() -> dict:
    return json.loads((CONFIG_DIR / "tenant-config.schema.json").read_text(encoding="utf-8"))


@cache
def defaults() -> dict[str, dict]:
    with (CONFIG_DIR / "tenant-defaults.toml").open("rb") as fh:
        return plain(tomllib.load(fh, parse_float=Decimal))


def full_schema() -> dict:
    """The core schema plus every installed plugin's sections and the rules in force today."""
    return _full_schema(get_registry().generation, today())


@lru_cache(maxsize=8)
def _full_schema(generation: int, on: date) -> dict:
    """Per plugin generation and day: a rule-set version that takes effect (or a day pinned
    with clock.on_day) changes the rules section."""
    schema = dict(core_schema())
    properties = dict(schema["properties"])
    for plugin in get_registry().plugins.values():
        properties.update(plugin.sections)
    properties["rules"] = rules_schema(on)
    schema["properties"] = properties
    return schema


def bounds(schema: dict, prefix: KeyPath = ()) -> dict[KeyPath, str]:
    """{path: bound} for every property marked x-bound."""
    found: dict[KeyPath, str] = {}
    for key, spec in schema.get("properties", {}).items():
        path = (*prefix, key)
        if "x-bound" in spec:
            found[path] = spec["x-bound"]
        found.update(bounds(spec, path))
    return found


def known_path(schema: dict, path: KeyPath) -> bool:
    spec = schema
    for key in path:
        spec = spec.get("properties", {}).get(key)
        if spec is None:
            return False
    return True


def schema_problems(values: dict, schema: dict | None = None) -> list[Problem]:
    validator = Draft202012Validator(schema or full_schema(), format_checker=FormatChecker())
    return [
        Problem(
            "CONFIG_INVALID", error.message, ".".join(str(p) for p in error.absolute_path) or None
        )
        for error in sorted(validator.iter_errors(values), key=lambda e: list(e.absolute_path))
    ]


def merge(base: dict, layer: dict) -> dict:
    merged = dict(base)
    for key, value in layer.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def get_path(values: dict, path: KeyPath) -> Any:
    for key in path:
        if not isinstance(values, dict) or key not in values:
            return None
        values = values[key]
    return values


def set_path(values: dict, path: KeyPath, value: Any) -> dict:
    """A copy of `values` with `path` set (or removed when value is None), empty parents pruned."""
    head, *rest = path
    out = dict(values)
    if rest:
        child = set_path(
            out.get(head) if isinstance(out.get(head), dict) else {}, tuple(rest), value
        )
        if child:
            out[head] = child
        else:
            out.pop(head, None)
    elif value is None:
        out.pop(head, None)
    else:
        out[head] = value
    return out


def leaves(values: dict, prefix: KeyPath = ()) -> dict[KeyPath, Any]:
    found: dict[KeyPath, Any] = {}
    for key, value in values.items():
        if isinstance(value, dict) and value:
            found.update(leaves(value, (*prefix, key)))
        else:
            found[(*prefix, key)] = value
    return found


LOOSER = {
    "at_most": lambda child, parent: child > parent,
    "at_least": lambda child, parent: child < parent,
    "not_before": lambda child, parent: str(child) < str(parent),
    "keep_true": lambda child, parent: parent is True and child is not True,
    "fixed": lambda child, parent: child != parent,
}
RULE = {
    "at_most": "may not be above",
    "at_least": "may not be below",
    "not_before": "may not be earlier than",
    "keep_true": "may not turn off what is required by",
    "fixed": "is fixed by",
}


def bound_problems(own: dict, parent: dict, parent_name: str) -> list[Problem]:
    """What a tenant's own layers set looser than its parent's effective config allows."""
    problems = []
    for path, bound in bounds(full_schema()).items():
        mine, theirs = get_path(own, path), get_path(parent, path)
        if mine is None or theirs is None or not LOOSER[bound](mine, theirs):
            continue
        dotted = ".".join(path)
        problems.append(
            Problem(
                "CONFIG_LOOSENS_PARENT",
                f"{dotted} = {mine} {RULE[bound]} {parent_name} ({theirs})",
                dotted,
            )
        )
    return problems


@dataclass(frozen=True)
class Source:
    """Where a value came from: layer "default" (tenant None) or "file" / "edit" of a tenant."""

    layer: str
    tenant: str | None = None
    version: int | None = None

    def __str__(self) -> str:
        if self.layer == "default":
            return "default"
        return f"{self.layer}:{self.tenant}" + (f"@v{self.version}" if self.version else "")


@dataclass
class EffectiveConfig:
    region_code: str
    values: dict = field(default_factory=dict)
    sources: dict[KeyPath, Source] = field(default_factory=dict)
    # Per tenant in the chain: its own layers merged (file + edit), for bound checks.
    own: dict[str, dict] = field(default_factory=dict)
    edit_version: int = 0


@dataclass(frozen=True)
class Layer:
    source: Source
    values: dict


async def latest_edits(codes: list[str]) -> dict[str, dict]:
    """{tenant: latest edit row} for the given tenants (ancestors included, so opted out).

    Two queries whatever the number of tenants: the latest versions, then those rows."""
    edit = TenantConfigEdit
    with all_tenants("config: a tenant inherits its ancestors' settings", audited=False):
        versions = await (
            edit.select(edit.tenant_id, Max(edit.version, alias="version"))
            .where(edit.tenant_id.is_in(codes))
            .group_by(edit.tenant_id)
        )
        if not versions:
            return {}
        wanted = [
            (edit.tenant_id == v["tenant_id"]) & (edit.version == v["version"]) for v in versions
        ]
        rows = await edit.select().where(reduce(operator.or_, wanted))
    return {row["tenant_id"]: row for row in rows}


def chain_layers(
    tree: TenantTree, code: str, edits: dict[str, dict], files: dict[str, dict] | None = None
) -> list[Layer]:
    node = tree.nodes[code]
    chain = [*reversed(tree.ancestors(code)), code]
    base = defaults()
    layers = [
        Layer(Source("default"), base.get("all", {})),
        Layer(Source("default"), base.get(node.level, {})),
    ]
    for tenant in chain:
        file_layer = (files or {}).get(tenant, tree.nodes[tenant].config)
        layers.append(Layer(Source("file", tenant), file_layer))
        edit = edits.get(tenant)
        if edit:
            layers.append(Layer(Source("edit", tenant, edit["version"]), loads(edit["layer"])))
    return layers


def resolve(code: str, layers: list[Layer]) -> EffectiveConfig:
    result = EffectiveConfig(code)
    for layer in layers:
        result.values = merge(result.values, layer.values)
        for path in leaves(layer.values):
            result.sources[path] = layer.source
        if layer.source.tenant is not None:
            tenant = layer.source.tenant
            result.own[tenant] = merge(result.own.get(tenant, {}), layer.values)
            if layer.source.layer == "edit" and tenant == code:
                result.edit_version = layer.source.version or 0
    return result


@dataclass
class _Memo:
    configs: dict[str, tuple[TenantTree, EffectiveConfig]] = field(default_factory=dict)
    edited: bool = False


_memo: ContextVar[_Memo | None] = ContextVar("config_memo", default=None)


@contextmanager
def read_once() -> Iterator[None]:
    """Within: each tenant's effective config is read from the database once (an operation that
    consults several of a tenant's settings, e.g. an e-mall order: caps, rules, switches, each
    an `effective_config` read). Nested calls join the outer one. An edit made within
    (`config_admin`, through `forget_read_once`) is seen: every read after it goes to the
    database until the outermost `read_once` ends."""
    if _memo.get() is not None:
        yield
        return
    token = _memo.set(_Memo())
    try:
        yield
    finally:
        _memo.reset(token)


P = ParamSpec("P")
R = TypeVar("R")


def reads_config_once(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """An async function whose every call runs within `read_once()`."""

    @wraps(fn)
    async def within(*args: P.args, **kwargs: P.kwargs) -> R:
        with read_once():
            return await fn(*args, **kwargs)

    return within


def forget_read_once() -> None:
    """A tenant's config is being edited in this context: stop remembering (see read_once)."""
    memo = _memo.get()
    if memo is not None:
        memo.edited = True
        memo.configs.clear()


async def effective_config(code: str, tree: TenantTree | None = None) -> EffectiveConfig:
    tree = tree or await tenant_tree()
    memo = _memo.get()
    if memo is not None and not memo.edited:
        kept = memo.configs.get(code)
        if kept is not None and kept[0] is tree:
            return kept[1]
    chain = [*tree.ancestors(code), code]
    edits = await latest_edits(chain)
    found = resolve(code, chain_layers(tree, code, edits))
    if memo is not None and not memo.edited:
        memo.configs[code] = (tree, found)
        for above in chain[:-1]:  # their edits are read too (e.g. the province's switches)
            memo.configs.setdefault(above, (tree, resolve(above, chain_layers(tree, above, edits))))
    return found
