"""R035, R036 and R038 on the platform's own bids: a bid revoked at the opening, or one the
opening record found invalid (no bid security, Implementing Regulation art. 33), is
disqualified. Each flag raised by a change to the source tables and not raised one step
before it; R038 is a buyer's flag, kept by the rebuild, seen in its region only."""

from __future__ import annotations

import json

from gpcloud.analytics.service import redflags, rollup
from gpcloud.analytics.tables import RedFlag, Rollup
from gpcloud.core.db import transaction
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.registries.purchasers.tables import Purchaser
from gpcloud.supervision.tables import ProcurementPlan
from gpcloud.transaction.tables import Award, Bid, OpeningRecord, Project
from tests.integration.analytics.world import MEIZHOU, PINGYUAN, XINGNING, generated
from tests.integration.procurement import actor


async def _tendered(min_bids: int) -> list[dict]:
    """Xingning's projects with at least `min_bids` bids, each with its bids and winner."""
    out = []
    for project in await Project.select().where(Project.tenant_id == XINGNING).order_by(Project.id):
        bids = await Bid.select().where(Bid.project == project["id"]).order_by(Bid.price_fen)
        award = await Award.select().where(Award.project == project["id"]).first()
        if len(bids) >= min_bids and award:
            winner = award["supplier_organisation"]
            out.append({**project, "bids": bids, "winner": winner})
    return out


async def _codes(plan_id: int) -> set[str]:
    await rollup.refresh(plan_id)
    return {r["code"] for r in await RedFlag.select().where(RedFlag.plan_id == plan_id)}


async def _set_status(bid_ids: list[int], status: str) -> None:
    async with transaction():
        await Bid.update({Bid.status: status}).where(Bid.id.is_in(bid_ids))


async def _invalid_at_opening(project: dict, bid: dict) -> None:
    entry = {
        "bid": bid["id"],
        "bidder_name": bid["supplier_name"],
        "result": "opened",
        "invalidity_grounds": [{"code": "BID_SECURITY_MISSING", "reason": "no security"}],
    }
    async with transaction():
        await OpeningRecord.insert(
            OpeningRecord(
                tenant_id=project["tenant_id"],
                project=project["id"],
                entries=json.dumps([entry]),
                opened_at=bid["received_at"],
            )
        )


async def test_r035_fires_once_every_bid_but_the_winners_is_revoked():
    await generated(tenants=(XINGNING,), per_tenant=14, flawed=0)
    with all_tenants("test: R035"):
        project = (await _tendered(3))[0]
        others = [
            b["id"] for b in project["bids"] if b["supplier_organisation"] != project["winner"]
        ]
        assert "R035" not in await _codes(project["plan"])
        await _set_status(others[:-1], "revoked")  # one other bid still stands
        assert "R035" not in await _codes(project["plan"])
        await _set_status(others[-1:], "revoked")
        assert await _codes(project["plan"]) >= {"R035", "R018"}
        flags = await RedFlag.select().where(
            (RedFlag.plan_id == project["plan"]) & (RedFlag.code == "R035")
        )
        assert flags[0]["value"] == str(len(others))
        # The process's disqualified bidders are in its measures (for the share and R038).
        row = await Rollup.select(Rollup.disqualified).where(
            (Rollup.tenant_id == XINGNING) & (Rollup.dim == "all")
        )
        assert sum(r["disqualified"] for r in row) >= len(others)


async def test_r036_fires_when_the_lowest_bid_is_the_one_found_invalid():
    await generated(tenants=(XINGNING,), per_tenant=14, flawed=0)
    with all_tenants("test: R036"):
        project = (await _tendered(2))[0]
        winner_bid = next(
            b for b in project["bids"] if b["supplier_organisation"] == project["winner"]
        )
        other = next(b for b in project["bids"] if b["id"] != winner_bid["id"])
        # Found invalid, but dearer than the winner's: not the lowest bid.
        await _invalid_at_opening(project, other)
        assert "R036" not in await _codes(project["plan"])
        async with transaction():
            await Bid.update({Bid.price_fen: winner_bid["price_fen"] - 100}).where(
                Bid.id == other["id"]
            )
        assert "R036" in await _codes(project["plan"])
        flag = (
            await RedFlag.select()
            .where((RedFlag.plan_id == project["plan"]) & (RedFlag.code == "R036"))
            .first()
        )
        assert other["supplier_name"] in flag["explanation"]
        # The flag goes when it no longer holds (open flags follow the source tables).
        async with transaction():
            await OpeningRecord.delete().where(OpeningRecord.project == project["id"])
        assert "R036" not in await _codes(project["plan"])


