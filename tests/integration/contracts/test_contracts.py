"""Contracts: created within the award, signed by both parties with registered Ed25519 keys,
verifiable later (and not after tampering), published with a due date, filed, supplemented
within 10%."""

from datetime import date
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from gpcloud.contracts import service, signing
from gpcloud.contracts.tables import Contract
from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.errors import DomainError
from gpcloud.core.scheduler import service as scheduler
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from tests.integration.procurement import actor, awarded_project, filed_plan
from tests.support import gql, login

# The procurement ran from September to October 2026; its contract is looked at afterwards.
pytestmark = pytest.mark.day(date(2026, 11, 2))

TERMS = "交付期：合同签订后30日内；付款：验收合格后支付。"


def new_key() -> tuple[Ed25519PrivateKey, str]:
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
    return private, public


def sign(private: Ed25519PrivateKey, contract: dict) -> str:
    return private.sign(signing.message(service.digest(contract))).hex()


@pytest.fixture
async def world(demo):
    world = await filed_plan()
    world["project"] = await awarded_project(world)
    return world


async def draft(world, amount="4380000"):
    with use_scope(world["scope"]):
        return await service.create(
            world["purchaser"],
            world["project"],
            world["supplier"]["organisation"],
            service.ContractInput("教学设备采购合同", TERMS, Decimal(amount)),
        )


async def signed(world, on=date(2026, 9, 30)):
    contract = await draft(world)
    buyer_key, buyer_public = new_key()
    seller_key, seller_public = new_key()
    with use_scope(world["scope"]):
        await signing.register_key(world["purchaser"], buyer_public)
        await signing.register_key(world["seller"], seller_public)
        await service.sign(world["purchaser"], contract["id"], sign(buyer_key, contract), on=on)
        return await service.sign(
            world["seller"], contract["id"], sign(seller_key, contract), on=on
        )


async def test_a_contract_stays_within_its_award(world):
    with pytest.raises(DomainError) as info:
        await draft(world, "4380000.01")
    assert info.value.code == "OVER_AWARD"
    contract = await draft(world)
    assert contract["status"] == "draft"
    assert contract["sign_due"] == date(2026, 11, 16)  # 30 d after 16 Oct is Sunday 15 Nov
    with pytest.raises(DomainError) as info:
        await draft(world, "1")  # the award is used up
    assert info.value.code == "OVER_AWARD"
    with use_scope(world["scope"]):
        with pytest.raises(DomainError) as info:
            await service.create(
                world["purchaser"],
                world["project"],
                world["agent"].organisation_id,
                service.ContractInput("合同", TERMS, Decimal(1)),
            )
    assert info.value.code == "NOT_AWARDED"


async def test_both_parties_sign_and_anyone_can_verify_later(world):
    contract = await draft(world)
    buyer_key, buyer_public = new_key()
    with use_scope(world["scope"]):
        with pytest.raises(DomainError) as info:
            await signing.register_key(world["purchaser"], "not a key")
        assert info.value.code == "INVALID_KEY"
        await signing.register_key(world["purchaser"], buyer_public)
        with pytest.raises(DomainError) as info:
            await signing.register_key(world["purchaser"], buyer_public)
        assert info.value.code == "DUPLICATE_KEY"
        stranger, _ = new_key()
        with pytest.raises(DomainError) as info:
            await service.sign(world["purchaser"], contract["id"], sign(stranger, contract))
        assert info.value.code == "BAD_SIGNATURE"
        other = dict(contract, amount_fen=1)  # a signature over different content
        with pytest.raises(DomainError) as info:
            await service.sign(world["purchaser"], contract["id"], sign(buyer_key, other))
        assert info.value.code == "BAD_SIGNATURE"
        await service.sign(world["purchaser"], contract["id"], sign(buyer_key, contract))
        with pytest.raises(DomainError) as info:
            await service.sign(world["purchaser"], contract["id"], sign(buyer_key, contract))
        assert info.value.code == "ALREADY_SIGNED"
        outsider = await actor("xn.agency")  # no right to sign anything
        with pytest.raises(DomainError) as info:
            await service.sign(outsider, contract["id"], "00")
        assert info.value.code == "FORBIDDEN"
    done = await signed_by_seller(world, contract)
    assert done["status"] == "signed" and done["signed_on"] == date(2026, 9, 30)
    assert done["publication_due"] == date(2026, 10, 9)  # 2 wd after 30 Sep: 8, 9 Oct

    with use_scope(world["scope"]):
        check = await service.verify(await service.get(contract["id"]))
        assert check.valid and len(check.signatures) == 2
        with all_tenants("test: someone edits the stored contract"):
            await Contract.update({Contract.amount_fen: 438_000_001}).where(
                Contract.id == contract["id"]
            )
        tampered = await service.verify(await service.get(contract["id"]))
    assert not tampered.valid and not tampered.digest_matches
    assert [ok for _, ok in tampered.signatures] == [False, False]


