"""The old portal's supplier file: one supplier per row, keyed by credit code. A provincial
admin imports it; suppliers are province-shared and each row names its home region.

Suppliers upsert by credit code: an organisation of kind supplier with that code is adopted, one
of another kind rejects the row. What the platform needs but the row lacks leaves the supplier
`incomplete` (its users complete it). A login name creates the supplier's account with
must_change_password (seed, section 7), keeping the old portal's password hash when given.
Per batch: a handful of queries to look rows up, bulk inserts for new records, one update per
changed record; a re-run changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

from gpcloud.core.auth import service as accounts_service
from gpcloud.core.auth.permissions import Perm
from gpcloud.core.auth.roles import SUPPLIER
from gpcloud.core.auth.service import NewAccount
from gpcloud.core.auth.tables import Organisation
from gpcloud.core.db import any_of, bulk_insert
from gpcloud.core.imports import columns as p
from gpcloud.core.imports.spec import BulkPath, Column, ImportRow, ImportSpec, reason
from gpcloud.core.tenancy.scope import current_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.registries.suppliers.service import records as r
from gpcloud.registries.suppliers.tables import (
    SIZE_LABELS,
    Supplier,
)

NAME = p.length(2, 128)


def _ca_serial(value: str) -> str:
    if not r.CA_SERIAL.fullmatch(value):
        raise ValueError("1 to 64 letters, digits, ':' or '-'")
    return value


SIZE = p.choice(
    {
        **{k: k for k in SIZE_LABELS},
        **{v: k for k, v in SIZE_LABELS.items()},
        "大型企业": "large",
        "中型企业": "medium",
        "小型企业": "small",
        "微型企业": "micro",
    }
)
STATUS = p.choice(
    {
        "active": "active",
        "正常": "active",
        "有效": "active",
        "inactive": "inactive",
        "停用": "inactive",
        "注销": "inactive",
        "invalid": "invalid",
        "无效": "invalid",
        "已失效": "invalid",
    }
)
COLUMNS = (
    Column(
        "uscc", "统一社会信用代码", True, p.uscc, "91441481MA4W00201W", "identifies the supplier"
    ),
    Column("name", "供应商名称", True, NAME, "兴宁市宁江五金机电有限公司"),
    Column(
        "region_code",
        "所属区划",
        True,
        p.pattern(r"[0-9]{6}", "INVALID_FORMAT", "a six-digit region code"),
        "441481",
        "home region: a tenant on the platform",
    ),
    Column(
        "size_class",
        "企业规模",
        False,
        SIZE,
        "小型",
        "large, medium, small, micro (大型/中型/小型/微型)",
    ),
    Column("address", "地址", False, p.text(255), "兴宁市兴城镇工业大道18号"),
    Column("legal_representative", "法定代表人", False, p.text(32), "示例法人甲"),
    Column("contact_name", "联系人", False, p.text(32), "示例联系人乙"),
    Column("contact_phone", "联系电话", False, p.phone, "0753-3000000"),
    Column("contact_email", "电子邮箱", False, p.email, "sales@example.com"),
    Column("ca_serial", "CA证书序列号", False, _ca_serial, "4A3F0012"),
    Column("ca_issuer", "CA证书颁发机构", False, p.text(128), "广东省电子商务认证有限公司"),
    Column(
        "ca_valid_until",
        "CA证书有效期至",
        False,
        p.iso_date,
        "2027-06-30",
        "an expired certificate is kept; the supplier stays incomplete until it renews",
    ),
    Column("login_name", "登录账号", False, p.login_name, "nj_wujin", "kept from the old portal"),
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
        "active or inactive (停用/注销); invalid (无效) rows are reported, not migrated",
    ),
)

DETAILS = (
    "size_class",
    "address",
    "legal_representative",
    "contact_name",
    "contact_phone",
    "contact_email",
    "ca_serial",
    "ca_issuer",
    "ca_valid_until",
)


def _check(row: ImportRow) -> None:
    if row.values["password_hash"] and not row.values["login_name"]:
        row.reject(reason("LOGIN_NAME_NEEDED", "needs a login_name", "password_hash"))


def _region_problem(row: ImportRow, tree, scope) -> str | None:
    code = row.values["region_code"]
    node = tree.get(code)
    if node is None or not scope.can_see(code):
        return reason("UNKNOWN_REGION", f"no region {code} in the import's region", "region_code")
    if node.status != "active":
        return reason(
            "REGION_NOT_LIVE", f"{node.name} ({code}) is not on the platform", "region_code"
        )
    return None


async def _regions(rows: list[ImportRow]) -> None:
    tree, scope = await tenant_tree(), current_scope()
    for row in rows:
        problem = _region_problem(row, tree, scope)
        if problem:
            row.reject(problem)


async def _screen(rows: list[ImportRow]) -> list[ImportRow]:
    """Rows in a region of the import may be staged; apply_batch words the others' problems."""
    tree, scope = await tenant_tree(), current_scope()
    return [row for row in rows if _region_problem(row, tree, scope) is None]


