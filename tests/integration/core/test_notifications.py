"""Notifications: written with the event that causes them (and never for one that rolled back),
to the users the event names, read only by their recipient; the events wired so far."""

from datetime import date
from decimal import Decimal

import pytest

from gpcloud.core.auth.tables import User, UserRole
from gpcloud.core.calendar import recompute
from gpcloud.core.db import transaction
from gpcloud.core.imports.service import start_import
from gpcloud.core.jobs.service import arq_pool, queue_name
from gpcloud.core.notifications import events, templates
from gpcloud.core.notifications.service import Recipients, notify
from gpcloud.core.notifications.tables import Notification, NotificationDelivery
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.registries.purchasers import demo as purchasers_demo
from gpcloud.supervision import plans
from tests.integration.procurement import actor, school_indicator
from tests.plugins.test_approvals import approved, file
from tests.support import data, drain_jobs, gql, login

INBOX = """query($unread: Boolean!, $first: Int, $after: String) {
  me { unreadNotifications }
  notifications(unread: $unread, first: $first, after: $after) {
    edges { node { id kind subject body objectType objectId due dueExplanation params readAt } }
    pageInfo { hasNextPage endCursor }
  }
}"""
MARK = """mutation($ids: [ID!], $all: Boolean! = false) {
  markNotificationsRead(ids: $ids, all: $all) { marked errors { field code } }
}"""
RETURN = """mutation($id: ID!, $reason: String!) { returnProcurementPlan(id: $id, reason: $reason) {
  plan { status } errors { code message } } }"""
PREFERENCES = """{ notificationPreferences { kinds { kind title channels } availableChannels { name title } } }"""
SET_PREFERENCE = """mutation($kind: NotificationKind!, $channels: [String!]!) {
  setNotificationPreference(kind: $kind, channels: $channels) {
    preference { kind channels } errors { field code }
  }
}"""
VETO = """
import pluggy

hookimpl = pluggy.HookimplMarker("gpcloud")
GPCLOUD_PLUGIN = {"name": "veto", "description": "test plugin", "config_schema": {"type": "object"}}


@hookimpl
def gpcloud_validate_event(event, tenant):
    if event["kind"] == "plan.return":
        return [{"path": "reason", "message": "returns need the director's signature"}]
    return []
"""


async def inbox(client, username: str, unread: bool = False, **page) -> dict:
    token = await login(client, username)
    return data(await gql(client, INBOX, {"unread": unread, **page}, token=token))


def kinds(result: dict) -> list[str]:
    return [e["node"]["kind"] for e in result["notifications"]["edges"]]


async def rows(table, *conditions) -> list[dict]:
    with all_tenants("test: what was written"):
        query = table.select()
        for condition in conditions:
            query = query.where(condition)
        return await query.order_by(table.id)


async def add_user(username: str, tenant: str, organisation: int, role: str, status="active"):
    with all_tenants("test: another account"):
        user = User(
            tenant_id=tenant,
            organisation=organisation,
            username=username,
            password_hash="x",
            email=f"{username}@demo.example.com",
            status=status,
        )
        await user.save()
        await UserRole.insert(UserRole(tenant_id=tenant, user=user.id, role=role))
    return user.id


async def submitted_plan() -> int:
    """A submitted plan of 兴宁市第一中学 (xn.purchaser's unit); needs the demo accounts."""
    await purchasers_demo.seed()
    with use_scope((await tenant_tree()).scope_for("441481")):
        _, indicator = await school_indicator()
        purchaser = await actor("xn.purchaser")
        plan = await plans.create(
            purchaser,
            plans.PlanInput(
                "教学设备采购",
                "goods",
                "open_tender",
                [plans.LineInput(indicator, Decimal("4500000"))],
                intention_exemption="urgent",
            ),
        )
        await plans.submit(purchaser, plan["id"])
    return plan["id"]


async def queued() -> int:
    return await (await arq_pool()).zcard(queue_name())


