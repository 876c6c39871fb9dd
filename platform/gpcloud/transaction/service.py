"""Projects in the simplified flow: entrustment, and the three announcements with the periods
the rules set, checked on the working-day calendar.

Who: the purchaser entrusts its filed plan to an approved agency working in its region; that
agency's users publish the announcements; both read the project, as do admins and supervisors
of the region.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from gpcloud.core import publishing as portal
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.roles import ADMIN_ROLES, AGENCY, SUPERVISOR, SUPPLIER
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.clock import LEGAL_TZ, now, today
from gpcloud.core.db import transaction
from gpcloud.core.errors import DomainError, NotFound, Problem
from gpcloud.core.money import to_fen, to_yuan
from gpcloud.core.pagination import Page, keyset_page
from gpcloud.core.rules.service import rule_deadline
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.registries.agencies.service import common as agencies
from gpcloud.registries.suppliers.service import search as suppliers
from gpcloud.supervision import intentions, plans
from gpcloud.supervision.common import purchaser_unit
from gpcloud.supervision.warnings import check_publication
from gpcloud.transaction import blocks, credit, parties, prequalification
from gpcloud.transaction.tables import Announcement, Award, OpeningRecord, Project
from gpcloud.transaction.workflow import ANNOUNCEMENT, PROJECT

# The shortest time from the tender documents to the responses, per method (config/rules).
RESPONSE_RULE = {
    "open_tender": "bid_period",
    "invited_tender": "bid_period",
    "framework_agreement": "bid_period",
    "competitive_negotiation": "negotiation_response",
    "request_for_quotation": "rfq_response",
    "competitive_consultation": "consultation_response",
    "single_source": "single_source_publicity",
}
TENDERS = ("open_tender", "invited_tender")


@dataclass(frozen=True)
class AwardInput:
    supplier_uscc: str
    amount: Decimal


async def get(project_id: int) -> dict:
    row = await Project.select().where(Project.id == project_id).first()
    if row is None:
        raise NotFound("project", project_id)
    return row


async def _as_agency(actor: CurrentUser, project_id: int) -> dict:
    project = await get(project_id)
    if AGENCY not in actor.roles or project["agency_organisation"] != actor.organisation_id:
        raise NotFound("project", project_id)
    return project


@requires(Perm.PROJECT_ENTRUST)
async def entrust(actor: CurrentUser, plan_id: int, agency_id: int) -> dict:
    """The purchaser hands its filed plan to an approved agency that works in its region and
    that the mandatory credit check finds clear today (its snapshot kept with the project's
    tenant; refused, nothing is written, the snapshot neither)."""
    unit = await purchaser_unit(actor)
    async with transaction():
        plan = await plans.get(plan_id)
        if plan["purchaser"] != unit["id"]:
            raise NotFound("plan", plan_id)
        try:
            agency = await agencies.get(agency_id)
        except NotFound:
            raise DomainError("UNKNOWN_AGENCY", f"no agency {agency_id}", "agencyId") from None
        region = {plan["tenant_id"], *(await tenant_tree()).ancestors(plan["tenant_id"])}
        if agency["status"] != "approved" or not region & set(
            await agencies.tenant_codes(agency_id)
        ):
            raise DomainError(
                "AGENCY_NOT_AVAILABLE",
                "the agency must be approved and work in the plan's region",
                "agencyId",
            )
        await credit.ensure_agency_clear(plan["tenant_id"], agency["organisation"])
        await plans.mark(plan_id, "entrust", {"agency": agency_id})
        project = Project(
            tenant_id=plan["tenant_id"],
            plan=plan_id,
            purchaser=plan["purchaser"],
            agency=agency_id,
            agency_organisation=agency["organisation"],
            title=plan["title"],
            method=plan["method"],
            budget_fen=plan["amount_fen"],
        )
        await project.save()
        row = await get(project.id)
        await PROJECT.created(row, {"plan": plan_id}, "entrust")
        return row


async def _publish(
    actor: CurrentUser,
    project: dict,
    action: str,
    kind: str,
    title: str,
    body: str,
    on: date,
    plan: dict | None = None,
    **fields,
) -> dict:
    """`plan`: the project's plan where the caller read it already."""
    PROJECT.next_state(action, project["status"])
    await blocks.ensure_free(project["tenant_id"], project["id"], "transaction")
    if not 2 <= len(title.strip()) <= 200 or not body.strip():
        raise DomainError(
            "INVALID_ANNOUNCEMENT", "a title of 2 to 200 characters and a body", "title"
        )
    steps = fields.pop("steps", [])
    changes = {Project.bid_deadline: fields["bid_deadline"]} if fields.get("bid_deadline") else {}
    if fields.get("bid_deadline_at"):
        changes[Project.bid_deadline_at] = fields["bid_deadline_at"]
    fields.pop("bid_deadline_at", None)
    moved = await PROJECT.move(actor, project, action, changes, {"kind": kind, "published_on": on})
    inserted = await Announcement.insert(
        Announcement(
            tenant_id=project["tenant_id"],
            project=project["id"],
            kind=kind,
            title=title.strip(),
            body=body.strip(),
            published_on=on,
            steps=json.dumps(steps, ensure_ascii=False),
            **fields,
        )
    )
    published = await Announcement.select().where(Announcement.id == inserted[0]["id"]).first()
    await ANNOUNCEMENT.created(published, {"project": project["id"], "kind": kind}, "publish")
    details = {k: fields[k] for k in ("bid_deadline", "period_end") if fields.get(k)}
    await _to_portal(
        project, inserted[0]["id"], kind, title.strip(), body.strip(), on, details, plan
    )
    return moved


