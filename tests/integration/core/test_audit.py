"""The audit log: what is recorded, the trail through the API, and `verify` catching and naming
every kind of tampering with entries, heads and stored subtrees."""

import asyncio
import os
import subprocess
import sys

import pytest

from gpcloud.core.audit import sequencer
from gpcloud.core.audit import service as audit
from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.auth.tables import Organisation
from gpcloud.core.db import is_sqlite, transaction
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from tests.support import error_codes, gql, login

TRAIL = """query($type: String, $id: String, $action: String) {
  auditTrail(objectType: $type, objectId: $id, action: $action, first: 100) {
    edges { node { action objectType objectId tenantCode actor actorLabel beforeDigest afterDigest
                   detail position leafHash } }
  }
}"""


async def raw(*statements: str) -> None:
    with all_tenants("test: tamper with the log"):
        async with transaction():
            for sql in statements:
                await AuditEntry.raw(sql)


async def change(entry_id: int, **values) -> None:
    with all_tenants("test: tamper with the log"):
        await AuditEntry.update(values).where(AuditEntry.id == entry_id)


async def entries(**where) -> list[dict]:
    with all_tenants("test: read the log"):
        query = AuditEntry.select().order_by(AuditEntry.seq, AuditEntry.id)
        for column, value in where.items():
            query = query.where(getattr(AuditEntry, column) == value)
        return await query


async def append(tenant: str, n: int) -> None:
    with use_scope((await tenant_tree()).scope_for(tenant)):
        async with transaction():
            for i in range(n):
                await audit.record("test.append", "thing", i, None, {"i": i})


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "gpcloud", "audit", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "250"},
    )


async def test_changes_are_recorded_with_actor_and_digests(client, demo):
    token = await login(client, "xn.admin")
    org = await Organisation.select(Organisation.id).where(Organisation.name == "兴宁市第一中学")
    created = await gql(
        client,
        """mutation($org: ID!) { createUser(input: {tenant: "441481", username: "xn.audited",
           organisationId: $org, roles: [PURCHASER]}) { user { id } errors { code } } }""",
        {"org": str(org[0]["id"])},
        token=token,
    )
    user_id = created["data"]["createUser"]["user"]["id"]
    await gql(
        client,
        "mutation($id: ID!) { updateUser(id: $id, input: {status: DISABLED}) { errors { code } } }",
        {"id": user_id},
        token=token,
    )
    await sequencer.sequence()
    trail = (await gql(client, TRAIL, {"type": "user", "id": user_id}, token=token))["data"][
        "auditTrail"
    ]
    nodes = [e["node"] for e in trail["edges"]]
    assert [n["action"] for n in nodes] == ["user.create", "user.update"]
    assert {n["actor"] for n in nodes} == {"xn.admin"}
    assert nodes[0]["beforeDigest"] is None and nodes[0]["afterDigest"] == nodes[1]["beforeDigest"]
    assert nodes[1]["detail"] == {"changed": ["status"]}
    assert nodes[0]["tenantCode"] == "441481"
    assert nodes[1]["position"] == nodes[0]["position"] + 1
    updated = (await entries(action="user.update", object_id=user_id))[0]
    assert nodes[1]["leafHash"] == audit.leaf_hash(updated)


async def test_entries_wait_for_the_sequencer_and_then_verify(demo):
    assert len(await entries(action="tenant.create")) == 30
    seeded = await entries(action="user.create")
    assert len(seeded) == 16 and {e["actor"] for e in seeded} == {"demo seed"}
    pending = await audit.verify()
    assert pending.ok and (pending.entries, pending.pending) == (0, len(await entries()))
    signed = await sequencer.sequence()
    assert [h.tree_size for h in signed] == [len(await entries())]
    result = await audit.verify()
    assert result.ok and result.entries == len(await entries()) and result.pending == 0
    assert (result.tree_size, result.root_hash) == (signed[0].tree_size, signed[0].root_hash)
    assert [e["seq"] for e in await entries()] == list(range(len(await entries())))


