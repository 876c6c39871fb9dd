"""The search the expert draw builds on: category and region match the expert's own codes or
codes above the asked one, availability excludes leave containing the day, and the other
filters narrow it down."""

from datetime import date, timedelta

import pytest

from gpcloud.core.clock import today
from tests.integration.registries.experts.conftest import change_status, id_number, registered
from tests.support import error_codes, gql, login

SEARCH = """query($filter: ExpertFilter, $first: Int, $after: String) {
  experts(filter: $filter, first: $first, after: $after) {
    edges { cursor node { name } } pageInfo { hasNextPage endCursor }
  }
}"""
ADD_LEAVE = """mutation($id: ID!, $input: ExpertLeaveInput!) {
  addExpertLeave(expertId: $id, input: $input) { errors { field code } }
}"""
# name: specialties, regions, extra input
POOL = {
    "E1": (["A020101"], ["441400"], {}),
    "E2": (["A02010104"], ["441481"], {}),
    "E3": (["A"], ["440000"], {}),
    "E4": (["C0202"], ["441424"], {"titleLevel": "INTERMEDIATE", "yearsOfExperience": 10}),
    "E5": (["C0802", "A020101"], ["441481"], {"phone": "13800005555"}),
    "E6": (["A0201"], ["441400"], {}),
}


def day(offset: int) -> str:
    return (today() + timedelta(days=offset)).isoformat()


@pytest.fixture
async def pool(client, demo, catalogue):
    token = await login(client, "gd.admin")
    ids = {}
    for i, (name, (specialties, regions, extra)) in enumerate(POOL.items()):
        ids[name] = await registered(
            client,
            token,
            name=f"专家{name}",
            idNumber=id_number(date(1970 + i, 1, 1)),
            specialties=specialties,
            regions=regions,
            **extra,
        )
    leave = await gql(
        client,
        ADD_LEAVE,
        {"id": ids["E5"], "input": {"startDate": day(5), "endDate": day(7)}},
        token=token,
    )
    assert leave["data"]["addExpertLeave"]["errors"] == []
    assert (await change_status(client, token, "suspendExpert", ids["E6"]))["errors"] == []
    return token, ids


async def names(client, token, **flt) -> list[str]:
    result = await gql(client, SEARCH, {"filter": flt, "first": 100}, token=token)
    assert "errors" not in result, result
    return [e["node"]["name"].removeprefix("专家") for e in result["data"]["experts"]["edges"]]


@pytest.mark.parametrize(
    "flt,expected",
    [
        ({}, ["E1", "E2", "E3", "E4", "E5", "E6"]),
        # An expert in a category evaluates everything below it, not what is above it.
        ({"category": "A02010104"}, ["E1", "E2", "E3", "E5", "E6"]),
        ({"category": "a020101"}, ["E1", "E3", "E5", "E6"]),
        ({"category": "A0201"}, ["E3", "E6"]),
        ({"category": "C0802"}, ["E5"]),
        ({"category": "C"}, []),
        # An expert serving a region serves the regions below it.
        ({"region": "441481"}, ["E1", "E2", "E3", "E5", "E6"]),
        ({"region": "441400"}, ["E1", "E3", "E6"]),
        ({"region": "441424"}, ["E1", "E3", "E4", "E6"]),
        ({"region": "440000"}, ["E3"]),
        ({"region": "440100"}, ["E3"]),
        # Leave covers both of its days.
        ({"availableOn": day(4)}, ["E1", "E2", "E3", "E4", "E5", "E6"]),
        ({"availableOn": day(5)}, ["E1", "E2", "E3", "E4", "E6"]),
        ({"availableOn": day(7)}, ["E1", "E2", "E3", "E4", "E6"]),
        ({"availableOn": day(8)}, ["E1", "E2", "E3", "E4", "E5", "E6"]),
        ({"status": "ACTIVE"}, ["E1", "E2", "E3", "E4", "E5"]),
        ({"status": "SUSPENDED"}, ["E6"]),
        ({"titleLevel": "INTERMEDIATE"}, ["E4"]),
        ({"search": "E3"}, ["E3"]),
        ({"search": "13800005555"}, ["E5"]),
        ({"search": id_number(date(1971, 1, 1)).lower()}, ["E2"]),
        ({"search": "%"}, []),  # typed text, not a wildcard
        ({"search": "专" * 10_000}, []),
        (
            {
                "category": "A02010104",
                "region": "441481",
                "availableOn": day(6),
                "status": "ACTIVE",
            },
            ["E1", "E2", "E3"],
        ),
        (
            {"category": "A020101", "region": "441400", "availableOn": day(6), "status": "ACTIVE"},
            ["E1", "E3"],
        ),
    ],
)
async def test_filters(client, pool, flt, expected):
    token, _ = pool
    assert await names(client, token, **flt) == expected


async def test_pages_follow_the_cursor_with_filters(client, pool):
    token, _ = pool
    first = await gql(client, SEARCH, {"filter": {"region": "441481"}, "first": 2}, token=token)
    page = first["data"]["experts"]
    assert [e["node"]["name"] for e in page["edges"]] == ["专家E1", "专家E2"] and page["pageInfo"][
        "hasNextPage"
    ]
    rest = await gql(
        client,
        SEARCH,
        {"filter": {"region": "441481"}, "first": 10, "after": page["pageInfo"]["endCursor"]},
        token=token,
    )
    assert [e["node"]["name"] for e in rest["data"]["experts"]["edges"]] == [
        "专家E3",
        "专家E5",
        "专家E6",
    ]
    assert rest["data"]["experts"]["pageInfo"]["hasNextPage"] is False


@pytest.mark.parametrize(
    "variables,code",
    [
        ({"filter": {"region": "999999"}}, "UNKNOWN_REGION"),
        ({"filter": {"category": "台式机"}}, "UNKNOWN_CATEGORY"),
        ({"first": 101}, "PAGE_SIZE_TOO_LARGE"),
        ({"after": "garbage"}, "INVALID_CURSOR"),
    ],
)
async def test_bad_search_arguments_are_errors_not_crashes(client, pool, variables, code):
    token, _ = pool
    result = await gql(client, SEARCH, variables, token=token)
    assert error_codes(result) == [code]


async def test_a_county_admin_reads_the_whole_provincial_pool(client, pool):
    """Province-shared: Xingning's admin sees Wuhua's expert too (the pool is one for Guangdong)."""
    token = await login(client, "xn.admin")
    assert await names(client, token) == ["E1", "E2", "E3", "E4", "E5", "E6"]


async def test_related_lists_belong_to_their_expert(client, pool):
    """Specialties, regions and leave load per request in one batch each and stay with their expert."""
    token, _ = pool
    result = await gql(
        client,
        """{ experts(first: 10) { edges { node {
        name specialties { categoryCode primary } regions { regionCode } leaves { startDate endDate }
        avoidances { id } } } } }""",
        token=token,
    )
    assert "errors" not in result, result
    nodes = {e["node"]["name"]: e["node"] for e in result["data"]["experts"]["edges"]}
    for name, (codes, regions, _) in POOL.items():
        node = nodes[f"专家{name}"]
        assert [s["categoryCode"] for s in node["specialties"]] == [codes[0], *sorted(codes[1:])]
        assert [s["primary"] for s in node["specialties"]] == [True] + [False] * (len(codes) - 1)
        assert [r["regionCode"] for r in node["regions"]] == sorted(regions)
        assert node["leaves"] == (
            [{"startDate": day(5), "endDate": day(7)}] if name == "E5" else []
        )
        assert node["avoidances"] == []
