"""The agency file of the old portal: one agency per row, keyed by its credit code (seed 二.1:
agencies are migrated; rows the old portal knows to be invalid are reported, not migrated).

Migrated agencies were registered there, so they arrive approved unless the file says otherwise.
A row upserts the agency's organisation (name, region) and profile; blank optional cells keep
what is stored; listed tenants are added, never removed. A login name creates an agency account
in the agency's region with must_change_password (the seed's first-login rule), keeping the old
portal's password hash when given. Rooms come in a second file: see rooms.py.
"""

from __future__ import annotations

from datetime import UTC, datetime

from gpcloud.core.auth import service as accounts_service
from gpcloud.core.auth.permissions import Perm
from gpcloud.core.auth.roles import AGENCY
from gpcloud.core.auth.service import NewAccount
from gpcloud.core.auth.tables import Organisation
from gpcloud.core.db import any_of, bulk_insert
from gpcloud.core.imports import columns as p
from gpcloud.core.imports.spec import Column, ImportRow, ImportSpec, reason
from gpcloud.core.tenancy.scope import current_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.registries.agencies.service.common import CA_SERIAL, REGION_CODE
from gpcloud.registries.agencies.tables import Agency, AgencyTenant

MIGRATED = "迁移自原广东省政府采购网"


NAME = p.length(2, 128)


def _region(value: str) -> str:
    if not REGION_CODE.fullmatch(value):
        raise ValueError("a six-digit region code, e.g. 441481")
    return value


def _tenants(value: str) -> tuple[str, ...]:
    codes = {c.strip() for c in value.replace("；", ";").split(";") if c.strip()}
    if not codes:
        raise ValueError("region codes separated by ';', e.g. 441481;441400")
    for code in codes:
        _region(code)
    return tuple(sorted(codes))


def _ca_issuer(value: str) -> str:
    if not 2 <= len(value) <= 128:
        raise ValueError("2 to 128 characters")
    return value


STATUS = p.choice(
    {
        "approved": "approved",
        "已审核": "approved",
        "审核通过": "approved",
        "正常": "approved",
        "有效": "approved",
        "pending": "pending",
        "待审核": "pending",
        "rejected": "rejected",
        "审核不通过": "rejected",
        "suspended": "suspended",
        "暂停": "suspended",
        "停用": "suspended",
        "invalid": "invalid",
        "无效": "invalid",
        "已失效": "invalid",
    }
)

COLUMNS = (
    Column("uscc", "统一社会信用代码", True, p.uscc, "91441481MA4W0001XX", "identifies the agency"),
    Column("name", "机构名称", True, NAME, "兴宁市示例招标代理有限公司"),
    Column(
        "region_code",
        "所在地区",
        True,
        _region,
        "441481",
        "where it is registered (on the platform); its accounts belong there",
    ),
    Column(
        "tenants",
        "业务地区",
        False,
        _tenants,
        "441481;441400",
        "region codes it works in, ';'-separated (default: region_code); added, never removed",
    ),
    Column("contact_name", "联系人", False, p.text(32), "业务部"),
    Column("contact_phone", "联系电话", False, p.phone, "0753-3000000"),
    Column(
        "ca_serial",
        "CA证书序列号",
        False,
        p.pattern(CA_SERIAL.pattern, "INVALID_FORMAT", "4 to 64 letters or digits"),
        "5A3F0011223344",
        "with ca_issuer and ca_valid_until",
    ),
    Column("ca_issuer", "CA颁发机构", False, _ca_issuer, "广东数字证书认证中心"),
    Column(
        "ca_valid_until",
        "CA有效期至",
        False,
        p.iso_date,
        "2026-12-31",
        "an expired date is migrated as it is; readiness reports it",
    ),
    Column("login_name", "登录账号", False, p.login_name, "xn_shili", "kept from the old portal"),
    Column(
        "password_hash",
        "密码哈希",
        False,
        p.legacy_password_hash,
        "md5:5f4dcc3b5aa765d61d8327deb882cf99",
        "the old portal's hash; without it the account waits for a password reset",
    ),
    Column(
        "status",
        "状态",
        False,
        STATUS,
        "正常",
        "approved (default), pending, rejected, suspended; invalid (无效) rows are reported, not migrated",
    ),
)
CA = ("ca_serial", "ca_issuer", "ca_valid_until")


