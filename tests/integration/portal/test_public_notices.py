"""The portal's public API: what one procurement published, filters, Chinese search with
highlights, the linked chain, editorial columns, and that nothing else is ever public."""

import pytest

from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.demo import seed_demo
from gpcloud.portal.tables import Notice
from tests.support import closed_loop_module, drain_jobs, error_codes, gql, login

NOTICES = """query($filter: NoticeFilter, $first: Int, $after: String) {
  notices(filter: $filter, first: $first, after: $after) {
    edges { cursor node { id kind title regionCode regionName amount titleHighlight
      bodyHighlight suppliers { name amount } } }
    pageInfo { hasNextPage endCursor } searchTerms } }"""
CHAIN = """query($id: ID!) { notice(id: $id) { kind chain { kind title publishedOn } } }"""
ARTICLE = """mutation($kind: ArticleKind!, $title: String!, $body: String!) {
  publishArticle(kind: $kind, title: $title, body: $body) { notice { id kind } errors { code } } }"""


@pytest.fixture
async def walked(client):
    await seed_demo()
    closed_loop = closed_loop_module()
    return await closed_loop.walk(closed_loop.Session(client, drain_jobs))


async def notices(client, **variables):
    result = await gql(client, NOTICES, variables)  # anonymous
    assert "errors" not in result, result["errors"]
    return result["data"]["notices"]


def kinds(page):
    return [e["node"]["kind"] for e in page["edges"]]


async def test_every_published_step_is_public_with_its_chain(client, walked):
    page = await notices(client, filter={"region": "441481"})
    assert sorted(kinds(page)) == sorted(
        ["INTENTION", "PLAN", "TENDER", "CORRECTION", "RESULT", "CONTRACT", "ACCEPTANCE"]
    )
    assert {e["node"]["regionName"] for e in page["edges"]} == {"兴宁市"}
    result = next(e["node"] for e in page["edges"] if e["node"]["kind"] == "RESULT")
    assert result["suppliers"][0]["amount"] == "4380000.00"
    chain = (await gql(client, CHAIN, {"id": result["id"]}))["data"]["notice"]["chain"]
    assert [c["kind"] for c in chain] == [
        "INTENTION",
        "PLAN",
        "TENDER",
        "CORRECTION",
        "RESULT",
        "CONTRACT",
        "ACCEPTANCE",
    ]
    city = await notices(client, filter={"region": "441400"})
    assert len(city["edges"]) == 7  # Meizhou's subtree holds Xingning
    assert (await notices(client, filter={"region": "440100"}))["edges"] == []


async def test_filters(client, walked):
    async def count(**flt):
        return len((await notices(client, filter=flt))["edges"])

    assert await count(kinds=["TENDER", "RESULT"]) == 2
    assert await count(method="open_tender") == 6  # all but the intention
    assert await count(minAmount="4400000", maxAmount="4500000") == 3  # intention, plan, tender
    assert await count(publishedFrom="2026-11-01", publishedTo="2026-11-30") == 3
    supplier = (await notices(client, filter={"kinds": ["RESULT"]}))["edges"][0]["node"]
    with all_tenants("test"):
        row = await Notice.select().where(Notice.id == int(supplier["id"])).first()
    assert await count(purchaserId=row["purchaser_id"]) == 7
    assert await count(agencyId=row["agency_id"]) == 3
    bad = await gql(client, NOTICES, {"filter": {"region": "999999"}})
    assert error_codes(bad) == ["UNKNOWN_REGION"]


async def test_chinese_search_ranks_and_highlights(client, walked):
    page = await notices(client, filter={"search": "多媒体教室"})
    assert page["searchTerms"] == ["多媒体", "教室"]
    assert len(page["edges"]) >= 4
    assert (
        "<mark>多媒体</mark>"
        in page["edges"][0]["node"]["titleHighlight"] + page["edges"][0]["node"]["bodyHighlight"]
    )
    narrow = await notices(client, filter={"search": "验收 合格", "kinds": ["ACCEPTANCE"]})
    assert kinds(narrow) == ["ACCEPTANCE"]
    assert (await notices(client, filter={"search": "没有这样的词语组合"}))["edges"] == []


