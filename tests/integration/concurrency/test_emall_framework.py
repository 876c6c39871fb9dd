"""Framework agreement races: a designated supplier's withdrawal sent N times at once withdraws
it once (one audit entry); a top-up entry sent N times at once designates its supplier once.

The withdrawal is the DESIGNATED machine's compare-and-set, taken under the agreement's lock;
the top-up reads the agreement's designated suppliers under that lock and compare-and-sets the
agreement's revision. On PostgreSQL the requests interleave (each its own task, transaction
and pooled connection); on SQLite they queue on the write lock and the assertions hold too.
"""

from __future__ import annotations

from decimal import Decimal

from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.emall.service import agreements
from gpcloud.emall.tables import DesignatedSupplier
from gpcloud.registries.goods import demo as goods_demo
from tests.integration.concurrency.test_transitions import LOST, one_wins, race
from tests.integration.emall.frameworks import designated, designated_rows, record
from tests.integration.emall.world import new_supplier
from tests.integration.procurement import actor


async def _agreement(demo) -> tuple[dict, list[dict]]:
    await goods_demo.seed()  # the catalogue (C0301)
    garages = [await new_supplier(f"梅州市并发汽车维修有限公司{i}", "441400") for i in range(4)]
    agreement = await record(
        "441400", "mz.admin", [designated(g.organisation_id, "120") for g in garages], 6
    )
    return agreement, await designated_rows(agreement["id"])


async def test_a_withdrawal_sent_at_once_withdraws_once(demo):
    agreement, rows = await _agreement(demo)
    admin = await actor("mz.admin")
    scope = (await tenant_tree()).scope_for("441400")

    async def withdraw():
        with use_scope(scope):
            return await agreements.withdraw_designated(admin, rows[0]["id"], "申请退出协议")

    wins, losses = await race(withdraw)
    won = one_wins(wins, losses)
    assert won["status"] == "withdrawn" and won["revision"] == 1
    with all_tenants("test"):
        assert (
            await AuditEntry.count().where(AuditEntry.action == "mall_designated_supplier.withdraw")
            == 1
        )


async def test_a_top_up_sent_at_once_designates_once(demo):
    agreement, rows = await _agreement(demo)
    admin = await actor("mz.admin")
    scope = (await tenant_tree()).scope_for("441400")
    with use_scope(scope):
        for row in rows[:2]:  # 2 of 4 remain: a top-up is needed
            await agreements.withdraw_designated(admin, row["id"], "申请退出协议")
    newcomer = await new_supplier("梅州市补充入围汽车维修有限公司", "441400")
    entry = agreements.TopUpInput(
        3,
        [
            agreements.DesignatedInput(
                newcomer.organisation_id, "小型客车维修工时", "工时", Decimal("118")
            )
        ],
    )

    async def top_up():
        with use_scope(scope):
            return await agreements.top_up(admin, agreement["id"], entry)

    wins, losses = await race(top_up)
    assert len(wins) == 1, f"{len(wins)} won: {losses}"
    assert set(losses) <= LOST | {"ALREADY_DESIGNATED", "TOP_UP_NOT_NEEDED"}, losses
    with all_tenants("test"):
        assert (
            await DesignatedSupplier.count().where(
                DesignatedSupplier.supplier_organisation == newcomer.organisation_id
            )
            == 1
        )
        assert (
            await AuditEntry.count().where(AuditEntry.action == "framework_agreement.top_up") == 1
        )