def _status(row: ImportRow, current: dict | None, merged: dict) -> str:
    """inactive when the file says so; a suspension stays; otherwise what the information says."""
    if row.values["status"] == "inactive":
        return "inactive"
    if current is not None and current["status"] == "suspended":
        return "suspended"
    if current is not None and current["status"] == "inactive" and row.values["status"] is None:
        return "inactive"
    return r.status_after("incomplete", merged)


def _new(row: ImportRow) -> dict:
    """A new supplier record's details and status (its organisation aside)."""
    details = {k: row.values[k] for k in DETAILS if row.values[k] is not None}
    return {
        "status": _status(row, None, r.merged({"uscc": row.values["uscc"]}, details)),
        **details,
    }


async def apply_batch(rows: list[ImportRow], tenant: str) -> None:
    await _regions(rows)
    usccs = [row.values["uscc"] for row in rows]
    holders = {
        o["uscc"]: o
        for o in await Organisation.select(
            Organisation.id,
            Organisation.uscc,
            Organisation.name,
            Organisation.kind,
            Organisation.region,
        ).where(any_of(Organisation.uscc, usccs))
    }
    org_ids = [o["id"] for o in holders.values() if o["kind"] == "supplier"]
    existing = {
        s["uscc"]: s
        for s in (
            await Supplier.select(*r.COLUMNS).where(any_of(Supplier.organisation, org_ids))
            if org_ids
            else []
        )
    }
    logins = sorted({row.values["login_name"] for row in rows if row.values["login_name"]})
    accounts = await accounts_service.account_owners(logins)

    claimed: set[str] = set()
    scope = current_scope()
    for row in rows:
        v, holder = row.values, holders.get(row.values["uscc"])
        if holder and holder["kind"] != "supplier":
            row.reject(
                reason(
                    "NOT_A_SUPPLIER", "registered to an organisation that is not a supplier", "uscc"
                )
            )
        elif holder and not scope.can_see(holder["region"]):
            row.reject(reason("USCC_ELSEWHERE", "registered outside the import's region", "uscc"))
        account, login = accounts.get(v["login_name"]), v["login_name"]
        if account is not None and (holder is None or account != holder["id"]):
            row.reject(reason("LOGIN_NAME_TAKEN", f"{login} is taken", "login_name"))
        elif login and login in claimed:
            row.reject(
                reason(
                    "DUPLICATE_ROW", f"{login} is also on another row of this batch", "login_name"
                )
            )
        if row.ok and login:
            claimed.add(login)

    now = datetime.now(UTC)
    new_orgs = [row for row in rows if row.ok and row.values["uscc"] not in holders]
    if new_orgs:
        inserted = await bulk_insert(
            Organisation,
            [
                {
                    "name": row.values["name"],
                    "kind": "supplier",
                    "region": row.values["region_code"],
                    "uscc": row.values["uscc"],
                }
                for row in new_orgs
            ],
        )
        for row, org_id in zip(new_orgs, inserted, strict=True):
            holders[row.values["uscc"]] = {"id": org_id, "kind": "supplier"}
    # New supplier records: for new organisations and adopted ones that had none.
    new = [row for row in rows if row.ok and row.values["uscc"] not in existing]
    if new:
        records = []
        for row in new:
            records.append({"organisation": holders[row.values["uscc"]]["id"], **_new(row)})
            row.outcome = "created"
        await bulk_insert(Supplier, records, returning=False)
        await _adopted(new, holders)

    for row in rows:
        if not row.ok or row.outcome == "created":
            continue
        current = existing[row.values["uscc"]]
        org_changes = {
            column: row.values[key]
            for column, key, now_value in (
                (Organisation.name, "name", current["name"]),
                (Organisation.region, "region_code", current["region"]),
            )
            if row.values[key] != now_value
        }
        changes = {
            k: row.values[k]
            for k in DETAILS
            if row.values[k] is not None and row.values[k] != current[k]
        }
        status = _status(row, current, r.merged(current, changes))
        if status != current["status"]:
            changes["status"] = status
        if org_changes:
            await Organisation.update(org_changes).where(Organisation.id == current["organisation"])
        if changes:
            await Supplier.update({**changes, "updated_at": now}).where(
                Supplier.id == current["id"]
            )
        row.outcome = "updated" if org_changes or changes else "unchanged"
    await _accounts(rows, holders, accounts)


