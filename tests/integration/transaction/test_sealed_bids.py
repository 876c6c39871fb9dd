"""Sealed bids from submission through the opening record: the deadline to the millisecond,
replacement, tampering, wrong keys, a bidder who never unseals, nothing readable before the
opening, the agency unable to open early, too few bids, the credit hook at the deadline."""

from __future__ import annotations

import base64
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine

from gpcloud.core import storage
from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.errors import DomainError
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.portal import ocds
from gpcloud.portal.tables import Notice
from gpcloud.supervision import plans
from gpcloud.transaction import bids, opening, records, sealing
from gpcloud.transaction import service as projects
from gpcloud.transaction.tables import Bid, OpeningRecord, Project, UnsealAttempt
from tests.integration.procurement import filed_plan
from tests.integration.transaction.bidding import (
    DEADLINE,
    MARKER,
    MS,
    bidder,
    demo_bidder,
    project_row,
    submit,
    tender,
    tick,
)
from tests.plugins.exercise import exercised
from tests.plugins.test_approvals import approved


@pytest.fixture
async def world(demo):
    return await filed_plan()


@pytest.fixture
def traveller():
    with time_machine.travel(DEADLINE - timedelta(days=30), tick=False) as t:
        yield t


async def bidders(n: int):
    return [await bidder(i + 1) for i in range(n)]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


async def audit_actions(prefix: str) -> list[dict]:
    with all_tenants("test: the audit log"):
        rows = await AuditEntry.select().order_by(AuditEntry.id)
    return [r for r in rows if r["action"].startswith(prefix)]


async def test_a_bid_one_millisecond_late_is_refused_with_its_arrival_time(world, traveller):
    project = await tender(world, traveller)
    [early, late] = await bidders(2)
    traveller.move_to(DEADLINE - MS)
    row, receipt, _ = await submit(early, project, "4000000")
    assert row["received_at"] == DEADLINE - MS
    traveller.move_to(DEADLINE + MS)
    with pytest.raises(DomainError) as info:
        await submit(late, project, "3900000")
    assert info.value.code == "BID_LATE"
    assert "2026-10-12T01:30:00.001+00:00" in str(info.value)  # 09:30:00.001 in Beijing
    with all_tenants("test"):
        assert [b["supplier_organisation"] for b in await bids.of_project(project)] == [
            early.organisation
        ]


async def test_a_receipt_is_signed_by_the_platform_and_audited(world, traveller):
    project = await tender(world, traveller)
    [b] = await bidders(1)
    traveller.move_to(DEADLINE - timedelta(hours=1))
    row, receipt, _ = await submit(b, project, "4000000", security="保函 GD-2026-0001")
    assert sealing.verify_receipt(receipt.content, receipt.signature)
    assert receipt.content["digest"] == sealing.digest_of(await storage.get(row["storage_key"]))
    assert row["security"] == "保函 GD-2026-0001"
    [entry] = await audit_actions("bid.submit")
    assert json.loads(entry["detail"])["receipt"] == receipt.content
    forged = {**receipt.content, "digest": "0" * 64}
    assert not sealing.verify_receipt(forged, receipt.signature)


async def test_unsealed_or_unsigned_uploads_are_refused(world, traveller):
    project = await tender(world, traveller)
    [b, other] = await bidders(2)
    traveller.move_to(DEADLINE - timedelta(hours=1))
    with pytest.raises(DomainError) as info:
        await bids.submit(b.user, project, "1", f"{MARKER} 明文报价".encode(), b"k" * 60, b"s" * 64)
    assert info.value.code == "BID_NOT_SEALED"
    from tests.integration.transaction.bidding import seal

    sealed, _ = seal(other, project, "1")  # signed with another bidder's key
    with pytest.raises(DomainError) as info:
        await bids.submit(
            b.user, project, "1", sealed.ciphertext, sealed.wrapped_key, sealed.signature
        )
    assert info.value.code == "BID_SIGNATURE_INVALID"
    sealed, _ = seal(b, project + 1000, "1")  # sealed for another project
    with pytest.raises(DomainError) as info:
        await bids.submit(
            b.user, project, "1", sealed.ciphertext, sealed.wrapped_key, sealed.signature
        )
    assert info.value.code in ("BID_WRONG_PROJECT", "BID_SIGNATURE_INVALID")


