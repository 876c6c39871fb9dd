"""The draw's recusal check, through the service other domains call: a declared relation with a
bidder overlapping the three years before the evaluation, or the bidder being the employer."""

from datetime import date, timedelta

import pytest

from gpcloud.core.auth.service import load_current_user
from gpcloud.core.auth.tables import User
from gpcloud.core.clock import today
from gpcloud.core.db import transaction
from gpcloud.core.errors import DomainError
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.registries.experts import service
from gpcloud.registries.experts.service.rules import add_years
from tests.integration.registries.experts.conftest import OTHER_USCC, SUPPLIER_USCC, id_number, uscc

ON = today() - timedelta(days=100)
THIRD_USCC = uscc("91441424MA4W00077")


@pytest.fixture
async def province(demo, catalogue):
    with all_tenants("test: find the provincial admin"):
        user_id = (await User.select(User.id).where(User.username == "gd.admin").first())["id"]
    actor = await load_current_user(user_id)
    with use_scope((await tenant_tree(fresh=True)).scope_for("440000", user_id=user_id)):
        yield actor


async def expert(actor, n: int, **extra) -> int:
    async with transaction():
        row = await service.register(
            actor,
            service.ExpertInput(
                name=f"示例专家{n:02d}",
                id_number=id_number(date(1970, 1, n)),
                title_level="senior",
                years_of_experience=20,
                specialties=["A020101"],
                regions=["441400"],
                **extra,
            ),
        )
    return row["id"]


async def relation(
    actor,
    expert_id: int,
    start: date,
    end: date | None,
    organisation_uscc=SUPPLIER_USCC,
    name="兴宁市合水电子科技有限公司",
    kind="director",
) -> None:
    async with transaction():
        await service.add_avoidance(
            actor,
            expert_id,
            service.AvoidanceInput(
                organisation_name=name,
                relation=kind,
                start_date=start,
                end_date=end,
                organisation_uscc=organisation_uscc,
            ),
        )


async def test_relations_within_three_years_before_the_evaluation(province):
    actor = province
    window_start = add_years(ON, -3)
    ended_on_the_edge = await expert(actor, 1)
    await relation(actor, ended_on_the_edge, date(2015, 1, 1), window_start)
    ended_just_before = await expert(actor, 2)
    await relation(actor, ended_just_before, date(2015, 1, 1), window_start - timedelta(days=1))
    ongoing = await expert(actor, 3)
    await relation(actor, ongoing, date(2020, 1, 1), None, kind="shareholder")
    starts_after = await expert(actor, 4)
    await relation(actor, starts_after, ON + timedelta(days=1), None, kind="employer")
    starts_that_day = await expert(actor, 5)
    await relation(actor, starts_that_day, ON, None, kind="relative_of_legal_representative")
    other_company = await expert(actor, 6)
    await relation(
        actor, other_company, date(2020, 1, 1), None, organisation_uscc=THIRD_USCC, name="其他公司"
    )
    employed = await expert(
        actor, 7, employer="兴宁市合水电子科技有限公司", employer_uscc=SUPPLIER_USCC.lower()
    )
    unrelated = await expert(actor, 8)
    everyone = [
        ended_on_the_edge,
        ended_just_before,
        ongoing,
        starts_after,
        starts_that_day,
        other_company,
        employed,
        unrelated,
    ]

    found = await service.conflicted(everyone, [SUPPLIER_USCC.lower(), OTHER_USCC], ON)
    assert found == {ended_on_the_edge, ongoing, starts_that_day, employed}
    assert await service.conflicted(everyone, [THIRD_USCC], ON) == {other_company}
    # Only the experts asked about.
    assert await service.conflicted([ongoing, unrelated], [SUPPLIER_USCC], ON) == {ongoing}
    # Later, the relation that started after the first evaluation counts too.
    assert starts_after in await service.conflicted(everyone, [SUPPLIER_USCC], today())
    assert await service.conflicted([], [SUPPLIER_USCC], ON) == set()
    assert await service.conflicted(everyone, [], ON) == set()
    assert await service.conflicted(everyone, [" "], ON) == set()


async def test_relations_without_a_credit_code_match_by_exact_name(province):
    actor = province
    declared = await expert(actor, 1)
    await relation(
        actor,
        declared,
        date(2024, 1, 1),
        None,
        organisation_uscc=None,
        name="梅州市示例科技有限公司",
        kind="other",
    )
    assert await service.conflicted([declared], [SUPPLIER_USCC], ON) == set()
    assert await service.conflicted(
        [declared], [], ON, supplier_names=["梅州市示例科技有限公司"]
    ) == {declared}
    assert await service.conflicted([declared], [], ON, supplier_names=["梅州市示例科技"]) == set()


async def test_many_experts_are_checked_in_batches(province):
    actor = province
    last = await expert(actor, 1)
    await relation(actor, last, date(2024, 1, 1), None)
    ids = list(range(100_000, 101_200)) + [last]
    assert await service.conflicted(ids, [SUPPLIER_USCC], ON) == {last}


async def test_services_refuse_the_wrong_caller(province):
    """The rules hold in the services themselves, not only in the GraphQL permissions."""
    with all_tenants("test: find accounts"):
        rows = await User.select(User.id, User.username).where(
            User.username.is_in(["mz.admin", "mz.expert"])
        )
    users = {r["username"]: await load_current_user(r["id"]) for r in rows}
    expert_id = await expert(province, 1)
    async with transaction():
        with pytest.raises(DomainError) as refused:
            await service.register(users["mz.admin"], service.ExpertInput(name="示例"))
        assert refused.value.code == "FORBIDDEN"
        with pytest.raises(DomainError) as refused:
            await service.reveal_id_number(users["mz.admin"], expert_id, "核对")
        assert refused.value.code == "FORBIDDEN"
        with pytest.raises(DomainError) as refused:
            await service.add_leave(
                users["mz.expert"], expert_id, service.LeaveInput(today(), today())
            )
        assert refused.value.code == "NOT_FOUND"
        with pytest.raises(DomainError) as refused:
            await service.search(users["mz.expert"], service.ExpertFilter(), None, None)
        assert refused.value.code == "FORBIDDEN"
