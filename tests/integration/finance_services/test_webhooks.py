"""Webhooks to institutions, delivered by real arq jobs to a real HTTP endpoint on 127.0.0.1
that checks them as docs/finance-services.md tells institutions to: signed (HMAC-SHA256),
fresh (timestamp window), never twice (nonce). A replayed, stale or tampered delivery is
refused; failures are retried with backoff (scheduler) until the delivery is dead; a dead
letter is delivered again on request."""

from __future__ import annotations

import asyncio
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
import uvicorn

from gpcloud.contracts import performance
from gpcloud.contracts import service as contracts
from gpcloud.core.clock import now
from gpcloud.core.errors import DomainError
from gpcloud.core.scheduler import service as scheduler
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.finance_services.service import financing, institutions, webhooks
from gpcloud.finance_services.tables import FinancialInstitution, WebhookDelivery
from tests.integration.contracts.test_contracts import signed
from tests.integration.finance_services.support import admitted
from tests.integration.procurement import awarded_project, filed_plan
from tests.support import drain_jobs, free_port

pytestmark = pytest.mark.day(date(2026, 11, 2))


class Receiver:
    """An institution's endpoint: verifies each delivery with the reference receiver."""

    def __init__(self):
        self.secret = ""
        self.accepted: list[dict] = []
        self.raw: list[tuple[dict, bytes]] = []
        self.refused: list[str] = []
        self.failing = False

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        status = 200
        if self.failing:
            status = 503
        else:
            try:
                self.accepted.append(await webhooks.verify(self.secret, headers, body))
                self.raw.append((headers, body))
            except DomainError as exc:
                self.refused.append(exc.code)
                status = 409
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