async def signed_by_seller(world, contract):
    seller_key, seller_public = new_key()
    with use_scope(world["scope"]):
        await signing.register_key(world["seller"], seller_public)
        return await service.sign(
            world["seller"], contract["id"], sign(seller_key, contract), on=date(2026, 9, 30)
        )


async def test_publication_filing_and_lateness(world):
    contract = await signed(world)
    with use_scope(world["scope"]):
        with pytest.raises(DomainError) as info:
            await service.publish(world["seller"], contract["id"])
        assert info.value.code == "FORBIDDEN"
        published = await service.publish(world["purchaser"], contract["id"], on=date(2026, 10, 12))
        assert published["status"] == "published"
        with all_tenants("test"):
            entry = await AuditEntry.select().where(AuditEntry.action == "contract.publish").first()
        assert '"late":true' in entry["detail"]  # due 9 Oct
        with pytest.raises(DomainError) as info:
            await service.file(world["purchaser"], contract["id"])
        assert info.value.code == "FORBIDDEN"
        filed = await service.file(await actor("xn.supervisor"), contract["id"])
        assert filed["status"] == "filed"


async def test_supplements_stay_within_ten_percent(world):
    contract = await signed(world)
    add = lambda amount: service.create_supplementary(  # noqa: E731
        world["purchaser"],
        contract["id"],
        service.ContractInput("补充协议", TERMS, Decimal(amount)),
    )
    with use_scope(world["scope"]):
        with pytest.raises(DomainError) as info:
            await add("438000.01")
        assert info.value.code == "SUPPLEMENT_TOO_LARGE"
        first = await add("400000")
        assert first["parent"] == contract["id"]
        with pytest.raises(DomainError) as info:
            await add("38000.01")
        assert info.value.code == "SUPPLEMENT_TOO_LARGE"
        await add("38000")


async def test_parties_and_regions_through_graphql(client, world):
    contract = await draft(world)
    query = "query($id: ID!) { contract(id: $id) { status digest verification { valid } } }"
    seller = await login(client, "xn.supplier")
    seen = await gql(client, query, {"id": str(contract["id"])}, token=seller)
    assert seen["data"]["contract"]["digest"] == service.digest(contract)
    other = await login(client, "mz.supplier")  # not a party
    hidden = await gql(client, query, {"id": str(contract["id"])}, token=other)
    assert hidden["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    with use_scope((await tenant_tree()).scope_for("441424")):
        with pytest.raises(DomainError):
            await service.get(contract["id"])


OVERVIEW = """{ supervisionOverview { on plansAwaitingFilingCount contractsAwaitingFilingCount
  contractPublicationOverdueCount contractPublicationOverdue { id publicationDue }
  intentionExemptionsCount } }"""


async def test_supervision_overview_of_the_region(client, world):
    contract = await signed(world)  # signed 30 Sep 2026, due 9 Oct
    await scheduler.run_once()  # the platform has found it overdue since
    supervisor = await login(client, "xn.supervisor")
    seen = (await gql(client, OVERVIEW, token=supervisor))["data"]["supervisionOverview"]
    assert seen["contractPublicationOverdueCount"] == 1
    assert seen["contractPublicationOverdue"][0]["id"] == str(contract["id"])
    assert seen["intentionExemptionsCount"] == 1  # the plan claimed "urgent"
    assert seen["plansAwaitingFilingCount"] == 0
    with use_scope(world["scope"]):
        await service.publish(world["purchaser"], contract["id"])
    seen = (await gql(client, OVERVIEW, token=supervisor))["data"]["supervisionOverview"]
    assert (seen["contractPublicationOverdueCount"], seen["contractsAwaitingFilingCount"]) == (0, 1)
    city = await gql(client, OVERVIEW, token=await login(client, "mz.supervisor"))
    assert city["data"]["supervisionOverview"]["contractsAwaitingFilingCount"] == 1
    purchaser = await gql(client, OVERVIEW, token=await login(client, "xn.purchaser"))
    assert purchaser["errors"][0]["extensions"]["code"] == "FORBIDDEN"
