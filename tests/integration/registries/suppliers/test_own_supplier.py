"""A supplier's own users complete and keep its details and qualifications, never another's."""

import asyncio
from datetime import timedelta

import pytest

from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.auth.tables import Organisation, User, UserRole
from gpcloud.core.clock import today
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.registries.suppliers.tables import Supplier, SupplierQualification
from tests.integration.registries.suppliers.helpers import (
    MZ_SUPPLIER,
    SUPPLIER_FIELDS,
    TEA,
    XN_SUPPLIER,
    supplier_id,
    supplier_row,
)
from tests.support import DEMO_PASSWORD, error_codes, gql, login

UPDATE = f"""mutation($input: SupplierDetailsInput!) {{
  updateMySupplier(input: $input) {{ supplier {{ {SUPPLIER_FIELDS} }} errors {{ field code message }} }}
}}"""
ADD = """mutation($input: AddSupplierQualificationInput!) {
  addMySupplierQualification(input: $input) {
    qualification { id kind name number issuer validUntil valid } supplier { status updatedAt }
    errors { field code message }
  }
}"""
CHANGE = """mutation($id: ID!, $input: UpdateSupplierQualificationInput!) {
  updateMySupplierQualification(id: $id, input: $input) {
    qualification { id kind name number validUntil } errors { field code message }
  }
}"""
REMOVE = """mutation($id: ID!) {
  removeMySupplierQualification(id: $id) { qualification { id } supplier { qualifications { id } } errors { field code } }
}"""
SUSPEND = """mutation($id: ID!, $reason: String!) {
  suspendSupplier(id: $id, reason: $reason) { supplier { status } errors { field code } }
}"""
CORRECT = """mutation($id: ID!) {
  correctSupplier(id: $id, name: "被改的名字有限公司", reason: "test") { supplier { name } errors { field code } }
}"""
LATER = (today() + timedelta(days=400)).isoformat()


async def update(client, token, **values):
    result = await gql(client, UPDATE, {"input": values}, token=token)
    assert "errors" not in result, result
    return result["data"]["updateMySupplier"]


async def add(client, token, **values):
    data = {"kind": "ISO9001", "number": "00121Q39999R0S", "validUntil": LATER, **values}
    result = await gql(client, ADD, {"input": data}, token=token)
    assert "errors" not in result, result
    return result["data"]["addMySupplierQualification"]


async def tea_account() -> str:
    """An account of the incomplete demo supplier (a migrated one would look the same)."""
    from gpcloud.core.auth.passwords import hash_password

    org = await Organisation.select(Organisation.id).where(Organisation.name == TEA).first()
    with all_tenants("test: an account in Xingning"):
        user = User(
            tenant_id="441481",
            organisation=org["id"],
            username="lg.tea",
            password_hash=await hash_password(DEMO_PASSWORD),
            display_name="茶业经办",
            mobile="0753-0000111",
            email="tea@demo.example.com",
            must_change_password=False,
        )
        await user.save()
        await UserRole(tenant_id="441481", user=user.id, role="supplier").save()
    return "lg.tea"


async def test_completing_the_missing_information_makes_a_supplier_active(client, suppliers):
    token = await login(client, await tea_account())
    mine = (await gql(client, f"{{ mySupplier {{ {SUPPLIER_FIELDS} }} }}", token=token))["data"][
        "mySupplier"
    ]
    assert mine["status"] == "INCOMPLETE"
    assert mine["missingInformation"] == ["ADDRESS", "CA_CERTIFICATE"]

    half = await update(client, token, address="  兴宁市罗岗镇茶园路3号  ")
    assert half["errors"] == []
    assert half["supplier"]["address"] == "兴宁市罗岗镇茶园路3号"
    assert (half["supplier"]["status"], half["supplier"]["missingInformation"]) == (
        "INCOMPLETE",
        ["CA_CERTIFICATE"],
    )

    done = await update(
        client,
        token,
        caSerial="4A3F9001",
        caIssuer="广东省电子商务认证有限公司",
        caValidUntil=LATER,
    )
    assert done["errors"] == []
    assert (done["supplier"]["status"], done["supplier"]["usable"]) == ("ACTIVE", True)
    assert done["supplier"]["caCertificate"] == {
        "serial": "4A3F9001",
        "issuer": "广东省电子商务认证有限公司",
        "validUntil": LATER,
        "valid": True,
    }
    # Clearing what the platform needs turns it incomplete again.
    again = await update(client, token, contactPhone="")
    assert (again["supplier"]["status"], again["supplier"]["missingInformation"]) == (
        "INCOMPLETE",
        ["CONTACT_PHONE"],
    )
    assert again["supplier"]["contact"]["phone"] == ""

    with all_tenants("test: audit"):
        entries = await AuditEntry.select(AuditEntry.action, AuditEntry.tenant_id).where(
            (AuditEntry.action == "suppliers.update") & (AuditEntry.object_id == mine["id"])
        )
    assert len(entries) == 3 and {e["tenant_id"] for e in entries} == {"441481"}


