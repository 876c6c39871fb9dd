"""The rules of the registry as functions: completeness, status, format checks, visibility."""

from datetime import date, timedelta

import pytest

from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.clock import today
from gpcloud.registries.suppliers.service import records as r

ON = date(2026, 6, 1)
COMPLETE = {
    "uscc": "91441481MA4W000061",
    "size_class": "small",
    "address": "兴宁市某路1号",
    "contact_phone": "0753-0000001",
    "ca_serial": "4A3F0001",
    "ca_issuer": "广东省电子商务认证有限公司",
    "ca_valid_until": ON,
}


def test_a_complete_supplier_misses_nothing():
    assert r.missing_information(COMPLETE, ON) == []
    assert r.status_after("incomplete", COMPLETE, ON) == "active"
    assert r.usable({**COMPLETE, "status": "active"}, ON)


@pytest.mark.parametrize(
    "changes,missing",
    [
        ({"uscc": None}, ["uscc"]),
        ({"size_class": ""}, ["size_class"]),
        ({"address": ""}, ["address"]),
        ({"contact_phone": ""}, ["contact_phone"]),
        ({"ca_serial": ""}, ["ca_certificate"]),
        ({"ca_issuer": ""}, ["ca_certificate"]),
        ({"ca_valid_until": None}, ["ca_certificate"]),
        ({"ca_valid_until": ON - timedelta(days=1)}, ["ca_certificate"]),
        ({"size_class": "", "contact_phone": ""}, ["size_class", "contact_phone"]),
    ],
)
def test_what_is_missing_makes_a_supplier_incomplete(changes, missing):
    row = {**COMPLETE, **changes}
    assert r.missing_information(row, ON) == missing
    assert r.status_after("active", row, ON) == "incomplete"
    assert not r.usable({**row, "status": "active"}, ON)


@pytest.mark.parametrize("status", ["suspended", "inactive"])
def test_suspended_and_inactive_are_kept(status):
    assert r.status_after(status, COMPLETE, ON) == status
    assert r.status_after(status, {**COMPLETE, "address": ""}, ON) == status
    assert not r.usable({**COMPLETE, "status": status}, ON)


@pytest.mark.parametrize(
    "details,codes",
    [
        (r.SupplierDetails(size_class="huge"), ["INVALID_SIZE_CLASS"]),
        (r.SupplierDetails(size_class=""), []),
        (r.SupplierDetails(contact_phone="13800000000"), []),
        (r.SupplierDetails(contact_phone="0753-3263280"), []),
        (r.SupplierDetails(contact_phone="07533263280"), []),
        (r.SupplierDetails(contact_phone="020-12345678-801"), []),
        (r.SupplierDetails(contact_phone="12800000000"), ["INVALID_PHONE"]),
        (r.SupplierDetails(contact_phone="1380000000"), ["INVALID_PHONE"]),
        (r.SupplierDetails(contact_phone="13800000000\n"), ["INVALID_PHONE"]),
        (r.SupplierDetails(contact_email="sales@example.com"), []),
        (r.SupplierDetails(contact_email="sales@@example.com"), ["INVALID_EMAIL"]),
        (r.SupplierDetails(contact_email="x" * 120 + "@example.com"), ["INVALID_EMAIL"]),
        (r.SupplierDetails(ca_valid_until=ON), []),
        (r.SupplierDetails(ca_valid_until=ON - timedelta(days=1)), ["CA_EXPIRED"]),
        (
            r.SupplierDetails(size_class="x", contact_email="x"),
            ["INVALID_SIZE_CLASS", "INVALID_EMAIL"],
        ),
    ],
)
def test_detail_checks(details, codes):
    assert [p.code for p in r.detail_problems(details, ON)] == codes


@pytest.mark.parametrize(
    "q,codes",
    [
        (r.QualificationInput(kind="iso9001", number="A1", valid_until=ON), []),
        (r.QualificationInput(kind="iso9999"), ["INVALID_KIND"]),
        (r.QualificationInput(valid_until=ON - timedelta(days=1)), ["QUALIFICATION_EXPIRED"]),
        (r.QualificationInput(number=" leading space"), ["INVALID_NUMBER"]),
    ],
)
def test_qualification_checks(q, codes):
    assert [p.code for p in r.qualification_problems(q, ON)] == codes


def test_today_is_the_default_date():
    assert r.missing_information({**COMPLETE, "ca_valid_until": today()}) == []
    assert r.missing_information({**COMPLETE, "ca_valid_until": today() - timedelta(days=1)}) == [
        "ca_certificate"
    ]


def user(roles, organisation=7):
    return CurrentUser(
        id=1,
        username="u",
        tenant="441481",
        organisation_id=organisation,
        roles=frozenset(roles),
        must_change_password=False,
        missing_profile=(),
        region=frozenset({"441481"}),
    )


@pytest.mark.parametrize(
    "actor,sees",
    [
        (user({"province_admin"}), True),
        (user({"tenant_admin"}), True),
        (user({"supervisor"}), True),
        (user({"supplier"}, organisation=42), True),
        (user({"supplier"}), False),
        (user({"purchaser"}, organisation=42), True),  # a user of the supplier's organisation
        (user({"purchaser", "agency", "expert", "financial_institution"}), False),
        (None, False),
    ],
)
def test_who_sees_contacts(actor, sees):
    assert r.may_see_contact(actor, {"organisation": 42}) is sees
