"""The expert fee statement of a committee as XLSX (expert-fees-<committee>.xlsx), for whoever
may read it through the API (service/fee_statement.py): the job reads as the user who started
it, so the file shows what that user may read."""

from __future__ import annotations

import asyncio

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.auth.service import load_current_user
from gpcloud.core.jobs.registry import job
from gpcloud.core.jobs.service import JobRun
from gpcloud.core.jobs.tables import Job
from gpcloud.core.money import to_yuan
from gpcloud.core.spreadsheet import write_xlsx
from gpcloud.evaluation.service import fee_statement

BASIS_NAMES = {
    "sat": "参加评审",
    "recused": "回避",
    "cancelled": "评审取消",
    "pending": "待定",
    "none": "无",
}
STATUS_NAMES = {
    "waiting": "候补",
    "invited": "已通知",
    "confirmed": "已确认",
    "declined": "已拒绝",
    "timed_out": "超时未确认",
    "recused": "已回避",
    "released": "已释放",
}
HEADER = [
    "委员会",
    "抽取顺序",
    "候补",
    "状态",
    "专家编号",
    "专家姓名",
    "计费依据",
    "评审开始",
    "评审结束",
    "计费小时",
    "劳务费（元）",
    "说明",
]


@job(fee_statement.EXPORT_JOB, Perm.EXPERT_FEE_READ)
async def export(run: JobRun, committee: int) -> None:
    """Write a committee's expert fee statement as XLSX."""
    row = await Job.select(Job.created_by).where(Job.id == run.id).first()
    actor = await load_current_user(row["created_by"])
    found = await fee_statement.statement(actor, committee)
    lines = []
    for line in found.lines:
        seat, expert = line.seat, line.expert
        lines.append(
            [
                committee,
                seat["position"],
                "是" if seat["backup"] else "否",
                STATUS_NAMES.get(seat["status"], seat["status"]),
                expert["id"] if expert else "（密封）",
                expert["name"] if expert else "（密封）",
                BASIS_NAMES.get(line.basis, line.basis),
                line.sittings[0][0] if line.sittings else None,
                line.sittings[-1][1] if line.sittings else None,
                sum(d.hours for d in line.fee.days) if line.fee else None,
                to_yuan(line.fee.fen) if line.fee else None,
                fee_statement.describe(line),
            ]
        )
    state = "最终" if found.final else "暂计（评审进行中）"
    lines.append(
        [committee, None, "", "合计", "", "", state, None, None, None,
         to_yuan(found.total_fen), "估算：跨日评审按开始日计" if found.estimated else ""]
    )  # fmt: skip
    name = f"expert-fees-{committee}.xlsx"
    await asyncio.to_thread(write_xlsx, run.result_path(name), HEADER, lines, "专家劳务费")
    run.count("seats", len(found.lines))
    await run.progress(len(found.lines), len(found.lines))
