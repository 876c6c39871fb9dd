"""Reference price files (the `reference_prices` import): loaded once, rejected rows reported
in order with their codes, a later file updates a price; price monitoring holds a listing above
the imported price in force for its supplier's region (nearest region first) by more than the
tolerance, and only then; the operating centre imports them, nobody else."""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from gpcloud.core.clock import today
from gpcloud.core.errors import DomainError
from gpcloud.core.imports.runner import get_spec, run_import
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.emall.service import orders, prices
from gpcloud.emall.tables import PriceAlert, ReferencePrice
from gpcloud.registries.goods.service import mall as goods
from tests.integration.emall.world import emall_world, listing
from tests.integration.procurement import actor
from tests.support import drain_jobs, gql, in_english, login

HEADER = ["商品编码", "适用区域", "参考单价", "价格来源", "生效日期", "失效日期"]
CENTRE = "广东省价格监测中心"


@pytest.fixture
async def world(demo):
    return await emall_world()


def write(path: Path, rows: list[list[str]], header=HEADER) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


async def load(path: Path, out: Path):
    with use_scope((await tenant_tree(fresh=True)).scope_for("440000")), in_english():
        return await run_import(get_spec("reference_prices"), path, "440000", out)


def rejects(out: Path) -> list[tuple[str, str]]:
    with (out / "rejects.csv").open(encoding="utf-8-sig") as fh:
        return [(r["row"], r["reasons"]) for r in csv.DictReader(fh)]


async def item_code(listing_id: int) -> str:
    return (await goods.offers([listing_id]))[listing_id]["item_code"]


async def stored() -> list[tuple]:
    with all_tenants("test"):
        rows = await ReferencePrice.select().order_by(ReferencePrice.id)
    return [(r["region"], r["source"], r["price_fen"], r["valid_to"]) for r in rows]


async def test_a_file_loads_once_reports_rejects_in_order_and_a_later_file_updates(world, tmp_path):
    w = world
    code = await item_code(await listing(w["xn"], "华岭", "100.00", 50))
    rows = [
        [code, "", "100.00", CENTRE, "2026-01-01", "2026-12-31"],
        [code.lower(), "441481", "90", "兴宁市场调查", "2026-01-01", ""],
        ["GD-NO-SUCH", "", "100.00", CENTRE, "2026-01-01", ""],  # 4
        [code, "999999", "100.00", CENTRE, "2026-01-01", ""],  # 5
        [code, "441400", "0", CENTRE, "2026-01-01", ""],  # 6
        [code, "441400", "100.00", CENTRE, "2026-06-01", "2026-05-31"],  # 7
        [code, "440000", "120.00", CENTRE, "2026-01-01", ""],  # 8: row 2's key
        [code, "441400", "100.00", "", "2026-01-01", ""],  # 9
    ]
    first = await load(write(tmp_path / "prices.csv", rows), tmp_path / "one")
    assert first.counts == {"created": 2, "rejected": 6}
    reasons = rejects(tmp_path / "one")
    assert [n for n, _ in reasons] == ["4", "5", "6", "7", "8", "9"]
    said = dict(reasons)
    assert "(UNKNOWN_GOODS)" in said["4"] and "(UNKNOWN_REGION)" in said["5"]
    assert said["6"].startswith("price: a price in yuan above 0")
    assert "(INVALID_PERIOD)" in said["7"] and "is also in row 2" in said["8"]
    assert said["9"] == "source: required"
    assert await stored() == [
        ("440000", CENTRE, 10_000, date(2026, 12, 31)),
        ("441481", "兴宁市场调查", 9_000, None),
    ]

    again = await load(write(tmp_path / "prices.csv", rows[:2]), tmp_path / "two")
    assert again.counts == {"unchanged": 2}
    later = [
        [code, "", "105.00", CENTRE, "2026-01-01", ""],  # empty valid_to keeps the registered
        [code, "441481", "90.00", "兴宁市场调查", "2026-07-01", ""],  # a new period
    ]
    updated = await load(write(tmp_path / "later.csv", later), tmp_path / "three")
    assert updated.counts == {"updated": 1, "created": 1}
    assert (await stored())[0] == ("440000", CENTRE, 10_500, date(2026, 12, 31))
    assert len(await stored()) == 3


async def _alerts(listing_ids: list[int]) -> dict[int, dict]:
    with all_tenants("test"):
        return {
            r["listing"]: r
            for r in await PriceAlert.select().where(PriceAlert.listing.is_in(listing_ids))
        }