async def test_a_returned_plan_reaches_its_units_purchasers_and_no_one_else(client, demo):
    plan_id = await submitted_plan()
    school = (await actor("xn.purchaser")).organisation_id
    colleague = await add_user("xn.purchaser2", "441481", school, "purchaser")
    await add_user("xn.purchaser3", "441481", school, "purchaser", status="disabled")
    await add_user("xn.school.expert", "441481", school, "expert")
    supervisor = await login(client, "xn.supervisor")
    result = await gql(client, RETURN, {"id": str(plan_id), "reason": "预算依据不足"}, supervisor)
    assert data(result)["returnProcurementPlan"]["errors"] == []

    written = await rows(Notification, Notification.kind == "plan.returned")
    assert [r["recipient"] for r in written] == [(await actor("xn.purchaser")).id, colleague]
    assert {r["tenant_id"] for r in written} == {"441481"}
    mine = await inbox(client, "xn.purchaser")
    assert mine["me"]["unreadNotifications"] == 1
    [node] = [e["node"] for e in mine["notifications"]["edges"]]
    assert node["kind"] == "PLAN_RETURNED"
    assert node["subject"] == "采购计划被退回：教学设备采购"
    assert "退回理由：预算依据不足" in node["body"]
    assert (node["objectType"], node["objectId"]) == ("procurement_plan", str(plan_id))
    assert node["due"] is None and node["dueExplanation"] == ""
    assert node["params"]["reason"] == "预算依据不足"
    for other in ("xn.supervisor", "xn.admin", "mz.purchaser", "xn.supplier"):
        assert kinds(await inbox(client, other)) == [], other
    # One e-mail delivery each (both have an address), queued after the commit.
    deliveries = await rows(NotificationDelivery)
    assert [(d["notification"], d["channel"], d["status"]) for d in deliveries] == [
        (n["id"], "email", "pending") for n in written
    ]


async def test_filing_tells_the_unit_too(client, demo):
    plan_id = await submitted_plan()
    with use_scope((await tenant_tree()).scope_for("441481")):
        await plans.file(await actor("xn.supervisor"), plan_id)
    [node] = [e["node"] for e in (await inbox(client, "xn.purchaser"))["notifications"]["edges"]]
    assert node["kind"] == "PLAN_FILED"
    assert "预算 4500000.00 元" in node["body"]


async def test_the_inbox_filters_by_kind(client, demo):
    plan_id = await submitted_plan()
    with use_scope((await tenant_tree()).scope_for("441481")):
        await plans.return_plan(await actor("xn.supervisor"), plan_id, "预算依据不足")
        await plans.submit(await actor("xn.purchaser"), plan_id)
        await plans.file(await actor("xn.supervisor"), plan_id)
    token = await login(client, "xn.purchaser")
    query = """query($kinds: [NotificationKind!]) { notifications(kinds: $kinds) {
      edges { node { kind } } } }"""

    async def seen(wanted):
        found = data(await gql(client, query, {"kinds": wanted}, token=token))
        return [e["node"]["kind"] for e in found["notifications"]["edges"]]

    assert await seen(None) == ["PLAN_RETURNED", "PLAN_FILED"]  # oldest first
    assert await seen(["PLAN_FILED"]) == ["PLAN_FILED"]
    assert await seen(["PLAN_FILED", "PLAN_RETURNED"]) == ["PLAN_RETURNED", "PLAN_FILED"]
    assert await seen([]) == []
    assert await seen(["EVALUATION_RESULT"]) == []


async def test_a_mutation_that_rolls_back_leaves_no_notification_and_no_delivery(
    client, demo, install_plugin
):
    plan_id = await submitted_plan()
    install_plugin("veto", VETO, version="1.0.0")
    await approved(client, "veto")  # the approval notifies xn.admin: counted before
    before = (len(await rows(Notification)), len(await rows(NotificationDelivery)), await queued())
    supervisor = await login(client, "xn.supervisor")
    result = await gql(client, RETURN, {"id": str(plan_id), "reason": "预算依据不足"}, supervisor)
    assert [e["code"] for e in data(result)["returnProcurementPlan"]["errors"]] == ["PLUGIN_RULE"]
    after = (len(await rows(Notification)), len(await rows(NotificationDelivery)), await queued())
    assert after == before
    assert kinds(await inbox(client, "xn.purchaser")) == []

    async def fails() -> None:
        async with transaction():
            await notify(
                "plan.filed", Recipients(tenant="441481"), {"title": "x", "plan_id": 1, "amount": 1}
            )
            raise RuntimeError("the event failed after notifying")

    with use_scope((await tenant_tree()).scope_for("441481")), pytest.raises(RuntimeError):
        await fails()
    assert (
        len(await rows(Notification)),
        len(await rows(NotificationDelivery)),
        await queued(),
    ) == before