async def test_an_unchanged_update_records_nothing(client, suppliers):
    token = await login(client, "xn.supplier")
    row = await supplier_row(XN_SUPPLIER)
    same = await update(client, token, address=row["address"], sizeClass=row["size_class"].upper())
    assert same["errors"] == []
    with all_tenants("test: audit"):
        assert await AuditEntry.count().where(AuditEntry.action == "suppliers.update") == 0


@pytest.mark.parametrize(
    "values,field,code_",
    [
        ({"contactPhone": "8888"}, "contactPhone", "INVALID_PHONE"),
        ({"contactPhone": "+86 13800000000"}, "contactPhone", "INVALID_PHONE"),
        ({"contactEmail": "sales at example.com"}, "contactEmail", "INVALID_EMAIL"),
        ({"caValidUntil": "2000-01-01"}, "caValidUntil", "CA_EXPIRED"),
        ({"caSerial": "x" * 65}, "caSerial", "INVALID_CA_SERIAL"),
        ({"address": "路" * 300}, "address", "INVALID_ADDRESS"),
        ({"contactName": "名" * 40}, "contactName", "INVALID_NAME"),
    ],
)
async def test_bad_details_change_nothing(client, suppliers, values, field, code_):
    token = await login(client, "xn.supplier")
    before = await supplier_row(XN_SUPPLIER)
    payload = await update(client, token, **{"legalRepresentative": "示例法人新", **values})
    assert payload["supplier"] is None
    assert (field, code_) in [(e["field"], e["code"]) for e in payload["errors"]]
    assert await supplier_row(XN_SUPPLIER) == before


async def test_an_unknown_size_class_is_refused(client, suppliers):
    token = await login(client, "xn.supplier")
    result = await gql(client, UPDATE, {"input": {"sizeClass": "GIANT"}}, token=token)
    assert result["data"] is None and "SupplierSizeClass" in result["errors"][0]["message"]


async def test_a_suspended_supplier_stays_suspended_while_its_users_edit(client, suppliers):
    admin = await login(client, "xn.admin")
    target = await supplier_id(XN_SUPPLIER)
    assert (await gql(client, SUSPEND, {"id": target, "reason": "围标串标调查中"}, token=admin))[
        "data"
    ]["suspendSupplier"]["errors"] == []
    token = await login(client, "xn.supplier")
    payload = await update(client, token, contactPhone="", address="兴宁市合水镇新址8号")
    assert payload["errors"] == []
    assert payload["supplier"]["status"] == "SUSPENDED"
    assert payload["supplier"]["statusReason"] == "围标串标调查中"
    assert payload["supplier"]["missingInformation"] == ["CONTACT_PHONE"]


async def test_only_supplier_users_keep_a_supplier(client, suppliers):
    for username in ("xn.purchaser", "xn.admin", "xn.agency"):
        token = await login(client, username)
        assert error_codes(
            await gql(client, UPDATE, {"input": {"address": "某地"}}, token=token)
        ) == ["FORBIDDEN"]
        assert error_codes(await gql(client, "{ mySupplier { id } }", token=token)) == ["FORBIDDEN"]
    assert error_codes(await gql(client, UPDATE, {"input": {"address": "某地"}})) == [
        "UNAUTHENTICATED"
    ]