async def _to_portal(
    project: dict,
    announcement_id: int,
    kind: str,
    title: str,
    body: str,
    on,
    details: dict,
    plan: dict | None = None,
):
    # The project's method and purchaser are its plan's (copied at entrustment, never changed).
    plan = plan or await plans.get(project["plan"])
    winners = await awards(project["id"]) if kind == "result" else []
    if kind == "result" and project["bid_deadline_at"] is not None:
        details = {**details, **await _opening_details(project["id"])}
    if kind == "result":  # the result names the evaluation's experts (Regulation art. 43)
        evaluated = await blocks.evaluation_results(project["tenant_id"], project["id"])
        if evaluated:
            details = {
                **details,
                "experts": [n for r in evaluated for n in r["experts"]],
                "evaluations": [_evaluated(r) for r in evaluated if r["winner"]],
            }
    amounts = {"tender": project["budget_fen"], "result": sum(w["amount_fen"] for w in winners)}
    await portal.publish(
        portal.Publication(
            kind=kind,
            source=f"announcement:{announcement_id}",
            tenant=project["tenant_id"],
            title=title,
            body=body,
            published_on=on,
            **await plans.notice_fields(plan),
            agency_id=project["agency"],
            agency_name=(await agencies.get(project["agency"]))["name"],
            amount_fen=amounts.get(kind),
            suppliers=tuple(
                portal.Supplier(w["supplier_organisation"], w["supplier_name"], w["amount_fen"])
                for w in winners
            ),
            details={**details, "project_id": project["id"]},
        )
    )


def _evaluated(result: dict) -> dict:
    """What the result publishes of an evaluation: the method, the winner's evaluated price
    and total score, how many bids were valid and invalid (each bidder learns its own score
    and rank privately: evaluation/service/notices.py)."""
    winner = result["winner"]
    return {
        "lot": result["lot"],
        "method": result.get("method", ""),
        "supplier": winner["supplier_name"],
        "evaluated_price": winner.get("evaluated_price"),
        "total": winner.get("total"),
        "valid_bids": result.get("valid_bids"),
        "invalid_bids": result.get("invalid_bids"),
    }


async def _opening_details(project_id: int) -> dict:
    """The opening record's bids (for the portal's OCDS bids extension) and lots, published with
    the result: prices are read at the opening, so nothing here was secret by then."""
    record = await OpeningRecord.select().where(OpeningRecord.project == project_id).first()
    entries = json.loads(record["entries"]) if record else []
    bids = [
        {
            "bid": e["bid"],
            "lot": e["lot"],
            "received_at": e["received_at"],
            "result": e["result"],
            "bidder_organisation": e["bidder_organisation"],
            "bidder_name": e["bidder_name"],
            "price_fen": to_fen(Decimal(e["price"])) if e.get("price") else None,
        }
        for e in entries
    ]
    return {"bids": bids, "lots": json.loads(record["lots"] or "[]") if record else []}


async def _intention_lead_met(plan: dict, on: date) -> None:
    """The procurement starts with its tender announcement: not before the day the intention's
    publication allows (intention_lead)."""
    if plan["intention"] is None:
        return
    intention = await intentions.get(plan["intention"])
    if intention["earliest_start"] and on < intention["earliest_start"]:
        raise DomainError(
            "INTENTION_LEAD_NOT_MET",
            f"the intention was published on {intention['published_on']}: the procurement may "
            f"start on {intention['earliest_start']} at the earliest",
        )