async def test_entries_take_their_place_in_the_order_the_sequencer_finds_them_committed():
    """An entry committed after later-numbered ones is sequenced after them: positions follow
    the sequencer's runs, never the insert order, and every run signs a head."""
    signed = await sequencer.sequence(batch=7)
    assert [h.tree_size for h in signed] == [7, 14, 21, 28, 30]
    await append("441481", 3)
    signed = await sequencer.sequence()
    assert [h.tree_size for h in signed] == [33]
    assert (await audit.verify()).ok


async def test_concurrent_writers_all_reach_the_tree():
    await asyncio.gather(*(append(code, 2) for code in ("441481", "441424", "441400", "440100")))
    await sequencer.sequence()
    result = await audit.verify()
    assert result.ok and result.entries == 30 + 8


@pytest.mark.skipif(is_sqlite(), reason="SQLite has one writer at a time by design")
async def test_writers_of_different_tenants_do_not_wait_for_each_other():
    """While one tenant's transaction holds an uncommitted entry, another tenant records and
    commits (with the province-wide lock it waited for the first to end)."""
    recorded, release = asyncio.Event(), asyncio.Event()

    async def slow() -> None:
        with use_scope((await tenant_tree()).scope_for("441481")):
            async with transaction():
                await audit.record("test.slow", "thing", 1)
                recorded.set()
                await release.wait()

    first = asyncio.create_task(slow())
    await recorded.wait()
    await asyncio.wait_for(append("441424", 1), timeout=10)  # deadlock guard, not a timing
    await sequencer.sequence()
    assert [e["action"] for e in await entries() if e["seq"] is not None][-1] == "test.append"
    release.set()
    await first
    await sequencer.sequence()
    assert (await entries(action="test.slow"))[0]["seq"] == 31
    assert (await audit.verify()).ok


async def test_a_refused_mutation_records_nothing(client, demo):
    before = len(await entries())
    token = await login(client, "xn.admin")
    payload = await gql(
        client,
        'mutation { createUser(input: {tenant: "441481", username: "x", organisationId: "1", roles: []}) '
        "{ errors { code } } }",
        token=token,
    )
    assert payload["data"]["createUser"]["errors"]
    assert len(await entries()) == before


async def test_the_trail_is_limited_to_the_callers_region(client, demo):
    county = [
        e["node"]["tenantCode"]
        for e in (
            await gql(
                client, TRAIL, {"action": "user.create"}, token=await login(client, "xn.admin")
            )
        )["data"]["auditTrail"]["edges"]
    ]
    assert set(county) == {"441481"} and len(county) == 8
    city = [
        e["node"]["tenantCode"]
        for e in (
            await gql(
                client, TRAIL, {"action": "user.create"}, token=await login(client, "mz.supervisor")
            )
        )["data"]["auditTrail"]["edges"]
    ]
    assert set(city) == {"441400", "441481"} and len(city) == 15
    assert error_codes(await gql(client, TRAIL, {}, token=await login(client, "xn.purchaser"))) == [
        "FORBIDDEN"
    ]


async def test_the_full_demo_seed_is_idempotent_and_verifies():
    from gpcloud.demo import seed_demo

    assert len(await seed_demo()) == 16
    entries_after_first = len(await entries())
    assert await seed_demo() == []
    assert len(await entries()) == entries_after_first
    await sequencer.sequence()
    assert (await audit.verify()).ok


# Tampering: a log of 30 tenant entries signed at 30, then 20 more signed at 50.


@pytest.fixture
async def log():
    await sequencer.sequence()
    await append("441481", 20)
    await sequencer.sequence()
    rows = await entries()
    assert [r["seq"] for r in rows] == list(range(50))
    return rows


async def broken() -> audit.Verification:
    result = await audit.verify()
    assert not result.ok
    return result


async def test_a_changed_entry_is_named(log):
    await change(log[40]["id"], detail='{"i":99}')
    result = await broken()
    assert result.broken_at == log[40]["id"] and "contents" in result.problem


