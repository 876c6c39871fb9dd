"""Procurement documents: structured, versioned, the price weight within the rule's bounds,
files in storage; obtained during the availability period (recorded); questions answered with
their due date; a correction reaches everyone who obtained the documents."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
import time_machine

from gpcloud.core import clock, storage
from gpcloud.core.errors import DomainError
from gpcloud.core.notifications.tables import Notification
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.transaction import documents
from gpcloud.transaction.tables import DocumentObtained
from tests.integration.procurement import filed_plan
from tests.integration.transaction.bidding import DEADLINE, bidder, tender


@pytest.fixture
async def world(demo):
    return await filed_plan()


@pytest.fixture
def traveller():
    with time_machine.travel(DEADLINE - timedelta(days=30), tick=False) as t:
        yield t


def terms(price_weight: int = 30, **changes) -> documents.DocumentsInput:
    values = {
        "summary": "首版",
        "requirements": [{"item": "教学一体机", "quantity": 40}],
        "qualification": [{"item": "营业执照"}],
        "compliance": [{"item": "交货期不超过30日"}],
        "criteria": [{"name": "技术", "weight": 70 - price_weight}, {"name": "服务", "weight": 30}],
        "price_weight": price_weight,
        "files": [("招标文件.txt", "第一章".encode())],
    }
    return documents.DocumentsInput(**(values | changes))


async def test_documents_from_publication_to_a_correction(world, traveller):
    project = await tender(world, traveller)
    agent = world["agent"]
    with use_scope(world["scope"]):
        with pytest.raises(DomainError) as info:
            await documents.publish(agent, project, terms(price_weight=20))
        assert info.value.code == "PRICE_WEIGHT_TOO_LOW"  # goods: at least 30%
        with pytest.raises(DomainError) as info:
            await documents.publish(
                agent, project, terms(criteria=[{"name": "技术", "weight": 10}])
            )
        assert info.value.code == "INVALID_CRITERIA"
        first = await documents.publish(agent, project, terms())
    assert first["version"] == 1
    assert first["available_until"] == date(2026, 9, 8)  # 5 wd from Tue 1 Sep (pinned day)
    [attached] = json.loads(first["files"])
    assert await storage.get(attached["key"]) == "第一章".encode()

    early, late, other = [await bidder(n) for n in (1, 2, 3)]
    got = await documents.obtain(early.user, project)
    assert got["version"] == 1
    await documents.obtain(other.user, project)
    with clock.on_day(date(2026, 9, 9)):  # the availability period is over
        with pytest.raises(DomainError) as info:
            await documents.obtain(late.user, project)
        assert info.value.code == "DOCUMENTS_UNAVAILABLE"
    with all_tenants("test"):
        obtained = await DocumentObtained.select().where(DocumentObtained.project == project)
    assert sorted(o["supplier_organisation"] for o in obtained) == sorted(
        [early.organisation, other.organisation]
    )

    with pytest.raises(DomainError) as info:  # only who obtained the documents asks
        await documents.ask(late.user, project, "能否延期？")
    assert info.value.code == "NOT_FOUND"
    question = await documents.ask(early.user, project, "能否接受同等品牌？")
    assert question["answer_due"] == date(2026, 9, 4)  # 3 wd
    with pytest.raises(DomainError) as info:  # another agency cannot answer
        await documents.answer(early.user, question["id"], "可以")
    assert info.value.code == "FORBIDDEN"
    answered = await documents.answer(agent, question["id"], "接受，须满足全部参数。")
    assert answered["answer"] == "接受，须满足全部参数。"
    with pytest.raises(DomainError) as info:
        await documents.answer(agent, question["id"], "再答一次")
    assert info.value.code == "ALREADY_ANSWERED"
    assert [q["id"] for q in await documents.questions(project, other.organisation)] == []

    with use_scope(world["scope"]):
        second = await documents.publish(agent, project, terms(summary="更正：交货期改为45日"))
    assert second["version"] == 2
    with all_tenants("test"):
        told = await Notification.select().where(Notification.kind == "project.documents_corrected")
        users = {n["recipient"] for n in told}
    assert users == {early.user.id, other.user.id}  # everyone who obtained them, nobody else
    assert (await documents.current(project))["version"] == 2