@requires(Perm.PROJECT_ANNOUNCE)
async def publish_tender(
    actor: CurrentUser,
    project_id: int,
    title: str,
    body: str,
    bid_deadline: date | None,
    on: date | None = None,
    bid_deadline_at: datetime | None = None,
) -> dict:
    """The call for bids: the deadline leaves at least the method's response period (e.g. 20 d
    for tenders), and a tender announcement stays up 5 working days. With `bid_deadline_at`
    (an instant) the project takes sealed electronic bids until then and the scheduler closes
    bidding and opens the hall (transaction/opening.py)."""
    on = on or today()
    if bid_deadline_at is not None:
        if bid_deadline_at.tzinfo is None:
            raise DomainError(
                "INVALID_DEADLINE", "the deadline instant with its time zone", "bidDeadlineAt"
            )
        bid_deadline = bid_deadline_at.astimezone(LEGAL_TZ).date()
        if bid_deadline_at <= now():
            raise DomainError("INVALID_DEADLINE", "the deadline is in the past", "bidDeadlineAt")
    if bid_deadline is None:
        raise DomainError("INVALID_DEADLINE", "a bid deadline", "bidDeadline")
    async with transaction():
        project = await _as_agency(actor, project_id)
        plan = await plans.get(project["plan"])
        await _intention_lead_met(plan, on)
        await prequalification.ensure_ready(project, electronic=bid_deadline_at is not None)
        response = await rule_deadline(RESPONSE_RULE[project["method"]], on, project["tenant_id"])
        if bid_deadline < response.due:
            raise DomainError(
                "PERIOD_TOO_SHORT",
                f"published on {on}, responses may close on {response.due} at the earliest, not "
                f"{bid_deadline} ({'; '.join(response.steps)})",
                "bidDeadline",
            )
        await check_publication(
            actor, "tender", project, on, title=title, body=body, bid_deadline=bid_deadline
        )
        period = (
            await rule_deadline("tender_announcement_period", on, project["tenant_id"])
            if project["method"] in TENDERS
            else None
        )
        return await _publish(
            actor,
            project,
            "publish_tender",
            "tender",
            title,
            body,
            on,
            plan,
            bid_deadline=bid_deadline,
            bid_deadline_at=bid_deadline_at,
            period_end=period.due if period else None,
            steps=[*response.steps, *(period.steps if period else [])],
        )


@requires(Perm.PROJECT_ANNOUNCE)
async def publish_correction(
    actor: CurrentUser,
    project_id: int,
    title: str,
    body: str,
    affects_bids: bool,
    new_bid_deadline: date | None = None,
    on: date | None = None,
) -> dict:
    """A correction that affects bids comes at least 15 days before the deadline; otherwise the
    deadline moves (new_bid_deadline) to at least 15 days after the correction."""
    on = on or today()
    async with transaction():
        project = await _as_agency(actor, project_id)
        deadline = new_bid_deadline or project["bid_deadline"]
        steps: list[str] = []
        if (
            new_bid_deadline is not None
            and project["bid_deadline"]
            and new_bid_deadline < project["bid_deadline"]
        ):
            raise DomainError(
                "DEADLINE_EARLIER",
                "a correction may move the deadline later only",
                "newBidDeadline",
            )
        if affects_bids:
            needed = await rule_deadline("correction_before_deadline", on, project["tenant_id"])
            steps = list(needed.steps)
            if deadline < needed.due:
                raise DomainError(
                    "CORRECTION_TOO_LATE",
                    f"a correction affecting bids on {on} needs the deadline on {needed.due} or "
                    f"later, not {deadline}: move it with newBidDeadline",
                    "newBidDeadline",
                )
        moved_at = None
        if new_bid_deadline is not None and project["bid_deadline_at"] is not None:
            local = project["bid_deadline_at"].astimezone(LEGAL_TZ)
            moved_at = datetime.combine(new_bid_deadline, local.timetz())
        await check_publication(
            actor,
            "correction",
            project,
            on,
            title=title,
            body=body,
            bid_deadline=deadline,
            affects_bids=affects_bids,
        )
        return await _publish(
            actor,
            project,
            "publish_correction",
            "correction",
            title,
            body,
            on,
            bid_deadline_at=moved_at,
            bid_deadline=deadline,
            affects_bids=affects_bids,
            steps=steps,
        )


