"""The monthly statement as XLSX for the agency or the region's finance staff: the summary
(usage-statements-<month>.xlsx, the job's main result) and every charge behind it
(usage-charges-<month>.xlsx). The job reads as the user who started it, so it shows exactly
what that user may read through the API (service/statements.py)."""

from __future__ import annotations

import asyncio

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.auth.service import load_current_user, organisations_by_id
from gpcloud.core.jobs.registry import job
from gpcloud.core.jobs.service import JobRun
from gpcloud.core.jobs.tables import Job
from gpcloud.core.money import to_yuan
from gpcloud.core.spreadsheet import write_xlsx
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.usage.service import statements
from gpcloud.usage.service.statements import EXPORT_JOB, Filter

KIND_NAMES = {"face_verification": "人脸识别", "e_signature": "电子签名"}
OUTCOME_NAMES = {"matched": "通过", "not_matched": "未通过", "signed": "已签名"}
SUMMARY = [
    "月份",
    "代理机构",
    "统一社会信用代码",
    "地区",
    "类别",
    "次数",
    "单价（元）",
    "金额（元）",
]
DETAIL = [
    "月份",
    "代理机构",
    "地区",
    "项目",
    "类别",
    "对象",
    "提供者",
    "提供者流水号",
    "结果",
    "单价（元）",
    "使用时间",
    "幂等键",
]


@job(EXPORT_JOB, Perm.USAGE_READ)
async def export(run: JobRun, month: str, agency=None, tenant=None, kind=None) -> None:
    """Write a month's usage statements (face verification, e-signatures) as XLSX."""
    row = await Job.select(Job.created_by).where(Job.id == run.id).first()
    actor = await load_current_user(row["created_by"])
    flt = Filter(month, agency, tenant, kind)
    found = await statements.all_statements(actor, flt)
    charges = await statements.all_charges(actor, flt)
    agencies = {a for a in [*(s.agency for s in found), *(c["agency"] for c in charges)]}
    orgs = dict(zip(sorted(agencies), await organisations_by_id(sorted(agencies)), strict=True))
    nodes = (await tenant_tree()).nodes

    def name(organisation: int) -> str:
        return orgs[organisation]["name"] if orgs.get(organisation) else str(organisation)

    def region(code: str) -> str:
        return nodes[code].name if code in nodes else code

    summary = []
    for statement in found:
        uscc = (orgs.get(statement.agency) or {}).get("uscc") or ""
        for line in statement.lines:
            summary.append(
                [
                    month,
                    name(statement.agency),
                    uscc,
                    region(line.tenant),
                    KIND_NAMES[line.kind],
                    line.count,
                    to_yuan(line.unit_price_fen),
                    to_yuan(line.amount_fen),
                ]
            )
        summary.append(
            [month, name(statement.agency), uscc, "合计", "", statement.count, None,
             to_yuan(statement.total_fen)]
        )  # fmt: skip
    detail = [
        [
            c["month"],
            name(c["agency"]),
            region(c["tenant_id"]),
            c["project_reference"],
            KIND_NAMES[c["kind"]],
            c["subject_reference"],
            c["provider"],
            c["provider_reference"],
            OUTCOME_NAMES.get(c["outcome"], c["outcome"]),
            to_yuan(c["unit_price_fen"]),
            c["used_at"],
            c["idempotency_key"],
        ]
        for c in charges
    ]
    await asyncio.to_thread(
        write_xlsx, run.result_path(f"usage-statements-{month}.xlsx"), SUMMARY, summary, "对账单"
    )
    await asyncio.to_thread(
        write_xlsx, run.result_path(f"usage-charges-{month}.xlsx"), DETAIL, detail, "明细"
    )
    run.count("statements", len(found))
    run.count("charges", len(charges))
    await run.progress(len(charges), len(charges))
