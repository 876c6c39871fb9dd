"""`tenants/*.toml`: one file per tenant, validated whole and applied idempotently.

A file is `<region_code>-<slug>.toml` with a `[tenant]` table:

    [tenant]
    region_code = "441481"   # GB/T 2260, six digits, equal to the file name's prefix
    name = "兴宁市"
    name_en = "Xingning"
    level = "county"         # province | city | county
    parent = "441400"        # required below the province, absent for it
    status = "active"        # active | not_onboarded | retired (optional, default active)

    [config.thresholds]      # optional: this tenant's configuration layer
    open_tender_threshold = 3000000  # (config/tenant-config.schema.json)

Every problem in every file is reported (file and key) before anything is written; then all
files are applied in one transaction. Tenants missing from the files are reported, never deleted:
business data hangs off them.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from gpcloud.core.audit import service as audit
from gpcloud.core.db import transaction
from gpcloud.core.jsonutil import dumps, loads
from gpcloud.core.tenancy.config import (
    bound_problems,
    chain_layers,
    latest_edits,
    plain,
    resolve,
    schema_problems,
)
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.core.tenancy.service import TenantNode, TenantTree, invalidate_tree
from gpcloud.core.tenancy.tables import LEVELS, STATUSES, Tenant

FILE_NAME = re.compile(r"([0-9]{6})-[a-z0-9][a-z0-9-]*\.toml")
REGION_CODE = re.compile(r"[0-9]{6}")
REQUIRED = {"region_code": str, "name": str, "level": str}
OPTIONAL = {"name_en": str, "parent": str, "status": str}
FIELDS = ("name", "name_en", "level", "parent", "status", "config")


class TenantFileError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class ApplyReport:
    created: list[str] = field(default_factory=list)
    changed: list[tuple[str, dict[str, tuple[object, object]]]] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    not_in_files: list[str] = field(default_factory=list)


def read_tenant_files(folder: Path) -> dict[str, dict]:
    """Parse and validate every file; return {region_code: values} or raise TenantFileError."""
    problems: list[str] = []
    tenants: dict[str, dict] = {}
    origin: dict[str, str] = {}
    paths = sorted(folder.glob("*.toml"))
    if not paths:
        raise TenantFileError([f"{folder}: no tenant files (*.toml)"])
    for path in paths:
        values = _read_one(path, problems)
        if values is None:
            continue
        code = values["region_code"]
        if code in tenants:
            problems.append(f"{path.name}: tenant.region_code: {code} is also in {origin[code]}")
            continue
        tenants[code] = values
        origin[code] = path.name
    for code, values in tenants.items():
        _check_parent(origin[code], values, tenants, problems)
    if problems:
        raise TenantFileError(problems)
    return tenants


def _read_one(path: Path, problems: list[str]) -> dict | None:
    name = path.name
    match = FILE_NAME.fullmatch(name)
    if not match:
        problems.append(
            f"{name}: file name must be <region_code>-<slug>.toml, e.g. 441481-xingning.toml"
        )
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    except UnicodeDecodeError:
        problems.append(f"{name}: not UTF-8 text")
        return None
    except tomllib.TOMLDecodeError as exc:
        problems.append(f"{name}: not valid TOML: {exc}")
        return None
    before = len(problems)
    for key in data:
        if key not in ("tenant", "config"):
            problems.append(f"{name}: {key}: unknown section (expected [tenant] and [config])")
    config_layer = plain(data.get("config", {}))
    if not isinstance(config_layer, dict):
        problems.append(f"{name}: config: must be a table")
    else:
        problems.extend(
            f"{name}: config.{p.field or ''}: {p.message}" for p in schema_problems(config_layer)
        )
    section = data.get("tenant")
    if not isinstance(section, dict):
        problems.append(f"{name}: tenant: missing [tenant] table")
        return None
    for key in REQUIRED:
        if key not in section:
            problems.append(f"{name}: tenant.{key}: missing")
    for key, value in section.items():
        kind = REQUIRED.get(key) or OPTIONAL.get(key)
        if kind is None:
            problems.append(f"{name}: tenant.{key}: unknown key")
        elif not isinstance(value, kind):
            problems.append(f"{name}: tenant.{key}: must be a string, got {value!r}")
    if len(problems) > before:
        return None
    values = {
        "region_code": section["region_code"],
        "name": section["name"].strip(),
        "name_en": section.get("name_en", "").strip(),
        "level": section["level"],
        "parent": section.get("parent"),
        "status": section.get("status", "active"),
        "config": config_layer,
    }
    code = values["region_code"]
    if not REGION_CODE.fullmatch(code):
        problems.append(f"{name}: tenant.region_code: must be six digits, got {code!r}")
    elif code != match.group(1):
        problems.append(f"{name}: tenant.region_code: {code} does not match the file name")
    if not values["name"]:
        problems.append(f"{name}: tenant.name: must not be empty")
    if values["level"] not in LEVELS:
        problems.append(
            f"{name}: tenant.level: must be one of {', '.join(LEVELS)}, got {values['level']!r}"
        )
    if values["status"] not in STATUSES:
        problems.append(
            f"{name}: tenant.status: must be one of {', '.join(STATUSES)}, got {values['status']!r}"
        )
    return None if len(problems) > before else values


def _check_parent(name: str, values: dict, tenants: dict[str, dict], problems: list[str]) -> None:
    parent = values["parent"]
    if values["level"] == "province":
        if parent is not None:
            problems.append(f"{name}: tenant.parent: a province has no parent")
        return
    if parent is None:
        problems.append(f"{name}: tenant.parent: required for a {values['level']}")
        return
    if parent not in tenants:
        problems.append(f"{name}: tenant.parent: {parent} is not in any tenant file")
        return
    if LEVELS.index(tenants[parent]["level"]) >= LEVELS.index(values["level"]):
        problems.append(
            f"{name}: tenant.parent: {parent} is a {tenants[parent]['level']}, "
            f"it cannot be the parent of a {values['level']}"
        )


async def _bound_problems(tenants: dict[str, dict]) -> list[str]:
    """A tenant file may not loosen what its parent's effective config fixes."""
    tree = TenantTree(
        [
            TenantNode(
                **{
                    k: v[k]
                    for k in (
                        "region_code",
                        "name",
                        "name_en",
                        "level",
                        "parent",
                        "status",
                        "config",
                    )
                }
            )
            for v in tenants.values()
        ]
    )
    edits = await latest_edits(list(tenants))
    problems = []
    for code, values in tenants.items():
        parent = values["parent"]
        if parent is None:
            continue
        own = resolve(code, chain_layers(tree, code, edits)).own.get(code, {})
        parent_values = resolve(parent, chain_layers(tree, parent, edits)).values
        problems += [
            f"{code}: config.{p.field}: {p.message}"
            for p in bound_problems(own, parent_values, tenants[parent]["name"])
        ]
    return problems


