"""The outbox: each delivery row moves pending -> sending -> sent, back to pending to be retried,
or dead; every move is a compare-and-set, so two workers never both take an attempt.

An arq job is queued per attempt once the row's state is committed; its job id is made of the
row's id, attempt count and last change, so queueing the same state twice (the worker's start,
a retry that raced) is a no-op while the first is queued. A worker that dies while sending
leaves the row `sending` until `claimed_until`; after that the attempt may be taken again
(at least once: channels get the delivery id to drop duplicates).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from gpcloud.core.audit import service as audit
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.clock import now
from gpcloud.core.db import after_commit
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.jobs.service import arq_pool
from gpcloud.core.notifications.tables import NotificationDelivery
from gpcloud.core.pagination import Page, keyset_page
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.settings import get_settings

log = logging.getLogger(__name__)

FUNCTION = "deliver_notification"
LEASE = timedelta(minutes=5)  # longer than any channel's timeout (SMTP: smtp_timeout_seconds)
MAX_DELAY = timedelta(hours=6)
D = NotificationDelivery
COLUMNS = (
    *D.all_columns(),
    D.notification.kind.as_alias("kind"),
    D.notification.subject.as_alias("subject"),
    D.notification.recipient.username.as_alias("recipient"),
)


def job_id(row: dict) -> str:
    stamp = int(row["updated_at"].timestamp() * 1_000_000)
    return f"{get_settings().redis_namespace}:delivery:{row['id']}:{row['attempts']}:{stamp}"


async def enqueue(rows: list[dict]) -> None:
    """Queue an attempt for each row, not before its `next_attempt_at`."""
    pool = await arq_pool()
    for row in rows:
        await pool.enqueue_job(
            FUNCTION, row["id"], _job_id=job_id(row), _defer_until=row.get("next_attempt_at")
        )


def send_after_commit(rows: list[dict]) -> None:
    """Queue the rows' attempts once the current transaction commits. If Redis is down then,
    the rows stay pending and the next worker start queues them (`requeue`)."""

    async def send() -> None:
        try:
            await enqueue(rows)
        except Exception:
            log.warning("%d deliveries not queued; queued at the next worker start", len(rows))

    after_commit(send)


def retry_delay(attempts: int) -> timedelta:
    """Before the next attempt after `attempts` failed ones: the base, doubled each time."""
    base = timedelta(seconds=get_settings().notification_retry_seconds)
    return min(base * 2 ** (attempts - 1), MAX_DELAY)


async def claim(delivery_id: int) -> dict | None:
    """Take the next attempt of a due pending delivery (or of one whose sender's lease ran out)."""
    at = now()
    rows = (
        await D.update(
            {
                D.status: "sending",
                D.attempts: D.attempts + 1,
                D.claimed_until: at + LEASE,
                D.updated_at: at,
            }
        )
        .where(
            (D.id == delivery_id)
            & (
                (
                    (D.status == "pending")
                    & (D.next_attempt_at.is_null() | (D.next_attempt_at <= at))
                )
                | ((D.status == "sending") & (D.claimed_until < at))
            )
        )
        .returning(*D.all_columns())
    )
    return rows[0] if rows else None


def _attempt(row: dict):
    """The attempt `row` claimed, still unfinished: no later claim took it over."""
    return (D.id == row["id"]) & (D.status == "sending") & (D.attempts == row["attempts"])


async def sent(row: dict, reference: str) -> None:
    at = now()
    await D.update(
        {
            D.status: "sent",
            D.sent_at: at,
            D.reference: reference[:255],
            D.claimed_until: None,
            D.updated_at: at,
        }
    ).where(_attempt(row))


async def failed(row: dict, error: str, permanent: bool = False) -> str:
    """Record a failed attempt: retried later, or dead after the last one (or a permanent
    failure). Returns the new status."""
    at = now()
    dead = permanent or row["attempts"] >= get_settings().notification_max_attempts
    changes = {
        D.status: "dead" if dead else "pending",
        D.next_attempt_at: None if dead else at + retry_delay(row["attempts"]),
        D.claimed_until: None,
        D.last_error: error[:2000],
        D.updated_at: at,
    }
    updated = await D.update(changes).where(_attempt(row)).returning(*D.all_columns())
    if updated and not dead:
        await enqueue(updated)
    return changes[D.status]


async def requeue() -> int:
    """At worker start: queue every delivery not finished (Redis may have lost its job)."""
    with all_tenants("worker start: queue again the deliveries of every tenant"):
        rows = await D.select(
            D.id, D.status, D.attempts, D.updated_at, D.next_attempt_at, D.claimed_until
        ).where(D.status.is_in(["pending", "sending"]))
    for row in rows:
        if row["status"] == "sending":
            row["next_attempt_at"] = row["claimed_until"]
    if rows:
        await enqueue(rows)
    return len(rows)


# Admins: the dead letters (and every other delivery) of their region.


@requires(Perm.NOTIFICATION_DELIVERY_READ)
async def search(
    actor: CurrentUser, status: str | None, first: int | None, after: str | None
) -> Page:
    query = D.select(*COLUMNS)
    if status:
        query = query.where(D.status == status)
    return await keyset_page(query, D.id, first, after)


@requires(Perm.NOTIFICATION_DELIVERY_RETRY)
async def retry(actor: CurrentUser, delivery_id: int) -> dict:
    """A dead delivery gets a fresh round of attempts (e.g. once the mail server is fixed)."""
    at = now()
    revived = (
        await D.update(
            {
                D.status: "pending",
                D.attempts: 0,
                D.next_attempt_at: None,
                D.updated_at: at,
            }
        )
        .where((D.id == delivery_id) & (D.status == "dead"))
        .returning(*D.all_columns())
    )
    if not revived:
        row = await D.select(D.status).where(D.id == delivery_id).first()
        if row is None:
            raise NotFound("delivery", delivery_id)
        raise DomainError("WRONG_STATE", f"the delivery is {row['status']}, not dead")
    await audit.record(
        "notification_delivery.retry",
        "notification_delivery",
        delivery_id,
        {"status": "dead"},
        {"status": "pending"},
        tenant=revived[0]["tenant_id"],
    )
    send_after_commit(revived)
    return await get(delivery_id)


async def get(delivery_id: int) -> dict:
    row = await D.select(*COLUMNS).where(D.id == delivery_id).first()
    if row is None:
        raise NotFound("delivery", delivery_id)
    return row
