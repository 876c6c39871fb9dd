"""The opening record (开标记录): who bid, the prices and discounts read out (where the method
reads prices at opening), and how each bid's unsealing went. Bidders confirm it or object on the
spot; the agency answers every objection and then signs it. It is visible to the project's
agency and bidders; evaluation committee members have no access to the hall. The portal shows
it after the result.
"""

from __future__ import annotations

import json

from gpcloud.core import clock
from gpcloud.core.audit import service as audit
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.roles import SUPPLIER
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.db import transaction
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.money import to_yuan
from gpcloud.core.notifications.service import Recipients, notify
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.transaction import bids, documents, lots
from gpcloud.transaction.methods import method_config
from gpcloud.transaction.tables import OpeningRecord, OpeningResponse, Project
from gpcloud.transaction.workflow import OPENING

# A bid still submitted at the window's end is one of a lot that failed at the deadline.
RESULTS = {
    "unsealed": "opened",
    "revoked": "revoked",
    "withdrawn": "withdrawn",
    "submitted": "not_opened",
}


def _in_opening(bid: dict, project: dict) -> bool:
    """A bid that stood at the deadline (not one its bidder replaced or withdrew before)."""
    if bid["status"] != "withdrawn":
        return bid["status"] in RESULTS
    return bid["replaced_by"] is None and bid["updated_at"] >= project["bid_deadline_at"]


async def write(project: dict) -> dict:
    """Written by the scheduler when the decryption window ends: the bids read out with the
    grounds for invalidity found (for the evaluation), and how each lot stands."""
    prices = method_config(project["method"]).prices_read_at_opening
    document = await documents.current(project["id"])
    entries = []
    all_bids = await bids.of_project(project["id"])
    for bid in all_bids:
        if not _in_opening(bid, project):
            continue
        opened = bid["status"] == "unsealed"
        entries.append(
            {
                "bid": bid["id"],
                "bidder_organisation": bid["supplier_organisation"],
                "bidder_name": bid["supplier_name"],
                "lot": bid["lot"],
                "received_at": bid["received_at"].isoformat(),
                "digest": bid["digest"],
                "security": bid["security"],
                "result": RESULTS[bid["status"]],
                "price": str(to_yuan(bid["price_fen"]))
                if opened and prices and bid["price_fen"] is not None
                else None,
                "discount": bid["discount"] if opened and prices else None,
                "invalidity_grounds": lots.invalidity_grounds(bid, document),
            }
        )
    record = OpeningRecord(
        tenant_id=project["tenant_id"],
        project=project["id"],
        entries=json.dumps(entries, ensure_ascii=False),
        lots=json.dumps(lots.at_opening(project, all_bids), ensure_ascii=False),
        opened_at=clock.now(),
    )
    await record.save()
    row = await OpeningRecord.select().where(OpeningRecord.id == record.id).first()
    await OPENING.created(row, {"entries": len(entries)}, "write")
    for organisation in sorted({e["bidder_organisation"] for e in entries}):
        await notify(
            "project.opening_record",
            Recipients(organisation=organisation, roles=(SUPPLIER,)),
            {"title": project["title"], "project_id": project["id"]},
            about=("project", project["id"]),
            key=f"project:{project['id']}:opening_record:{organisation}",
        )
    return row


async def _record(project_id: int) -> dict:
    row = await OpeningRecord.select().where(OpeningRecord.project == project_id).first()
    if row is None:
        raise DomainError("NO_OPENING_RECORD", "the project has no opening record yet", "projectId")
    return row


async def _project(project_id: int) -> dict:
    row = await Project.select().where(Project.id == project_id).first()
    if row is None:
        raise NotFound("project", project_id)
    return row


async def readable(actor: CurrentUser, project_id: int) -> dict:
    """The record, for the project's agency, its bidders and the region's staff (never an
    expert: evaluation committee members have no access to the hall)."""
    with all_tenants(bids.PARTY_SCOPE):
        project = await _project(project_id)
        record = await _record(project_id)
        bidders = await bids.bidder_organisations(project_id)
    staff = actor.can(Perm.REGION_READ) and actor.in_region(project["tenant_id"])
    party = actor.organisation_id == project["agency_organisation"] or (
        actor.can(Perm.OPENING_RESPOND) and actor.organisation_id in bidders
    )
    if not (staff or party):
        raise NotFound("opening record of project", project_id)
    return record


