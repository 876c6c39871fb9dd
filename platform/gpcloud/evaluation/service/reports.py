"""The evaluation report: frozen by the agency once the committee is done (the engine's ranking,
every score, the invalid bids and why, the committee, corrections and low-price decisions) with
the sha256 of its canonical JSON; signed by every member through the tenant's e-signature
provider (`gpcloud_sign_document`), each signature billed to the agency, a member's dissent
signed with it (Implementing Regulation art. 41); sent by the agency within 2 wd and the winner
confirmed by the purchaser within 5 wd, in ranking order (art. 43), another candidate only with
a legal reason. The deadlines are recorded on the report (rules evaluation_report_delivery,
winner_confirmation) and a late step says so in its audit entry.
"""

from __future__ import annotations

import hashlib
import json

from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.roles import PURCHASER
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.clock import now, today
from gpcloud.core.db import for_update
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.rules.service import rule_deadline
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.evaluation import scoring
from gpcloud.evaluation.service import common, credit, engine, evaluations, notices
from gpcloud.evaluation.service.checkin import use_for
from gpcloud.evaluation.service.common import PARTY_SCOPE
from gpcloud.evaluation.tables import EvaluationMember, EvaluationReport
from gpcloud.evaluation.workflow import ATTENDANCE, EVALUATION, REPORT
from gpcloud.registries.agencies.tables import AgencyRoom
from gpcloud.registries.experts import service as experts
from gpcloud.transaction import service as projects
from gpcloud.usage.service import sign_document

# A candidate other than the first in the ranking, and why the law allows it (text unverified
# where marked): the first gave up, or was found after the evaluation to be barred.
AGAINST_RANKING = {
    "higher_ranked_withdrew": "排名在前的候选人书面放弃 (Implementing Regulation art. 49, by analogy)",
    "higher_ranked_disqualified": "排名在前的候选人经查实存在影响中标结果的违法行为 "
    "(Order 87 art. 68, unverified text)",
}
MAX_TEXT = 2000