def _check(row: ImportRow) -> None:
    v = row.values
    if v["password_hash"] and not v["login_name"]:
        row.reject(reason("LOGIN_NAME_NEEDED", "needs a login_name", "password_hash"))
    given = [c for c in CA if v[c] is not None]
    if given and len(given) < len(CA):
        missing = ", ".join(c for c in CA if v[c] is None)
        row.reject(reason("CA_INCOMPLETE", f"required with {', '.join(given)}", missing))


async def _check_regions(rows: list[ImportRow]) -> None:
    tree = await tenant_tree()
    for row in rows:
        v = row.values
        for column, codes in (("region_code", [v["region_code"]]), ("tenants", v["tenants"] or ())):
            for code in codes:
                node = tree.get(code)
                if node is None:
                    row.reject(reason("UNKNOWN_REGION", f"no region {code}", column))
                elif node.status != "active":
                    row.reject(
                        reason(
                            "REGION_NOT_LIVE", f"{code} {node.name} is not on the platform", column
                        )
                    )
        if v["login_name"] and not current_scope().can_see(v["region_code"]):
            row.reject(
                reason(
                    "PROVINCE_IMPORT_NEEDED",
                    f"accounts of {v['region_code']} need an import for the province",
                    "login_name",
                )
            )


async def _existing(usccs: list[str]) -> dict[str, dict]:
    """{uscc: organisation} with the agency (agency_id None when it has none yet)."""
    orgs = await Organisation.select(
        Organisation.id,
        Organisation.uscc,
        Organisation.name,
        Organisation.kind,
        Organisation.region,
    ).where(any_of(Organisation.uscc, usccs))
    agencies = {
        a["organisation"]: a
        for a in await Agency.select(
            Agency.id,
            Agency.organisation,
            Agency.status,
            Agency.contact_name,
            Agency.contact_phone,
            Agency.ca_serial,
            Agency.ca_issuer,
            Agency.ca_valid_until,
        ).where(any_of(Agency.organisation, [o["id"] for o in orgs] or [0]))
    }
    found = {}
    for org in orgs:
        agency = agencies.get(org["id"], {})
        found[org["uscc"]] = {
            **agency,
            **org,
            "organisation": org["id"],
            "agency_id": agency.get("id"),
        }
    return found


async def apply_batch(rows: list[ImportRow], tenant: str) -> None:
    await _check_regions(rows)
    existing = await _existing([r.values["uscc"] for r in rows])
    logins = sorted({r.values["login_name"] for r in rows if r.values["login_name"]})
    accounts = await accounts_service.account_owners(logins)
    first_row: dict[str, int] = {}
    for row in rows:
        current = existing.get(row.values["uscc"])
        if current and current["kind"] != "agency":
            row.reject(
                reason(
                    "NOT_AN_AGENCY", "registered to an organisation that is not an agency", "uscc"
                )
            )
        login = row.values["login_name"]
        if login in accounts and (current is None or accounts[login] != current["organisation"]):
            row.reject(reason("LOGIN_NAME_TAKEN", f"{login} is taken", "login_name"))
        elif login and first_row.setdefault(login, row.number) != row.number:
            row.reject(
                reason("DUPLICATE_ROW", f"{login} is also in row {first_row[login]}", "login_name")
            )

    now = datetime.now(UTC)
    fresh = [r for r in rows if r.ok and r.values["uscc"] not in existing]
    if fresh:
        orgs = await bulk_insert(
            Organisation,
            [
                {
                    "name": r.values["name"],
                    "kind": "agency",
                    "region": r.values["region_code"],
                    "uscc": r.values["uscc"],
                }
                for r in fresh
            ],
        )
        for row, org in zip(fresh, orgs, strict=True):
            existing[row.values["uscc"]] = {
                "organisation": org,
                "agency_id": None,
                "name": row.values["name"],
                "region": row.values["region_code"],
            }
    new = [r for r in rows if r.ok and existing[r.values["uscc"]]["agency_id"] is None]
    if new:
        for row in new:
            current = existing[row.values["uscc"]]
            await _update_organisation(row, current)
        ids = await bulk_insert(
            Agency, [_new_agency(r, existing[r.values["uscc"]]["organisation"], now) for r in new]
        )
        for row, agency in zip(new, ids, strict=True):
            existing[row.values["uscc"]]["agency_id"] = agency
            row.outcome = "created"
    for row in rows:
        if row.ok and row.outcome != "created":
            current = existing[row.values["uscc"]]
            changed = await _update_organisation(row, current)
            changed = await _update_agency(row, current, now) or changed
            row.outcome = "updated" if changed else "unchanged"
    await _add_tenants([r for r in rows if r.ok], existing)
    await _accounts([r for r in rows if r.ok], existing, accounts)


