"""Publication <= 2 wd and green purchasing on single processes: what is counted, against which
limit, in working days; and the incremental path hears of a contract falling overdue."""

from __future__ import annotations

import json
from datetime import date

from gpcloud.analytics.catalogue import BY_ID
from gpcloud.analytics.sample_publications import at
from gpcloud.analytics.service import facts, refresh, rollup
from gpcloud.analytics.tables import ProcessFact
from gpcloud.contracts.tables import Contract
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.emall.tables import MallOrder
from gpcloud.evaluation.tables import Evaluation, EvaluationReport
from gpcloud.registries.goods.tables import GoodsItem, SupplierListing
from gpcloud.transaction.tables import Announcement, Project
from tests.integration.analytics.world import generated


async def _pub(plan: int) -> tuple[int, int]:
    m = (await facts.compute(plan)).measures
    return m["pub_n"], m["pub_ok"]


async def _tendered() -> tuple[dict, dict, int]:
    project = await Project.select().order_by(Project.id).first()
    evaluation = await Evaluation.select().where(Evaluation.project == project["id"]).first()
    result = (
        await Announcement.select()
        .where((Announcement.project == project["id"]) & (Announcement.kind == "result"))
        .first()
    )
    return project, evaluation, result["id"]


async def test_a_result_is_due_two_working_days_after_the_winners_confirmation():
    await generated(per_tenant=4, flawed=0)
    with all_tenants("test: result publication"):
        project, evaluation, result = await _tendered()
        plan = project["plan"]
        await Contract.update({Contract.publication_due: None}).where(Contract.plan == plan)
        # Confirmed on 29 September: two working days (30 September, 8 October) end after
        # National Day, on 8 October, not on 1 October.
        await EvaluationReport.update(
            {EvaluationReport.confirmed_at: at(date(2026, 9, 29), 16)}
        ).where(EvaluationReport.evaluation == evaluation["id"])
        for published, counted in ((date(2026, 10, 8), (1, 1)), (date(2026, 10, 9), (1, 0))):
            await Announcement.update({Announcement.published_on: published}).where(
                Announcement.id == result
            )
            assert await _pub(plan) == counted, published
        # A result published before the confirmation is not the publication of it.
        await Announcement.update({Announcement.published_on: date(2026, 9, 28)}).where(
            Announcement.id == result
        )
        assert await _pub(plan) == (0, 0)
        # A year the calendar does not know (no table, before the regulation in force): not
        # guessed, not judged, and the fact is still computed (a migrated process older than
        # the rule sets: facts.in_force).
        await EvaluationReport.update({EvaluationReport.confirmed_at: at(date(1999, 6, 1))}).where(
            EvaluationReport.evaluation == evaluation["id"]
        )
        await Announcement.update({Announcement.published_on: date(1999, 6, 2)}).where(
            Announcement.id == result
        )
        assert await _pub(plan) == (0, 0)
        # No confirmation recorded (an evaluation off the platform): nothing to judge.
        await EvaluationReport.update({EvaluationReport.confirmed_at: None}).where(
            EvaluationReport.evaluation == evaluation["id"]
        )
        assert await _pub(plan) == (0, 0)


async def test_a_contract_is_judged_by_the_due_day_fixed_at_signing_and_late_when_overdue():
    await generated(per_tenant=4, flawed=0)
    with all_tenants("test: contract publication"):
        project, evaluation, _ = await _tendered()
        plan = project["plan"]
        await EvaluationReport.update({EvaluationReport.confirmed_at: None}).where(
            EvaluationReport.evaluation == evaluation["id"]
        )
        due = date(2026, 10, 8)
        cases = (
            ({Contract.published_on: due, Contract.status: "published"}, (1, 1)),
            ({Contract.published_on: date(2026, 10, 9)}, (1, 0)),
            ({Contract.published_on: None, Contract.status: "signed"}, (0, 0)),  # not due yet
            ({Contract.status: "overdue"}, (1, 0)),  # past due, unpublished: late
            ({Contract.publication_due: None}, (0, 0)),  # migrated: no limit was set
        )
        await Contract.update({Contract.publication_due: due}).where(Contract.plan == plan)
        for changes, counted in cases:
            await Contract.update(changes).where(Contract.plan == plan)
            assert await _pub(plan) == counted, changes


async def test_the_sweep_refreshes_a_process_whose_contract_fell_overdue():
    await generated(per_tenant=3, flawed=0)
    with all_tenants("test: overdue sweep"):
        project, _evaluation, _ = await _tendered()
        plan = project["plan"]
        due = date(2026, 12, 1)
        await Contract.update({Contract.publication_due: due, Contract.published_on: due}).where(
            Contract.plan == plan
        )
        await rollup.rebuild()

        async def stored() -> dict:
            row = await ProcessFact.select().where(ProcessFact.plan_id == plan).first()
            return json.loads(row["measures"])

        before = await stored()
        await refresh.refresh_pending()  # sets the watermark
        # The scheduler's transition (no publication reaches the receiver).
        await Contract.update(
            {
                Contract.published_on: None,
                Contract.status: "overdue",
                Contract.updated_at: at(date(2027, 1, 1)),
            }
        ).where(Contract.plan == plan)
        assert await refresh.refresh_pending() >= 1
        after = await stored()
        assert (after["pub_n"], after["pub_ok"]) == (before["pub_n"], before["pub_ok"] - 1)


async def test_green_share_counts_the_orders_naming_a_listing_by_their_items_mark():
    await generated(per_tenant=15, flawed=0)
    with all_tenants("test: green purchasing"):
        order = await MallOrder.select().where(MallOrder.listing.is_not_null()).first()
        assert order is not None
        plan, amount = order["plan"], order["amount_fen"]
        listing = (
            await SupplierListing.select().where(SupplierListing.id == order["listing"]).first()
        )
        item = listing["goods_item"]

        async def measures() -> tuple[int, int]:
            m = (await facts.compute(plan)).measures
            return m["listed_fen"], m["green_fen"]

        for label, green in (("energy_saving", amount), ("environmental", amount), ("", 0)):
            await GoodsItem.update({GoodsItem.green_label: label}).where(GoodsItem.id == item)
            assert await measures() == (amount, green), label
        # An order that names no goods item (a reverse auction, a framework call) is not judged.
        await MallOrder.update({MallOrder.listing: None}).where(MallOrder.id == order["id"])
        assert await measures() == (0, 0)
        assert BY_ID["green_share"].formula == "sum(green_fen) / sum(listed_fen)"