async def test_a_deleted_entry_is_named_by_the_gap_it_leaves(log):
    await raw(f"DELETE FROM audit_entry WHERE id = {log[10]['id']}")
    result = await broken()
    assert result.broken_at == log[11]["id"] and "position 10 is missing" in result.problem


async def test_a_deletion_closed_by_renumbering_is_named(log):
    await raw(
        f"DELETE FROM audit_entry WHERE id = {log[10]['id']}",
        "UPDATE audit_entry SET seq = -seq WHERE seq > 10",
        "UPDATE audit_entry SET seq = -seq - 1 WHERE seq < 0",
    )
    result = await broken()
    assert result.broken_at == log[11]["id"] and "signed at position 11" in result.problem


async def test_an_inserted_entry_is_named(log):
    forged = {**log[20], "id": 10_000, "seq": 20, "detail": '{"forged":true}'}
    await raw(
        "UPDATE audit_entry SET seq = -seq WHERE seq >= 20",
        "UPDATE audit_entry SET seq = -seq + 1 WHERE seq <= -20",
    )
    with all_tenants("test: forge an entry"):
        row = AuditEntry(**{k: v for k, v in forged.items() if k != "leaf_hash"})
        row.leaf_hash = audit.leaf_hash(forged)
        await row.save()
    result = await broken()
    assert result.broken_at == 10_000 and "inserted" in result.problem


async def test_reordered_entries_are_named(log):
    a, b = log[33], log[34]
    await raw(
        f"UPDATE audit_entry SET seq = -1 WHERE id = {a['id']}",
        f"UPDATE audit_entry SET seq = 33 WHERE id = {b['id']}",
        f"UPDATE audit_entry SET seq = 34 WHERE id = {a['id']}",
    )
    result = await broken()
    assert result.broken_at == b["id"] and "signed at position 34 but sits at 33" in result.problem


async def test_a_change_with_a_recomputed_leaf_hash_is_caught_by_the_signed_root(log):
    changed = {**log[40], "detail": '{"i":99}'}
    await change(log[40]["id"], detail=changed["detail"], leaf_hash=audit.leaf_hash(changed))
    result = await broken()
    assert result.broken_at == log[30]["id"]  # the first entry of the batch signed at 50
    assert "positions 30 to 49 do not give the root signed at size 50" in result.problem


async def test_entries_deleted_from_the_end_are_caught(log):
    await raw("DELETE FROM audit_entry WHERE seq >= 45")
    result = await broken()
    assert "signed at size 50 but the log holds 45" in result.problem


async def test_a_forged_head_is_caught(log):
    await raw(f"UPDATE audit_tree_head SET root_hash = '{'0' * 64}' WHERE tree_size = 30")
    assert "signature of the head of size 30" in (await broken()).problem


async def test_altered_sequencer_state_and_stored_subtrees_are_caught(log):
    await raw(f"UPDATE audit_node SET hash = '{'0' * 64}' WHERE node = {1 << 6 | 4}")
    assert "stored hash of positions 16 to 31" in (await broken()).problem
    await raw("DELETE FROM audit_node", "UPDATE audit_tree_head SET frontier = '[]'")
    assert "saved state at size 30" in (await broken()).problem


async def test_cli_verify_passes_on_an_intact_log_and_names_a_tampered_entry(log):
    ok = await asyncio.to_thread(cli, "verify")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.startswith("ok: 50 entries, signed head of size 50"), ok.stdout
    await raw(f"UPDATE audit_entry SET actor = 'someone else' WHERE id = {log[5]['id']}")
    bad = await asyncio.to_thread(cli, "verify")
    assert bad.returncode == 1
    assert f"broken at audit entry {log[5]['id']}" in bad.stdout


async def test_cli_sequence_signs_what_is_pending():
    out = await asyncio.to_thread(cli, "sequence")
    assert out.returncode == 0 and "signed head of size 30" in out.stdout, out.stdout + out.stderr
    again = await asyncio.to_thread(cli, "sequence")
    assert "nothing to sequence" in again.stdout
