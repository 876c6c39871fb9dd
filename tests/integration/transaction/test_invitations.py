"""The invited tender's invitees (邀请招标, Government Procurement Law art. 34: "从符合相应资格条件
的供应商中，通过随机方式选择三家以上的供应商"): drawn at random from the prequalified, verifiably
(the seed committed with the notice, the qualified list frozen with its digest, the result
recomputed from both); only the invitees obtain the documents and bid."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
import time_machine

from gpcloud.core import draws
from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.errors import DomainError
from gpcloud.core.notifications.tables import Notification
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.transaction import documents, invitations, prequalification
from gpcloud.transaction import service as projects
from tests.integration.procurement import actor, filed_plan
from tests.integration.transaction.bidding import DEADLINE, MS, bidder, submit
from tests.integration.transaction.test_documents import terms
from tests.integration.transaction.test_prequalification import (
    DUE_AT,
    NOTICE_AT,
    application,
    closes,
    entrusted,
    notice,
)
from tests.support import data, gql, login

TENDER_AT = datetime.fromisoformat("2026-09-21T10:00:00+08:00")
pytestmark = pytest.mark.day(date(2026, 9, 1))  # the notice's day (test_prequalification)


@pytest.fixture
async def world(demo):
    return await filed_plan()


@pytest.fixture
def traveller():
    with time_machine.travel(NOTICE_AT, tick=False) as t:
        yield t


async def audit(action: str) -> list[dict]:
    with all_tenants("test: the audit log"):
        rows = await AuditEntry.select().where(AuditEntry.action == action)
    return [json.loads(r["detail"]) for r in rows]


async def concluded(world, traveller, qualified: int = 4, rejected: int = 1):
    """An invited tender whose prequalification is concluded: (project, passing, failing)."""
    project = await entrusted(world, "invited_tender")
    await prequalification.publish(world["agent"], project, notice())
    passing = [await bidder(n) for n in range(1, qualified + 1)]
    failing = [await bidder(n) for n in range(qualified + 1, qualified + rejected + 1)]
    apps = {
        b.organisation: await prequalification.apply(b.user, project, application())
        for b in passing + failing
    }
    traveller.move_to(DUE_AT + MS)
    await closes()
    for b in passing + failing:
        ok = b in passing
        await prequalification.review(
            world["agent"], apps[b.organisation]["id"], ok, "" if ok else "营业执照已过期"
        )
    return project, passing, failing


async def test_the_invitees_are_drawn_verifiably_and_only_they_bid(world, traveller):
    project = await entrusted(world, "invited_tender")
    await prequalification.publish(world["agent"], project, notice())
    committed = await invitations.of_project(project)  # with the notice, before anyone applies
    assert committed["status"] == "committed"
    assert committed["seed_hash"] == draws.seed_hash(committed["seed"])
    assert await audit("invitation_draw.commit") == [
        {"project": project, "seed_hash": committed["seed_hash"]}
    ]
    passing = [await bidder(n) for n in range(1, 5)]
    failing = await bidder(5)
    apps = {}
    for b in [*passing, failing]:
        apps[b.organisation] = await prequalification.apply(b.user, project, application())
    traveller.move_to(DUE_AT + MS)
    await closes()
    for b in passing:
        await prequalification.review(world["agent"], apps[b.organisation]["id"], True, "")
    await prequalification.review(
        world["agent"], apps[failing.organisation]["id"], False, "缺少资质证书"
    )
    with pytest.raises(DomainError) as info:  # drawn from the concluded list only
        await invitations.draw(world["agent"], project, 3)
    assert info.value.code == "PREQUALIFICATION_NOT_CONCLUDED"
    await prequalification.conclude(world["agent"], project)

    traveller.move_to(TENDER_AT)
    with use_scope(world["scope"]), pytest.raises(DomainError) as info:
        await projects.publish_tender(
            world["agent"], project, "邀请招标公告", "正文", None, bid_deadline_at=DEADLINE
        )
    assert info.value.code == "INVITEES_NOT_DRAWN"
    for wrong in (2, 5):  # at least 3 (Law art. 34), at most the 4 qualified
        with pytest.raises(DomainError) as info:
            await invitations.draw(world["agent"], project, wrong)
        assert info.value.code == "INVALID_INVITEES"
    with pytest.raises(DomainError) as info:  # a supplier: not its role
        await invitations.draw(passing[0].user, project, 3)
    assert info.value.code == "FORBIDDEN"
    with pytest.raises(DomainError) as info:  # another agency: not its project
        await invitations.draw(await actor("xn.agency"), project, 3)
    assert info.value.code == "NOT_FOUND"

    drawn = await invitations.draw(world["agent"], project, 3)
    assert drawn["status"] == "drawn" and drawn["seed"] == committed["seed"]
    picked = json.loads(drawn["result"])
    qualified = sorted(b.organisation for b in passing)
    assert len(picked) == 3 and set(picked) < set(qualified)
    # Reproducible by anyone with the seed: the frozen list, its digest, the result, its digest.
    snapshot = json.loads(drawn["snapshot"])
    assert snapshot == [[o, 1] for o in qualified]
    assert drawn["snapshot_digest"] == draws.digest(snapshot)
    again = draws.reference_draw(invitations.DOMAIN, drawn["seed"], drawn["id"], snapshot, 3)
    assert again == picked
    assert drawn["result_digest"] == draws.digest({"draw": drawn["id"], "result": picked})
    assert invitations.verify(drawn).verified
    tampered = {**drawn, "result": json.dumps(list(reversed(picked)))}
    assert not invitations.verify(tampered).verified
    [detail] = await audit("invitation_draw.draw")
    assert detail == {
        "project": project,
        "seed_hash": committed["seed_hash"],
        "snapshot_digest": drawn["snapshot_digest"],
        "qualified": 4,
        "invitees": 3,
        "result_digest": drawn["result_digest"],
    }
    with pytest.raises(DomainError) as info:  # once
        await invitations.draw(world["agent"], project, 3)
    assert info.value.code == "WRONG_STATE"
    with all_tenants("test: the notifications"):
        told = await Notification.select().where(Notification.kind == "project.invited")
    by_user = {b.user.id: b.organisation for b in passing}
    assert sorted(by_user[n["recipient"]] for n in told) == sorted(picked)

    with use_scope(world["scope"]):
        await projects.publish_tender(
            world["agent"], project, "邀请招标公告", "正文", None, bid_deadline_at=DEADLINE
        )
        await documents.publish(world["agent"], project, terms())
    invitees = [b for b in passing if b.organisation in picked]
    [left_out] = [b for b in passing if b.organisation not in picked]
    for b in invitees:
        assert (await documents.obtain(b.user, project))["version"] == 1
    with pytest.raises(DomainError) as info:
        await documents.obtain(left_out.user, project)
    assert info.value.code == "NOT_INVITED"
    with pytest.raises(DomainError) as info:
        await documents.obtain(failing.user, project)
    assert info.value.code == "NOT_PREQUALIFIED"
    traveller.move_to(DEADLINE - timedelta(hours=1))
    row, _, _ = await submit(invitees[0], project, "4000000")
    assert row["status"] == "submitted"
    with pytest.raises(DomainError) as info:
        await submit(left_out, project, "3900000")
    assert info.value.code == "NOT_INVITED"


async def test_fewer_than_three_qualified_leave_nothing_to_draw(world, traveller):
    project, _, _ = await concluded(world, traveller, qualified=2, rejected=1)
    failed = await prequalification.conclude(world["agent"], project)
    assert failed["status"] == "failed"  # and the project with it (test_prequalification)
    with pytest.raises(DomainError) as info:
        await invitations.draw(world["agent"], project, 3)
    assert info.value.code == "PREQUALIFICATION_NOT_CONCLUDED"
    assert (await invitations.of_project(project))["status"] == "committed"


async def test_an_open_tender_draws_no_invitees(world, traveller):
    project = await entrusted(world)  # open tender, prequalification allowed
    await prequalification.publish(world["agent"], project, notice())
    assert await invitations.of_project(project) is None
    with pytest.raises(DomainError) as info:
        await invitations.draw(world["agent"], project, 3)
    assert info.value.code == "NO_INVITATION_DRAW"


DRAW = """
mutation($id: ID!, $n: Int!) {
  drawInvitees(projectId: $id, invitees: $n) {
    draw { status invitees invitedOrganisationIds seed verification { verified checks { ok } } }
    errors { code field }
  }
}
"""
READ = """
query($id: ID!) {
  invitationDraw(projectId: $id) {
    status seedHash invited invitees qualified invitedOrganisationIds seed resultDigest
    verification { verified }
  }
}
"""


async def test_the_draw_through_the_api(client, world, traveller):
    project, passing, _ = await concluded(world, traveller)
    await prequalification.conclude(world["agent"], project)
    pid = str(project)
    agency = await login(client, "mz.agency")
    supplier = await login(client, "gz.bidder1", "x" * 12)

    refused = await gql(client, DRAW, {"id": pid, "n": 3}, supplier)  # wrong role
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    other = await gql(client, DRAW, {"id": pid, "n": 3}, await login(client, "xn.agency"))
    assert data(other)["drawInvitees"]["errors"][0]["code"] == "NOT_FOUND"  # another agency
    short = await gql(client, DRAW, {"id": pid, "n": 2}, agency)
    assert data(short)["drawInvitees"]["errors"] == [
        {"code": "INVALID_INVITEES", "field": "invitees"}
    ]

    done = data(await gql(client, DRAW, {"id": pid, "n": 3}, agency))["drawInvitees"]
    assert done["errors"] == []
    drawn = done["draw"]
    assert drawn["status"] == "DRAWN" and drawn["invitees"] == 3 and len(drawn["seed"]) == 64
    assert drawn["verification"]["verified"] and all(
        c["ok"] for c in drawn["verification"]["checks"]
    )

    whole = data(await gql(client, READ, {"id": pid}, agency))["invitationDraw"]
    assert (
        whole["qualified"] == 4
        and whole["invitedOrganisationIds"] == drawn["invitedOrganisationIds"]
    )
    # A supplier reads its own invitation only: not who else, how many, nor the seed.
    mine = data(await gql(client, READ, {"id": pid}, supplier))["invitationDraw"]
    own = str(passing[0].organisation)
    assert mine["invited"] == (own in drawn["invitedOrganisationIds"])
    assert mine["invitedOrganisationIds"] == ([own] if mine["invited"] else [])
    assert mine["seed"] is None and mine["invitees"] is None and mine["qualified"] is None
    assert mine["resultDigest"] is None and mine["verification"] is None
    assert mine["seedHash"] == whole["seedHash"]
    # A supplier that is no party to the project reads nothing.
    await bidder(9)
    stranger = await login(client, "gz.bidder9", "x" * 12)
    assert data(await gql(client, READ, {"id": pid}, stranger))["invitationDraw"] is None
