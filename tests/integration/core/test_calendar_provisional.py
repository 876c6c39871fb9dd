"""Provisional calendar years through the API, and loading the official year: the open deadlines
computed on the provisional one are recomputed, those that moved are stored, audited and
returned; nothing moves when the load fails."""

from datetime import date
from decimal import Decimal

import pytest

from gpcloud.contracts.tables import Contract
from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.calendar import recompute, service
from gpcloud.core.clock import start_of
from gpcloud.core.errors import DomainError
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.registries.purchasers import demo as purchasers_demo
from gpcloud.supervision import intentions
from gpcloud.transaction import service as projects
from tests.integration.contracts.test_contracts import draft, signed
from tests.integration.procurement import actor, awarded_project, filed_plan
from tests.support import data, error_codes, gql, login

pytestmark = pytest.mark.day(date(2026, 12, 30))

DAYS = """query($year: Int!) { calendarDays(year: $year) { day kind name provisional } }"""
RULE = """query($start: Date!) { ruleDeadline(rule: "contract_publication", start: $start) {
  due provisional steps } }"""
IMPORT = """mutation($year: Int!, $days: [CalendarDayInput!]!) {
  importCalendarYear(year: $year, days: $days) {
    movedDeadlines { kind objectType objectId tenantCode before after steps }
    errors { code message } } }"""
# Test data only: a 2027 whose New Year holiday runs to Monday 4 January.
OFFICIAL_2027 = [
    {"day": f"2027-01-0{d}", "kind": "HOLIDAY", "name": "New Year's Day"} for d in (1, 2, 3, 4)
] + [{"day": "2027-01-09", "kind": "WORKDAY", "name": "New Year's Day"}]


async def test_an_unpublished_year_shows_the_regulations_holidays_marked_provisional(client, demo):
    token = await login(client, "xn.purchaser")
    guessed = data(await gql(client, DAYS, {"year": 2027}, token=token))["calendarDays"]
    assert all(d["provisional"] for d in guessed) and len(guessed) == 19
    assert {"day": "2027-02-05", "kind": "HOLIDAY", "name": "Spring Festival"} == {
        k: v for k, v in guessed[1].items() if k != "provisional"
    }
    loaded = data(await gql(client, DAYS, {"year": 2026}, token=token))["calendarDays"]
    assert not any(d["provisional"] for d in loaded)
    assert data(await gql(client, DAYS, {"year": 1990}, token=token))["calendarDays"] is None
    rule = data(await gql(client, RULE, {"start": "2026-12-30"}, token=token))["ruleDeadline"]
    assert rule["due"] == "2027-01-04" and rule["provisional"]
    assert rule["steps"][0].startswith("contract_publication = 2 wd")
    inside = data(await gql(client, RULE, {"start": "2026-12-01"}, token=token))["ruleDeadline"]
    assert not inside["provisional"]


@pytest.fixture
async def contracts(demo):
    """A contract signed on 30 Dec 2026: to be published by 4 Jan 2027, provisionally."""
    world = await filed_plan()
    world["project"] = await awarded_project(world, amount="4400000")
    late = await signed(world, on=date(2026, 12, 30))
    assert late["publication_due"] == date(2027, 1, 4)
    return world, late


async def publication_due(contract_id: int) -> date:
    with all_tenants("test"):
        row = await Contract.select(Contract.publication_due).where(Contract.id == contract_id)
    return row[0]["publication_due"]


async def test_loading_the_official_year_moves_open_deadlines_and_reports_them(client, contracts):
    world, late = contracts
    token = await login(client, "gd.admin")
    payload = data(await gql(client, IMPORT, {"year": 2027, "days": OFFICIAL_2027}, token=token))
    moved = payload["importCalendarYear"]["movedDeadlines"]
    assert [(m["kind"], m["objectId"], m["before"], m["after"]) for m in moved] == [
        ("contract.publication_due", str(late["id"]), "2027-01-04", "2027-01-05")
    ]
    assert moved[0]["tenantCode"] == "441481"
    assert "New Year's Day: 2027-01-01 to 2027-01-04 not counted" in moved[0]["steps"]
    assert await publication_due(late["id"]) == date(2027, 1, 5)
    with all_tenants("test"):
        entry = await AuditEntry.select().where(AuditEntry.action == "calendar.deadline_moved")
    assert [(e["object_type"], e["object_id"], e["tenant_id"]) for e in entry] == [
        ("contract", str(late["id"]), "441481")
    ]
    again = data(await gql(client, IMPORT, {"year": 2027, "days": OFFICIAL_2027}, token=token))
    assert again["importCalendarYear"]["movedDeadlines"] == []


async def test_moved_deadlines_name_their_owners_for_the_notification(contracts, monkeypatch):
    world, late = contracts
    told: list[recompute.MovedDeadline] = []

    async def notify(moved):
        told.extend(moved)

    monkeypatch.setattr(recompute, "notify_moved_deadlines", notify)
    await service.import_year(None, 2027, [service.SpecialDay(**_day(d)) for d in OFFICIAL_2027])
    assert [m.object_id for m in told] == [str(late["id"])]
    assert world["purchaser"].id in told[0].owners
    assert world["seller"].id not in told[0].owners  # the purchaser publishes


