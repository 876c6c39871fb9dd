"""Delivering notifications beyond the inbox with a real arq worker: .eml files by default, a real
SMTP server (aiosmtpd) when configured, plugin channels where the province approved them;
retries, dead letters for the region's admins, one send per attempt under concurrency, and
deliveries Redis lost queued again at the worker's start."""

import asyncio
import json
import os
import socket
from contextlib import contextmanager
from datetime import date, timedelta
from email import policy
from email.parser import BytesParser

import pytest
from aiosmtpd.controller import Controller

from gpcloud.contracts import service as contracts
from gpcloud.contracts import signing
from gpcloud.core.db import transaction
from gpcloud.core.errors import DomainError
from gpcloud.core.jobs.service import arq_pool, queue_name
from gpcloud.core.notifications import outbox
from gpcloud.core.notifications.jobs import deliver_notification
from gpcloud.core.notifications.service import Recipients, notify
from gpcloud.core.notifications.tables import Notification, NotificationDelivery
from gpcloud.core.redis import get_redis
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.settings import get_settings
from tests.integration.contracts.test_contracts import draft, new_key, sign
from tests.integration.core.test_notifications import PREFERENCES, SET_PREFERENCE, rows
from tests.integration.procurement import actor, awarded_project, filed_plan
from tests.plugins.exercise import exercised
from tests.plugins.test_approvals import approved
from tests.support import data, drain_jobs, error_codes, gql, login

DELIVERIES = """query($status: DeliveryStatus) { notificationDeliveries(status: $status) {
  edges { node { id channel status attempts lastError recipient kind tenant { regionCode } } }
} }"""
RETRY = """mutation($id: ID!) { retryNotificationDelivery(id: $id) {
  delivery { status attempts } errors { code } } }"""
SMS = """
import json
import pathlib

import pluggy

hookimpl = pluggy.HookimplMarker("gpcloud")
GPCLOUD_PLUGIN = {"name": "sms", "description": "test SMS gateway", "config_schema": {"type": "object"}}
OUTBOX = pathlib.Path(%r)


@hookimpl
def gpcloud_notification_channels(tenant):
    return [{"name": "sms", "title": "短信"}]


@hookimpl
def gpcloud_deliver_notification(channel, notification, recipient, tenant):
    if channel != "sms":
        return None
    if OUTBOX.with_suffix(".down").exists():
        raise RuntimeError("the SMS gateway is down")
    line = {"to": recipient["mobile"], "tenant": tenant.region_code, "text": notification["subject"]}
    with OUTBOX.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(line, ensure_ascii=False) + "\\n")
    return {"reference": "sms-%%d" %% notification["delivery_id"]}
"""


