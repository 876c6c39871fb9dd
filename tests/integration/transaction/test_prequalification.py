"""Prequalification (资格预审): the notice with an application period of at least 5 working days
(Implementing Regulation art. 21), applications with documents until the deadline instant, the
scheduler closing it, the agency's review and conclusion; only qualified suppliers obtain the
documents and bid; an invited tender's sealed bidding waits for one; fewer qualified than three
fail it. Every step audited."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
import time_machine
from jsonschema import Draft4Validator

from gpcloud.core import clock, storage
from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.errors import DomainError
from gpcloud.core.notifications.tables import Notification
from gpcloud.core.scheduler import service as scheduler
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.portal import ocds
from gpcloud.portal.tables import Notice
from gpcloud.supervision.tables import ProcurementPlan
from gpcloud.transaction import documents, parties, prequalification, supervision
from gpcloud.transaction import service as projects
from gpcloud.transaction.methods import ARTICLE_43_OPTIONS
from gpcloud.transaction.prequalification_corrections import correct
from gpcloud.transaction.tables import Project
from tests.integration.procurement import filed_plan
from tests.integration.transaction.bidding import DEADLINE, MS, bidder, submit
from tests.integration.transaction.test_documents import terms
from tests.support import data, gql

NOTICE_AT = datetime.fromisoformat("2026-09-01T10:00:00+08:00")  # Tuesday
pytestmark = pytest.mark.day(date(2026, 9, 1))  # the legal day periods start from
# 5 working days from Tue 1 Sep (the day not counted): 2, 3, 4, 7, 8 Sep.
DUE_AT = datetime.fromisoformat("2026-09-08T17:00:00+08:00")


@pytest.fixture
async def world(demo):
    return await filed_plan()


@pytest.fixture
def traveller():
    with time_machine.travel(NOTICE_AT, tick=False) as t:
        yield t


def notice(due_at: datetime = DUE_AT) -> prequalification.NoticeInput:
    return prequalification.NoticeInput(
        title="教学设备采购项目资格预审公告",
        body="详见资格预审文件。",
        requirements=[{"item": "营业执照"}, {"item": "近三年无重大违法记录"}],
        applications_due_at=due_at,
    )


def application(text: str = "我司满足全部资格条件。") -> prequalification.ApplicationInput:
    return prequalification.ApplicationInput(
        statement=text, files=[("营业执照.pdf", f"执照 {text}".encode())]
    )


async def entrusted(world, method: str | None = None) -> int:
    with use_scope(world["scope"]):
        project = (await projects.entrust(world["purchaser"], world["plan"], world["agency"]))["id"]
    if method:  # the method the plan's approved change chose (set-up)
        with all_tenants("test"):
            await Project.update({Project.method: method}).where(Project.id == project)
    return project


async def closes() -> list:
    return [d for d in await scheduler.run_once(clock.now()) if d.machine == "prequalification"]


async def audited(prefix: str) -> list[str]:
    with all_tenants("test: the audit log"):
        rows = (
            await AuditEntry.select(AuditEntry.action)
            .where(AuditEntry.action.like(f"{prefix}%"))
            .order_by(AuditEntry.id)
        )
    return [r["action"] for r in rows]


async def reviewed(world, traveller, qualified: int = 3, rejected: int = 1):
    """A prequalification closed and reviewed, ready to conclude, with `qualified` suppliers passing and `rejected` not."""
    project = await entrusted(world)
    await prequalification.publish(world["agent"], project, notice())
    passing = [await bidder(n) for n in range(1, qualified + 1)]
    failing = [await bidder(n) for n in range(qualified + 1, qualified + rejected + 1)]
    apps = {}
    for b in passing + failing:
        apps[b.organisation] = await prequalification.apply(b.user, project, application())
    traveller.move_to(DUE_AT + MS)
    await closes()
    for b in passing:
        await prequalification.review(world["agent"], apps[b.organisation]["id"], True, "")
    for b in failing:
        await prequalification.review(
            world["agent"], apps[b.organisation]["id"], False, "营业执照已过期"
        )
    return project, passing, failing


async def test_a_prequalification_from_the_notice_to_the_qualified_list(world, traveller):
    project = await entrusted(world)
    agent = world["agent"]
    with pytest.raises(DomainError) as info:  # 7 Sep is the 4th working day
        await prequalification.publish(agent, project, notice(DUE_AT - timedelta(days=1)))
    assert info.value.code == "PERIOD_TOO_SHORT"
    held = await prequalification.publish(agent, project, notice())
    assert held["status"] == "open" and held["next_check"] == DUE_AT
    with pytest.raises(DomainError) as info:
        await prequalification.publish(agent, project, notice())
    assert info.value.code == "PREQUALIFICATION_EXISTS"

    a, b, c, d, late = [await bidder(n) for n in range(1, 6)]
    first = await prequalification.apply(a.user, project, application("初次申请"))
    again = await prequalification.apply(a.user, project, application("补充材料后重新提交"))
    assert again["id"] == first["id"] and again["revision"] == 1
    [kept] = json.loads(again["documents"])
    assert await storage.get(kept["key"]) == "执照 补充材料后重新提交".encode()
    apps = {a.organisation: again}
    for s in (b, c, d):
        apps[s.organisation] = await prequalification.apply(s.user, project, application())
    # An applicant is a party wherever it is registered (Guangzhou, the project Xingning's).
    assert project in await parties.supplier_projects(b.organisation)

    with pytest.raises(DomainError) as info:  # reviewed only once applications are closed
        await prequalification.review(agent, apps[b.organisation]["id"], True, "")
    assert info.value.code == "PREQUALIFICATION_NOT_CLOSED"
    traveller.move_to(DUE_AT)
    with pytest.raises(DomainError) as info:  # at the deadline instant: closed
        await prequalification.apply(late.user, project, application())
    assert info.value.code == "APPLICATIONS_CLOSED"
    traveller.move_to(DUE_AT + timedelta(milliseconds=500))
    [ran] = await closes()
    assert ran.action == "close" and ran.due_at == DUE_AT
    assert await closes() == []  # once

    with pytest.raises(DomainError) as info:  # a rejection says why
        await prequalification.review(agent, apps[d.organisation]["id"], False, "")
    assert info.value.code == "REASON_REQUIRED"
    with pytest.raises(DomainError) as info:  # only the project's agency reviews
        await prequalification.review(a.user, apps[d.organisation]["id"], True, "")
    assert info.value.code == "FORBIDDEN"
    for s in (a, b, c):
        await prequalification.review(agent, apps[s.organisation]["id"], True, "")
    with pytest.raises(DomainError) as info:
        await prequalification.conclude(agent, project)
    assert info.value.code == "APPLICATIONS_UNREVIEWED"
    rejected = await prequalification.review(
        agent, apps[d.organisation]["id"], False, "缺少近三年无重大违法记录声明"
    )
    assert rejected["status"] == "rejected" and rejected["reason"].startswith("缺少")
    with pytest.raises(DomainError) as info:  # reviewed once
        await prequalification.review(agent, apps[d.organisation]["id"], True, "")
    assert info.value.code == "WRONG_STATE"
    done = await prequalification.conclude(agent, project)
    assert done["status"] == "concluded" and done["qualified"] == 3
    with all_tenants("test: the notifications"):
        told = await Notification.select().where(
            Notification.kind == "project.prequalification_result"
        )
    assert {n["recipient"]: "不合格" in n["body"] for n in told} == {
        a.user.id: False,
        b.user.id: False,
        c.user.id: False,
        d.user.id: True,
    }  # 资格预审结果通知书 to every applicant, the rejected one with its reason

    assert await audited("prequalification") == [
        "prequalification.publish",
        *["prequalification_application.apply"],
        "prequalification_application.resubmit",
        *["prequalification_application.apply"] * 3,
        "prequalification.close",
        *["prequalification_application.qualify"] * 3,
        "prequalification_application.reject",
        "prequalification.conclude",
    ]


async def test_only_qualified_suppliers_obtain_the_documents_and_bid(world, traveller):
    project, passing, [failing] = await reviewed(world, traveller)
    assert (await prequalification.conclude(world["agent"], project))["qualified"] == 3
    stranger = await bidder(9)
    traveller.move_to(datetime.fromisoformat("2026-09-21T10:00:00+08:00"))
    with use_scope(world["scope"]):
        await projects.publish_tender(
            world["agent"], project, "招标公告", "正文", None, bid_deadline_at=DEADLINE
        )
        await documents.publish(world["agent"], project, terms())
    for s in passing:
        assert (await documents.obtain(s.user, project))["version"] == 1
    for s in (failing, stranger):
        with pytest.raises(DomainError) as info:
            await documents.obtain(s.user, project)
        assert info.value.code == "NOT_PREQUALIFIED"
    traveller.move_to(DEADLINE - timedelta(hours=1))
    row, _, _ = await submit(passing[0], project, "4000000")
    assert row["status"] == "submitted"
    with pytest.raises(DomainError) as info:  # Bidding Law Regulation art. 36: refused
        await submit(failing, project, "3900000")
    assert info.value.code == "NOT_PREQUALIFIED"


async def test_the_tender_waits_for_the_prequalification(world, traveller):
    invited = await entrusted(world, "invited_tender")
    traveller.move_to(datetime.fromisoformat("2026-09-21T10:00:00+08:00"))
    with use_scope(world["scope"]), pytest.raises(DomainError) as info:
        await projects.publish_tender(
            world["agent"], invited, "招标公告", "正文", None, bid_deadline_at=DEADLINE
        )
    assert info.value.code == "PREQUALIFICATION_REQUIRED"
    traveller.move_to(NOTICE_AT)
    await prequalification.publish(world["agent"], invited, notice())
    traveller.move_to(datetime.fromisoformat("2026-09-21T10:00:00+08:00"))
    with use_scope(world["scope"]), pytest.raises(DomainError) as info:
        await projects.publish_tender(
            world["agent"], invited, "招标公告", "正文", None, bid_deadline_at=DEADLINE
        )
    assert info.value.code == "PREQUALIFICATION_NOT_CONCLUDED"


async def test_fewer_than_three_qualified_fail_it_and_the_project(world, traveller):
    """Law art. 36(1) (fewer than three qualified: 废标), with MOF Order 87 art. 43's options as
    when too few bid: the project and its plan fail in the conclusion's transaction, the
    applicants and the agency are told, the supervisor sees why, no tender follows."""
    project, passing, [rejected] = await reviewed(world, traveller, qualified=2, rejected=1)
    failed = await prequalification.conclude(world["agent"], project)
    assert failed["status"] == "failed" and failed["qualified"] == 2
    with pytest.raises(DomainError) as info:
        await prequalification.conclude(world["agent"], project)
    assert info.value.code == "WRONG_STATE"
    with all_tenants("test"):
        row = await Project.select().where(Project.id == project).first()
        plan = await ProcurementPlan.select().where(ProcurementPlan.id == row["plan"]).first()
        [entry] = await AuditEntry.select().where(
            AuditEntry.action == "project.fail_too_few_qualified"
        )
        told = await Notification.select().where(Notification.kind == "project.too_few_qualified")
    assert row["status"] == "failed" and plan["status"] == "failed"
    detail = json.loads(entry["detail"])
    assert detail["qualified"] == 2 and detail["minimum"] == 3
    assert detail["options"] == list(ARTICLE_43_OPTIONS)
    assert sorted(n["recipient"] for n in told) == sorted(
        [*(s.user.id for s in passing), rejected.user.id, world["agent"].id]
    )
    assert all("仅2家，不足3家" in n["body"] for n in told)
    with use_scope(world["scope"]):
        [seen] = await supervision.annotate([row])
    assert seen.failure_reason.startswith("资格预审合格供应商2家，少于3家")
    traveller.move_to(datetime.fromisoformat("2026-09-21T10:00:00+08:00"))
    with use_scope(world["scope"]), pytest.raises(DomainError) as info:
        await projects.publish_tender(
            world["agent"], project, "招标公告", "正文", None, bid_deadline_at=DEADLINE
        )
    assert info.value.code == "PREQUALIFICATION_NOT_CONCLUDED"


async def test_a_failure_is_one_transaction_with_the_projects_compare_and_set(world, traveller):
    """The project moved first (declared failed by its agency): the conclusion's failure of
    the project finds it failed already, and nothing of the conclusion is kept."""
    project, _, _ = await reviewed(world, traveller, qualified=2, rejected=0)
    with use_scope(world["scope"]):
        await projects.declare_failed(world["agent"], project, "采购任务取消")
    with pytest.raises(DomainError) as info:
        await prequalification.conclude(world["agent"], project)
    assert info.value.code == "WRONG_STATE"
    assert (await prequalification.of_project(project))["status"] == "closed"
    assert await audited("prequalification.fail") == []


async def test_methods_without_prequalification_refuse_a_notice(world, traveller):
    project = await entrusted(world, "request_for_quotation")
    with pytest.raises(DomainError) as info:
        await prequalification.publish(world["agent"], project, notice())
    assert info.value.code == "PREQUALIFICATION_NOT_ALLOWED"


async def test_a_correction_comes_three_days_before_the_deadline_or_moves_it(world, traveller):
    project = await entrusted(world)
    agent = world["agent"]
    await prequalification.publish(agent, project, notice())
    applicant = await bidder(1)
    await prequalification.apply(applicant.user, project, application())
    traveller.move_to(datetime.fromisoformat("2026-09-06T10:00:00+08:00"))
    with clock.on_day(date(2026, 9, 6)), pytest.raises(DomainError) as info:  # + 3 d: 9 Sep
        await correct(agent, project, "增加一项资格条件", True, [{"item": "ISO9001 认证"}])
    assert info.value.code == "CORRECTION_TOO_LATE"
    with pytest.raises(DomainError) as info:
        await correct(agent, project, "提前截止", False, new_due_at=DUE_AT - timedelta(hours=1))
    assert info.value.code == "DEADLINE_EARLIER"
    clarified = await correct(agent, project, "澄清：复印件须加盖公章", False)
    assert clarified["applications_due_at"] == DUE_AT and clarified["revision"] == 1
    moved_to = datetime.fromisoformat("2026-09-09T17:00:00+08:00")
    with clock.on_day(date(2026, 9, 6)):
        corrected = await correct(
            agent, project, "增加一项资格条件", True, [{"item": "ISO9001 认证"}], moved_to
        )
    assert corrected["applications_due_at"] == moved_to and corrected["next_check"] == moved_to
    assert json.loads(corrected["requirements"]) == [{"item": "ISO9001 认证"}]
    with all_tenants("test: the notifications"):
        told = await Notification.select().where(
            Notification.kind == "project.prequalification_corrected"
        )
    assert [n["recipient"] for n in told] == [applicant.user.id] * 2
    with all_tenants("test: the portal"):  # each one published as a correction (更正公告)
        notices = await Notice.select().where(Notice.kind == "correction").order_by(Notice.id)
    assert [n["source"] for n in notices] == [
        f"prequalification:{corrected['id']}:correction:{r}" for r in (1, 2)
    ]
    assert notices[1]["body"] == "增加一项资格条件" and notices[1]["tenant_id"] == "441481"
    assert json.loads(notices[1]["details"])["requirements"] == [{"item": "ISO9001 认证"}]
    traveller.move_to(DUE_AT + MS)  # the old deadline: still open
    assert await closes() == []
    await prequalification.apply(applicant.user, project, application("按修改后的条件重新提交"))
    traveller.move_to(moved_to + MS)
    [ran] = await closes()
    assert ran.due_at == moved_to
    with pytest.raises(DomainError) as info:
        await correct(agent, project, "已截止后的修改", False)
    assert info.value.code == "WRONG_STATE"


PUBLIC_NOTICES = """
query($kinds: [NoticeKind!], $region: String) {
  notices(filter: {kinds: $kinds, region: $region}) {
    edges { node { id kind title method regionCode amount agencyName } }
  }
}
"""


async def test_the_notice_is_published_on_the_portal(client, world, traveller):
    """资格预审公告 on the portal like the tender announcement: anonymous readers find it by kind
    and region, its page states the requirements and the deadline, and OCDS opens the tender
    stage with them as eligibility criteria. Its region's filter only: another city sees none."""
    project = await entrusted(world)
    held = await prequalification.publish(world["agent"], project, notice())
    found = await gql(client, PUBLIC_NOTICES, {"kinds": ["PREQUALIFICATION"]})  # no token
    [node] = [e["node"] for e in data(found)["notices"]["edges"]]
    assert node["kind"] == "PREQUALIFICATION" and node["title"] == "教学设备采购项目资格预审公告"
    assert node["regionCode"] == "441481" and node["method"] == "open_tender"
    assert node["amount"] is not None and node["agencyName"]
    elsewhere = await gql(
        client, PUBLIC_NOTICES, {"kinds": ["PREQUALIFICATION"], "region": "440100"}
    )
    assert data(elsewhere)["notices"]["edges"] == []
    with all_tenants("test"):
        row = await Notice.select().where(Notice.source == f"prequalification:{held['id']}").first()
    assert row["tenant_id"] == "441481" and row["kind"] == "prequalification"

    page = (await client.get(f"/notices/{node['id']}")).text
    assert "资格预审公告" in page and "资格条件" in page
    assert "营业执照" in page and "近三年无重大违法记录" in page
    assert "2026-09-08 17:00" in page

    package = (await client.get("/ocds/releases", params={"region": "441481"})).json()
    [release] = [
        r for r in package["releases"] if r["id"].endswith(f"prequalification-{held['id']}")
    ]
    assert release["tag"] == ["tender"] and release["tender"]["status"] == "active"
    assert release["tender"]["eligibilityCriteria"] == "营业执照\n近三年无重大违法记录"
    schema = json.loads(ocds.SCHEMA.read_text(encoding="utf-8"))
    assert list(Draft4Validator(schema).iter_errors(release)) == []
