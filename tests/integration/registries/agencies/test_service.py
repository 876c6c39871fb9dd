"""The services on their own: the rules hold whoever calls them, not only through GraphQL."""

from contextlib import contextmanager
from datetime import date

import pytest

from gpcloud.core.auth.service import load_current_user
from gpcloud.core.auth.tables import User
from gpcloud.core.db import transaction
from gpcloud.core.errors import DomainError
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.registries.agencies.service import readiness, reads, registration, rooms
from gpcloud.registries.agencies.tables import Agency
from tests.integration.registries.agencies.helpers import later

CA = {"ca_serial": "5B2C3D4E5F607182", "ca_issuer": "广东数字证书认证中心"}


async def actor(username: str):
    with all_tenants("test: find the account"):
        user_id = (await User.select(User.id).where(User.username == username).first())["id"]
    user = await load_current_user(user_id)
    return user, (await tenant_tree()).scope_for(user.tenant, user_id=user.id)


@contextmanager
def acting(scope):
    with use_scope(scope):
        yield


async def registered(username="xn.agency", tenants=("441481",)) -> dict:
    user, scope = await actor(username)
    with acting(scope):
        async with transaction():
            return await registration.register(
                user,
                registration.AgencyInput(
                    contact_name="招标部",
                    contact_phone="13800000001",
                    ca_valid_until=date.fromisoformat(later()),
                    tenants=list(tenants),
                    **CA,
                ),
            )


async def test_decisions_need_a_provincial_admin_even_without_graphql(demo):
    agency = await registered()
    for username in ("xn.admin", "mz.admin", "xn.agency"):
        user, scope = await actor(username)
        with acting(scope), pytest.raises(DomainError) as info:
            await registration.decide(user, agency["id"], "approve", "")
        assert info.value.code == "FORBIDDEN"
    user, scope = await actor("gd.admin")
    with acting(scope):
        async with transaction():
            assert (await registration.decide(user, agency["id"], "approve", ""))[
                "status"
            ] == "approved"
        with pytest.raises(DomainError) as info:
            await registration.decide(user, agency["id"], "approve", "")
    assert info.value.code == "WRONG_STATE"


async def test_only_agency_users_register_or_keep_rooms(demo):
    user, scope = await actor("xn.admin")
    with acting(scope):
        for call in (
            registration.register(user, registration.AgencyInput()),
            registration.update_mine(user, registration.AgencyInput()),
            rooms.add(
                user, rooms.RoomInput(kind="opening", name="开标室", tenant="441481", computers=1)
            ),
        ):
            with pytest.raises(DomainError) as info:
                await call
            assert info.value.code == "FORBIDDEN"


async def test_a_room_kind_outside_the_list_is_refused(demo):
    await registered()
    user, scope = await actor("xn.agency")
    with acting(scope), pytest.raises(DomainError) as info:
        await rooms.add(
            user, rooms.RoomInput(kind="kitchen", name="厨房", tenant="441481", computers=1)
        )
    assert [(p.field, p.code) for p in info.value.problems] == [("kind", "INVALID_KIND")]


async def test_a_failed_mutation_leaves_no_trace(demo):
    """One transaction: the organisation's new name is not kept when the agency row fails."""
    await registered()
    user, scope = await actor("xn.agency")
    with acting(scope):
        with pytest.raises(DomainError):
            async with transaction():
                await registration.update_mine(
                    user, registration.AgencyInput(name="改名后的咨询有限公司")
                )
                raise DomainError("LATER_FAILURE", "something after the update failed")
        assert (await reads.mine(user))["name"] == "兴宁市宁江工程咨询有限公司"


async def test_requirements_come_from_the_effective_config(demo):
    assert await readiness.requirements("441481") == {
        "opening_room_required": True,
        "evaluation_room_required": True,
        "min_computers_per_opening_room": 1,
        "min_computers_per_evaluation_room": 8,
        "min_camera_resolution": 720,
        "av_monitoring_required": True,
        "av_recording_retained": True,
    }


async def test_reads_mark_which_rows_are_full(demo):
    await registered()
    mz = await registered("mz.agency", ("441400",))
    user, scope = await actor("gd.admin")
    with acting(scope):
        async with transaction():
            await registration.decide(user, mz["id"], "approve", "")
    user, scope = await actor("xn.agency")
    with acting(scope):
        page = await reads.search(user, reads.AgencyFilter(), None, None)
    assert {r["name"]: r["full"] for r in page.rows} == {
        "兴宁市宁江工程咨询有限公司": True,
        "梅州嘉应招标代理有限公司": False,
    }
    with all_tenants("test"):
        assert await Agency.count() == 2