async def responses(record_id: int) -> list[dict]:
    return (
        await OpeningResponse.select()
        .where(OpeningResponse.record == record_id)
        .order_by(OpeningResponse.id)
    )


@requires(Perm.OPENING_RESPOND)
async def respond(actor: CurrentUser, project_id: int, objection: str | None) -> dict:
    """A bidder confirms the record (objection None) or objects to it, once each."""
    with all_tenants(bids.PARTY_SCOPE):
        async with transaction():
            record = await _record(project_id)
            entries = json.loads(record["entries"])
            if actor.organisation_id not in {e["bidder_organisation"] for e in entries}:
                raise NotFound("opening record of project", project_id)
            if record["status"] != "open":
                raise DomainError("RECORD_SIGNED", "the opening record is signed", "projectId")
            done = await OpeningResponse.exists().where(
                (OpeningResponse.record == record["id"])
                & (OpeningResponse.supplier_organisation == actor.organisation_id)
            )
            if done:
                raise DomainError("ALREADY_RESPONDED", "you answered this record already")
            text = (objection or "").strip()
            if objection is not None and not 2 <= len(text) <= 2000:
                raise DomainError("INVALID_OBJECTION", "an objection of 2 to 2000 characters")
            inserted = await OpeningResponse.insert(
                OpeningResponse(
                    tenant_id=record["tenant_id"],
                    record=record["id"],
                    supplier_organisation=actor.organisation_id,
                    kind="object" if objection is not None else "confirm",
                    text=text,
                    created_at=clock.now(),
                )
            )
            await audit.record(
                "opening_record.object" if objection is not None else "opening_record.confirm",
                "opening_record",
                record["id"],
                detail={"organisation": actor.organisation_id, "text": text},
                tenant=record["tenant_id"],
            )
            return (
                await OpeningResponse.select()
                .where(OpeningResponse.id == inserted[0]["id"])
                .first()
            )


async def _as_agency(actor: CurrentUser, project_id: int) -> dict:
    with all_tenants(bids.PARTY_SCOPE):
        project = await _project(project_id)
    if project["agency_organisation"] != actor.organisation_id:
        raise NotFound("project", project_id)
    return project


@requires(Perm.OPENING_SIGN)
async def answer(actor: CurrentUser, response_id: int, text: str) -> dict:
    """The agency answers an objection, on the record."""
    if not 2 <= len(text.strip()) <= 2000:
        raise DomainError("INVALID_ANSWER", "an answer of 2 to 2000 characters", "answer")
    with all_tenants(bids.PARTY_SCOPE):
        async with transaction():
            response = (
                await OpeningResponse.select().where(OpeningResponse.id == response_id).first()
            )
            if response is None or response["kind"] != "object":
                raise NotFound("objection", response_id)
            record = (
                await OpeningRecord.select().where(OpeningRecord.id == response["record"]).first()
            )
            await _as_agency(actor, record["project"])
            if response["answer"] is not None:
                raise DomainError("ALREADY_ANSWERED", "the objection is answered")
            updated = await (
                OpeningResponse.update(
                    {OpeningResponse.answer: text.strip(), OpeningResponse.answered_at: clock.now()}
                )
                .where((OpeningResponse.id == response_id) & OpeningResponse.answer.is_null())
                .returning(*OpeningResponse.all_columns())
            )
            if not updated:
                raise DomainError("CONFLICT", "answered meanwhile")
            await audit.record(
                "opening_record.answer",
                "opening_record",
                record["id"],
                detail={"response": response_id, "answer": text.strip()},
                tenant=record["tenant_id"],
            )
            return updated[0]


@requires(Perm.OPENING_SIGN)
async def sign(actor: CurrentUser, project_id: int) -> dict:
    """The agency signs the record once every objection is answered."""
    with all_tenants(bids.PARTY_SCOPE):
        async with transaction():
            await _as_agency(actor, project_id)
            record = await _record(project_id)
            open_objections = await OpeningResponse.count().where(
                (OpeningResponse.record == record["id"])
                & (OpeningResponse.kind == "object")
                & OpeningResponse.answer.is_null()
            )
            if open_objections:
                raise DomainError(
                    "OBJECTIONS_OPEN", f"{open_objections} objection(s) wait for an answer"
                )
            return await OPENING.move(
                actor,
                record,
                "sign",
                {OpeningRecord.signed_at: clock.now(), OpeningRecord.signed_by: actor.id},
            )