async def test_each_user_reads_and_marks_only_their_own_across_tenants(client, demo):
    meizhou = (await actor("mz.purchaser")).id
    xingning = (await actor("xn.purchaser")).id
    with use_scope((await tenant_tree()).scope_for("440000")):
        for n in range(3):
            await notify(
                "plan.filed",
                Recipients(users=(meizhou, xingning)),
                {"title": f"计划{n}", "plan_id": n, "amount": "1.00"},
            )
    written = await rows(Notification)
    assert {(r["recipient"], r["tenant_id"]) for r in written} == {
        (meizhou, "441400"),
        (xingning, "441481"),
    }
    theirs = [str(r["id"]) for r in written if r["recipient"] == meizhou]
    # Pages of one, oldest first; the city's admin does not see its county's users' inbox.
    first = await inbox(client, "xn.purchaser", first=2)
    assert [e["node"]["subject"] for e in first["notifications"]["edges"]] == [
        "采购计划已备案：计划0",
        "采购计划已备案：计划1",
    ]
    cursor = first["notifications"]["pageInfo"]["endCursor"]
    rest = await inbox(client, "xn.purchaser", first=2, after=cursor)
    assert [e["node"]["subject"] for e in rest["notifications"]["edges"]] == [
        "采购计划已备案：计划2"
    ]
    assert not rest["notifications"]["pageInfo"]["hasNextPage"]
    assert kinds(await inbox(client, "mz.admin")) == []

    token = await login(client, "xn.purchaser")
    stolen = data(await gql(client, MARK, {"ids": theirs[:1]}, token=token))
    assert stolen["markNotificationsRead"] == {
        "marked": 0,
        "errors": [{"field": "ids", "code": "NOT_FOUND"}],
    }
    mine = [e["node"]["id"] for e in first["notifications"]["edges"]]
    both = data(await gql(client, MARK, {"ids": [mine[0], theirs[0]]}, token=token))
    assert both["markNotificationsRead"]["errors"][0]["code"] == "NOT_FOUND"
    marked = data(await gql(client, MARK, {"ids": mine}, token=token))["markNotificationsRead"]
    assert marked == {"marked": 2, "errors": []}
    again = data(await gql(client, MARK, {"ids": mine}, token=token))["markNotificationsRead"]
    assert again == {"marked": 0, "errors": []}
    unread = await inbox(client, "xn.purchaser", unread=True)
    assert unread["me"]["unreadNotifications"] == 1
    assert [e["node"]["subject"] for e in unread["notifications"]["edges"]] == [
        "采购计划已备案：计划2"
    ]
    everything = data(await gql(client, MARK, {"all": True}, token=token))
    assert everything["markNotificationsRead"] == {"marked": 1, "errors": []}
    neither = data(await gql(client, MARK, {"ids": mine, "all": True}, token=token))
    assert neither["markNotificationsRead"]["errors"] == [{"field": "ids", "code": "IDS_OR_ALL"}]
    # Meizhou's purchaser still has all three unread.
    assert (await inbox(client, "mz.purchaser"))["me"]["unreadNotifications"] == 3


async def test_an_event_key_notifies_once(demo):
    admin = (await actor("xn.admin")).id
    with use_scope((await tenant_tree()).scope_for("441481", user_id=admin)):
        await events.import_finished(
            7, admin, "采购人（预算单位）", 3, {"created": 2, "rejected": 1}
        )
        again = await notify(
            "import.finished",
            Recipients(users=(admin,)),
            {"job_id": 7, "registry": "x", "rows": 0, "rejected": 0, "counts": {}},
            key="job:7",
        )
        assert again == []
        await events.import_finished(8, None, "x", 0, {})  # a job nobody started: no one
    assert len(await rows(Notification)) == 1


async def test_an_import_tells_who_started_it_with_its_reject_count(client, demo):
    admin = await actor("xn.admin")
    content = "budget_unit_code,name\n441481901,兴宁市测试学校一\n441481902,兴宁市测试学校二\n!,x\n"
    with use_scope((await tenant_tree()).scope_for("441481", user_id=admin.id)):
        job = await start_import(admin, "purchasers", "p.csv", content.encode(), "441481")
    await drain_jobs()
    [node] = [e["node"] for e in (await inbox(client, "xn.admin"))["notifications"]["edges"]]
    assert node["kind"] == "IMPORT_FINISHED"
    assert node["subject"] == "数据导入完成：采购人（预算单位）"
    assert f"任务编号 {job['id']}" in node["body"]
    assert "共 3 行，新增 2，拒绝 1" in node["body"] and "被拒绝 1 行" in node["body"]
    # Inbox only by default: no delivery.
    assert await rows(NotificationDelivery) == []


