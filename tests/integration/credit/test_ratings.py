"""Ratings: on the criteria of criteria.toml (data, unverified), one per occasion, subject and
rater; a supplier only after its contract's final acceptance passed; summed up in the
subject's profile across regions."""

from __future__ import annotations

from datetime import date

import pytest

from gpcloud.contracts import performance
from gpcloud.core.errors import DomainError
from gpcloud.core.tenancy.scope import use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.credit.service import ratings
from tests.integration.contracts.test_contracts import signed
from tests.integration.procurement import actor, awarded_project, filed_plan
from tests.support import data, gql, login

pytestmark = pytest.mark.day(date(2026, 11, 2))
GOOD = {"delivery": 38, "quality": 36, "service": 16}


@pytest.fixture
async def world(demo):
    world = await filed_plan()
    world["project"] = await awarded_project(world)
    world["contract"] = (await signed(world))["id"]
    return world


def test_the_criteria_are_data_summing_to_100_and_marked_unverified():
    found = ratings.criteria()
    assert set(found) == {"expert", "supplier", "agency"}
    assert all(c.unverified for c in found.values())
    assert [c.key for c in found["supplier"].criteria] == ["delivery", "quality", "service"]


async def test_a_supplier_is_rated_once_after_the_final_acceptance(world):
    purchaser = world["purchaser"]
    with use_scope(world["scope"]):
        with pytest.raises(DomainError) as refused:
            await ratings.rate_supplier(purchaser, world["contract"], GOOD)
        assert refused.value.code == "NOT_ACCEPTED"
        await performance.accept(
            purchaser,
            world["contract"],
            performance.AcceptanceInput("final", "终验", "全部合格", True, date(2026, 10, 30)),
        )
        with pytest.raises(DomainError) as refused:
            await ratings.rate_supplier(world["seller"], world["contract"], GOOD)
        assert refused.value.code == "FORBIDDEN"
        for scores in ({**GOOD, "delivery": 41}, {"delivery": 40}, {**GOOD, "luck": 1}):
            with pytest.raises(DomainError) as refused:
                await ratings.rate_supplier(purchaser, world["contract"], scores)
            assert refused.value.code == "INVALID_SCORES"
        rating = await ratings.rate_supplier(purchaser, world["contract"], GOOD, "按期交付")
        assert rating["total"] == 90 and rating["tenant_id"] == "441481"
        assert rating["organisation"] == world["seller"].organisation_id
        with pytest.raises(DomainError) as refused:
            await ratings.rate_supplier(purchaser, world["contract"], GOOD)
        assert refused.value.code == "ALREADY_RATED"
    summary = await ratings.summary(world["seller"].organisation_id, None)
    assert (summary.count, summary.average) == (1, 90.0)


RATE_AGENCY = """mutation($o: ID!, $s: [CreditScoreInput!]!) {
  rateAgency(organisationId: $o, year: 2026, scores: $s) { rating { total reference }
  errors { code } } }"""
PROFILE = "query($o: ID!) { creditProfile(organisationId: $o) { ratingCount ratingAverage } }"


async def test_a_supervisor_gives_an_agency_its_yearly_evaluation(client, world):
    agency_org = world["agent"].organisation_id
    scores = [
        {"key": "compliance", "points": 35},
        {"key": "documents", "points": 15},
        {"key": "timeliness", "points": 20},
        {"key": "complaints", "points": 10},
    ]
    token = await login(client, "xn.supervisor")
    done = data(await gql(client, RATE_AGENCY, {"o": str(agency_org), "s": scores}, token=token))
    assert done["rateAgency"] == {"rating": {"total": 80, "reference": "year:2026"}, "errors": []}
    again = data(await gql(client, RATE_AGENCY, {"o": str(agency_org), "s": scores}, token=token))
    assert again["rateAgency"]["errors"] == [{"code": "ALREADY_RATED"}]
    city = await login(client, "mz.supervisor")  # another rater: its own evaluation
    data(
        await gql(
            client,
            RATE_AGENCY,
            {"o": str(agency_org), "s": scores[:3] + [{"key": "complaints", "points": 0}]},
            token=city,
        )
    )
    refused = await gql(
        client,
        RATE_AGENCY,
        {"o": str(agency_org), "s": scores},
        token=await login(client, "xn.purchaser"),
    )
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    profile = data(await gql(client, PROFILE, {"o": str(agency_org)}, token=token))
    assert profile["creditProfile"] == {"ratingCount": 2, "ratingAverage": 75.0}


async def test_an_agency_rates_only_an_expert_who_sat_on_its_committee(world):
    """The full check is tests/integration/credit/test_expert_ratings.py."""
    from gpcloud.registries.experts import demo as experts_demo
    from gpcloud.registries.experts.tables import Expert

    await experts_demo.seed()
    expert = (await Expert.select(Expert.id).first())["id"]
    agent = await actor("mz.agency")
    scores = {"preparation": 30, "independence": 35, "report": 25}
    with use_scope((await tenant_tree()).scope_for(agent.tenant)):
        with pytest.raises(DomainError) as refused:
            await ratings.rate_expert(agent, expert, world["project"], scores)
    assert refused.value.code == "EXPERT_NOT_ON_COMMITTEE"
    assert (await ratings.summary(None, expert)).count == 0