async def test_a_bid_replaced_twice_counts_once_and_the_earlier_ones_stay_withdrawn(
    world, traveller
):
    project = await tender(world, traveller)
    [b] = await bidders(1)
    traveller.move_to(DEADLINE - timedelta(hours=3))
    first, _, _ = await submit(b, project, "4300000")
    traveller.shift(60)
    second, r2, _ = await submit(b, project, "4200000")
    traveller.shift(60)
    third, r3, _ = await submit(b, project, "4100000")
    assert r2.content["replaces"] == first["id"] and r3.content["replaces"] == second["id"]
    with all_tenants("test"):
        rows = {r["id"]: r for r in await bids.of_project(project)}
    assert [rows[i]["status"] for i in (first["id"], second["id"], third["id"])] == [
        "withdrawn",
        "withdrawn",
        "submitted",
    ]
    assert rows[first["id"]]["replaced_by"] == second["id"]
    assert rows[second["id"]]["replaced_by"] == third["id"]
    for r in rows.values():  # every version's ciphertext is kept
        assert await storage.exists(r["storage_key"])
    withdrawn = await bids.withdraw(b.user, third["id"])
    assert withdrawn["status"] == "withdrawn"


async def rows_with_marker() -> list[str]:
    """The tables with a row whose text holds the marker (every table, every column)."""
    found = []
    with all_tenants("test: every table"):
        if Project._meta.db.engine_type == "sqlite":
            query = "SELECT name AS t FROM sqlite_master WHERE type = 'table'"
        else:
            query = (
                "SELECT table_name AS t FROM information_schema.tables "
                "WHERE table_schema = current_schema()"
            )
        tables = [r["t"] for r in await Project.raw(query)]
        assert "bid" in tables and "audit_entry" in tables
        for table in tables:
            if any(MARKER in repr(row) for row in await Project.raw(f'SELECT * FROM "{table}"')):
                found.append(table)
    return found


async def test_before_the_deadline_the_database_and_the_file_store_hold_only_ciphertext(
    world, traveller
):
    project = await tender(world, traveller)
    traveller.move_to(DEADLINE - timedelta(hours=1))
    submitted = [(b, *await submit(b, project, "4000000")) for b in await bidders(3)]
    marker = MARKER.encode()
    with all_tenants("test"):
        stored = [await storage.get(r["storage_key"]) for r in await bids.of_project(project)]
    assert len(stored) == 3 and all(marker not in data for data in stored)
    assert all(sealing.check_sealed(data) for data in stored)
    assert await rows_with_marker() == []
    files = storage_files()
    assert len(files) >= 3
    for path in files:
        assert marker not in path.read_bytes(), path
    # The control: once a bid is unsealed in the hall, the same search finds its form.
    traveller.move_to(DEADLINE)
    await tick()
    b, row, _, key = submitted[0]
    assert (await opening.unseal(b.user, row["id"], b64(key))).failure is None
    assert await rows_with_marker() == ["bid"]


def storage_files():
    """Every file of the embedded file store (var/), whatever its layout."""
    from gpcloud.settings import get_settings

    root = get_settings().var
    return [p for p in root.rglob("*") if p.is_file() and "storage" in str(p.relative_to(root))]


async def test_nobody_unseals_before_the_opening_hall(world, traveller):
    project = await tender(world, traveller)
    [b] = await bidders(1)
    traveller.move_to(DEADLINE - timedelta(hours=1))
    row, _, key = await submit(b, project, "4000000")
    with pytest.raises(DomainError) as info:
        await opening.unseal(b.user, row["id"], b64(key))
    assert info.value.code == "OPENING_NOT_STARTED"
    with pytest.raises(DomainError) as info:  # the agency cannot open, early or at all
        await opening.unseal(world["agent"], row["id"], b64(key))
    assert info.value.code == "FORBIDDEN"
    assert await tick() == []  # nothing due before the deadline
    assert (await project_row(project))["status"] == "tendering"


