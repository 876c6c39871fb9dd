"""The hash-chained audit log: what is recorded, tamper detection, the trail through the API."""

import asyncio
import os
import subprocess
import sys

from gpcloud.core.audit import service as audit
from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.auth.tables import Organisation
from gpcloud.core.db import transaction
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from tests.support import error_codes, gql, login

TRAIL = """query($type: String, $id: String, $action: String) {
  auditTrail(objectType: $type, objectId: $id, action: $action, first: 100) {
    edges { node { action objectType objectId tenantCode actor actorLabel beforeDigest afterDigest detail } }
  }
}"""


async def raw(sql: str) -> None:
    with all_tenants("test: tamper with the log"):
        await AuditEntry.raw(sql)


async def entries(**where) -> list[dict]:
    with all_tenants("test: read the log"):
        query = AuditEntry.select().order_by(AuditEntry.id)
        for column, value in where.items():
            query = query.where(getattr(AuditEntry, column) == value)
        return await query


async def test_changes_are_recorded_with_actor_and_digests(client, demo):
    token = await login(client, "xn.admin")
    created = await gql(
        client,
        """mutation($org: ID!) { createUser(input: {tenant: "441481", username: "xn.audited",
           organisationId: $org, roles: [PURCHASER]}) { user { id } errors { code } } }""",
        {
            "org": str(
                (
                    await Organisation.select(Organisation.id)
                    .where(Organisation.name == "兴宁市第一中学")
                    .first()
                )["id"]
            )
        },
        token=token,
    )
    user_id = created["data"]["createUser"]["user"]["id"]
    await gql(
        client,
        "mutation($id: ID!) { updateUser(id: $id, input: {status: DISABLED}) { errors { code } } }",
        {"id": user_id},
        token=token,
    )
    trail = (await gql(client, TRAIL, {"type": "user", "id": user_id}, token=token))["data"][
        "auditTrail"
    ]
    nodes = [e["node"] for e in trail["edges"]]
    assert [n["action"] for n in nodes] == ["user.create", "user.update"]
    assert {n["actor"] for n in nodes} == {"xn.admin"}
    assert nodes[0]["beforeDigest"] is None and nodes[0]["afterDigest"] == nodes[1]["beforeDigest"]
    assert nodes[1]["detail"] == {"changed": ["status"]}
    assert nodes[0]["tenantCode"] == "441481"


async def test_tenants_and_demo_seed_are_recorded_and_the_chain_verifies(demo):
    assert len(await entries(action="tenant.create")) == 30
    seeded = await entries(action="user.create")
    assert len(seeded) == 16 and {e["actor"] for e in seeded} == {"demo seed"}
    result = await audit.verify()
    assert result.ok and result.entries == len(await entries())


async def test_a_changed_entry_is_named(demo):
    victim = (await entries(action="user.create"))[3]
    await raw(f"UPDATE audit_entry SET detail = '{{\"changed\":[]}}' WHERE id = {victim['id']}")
    result = await audit.verify()
    assert (result.ok, result.broken_at) == (False, victim["id"])
    assert "contents" in result.problem


async def test_a_deleted_entry_breaks_the_next_link(demo):
    rows = await entries()
    await raw(f"DELETE FROM audit_entry WHERE id = {rows[10]['id']}")
    result = await audit.verify()
    assert (result.ok, result.broken_at) == (False, rows[11]["id"])
    assert "previous" in result.problem


def test_cli_verify_passes_on_an_intact_log():
    env = {**os.environ, "COLUMNS": "200"}
    ok = subprocess.run(
        [sys.executable, "-m", "gpcloud", "audit", "verify"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert ok.returncode == 0 and ok.stdout.startswith("ok: 30 entries"), ok.stdout + ok.stderr


async def test_cli_verify_fails_on_a_tampered_log():
    victim = (await entries())[5]
    await raw(f"UPDATE audit_entry SET actor = 'someone else' WHERE id = {victim['id']}")
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "gpcloud",
        "audit",
        "verify",
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "COLUMNS": "200"},
    )
    out, _ = await proc.communicate()
    assert proc.returncode == 1
    assert f"broken at audit entry {victim['id']}" in out.decode()


async def test_concurrent_appends_keep_one_chain():
    async def append(i: int) -> None:
        with use_scope((await tenant_tree()).scope_for("441481")):
            async with transaction():
                await audit.record("test.append", "thing", i, None, {"i": i})

    await asyncio.gather(*(append(i) for i in range(20)))
    result = await audit.verify()
    assert result.ok and result.entries == 30 + 20


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
    assert (await audit.verify()).ok