async def apply_tenant_files(folder: Path, dry_run: bool = False) -> ApplyReport:
    tenants = read_tenant_files(folder)
    problems = await _bound_problems(tenants)
    if problems:
        raise TenantFileError(problems)
    report = ApplyReport()
    # Parents before children, for the foreign key.
    ordered = sorted(tenants.values(), key=lambda v: (LEVELS.index(v["level"]), v["region_code"]))
    with all_tenants("tenants apply: tenants are the root of every scope"):
        async with transaction():
            existing = {row["region_code"]: row for row in await Tenant.select()}
            for values in ordered:
                code = values["region_code"]
                row = existing.get(code)
                before = (
                    {**{k: row[k] for k in FIELDS}, "config": loads(row["config"])} if row else None
                )
                after = {k: values[k] for k in FIELDS}
                if before == after:
                    report.unchanged.append(code)
                    continue
                if before is None:
                    report.created.append(code)
                else:
                    report.changed.append(
                        (code, {k: (before[k], after[k]) for k in FIELDS if before[k] != after[k]})
                    )
                if dry_run:
                    continue
                stored = {**after, "config": dumps(after["config"])}
                if before is None:
                    await Tenant.insert(Tenant(region_code=code, **stored))
                else:
                    changes = {k: stored[k] for k in FIELDS if before[k] != after[k]}
                    await Tenant.update({**changes, "updated_at": datetime.now(UTC)}).where(
                        Tenant.region_code == code
                    )
                await audit.record(
                    "tenant.create" if before is None else "tenant.update",
                    "tenant",
                    code,
                    before,
                    after,
                    tenant=code,
                    actor="cli:tenants apply",
                )
        report.not_in_files = sorted(set(existing) - set(tenants))
    invalidate_tree()
    return report
