"""What the evaluation tells whom, in the transaction of the step: a bidder of a correction or
a low-price request on its own bid; the purchaser that the report arrived; each bidder, once the
winner is confirmed, its own outcome only (won, its rank and score, or why its bid was invalid:
the others' are not told to it)."""

from __future__ import annotations

import json

from gpcloud.core.auth.roles import PURCHASER, SUPPLIER
from gpcloud.core.clock import LEGAL_TZ
from gpcloud.core.money import to_yuan
from gpcloud.core.notifications.service import Recipients, notify
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.evaluation.service import common, evaluations
from gpcloud.evaluation.service.common import PARTY_SCOPE
from gpcloud.registries.experts import service as experts
from gpcloud.registries.purchasers import service as purchasers
from gpcloud.transaction import service as projects


async def _title(evaluation: dict) -> str:
    with all_tenants(PARTY_SCOPE):
        return (await projects.get(evaluation["project"]))["title"]


async def correction(evaluation: dict, bid: dict, row: dict) -> None:
    await notify(
        "evaluation.correction_proposed",
        Recipients(organisation=bid["supplier_organisation"], roles=(SUPPLIER,)),
        {"title": await _title(evaluation), "corrected": str(to_yuan(row["corrected_fen"]))},
        about=("evaluation_correction", row["id"]),
        key=f"evaluation_correction:{row['id']}",
    )


async def low_price(evaluation: dict, bid: dict, row: dict) -> None:
    due = row["explain_by"].astimezone(LEGAL_TZ)
    await notify(
        "evaluation.low_price_requested",
        Recipients(organisation=bid["supplier_organisation"], roles=(SUPPLIER,)),
        {"title": await _title(evaluation), "explain_by": due.strftime("%Y-%m-%d %H:%M")},
        about=("evaluation_low_price", row["id"]),
        due=due.date(),
        key=f"evaluation_low_price:{row['id']}",
    )


async def sent(evaluation: dict, report: dict) -> None:
    with all_tenants(PARTY_SCOPE):
        unit = await purchasers.get(evaluation["purchaser"])
    await notify(
        "evaluation_report.sent",
        Recipients(organisation=unit["organisation"], roles=(PURCHASER,)),
        {"title": await _title(evaluation), "confirm_by": str(report["confirm_by"])},
        about=("evaluation_report", report["id"]),
        due=report["confirm_by"],
        key=f"evaluation_report:{report['id']}:sent",
    )


def outcome(content: dict, bid_id: int, winner: int) -> str:
    """One bidder's own outcome, in the words of its notice."""
    if bid_id == winner:
        return "贵单位为中标（成交）供应商。"
    ranked = {r["bid"]: r for r in content["ranking"]}
    if bid_id in ranked:
        row = ranked[bid_id]
        score = f"，评审得分 {row['total']}" if row["total"] is not None else ""
        return f"贵单位未中标：排名第 {row['rank']} 名{score}，评标价 {row['evaluated_price']} 元。"
    reason = next((i["reason"] for i in content["invalid"] if i["bid"] == bid_id), "")
    return f"贵单位投标无效：{reason}。"


async def result(evaluation: dict, report: dict) -> None:
    content = json.loads(report["content"])
    title = await _title(evaluation)
    for bid in await evaluations.bids(evaluation["id"]):
        await notify(
            "evaluation.result",
            Recipients(organisation=bid["supplier_organisation"], roles=(SUPPLIER,)),
            {"title": title, "outcome": outcome(content, bid["id"], report["winner"])},
            about=("evaluation_report", report["id"]),
            key=f"evaluation_report:{report['id']}:result:{bid['id']}",
        )


async def outliers(evaluation: dict, members: list[dict], flagged: tuple) -> None:
    """The chair (every member while none was chosen), once every member submitted: which
    scores the engine flags as outliers, and of which bidders; not whose they are."""
    committee = await common.committee(evaluation["committee"])
    chosen = [m for m in members if m["seat"] == committee["chair"]] or members
    users = [(await experts.get(m["expert"]))["user_id"] for m in chosen]
    names = {b["id"]: b["supplier_name"] for b in await evaluations.bids(evaluation["id"])}
    items = "、".join(
        f"{names[int(o.bid_id)]}（{o.criterion or '总分'} {o.score}）" for o in flagged
    )
    await notify(
        "evaluation.outliers",
        Recipients(users=tuple(u for u in users if u is not None)),
        {"title": await _title(evaluation), "count": len(flagged), "items": items},
        about=("evaluation", evaluation["id"]),
        key=f"evaluation:{evaluation['id']}:outliers",
    )