@contextmanager
def settings(**values):
    """Deployment settings changed for a block, as GPCLOUD_* variables would change them."""
    names = {f"GPCLOUD_{k.upper()}": str(v) for k, v in values.items()}
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update(names)
    get_settings.cache_clear()
    try:
        yield get_settings()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name)
            else:
                os.environ[name] = value
        get_settings.cache_clear()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MailDrop:
    """An aiosmtpd handler: keeps what it accepts, refuses the addresses in `refuse`."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server(port: int):
    drop = MailDrop()
    controller = Controller(drop, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield drop
    finally:
        controller.stop()


def parse(raw: bytes):
    return BytesParser(policy=policy.default).parsebytes(raw)


async def notify_users(*usernames: str, kind="plan.returned") -> list[int]:
    users = tuple([(await actor(u)).id for u in usernames])
    with use_scope((await tenant_tree()).scope_for("440000")):
        return await notify(
            kind,
            Recipients(users=users),
            {"title": "教学设备采购", "plan_id": 9, "reason": "预算依据不足"},
        )


async def deliveries() -> list[dict]:
    return await rows(NotificationDelivery)


@pytest.mark.day(date(2026, 11, 2))
async def test_a_contract_awaiting_signature_mails_the_other_party_its_deadline(demo):
    world = await filed_plan()
    world["project"] = await awarded_project(world)
    contract = await draft(world)
    buyer_key, buyer_public = new_key()
    with use_scope(world["scope"]):
        await signing.register_key(world["purchaser"], buyer_public)
        await contracts.sign(world["purchaser"], contract["id"], sign(buyer_key, contract))
    await drain_jobs()
    [notification] = await inbox_of("xn.supplier")
    assert notification["due"] == date(2026, 11, 16)
    [delivery] = await rows(
        NotificationDelivery, NotificationDelivery.notification == notification["id"]
    )
    assert (delivery["status"], delivery["attempts"]) == ("sent", 1)
    assert delivery["reference"] == f"mail/441481/{delivery['id']}.eml"
    message = parse((get_settings().var / delivery["reference"]).read_bytes())
    assert message["To"] == "供应商投标专员 <xn.supplier@demo.example.com>"
    assert message["To"].addresses[0].addr_spec == "xn.supplier@demo.example.com"
    assert message["From"].addresses[0].display_name == "广东政府采购智慧云平台"
    assert message["Subject"] == "合同待贵单位签署：教学设备采购合同"
    assert message["Message-ID"] == f"<notification-delivery-{delivery['id']}@gpcloud.invalid>"
    assert message["Date"].datetime.tzinfo is not None
    assert message["Auto-Submitted"] == "auto-generated"
    body = message.get_content()
    assert "已由采购人签署，现待贵单位签署" in body and "金额 4380000.00 元" in body
    assert "办理期限：2026年11月16日" in body
    assert "期限说明：依据《中华人民共和国政府采购法》第四十六条" in body
    # The purchaser who signed is not told to sign (only that its plan was filed).
    assert [n["kind"] for n in await inbox_of("xn.purchaser")] == ["plan.filed"]


async def inbox_of(username: str) -> list[dict]:
    user = (await actor(username)).id
    return await rows(Notification, Notification.recipient == user)


async def test_smtp_delivers_to_a_real_server_and_a_refused_address_is_dead_at_once(demo):
    port = free_port()
    with smtp_server(port) as server, settings(smtp_host="127.0.0.1", smtp_port=port):
        server.refuse.add("mz.purchaser@demo.example.com")
        await notify_users("xn.purchaser", "mz.purchaser")
        await drain_jobs()
    [(recipients, raw)] = server.messages
    assert recipients == ["xn.purchaser@demo.example.com"]
    message = parse(raw)
    assert message["Subject"] == "采购计划被退回：教学设备采购"
    assert "退回理由：预算依据不足" in message.get_content()
    by_tenant = {d["tenant_id"]: d for d in await deliveries()}
    sent, refused = by_tenant["441481"], by_tenant["441400"]
    assert (sent["status"], sent["reference"]) == ("sent", message["Message-ID"])
    assert (refused["status"], refused["attempts"]) == ("dead", 1)
    assert "refused mz.purchaser@demo.example.com" in refused["last_error"]


async def test_failures_are_retried_then_dead_for_the_regions_admins_who_retry_them(client, demo):
    port = free_port()  # nothing listens there yet
    with settings(
        smtp_host="127.0.0.1",
        smtp_port=port,
        notification_max_attempts=3,
        notification_retry_seconds=0,
    ):
        await notify_users("xn.purchaser", "mz.purchaser")
        await drain_jobs()
        assert [(d["status"], d["attempts"]) for d in await deliveries()] == [("dead", 3)] * 2
        assert all("SMTPConnect" in d["last_error"] for d in await deliveries())

        county = await login(client, "xn.admin")
        dead = data(await gql(client, DELIVERIES, {"status": "DEAD"}, token=county))
        [node] = [e["node"] for e in dead["notificationDeliveries"]["edges"]]
        assert (node["recipient"], node["kind"], node["tenant"]) == (
            "xn.purchaser",
            "PLAN_RETURNED",
            {"regionCode": "441481"},
        )
        city = await login(client, "mz.admin")
        seen = data(await gql(client, DELIVERIES, {"status": "DEAD"}, token=city))
        assert {e["node"]["recipient"] for e in seen["notificationDeliveries"]["edges"]} == {
            "xn.purchaser",
            "mz.purchaser",
        }
        none = data(await gql(client, DELIVERIES, {"status": "SENT"}, token=city))
        assert none["notificationDeliveries"]["edges"] == []
        purchaser = await login(client, "xn.purchaser")
        assert error_codes(await gql(client, DELIVERIES, token=purchaser)) == ["FORBIDDEN"]

        theirs = next(d["id"] for d in await deliveries() if d["tenant_id"] == "441400")
        refused = data(await gql(client, RETRY, {"id": str(theirs)}, token=county))
        assert refused["retryNotificationDelivery"]["errors"] == [{"code": "NOT_FOUND"}]
        with smtp_server(port) as server:
            retried = data(await gql(client, RETRY, {"id": node["id"]}, token=county))
            assert retried["retryNotificationDelivery"] == {
                "delivery": {"status": "PENDING", "attempts": 0},
                "errors": [],
            }
            await drain_jobs()
        assert [to for to, _ in server.messages] == [["xn.purchaser@demo.example.com"]]
        again = data(await gql(client, RETRY, {"id": node["id"]}, token=county))
        assert again["retryNotificationDelivery"]["errors"] == [{"code": "WRONG_STATE"}]
    assert {d["tenant_id"]: d["status"] for d in await deliveries()} == {
        "441481": "sent",
        "441400": "dead",
    }


@pytest.fixture
async def sms(client, demo, install_plugin, tmp_path):
    """The `sms` plugin, approved for Xingning; its gateway writes to the returned file."""
    sent = tmp_path / "sms.jsonl"
    install_plugin("sms", SMS % str(sent), version="1.0.0")
    await approved(client, "sms")
    return sent


async def test_a_plugin_channel_delivers_where_approved_and_as_chosen(client, sms):
    token = await login(client, "xn.purchaser")
    with exercised("gpcloud_notification_channels"):
        shown = data(await gql(client, PREFERENCES, token=token))["notificationPreferences"]
    assert {c["name"]: c["title"] for c in shown["availableChannels"]} == {
        "email": "电子邮件",
        "sms": "短信",
    }
    chosen = {"kind": "PLAN_RETURNED", "channels": ["sms"]}
    assert (
        data(await gql(client, SET_PREFERENCE, chosen, token=token))["setNotificationPreference"][
            "errors"
        ]
        == []
    )
    meizhou = await login(client, "mz.purchaser")  # not approved in Meizhou
    refused = data(await gql(client, SET_PREFERENCE, chosen, token=meizhou))
    assert refused["setNotificationPreference"]["errors"][0]["code"] == "UNKNOWN_CHANNEL"

    await notify_users("xn.purchaser")
    with exercised("gpcloud_deliver_notification"):
        await drain_jobs()
    [line] = [json.loads(x) for x in sms.read_text(encoding="utf-8").splitlines()]
    assert line == {"to": "13800000000", "tenant": "441481", "text": "采购计划被退回：教学设备采购"}
    [delivery] = [d for d in await deliveries() if d["channel"] == "sms"]
    assert (delivery["status"], delivery["reference"]) == ("sent", f"sms:sms-{delivery['id']}")
    assert len(await inbox_of("xn.purchaser")) == 1  # and the inbox, as always

    sms.with_suffix(".down").touch()
    with settings(notification_max_attempts=2, notification_retry_seconds=0):
        await notify_users("xn.purchaser")
        await drain_jobs()
    failed = [d for d in await deliveries() if d["channel"] == "sms"][-1]
    assert (failed["status"], failed["attempts"]) == ("dead", 2)
    assert "plugin sms failed" in failed["last_error"] and "gateway is down" in failed["last_error"]


async def test_concurrent_attempts_send_once(client, sms):
    token = await login(client, "xn.purchaser")
    await gql(client, SET_PREFERENCE, {"kind": "PLAN_RETURNED", "channels": ["sms"]}, token=token)
    await notify_users("xn.purchaser")
    [delivery] = [d for d in await deliveries() if d["channel"] == "sms"]
    outcomes = await asyncio.gather(*(deliver_notification({}, delivery["id"]) for _ in range(6)))
    assert sorted(outcomes) == ["not due"] * 5 + ["sent"]
    assert len(sms.read_text(encoding="utf-8").splitlines()) == 1
    await drain_jobs()  # the queued job finds it sent
    assert len(sms.read_text(encoding="utf-8").splitlines()) == 1


async def test_deliveries_redis_lost_are_queued_at_the_worker_start(demo):
    await notify_users("xn.purchaser")
    redis, namespace = get_redis(), get_settings().redis_namespace
    pool = await arq_pool()
    lost = [k async for k in redis.scan_iter(f"arq:job:{namespace}:delivery:*")]
    assert lost
    await redis.delete(*lost)
    await pool.delete(queue_name())
    await drain_jobs()
    assert [d["status"] for d in await deliveries()] == ["sent"]


def test_retries_wait_twice_as_long_each_time_up_to_six_hours():
    base = timedelta(seconds=get_settings().notification_retry_seconds)
    assert [outbox.retry_delay(n) for n in (1, 2, 3)] == [base, base * 2, base * 4]
    assert outbox.retry_delay(40) == timedelta(hours=6)


async def test_racing_retries_of_a_dead_delivery_revive_it_once(demo):
    await notify_users("xn.purchaser")
    with all_tenants("test: a dead letter"):
        await NotificationDelivery.update({NotificationDelivery.status: "dead"}, force=True)
    [delivery] = await deliveries()
    admin = await actor("xn.admin")

    async def retry() -> str:
        with use_scope((await tenant_tree()).scope_for("441481", user_id=admin.id)):
            try:
                async with transaction():
                    return (await outbox.retry(admin, delivery["id"]))["status"]
            except DomainError as exc:
                return exc.code

    outcomes = await asyncio.gather(*(retry() for _ in range(4)))
    assert sorted(outcomes) == ["WRONG_STATE"] * 3 + ["pending"]
    await drain_jobs()
    assert [d["status"] for d in await deliveries()] == ["sent"]
