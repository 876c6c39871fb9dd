"""National credit lists as file exchange: one record of one list per row, keyed by the list's
own record id, loaded by the province (docs/import-formats/credit-records.md).

Idempotent: a row whose record is loaded and unchanged is left alone; a changed period, facts or
document updates it (audited, its expiry rescheduled); a row marked removed (移出) revokes it.
A subject need not be registered on the platform: the record keeps the credit code and a check
of an organisation with that code finds it, whenever the organisation registers.
"""

from __future__ import annotations

from gpcloud.core.audit import service as audit
from gpcloud.core.auth.permissions import Perm
from gpcloud.core.auth.tables import Organisation
from gpcloud.core.clock import now
from gpcloud.core.db import any_of
from gpcloud.core.errors import DomainError
from gpcloud.core.imports import columns as p
from gpcloud.core.imports.spec import Column, ImportRow, ImportSpec, reason
from gpcloud.credit.service import records
from gpcloud.credit.tables import CreditList, CreditRecord
from gpcloud.credit.workflow import RECORD

LISTS = {
    "blacklist": "blacklist",
    "严重违法失信": "blacklist",
    "政府采购严重违法失信行为记录名单": "blacklist",
    "dishonest_debtor": "dishonest_debtor",
    "失信被执行人": "dishonest_debtor",
    "major_tax_violation": "major_tax_violation",
    "重大税收违法": "major_tax_violation",
    "重大税收违法失信主体": "major_tax_violation",
}
SUBJECTS = {"supplier": "supplier", "供应商": "supplier", "agency": "agency", "代理机构": "agency"}
STATUS = {
    "active": "active",
    "有效": "active",
    "在列": "active",
    "removed": "removed",
    "移出": "removed",
}
UPDATABLE = ("subject_name", "starts_on", "ends_on", "document", "authority", "facts")

COLUMNS = (
    Column(
        "list",
        "名单",
        True,
        p.choice(LISTS),
        "严重违法失信",
        "blacklist 严重违法失信 / dishonest_debtor 失信被执行人 / major_tax_violation 重大税收违法",
    ),
    Column(
        "record_id",
        "名单记录编号",
        True,
        p.text(96),
        "CGGS-2026-000123",
        "the record's id in its list; unique within the file, identifies the record",
    ),
    Column("subject_name", "主体名称", True, p.text(128), "示例科技有限公司"),
    Column(
        "uscc",
        "统一社会信用代码",
        True,
        p.uscc,
        "91441481MA4UX12302",
        "the subject's unified social credit code (GB 32100)",
    ),
    Column(
        "subject_kind",
        "主体类型",
        False,
        p.choice(SUBJECTS),
        "供应商",
        "supplier 供应商 (default) / agency 代理机构",
    ),
    Column("starts_on", "列入日期", True, p.iso_date, "2026-08-01"),
    Column(
        "ends_on",
        "截止日期",
        False,
        p.iso_date,
        "2027-07-31",
        "required for the serious-violation list, within 3 years of the start",
    ),
    Column("document", "决定文书号", False, p.text(128), "粤财采处〔2026〕5号"),
    Column("authority", "决定机关", False, p.text(128), "广东省财政厅"),
    Column("facts", "失信行为", False, p.text(2000), "提供虚假材料谋取中标"),
    Column(
        "status",
        "状态",
        False,
        p.choice(STATUS),
        "有效",
        "active 有效 (default) / removed 移出: the record is revoked",
    ),
)


def source_key(row: ImportRow) -> str:
    return f"{row.values['list']}:{row.values['record_id']}"


def _input(row: ImportRow, organisation: int | None) -> records.RecordInput:
    v = row.values
    return records.RecordInput(
        subject_kind=v["subject_kind"] or "supplier",
        subject_id=organisation or 0,
        kind=v["list"],
        starts_on=v["starts_on"],
        ends_on=v["ends_on"],
        document=v["document"] or "",
        authority=v["authority"] or "",
        facts=v["facts"] or "",
    )


async def _existing(keys: list[str]) -> dict[str, dict]:
    rows = await CreditRecord.select().where(any_of(CreditRecord.source_key, keys))
    return {r["source_key"]: r for r in rows}


async def apply_batch(rows: list[ImportRow], tenant: str) -> None:
    organisations = {
        o["uscc"]: o
        for o in await Organisation.select(
            Organisation.id, Organisation.uscc, Organisation.kind
        ).where(any_of(Organisation.uscc, [r.values["uscc"] for r in rows]))
    }
    existing = await _existing([source_key(r) for r in rows])
    for row in rows:
        org = organisations.get(row.values["uscc"])
        kind = row.values["subject_kind"] or "supplier"
        known = org if org is not None and org["kind"] == kind else None
        data = _input(row, known["id"] if known else None)
        try:
            records.check_input(data, "national_list")
        except DomainError as exc:  # its message goes to the reject report
            row.reject(reason(exc.code, str(exc), exc.code))
            continue
        current = existing.get(source_key(row))
        removed = row.values["status"] == "removed"
        if current is None:
            if removed:
                row.outcome = "unchanged"  # removed before we ever loaded it
                continue
            who = {
                "organisation": known["id"] if known else None,
                "expert": None,
                "name": row.values["subject_name"],
                "code": row.values["uscc"],
            }
            await records.insert(
                data, who, "national_list", tenant, None, row.values["list"], source_key(row)
            )
            row.outcome = "created"
        elif removed:
            if current["status"] == "revoked":
                row.outcome = "unchanged"
            else:
                await RECORD.move(None, current, "revoke", {CreditRecord.status_reason: "移出名单"})
                row.outcome = "updated"
        else:
            await _update(row, current)
    for code in {r.values["list"] for r in rows if r.ok}:
        await _loaded(code)


async def _update(row: ImportRow, current: dict) -> None:
    wanted = {k: row.values[k] if row.values[k] is not None else "" for k in UPDATABLE}
    wanted["ends_on"] = row.values["ends_on"]
    changes = {k: v for k, v in wanted.items() if v != current[k]}
    if not changes:
        row.outcome = "unchanged"
        return
    await CreditRecord.update({**changes, "updated_at": now()}).where(
        CreditRecord.id == current["id"]
    )
    await RECORD.reschedule({**current, **changes})
    await audit.record(
        "credit_record.update",
        "credit_record",
        current["id"],
        {k: current[k] for k in changes},
        changes,
        {"source_key": current["source_key"]},
        tenant=current["region"],
    )
    row.outcome = "updated"


async def _loaded(code: str) -> None:
    """The list as of now, with its record count (what checks report as consulted)."""
    count = await CreditRecord.count().where(CreditRecord.source_list == code)
    if await CreditList.exists().where(CreditList.code == code):
        await CreditList.update({CreditList.loaded_at: now(), CreditList.rows: count}).where(
            CreditList.code == code
        )
    else:
        await CreditList(code=code, loaded_at=now(), rows=count).save()


SPEC = ImportSpec(
    registry="credit_records",
    title="信用名单",
    columns=COLUMNS,
    key="record_id",
    apply_batch=apply_batch,
    permission=Perm.CREDIT_IMPORT,
    tenant_owned=False,
)
