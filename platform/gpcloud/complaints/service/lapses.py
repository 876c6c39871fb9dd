"""What follows when a statutory clock is missed (the scheduler runs `missed` as the clock's
Timer effect, in the transition's transaction): every party concerned is told, and where the law
attaches a consequence it is taken: a complaint whose missing material did not come lapses; a
challenge whose complaint window passed closes. Other limits (an answer, the review, the copy,
the decision) are the authority's: missing them shows the filing overdue, it does not end it.
"""

from __future__ import annotations

from gpcloud.complaints.service import complaints
from gpcloud.complaints.service.common import SCOPE, tell
from gpcloud.complaints.tables import Challenge, Complaint, Inquiry
from gpcloud.complaints.workflow import CHALLENGE
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.transaction import facts

TABLES = {"inquiry": Inquiry, "challenge": Challenge, "complaint": Complaint}
WHAT = {
    ("inquiry", "answer"): "询问答复",
    ("challenge", "answer"): "质疑答复",
    ("challenge", "complaint_window"): "提起投诉",
    ("complaint", "review"): "投诉审查",
    ("complaint", "material"): "补正材料",
    ("complaint", "copy"): "向被投诉人发送投诉书副本",
    ("complaint", "response"): "被投诉人答复",
    ("complaint", "decision"): "投诉处理决定",
}


async def missed(clock: dict) -> None:
    table = TABLES[clock["kind"]]
    with all_tenants(SCOPE):
        row = (
            await table.select()
            .where(table.id == clock["object_id"])
            .output(load_json=True)
            .first()
        )
    if row is None:
        return
    key = (clock["kind"], clock["name"])
    if key == ("challenge", "complaint_window"):
        if row["status"] in ("claim", "answered"):
            with all_tenants(SCOPE):
                await CHALLENGE.move(None, row, "close", detail={"clock": clock["id"]})
        return  # the window is the challenger's right, not anyone's duty: nobody is overdue
    if key == ("complaint", "material") and row["status"] == "incomplete":
        await complaints.lapse(row)
        return
    project = await facts.project(row["project"])
    await tell(
        "complaints.clock_missed",
        row,
        project,
        {"what": WHAT.get(key, clock["name"]), "due": clock["due_on"], "detail": ""},
        department=row["tenant_id"] if clock["kind"] == "complaint" else None,
        key=f"clock:{clock['id']}:missed",
    )
