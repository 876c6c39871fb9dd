"""Proofs from the audit log: a supplier proves its own entry, auditors their region's, anyone
that the log only grew; the published heads; and what the checker refuses."""

from datetime import datetime

import pytest

from gpcloud.core.audit import heads, proofs, sequencer
from gpcloud.core.audit import service as audit
from gpcloud.core.audit.client import ProofFailed, check_consistency, check_inclusion
from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.auth.roles import PROVINCE_ADMIN
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.db import transaction
from gpcloud.core.tenancy.scope import use_scope
from gpcloud.core.tenancy.service import tenant_tree
from tests.support import data, error_codes, gql, login

MINE = "{ myAuditEntries(first: 10) { edges { node { id action tenantCode position } } } }"
INCLUSION = """query($id: ID!, $size: Int) { auditInclusionProof(entryId: $id, treeSize: $size) {
  entry { id action objectType objectId tenantCode at position leafHash } leaf leafIndex path
  head { treeSize rootHash signedAt signature keyId message } } }"""
CONSISTENCY = """query($first: Int!, $second: Int!) { auditConsistencyProof(first: $first,
  second: $second) { first { treeSize rootHash signedAt signature keyId message }
  second { treeSize rootHash signedAt signature keyId message } path } }"""
AUDITOR = CurrentUser(0, "gd.auditor", "440000", 0, frozenset({PROVINCE_ADMIN}), False, (), None)
PROFILE = """mutation { completeProfile(input: {displayName: "投标专员（梅州）"}) {
  errors { code } } }"""


async def own_entry(client, username: str) -> tuple[str, str]:
    """(token, entry id): the user changes their profile, an audited action of their own."""
    token = await login(client, username)
    assert data(await gql(client, PROFILE, token=token))["completeProfile"]["errors"] == []
    edges = data(await gql(client, MINE, token=token))["myAuditEntries"]["edges"]
    assert [e["node"]["action"] for e in edges] == ["user.complete_profile"]
    return token, edges[0]["node"]["id"]


async def test_a_supplier_proves_its_own_entry_and_the_proof_checks_out(client, demo):
    token, entry = await own_entry(client, "mz.supplier")
    pending = await gql(client, INCLUSION, {"id": entry}, token=token)
    assert error_codes(pending) == ["AUDIT_ENTRY_PENDING"]
    await sequencer.sequence()
    proof = data(await gql(client, INCLUSION, {"id": entry}, token=token))["auditInclusionProof"]
    assert proof["entry"]["action"] == "user.complete_profile"
    assert proof["entry"]["tenantCode"] == "441400"
    steps = check_inclusion(proof, heads.public_key())
    assert "signature valid" in steps[2] and "leads from the leaf to the signed root" in steps[3]
    with pytest.raises(ProofFailed, match="not the key you trust"):
        check_inclusion(proof, "11" * 32)
    with pytest.raises(ProofFailed, match="does not lead"):
        check_inclusion(
            {**proof, "path": [*proof["path"][1:], proof["path"][0]]}, heads.public_key()
        )
    with pytest.raises(ProofFailed, match="not the entry"):
        check_inclusion({**proof, "leafIndex": proof["leafIndex"] - 1}, heads.public_key())
    moved = {**proof["head"], "treeSize": proof["head"]["treeSize"] + 1}
    with pytest.raises(ProofFailed, match="does not state its own fields"):
        check_inclusion({**proof, "head": moved}, heads.public_key())


async def test_nobody_else_but_the_regions_auditors_may_see_an_entry(client, demo):
    _, entry = await own_entry(client, "mz.supplier")
    await sequencer.sequence()
    for other in ("xn.supplier", "xn.admin", "mz.purchaser"):
        answer = await gql(client, INCLUSION, {"id": entry}, token=await login(client, other))
        assert error_codes(answer) == ["NOT_FOUND"], other
    for auditor in ("mz.admin", "mz.supervisor", "gd.admin"):
        answer = await gql(client, INCLUSION, {"id": entry}, token=await login(client, auditor))
        assert data(answer)["auditInclusionProof"]["entry"]["id"] == entry, auditor
    assert error_codes(await gql(client, INCLUSION, {"id": entry})) == ["UNAUTHENTICATED"]
    assert error_codes(await gql(client, MINE)) == ["UNAUTHENTICATED"]


