"""A company registers itself as a supplier: validation, duplicates, rate limit, races."""

import asyncio

import httpx
import pytest

from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.auth.tables import Organisation, User, UserRole
from gpcloud.core.errors import DomainError
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.registries.suppliers.service import records, registration
from tests.integration.registries.suppliers.helpers import (
    SUPPLIER_FIELDS,
    XN_SUPPLIER,
    bad_check,
    code,
    organisation,
)
from tests.support import LOGIN, error_codes, gql, login

REGISTER = f"""mutation($input: RegisterSupplierInput!) {{
  registerSupplier(input: $input) {{ supplier {{ {SUPPLIER_FIELDS} }} errors {{ field code message }} }}
}}"""
MINE = f"{{ mySupplier {{ {SUPPLIER_FIELDS} }} }}"
PASSWORD = "Guangming#2021"


def application(**overrides):
    values = {
        "name": "兴宁市光明照明科技有限公司",
        "uscc": code(1),
        "region": "441481",
        "username": "gm.zhaoming",
        "password": PASSWORD,
        "contactName": "示例联系人甲",
        "contactPhone": "0753-0000201",
        "contactEmail": "sales@gm.example.com",
    }
    values.update(overrides)
    return values


COMPLETE = {
    "sizeClass": "SMALL",
    "address": "兴宁市兴城镇光明路1号",
    "legalRepresentative": "示例法人甲",
    "caSerial": "4A3F7001",
    "caIssuer": "广东省电子商务认证有限公司",
    "caValidUntil": "2099-12-31",
}


async def register(client, **overrides):
    result = await gql(client, REGISTER, {"input": application(**overrides)})
    assert "errors" not in result, result
    return result["data"]["registerSupplier"]


async def counts() -> tuple[int, int]:
    with all_tenants("test: count accounts"):
        return await Organisation.count(), await User.count()


async def test_a_company_registers_itself_and_works_with_its_account(client, demo):
    payload = await register(client, uscc=code(1).lower(), username="GM.Zhaoming", **COMPLETE)
    assert payload["errors"] == []
    supplier = payload["supplier"]
    assert supplier["uscc"] == code(1)
    assert (supplier["status"], supplier["usable"], supplier["missingInformation"]) == (
        "ACTIVE",
        True,
        [],
    )
    assert supplier["region"] == {"regionCode": "441481"}
    # The rest of the request acts as the new account: it sees its own contacts.
    assert supplier["contact"] == {
        "name": "示例联系人甲",
        "phone": "0753-0000201",
        "email": "sales@gm.example.com",
        "legalRepresentative": "示例法人甲",
    }
    assert supplier["caCertificate"]["valid"] is True

    # The account chose its password: no first-login step is left.
    first = await gql(client, LOGIN, {"username": "gm.zhaoming", "password": PASSWORD})
    me = first["data"]["login"]["me"]
    assert me["firstLoginPending"] is False and me["mustChangePassword"] is False
    token = first["data"]["login"]["token"]
    mine = (await gql(client, MINE, token=token))["data"]["mySupplier"]
    assert mine["name"] == "兴宁市光明照明科技有限公司" and mine["id"] == supplier["id"]

    with all_tenants("test: the account and the audit log"):
        user = await User.select().where(User.username == "gm.zhaoming").first()
        assert user["tenant_id"] == "441481" and user["mobile"] == "0753-0000201"
        roles = await UserRole.select(UserRole.role).where(UserRole.user == user["id"])
        assert [r["role"] for r in roles] == ["supplier"]
        org = await organisation("兴宁市光明照明科技有限公司")
        assert (org["kind"], org["region"]) == ("supplier", "441481")
        entries = await AuditEntry.select(
            AuditEntry.action, AuditEntry.tenant_id, AuditEntry.actor_id
        ).where(AuditEntry.actor_id == user["id"])
    assert sorted(e["action"] for e in entries) == [
        "organisation.create",
        "suppliers.register",
        "user.create",
    ]
    assert {(e["tenant_id"], e["actor_id"]) for e in entries} == {("441481", user["id"])}


async def test_what_a_registration_leaves_out_keeps_the_supplier_incomplete(client, demo):
    payload = await register(client)
    assert payload["errors"] == []
    supplier = payload["supplier"]
    assert supplier["status"] == "INCOMPLETE" and supplier["usable"] is False
    assert supplier["missingInformation"] == ["SIZE_CLASS", "ADDRESS", "CA_CERTIFICATE"]
    assert supplier["caCertificate"] is None
    # The account still works: the supplier's users complete it after logging in.
    token = await login(client, "gm.zhaoming", PASSWORD)
    assert (await gql(client, MINE, token=token))["data"]["mySupplier"]["status"] == "INCOMPLETE"