async def _buyer_flags(purchaser: int) -> list[dict]:
    return await RedFlag.select().where(
        (RedFlag.code == "R038") & (RedFlag.purchaser_id == purchaser)
    )


async def test_r038_is_raised_on_a_buyer_whose_bids_are_mostly_disqualified(demo):
    await generated(tenants=(XINGNING,), per_tenant=8, flawed=0)
    with all_tenants("test: R038"):
        projects = await _tendered(1)
        plans = [p["plan"] for p in projects]
        purchaser = (
            await ProcurementPlan.select(ProcurementPlan.purchaser)
            .where(ProcurementPlan.id == plans[0])
            .first()
        )["purchaser"]
        await rollup.refresh_many(await _all_plans())
        assert await _buyer_flags(purchaser) == []  # a clean buyer
        # Every bid but the winner's revoked, and one more revoked bidder per process: at least
        # as many disqualified bidders as valid ones.
        revoked, extra = [], []
        used = {b["supplier_organisation"] for p in projects for b in p["bids"]}
        for p in projects:
            mine = {b["supplier_organisation"] for b in p["bids"]}
            revoked += [b["id"] for b in p["bids"] if b["supplier_organisation"] != p["winner"]]
            row = {k: v for k, v in p["bids"][0].items() if k != "id"}
            spare = next(o for o in sorted(used) if o not in mine)
            extra.append(
                {
                    **row,
                    "supplier_organisation": spare,
                    "supplier_name": f"供应商{spare}",
                    "status": "revoked",
                    "price_fen": None,
                }
            )
        await _set_status(revoked, "revoked")
        async with transaction():
            for row in extra:
                await Bid.insert(Bid(**row))
        await rollup.refresh_many(plans)
        (flag,) = await _buyer_flags(purchaser)
        disqualified = len(revoked) + len(extra)
        bids = disqualified + len(projects)
        assert flag["plan_id"] == 0 and flag["year"] == 2026 and flag["tenant_id"] == XINGNING
        assert float(flag["value"]) == round(disqualified / bids, 4)
        name = (
            await Purchaser.select(Purchaser.organisation.name.as_alias("n"))
            .where(Purchaser.id == purchaser)
            .first()
        )["n"]
        assert flag["process_title"] == name and name in flag["explanation"]
        # The rebuild raises the same flag, once.
        await rollup.rebuild()
        (again,) = await _buyer_flags(purchaser)
        assert (again["value"], again["explanation"]) == (flag["value"], flag["explanation"])
    # Seen by the county and its city, not by a sibling county.
    for username, region, seen in (
        ("xn.supervisor", XINGNING, True),
        ("mz.supervisor", MEIZHOU, True),
        ("mz.supervisor", PINGYUAN, False),
    ):
        user = await actor(username)
        with use_scope((await tenant_tree()).scope_for(region, user.id)):
            page = await redflags.search(user, "R038", None, 2026, 10, None)
            assert bool(page.rows) is seen, (username, region)
    # Reviewed, it stays when the disqualifications are undone; an open one would go.
    supervisor = await actor("xn.supervisor")
    with use_scope((await tenant_tree()).scope_for(XINGNING, supervisor.id)):
        await redflags.review(supervisor, again["id"], "已核查：系供应商未按要求提交保证金")
    with all_tenants("test: R038 undone"):
        await _set_status(revoked, "unsealed")
        await rollup.refresh_many(plans)
        (kept,) = await _buyer_flags(purchaser)
        assert kept["status"] == "reviewed"


async def test_r038_needs_two_processes_and_half_the_bids():
    await generated(tenants=(XINGNING,), per_tenant=8, flawed=0)
    with all_tenants("test: R038 below the threshold"):
        projects = await _tendered(3)
        project = projects[0]
        # One process with most of its bids revoked, the buyer's others clean: below half.
        others = [
            b["id"] for b in project["bids"] if b["supplier_organisation"] != project["winner"]
        ]
        await _set_status(others, "revoked")
        await rollup.refresh_many(await _all_plans())
        assert await RedFlag.count().where(RedFlag.code == "R038") == 0


async def _all_plans() -> list[int]:
    return [r["id"] for r in await ProcurementPlan.select(ProcurementPlan.id)]