async def test_proofs_against_older_heads_and_refusals(client, demo):
    token, entry = await own_entry(client, "mz.supplier")
    first = (await sequencer.sequence())[-1]
    again = PROFILE.replace("（梅州）", "（兴宁）")
    assert data(await gql(client, again, token=token))["completeProfile"]["errors"] == []
    later = (await sequencer.sequence())[-1]
    newest = data(await gql(client, MINE, token=token))["myAuditEntries"]["edges"][-1]["node"]
    older = data(await gql(client, INCLUSION, {"id": entry, "size": first.tree_size}, token=token))
    newer = data(await gql(client, INCLUSION, {"id": entry}, token=token))
    assert older["auditInclusionProof"]["head"]["treeSize"] == first.tree_size
    assert newer["auditInclusionProof"]["head"]["treeSize"] == later.tree_size
    for answer in (older, newer):
        check_inclusion(answer["auditInclusionProof"], heads.public_key())
    refusals = {
        "AUDIT_ENTRY_NOT_IN_HEAD": {"id": newest["id"], "size": first.tree_size},
        "AUDIT_NO_SUCH_HEAD": {"id": entry, "size": first.tree_size - 1},
        "NOT_FOUND": {"id": "999999"},
    }
    for code, variables in refusals.items():
        assert error_codes(await gql(client, INCLUSION, variables, token=token)) == [code]
    assert error_codes(await gql(client, INCLUSION, {"id": "x"}, token=token)) == ["NOT_FOUND"]


async def test_anyone_checks_that_the_log_only_grew(client, demo):
    signed = await sequencer.sequence(batch=20)
    sizes = [h.tree_size for h in signed]
    assert len(sizes) >= 3
    for first in sizes:
        for second in sizes:
            if first <= second:
                answer = await gql(client, CONSISTENCY, {"first": first, "second": second})
                check_consistency(data(answer)["auditConsistencyProof"], heads.public_key())
    answer = data(await gql(client, CONSISTENCY, {"first": sizes[0], "second": sizes[-1]}))
    proof = answer["auditConsistencyProof"]
    with pytest.raises(ProofFailed, match="does not extend"):
        check_consistency({**proof, "path": proof["path"][:-1]}, heads.public_key())
    assert error_codes(await gql(client, CONSISTENCY, {"first": 5, "second": 3})) == [
        "INVALID_TREE_SIZES"
    ]
    assert error_codes(await gql(client, CONSISTENCY, {"first": 1, "second": sizes[0]})) == [
        "AUDIT_NO_SUCH_HEAD"
    ]


async def test_proofs_in_a_larger_log_read_stored_subtrees():
    """600 entries signed in batches of 150: every 37th entry proven at every head, every pair
    of heads proven consistent (the stored 16-leaf and larger subtrees in use)."""
    with use_scope((await tenant_tree()).scope_for("440000")):
        async with transaction():
            for i in range(570):
                await audit.record("test.bulk", "thing", i)
    signed = await sequencer.sequence(batch=150)
    assert [h.tree_size for h in signed] == [150, 300, 450, 600]
    with use_scope((await tenant_tree()).scope_for("440000")):
        rows = await AuditEntry.select(AuditEntry.id, AuditEntry.seq).order_by(AuditEntry.seq)
        for row in rows[::37]:
            for head in signed:
                if row["seq"] < head.tree_size:
                    proof = await proofs.inclusion(AUDITOR, row["id"], head.tree_size)
                    check_inclusion(_as_api(proof), heads.public_key())
    for a in signed:
        for b in signed:
            if a.tree_size <= b.tree_size:
                proof = await proofs.consistency(a.tree_size, b.tree_size)
                check_consistency(
                    {
                        "first": _head(proof.first),
                        "second": _head(proof.second),
                        "path": proof.path,
                    },
                    heads.public_key(),
                )


def _head(head: heads.Head) -> dict:
    return {
        "treeSize": head.tree_size,
        "rootHash": head.root_hash,
        "signedAt": head.signed_at.isoformat(),
        "signature": head.signature,
        "keyId": head.key_id,
        "message": head.message.decode(),
    }


def _as_api(proof: proofs.InclusionProof) -> dict:
    return {
        "entry": {"id": str(proof.entry["id"])},
        "leaf": proof.leaf,
        "leafIndex": proof.leaf_index,
        "path": proof.path,
        "head": _head(proof.head),
    }


async def test_the_heads_are_published_newest_first_and_paged(client):
    signed = await sequencer.sequence(batch=7)
    page = (await client.get("/audit/heads?limit=2")).json()
    assert page["public_key"] == heads.public_key()
    assert [h["tree_size"] for h in page["heads"]] == [30, 28]
    rest = (await client.get(page["links"]["next"].replace("http://gpcloud.test", ""))).json()
    assert [h["tree_size"] for h in rest["heads"]] == [21, 14]
    assert {
        h["tree_size"] for h in (await client.get("/audit/heads?limit=100")).json()["heads"]
    } == {h.tree_size for h in signed}
    for bad in ("limit=0", "limit=101", "before=x"):
        assert (await client.get(f"/audit/heads?{bad}")).status_code == 400, bad
    for head in page["heads"]:
        published = heads.Head(
            head["tree_size"],
            head["root_hash"],
            datetime.fromisoformat(head["signed_at"]),
            head["signature"],
            head["key_id"],
        )
        assert heads.signature_valid(published, page["public_key"])
