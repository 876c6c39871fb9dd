"""The e-mall's OCDS mapping for the ends the walk does not reach: a failed and a withdrawn
reverse auction, a withdrawn and a failed group buy, an order not yet confirmed, orders that
ended without a contract (lapsed, declined, cancelled; direct and an auction's); each package
validated offline against the 1.1.5 schema (libcoveocds) and compiled as ocdsmerge does."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, date, datetime

import ocdsmerge
import pytest

from gpcloud.emall import ocds
from gpcloud.portal import ocds as builder
from tests.integration.portal.test_ocds import SCHEMA_ZIP, cove

AT = datetime(2026, 11, 9, 2, 0, tzinfo=UTC)


def demand(**changes) -> dict:
    row = {
        "id": 7,
        "tenant_id": "441481",
        "purchaser": 3,
        "purchaser_organisation": 11,
        "title": "教师办公台式计算机竞价采购",
        "quantity": 30,
        "unit": "台",
        "ceiling_unit_fen": 430_000,
        "delivery": "成交后15日内送达",
        "created_at": AT,
        "closes_at": datetime(2026, 11, 9, 4, 0, tzinfo=UTC),
        "status": "failed",
    }
    return {**row, **changes}


def group(**changes) -> dict:
    row = {
        "id": 4,
        "tenant_id": "441400",
        "title": "梅州市2026年台式计算机批量集中采购",
        "unit": "台",
        "quantity": 0,
        "unit_fen": None,
        "supplier_organisation": None,
        "supplier_name": "",
        "award_reference": "",
        "created_at": AT,
    }
    return {**row, **changes}


def test_auction_and_group_buy_ends():
    failed = ocds.demand_releases(
        "ocds-x", demand(), "兴宁市第一中学", {"post": AT, "fail": AT}, 2, None
    )
    assert [r["tag"] for r in failed] == [["tender"], ["tenderUpdate"]]
    assert failed[1]["tender"] == {
        "id": "ocds-x-441481-MD7-tender",
        "status": "unsuccessful",
        "numberOfTenderers": 2,
    }
    withdrawn = ocds.demand_releases(
        "ocds-x",
        demand(id=8, status="withdrawn"),
        "兴宁市第一中学",
        {"post": AT, "withdraw": AT},
        None,
        None,
    )
    assert withdrawn[1]["tender"] == {"id": "ocds-x-441481-MD8-tender", "status": "cancelled"}
    off = ocds.group_buy_releases("ocds-x", group(), "梅州市", {"open": AT, "withdraw": AT})
    assert [r["tag"] for r in off] == [["planning"], ["tenderUpdate"]]
    assert off[0]["buyer"] == {"id": "region-441400", "name": "梅州市"}
    assert "procurementMethod" not in off[0]["tender"]  # recorded by reference only
    placed = {"status": "placed", "demand": None, "id": 1, "tenant_id": "441481"}
    assert ocds.order_releases("ocds-x", placed, "兴宁市第一中学", {}) == []


def order(**changes) -> dict:
    row = {
        "id": 12,
        "tenant_id": "441481",
        "mode": "direct_purchase",
        "purchaser": 3,
        "purchaser_organisation": 11,
        "supplier_organisation": 21,
        "supplier_name": "兴宁市华岭电脑有限公司",
        "demand": None,
        "title": "台式计算机 华岭 T-1",
        "quantity": 2,
        "unit_fen": 500_000,
        "amount_fen": 1_000_000,
        "status": "lapsed",
        "reason": "",
    }
    return {**row, **changes}


LATER = datetime(2026, 11, 10, 16, 0, tzinfo=UTC)


def test_orders_that_ended_without_a_contract():
    (lapsed,) = ocds.order_releases("ocds-x", order(), "学校", {"place": AT, "lapse": LATER})
    assert lapsed["ocid"] == "ocds-x-441481-MO12" and lapsed["tag"] == ["award"]
    assert lapsed["date"] == "2026-11-10T16:00:00Z"
    assert lapsed["tender"]["status"] == "unsuccessful"
    assert lapsed["tender"]["procurementMethod"] == "limited"
    (award,) = lapsed["awards"]
    assert award["status"] == "unsuccessful" and "逾期失效" in award["description"]
    assert "contracts" not in lapsed
    (declined,) = ocds.order_releases(
        "ocds-x", order(status="declined", reason="暂时缺货"), "学校", {"decline": LATER}
    )
    assert declined["tag"] == ["award"] and declined["awards"][0]["description"].endswith(
        "暂时缺货"
    )
    (cancelled,) = ocds.order_releases(
        "ocds-x",
        order(status="cancelled", reason="需求变更", mode="designated_purchase"),
        "学校",
        {"cancel": LATER},
        related="ocds-x-441400-MF2",
    )
    assert cancelled["tag"] == ["awardCancellation"]
    assert cancelled["tender"]["status"] == "cancelled"
    assert cancelled["awards"][0]["status"] == "cancelled"
    assert cancelled["relatedProcesses"][0]["identifier"] == "ocds-x-441400-MF2"
    # An auction's order: the award the auction published is updated, in the auction's process.
    (update,) = ocds.order_releases(
        "ocds-x", order(demand=7), "学校", {"place": AT, "lapse": LATER}
    )
    assert update["ocid"] == "ocds-x-441481-MD7" and update["tag"] == ["awardUpdate"]
    assert update["awards"][0]["id"] == "ocds-x-441481-MD7-award"
    assert "tender" not in update and "buyer" not in update
    # No release before the transition is in the log.
    assert ocds.order_releases("ocds-x", order(), "学校", {"place": AT}) == []


def _auction_that_lapsed() -> list[dict]:
    awarded = demand(id=9, status="awarded")
    stages = {"post": AT, "close": AT, "award": AT}
    lapsed = order(demand=9, id=13)
    return [
        *ocds.demand_releases("ocds-x", awarded, "学校", stages, 4, lapsed),
        *ocds.order_releases("ocds-x", lapsed, "学校", {"place": AT, "lapse": LATER}),
    ]


def test_an_auction_whose_order_lapsed_compiles_to_an_unsuccessful_award():
    compiled = builder.merge(_auction_that_lapsed())
    assert compiled["tender"]["status"] == "complete"
    (award,) = compiled["awards"]
    assert award["status"] == "unsuccessful" and award["value"]["amount"] == 10000.0


@pytest.mark.skipif(not SCHEMA_ZIP.exists(), reason="../shared/ocds is not on this machine")
def test_the_ends_validate_and_compile(tmp_path):
    releases = [
        *ocds.demand_releases("ocds-x", demand(), "学校", {"post": AT, "fail": AT}, 2, None),
        *ocds.demand_releases(  # a second-stage competition, related to its agreement
            "ocds-x",
            demand(id=8, agreement=2),
            "学校",
            {"post": AT, "fail": AT},
            1,
            None,
            "ocds-x-441400-MF2",
        ),
        *ocds.group_buy_releases("ocds-x", group(), "梅州市", {"open": AT, "withdraw": AT}),
        *_auction_that_lapsed(),
        *ocds.order_releases("ocds-x", order(), "学校", {"lapse": LATER}),
        *ocds.order_releases(
            "ocds-x", order(id=14, status="cancelled", reason="需求变更"), "学校", {"cancel": LATER}
        ),
        *ocds.agreement_releases(
            "ocds-x",
            {
                "id": 2,
                "tenant_id": "441400",
                "title": "梅州市公务车辆定点维修",
                "kind": "services",
                "entrants": 4,
                "starts_on": date(2026, 11, 12),
                "ends_on": date(2027, 11, 11),
                "created_at": AT,
            },
            "梅州市",
            [
                {
                    "id": 5,
                    "supplier_organisation": 21,
                    "supplier_name": "梅州市安达汽车维修服务有限公司",
                    "item": "小型客车维修工时",
                    "unit": "工时",
                    "max_unit_fen": 12_000,
                    "entry": "initial",
                    "entered_at": AT,
                },
                {
                    "id": 6,
                    "supplier_organisation": 22,
                    "supplier_name": "梅州市补充入围汽车维修有限公司",
                    "item": "小型客车维修工时",
                    "unit": "工时",
                    "max_unit_fen": 11_800,
                    "entry": "top_up",
                    "entered_at": LATER,
                },
            ],
            {"record": AT},
        ),
    ]
    package = json.loads(
        json.dumps(
            builder.package("releases", "http://gpcloud.test/ocds/mall/releases", releases, None)
        )
    )
    report = cove(tmp_path, package)
    assert report["validation_errors"] == []
    assert report["additional_closed_codelist_values"] == {}
    with zipfile.ZipFile(SCHEMA_ZIP) as archive:
        name = next(n for n in archive.namelist() if n.endswith("schema/release-schema.json"))
        schema = json.loads(archive.read(name))
    merger = ocdsmerge.Merger(schema=schema)
    for ocid in {r["ocid"] for r in releases}:
        mine = [r for r in releases if r["ocid"] == ocid]
        assert builder.merge(mine) == merger.create_compiled_release(mine), ocid


def test_a_second_stage_is_related_to_its_agreement_and_a_top_up_adds_suppliers():
    (posted, *_) = ocds.demand_releases(
        "ocds-x", demand(id=8, agreement=2), "学校", {"post": AT}, None, None, "ocds-x-441400-MF2"
    )
    assert posted["tender"]["procurementMethodDetails"] == "框架协议二次竞价"
    assert posted["relatedProcesses"][0]["identifier"] == "ocds-x-441400-MF2"
    row = {
        "supplier_organisation": 21,
        "supplier_name": "甲",
        "item": "工时",
        "unit": "工时",
        "max_unit_fen": 12_000,
    }
    releases = ocds.agreement_releases(
        "ocds-x",
        {
            "id": 2,
            "tenant_id": "441400",
            "title": "定点维修",
            "kind": "services",
            "entrants": 4,
            "starts_on": date(2026, 11, 12),
            "ends_on": date(2027, 11, 11),
            "created_at": AT,
        },
        "梅州市",
        [
            {**row, "id": 5, "entry": "initial", "entered_at": AT},
            {**row, "id": 6, "supplier_organisation": 22, "entry": "top_up", "entered_at": LATER},
        ],
        {"record": AT},
    )
    assert [r["tag"] for r in releases] == [["award"], ["awardUpdate"]]
    (award,) = builder.merge(releases)["awards"]
    assert [s["id"] for s in award["suppliers"]] == [
        releases[0]["awards"][0]["suppliers"][0]["id"],
        releases[1]["awards"][0]["suppliers"][0]["id"],
    ]
    assert [i["id"] for i in award["items"]] == ["5", "6"]
