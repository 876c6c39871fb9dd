"""Framework agreements for the second-stage and top-up tests: suppliers that log in through
the API, and an agreement of Meizhou (city) that Xingning's school orders under."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from gpcloud.core.auth import passwords
from gpcloud.core.auth.tables import Organisation, User, UserRole
from gpcloud.core.db import transaction
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.demo import DEMO_PASSWORD
from gpcloud.emall.service import agreements
from tests.integration.procurement import actor

# The pinned test day (2026-09-01) is within; services may run two years (731 days).
TERM = (date(2026, 1, 1), date(2027, 12, 31))
_names = itertools.count(1)


async def api_supplier(name: str, region: str = "441400") -> str:
    """A supplier organisation with one user who logs in with the demo password: its username."""
    username = f"fa.supplier{next(_names)}"
    hashed = await passwords.hash_password(DEMO_PASSWORD)
    with all_tenants("test: a supplier and its user"):
        async with transaction():
            org = Organisation(name=name, kind="supplier", region=region)
            await org.save()
            user = User(
                tenant_id=region,
                organisation=org.id,
                username=username,
                password_hash=hashed,
                display_name="投标专员",
                mobile="13800000000",
                email=f"{username}@test.example.com",
                must_change_password=False,
            )
            await user.save()
            await UserRole(tenant_id=region, user=user.id, role="supplier").save()
    return username


def designated(organisation: int, max_price: str) -> agreements.DesignatedInput:
    return agreements.DesignatedInput(organisation, "小型客车维修工时", "工时", Decimal(max_price))


async def record(
    region: str, admin: str, suppliers: list[agreements.DesignatedInput], entrants: int
) -> dict:
    """An agreement for vehicle repair (C0301, services) recorded by `admin` of `region`."""
    with use_scope((await tenant_tree()).scope_for(region)):
        return await agreements.record(
            await actor(admin),
            agreements.AgreementInput(
                title="公务车辆定点维修",
                category_code="C0301",
                kind="services",
                starts_on=TERM[0],
                ends_on=TERM[1],
                entrants=entrants,
                suppliers=suppliers,
            ),
        )


async def designated_rows(agreement_id: int) -> list[dict]:
    with all_tenants("test"):
        return (await agreements.designated_of([agreement_id]))[0]
