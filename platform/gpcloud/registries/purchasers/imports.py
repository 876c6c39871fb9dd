"""The purchaser file of the old portal (and of digital_finance): one budget unit per row.

Upserts by budget unit code within the import's tenant. A parent unit must be registered
already or appear earlier in the file. A login name creates the unit's purchaser account with
must_change_password (the seed's first-login rule), keeping the old portal's password hash when
given; the same login name on another unit rejects the row.
"""

from __future__ import annotations

from datetime import UTC, datetime

from gpcloud.core.auth import service as accounts_service
from gpcloud.core.auth.permissions import Perm
from gpcloud.core.auth.roles import PURCHASER
from gpcloud.core.auth.service import NewAccount
from gpcloud.core.auth.tables import Organisation
from gpcloud.core.db import any_of, bulk_insert
from gpcloud.core.imports import columns as p
from gpcloud.core.imports.spec import Column, ImportRow, ImportSpec, reason
from gpcloud.registries.purchasers.tables import Purchaser

CODE = p.pattern(r"[0-9A-Za-z]{1,32}", "INVALID_FORMAT", "1 to 32 letters or digits")


NAME = p.length(2, 128)
COLUMNS = (
    Column("budget_unit_code", "预算单位编码", True, CODE, "441481001", "digital_finance's code"),
    Column("name", "单位名称", True, NAME, "兴宁市第一中学"),
    Column("uscc", "统一社会信用代码", False, p.uscc, "12441481MB2C900042"),
    Column(
        "parent_budget_unit_code",
        "上级单位编码",
        False,
        CODE,
        "441481000",
        "registered already or earlier in the file",
    ),
    Column("contact_name", "联系人", False, p.text(32), "办公室"),
    Column("contact_phone", "联系电话", False, p.phone, "0753-3333333"),
    Column("login_name", "登录账号", False, p.login_name, "xn_yizhong", "kept from the old portal"),
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
        p.choice(
            {
                "active": "active",
                "正常": "active",
                "有效": "active",
                "inactive": "inactive",
                "停用": "inactive",
                "invalid": "invalid",
                "无效": "invalid",
                "已失效": "invalid",
            }
        ),
        "正常",
        "invalid (无效) rows are reported, not migrated",
    ),
)


def _check(row: ImportRow) -> None:
    v = row.values
    if v["password_hash"] and not v["login_name"]:
        row.reject(reason("LOGIN_NAME_NEEDED", "needs a login_name", "password_hash"))
    if v["parent_budget_unit_code"] == v["budget_unit_code"]:
        row.reject(
            reason("OWN_PARENT", "a unit cannot be its own parent", "parent_budget_unit_code")
        )


def _changes(row: ImportRow, current: dict, keys: tuple[str, ...]) -> dict:
    """What the row changes; an empty optional cell means "no information", not "erase"."""
    return {
        k: row.values[k] for k in keys if row.values[k] is not None and row.values[k] != current[k]
    }


async def _existing(tenant: str, codes: list[str]) -> dict[str, dict]:
    rows = await Purchaser.select(
        Purchaser.id,
        Purchaser.budget_unit_code,
        Purchaser.organisation,
        Purchaser.parent,
        Purchaser.contact_name,
        Purchaser.contact_phone,
        Purchaser.status,
        Purchaser.organisation.name.as_alias("name"),
        Purchaser.organisation.uscc.as_alias("uscc"),
    ).where((Purchaser.tenant_id == tenant) & any_of(Purchaser.budget_unit_code, codes))
    return {r["budget_unit_code"]: r for r in rows}


async def _ids(tenant: str, codes: set[str]) -> dict[str, int]:
    if not codes:
        return {}
    rows = await Purchaser.select(Purchaser.id, Purchaser.budget_unit_code).where(
        (Purchaser.tenant_id == tenant) & any_of(Purchaser.budget_unit_code, sorted(codes))
    )
    return {r["budget_unit_code"]: r["id"] for r in rows}