async def test_a_supplier_cannot_edit_another_supplier(client, suppliers):
    xn = await login(client, "xn.supplier")
    mz = await login(client, "mz.supplier")
    theirs = (await add(client, mz, number="MZ-ONLY-001"))["qualification"]["id"]
    before = await supplier_row(MZ_SUPPLIER)

    changed = (await gql(client, CHANGE, {"id": theirs, "input": {"number": "HIJACK"}}, token=xn))[
        "data"
    ]["updateMySupplierQualification"]
    assert changed["qualification"] is None and [e["code"] for e in changed["errors"]] == [
        "NOT_FOUND"
    ]
    removed = (await gql(client, REMOVE, {"id": theirs}, token=xn))["data"][
        "removeMySupplierQualification"
    ]
    assert [e["code"] for e in removed["errors"]] == ["NOT_FOUND"]
    assert await SupplierQualification.exists().where(SupplierQualification.number == "MZ-ONLY-001")
    # No supplier mutation takes another supplier's id from a supplier: those are admins'.
    other = await supplier_id(MZ_SUPPLIER)
    assert error_codes(await gql(client, CORRECT, {"id": other}, token=xn)) == ["FORBIDDEN"]
    assert error_codes(await gql(client, SUSPEND, {"id": other, "reason": "x"}, token=xn)) == [
        "FORBIDDEN"
    ]
    # Editing its own supplier leaves the other one alone.
    assert (await update(client, xn, address="兴宁市合水镇新址9号"))["errors"] == []
    assert await supplier_row(MZ_SUPPLIER) == before


async def test_qualifications_are_added_changed_and_removed(client, suppliers):
    token = await login(client, "xn.supplier")
    added = await add(
        client, token, kind="ISO14001", number=" 00121E3HS777R0S ", issuer="示例认证有限公司"
    )
    assert added["errors"] == []
    q = added["qualification"]
    assert (q["kind"], q["name"], q["number"], q["valid"]) == (
        "ISO14001",
        "ISO 14001 环境管理体系认证",
        "00121E3HS777R0S",
        True,
    )

    renewed = (
        await gql(
            client,
            CHANGE,
            {"id": q["id"], "input": {"validUntil": "2099-06-30", "name": "环境体系证书"}},
            token=token,
        )
    )["data"]["updateMySupplierQualification"]
    assert renewed["errors"] == []
    assert (renewed["qualification"]["validUntil"], renewed["qualification"]["name"]) == (
        "2099-06-30",
        "环境体系证书",
    )

    removed = (await gql(client, REMOVE, {"id": q["id"]}, token=token))["data"][
        "removeMySupplierQualification"
    ]
    assert removed["errors"] == [] and q["id"] not in [
        x["id"] for x in removed["supplier"]["qualifications"]
    ]
    assert not await SupplierQualification.exists().where(
        SupplierQualification.number == "00121E3HS777R0S"
    )
    with all_tenants("test: audit"):
        actions = [
            e["action"]
            for e in await AuditEntry.select(AuditEntry.action)
            .where(AuditEntry.object_type == "supplier_qualification")
            .order_by(AuditEntry.id)
        ]
    assert actions == [
        "suppliers.add_qualification",
        "suppliers.update_qualification",
        "suppliers.remove_qualification",
    ]


@pytest.mark.parametrize(
    "values,field,code_",
    [
        (
            {"validUntil": (today() - timedelta(days=1)).isoformat()},
            "validUntil",
            "QUALIFICATION_EXPIRED",
        ),
        ({"validUntil": "2001-01-01"}, "validUntil", "QUALIFICATION_EXPIRED"),
        ({"number": "   "}, "number", "REQUIRED"),
        ({"number": "N" * 65}, "number", "INVALID_NUMBER"),
        ({"kind": "OTHER"}, "name", "REQUIRED"),
        ({"name": "名" * 129}, "name", "INVALID_NAME"),
        ({"issuer": "机" * 129}, "issuer", "INVALID_ISSUER"),
    ],
)
async def test_bad_qualifications_are_refused(client, suppliers, values, field, code_):
    token = await login(client, "xn.supplier")
    before = await SupplierQualification.count()
    payload = await add(client, token, **values)
    assert payload["qualification"] is None
    assert (field, code_) in [(e["field"], e["code"]) for e in payload["errors"]]
    assert await SupplierQualification.count() == before


