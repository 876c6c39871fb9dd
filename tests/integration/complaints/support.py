"""The complaints tests' setting: the Xingning school's open tender (filed_plan) run by the
Meizhou agency, announced on 21 Sep 2026 (National Day, 1-7 Oct, and the make-up working day
Saturday 10 Oct fall in its windows), with documents obtained by two Guangzhou suppliers
(registered for the province, outside the project's region) and the result on 16 Oct 2026.
Every service call runs on a day the test names (clock.on_day) in the caller's own scope."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import time_machine

from gpcloud.complaints.service import challenges, complaints
from gpcloud.core import clock
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.clock import LEGAL_TZ, end_of
from gpcloud.core.scheduler import service as scheduler
from gpcloud.core.tenancy.scope import use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.transaction import documents
from gpcloud.transaction import service as projects
from tests.integration.procurement import actor, filed_plan
from tests.integration.transaction.bidding import bidder

TENDER_ON = date(2026, 9, 21)
RESULT_ON = date(2026, 10, 16)
DOCS = documents.DocumentsInput(
    summary="首版",
    requirements=[{"item": "教学一体机", "quantity": 40}],
    qualification=[{"item": "营业执照"}],
    compliance=[{"item": "交货期不超过30日"}],
    criteria=[{"name": "技术", "weight": 50}, {"name": "服务", "weight": 20}],
    price_weight=30,
)
ITEMS = [{"claim": "评分不公", "facts": "技术分计算有误", "request": "重新评审"}]


async def scope_of(user: CurrentUser):
    return (await tenant_tree()).scope_for(user.tenant, user.id)


async def call(user: CurrentUser, day: date, work):
    """`work()` as `user` in its own scope on `day`."""
    with use_scope(await scope_of(user)), clock.on_day(day):
        return await work()


async def tendered(world: dict) -> int:
    """Announced on 21 Sep, documents published on 22 Sep (available 5 wd)."""
    agent = world["agent"]
    with use_scope(world["scope"]):
        project = (await projects.entrust(world["purchaser"], world["plan"], world["agency"]))["id"]
        await projects.publish_tender(
            agent, project, "招标公告", "正文", date(2026, 10, 12), on=TENDER_ON
        )
    await call(agent, date(2026, 9, 22), lambda: documents.publish(agent, project, DOCS))
    return project


async def obtain(who: CurrentUser, project: int, day: date = date(2026, 9, 23)) -> None:
    """Obtained at 10:00 of `day` (the record's instant is the server clock's)."""
    with time_machine.travel(datetime.combine(day, time(10), LEGAL_TZ), tick=False):
        await call(who, day, lambda: documents.obtain(who, project))


async def awarded(world: dict, project: int) -> None:
    agent = world["agent"]
    award = projects.AwardInput(world["supplier"]["uscc"], Decimal("4380000"))
    await call(
        agent,
        RESULT_ON,
        lambda: projects.publish_result(agent, project, "中标公告", "正文", [award], on=RESULT_ON),
    )


async def complaint_world() -> dict:
    """filed_plan, tendered and awarded; two Guangzhou suppliers obtained the documents."""
    world = await filed_plan()
    project = await tendered(world)
    rival, other = await bidder(1), await bidder(2)
    for b in (rival, other):
        await obtain(b.user, project)
    await awarded(world, project)
    return {
        **world,
        "project": project,
        "rival": rival.user,
        "other": other.user,
        "department": await actor("xn.supervisor"),
    }


async def challenge(world: dict, day: date, target: str = "result", step: str = "", who=None):
    who = who or world["rival"]
    data = challenges.ChallengeInput(world["project"], target, ITEMS, step=step)
    return await call(who, day, lambda: challenges.file(who, data))


async def answer(world: dict, challenge_id: int, day: date) -> dict:
    agent = world["agent"]
    return await call(
        agent, day, lambda: challenges.answer(agent, challenge_id, "经复核，评审无误。")
    )


async def complain(world: dict, challenge_id: int, day: date, who=None) -> dict:
    who = who or world["rival"]
    items = [{"item": 0, "request": "责令重新评审"}]
    return await call(who, day, lambda: complaints.file(who, challenge_id, items))


async def tick_after(day: date) -> list:
    """The scheduler, just after the end of `day` (Asia/Shanghai)."""
    return await scheduler.run_once(now=end_of(day) + timedelta(seconds=1))
