"""Checking the platform's proofs from outside it, as `gpcloud audit prove` does for a supplier:
nothing but the API's answers and the public key the checker trusts."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import datetime

from gpcloud.core.audit import heads, merkle

ENTRY = "id action objectType objectId tenantCode at position leafHash"
HEAD = "treeSize rootHash signedAt signature keyId message"
INCLUSION = f"""query($id: ID!, $size: Int) {{ auditInclusionProof(entryId: $id, treeSize: $size) {{
  entry {{ {ENTRY} }} leaf leafIndex path head {{ {HEAD} }} }} }}"""
CONSISTENCY = f"""query($first: Int!, $second: Int!) {{
  auditConsistencyProof(first: $first, second: $second) {{
    first {{ {HEAD} }} second {{ {HEAD} }} path }} }}"""
LOGIN = """mutation($u: String!, $p: String!) { login(username: $u, password: $p) {
  token errors { code message } } }"""


class ProofFailed(Exception):
    """A proof, a signature or an answer that does not check out."""


def _head(head: dict, public_key: str) -> heads.Head:
    """The head as signed, after checking that its text states its fields and its signature."""
    signed = heads.Head(
        head["treeSize"],
        head["rootHash"],
        datetime.fromisoformat(head["signedAt"]),
        head["signature"],
        head["keyId"],
    )
    if signed.message.decode() != head["message"]:
        raise ProofFailed(f"the head of size {signed.tree_size} does not state its own fields")
    if signed.key_id != heads.key_id(public_key):
        raise ProofFailed(f"the head was signed by key {signed.key_id}, not the key you trust")
    if not heads.signature_valid(signed, public_key):
        raise ProofFailed(f"the signature of the head of size {signed.tree_size} is not valid")
    return signed


def check_inclusion(proof: dict, public_key: str) -> list[str]:
    """Check an auditInclusionProof answer; return what was checked, step by step."""
    entry, leaf = proof["entry"], proof["leaf"].encode()
    body = json.loads(leaf)
    if str(body["id"]) != entry["id"] or body["seq"] != proof["leafIndex"]:
        raise ProofFailed("the leaf is not the entry asked about, at its position")
    leaf_hash = merkle.leaf_hash(leaf)
    steps = [
        f"leaf {proof['leafIndex']}: {body['action']} {body['object_type']} {body['object_id']} "
        f"({body['tenant_id']}, {body['created_at']})",
        f"leaf hash {leaf_hash.hex()} = SHA-256(0x00 || leaf)",
    ]
    head = _head(proof["head"], public_key)
    steps.append(
        f"tree head: size {head.tree_size}, root {head.root_hash}, signed "
        f"{heads.timestamp(head.signed_at)} by key {head.key_id}: signature valid"
    )
    path = [bytes.fromhex(h) for h in proof["path"]]
    if not merkle.verify_inclusion(
        leaf_hash, proof["leafIndex"], head.tree_size, path, bytes.fromhex(head.root_hash)
    ):
        raise ProofFailed("the audit path does not lead to the signed root")
    steps.append(f"audit path of {len(path)} hashes leads from the leaf to the signed root")
    return steps


def check_consistency(proof: dict, public_key: str) -> list[str]:
    """Check an auditConsistencyProof answer; return what was checked."""
    first, second = _head(proof["first"], public_key), _head(proof["second"], public_key)
    path = [bytes.fromhex(h) for h in proof["path"]]
    if not merkle.verify_consistency(
        first.tree_size,
        second.tree_size,
        bytes.fromhex(first.root_hash),
        bytes.fromhex(second.root_hash),
        path,
    ):
        raise ProofFailed("the log of the second head does not extend the first")
    return [
        f"tree head {first.tree_size} (root {first.root_hash}): signature valid",
        f"tree head {second.tree_size} (root {second.root_hash}): signature valid",
        f"consistency proof of {len(path)} hashes: the log of {second.tree_size} entries "
        f"extends the log of {first.tree_size} unchanged",
    ]


class Platform:
    """A gpcloud platform's public HTTP API (stdlib only: the checker needs nothing else)."""

    def __init__(self, url: str, token: str | None = None):
        self.url, self.token = url.rstrip("/"), token

    def _request(self, path: str, body: dict | None = None) -> dict:
        headers = {"content-type": "application/json"}
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read())
        except (urllib.error.URLError, ValueError) as exc:
            raise ProofFailed(f"{self.url}{path}: {exc}") from None

    def query(self, query: str, variables: dict) -> dict:
        answer = self._request("/graphql", {"query": query, "variables": variables})
        if answer.get("errors"):
            error = answer["errors"][0]
            code = error.get("extensions", {}).get("code", "ERROR")
            raise ProofFailed(f"{code}: {error['message']}")
        return answer["data"]

    def login(self, username: str, password: str) -> None:
        payload = self.query(LOGIN, {"u": username, "p": password})["login"]
        if payload["errors"]:
            raise ProofFailed(f"login: {payload['errors'][0]['message']}")
        self.token = payload["token"]

    def public_key(self) -> str:
        return self._request("/audit/heads?limit=1")["public_key"]

    def inclusion(self, entry_id: str, tree_size: int | None) -> dict:
        return self.query(INCLUSION, {"id": entry_id, "size": tree_size})["auditInclusionProof"]

    def consistency(self, first: int, second: int) -> dict:
        variables = {"first": first, "second": second}
        return self.query(CONSISTENCY, variables)["auditConsistencyProof"]