@pytest.fixture
async def endpoint():
    receiver = Receiver()
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(receiver, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started:
            break
        await asyncio.sleep(0.02)
    receiver.port = port
    receiver.url = f"http://127.0.0.1:{port}/hook"
    try:
        yield receiver
    finally:
        server.should_exit = True
        await task


@pytest.fixture
async def world(demo, endpoint, allow_local):
    world = await filed_plan()
    world["project"] = await awarded_project(world)
    world["contract"] = (await signed(world))["id"]
    world["bank"] = bank = await admitted("mz.bank", "bank")
    with use_scope(bank["scope"]):
        _, endpoint.secret = await institutions.set_webhook(bank["user"], endpoint.url)
    with use_scope(world["scope"]):
        _, offers = await financing.apply(
            world["seller"], world["contract"], Decimal("500000"), [bank["row"]["id"]], ""
        )
    world["offer"] = offers[0]["id"]
    return world


async def deliveries(status: str | None = None) -> list[dict]:
    with all_tenants("test: the deliveries"):
        query = WebhookDelivery.select().order_by(WebhookDelivery.id)
        if status:
            query = query.where(WebhookDelivery.status == status)
        return await query


async def test_signed_delivery_and_replay_refused(world, endpoint):
    with use_scope(world["scope"]):
        await contracts.publish(world["purchaser"], world["contract"], on=date(2026, 10, 1))
        await performance.accept(
            world["purchaser"],
            world["contract"],
            performance.AcceptanceInput("final", "终验", "合格", True, date(2026, 10, 20)),
        )
        await performance.accept(  # a failed acceptance tells no one
            world["purchaser"],
            world["contract"],
            performance.AcceptanceInput("stage", "复验", "不合格", False, date(2026, 10, 21)),
        )
    await drain_jobs()
    events = sorted(e["event"] for e in endpoint.accepted)
    assert events == ["acceptance_passed", "contract_signed"]
    assert all(e["data"]["contract_id"] == world["contract"] for e in endpoint.accepted)
    assert [d["status"] for d in await deliveries()] == ["delivered", "delivered"]
    headers, body = endpoint.raw[0]
    with pytest.raises(DomainError) as replayed:  # the same request again
        await webhooks.verify(endpoint.secret, headers, body)
    assert replayed.value.code == "WEBHOOK_REPLAYED"
    with pytest.raises(DomainError) as tampered:
        await webhooks.verify(endpoint.secret, headers, body.replace(b"contract", b"kontract"))
    assert tampered.value.code == "WEBHOOK_SIGNATURE_INVALID"
    row = (await deliveries())[0]
    stale = webhooks.headers(
        row, endpoint.secret, timestamp=int((now() - timedelta(minutes=6)).timestamp())
    )
    with pytest.raises(DomainError) as old:
        await webhooks.verify(endpoint.secret, stale, row["body"].encode())
    assert old.value.code == "WEBHOOK_STALE"
    forged = webhooks.headers(row, "00" * 32)
    with pytest.raises(DomainError) as wrong_key:
        await webhooks.verify(endpoint.secret, forged, row["body"].encode())
    assert wrong_key.value.code == "WEBHOOK_SIGNATURE_INVALID"
    fresh = webhooks.headers(row, endpoint.secret)
    assert (await webhooks.verify(endpoint.secret, fresh, row["body"].encode()))["event"]
    with pytest.raises(DomainError) as again:  # same nonce, new delivery attempt of an attacker
        await webhooks.verify(endpoint.secret, fresh, row["body"].encode())
    assert again.value.code == "WEBHOOK_REPLAYED"


async def test_retries_with_backoff_then_dead_then_redelivered(world, endpoint):
    endpoint.failing = True
    with use_scope(world["bank"]["scope"]):
        await financing.decide(
            world["bank"]["user"],
            world["offer"],
            financing.Decision(True, Decimal("400000"), "3.6", 6),
        )
    with use_scope(world["scope"]):
        payment = await performance.request_payment(
            world["purchaser"], world["contract"], world["indicator"], Decimal("100000"), False
        )
        await performance.mark_sent(payment, "exported", "F-1")
    assert await financing.payment_events() == 1
    assert await financing.payment_events() == 0  # once per payment and institution
    await drain_jobs()
    for attempt in range(1, webhooks.MAX_ATTEMPTS):
        row = (await deliveries())[0]
        assert (row["status"], row["attempts"]) == ("waiting", attempt), row
        assert row["next_attempt_at"] - now() <= webhooks.retry_delay(attempt)
        await scheduler.run_once(row["next_attempt_at"] - timedelta(seconds=1))
        assert (await deliveries())[0]["status"] == "waiting"  # not before its time
        await scheduler.run_once(row["next_attempt_at"])
        await drain_jobs()
    dead = await deliveries("dead")
    assert (
        len(dead) == 1
        and dead[0]["attempts"] == webhooks.MAX_ATTEMPTS
        and "503" in dead[0]["last_error"]
    )
    endpoint.failing = False
    with use_scope(world["bank"]["scope"]):
        await webhooks.redeliver(world["bank"]["user"], dead[0]["id"])
    await drain_jobs()
    assert [e["event"] for e in endpoint.accepted] == ["payment_made"]
    assert json.loads(dead[0]["body"])["data"]["payment_id"] == payment["id"]
    assert (await deliveries())[0]["status"] == "delivered"
    other = await admitted("xn.bank")
    with use_scope(other["scope"]), pytest.raises(DomainError) as foreign:
        await webhooks.redeliver(other["user"], dead[0]["id"])
    assert foreign.value.code == "NOT_FOUND"


async def test_delivery_goes_to_the_address_checked_never_a_second_lookup(
    world, endpoint, resolver
):
    """DNS rebinding: the name answers the receiver's address when checked and another one
    afterwards. The delivery connects to the address it checked (one lookup per attempt), with
    the name as Host; once the name answers a forbidden address, nothing is sent."""
    bank = world["bank"]
    url = f"http://hook.bank.test:{endpoint.port}/hook"
    resolver.answers["hook.bank.test"] = [["127.0.0.1", "10.1.2.3"]]
    with use_scope(bank["scope"]), pytest.raises(DomainError) as mixed:
        await institutions.set_webhook(bank["user"], url)
    assert mixed.value.code == "WEBHOOK_HOST_FORBIDDEN"
    resolver.answers["hook.bank.test"] = [["127.0.0.1"], ["127.0.0.2"]]
    with use_scope(bank["scope"]):
        _, endpoint.secret = await institutions.set_webhook(bank["user"], url)
    resolver.answers["hook.bank.test"] = [["127.0.0.1"], ["127.0.0.2"]]  # the check, then any
    resolver.lookups.clear()
    with use_scope(world["scope"]):
        await contracts.publish(world["purchaser"], world["contract"], on=date(2026, 10, 1))
    await drain_jobs()
    assert [e["event"] for e in endpoint.accepted] == ["contract_signed"]
    assert resolver.lookups == ["hook.bank.test"]  # the delivery's check, and nothing more
    assert endpoint.raw[0][0]["host"] == f"hook.bank.test:{endpoint.port}"
    resolver.answers["hook.bank.test"] = [["169.254.169.254"]]  # the name now points inside
    with use_scope(world["scope"]):
        await performance.accept(
            world["purchaser"],
            world["contract"],
            performance.AcceptanceInput("final", "终验", "合格", True, date(2026, 10, 20)),
        )
    await drain_jobs()
    assert len(endpoint.accepted) == 1  # nothing more arrived
    refused = (await deliveries("waiting"))[0]
    assert refused["event"] == "acceptance_passed" and refused["attempts"] == 1
    assert refused["last_error"].startswith("WEBHOOK_HOST_FORBIDDEN")


async def test_a_local_receiver_needs_the_setting(demo, monkeypatch, endpoint):
    """Without webhook_allowed_networks a receiver on 127.0.0.1 is refused when set, and a URL
    stored before (or by other means) is refused again at delivery."""
    bank = await admitted("mz.bank", "bank")
    with use_scope(bank["scope"]), pytest.raises(DomainError) as refused:
        await institutions.set_webhook(bank["user"], endpoint.url)
    assert refused.value.code == "WEBHOOK_HOST_FORBIDDEN"
    with all_tenants("test: a URL stored before the check"):
        await FinancialInstitution.update({FinancialInstitution.webhook_url: endpoint.url}).where(
            FinancialInstitution.id == bank["row"]["id"]
        )
        await FinancialInstitution.update({FinancialInstitution.webhook_secret: "00" * 32}).where(
            FinancialInstitution.id == bank["row"]["id"]
        )
        institution = await institutions.get(bank["row"]["id"])
        row = await webhooks.emit(institution, "award_published", "project:1", "441481", {})
    await drain_jobs()
    assert endpoint.raw == [] and endpoint.refused == []  # no request reached it
    stored = (await deliveries())[0]
    assert stored["id"] == row["id"] and stored["status"] == "waiting"
    assert stored["last_error"].startswith("WEBHOOK_HOST_FORBIDDEN")


async def test_the_worker_tells_institutions_of_payments_by_itself(world, endpoint):
    """finance_payment_events is on the worker's loops: a payment sent on a financed contract
    reaches the institution with nobody running the job."""
    from gpcloud import worker

    with use_scope(world["bank"]["scope"]):
        await financing.decide(
            world["bank"]["user"],
            world["offer"],
            financing.Decision(True, Decimal("400000"), "3.6", 6),
        )
    with use_scope(world["scope"]):
        payment = await performance.request_payment(
            world["purchaser"], world["contract"], world["indicator"], Decimal("100000"), False
        )
        await performance.mark_sent(payment, "exported", "F-1")
    assert await deliveries() == []
    ctx: dict = {}
    await worker.on_startup(ctx)
    try:
        for _ in range(200):
            if await deliveries():
                break
            await asyncio.sleep(0.05)
    finally:
        await worker.on_shutdown(ctx)
    [row] = await deliveries()
    assert row["event"] == "payment_made"
    assert json.loads(row["body"])["data"]["payment_id"] == payment["id"]
    await drain_jobs()
    assert [e["event"] for e in endpoint.accepted] == ["payment_made"]