async def test_plugin_decisions_reach_the_filing_tenants_admins(client, demo):
    await approved(client, "training_setup")
    [node] = [e["node"] for e in (await inbox(client, "xn.admin"))["notifications"]["edges"]]
    assert node["kind"] == "PLUGIN_REQUEST_APPROVED"
    assert node["subject"].startswith("插件申请已批准：training_setup")
    assert "审批意见：同意" in node["body"]
    filed = await file(client, await login(client, "mz.admin"), "om_service", tenant="441400")
    rejected = await gql(
        client,
        """mutation($id: ID!) { rejectPluginRequest(id: $id, reason: "运维费用测算依据不足") {
          errors { code } } }""",
        {"id": filed["request"]["id"]},
        token=await login(client, "gd.admin"),
    )
    assert data(rejected)["rejectPluginRequest"]["errors"] == []
    [node] = [e["node"] for e in (await inbox(client, "mz.admin"))["notifications"]["edges"]]
    assert node["kind"] == "PLUGIN_REQUEST_REJECTED"
    assert "理由：运维费用测算依据不足" in node["body"]
    assert len(kinds(await inbox(client, "xn.admin"))) == 1
    assert kinds(await inbox(client, "gd.admin")) == []


async def test_moved_deadlines_tell_their_owners(client, demo):
    purchaser = (await actor("xn.purchaser")).id

    def moved(object_id, before, after, title):
        return recompute.MovedDeadline(
            "contract.publication_due",
            "contract",
            str(object_id),
            "441481",
            (purchaser,),
            before,
            after,
            (),
            f"合同《{title}》",
            "公告期限",
        )

    shifted = [moved(11, date(2027, 2, 10), date(2027, 2, 12), "教学设备采购合同")]
    with use_scope((await tenant_tree()).scope_for("440000")):
        async with transaction():
            await recompute.notify_moved_deadlines(shifted)
            await recompute.notify_moved_deadlines(shifted)  # loaded twice: told once
    [node] = [e["node"] for e in (await inbox(client, "xn.purchaser"))["notifications"]["edges"]]
    assert node["kind"] == "DEADLINE_MOVED"
    assert node["due"] == "2027-02-12"
    assert "合同《教学设备采购合同》的公告期限" in node["body"]
    assert "调整为2027年2月12日" in node["body"] and "临时日历计算为2027年2月10日" in node["body"]
    assert node["dueExplanation"].startswith("2027年节假日安排公布前")


async def test_preferences_choose_channels_per_kind(client, demo):
    token = await login(client, "xn.purchaser")
    shown = data(await gql(client, PREFERENCES, token=token))["notificationPreferences"]
    assert {c["name"] for c in shown["availableChannels"]} == {"email"}
    by_kind = {k["kind"]: k["channels"] for k in shown["kinds"]}
    assert len(by_kind) == len(templates.CATALOGUE)
    assert by_kind["PLAN_RETURNED"] == ["email"] and by_kind["IMPORT_FINISHED"] == []

    chosen = data(
        await gql(client, SET_PREFERENCE, {"kind": "PLAN_FILED", "channels": []}, token=token)
    )["setNotificationPreference"]
    assert chosen == {"preference": {"kind": "PLAN_FILED", "channels": []}, "errors": []}
    again = data(
        await gql(
            client,
            SET_PREFERENCE,
            {"kind": "PLAN_FILED", "channels": ["email", "email"]},
            token=token,
        )
    )["setNotificationPreference"]
    assert again["preference"]["channels"] == ["email"]
    data(await gql(client, SET_PREFERENCE, {"kind": "PLAN_FILED", "channels": []}, token=token))
    wrong = data(
        await gql(client, SET_PREFERENCE, {"kind": "PLAN_FILED", "channels": ["sms"]}, token=token)
    )["setNotificationPreference"]
    assert wrong == {
        "preference": None,
        "errors": [{"field": "channels", "code": "UNKNOWN_CHANNEL"}],
    }

    purchaser = (await actor("xn.purchaser")).id
    with use_scope((await tenant_tree()).scope_for("441481")):
        await notify(
            "plan.filed", Recipients(users=(purchaser,)), {"title": "x", "plan_id": 1, "amount": 1}
        )
        await notify(
            "plan.returned",
            Recipients(users=(purchaser,)),
            {"title": "x", "plan_id": 1, "reason": "r"},
        )
    deliveries = await rows(NotificationDelivery)
    assert [d["channel"] for d in deliveries] == ["email"]  # for plan.returned only
    assert kinds(await inbox(client, "xn.purchaser")) == ["PLAN_FILED", "PLAN_RETURNED"]
    # Another user's choice is their own.
    other = await login(client, "mz.purchaser")
    theirs = data(await gql(client, PREFERENCES, token=other))["notificationPreferences"]
    assert {k["kind"]: k["channels"] for k in theirs["kinds"]}["PLAN_FILED"] == ["email"]