async def test_monitoring_holds_a_listing_above_the_reference_in_force_for_its_region(
    world, tmp_path
):
    w = world
    day = today()
    dear = await listing(w["xn"], "华岭", "130.00", 50)  # xn.supplier: Xingning (441481)
    fair = await listing(w["xn"], "华岭", "110.00", 50)
    county = await listing(w["xn"], "华岭", "130.00", 50)
    elsewhere = await listing(w["xn"], "华岭", "130.00", 50)
    expired = await listing(w["xn"], "华岭", "130.00", 50)
    early = await listing(w["xn"], "华岭", "130.00", 50)
    city = await listing(w["mz"], "华岭", "130.00", 50)  # mz.supplier: Meizhou (441400)
    codes = {n: await item_code(n) for n in (dear, fair, county, elsewhere, expired, early, city)}
    start, end = str(day - timedelta(days=10)), str(day + timedelta(days=10))
    rows = [
        [codes[dear], "", "100.00", CENTRE, start, end],
        [codes[fair], "", "100.00", CENTRE, start, end],  # 110 is within 20 %
        # The county's own price is nearer than the province's: 130 is within 20 % of 120.
        [codes[county], "", "100.00", CENTRE, start, end],
        [codes[county], "441481", "120.00", "兴宁市场调查", start, ""],
        [codes[elsewhere], "440100", "100.00", "广州市场调查", start, ""],  # another region
        [
            codes[expired],
            "",
            "100.00",
            CENTRE,
            str(day - timedelta(days=30)),
            str(day - timedelta(days=1)),
        ],
        [codes[early], "", "100.00", CENTRE, str(day + timedelta(days=1)), ""],
        # A county's price is not a city supplier's: Meizhou's is.
        [codes[city], "441481", "150.00", "兴宁市场调查", start, ""],
        [codes[city], "441400", "100.00", "梅州市场调查", start, ""],
    ]
    assert (await load(write(tmp_path / "p.csv", rows), tmp_path / "out")).counts == {"created": 9}
    with all_tenants("test"):
        await prices.monitor()
    alerts = await _alerts([dear, fair, county, elsewhere, expired, early, city])
    assert {n: (a["basis"], a["basis_fen"], a["basis_source"]) for n, a in alerts.items()} == {
        dear: ("reference", 10_000, CENTRE),
        city: ("reference", 10_000, "梅州市场调查"),
    }
    assert f"高于参考价（来源：{CENTRE}，适用区域：广东省）" in alerts[dear]["reason"]
    assert "超过 20%" in alerts[dear]["reason"]

    with use_scope(w["scope"]), pytest.raises(DomainError) as exc:
        await orders.place(w["purchaser"], orders.OrderInput(dear, 1, w["plan"], w["indicator"]))
    assert exc.value.code == "PRICE_UNDER_REVIEW"
    with use_scope(w["scope"]):
        placed = await orders.place(
            w["purchaser"], orders.OrderInput(fair, 1, w["plan"], w["indicator"])
        )
    assert placed["status"] == "placed"
    with all_tenants("test"):
        seen = await prices.search(w["seller"], None, None, None)  # the supplier sees why
        assert [a["basis_source"] for a in seen.rows] == [CENTRE]
        assert await prices.check([dear]) == []  # raised once per price and basis
        await prices.review(await actor("gd.admin"), alerts[dear]["id"], True, "规格更高，合理")
    with use_scope(w["scope"]):
        placed = await orders.place(
            w["purchaser"], orders.OrderInput(dear, 1, w["plan"], w["indicator"])
        )
    assert placed["status"] == "placed"


UPLOAD = (
    'mutation($file: Upload!) { startImport(registry: "reference_prices", file: $file) '
    "{ job { id status } errors { code } } }"
)


async def test_the_operating_centre_uploads_a_file_and_nobody_else_may(client, world, tmp_path):
    code = await item_code(await listing(world["xn"], "华岭", "100.00", 50))
    path = write(
        tmp_path / "p.csv",
        [
            [code, "", "100.00", CENTRE, "2026-01-01", ""],
            ["GD-NO-SUCH", "", "1", CENTRE, "2026-01-01", ""],
        ],
    )

    async def upload(username: str) -> tuple[str, dict]:
        token = await login(client, username)
        response = await client.post(
            "/graphql",
            data={
                "operations": json.dumps({"query": UPLOAD, "variables": {"file": None}}),
                "map": json.dumps({"0": ["variables.file"]}),
            },
            files={"0": ("p.csv", path.read_bytes(), "text/csv")},
            headers={"authorization": f"Bearer {token}"},
        )
        return token, response.json()["data"]["startImport"]

    for username in ("xn.supplier", "xn.admin", "mz.admin"):
        assert (await upload(username))[1]["errors"][0]["code"] == "FORBIDDEN", username
    token, started = await upload("gd.admin")
    assert started["errors"] == [] and started["job"]["status"] == "QUEUED"
    await drain_jobs()
    job = (
        await gql(
            client,
            "query($id: ID!) { job(id: $id) { status counts files { name url } } }",
            {"id": started["job"]["id"]},
            token=token,
        )
    )["data"]["job"]
    assert job["status"] == "SUCCEEDED" and job["counts"] == {
        "rows": 2,
        "created": 1,
        "rejected": 1,
    }
    report = await client.get(job["files"][1]["url"], headers={"authorization": f"Bearer {token}"})
    lines = list(csv.DictReader(report.content.decode("utf-8-sig").splitlines()))
    # Chinese by default, the column by its label, the code after the message.
    assert [r["行号"] for r in lines] == ["3"]
    assert (
        lines[0]["拒绝原因"].startswith("商品编码：") and "(UNKNOWN_GOODS)" in lines[0]["拒绝原因"]
    )