async def test_an_expired_date_is_refused_when_a_qualification_is_updated(client, suppliers):
    token = await login(client, "xn.supplier")
    q = (await add(client, token))["qualification"]
    past = (
        await gql(
            client, CHANGE, {"id": q["id"], "input": {"validUntil": "2020-01-01"}}, token=token
        )
    )["data"]["updateMySupplierQualification"]
    assert [(e["field"], e["code"]) for e in past["errors"]] == [
        ("validUntil", "QUALIFICATION_EXPIRED")
    ]
    # One that expired since cannot be edited without renewing it.
    await SupplierQualification.update(
        {SupplierQualification.valid_until: today() - timedelta(days=3)}
    ).where(SupplierQualification.id == int(q["id"]))
    rename = (await gql(client, CHANGE, {"id": q["id"], "input": {"name": "改名"}}, token=token))[
        "data"
    ]["updateMySupplierQualification"]
    assert [e["code"] for e in rename["errors"]] == ["QUALIFICATION_EXPIRED"]
    renewed = (
        await gql(
            client,
            CHANGE,
            {"id": q["id"], "input": {"name": "改名", "validUntil": LATER}},
            token=token,
        )
    )["data"]["updateMySupplierQualification"]
    assert renewed["errors"] == []


async def test_a_qualification_is_held_once(client, suppliers):
    token = await login(client, "xn.supplier")
    assert (await add(client, token, number="DUP-1"))["errors"] == []
    again = await add(client, token, number="DUP-1")
    assert [(e["field"], e["code"]) for e in again["errors"]] == [
        ("number", "DUPLICATE_QUALIFICATION")
    ]
    # Another kind with the same number is another certificate.
    assert (await add(client, token, kind="ISO14001", number="DUP-1"))["errors"] == []
    second = (await add(client, token, number="DUP-2"))["qualification"]
    clash = (
        await gql(client, CHANGE, {"id": second["id"], "input": {"number": "DUP-1"}}, token=token)
    )["data"]["updateMySupplierQualification"]
    assert [e["code"] for e in clash["errors"]] == ["DUPLICATE_QUALIFICATION"]
    racers = await asyncio.gather(*(add(client, token, number="RACE-1") for _ in range(4)))
    assert sorted(bool(r["qualification"]) for r in racers) == [False] * 3 + [True]
    assert {e["code"] for r in racers for e in r["errors"]} == {"DUPLICATE_QUALIFICATION"}


async def test_a_supplier_organisation_without_a_record_gets_one_on_first_edit(client, demo):
    """An admin made the organisation and its account; its users create the record by completing it."""
    org = await Organisation.select(Organisation.id).where(Organisation.name == XN_SUPPLIER).first()
    assert not await Supplier.exists().where(Supplier.organisation == org["id"])
    token = await login(client, "xn.supplier")
    assert (await gql(client, "{ mySupplier { id } }", token=token))["data"]["mySupplier"] is None
    payload = await update(client, token, sizeClass="MICRO", contactPhone="0753-0000301")
    assert payload["errors"] == []
    assert (
        payload["supplier"]["name"] == XN_SUPPLIER and payload["supplier"]["status"] == "INCOMPLETE"
    )
    assert payload["supplier"]["missingInformation"] == ["ADDRESS", "CA_CERTIFICATE"]
    with all_tenants("test: audit"):
        assert await AuditEntry.count().where(AuditEntry.action == "suppliers.create") == 1
    # A supplier-role account of an organisation that is no supplier has nothing to complete.
    with all_tenants("test: odd account"):
        school = (
            await Organisation.select(Organisation.id)
            .where(Organisation.name == "兴宁市第一中学")
            .first()
        )
        from gpcloud.core.auth.passwords import hash_password

        user = User(
            tenant_id="441481",
            organisation=school["id"],
            username="odd.supplier",
            password_hash=await hash_password(DEMO_PASSWORD),
            display_name="x",
            mobile="0753-0000302",
            email="odd@demo.example.com",
            must_change_password=False,
        )
        await user.save()
        await UserRole(tenant_id="441481", user=user.id, role="supplier").save()
    odd = await login(client, "odd.supplier")
    assert [e["code"] for e in (await update(client, odd, address="某地"))["errors"]] == [
        "NOT_FOUND"
    ]
    assert not await Supplier.exists().where(Supplier.organisation == school["id"])


async def test_first_login_comes_first(client, suppliers):
    """A migrated supplier account must change its password before it edits its supplier."""
    with all_tenants("test: flag the account"):
        await User.update({User.must_change_password: True}).where(User.username == "xn.supplier")
    token = await login(client, "xn.supplier")
    assert error_codes(await gql(client, UPDATE, {"input": {"address": "某地"}}, token=token)) == [
        "FIRST_LOGIN_REQUIRED"
    ]
