"""A sealed bid over HTTP: the request limits as a bidder meets them.

- The time limit never reports as failed a request whose transaction committed (the bid counts,
  so its receipt must reach the bidder); a request that ran out of time before its commit began
  is rolled back. Checked on the middleware itself with a real transaction around it.
- The body limit is per operation (core/request_limits.OPERATION_BODY_LIMITS): a 1 MB sealed bid
  (~1.4 MB of JSON) is taken by submitBid; the same body sent to another mutation, or with
  another root field beside submitBid, is refused 413 REQUEST_TOO_LARGE before any handler runs.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
import os
from datetime import timedelta

import httpx
import pytest
import time_machine

from gpcloud.core import request_limits as request_limits_module
from gpcloud.core.audit import service as audit
from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.auth.tables import User
from gpcloud.core.auth.tokens import issue_token
from gpcloud.core.db import is_sqlite, transaction
from gpcloud.core.request_limits import request_limits
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.piccolo_conf import DB
from gpcloud.settings import get_settings
from gpcloud.transaction import bids, sealing
from tests.integration.procurement import filed_plan
from tests.integration.transaction.bidding import DEADLINE, bidder, tender

TIMEOUT_MS = 200
SUBMIT = """mutation($input: SubmitBidInput!) { submitBid(input: $input) {
  bid { id } receipt { digest content } replayed errors { code message } } }"""


@pytest.fixture
async def world(demo):
    return await filed_plan()


@pytest.fixture
def traveller():
    with time_machine.travel(DEADLINE - timedelta(days=30), tick=False) as t:
        yield t


def asgi(work):
    """A bare ASGI app: `await work()`, then answer 200 {"ok": true}."""

    async def app(scope, receive, send):
        with all_tenants("test: a bare handler"):
            await work()
        body = b'{"ok": true}'
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})

    return app


async def through_limits(work) -> httpx.Response:
    settings = dataclasses.replace(get_settings(), request_timeout_ms=TIMEOUT_MS)
    app = request_limits(settings)(asgi(work))
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50002))
    async with httpx.AsyncClient(transport=transport, base_url="http://gpcloud.test") as http:
        return await http.post("/graphql", json={"query": "{ __typename }"})


async def written(action: str) -> int:
    with all_tenants("test: the audit log"):
        return await AuditEntry.count().where(AuditEntry.action == action)


async def test_a_committed_request_is_answered_whatever_the_time(demo):
    """Slow after its commit (a bid's receipt being rendered): answered, not 503."""

    async def commit_then_dawdle():
        async with transaction():
            await audit.record("test.committed", "test", 1, tenant="441481")
        await asyncio.sleep(TIMEOUT_MS / 1000 * 3)

    response = await through_limits(commit_then_dawdle)
    assert response.status_code == 200, response.text
    assert await written("test.committed") == 1


async def test_a_request_out_of_time_before_its_commit_is_rolled_back(demo):
    async def dawdle_then_commit():
        async with transaction():
            await audit.record("test.never", "test", 1, tenant="441481")
            await asyncio.sleep(TIMEOUT_MS / 1000 * 3)

    response = await through_limits(dawdle_then_commit)
    assert response.status_code == 503
    assert response.json()["errors"][0]["extensions"] == {"code": "REQUEST_TIMEOUT"}
    await asyncio.sleep(TIMEOUT_MS / 1000 * 4)  # the handler's own end (cancelled)
    assert await written("test.never") == 0


async def test_a_commit_begun_after_the_answer_is_not_made(demo):
    """Time ran out and the 503 is decided, but the handler reaches its commit before it is
    cancelled: the commit is refused, so what the client is told failed did not happen."""

    async def commit_once_refused():
        async with transaction():
            await audit.record("test.too_late", "test", 1, tenant="441481")
            budget = request_limits_module._BUDGET.get()
            while not budget.refusal.done():  # noqa: ASYNC110 (each loop turn: no cancel between)
                await asyncio.sleep(0)

    response = await through_limits(commit_once_refused)
    assert response.status_code == 503
    await asyncio.sleep(TIMEOUT_MS / 1000)
    assert await written("test.too_late") == 0


async def token_of(b) -> str:
    with all_tenants("test"):
        row = await User.select(User.token_version).where(User.id == b.user.id).first()
    return issue_token(b.user.id, b.user.tenant, row["token_version"])[0]


def megabyte_bid(b, project: int) -> dict:
    package = sealing.BidPackage(
        form={"price": "4000000"}, files=[sealing.BidFile("技术响应.pdf", os.urandom(1_000_000))]
    )
    sealed = sealing.seal(
        package,
        project_id=project,
        lot="1",
        signing_key=b.signing_key,
        sealing_public_key=b.sealing_key.public_key(),
        content_key=os.urandom(32),
    )
    assert len(sealed.ciphertext) > 1_000_000
    return {
        "input": {
            "projectId": str(project),
            "lot": "1",
            "ciphertext": base64.b64encode(sealed.ciphertext).decode(),
            "wrappedKey": base64.b64encode(sealed.wrapped_key).decode(),
            "signature": base64.b64encode(sealed.signature).decode(),
        }
    }


async def test_a_one_megabyte_bid_is_taken_and_only_by_submit_bid(client, world, traveller):
    project = await tender(world, traveller)
    b = await bidder(1)
    traveller.move_to(DEADLINE - timedelta(hours=1))
    token = await token_of(b)
    variables = megabyte_bid(b, project)
    headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}

    async def post(query: str) -> httpx.Response:
        body = json.dumps({"query": query, "variables": variables}).encode()
        assert len(body) > get_settings().max_body_bytes
        return await client.post("/graphql", content=body, headers=headers)

    answer = await post(SUBMIT)
    assert answer.status_code == 200, answer.text
    payload = answer.json()["data"]["submitBid"]
    assert payload["errors"] == [] and payload["replayed"] is False
    # The same body again: the same bid (a retry), its original receipt.
    again = (await post(SUBMIT)).json()["data"]["submitBid"]
    assert again["replayed"] is True and again["receipt"] == payload["receipt"]

    other_mutation = SUBMIT.replace("submitBid(input: $input)", 'withdrawBid(bidId: "1")')
    both = SUBMIT.replace("} } }", '} } withdrawBid(bidId: "1") { errors { code } } }')
    for query in (other_mutation, both):
        refused = await post(query)
        assert refused.status_code == 413, refused.text
        (error,) = refused.json()["errors"]
        assert error["extensions"] == {"code": "REQUEST_TOO_LARGE"}
    with all_tenants("test"):
        assert len(await bids.of_project(project)) == 1
    # Beyond the bid's own limit, refused before a byte is read (the declared length).
    huge = b" " * (get_settings().max_bid_body_bytes + 1)
    refused = await client.post("/graphql", content=huge, headers=headers)
    assert refused.status_code == 413
    assert refused.json()["errors"][0]["extensions"] == {"code": "REQUEST_TOO_LARGE"}


async def test_a_cancel_while_the_transaction_begins_gives_its_connection_back(
    deployment, monkeypatch
):
    """Seen under the bid benchmark's load: a request cancelled by its time limit just as its
    transaction began left the connection out of the pool, idle in transaction, for good."""
    if is_sqlite():
        pytest.skip("the PostgreSQL pool's connections")
    from piccolo.engine.postgres import PostgresTransaction

    begin = PostgresTransaction.begin

    async def begun_then_cancelled(self):
        await begin(self)  # BEGIN ran; the cancel arrives before piccolo's __aenter__ returns
        raise asyncio.CancelledError

    monkeypatch.setattr(PostgresTransaction, "begin", begun_then_cancelled)
    size = DB.pool.get_size()
    with pytest.raises(asyncio.CancelledError):
        async with transaction():
            pass
    monkeypatch.setattr(PostgresTransaction, "begin", begin)
    await asyncio.sleep(0.1)  # the shielded release
    assert DB.pool.get_idle_size() == DB.pool.get_size() >= size
    stuck = await DB.run_ddl(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        "AND state = 'idle in transaction'"
    )
    assert stuck == []
