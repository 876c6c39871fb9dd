"""Signed webhooks to institutions, with retries, dead letters and replay protection.

A delivery is POSTed with the headers
    X-Gpcloud-Delivery: <delivery id>   X-Gpcloud-Event: <event>
    X-Gpcloud-Timestamp: <unix seconds> X-Gpcloud-Nonce: <32 hex digits>
    X-Gpcloud-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + nonce + "." + body)>
The receiver checks the signature, refuses a timestamp outside WINDOW of its clock and a nonce
it has seen within it (`verify`: the reference receiver, the institutions' to copy). Each
attempt is an arq job (core/jobs); a failed one waits with exponential backoff (a scheduler
timer queues the next); after MAX_ATTEMPTS the delivery is dead until the institution asks for
it again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from datetime import timedelta

import httpx

from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.clock import now
from gpcloud.core.db import transaction
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.jobs import service as jobs
from gpcloud.core.pagination import Page, keyset_page
from gpcloud.core.redis import get_redis, key
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.finance_services.service import egress, institutions
from gpcloud.finance_services.tables import WebhookDelivery
from gpcloud.finance_services.workflow import WEBHOOK

EVENTS = ("award_published", "contract_signed", "acceptance_passed", "payment_made")
MAX_ATTEMPTS = 6
BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=6)
WINDOW = timedelta(minutes=5)
TIMEOUT = 10.0
JOB = "finance_webhook_deliver"
SCOPE = "webhooks: deliveries to institutions, which serve every region"
W = WebhookDelivery


async def emit(institution: dict, event: str, subject: str, tenant: str, data: dict) -> dict | None:
    """Record `event` about `subject` for the institution (once: the same event key is one
    delivery) and queue its first attempt after commit. None: it has no endpoint."""
    if event not in EVENTS:
        raise ValueError(event)
    if not institution["webhook_url"] or institution["status"] != "approved":
        return None
    event_key = f"{institution['id']}:{event}:{subject}"
    with all_tenants(SCOPE, audited=False):
        if await W.exists().where(W.event_key == event_key):
            return None
        body = json.dumps(
            {"event": event, "subject": subject, "region": tenant, "data": data},
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
            default=str,
        )
        row = W(
            institution=institution["id"],
            region=tenant,
            event=event,
            event_key=event_key,
            body=body,
        )
        await row.save()
        created = await W.select().where(W.id == row.id).first()
        await queue(created)
    return created


async def queue(row: dict) -> None:
    """Queue an attempt of the delivery (a job record, sent once the transaction commits)."""
    with all_tenants(SCOPE, audited=False):
        await jobs.enqueue(JOB, {"delivery_id": row["id"]}, tenant=row["region"])


def sign(secret: str, timestamp: str, nonce: str, body: bytes) -> str:
    mac = hmac.new(bytes.fromhex(secret), f"{timestamp}.{nonce}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def headers(row: dict, secret: str, timestamp: int | None = None, nonce: str | None = None) -> dict:
    stamp = str(timestamp if timestamp is not None else int(now().timestamp()))
    nonce = nonce or secrets.token_hex(16)
    return {
        "content-type": "application/json",
        "x-gpcloud-delivery": str(row["id"]),
        "x-gpcloud-event": row["event"],
        "x-gpcloud-timestamp": stamp,
        "x-gpcloud-nonce": nonce,
        "x-gpcloud-signature": sign(secret, stamp, nonce, row["body"].encode()),
    }


def retry_delay(attempts: int) -> timedelta:
    return min(BASE_DELAY * 2 ** (attempts - 1), MAX_DELAY)


async def attempt(delivery_id: int) -> str:
    """One attempt: POST, then delivered, waiting for the next, or dead (compare-and-set: a
    second worker on the same attempt loses and changes nothing)."""
    with all_tenants(SCOPE, audited=False):
        row = await W.select().where(W.id == delivery_id).first()
        if row is None or row["status"] != "pending":
            return "not pending"
        institution = await institutions.get(row["institution"])
        error = ""
        try:
            # Checked again now (its DNS may have changed since it was set), and the request
            # goes to the address checked (egress.py: no second lookup, no redirect).
            target = await egress.check(institution["webhook_url"])
            answer = await egress.post(
                target,
                row["body"].encode(),
                headers(row, institution["webhook_secret"]),
                TIMEOUT,
            )
            if not 200 <= answer.status_code < 300:
                error = f"HTTP {answer.status_code}: {answer.text[:200]}"
        except DomainError as exc:  # refused before any connection: counted as a failure
            error = f"{exc.code}: {exc}"[:500]
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
        tries = row["attempts"] + 1
        async with transaction():
            if not error:
                await WEBHOOK.move(None, row, "deliver", {W.attempts: tries, W.delivered_at: now()})
                return "delivered"
            if tries >= MAX_ATTEMPTS:
                await WEBHOOK.move(None, row, "bury", {W.attempts: tries, W.last_error: error})
                return "dead"
            await WEBHOOK.move(
                None,
                row,
                "fail",
                {
                    W.attempts: tries,
                    W.last_error: error,
                    W.next_attempt_at: now() + retry_delay(tries),
                },
            )
            return "waiting"


@requires(Perm.FINANCE_CREDENTIALS_MANAGE)
async def redeliver(actor: CurrentUser, delivery_id: int) -> dict:
    """A dead letter gets a fresh round of attempts."""
    async with transaction():
        institution = await institutions.acting(actor)
        with all_tenants(SCOPE, audited=False):
            row = await W.select().where(W.id == delivery_id).first()
            if row is None or row["institution"] != institution["id"]:
                raise NotFound("webhook delivery", delivery_id)
            moved = await WEBHOOK.move(actor, row, "redeliver", {W.attempts: 0, W.last_error: ""})
            await queue(moved)
            return moved


async def search(
    actor: CurrentUser, status: str | None, first: int | None, after: str | None
) -> Page:
    """The caller's institution's deliveries (its dead letters with status DEAD)."""
    institution = await institutions.acting(actor)
    with all_tenants(SCOPE, audited=False):
        query = W.select().where(W.institution == institution["id"])
        if status:
            query = query.where(W.status == status)
        return await keyset_page(query, W.id, first, after)


class Refused(DomainError):
    pass


async def verify(secret: str, received: dict, body: bytes, window: timedelta = WINDOW) -> dict:
    """The receiving side (reference): the parsed body if the delivery is authentic and fresh.
    WEBHOOK_SIGNATURE_INVALID, WEBHOOK_STALE (timestamp outside the window) or WEBHOOK_REPLAYED
    (a nonce seen within the window) otherwise. Nonces are kept in Redis for twice the window."""
    lower = {k.lower(): v for k, v in received.items()}
    stamp, nonce = lower.get("x-gpcloud-timestamp", ""), lower.get("x-gpcloud-nonce", "")
    given = lower.get("x-gpcloud-signature", "")
    if (
        not stamp.isdigit()
        or not nonce
        or not hmac.compare_digest(given, sign(secret, stamp, nonce, body))
    ):
        raise Refused("WEBHOOK_SIGNATURE_INVALID", "the signature does not match")
    if abs(now().timestamp() - int(stamp)) > window.total_seconds():
        raise Refused("WEBHOOK_STALE", "the timestamp is outside the accepted window")
    fresh = await get_redis().set(
        key("webhook-nonce", nonce), stamp, nx=True, ex=int(window.total_seconds() * 2)
    )
    if not fresh:
        raise Refused("WEBHOOK_REPLAYED", "this delivery was received already")
    return json.loads(body)