async def test_fewer_than_three_bidders_no_opening_and_the_project_fails(world, traveller):
    project = await tender(world, traveller)
    two = await bidders(2)
    traveller.move_to(DEADLINE - timedelta(hours=1))
    for b in two:
        await submit(b, project, "4000000")
    traveller.move_to(DEADLINE)
    [ran] = await tick()
    assert ran.action == "close_bidding"
    row = await project_row(project)
    assert row["status"] == "failed" and row["next_check"] is None
    [failed] = await audit_actions("project.fail_too_few_bids")
    detail = json.loads(failed["detail"])
    assert detail["bidders"] == 2 and detail["minimum"] == 3 and len(detail["options"]) == 2
    with use_scope(world["scope"]):
        assert (await plans.get(world["plan"]))["status"] == "failed"


async def test_the_opening_tampered_wrong_key_and_never_unsealed(client, world, traveller):
    project = await tender(world, traveller)
    honest = await demo_bidder("xn.supplier")  # in the supplier registry: it can win
    wrong, tampered, absent = await bidders(3)
    traveller.move_to(DEADLINE - timedelta(hours=1))
    submitted = {}
    for b, price in (
        (honest, "4100000"),
        (wrong, "4200000"),
        (tampered, "4300000"),
        (absent, "4400000"),
    ):
        submitted[b.organisation] = await submit(
            b, project, price, security=f"保证金-{b.organisation}"
        )
    # The stored ciphertext of one bid is changed behind the platform's back.
    row = submitted[tampered.organisation][0]
    data = bytearray(await storage.get(row["storage_key"]))
    data[-1] ^= 1
    await storage.put(row["storage_key"], bytes(data))

    traveller.move_to(DEADLINE + timedelta(seconds=2))
    [ran] = await tick()
    assert ran.action == "close_bidding" and ran.due_at == DEADLINE
    hall = await project_row(project)
    assert hall["status"] == "opening"
    assert hall["opening_ends_at"] == DEADLINE + timedelta(seconds=2, minutes=30)

    traveller.shift(60)
    bid, _, key = submitted[honest.organisation]
    with pytest.raises(DomainError) as info:  # nobody unseals another's bid
        await opening.unseal(wrong.user, bid["id"], b64(key))
    assert info.value.code == "NOT_FOUND"
    done = await opening.unseal(honest.user, bid["id"], b64(key))
    assert done.failure is None and done.bid["status"] == "unsealed"
    assert json.loads(done.bid["form"])["note"] == MARKER and done.bid["price_fen"] == 410_000_000

    bid, _, _ = submitted[wrong.organisation]
    attempt = await opening.unseal(wrong.user, bid["id"], b64(b"\x00" * 32))
    assert attempt.failure.code == "BID_KEY_WRONG" and attempt.bid["status"] == "submitted"

    bid, _, key = submitted[tampered.organisation]
    attempt = await opening.unseal(tampered.user, bid["id"], b64(key))
    assert attempt.failure.code == "BID_DIGEST_MISMATCH"  # reported, not opened

    traveller.move_to(hall["opening_ends_at"] + MS)
    with pytest.raises(DomainError) as info:  # the window is over before the scheduler ran
        await opening.unseal(absent.user, submitted[absent.organisation][0]["id"], b64(key))
    assert info.value.code == "OPENING_CLOSED"
    [ran] = await tick()
    assert ran.action == "end_unsealing"
    assert (await project_row(project))["status"] == "opened"

    with all_tenants("test"):
        final = {r["supplier_organisation"]: r for r in await bids.of_project(project)}
        attempts = await UnsealAttempt.select().order_by(UnsealAttempt.id)
        record = await OpeningRecord.select().where(OpeningRecord.project == project).first()
    assert final[honest.organisation]["status"] == "unsealed"
    assert final[wrong.organisation]["status"] == "revoked"  # the bidder's cause
    assert final[absent.organisation]["status"] == "revoked"  # never tried: the bidder's cause
    assert final[tampered.organisation]["status"] == "withdrawn"  # the platform's cause
    for r in final.values():  # ciphertext kept for a later re-test
        assert await storage.exists(r["storage_key"])
    assert [(a["outcome"], a["cause"]) for a in attempts] == [
        ("opened", None),
        ("BID_KEY_WRONG", "bidder"),
        ("BID_DIGEST_MISMATCH", "platform"),
    ]
    entries = {e["bidder_organisation"]: e for e in json.loads(record["entries"])}
    assert entries[honest.organisation]["result"] == "opened"
    assert entries[honest.organisation]["price"] == "4100000.00"
    assert entries[wrong.organisation] | {"price": None} == entries[wrong.organisation]
    assert entries[tampered.organisation]["result"] == "withdrawn"
    assert entries[absent.organisation]["result"] == "revoked"
    assert entries[absent.organisation]["security"] == f"保证金-{absent.organisation}"

    # Bidders confirm or object; the agency answers and signs.
    await records.respond(honest.user, project, None)
    objection = await records.respond(wrong.user, project, "我方密钥正确，请复核")
    with pytest.raises(DomainError) as info:
        await records.sign(world["agent"], project)
    assert info.value.code == "OBJECTIONS_OPEN"
    await records.answer(world["agent"], objection["id"], "经复核，解密失败系密钥错误所致")
    signed = await records.sign(world["agent"], project)
    assert signed["status"] == "signed"
    with pytest.raises(DomainError) as info:
        await records.respond(absent.user, project, None)
    assert info.value.code == "RECORD_SIGNED"

    # The result: OCDS gains the bids extension's statistics and details.
    with use_scope(world["scope"]):
        award = [projects.AwardInput(world["supplier"]["uscc"], Decimal("4100000"))]
        done = await projects.publish_result(
            world["agent"], project, "中标公告", "正文", award, on=date(2026, 10, 16)
        )
    assert done["status"] == "awarded"
    response = await client.get("/ocds/releases", params={"region": "441481"})
    package = response.json()
    [result] = [r for r in package["releases"] if "award" in r["tag"]]
    stats = {s["measure"]: s["value"] for s in result["bids"]["statistics"]}
    assert stats == {"bids": 4, "validBids": 1, "lowestValidBidValue": 4100000.0}
    assert sorted(d["status"] for d in result["bids"]["details"]) == [
        "disqualified",
        "disqualified",
        "valid",
        "withdrawn",
    ]
    assert package["extensions"] == [ocds.BIDS_EXTENSION]
    # ... and the portal's result page shows the opening record.
    with all_tenants("test"):
        notice = await Notice.select().where(Notice.kind == "result").first()
    page = (await client.get(f"/notices/{notice['id']}")).text
    assert "开标记录" in page and honest.name in page and "4100000.00" in page
    assert "视为撤销" in page and "视为撤回" in page