@requires(Perm.PROJECT_ANNOUNCE)
async def publish_result(
    actor: CurrentUser,
    project_id: int,
    title: str,
    body: str,
    awards: list[AwardInput],
    on: date | None = None,
) -> dict:
    """The result names the winning supplier(s) and amounts (within the budget), after the
    deadline; it stays up one working day."""
    on = on or today()
    async with transaction():
        project = await _as_agency(actor, project_id)
        PROJECT.next_state("publish_result", project["status"])
        problems = []
        if project["bid_deadline_at"] is not None and project["status"] not in ("opened", "redo"):
            problems.append(
                Problem("NOT_OPENED", "sealed bids are opened before a result", "awards")
            )
        if project["bid_deadline"] and on < project["bid_deadline"]:
            problems.append(
                Problem(
                    "BEFORE_DEADLINE", f"responses close on {project['bid_deadline']}", "awards"
                )
            )
        if not awards:
            problems.append(Problem("NO_AWARD", "name at least one winning supplier", "awards"))
        winners, total = [], 0
        found = await suppliers.by_uscc([award.supplier_uscc for award in awards])
        for i, award in enumerate(awards):
            supplier = found.get(award.supplier_uscc)
            if supplier is None or supplier["status"] in ("inactive", "suspended"):
                problems.append(
                    Problem(
                        "UNKNOWN_SUPPLIER",
                        f"no active supplier {award.supplier_uscc}",
                        f"awards[{i}]",
                    )
                )
                continue
            fen = to_fen(award.amount, f"awards[{i}].amount")
            total += fen
            winners.append((supplier, fen))
        if total > project["budget_fen"]:
            problems.append(
                Problem(
                    "OVER_BUDGET",
                    f"{to_yuan(total)} yuan is more than the plan's {to_yuan(project['budget_fen'])}",
                    "awards",
                )
            )
        problems += await blocks.evaluation_problems(
            project["tenant_id"], project_id, [(s["organisation"], fen) for s, fen in winners]
        )
        if problems:
            raise DomainError.many(problems)
        await check_publication(
            actor,
            "result",
            project,
            on,
            title=title,
            body=body,
            awards=[
                {
                    "organisation_id": s["organisation"],
                    "supplier_name": s["name"],
                    "amount_fen": fen,
                }
                for s, fen in winners
            ],
        )
        period = await rule_deadline("result_announcement_period", on, project["tenant_id"])
        await Award.insert(
            *(
                Award(
                    tenant_id=project["tenant_id"],
                    project=project_id,
                    supplier_organisation=s["organisation"],
                    supplier_name=s["name"],
                    amount_fen=fen,
                )
                for s, fen in winners
            )
        )
        return await _publish(
            actor,
            project,
            "publish_result",
            "result",
            title,
            body,
            on,
            period_end=period.due,
            steps=list(period.steps),
        )


@requires(Perm.PROJECT_DECLARE_FAILED)
async def declare_failed(actor: CurrentUser, project_id: int, reason: str) -> dict:
    """No valid result (流标/废标): the plan is marked failed; its purchaser restarts it or
    terminates it (supervision.plans.resolve_failed)."""
    if not reason.strip():
        raise DomainError("REASON_REQUIRED", "say why the procurement failed", "reason")
    async with transaction():
        project = await _as_agency(actor, project_id)
        await blocks.ensure_free(project["tenant_id"], project_id, "transaction")
        failed = await PROJECT.move(
            actor, project, "declare_failed", detail={"reason": reason.strip()}
        )
        await plans.mark(project["plan"], "fail", {"project": project_id})
        return failed


async def announcements(project_id: int) -> list[dict]:
    return (
        await Announcement.select()
        .where(Announcement.project == project_id)
        .order_by(Announcement.id)
    )


async def awards(project_id: int) -> list[dict]:
    return await Award.select().where(Award.project == project_id).order_by(Award.id)


@requires(Perm.PROJECT_READ)
async def search(
    actor: CurrentUser, status: str | None, first: int | None, after: str | None
) -> Page:
    """An agency's own projects and a supplier's (documents obtained or bid on), wherever they
    are; a purchaser's unit's; admins and supervisors their region's."""
    query = Project.select()
    if not actor.has_any_role(ADMIN_ROLES | {SUPERVISOR}):
        if AGENCY in actor.roles:
            return await parties.agency_search(actor, status, first, after)
        if SUPPLIER in actor.roles:
            return await parties.supplier_search(actor, status, first, after)
        else:
            unit = await purchaser_unit(actor)
            query = query.where(Project.purchaser == unit["id"])
    if status:
        query = query.where(Project.status == status)
    return await keyset_page(query, Project.id, first, after)
