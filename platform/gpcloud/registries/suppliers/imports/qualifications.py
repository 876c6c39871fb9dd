"""The qualification file: a supplier's certificates and licences, imported after the suppliers.

Upserts by (supplier, kind, number); an expired validity date rejects the row.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.clock import today
from gpcloud.core.imports import columns as p
from gpcloud.core.imports.spec import Column, ImportRow, ImportSpec, reason
from gpcloud.registries.suppliers.service import records as r
from gpcloud.registries.suppliers.tables import (
    QUALIFICATION_KINDS,
    QUALIFICATION_LABELS,
    Supplier,
    SupplierQualification,
)

# "长期" (no expiry, e.g. most business licences) is kept as the last representable date.
LONG_TERM = date(9999, 12, 31)


def _valid_until(value: str) -> date:
    if value in ("长期", "长期有效", "long_term"):
        return LONG_TERM
    parsed = p.iso_date(value)
    if parsed < today():
        raise ValueError(f"expired on {parsed}")
    return parsed


def _number(value: str) -> str:
    if len(value) > 64:
        raise ValueError("at most 64 characters")
    return value


KIND = p.choice(
    {
        **{k: k for k in QUALIFICATION_KINDS},
        **{v: k for k, v in QUALIFICATION_LABELS.items()},
        "ISO9001": "iso9001",
        "ISO14001": "iso14001",
        "ISO45001": "iso45001",
        "高新技术企业": "high_tech",
        "其他": "other",
    }
)


QUALIFICATION_COLUMNS = (
    Column(
        "uscc",
        "统一社会信用代码",
        True,
        p.uscc,
        "91441481MA4W00201W",
        "the supplier: imported already or earlier",
    ),
    Column(
        "kind",
        "资质类型",
        True,
        KIND,
        "iso9001",
        f"one of {', '.join(QUALIFICATION_KINDS)} (or the Chinese name)",
    ),
    Column(
        "number",
        "证书编号",
        True,
        _number,
        "00121Q30001R0S",
        "with uscc and kind identifies the qualification; once per file",
    ),
    Column(
        "name", "资质名称", False, p.text(128), "质量管理体系认证证书", "default: the kind's name"
    ),
    Column("issuer", "发证机构", False, p.text(128), "示例认证有限公司"),
    Column(
        "valid_until",
        "有效期至",
        True,
        _valid_until,
        "2027-12-31",
        "an expired date rejects the row; 长期 for no expiry",
    ),
)


def _check_qualification(row: ImportRow) -> None:
    if row.values["kind"] == "other" and not row.values["name"]:
        row.reject(reason("NAME_REQUIRED", "required for kind other", "name"))


async def apply_qualifications(rows: list[ImportRow], tenant: str) -> None:
    usccs = sorted({row.values["uscc"] for row in rows})
    suppliers = {
        s["uscc"]: s["id"]
        for s in await Supplier.select(
            Supplier.id, Supplier.organisation.uscc.as_alias("uscc")
        ).where(Supplier.organisation.uscc.is_in(usccs))
    }
    for row in rows:
        if row.values["uscc"] not in suppliers:
            row.reject(
                reason(
                    "UNKNOWN_SUPPLIER",
                    f"no supplier {row.values['uscc']} (import the suppliers first)",
                    "uscc",
                )
            )
    ids = sorted({suppliers[row.values["uscc"]] for row in rows if row.ok})
    existing = {
        (q["supplier"], q["kind"], q["number"]): q
        for q in (
            await SupplierQualification.select(*r.QUALIFICATION_COLUMNS).where(
                SupplierQualification.supplier.is_in(ids)
            )
            if ids
            else []
        )
    }
    now, new = datetime.now(UTC), []
    for row in rows:
        if not row.ok:
            continue
        v = row.values
        current = existing.get((suppliers[v["uscc"]], v["kind"], v["number"]))
        if current is None:
            new.append(
                SupplierQualification(
                    supplier=suppliers[v["uscc"]],
                    kind=v["kind"],
                    number=v["number"],
                    name=v["name"] or r.default_name(v["kind"]),
                    issuer=v["issuer"] or "",
                    valid_until=v["valid_until"],
                )
            )
            row.outcome = "created"
            continue
        changes = {
            k: v[k]
            for k in ("name", "issuer", "valid_until")
            if v[k] is not None and v[k] != current[k]
        }
        if changes:
            await SupplierQualification.update({**changes, "updated_at": now}).where(
                SupplierQualification.id == current["id"]
            )
        row.outcome = "updated" if changes else "unchanged"
    if new:
        await SupplierQualification.insert(*new)


QUALIFICATIONS = ImportSpec(
    registry="supplier_qualifications",
    title="供应商资质",
    columns=QUALIFICATION_COLUMNS,
    key="number",
    apply_batch=apply_qualifications,
    permission=Perm.SUPPLIER_IMPORT,
    tenant_owned=False,
    check_row=_check_qualification,
)
