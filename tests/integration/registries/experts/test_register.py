"""A provincial admin registers experts into the active pool; the entry rules and the field
checks refuse bad input without writing anything."""

from datetime import date, timedelta

import pytest

from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.clock import today
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.registries.experts.service import identity
from gpcloud.registries.experts.service.rules import add_years
from gpcloud.registries.experts.tables import Expert, ExpertRegion, ExpertSpecialty
from tests.integration.registries.experts.conftest import (
    born_years_ago,
    expert_input,
    id_number,
    register,
    registered,
)
from tests.support import error_codes, gql, login


async def test_province_admin_registers_an_active_expert_with_a_protected_id_number(
    client, demo, catalogue
):
    token = await login(client, "gd.admin")
    number = id_number(date(1975, 6, 12), sequence=123)
    payload = await register(
        client,
        token,
        idNumber=number.lower(),
        specialties=["C0202", "A020101", "c0202"],
        regions=["441481", "441400"],
    )
    assert payload["errors"] == []
    expert = payload["expert"]
    assert expert["status"] == "ACTIVE" and expert["hasAccount"] is False
    assert expert["idNumberMasked"] == f"441481********{number[-4:]}"
    assert expert["birthDate"] == "1975-06-12" and expert["gender"] == "MALE"
    assert expert["age"] == today().year - 1975 - ((today().month, today().day) < (6, 12))
    assert expert["specialties"] == [
        {"categoryCode": "C0202", "primary": True},
        {"categoryCode": "A020101", "primary": False},
    ]
    assert sorted(r["regionCode"] for r in expert["regions"]) == ["441400", "441481"]
    row = await Expert.select().where(Expert.id == int(expert["id"])).first()
    assert number not in str(row)
    assert row["id_number_digest"] == identity.digest(number)
    assert identity.unseal(row["id_number_cipher"]) == number
    with all_tenants("test: read the audit"):
        entry = await AuditEntry.select().where(AuditEntry.action == "experts.register").first()
    assert entry["object_id"] == expert["id"] and entry["tenant_id"] == "440000"
    assert number not in str(entry)


GOOD = id_number(date(1975, 6, 12))
WRONG_CHECK = GOOD[:17] + ("0" if GOOD[17] != "0" else "1")


@pytest.mark.parametrize(
    "overrides,field,code",
    [
        ({"idNumber": ""}, "idNumber", "INVALID_ID_NUMBER"),
        ({"idNumber": "44148119750612123"}, "idNumber", "INVALID_ID_NUMBER"),
        ({"idNumber": WRONG_CHECK}, "idNumber", "INVALID_ID_NUMBER"),
        ({"idNumber": "44148119751332" + "1234"}, "idNumber", "INVALID_ID_NUMBER"),
        ({"idNumber": "9" * 10000}, "idNumber", "INVALID_ID_NUMBER"),
        ({"idNumber": id_number(born_years_ago(70))}, "idNumber", "EXPERT_TOO_OLD"),
        ({"idNumber": id_number(born_years_ago(75))}, "idNumber", "EXPERT_TOO_OLD"),
        (
            {"titleLevel": "INTERMEDIATE", "yearsOfExperience": 7},
            "yearsOfExperience",
            "EXPERT_NOT_QUALIFIED",
        ),
        ({"yearsOfExperience": -1}, "yearsOfExperience", "INVALID_YEARS"),
        ({"yearsOfExperience": 2_000_000_000}, "yearsOfExperience", "INVALID_YEARS"),
        (
            {"badRecordOn": (today() - timedelta(days=30)).isoformat()},
            "badRecordOn",
            "EXPERT_BAD_RECORD",
        ),
        ({"badRecordOn": (today() + timedelta(days=1)).isoformat()}, "badRecordOn", "INVALID_DATE"),
        ({"name": "甲"}, "name", "INVALID_NAME"),
        ({"name": "名" * 65}, "name", "INVALID_NAME"),
        ({"phone": "12345"}, "phone", "INVALID_PHONE"),
        ({"employerUscc": "91441481MA4W000060"}, "employerUscc", "INVALID_USCC"),
        ({"title": "职" * 65}, "title", "INVALID_TITLE"),
        ({"employer": "单" * 129}, "employer", "INVALID_EMPLOYER"),
        ({"specialties": []}, "specialties", "SPECIALTIES_REQUIRED"),
        ({"specialties": [" "]}, "specialties", "SPECIALTIES_REQUIRED"),
        ({"specialties": ["A0299"]}, "specialties", "UNKNOWN_CATEGORY"),
        ({"specialties": ["C0899"]}, "specialties", "UNKNOWN_CATEGORY"),
        ({"specialties": ["电脑"]}, "specialties", "UNKNOWN_CATEGORY"),
        (
            {"specialties": [f"A02{i:02d}" for i in range(21)]},
            "specialties",
            "TOO_MANY_SPECIALTIES",
        ),
        ({"regions": []}, "regions", "REGIONS_REQUIRED"),
        ({"regions": [f"{440000 + i:06d}" for i in range(31)]}, "regions", "TOO_MANY_REGIONS"),
        ({"regions": ["999999"]}, "regions", "UNKNOWN_REGION"),
        ({"regions": ["440300"]}, "regions", "UNKNOWN_REGION"),
        ({"regions": ["xn"]}, "regions", "UNKNOWN_REGION"),
    ],
)
async def test_bad_input_changes_nothing(client, demo, catalogue, overrides, field, code):
    token = await login(client, "gd.admin")
    payload = await register(client, token, **overrides)
    assert payload["expert"] is None
    assert (field, code) in [(e["field"], e["code"]) for e in payload["errors"]], payload["errors"]
    assert await Expert.count() == 0
    assert await ExpertSpecialty.count() == 0 and await ExpertRegion.count() == 0


