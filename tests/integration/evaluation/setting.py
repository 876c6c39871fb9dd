"""The evaluation tests' setting: the sealed-bid tender of tests/integration/transaction (the
Xingning school's open tender run by the Meizhou agency) closed with three Guangzhou bidders,
and a pool of experts in A020101 serving Meizhou, each with an expert account of their own."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta

from gpcloud.core import clock
from gpcloud.core.auth import passwords
from gpcloud.core.auth.service import CurrentUser, load_current_user
from gpcloud.core.auth.tables import Organisation, User, UserRole
from gpcloud.core.db import transaction
from gpcloud.core.scheduler import service as scheduler
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.evaluation.service import committees, draws
from gpcloud.registries.agencies.tables import AgencyRoom
from gpcloud.registries.experts.tables import Expert, ExpertRegion, ExpertSpecialty
from tests.integration.transaction.bidding import DEADLINE, bidder, submit, tender

CODE = "A020101"  # computer equipment: covers the school's A02010104
AFTER = DEADLINE + timedelta(minutes=1)  # Monday 12 Oct 2026, 09:31 in Beijing
EVALUATION = datetime.fromisoformat("2026-10-13T09:00:00+08:00")  # within 2 wd of the draw


async def experts(n: int, start: int = 1, region: str = "441400", accounts: bool = True) -> list:
    """n active experts (ids); with accounts, (id, CurrentUser) pairs."""
    made = []
    with all_tenants("test: experts registered for the province"):
        async with transaction():
            for i in range(start, start + n):
                org = Organisation(name=f"测试专家单位{i}", kind="other", region=region)
                await org.save()
                user_id = None
                if accounts:
                    user = User(
                        tenant_id=region,
                        organisation=org.id,
                        username=f"ev.expert{i}",
                        password_hash=await passwords.hash_password("x" * 12),
                        display_name=f"测试专家{i}",
                        mobile="13800000000",
                        email=f"expert{i}@example.com",
                        must_change_password=False,
                    )
                    await user.save()
                    await UserRole.insert(UserRole(tenant_id=region, user=user.id, role="expert"))
                    user_id = user.id
                expert = Expert(
                    name=f"测试专家{i}",
                    id_number_digest=hashlib.sha256(f"expert-{i}".encode()).hexdigest(),
                    id_number_masked="4414**********0000",
                    id_number_cipher="-",
                    birth_date=date(1975, 1, 1),
                    gender="male",
                    title_level="senior",
                    employer=f"测试专家单位{i}",
                    status="active",
                    user_id=user_id,
                )
                await expert.save()
                await ExpertSpecialty.insert(ExpertSpecialty(expert=expert.id, category_code=CODE))
                await ExpertRegion.insert(ExpertRegion(expert=expert.id, region=region))
                made.append((expert.id, user_id))
    if not accounts:
        return [e for e, _ in made]
    return [(e, await load_current_user(u)) for e, u in made]


async def closed_tender(world: dict, traveller, n_bidders: int = 3):
    """The tender after its deadline (hall open): (project id, bidders)."""
    project = await tender(world, traveller)
    found = [await bidder(i + 1) for i in range(n_bidders)]
    traveller.move_to(DEADLINE - timedelta(hours=1))
    for i, b in enumerate(found):
        await submit(b, project, str(4_000_000 - i * 1000))
    traveller.move_to(AFTER)
    await scheduler.run_once(clock.now())
    return project, found


async def evaluation_room(name: str = "兴宁评标室") -> int:
    """A demo room of the Meizhou agency (兴宁评标室: Xingning, 9 computers, 720P, ready)."""
    return (await AgencyRoom.select(AgencyRoom.id).where(AgencyRoom.name == name).first())["id"]


async def committee(world: dict, project: int, **overrides) -> dict:
    values = {
        "project_id": project,
        "members": 5,
        "evaluation_at": EVALUATION,
        "specialty_codes": [CODE],
        "backups": 2,
        "room_id": None if overrides.get("remote") else await evaluation_room(),
        **overrides,
    }
    with use_scope(world["scope"]):
        async with transaction():
            return await committees.form(world["agent"], committees.CommitteeInput(**values))


async def drawn(world: dict, row: dict, draw_type: str = "review") -> dict:
    """Commit and run the committee's draw (two transactions, as two requests)."""
    async with transaction():
        committed = await draws.commit(world["agent"], row["id"], draw_type)
    async with transaction():
        return await draws.run(world["agent"], committed["id"])


def by_expert(pool: list) -> dict[int, CurrentUser]:
    return dict(pool)
