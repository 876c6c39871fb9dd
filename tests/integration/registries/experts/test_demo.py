"""The demo pool: synthetic experts with valid fictional ID numbers, the catalogue's codes, the
demo expert accounts linked, only candidates who meet the entry rules, and idempotent."""

import csv
from pathlib import Path

from gpcloud.core.auth.tables import User
from gpcloud.core.clock import today
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.registries import goods
from gpcloud.registries.experts import demo as expert_demo
from gpcloud.registries.experts.service import identity
from gpcloud.registries.experts.service.rules import age_on
from gpcloud.registries.experts.tables import Expert, ExpertLeave, ExpertRegion, ExpertSpecialty
from tests.support import gql, login

CATALOGUE = Path(goods.__file__).parent / "catalogue.csv"


async def test_the_demo_pool(client, demo):
    await expert_demo.seed()
    rows = await Expert.select().order_by(Expert.name)
    assert len(rows) == 30 and all(r["name"].startswith("示例专家") for r in rows)
    # Only valid demo data: no candidate the entry rules keep out (issue 21: the first line a
    # newcomer saw was the seed refusing its own expert).
    ages = [
        age_on(identity.parse_id_number(e.id_number, today()).birth_date, today())
        for e in expert_demo.EXPERTS
    ]
    assert len(ages) == len(rows) and max(ages) < 70
    for row in rows:
        number = identity.unseal(row["id_number_cipher"])
        assert identity.parse_id_number(number, today()).number == number
        assert number[:4] == "4414" and 1960 <= row["birth_date"].year <= 1990
        assert row["status"] == "active"
    assert {r["title_level"] for r in rows} == {"senior", "deputy_senior", "intermediate"}
    with CATALOGUE.open(encoding="utf-8") as fh:
        codes = {r["code"] for r in csv.DictReader(fh)}
    assert {r["category_code"] for r in await ExpertSpecialty.select()} <= codes
    assert {r["region"] for r in await ExpertRegion.select()} == {"440000", "441400", "441481"}
    assert await ExpertLeave.count() == 3

    with all_tenants("test: demo accounts"):
        users = {
            u["username"]: u["id"]
            for u in await User.select(User.id, User.username).where(
                User.username.is_in(["mz.expert", "xn.expert"])
            )
        }
    linked = {r["name"]: r["user_id"] for r in rows if r["user_id"] is not None}
    assert linked == {"示例专家01": users["mz.expert"], "示例专家02": users["xn.expert"]}
    mine = await gql(
        client,
        "{ myExpert { name specialties { categoryCode primary } } }",
        token=await login(client, "xn.expert"),
    )
    assert mine["data"]["myExpert"]["name"] == "示例专家02"
    assert mine["data"]["myExpert"]["specialties"][0] == {"categoryCode": "A0320", "primary": True}

    await expert_demo.seed()
    assert await Expert.count() == 30 and await ExpertLeave.count() == 3
    assert await Expert.select(Expert.id, Expert.user_id).order_by(Expert.id) == [
        {"id": r["id"], "user_id": r["user_id"]} for r in sorted(rows, key=lambda r: r["id"])
    ]
