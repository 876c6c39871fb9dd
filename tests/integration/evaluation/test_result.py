"""The result after an evaluation: the transaction's result announcement is refused while the
purchaser has not confirmed the winner, and names only the confirmed winner at its bid price
(Implementing Regulation art. 43), learnt through gpcloud_evaluation_result; the evaluation's
answer also names the experts for the notice."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine

from gpcloud.core import clock
from gpcloud.core.errors import DomainError
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.evaluation.service import results
from gpcloud.portal.tables import Notice
from gpcloud.registries.suppliers.service import search as suppliers
from gpcloud.transaction import service as projects
from tests.integration.evaluation.evaluating import (
    EVALUATION_DAY,
    confirmed_winner,
    opened_evaluation,
)
from tests.integration.procurement import filed_plan
from tests.integration.transaction.bidding import DEADLINE
from tests.plugins.exercise import exercised

RESULT_ON = date(2026, 10, 14)


@pytest.fixture
async def world(demo):
    return await filed_plan()


@pytest.fixture
def traveller():
    with time_machine.travel(DEADLINE - timedelta(days=30), tick=False) as t:
        yield t


async def publish(s, uscc: str, amount: str):
    with use_scope(s.scope):
        return await projects.publish_result(
            s.agent,
            s.evaluation["project"],
            "中标公告",
            "正文",
            [projects.AwardInput(uscc, Decimal(amount))],
            on=RESULT_ON,
        )


async def codes(call) -> list[str]:
    with pytest.raises(DomainError) as info:
        await call()
    return [p.code for p in info.value.problems]


async def test_the_result_names_the_confirmed_winner(client, world, traveller):
    s = await opened_evaluation(
        world, traveller, ("4000000", "3700000", "3900000"), registered="xn.supplier"
    )
    uscc = world["supplier"]["uscc"]
    with clock.on_day(EVALUATION_DAY), exercised("gpcloud_evaluation_result") as ran:
        assert await codes(lambda: publish(s, uscc, "3700000")) == ["EVALUATION_NOT_CONFIRMED"]
        winner = await confirmed_winner(s)
    assert ("gpcloud_evaluation_result", "builtin:evaluation") in ran
    assert winner["supplier_organisation"] == s.bidders[1].organisation
    other = (await suppliers.by_uscc([uscc]))[uscc]
    assert other["organisation"] == winner["supplier_organisation"]
    with clock.on_day(RESULT_ON):
        assert await codes(lambda: publish(s, uscc, "3800000")) == ["AWARD_NOT_EVALUATED_WINNER"]
        awarded = await publish(s, uscc, "3700000")
    assert awarded["status"] == "awarded"
    [result] = await results.results_of_project(s.evaluation["project"])
    assert result["status"] == "confirmed" and len(result["experts"]) == 5
    assert result["winner"]["amount"] == "3700000.00"
    with all_tenants("test: the portal"):
        notice = await Notice.select().where(Notice.kind == "result").first()
    assert json.loads(notice["details"])["experts"] == result["experts"]
    [published] = json.loads(notice["details"])["evaluations"]
    assert published == {
        "lot": "",
        "method": "comprehensive",
        "supplier": winner["supplier_name"],
        "evaluated_price": "3700000.00",
        "total": result["winner"]["total"],
        "valid_bids": 3,
        "invalid_bids": 0,
    }
    page = await client.get(f"/notices/{notice['id']}")
    assert page.status_code == 200 and "评审专家" in page.text
    assert all(name in page.text for name in result["experts"])
    assert "评审总得分" in page.text and result["winner"]["total"] in page.text