@pytest.mark.parametrize(
    "overrides,field,code_",
    [
        ({"uscc": bad_check(code(1))}, "uscc", "INVALID_USCC"),
        ({"uscc": code(1)[:17]}, "uscc", "INVALID_USCC"),
        ({"uscc": "91441481MA7X0000IO"}, "uscc", "INVALID_USCC"),
        ({"uscc": ""}, "uscc", "REQUIRED"),
        ({"contactPhone": "12345"}, "contactPhone", "INVALID_PHONE"),
        ({"contactPhone": "1380000000１"}, "contactPhone", "INVALID_PHONE"),
        ({"contactPhone": "0753-3263280x"}, "contactPhone", "INVALID_PHONE"),
        ({"contactPhone": ""}, "contactPhone", "REQUIRED"),
        ({"contactEmail": "not-an-email"}, "contactEmail", "INVALID_EMAIL"),
        ({"contactEmail": "a@b"}, "contactEmail", "INVALID_EMAIL"),
        ({"contactEmail": " "}, "contactEmail", "REQUIRED"),
        ({"contactName": ""}, "contactName", "REQUIRED"),
        ({"contactName": "名" * 33}, "contactName", "INVALID_NAME"),
        ({"region": "440300"}, "region", "TENANT_NOT_ACTIVE"),
        ({"region": "999999"}, "region", "TENANT_NOT_FOUND"),
        ({"region": "深圳"}, "region", "TENANT_NOT_FOUND"),
        ({"username": "x"}, "username", "INVALID_USERNAME"),
        ({"username": "供应商"}, "username", "INVALID_USERNAME"),
        ({"username": "xn.admin"}, "username", "DUPLICATE_USERNAME"),
        ({"password": "short1A"}, "password", "PASSWORD_TOO_WEAK"),
        ({"password": "alllowercaseletters"}, "password", "PASSWORD_TOO_WEAK"),
        ({"password": "Gm.Zhaoming#1"}, "password", "PASSWORD_TOO_WEAK"),
        ({"password": "Aa1#" * 1000}, "password", "PASSWORD_TOO_WEAK"),
        ({"name": "光"}, "name", "INVALID_NAME"),
        ({"name": "光" * 100_000}, "name", "INVALID_NAME"),
        ({"address": "路" * 256}, "address", "INVALID_ADDRESS"),
        ({"legalRepresentative": "名" * 33}, "legalRepresentative", "INVALID_NAME"),
        ({"caSerial": "序列 号"}, "caSerial", "INVALID_CA_SERIAL"),
        ({"caIssuer": "机" * 129}, "caIssuer", "INVALID_CA_ISSUER"),
        ({"caValidUntil": "2020-12-31"}, "caValidUntil", "CA_EXPIRED"),
    ],
)
async def test_bad_registrations_change_nothing(client, demo, overrides, field, code_):
    before = await counts()
    payload = await register(client, **overrides)
    assert payload["supplier"] is None
    assert (field, code_) in [(e["field"], e["code"]) for e in payload["errors"]]
    assert await counts() == before


async def test_a_registered_credit_code_is_refused(client, demo):
    taken = (await organisation(XN_SUPPLIER))["uscc"]
    payload = await register(client, uscc=taken.lower())
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("uscc", "DUPLICATE_USCC")]
    first = await register(client, uscc=code(7), username="gm.first")
    assert first["errors"] == []
    again = await register(client, uscc=code(7), username="gm.second")
    assert [e["code"] for e in again["errors"]] == ["DUPLICATE_USCC"]


async def test_an_unknown_size_class_is_refused(client, demo):
    before = await counts()
    result = await gql(client, REGISTER, {"input": application(sizeClass="HUGE")})
    assert result.get("data") is None and "SupplierSizeClass" in result["errors"][0]["message"]
    assert await counts() == before
    # The service refuses it too (other callers than GraphQL).
    with pytest.raises(DomainError) as info:
        await registration.register(
            registration.Registration(
                name="兴宁市光明照明科技有限公司",
                uscc=code(1),
                region="441481",
                username="gm.zhaoming",
                password=PASSWORD,
                details=records.SupplierDetails(
                    size_class="huge",
                    contact_name="示例联系人甲",
                    contact_phone="0753-0000201",
                    contact_email="sales@gm.example.com",
                ),
            ),
            "192.0.2.1",
        )
    assert [(p.field, p.code) for p in info.value.problems] == [("sizeClass", "INVALID_SIZE_CLASS")]
    assert await counts() == before


async def test_registrations_are_rate_limited_per_address(client, demo):
    limit = registration.ATTEMPTS_PER_HOUR
    # Failed attempts count too: the form is no oracle for registered codes.
    for n in range(limit):
        payload = await register(client, uscc=bad_check(code(n)), username=f"gm.try{n}")
        assert [e["code"] for e in payload["errors"]] == ["INVALID_USCC"]
    refused = await register(client)
    assert [e["code"] for e in refused["errors"]] == ["TOO_MANY_ATTEMPTS"]
    assert await organisation("兴宁市光明照明科技有限公司") is None

    from gpcloud.app import create_app

    transport = httpx.ASGITransport(app=create_app(run_worker=False), client=("192.0.2.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://gpcloud.test") as other:
        assert (await register(other))["errors"] == []


async def test_concurrent_registrations_of_one_company_create_one_supplier(client, demo):
    results = await asyncio.gather(*(register(client, username=f"gm.race{n}") for n in range(5)))
    assert sorted(bool(r["supplier"]) for r in results) == [False] * 4 + [True]
    assert {e["code"] for r in results for e in r["errors"]} == {"DUPLICATE_USCC"}
    assert await Organisation.count().where(Organisation.uscc == code(1)) == 1
    with all_tenants("test: count accounts"):
        assert await User.count().where(User.username.like("gm.race%")) == 1

    names = await asyncio.gather(
        *(register(client, uscc=code(10 + n), username="gm.same") for n in range(4))
    )
    assert sorted(bool(r["supplier"]) for r in names) == [False] * 3 + [True]
    assert {e["code"] for r in names for e in r["errors"]} == {"DUPLICATE_USERNAME"}
    assert (
        await Organisation.count().where(Organisation.uscc.is_in([code(10 + n) for n in range(4)]))
        == 1
    )


async def test_signed_in_callers_get_the_same_rules(client, demo):
    """Registration is anonymous; a token does not change what it does or who it creates."""
    token = await login(client, "xn.purchaser")
    result = await gql(client, REGISTER, {"input": application(region="440300")}, token=token)
    assert error_codes(result) == []
    assert result["data"]["registerSupplier"]["errors"][0]["code"] == "TENANT_NOT_ACTIVE"