def canonical(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def digest_of(content: str) -> str:
    return hashlib.sha256(content.encode()).hexdigest()


def _scored(row: scoring.Scored, names: dict[int, str]) -> dict:
    return {
        "bid": int(row.bid_id),
        "supplier": names[int(row.bid_id)],
        "rank": row.rank,
        "bid_price": str(row.bid_price),
        "evaluated_price": str(row.evaluated_price),
        "deductions": [{"kind": d.kind, "rate": str(d.rate)} for d in row.deductions],
        "technical_score": None if row.technical_score is None else str(row.technical_score),
        "price_score": None if row.price_score is None else str(row.price_score),
        "total": None if row.total is None else str(row.total),
        "member_totals": {k: str(v) for k, v in sorted(row.expert_totals.items())},
        "abnormally_low": list(row.abnormally_low),
    }


async def _room_name(room_id: int | None) -> str | None:
    if room_id is None:
        return None
    row = await AgencyRoom.select(AgencyRoom.name).where(AgencyRoom.id == room_id).first()
    return row["name"] if row else None


async def content_of(evaluation: dict, result: scoring.Result) -> dict:
    committee = await common.committee(evaluation["committee"])
    with all_tenants(PARTY_SCOPE):
        project = await projects.get(evaluation["project"])
    bids = await evaluations.bids(evaluation["id"])
    names = {b["id"]: b["supplier_name"] for b in bids}
    checked = await credit.snapshots(evaluation)
    members = []
    for m in await evaluations.members(evaluation["id"]):
        expert = await experts.get(m["expert"])
        members.append(
            {
                "member": m["id"],
                "expert": expert["id"],
                "name": expert["name"],
                "chair": committee["chair"] == m["seat"],
                "checked_in_at": m["checked_in_at"].isoformat() if m["checked_in_at"] else None,
            }
        )
    return {
        "evaluation": evaluation["id"],
        "project": {"id": project["id"], "title": project["title"], "lot": evaluation["lot"]},
        "method": evaluation["method"],
        "documents": evaluations.scale(evaluation),
        "committee": {
            "members": members,
            "representative": committee["representative_name"] or None,
            "room": await _room_name(committee["room"]),
            "remote": committee["remote"],
        },
        "ranking": [_scored(r, names) for r in result.ranking],
        "credit": [
            credit.in_report(checked[b["supplier_organisation"]], b["supplier_name"])
            for b in bids
            if b["supplier_organisation"] in checked
        ],
        "invalid": [
            {
                "bid": int(i.bid_id),
                "supplier": names[int(i.bid_id)],
                "code": i.code,
                "reason": i.reason,
            }
            for i in result.invalid
        ],  # fmt: skip
        "corrections": [
            {
                "bid": int(c.bid_id),
                "rule": c.rule,
                "stated": str(c.stated),
                "corrected": str(c.corrected),
            }
            for c in result.corrections
        ],  # fmt: skip
        "low_price": [
            {
                "bid": i["bid"],
                "triggers": json.loads(i["triggers"]),
                "status": i["status"],
                "explanation": i["explanation"],
                "decision": i["decision_reason"],
            }
            for i in await evaluations.low_prices(evaluation["id"])
        ],  # fmt: skip
        "outliers": [
            {
                "bid": int(o.bid_id),
                "member": o.expert,
                "criterion": o.criterion,
                "points": str(o.score),
                "reason": o.reason,
            }
            for o in result.outliers
        ],  # fmt: skip
        "scores": [
            {
                "member": s["member"],
                "bid": s["bid"],
                "criterion": s["criterion"],
                "points": _points(s),
            }
            for s in await evaluations.scores(evaluation["id"])
        ],  # fmt: skip
    }


def _points(score: dict) -> str:
    whole, cents = divmod(score["points_hundredths"], 100)
    return f"{whole}.{cents:02d}"


async def report_of(evaluation_id: int, lock: bool = False) -> dict | None:
    with all_tenants(PARTY_SCOPE):
        query = EvaluationReport.select().where(EvaluationReport.evaluation == evaluation_id)
        rows = await (for_update(query) if lock else query)
    return rows[0] if rows else None


@requires(Perm.COMMITTEE_MANAGE)
async def freeze(actor: CurrentUser, evaluation_id: int) -> dict:
    """Every member checked in and submitted; both reviews complete; nothing pending."""
    evaluation = await evaluations.as_agency(actor, evaluation_id, lock=True)
    EVALUATION.next_state("freeze_report", evaluation["status"])
    waiting = [m for m in await evaluations.members(evaluation_id) if m["status"] != "scored"]
    if waiting:
        raise DomainError(
            "MEMBERS_NOT_SUBMITTED",
            f"{len(waiting)} member(s) have not checked in and submitted",
            "evaluationId",
        )
    if not all(r.done for r in (await engine.reviews(evaluation)).values()):
        raise DomainError("REVIEW_INCOMPLETE", "both reviews are completed first", "evaluationId")
    result = await engine.run(evaluation)
    if result.pending:
        first = result.pending[0]
        raise DomainError(
            "EVALUATION_PENDING",
            f"{len(result.pending)} answer(s) pending, e.g. bid {first.bid_id}: {first.kind}",
            "evaluationId",
        )
    content = canonical(await content_of(evaluation, result))
    with all_tenants(PARTY_SCOPE):
        moved = await EVALUATION.move(actor, evaluation, "freeze_report")
        row = EvaluationReport(
            tenant_id=evaluation["tenant_id"],
            evaluation=evaluation_id,
            content=content,
            digest=digest_of(content),
            frozen_at=now(),
        )
        await row.save()
        saved = await report_of(evaluation_id)
        await REPORT.created(saved, {"digest": saved["digest"], "evaluation": moved["id"]})
    return saved


def signed_digest(report: dict, dissent: str) -> str:
    """What a member signs: the report's digest, with its dissent when it states one."""
    return digest_of(f"{report['digest']}\n{dissent}") if dissent else report["digest"]


@requires(Perm.EVALUATION_CONDUCT)
async def sign(
    actor: CurrentUser, evaluation_id: int, confirmation: str, dissent: str = ""
) -> dict:
    """The member signs the frozen report (its dissent with the reason, if any: none is
    agreement). The signature is billed once per member and report, whatever the retries."""
    evaluation, member = await evaluations.as_member(actor, evaluation_id)
    dissent = (dissent or "").strip()
    if len(dissent) > MAX_TEXT:
        raise DomainError("INVALID_TEXT", f"at most {MAX_TEXT} characters", "dissent")
    report = await report_of(evaluation_id, lock=True)
    if report is None or report["status"] != "signing":
        raise DomainError("WRONG_STATE", "there is no report waiting for signatures")
    with all_tenants(PARTY_SCOPE):
        member = await EvaluationMember.select().where(EvaluationMember.id == member["id"]).first()
    ATTENDANCE.next_state("sign", member["status"])
    expert = await experts.get(member["expert"])
    outcome = await sign_document(
        use_for(evaluation, f"report-sign:{report['id']}:{member['id']}"),
        {"reference": f"expert:{expert['id']}", "name": expert["name"]},
        {
            "reference": f"evaluation_report:{report['id']}",
            "title": "评审报告",
            "digest": signed_digest(report, dissent),
        },
        confirmation or "",
    )
    if not outcome.ok:
        raise DomainError(
            "SIGNATURE_REFUSED",
            "the e-signature was not made: a wrong confirmation code, or refused",
            "confirmation",
        )
    answer = outcome.answer
    kept = {k: answer.get(k) for k in ("signature", "certificate", "algorithm", "provider")}
    with all_tenants(PARTY_SCOPE):
        moved = await ATTENDANCE.move(
            actor,
            member,
            "sign",
            {
                EvaluationMember.signed_at: now(),
                EvaluationMember.dissent: dissent,
                EvaluationMember.signature: json.dumps(kept, ensure_ascii=False),
                EvaluationMember.sign_charge: outcome.charge["id"],
            },
            {"dissent": bool(dissent), "charge": outcome.charge["id"]},
        )
        unsigned = [m for m in await evaluations.members(evaluation_id) if m["status"] != "signed"]
        if not unsigned:
            due = await rule_deadline(
                "evaluation_report_delivery", today(), evaluation["tenant_id"]
            )
            await REPORT.move(
                None,
                report,
                "complete_signatures",
                {EvaluationReport.signed_at: now(), EvaluationReport.send_by: due.due},
                {"send_by": due.due.isoformat()},
            )
    return moved


@requires(Perm.COMMITTEE_MANAGE)
async def send(actor: CurrentUser, evaluation_id: int) -> dict:
    evaluation = await evaluations.as_agency(actor, evaluation_id)
    report = await report_of(evaluation_id, lock=True)
    if report is None:
        raise DomainError("WRONG_STATE", "the report is not frozen yet", "evaluationId")
    day = today()
    due = await rule_deadline("winner_confirmation", day, evaluation["tenant_id"])
    with all_tenants(PARTY_SCOPE):
        moved = await REPORT.move(
            actor,
            report,
            "send",
            {EvaluationReport.sent_at: now(), EvaluationReport.confirm_by: due.due},
            {
                "late": bool(report["send_by"] and day > report["send_by"]),
                "confirm_by": str(due.due),
            },
        )
    await notices.sent(evaluation, moved)
    return moved


def ranking(report: dict) -> list[dict]:
    return json.loads(report["content"])["ranking"]


@requires(Perm.EVALUATION_CONFIRM)
async def confirm_winner(
    actor: CurrentUser, evaluation_id: int, bid_id: int, legal_reason: str = "", text: str = ""
) -> dict:
    """The purchaser names the winner: the first in the ranking (tied firsts alike), or a
    later candidate only with one of the legal reasons and its explanation."""
    evaluation = await evaluations.get(evaluation_id)
    if not await evaluations.is_purchaser(actor, evaluation):
        raise NotFound("evaluation", evaluation_id)
    report = await report_of(evaluation_id, lock=True)
    if report is None:
        raise DomainError("WRONG_STATE", "there is no report", "evaluationId")
    REPORT.next_state("confirm_winner", report["status"])
    candidates = ranking(report)
    if not candidates:
        raise DomainError("NO_CANDIDATE", "the report ranks no valid bid", "bidId")
    chosen = next((c for c in candidates if c["bid"] == bid_id), None)
    if chosen is None:
        raise DomainError("NOT_A_CANDIDATE", "the report does not rank this bid", "bidId")
    text = (text or "").strip()
    against = chosen["rank"] != candidates[0]["rank"]
    if against and (legal_reason not in AGAINST_RANKING or not text):
        raise DomainError(
            "AGAINST_RANKING_REASON_REQUIRED",
            "the winner is confirmed in ranking order; a later candidate needs a legal reason "
            "and its explanation",
            "legalReason",
        )
    if not against and legal_reason:
        raise DomainError("NO_REASON_NEEDED", "the first candidate needs no reason", "legalReason")
    day = today()
    with all_tenants(PARTY_SCOPE):
        moved = await REPORT.move(
            actor,
            report,
            "confirm_winner",
            {
                EvaluationReport.winner: bid_id,
                EvaluationReport.against_ranking: legal_reason if against else "",
                EvaluationReport.against_ranking_reason: text if against else "",
                EvaluationReport.confirmed_at: now(),
            },
            {
                "winner": bid_id,
                "rank": chosen["rank"],
                "legal_reason": legal_reason if against else None,
                "late": bool(report["confirm_by"] and day > report["confirm_by"]),
            },
        )
    await notices.result(evaluation, moved)
    return moved


async def after_deemed_confirmed(report: dict) -> None:
    """The scheduler's effect of `deem_confirmed`: the first candidate of the ranking (the first
    listed among tied firsts) is the winner, and every bidder is told its outcome."""
    candidates = ranking(report)
    winner = candidates[0]["bid"] if candidates else None
    with all_tenants(PARTY_SCOPE):
        await EvaluationReport.update(
            {EvaluationReport.winner: winner, EvaluationReport.confirmed_at: now()}
        ).where(EvaluationReport.id == report["id"])
        evaluation = await evaluations.get(report["evaluation"])
    await notices.result(evaluation, {**report, "winner": winner})


async def readable(actor: CurrentUser, evaluation_id: int) -> dict | None:
    """The report for the agency and the members once frozen; for the purchaser once sent;
    for the region's staff once frozen."""
    evaluation, member = await evaluations.visible(actor, evaluation_id)
    report = await report_of(evaluation_id)
    if report is None:
        return None
    if PURCHASER in actor.roles and report["status"] in ("signing", "signed"):
        return None
    del evaluation, member
    return report