async def test_the_credit_hook_runs_at_the_deadline_and_its_answers_are_kept(
    client, world, traveller, install_plugin
):
    install_plugin(
        "credit_stub",
        """
        import pluggy
        hookimpl = pluggy.HookimplMarker("gpcloud")
        GPCLOUD_PLUGIN = {"name": "credit_stub", "description": "credit source for the tests"}

        @hookimpl
        def gpcloud_credit_check(tenant, organisation_id, purpose, on_day):
            # Judges the bidders only: the agency is checked at entrustment too.
            clear = organisation_id % 2 == 0 or purpose == "entrustment"
            return {"clear": clear, "records": [{"tenant": tenant}],
                    "source": purpose + ":" + on_day.isoformat()}
        """,
        version="1.0.0",
    )
    await approved(client, "credit_stub")  # filed by Xingning, approved by the province
    project = await tender(world, traveller)
    three = await bidders(3)
    traveller.move_to(DEADLINE - timedelta(hours=1))
    for b in three:
        await submit(b, project, "4000000")
    traveller.move_to(DEADLINE)
    with exercised("gpcloud_credit_check"):
        await tick()
    with all_tenants("test"):
        for row in await bids.of_project(project):
            kept = json.loads(row["credit_check"])
            # The credit domain's check answers, having asked the tenant's plugins itself (the
            # stub clears even organisations) and stored its snapshot.
            [answer] = kept["answers"]
            assert answer["plugin"] == "builtin:credit" and answer["snapshot_id"]
            assert answer["clear"] == (row["supplier_organisation"] % 2 == 0)


async def test_a_submitted_bid_row_holds_no_plaintext_field(world, traveller):
    """The bid's columns before opening: digest, sizes, keys wrapped for the bidder only."""
    project = await tender(world, traveller)
    [b] = await bidders(1)
    traveller.move_to(DEADLINE - timedelta(hours=1))
    row, _, _ = await submit(b, project, "4000000")
    with all_tenants("test"):
        stored = await Bid.select().where(Bid.id == row["id"]).first()
    assert stored["form"] is None and stored["price_fen"] is None and stored["files"] is None