async def apply_batch(rows: list[ImportRow], tenant: str) -> None:
    codes = [r.values["budget_unit_code"] for r in rows]
    existing = await _existing(tenant, codes)

    # Credit codes held by other organisations.
    usccs = sorted({r.values["uscc"] for r in rows if r.values["uscc"]})
    holders = {
        o["uscc"]: o
        for o in (
            await Organisation.select(Organisation.id, Organisation.uscc, Organisation.name).where(
                any_of(Organisation.uscc, usccs)
            )
            if usccs
            else []
        )
    }
    # Parents: registered already, or earlier in this batch (earlier batches are registered).
    parent_codes = {
        r.values["parent_budget_unit_code"] for r in rows if r.values["parent_budget_unit_code"]
    }
    known = set(await _ids(tenant, parent_codes))
    # Login names taken by someone else.
    logins = sorted({r.values["login_name"] for r in rows if r.values["login_name"]})
    accounts = await accounts_service.account_owners(logins)

    uscc_rows: dict[str, int] = {}
    for row in rows:
        v, current = row.values, existing.get(row.values["budget_unit_code"])
        if v["uscc"] and uscc_rows.setdefault(v["uscc"], row.number) != row.number:
            row.reject(reason("DUPLICATE_USCC", f"also in row {uscc_rows[v['uscc']]}", "uscc"))
        holder = holders.get(v["uscc"])
        if holder and (current is None or holder["id"] != current["organisation"]):
            row.reject(
                reason("USCC_REGISTERED", "already registered", "uscc")
            )  # not naming another region's record
        parent = v["parent_budget_unit_code"]
        if parent and parent not in known:
            row.reject(
                reason(
                    "UNKNOWN_PARENT",
                    f"{parent} is not registered (list parents first)",
                    "parent_budget_unit_code",
                )
            )
        account = accounts.get(v["login_name"])
        if account is not None and (current is None or account != current["organisation"]):
            row.reject(reason("LOGIN_NAME_TAKEN", f"{v['login_name']} is taken", "login_name"))
        if row.ok:
            known.add(v["budget_unit_code"])

    now = datetime.now(UTC)
    new = [r for r in rows if r.ok and r.values["budget_unit_code"] not in existing]
    parent_ids = await _ids(tenant, parent_codes)
    if new:
        orgs = await bulk_insert(
            Organisation,
            [
                {
                    "name": r.values["name"],
                    "kind": "purchaser",
                    "region": tenant,
                    "uscc": r.values["uscc"],
                }
                for r in new
            ],
        )
        await _insert_units(tenant, list(zip(new, orgs, strict=True)), parent_ids)
    ids = {**parent_ids, **await _ids(tenant, {r.values["budget_unit_code"] for r in rows if r.ok})}
    for row in rows:
        if not row.ok or row.outcome == "created":
            continue
        current = existing[row.values["budget_unit_code"]]
        org_changes = _changes(row, current, ("name", "uscc"))
        own_changes = _changes(row, current, ("contact_name", "contact_phone", "status"))
        parent = row.values["parent_budget_unit_code"]
        if parent and ids[parent] != current["parent"]:
            own_changes["parent"] = ids[parent]
        if org_changes:
            await Organisation.update(org_changes).where(Organisation.id == current["organisation"])
        if own_changes:
            await Purchaser.update({**own_changes, "updated_at": now}).where(
                Purchaser.id == current["id"]
            )
        row.outcome = "updated" if org_changes or own_changes else "unchanged"

    await _accounts(rows, tenant, accounts)


async def _insert_units(tenant: str, new: list[tuple[ImportRow, int]], ids: dict[str, int]) -> None:
    """Insert new units level by level, so each row carries its parent's id (parents come
    earlier in the file or are registered): one bulk insert per level of the tree in the batch."""
    waiting = new
    while waiting:
        ready, later = [], []
        for pair in waiting:
            parent = pair[0].values["parent_budget_unit_code"]
            (ready if not parent or parent in ids else later).append(pair)
        waiting = later
        if not ready:
            raise RuntimeError("purchaser import: a parent that was checked is missing")
        made = await bulk_insert(
            Purchaser,
            [
                {
                    "tenant_id": tenant,
                    "organisation": org,
                    "budget_unit_code": r.values["budget_unit_code"],
                    "parent": ids.get(r.values["parent_budget_unit_code"]),
                    "contact_name": r.values["contact_name"] or "",
                    "contact_phone": r.values["contact_phone"] or "",
                    "status": r.values["status"] or "active",
                }
                for r, org in ready
            ],
        )
        for (row, _), unit_id in zip(ready, made, strict=True):
            ids[row.values["budget_unit_code"]] = unit_id
            row.outcome = "created"


async def _accounts(rows: list[ImportRow], tenant: str, accounts: dict[str, int]) -> None:
    """Purchaser accounts for new login names, flagged to change their password at first login."""
    wanted = [
        r
        for r in rows
        if r.ok and r.values["login_name"] and r.values["login_name"] not in accounts
    ]
    if not wanted:
        return
    orgs = {
        r["budget_unit_code"]: r["organisation"]
        for r in await Purchaser.select(Purchaser.budget_unit_code, Purchaser.organisation).where(
            (Purchaser.tenant_id == tenant)
            & any_of(Purchaser.budget_unit_code, [r.values["budget_unit_code"] for r in wanted])
        )
    }
    await accounts_service.provision_accounts(
        [
            NewAccount(
                tenant=tenant,
                organisation=orgs[r.values["budget_unit_code"]],
                username=r.values["login_name"],
                role=PURCHASER,
                password_hash=r.values["password_hash"] or "",
            )
            for r in wanted
        ]
    )
    for row in wanted:
        if row.outcome == "unchanged":
            row.outcome = "updated"


SPEC = ImportSpec(
    registry="purchasers",
    title="采购人（预算单位）",
    columns=COLUMNS,
    key="budget_unit_code",
    apply_batch=apply_batch,
    permission=Perm.PURCHASER_MANAGE,
    tenant_owned=True,
    check_row=_check,
    invalid=lambda row: row.values["status"] == "invalid",
)
