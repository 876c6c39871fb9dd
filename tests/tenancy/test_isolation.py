"""Tenant isolation at the table level, for every tenant-owned table.

Xingning (441481) and Wuhua (441424) are counties of Meizhou (441400); the province is 440000.
A county sees only its own rows, a city itself and its counties, the province everything; with
no scope a tenant-owned query raises.
"""

from datetime import UTC, datetime

import pytest

from gpcloud.core.auth.tables import User
from gpcloud.core.tenancy.scope import NoScope, OutOfScope, all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.core.tenancy.tables import ProvinceShared, TenantOwned
from gpcloud.piccolo_conf import all_tables
from tests.tenancy.rows import FACTORIES, make_row

XINGNING, WUHUA, MEIZHOU, PROVINCE = "441481", "441424", "441400", "440000"
TENANT_OWNED = [t for t in all_tables() if issubclass(t, TenantOwned)]
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def test_every_table_is_tenant_owned_or_province_shared():
    undeclared = [
        t.__name__
        for t in all_tables()
        if issubclass(t, TenantOwned) == issubclass(t, ProvinceShared)
    ]
    assert undeclared == []


def test_every_tenant_owned_table_has_a_factory():
    assert sorted(t.__name__ for t in TENANT_OWNED) == sorted(t.__name__ for t in FACTORIES)


async def scope(code: str):
    return (await tenant_tree(fresh=True)).scope_for(code)


@pytest.fixture
async def rows(request):
    table = request.param
    made = {code: await make_row(table, code) for code in (XINGNING, WUHUA, MEIZHOU, PROVINCE)}
    return table, made


@pytest.mark.parametrize("rows", TENANT_OWNED, indirect=True, ids=lambda t: t.__name__)
async def test_reads_are_limited_to_the_subtree(rows):
    """Other rows may exist (tenants apply writes audit entries): none outside the subtree shows."""
    table, made = rows
    expected = {
        XINGNING: {made[XINGNING]},
        MEIZHOU: {made[XINGNING], made[WUHUA], made[MEIZHOU]},
        PROVINCE: set(made.values()),
    }
    for code, ids in expected.items():
        subtree = (await tenant_tree()).subtree(code)
        with use_scope(await scope(code)):
            visible = await table.select(table.id, table.tenant_id)
            assert {r["id"] for r in visible} & set(made.values()) == ids, code
            if code != PROVINCE:
                assert {r["tenant_id"] for r in visible} <= subtree, code
            assert await table.count() == len(visible)
            assert {r.id for r in await table.objects()} == {r["id"] for r in visible}
            assert await table.exists().where(table.id == made[WUHUA]) == (made[WUHUA] in ids)


@pytest.mark.parametrize("rows", TENANT_OWNED, indirect=True, ids=lambda t: t.__name__)
async def test_writes_cannot_reach_another_county(rows):
    table, made = rows
    other = made[WUHUA]
    with use_scope(await scope(XINGNING)):
        await table.update({table.created_at: EPOCH}).where(table.id == other)
        await table.delete().where(table.id == other)
        with pytest.raises(OutOfScope):
            await table.update({table.tenant_id: WUHUA}).where(table.id == made[XINGNING])
        with pytest.raises(OutOfScope):
            await table.raw(f"SELECT * FROM {table._meta.tablename}")
    with all_tenants("check the other county's row"):
        row = await table.select(table.created_at).where(table.id == other).first()
    assert row is not None and row["created_at"] != EPOCH


@pytest.mark.parametrize("table", TENANT_OWNED, ids=lambda t: t.__name__)
async def test_no_scope_fails_closed(table):
    with pytest.raises(NoScope):
        await table.select()
    with pytest.raises(NoScope):
        await table.count()
    with pytest.raises(NoScope):
        table.insert()
    with pytest.raises(NoScope):
        await table.delete(force=True)


async def test_inserts_take_the_scope_tenant_and_refuse_others():
    org_user = await make_row(User, XINGNING)
    with all_tenants("read the organisation of the fixture user"):
        org = (await User.select(User.organisation).where(User.id == org_user).first())[
            "organisation"
        ]
    with use_scope(await scope(XINGNING)):
        filled = User(organisation=org, username="iso.filled", password_hash="x")
        await filled.save()
        assert filled.tenant_id == XINGNING
        with pytest.raises(OutOfScope):
            await User(
                tenant_id=WUHUA, organisation=org, username="iso.wuhua", password_hash="x"
            ).save()
    with use_scope(await scope(MEIZHOU)):
        await User(tenant_id=WUHUA, organisation=org, username="iso.city", password_hash="x").save()
    with all_tenants("check"):
        assert await User.exists().where(User.username == "iso.city")
        assert not await User.exists().where(User.username == "iso.wuhua")


async def test_upsert_cannot_overwrite_another_tenants_row():
    other = await make_row(User, WUHUA)
    with all_tenants("read the fixture row"):
        victim = await User.select().where(User.id == other).first()
    with use_scope(await scope(XINGNING)):
        await User.insert(
            User(
                tenant_id=XINGNING,
                organisation=victim["organisation"],
                username=victim["username"],
                password_hash="stolen",
                display_name="taken over",
            )
        ).on_conflict(
            target=User.username,
            action="DO UPDATE",
            values=[User.password_hash, User.display_name],
        )
    with all_tenants("check the victim"):
        after = await User.select().where(User.id == other).first()
    assert (after["password_hash"], after["display_name"]) == (victim["password_hash"], "")


@pytest.mark.parametrize("rows", TENANT_OWNED, indirect=True, ids=lambda t: t.__name__)
async def test_the_scope_is_checked_when_a_query_runs(rows):
    """A query runs within both the scope it was built in and the scope it runs in."""
    table, made = rows
    with all_tenants("test: build a query for every tenant"):
        wide = table.select(table.id)
        wide_count = table.count()
    with use_scope(await scope(XINGNING)):
        assert {r["id"] for r in await wide} & set(made.values()) == {made[XINGNING]}
        assert await wide_count == await table.count()
        narrow = table.select(table.id)
        stale_update = table.update({table.created_at: EPOCH}).where(table.id == made[WUHUA])
    with all_tenants("test: run the county's query"):
        assert {r["id"] for r in await narrow} & set(made.values()) == {made[XINGNING]}
    with use_scope(await scope(WUHUA)):
        await stale_update  # built for Xingning: matches nothing in Wuhua
        orphan = table.select()
    with pytest.raises(NoScope):
        await orphan  # no scope where it runs
    with all_tenants("check the Wuhua row"):
        row = await table.select(table.created_at).where(table.id == made[WUHUA]).first()
    assert row["created_at"] != EPOCH
