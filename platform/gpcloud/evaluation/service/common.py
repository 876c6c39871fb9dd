"""What the committee, draw and seat services share: reading rows across tenants for the
parties (the agency is registered once for the province; an expert serves wherever drawn), and
the checks of who is whose."""

from __future__ import annotations

from gpcloud.core.auth.roles import AGENCY
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.db import for_update
from gpcloud.core.errors import NotFound
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.evaluation.tables import DrawMember, EvaluationCommittee, ExpertDraw

PARTY_SCOPE = "a committee's agency and drawn experts act on it wherever they are registered"


async def committee(committee_id: int, lock: bool = False) -> dict:
    with all_tenants(PARTY_SCOPE):
        query = EvaluationCommittee.select().where(EvaluationCommittee.id == committee_id)
        rows = await (for_update(query) if lock else query)
    if not rows:
        raise NotFound("evaluation committee", committee_id)
    return rows[0]


async def as_agency(actor: CurrentUser, committee_id: int, lock: bool = False) -> dict:
    """The committee of a project entrusted to the actor's agency (NOT_FOUND for anyone else)."""
    row = await committee(committee_id, lock)
    if AGENCY not in actor.roles or row["agency_organisation"] != actor.organisation_id:
        raise NotFound("evaluation committee", committee_id)
    return row


async def draw(draw_id: int) -> dict:
    with all_tenants(PARTY_SCOPE):
        row = await ExpertDraw.select().where(ExpertDraw.id == draw_id).first()
    if row is None:
        raise NotFound("expert draw", draw_id)
    return row


async def draw_of(committee_id: int) -> dict | None:
    with all_tenants(PARTY_SCOPE):
        return (
            await ExpertDraw.select()
            .where((ExpertDraw.committee == committee_id) & (ExpertDraw.status != "cancelled"))
            .first()
        )


async def members(committee_id: int) -> list[dict]:
    with all_tenants(PARTY_SCOPE):
        return (
            await DrawMember.select()
            .where(DrawMember.committee == committee_id)
            .order_by(DrawMember.position)
        )


async def member(member_id: int) -> dict:
    with all_tenants(PARTY_SCOPE):
        row = await DrawMember.select().where(DrawMember.id == member_id).first()
    if row is None:
        raise NotFound("assignment", member_id)
    return row


async def members_by_committee(ids: list[int]) -> list[list[dict]]:
    """Batch loader: the drawn experts of each committee, in draw order (readers are checked
    on the committee before this runs)."""
    with all_tenants(PARTY_SCOPE):
        rows = await DrawMember.select().where(DrawMember.committee.is_in(list(ids) or [0]))
    grouped: dict[int, list[dict]] = {}
    for row in sorted(rows, key=lambda r: r["position"]):
        grouped.setdefault(row["committee"], []).append(row)
    return [grouped.get(i, []) for i in ids]


async def draws_by_committee(ids: list[int]) -> list[dict | None]:
    with all_tenants(PARTY_SCOPE):
        rows = await ExpertDraw.select().where(
            ExpertDraw.committee.is_in(list(ids) or [0]) & (ExpertDraw.status != "cancelled")
        )
    found = {r["committee"]: r for r in rows}
    return [found.get(i) for i in ids]


async def committees_by_id(ids: list[int]) -> list[dict | None]:
    with all_tenants(PARTY_SCOPE):
        rows = await EvaluationCommittee.select().where(
            EvaluationCommittee.id.is_in(list(ids) or [0])
        )
    found = {r["id"]: r for r in rows}
    return [found.get(i) for i in ids]