@pytest.mark.parametrize(
    "query",
    [
        '" OR 1=1 --',
        "'; DROP TABLE notice; --",
        "NEAR(多媒体 教室)",
        "多媒体*",
        "^教室",
        "-- ",
        "\\",
        "%",
    ],
)
async def test_search_syntax_is_never_interpreted(client, walked, query):
    page = await notices(client, filter={"search": query})
    assert isinstance(page["edges"], list)
    with all_tenants("test"):
        assert await Notice.count() == 7  # nothing was dropped or changed


async def test_pages_are_bounded_and_cursors_checked(client, walked):
    first = await notices(client, first=3)
    second = await notices(client, first=3, after=first["pageInfo"]["endCursor"])
    third = await notices(client, first=3, after=second["pageInfo"]["endCursor"])
    ids = [e["node"]["id"] for p in (first, second, third) for e in p["edges"]]
    assert len(ids) == len(set(ids)) == 7 and not third["pageInfo"]["hasNextPage"]
    searched = await notices(client, filter={"search": "采购"}, first=2)
    more = await notices(
        client, filter={"search": "采购"}, first=2, after=searched["pageInfo"]["endCursor"]
    )
    assert not {e["node"]["id"] for e in searched["edges"]} & {
        e["node"]["id"] for e in more["edges"]
    }
    huge = await gql(client, NOTICES, {"first": 100000})
    assert error_codes(huge) == ["PAGE_SIZE_TOO_LARGE"]
    forged = await gql(client, NOTICES, {"after": "bm90IGEgY3Vyc29y"})
    assert error_codes(forged) == ["INVALID_CURSOR"]


async def test_nothing_unpublished_is_public(client):
    """Drafts and internal steps write no notice; ids of other objects are not notice ids."""
    await seed_demo()
    purchaser = await login(client, "xn.purchaser")
    draft = await gql(
        client,
        "mutation($input: IntentionInput!) { createProcurementIntention(input: $input) "
        "{ intention { id } errors { code } } }",
        {
            "input": {
                "projectName": "未公开的意向",
                "requirementSummary": "内部",
                "budget": "1",
                "objectType": "GOODS",
                "expectedStart": "2026-12-31",
            }
        },
        token=purchaser,
    )
    assert draft["data"]["createProcurementIntention"]["errors"] == []
    assert (await notices(client))["edges"] == []
    for guess in ("1", "2", "999", "-1", "abc"):
        assert (await gql(client, CHAIN, {"id": guess}))["data"]["notice"] is None
    assert (await notices(client, filter={"search": "未公开"}))["edges"] == []


async def test_editorial_columns(client, demo):
    admin = await login(client, "xn.admin")
    done = await gql(
        client,
        ARTICLE,
        {"kind": "POLICY", "title": "关于做好政府采购意向公开工作的通知", "body": "各预算单位：……"},
        token=admin,
    )
    assert done["data"]["publishArticle"]["notice"]["kind"] == "POLICY"
    purchaser = await login(client, "xn.purchaser")
    denied = await gql(
        client, ARTICLE, {"kind": "NOTICE", "title": "标题", "body": "x"}, token=purchaser
    )
    assert error_codes(denied) == ["FORBIDDEN"]
    empty = await gql(client, ARTICLE, {"kind": "NOTICE", "title": " ", "body": ""}, token=admin)
    assert empty["data"]["publishArticle"]["errors"][0]["code"] == "INVALID_ARTICLE"
    page = await notices(client, filter={"kinds": ["POLICY"], "search": "意向公开"})
    assert [e["node"]["kind"] for e in page["edges"]] == ["POLICY"]