async def test_a_deadline_within_2026_is_left_alone(client, contracts):
    world, late = contracts
    early = await draft(world, amount="1000")  # to be signed 30 days after the result of 16 Oct
    assert early["sign_due"] < date(2027, 1, 1)
    token = await login(client, "gd.admin")
    payload = data(await gql(client, IMPORT, {"year": 2027, "days": OFFICIAL_2027}, token=token))
    ids = {m["objectId"] for m in payload["importCalendarYear"]["movedDeadlines"]}
    assert ids == {str(late["id"])} and str(early["id"]) not in ids


async def test_a_failing_recomputation_loads_nothing(client, contracts):
    world, late = contracts

    @recompute.recomputes("test.failing")
    async def failing(year):
        raise DomainError("RECOMPUTE_FAILED", "a domain could not recompute its deadlines")

    try:
        token = await login(client, "gd.admin")
        answer = await gql(client, IMPORT, {"year": 2027, "days": OFFICIAL_2027}, token=token)
        assert [e["code"] for e in answer["data"]["importCalendarYear"]["errors"]] == [
            "RECOMPUTE_FAILED"
        ]
    finally:
        del recompute.RECOMPUTERS["test.failing"]
    assert await publication_due(late["id"]) == date(2027, 1, 4)
    days = data(await gql(client, DAYS, {"year": 2027}, token=token))["calendarDays"]
    assert all(d["provisional"] for d in days)
    assert error_codes(await gql(client, DAYS, {"year": 2027})) == ["UNAUTHENTICATED"]


def _day(day: dict) -> dict:
    return {"day": date.fromisoformat(day["day"]), "kind": day["kind"].lower(), "name": day["name"]}


async def test_a_drafts_signing_due_date_moves_too(client, demo):
    """A result published on 2 Dec 2026: 30 days end on 1 Jan 2027, a holiday, so the contract
    is to be signed by the next working day, Monday 4 January; on the official year, 5 Jan."""
    world = await filed_plan()
    with use_scope(world["scope"]):
        project = await projects.entrust(world["purchaser"], world["plan"], world["agency"])
        await projects.publish_tender(
            world["agent"],
            project["id"],
            "招标公告",
            "正文",
            date(2026, 11, 25),
            on=date(2026, 11, 2),
        )
        await projects.publish_result(
            world["agent"],
            project["id"],
            "中标公告",
            "正文",
            [projects.AwardInput(world["supplier"]["uscc"], Decimal("4380000"))],
            on=date(2026, 12, 2),
        )
    world["project"] = project["id"]
    contract = await draft(world)
    assert contract["sign_due"] == date(2027, 1, 4)
    token = await login(client, "gd.admin")
    payload = data(await gql(client, IMPORT, {"year": 2027, "days": OFFICIAL_2027}, token=token))
    moved = payload["importCalendarYear"]["movedDeadlines"]
    assert [(m["kind"], m["objectId"], m["after"]) for m in moved] == [
        ("contract.sign_due", str(contract["id"]), "2027-01-05")
    ]


async def test_an_intentions_earliest_start_moves_and_its_unit_is_told(client, demo):
    """Published 4 Dec 2026: 30 days end on Sunday 3 Jan 2027, so provisionally it may start
    on Monday the 4th; the official year keeps the 4th a holiday."""
    await purchasers_demo.seed()
    purchaser = await actor("xn.purchaser")
    with use_scope((await tenant_tree()).scope_for("441481")):
        row = await intentions.create(
            purchaser,
            intentions.IntentionInput("项目", "摘要", Decimal("1000"), "goods", date(2027, 2, 1)),
        )
        published = await intentions.publish(purchaser, row["id"], on=date(2026, 12, 4))
    assert published["earliest_start"] == date(2027, 1, 4)
    token = await login(client, "gd.admin")
    payload = data(await gql(client, IMPORT, {"year": 2027, "days": OFFICIAL_2027}, token=token))
    assert [
        (m["kind"], m["objectId"], m["before"], m["after"])
        for m in payload["importCalendarYear"]["movedDeadlines"]
    ] == [("intention.earliest_start", str(row["id"]), "2027-01-04", "2027-01-05")]
    with use_scope((await tenant_tree()).scope_for("441481")):
        moved = await intentions.get(row["id"])
    assert moved["earliest_start"] == date(2027, 1, 5)
    assert moved["next_check"] == start_of(date(2027, 1, 5))  # the scheduler waits for it
    told = data(
        await gql(
            client,
            "{ notifications(first: 5) { edges { node { kind body } } } }",
            token=await login(client, "xn.purchaser"),
        )
    )["notifications"]["edges"]
    assert [n["node"]["kind"] for n in told] == ["DEADLINE_MOVED"]
    assert "采购意向《项目》的最早采购开始日期" in told[0]["node"]["body"]