def _new_agency(row: ImportRow, organisation: int, now: datetime) -> dict:
    v = row.values
    return {
        "organisation": organisation,
        "status": v["status"] or "approved",
        "status_reason": MIGRATED,
        "contact_name": v["contact_name"] or "",
        "contact_phone": v["contact_phone"] or "",
        "ca_serial": v["ca_serial"] or "",
        "ca_issuer": v["ca_issuer"] or "",
        "ca_valid_until": v["ca_valid_until"],
        "decided_at": now,
        "created_at": now,
        "updated_at": now,
    }


async def _update_organisation(row: ImportRow, current: dict) -> bool:
    changes = {
        column: value
        for column, value, key in (
            (Organisation.name, row.values["name"], "name"),
            (Organisation.region, row.values["region_code"], "region"),
        )
        if value != current[key]
    }
    if changes:
        await Organisation.update(changes).where(Organisation.id == current["organisation"])
    return bool(changes)


async def _update_agency(row: ImportRow, current: dict, now: datetime) -> bool:
    """What the row changes; an empty optional cell means "no information", not "erase"."""
    keys = ("contact_name", "contact_phone", "ca_serial", "ca_issuer", "ca_valid_until", "status")
    changes = {
        k: row.values[k] for k in keys if row.values[k] is not None and row.values[k] != current[k]
    }
    if "status" in changes:
        changes.update(status_reason=MIGRATED, decided_at=now, decided_by=None)
    if changes:
        await Agency.update({**changes, "updated_at": now}).where(Agency.id == current["agency_id"])
    return bool(changes)


async def _add_tenants(rows: list[ImportRow], existing: dict[str, dict]) -> None:
    wanted = {
        (existing[r.values["uscc"]]["agency_id"], code)
        for r in rows
        for code in (r.values["tenants"] or (r.values["region_code"],))
    }
    if not wanted:
        return
    have = {
        (t["agency"], t["tenant"])
        for t in await AgencyTenant.select(AgencyTenant.agency, AgencyTenant.tenant).where(
            any_of(AgencyTenant.agency, sorted({a for a, _ in wanted}))
        )
    }
    missing = sorted(wanted - have)
    if missing:
        await bulk_insert(
            AgencyTenant, [{"agency": a, "tenant": t} for a, t in missing], returning=False
        )
    touched = {a for a, _ in missing}
    for row in rows:
        if row.outcome == "unchanged" and existing[row.values["uscc"]]["agency_id"] in touched:
            row.outcome = "updated"


async def _accounts(
    rows: list[ImportRow], existing: dict[str, dict], accounts: dict[str, int]
) -> None:
    """Agency accounts for new login names, flagged to change their password at first login."""
    wanted = [r for r in rows if r.values["login_name"] and r.values["login_name"] not in accounts]
    if not wanted:
        return
    await accounts_service.provision_accounts(
        [
            NewAccount(
                tenant=r.values["region_code"],
                organisation=existing[r.values["uscc"]]["organisation"],
                username=r.values["login_name"],
                role=AGENCY,
                password_hash=r.values["password_hash"] or "",
            )
            for r in wanted
        ]
    )
    for row in wanted:
        if row.outcome == "unchanged":
            row.outcome = "updated"


SPEC = ImportSpec(
    registry="agencies",
    title="代理机构",
    columns=COLUMNS,
    key="uscc",
    apply_batch=apply_batch,
    permission=Perm.AGENCY_IMPORT,
    tenant_owned=False,
    check_row=_check,
    invalid=lambda row: row.values["status"] == "invalid",
)