async def test_unknown_categories_are_named(client, demo, catalogue):
    payload = await register(
        client, await login(client, "gd.admin"), specialties=["A020101", "A0299", "C0899"]
    )
    [error] = payload["errors"]
    assert (
        error["code"] == "UNKNOWN_CATEGORY"
        and "A0299" in error["message"]
        and "C0899" in error["message"]
    )
    assert "A020101" not in error["message"]


async def test_entry_rules_at_their_limits(client, demo, catalogue):
    token = await login(client, "gd.admin")
    # One day short of 70 is still under 70; a mid-level title with exactly 8 years qualifies;
    # a deputy senior title needs no years; a bad record exactly three years old no longer counts.
    assert await registered(
        client, token, idNumber=id_number(born_years_ago(70, days=1), sequence=1)
    )
    assert await registered(
        client,
        token,
        idNumber=id_number(date(1980, 1, 1), sequence=2),
        titleLevel="INTERMEDIATE",
        yearsOfExperience=8,
    )
    assert await registered(
        client,
        token,
        idNumber=id_number(date(1980, 1, 1), sequence=3),
        titleLevel="DEPUTY_SENIOR",
        yearsOfExperience=0,
    )
    old_record = add_years(today(), -3)
    assert await registered(
        client,
        token,
        idNumber=id_number(date(1980, 1, 1), sequence=4),
        badRecordOn=old_record.isoformat(),
    )
    payload = await register(
        client,
        token,
        idNumber=id_number(date(1980, 1, 1), sequence=5),
        badRecordOn=(old_record + timedelta(days=1)).isoformat(),
    )
    assert [e["code"] for e in payload["errors"]] == ["EXPERT_BAD_RECORD"]


async def test_duplicate_id_number_is_refused_whatever_its_spelling(client, demo, catalogue):
    token = await login(client, "gd.admin")
    number = id_number(date(1975, 6, 12), sequence=2)[:17]
    number += identity.id_check_char(number)
    await registered(client, token, idNumber=number)
    again = await register(client, token, idNumber=f" {number.lower()} ", name="示例专家乙")
    assert [(e["field"], e["code"]) for e in again["errors"]] == [
        ("idNumber", "DUPLICATE_ID_NUMBER")
    ]
    assert await Expert.count() == 1


async def test_concurrent_registrations_of_one_number_make_one_expert(client, demo, catalogue):
    import asyncio

    token = await login(client, "gd.admin")
    results = await asyncio.gather(
        *(register(client, token, name=f"示例专家{i}") for i in range(4))
    )
    assert sorted(len(r["errors"]) for r in results) == [0, 1, 1, 1]
    assert {e["code"] for r in results for e in r["errors"]} == {"DUPLICATE_ID_NUMBER"}
    assert await Expert.count() == 1


@pytest.mark.parametrize(
    "username", ["mz.admin", "xn.admin", "mz.supervisor", "mz.expert", "xn.supplier"]
)
async def test_only_the_province_registers(client, demo, catalogue, username):
    result = await gql(
        client,
        "mutation($i: ExpertInput!) { registerExpert(input: $i) { errors { code } } }",
        {"i": expert_input()},
        token=await login(client, username),
    )
    assert error_codes(result) == ["FORBIDDEN"]
    assert await Expert.count() == 0


async def test_anonymous_callers_are_refused(client, demo, catalogue):
    result = await gql(client, "{ experts { edges { node { id } } } }")
    assert error_codes(result) == ["UNAUTHENTICATED"]