async def _adopted(rows: list[ImportRow], holders: dict[str, dict]) -> None:
    """Supplier organisations registered before without a supplier record take the row's name
    and region."""
    for row in rows:
        holder = holders[row.values["uscc"]]
        if "name" not in holder:
            continue  # inserted by this batch
        changes = {
            column: row.values[key]
            for column, key in ((Organisation.name, "name"), (Organisation.region, "region_code"))
            if row.values[key] != holder[key if key == "name" else "region"]
        }
        if changes:
            await Organisation.update(changes).where(Organisation.id == holder["id"])


async def _accounts(
    rows: list[ImportRow], holders: dict[str, dict], accounts: dict[str, int]
) -> None:
    """Supplier accounts for new login names, flagged to change their password at first login;
    the contact on the row is the account's profile as far as it goes."""
    wanted = [
        row
        for row in rows
        if row.ok and row.values["login_name"] and row.values["login_name"] not in accounts
    ]
    if not wanted:
        return
    await accounts_service.provision_accounts(
        [
            NewAccount(
                tenant=row.values["region_code"],
                organisation=holders[row.values["uscc"]]["id"],
                username=row.values["login_name"],
                role=SUPPLIER,
                password_hash=row.values["password_hash"] or "",
                display_name=row.values["contact_name"] or "",
                mobile=row.values["contact_phone"] or "",
                email=row.values["contact_email"] or "",
            )
            for row in wanted
        ]
    )
    for row in wanted:
        if row.outcome == "unchanged":
            row.outcome = "updated"


def _staged(row: ImportRow) -> tuple | None:
    """The staging values of a row (BulkPath); a row with a login name provisions an account
    and takes apply_batch."""
    if row.values["login_name"]:
        return None
    new, v = _new(row), row.values
    return (
        v["uscc"],
        v["name"],
        v["region_code"],
        *(new.get(k, None if k == "ca_valid_until" else "") for k in DETAILS),
        new["status"],
    )


# Rows whose credit code no organisation holds: organisation and supplier record in one
# statement, the organisation's id drawn first so that nothing joins what was inserted. A code
# registered meanwhile fails the statement, and the batch goes to apply_batch. The code is
# looked up row by row in its unique index (a scalar subquery, which PostgreSQL does not turn
# into a join): NOT EXISTS became a hash anti join that read the whole table every batch.
_DETAILS = ", ".join(DETAILS)
INSERT = f"""
WITH fresh AS (
    SELECT nextval(pg_get_serial_sequence('organisation', 'id')) AS id, s.*
    FROM {{stage}} s
    WHERE (SELECT o.id FROM organisation o WHERE o.uscc = s.uscc) IS NULL
    ORDER BY s.n
), orgs AS (
    INSERT INTO organisation (id, name, kind, region, uscc)
    SELECT id, name, 'supplier', region, uscc FROM fresh ORDER BY n
), made AS (
    INSERT INTO supplier (organisation, {_DETAILS}, status)
    SELECT id, {_DETAILS}, status FROM fresh ORDER BY n
)
SELECT array_agg(n) FROM fresh
"""
BULK = BulkPath(
    columns=(
        ("uscc", "text"),
        ("name", "text"),
        ("region", "text"),
        *((k, "date" if k == "ca_valid_until" else "text") for k in DETAILS),
        ("status", "text"),
    ),
    record=_staged,
    insert=INSERT,
    screen=_screen,
)

SPEC = ImportSpec(
    registry="suppliers",
    title="供应商",
    columns=COLUMNS,
    key="uscc",
    apply_batch=apply_batch,
    permission=Perm.SUPPLIER_IMPORT,
    tenant_owned=False,
    check_row=_check,
    invalid=lambda row: row.values["status"] == "invalid",
    bulk=BULK,
)
