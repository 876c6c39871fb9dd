"""The delivery job: one attempt of one delivery, in its recipient's tenant scope."""

from __future__ import annotations

import logging

from gpcloud.core.notifications import channels, outbox
from gpcloud.core.notifications.tables import Notification, NotificationDelivery
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree

log = logging.getLogger(__name__)


async def message(row: dict) -> tuple[dict, dict]:
    """What a channel gets: the notification and its recipient (see the deliver hookspec)."""
    N = Notification
    found = (
        await N.select(
            *N.all_columns(),
            N.recipient.username.as_alias("username"),
            N.recipient.display_name.as_alias("display_name"),
            N.recipient.mobile.as_alias("mobile"),
            N.recipient.email.as_alias("email"),
        )
        .where(N.id == row["notification"])
        .output(load_json=True)
        .first()
    )
    notification = {
        "id": found["id"],
        "delivery_id": row["id"],
        "kind": found["kind"],
        "subject": found["subject"],
        "body": found["body"],
        "due": found["due"].isoformat() if found["due"] else None,
        "due_explanation": found["due_explanation"],
        "object_type": found["object_type"],
        "object_id": found["object_id"],
        "params": found["params"],
        "created_at": found["created_at"].isoformat(),
    }
    recipient = {
        "id": found["recipient"],
        "username": found["username"],
        "display_name": found["display_name"],
        "mobile": found["mobile"],
        "email": found["email"],
        "tenant": found["tenant_id"],
    }
    return notification, recipient


async def deliver_notification(ctx: dict, delivery_id: int) -> str:
    """arq function: claim the attempt, hand the message to its channel, record the outcome."""
    with all_tenants("worker: read the delivery to learn its tenant"):
        row = (
            await NotificationDelivery.select(NotificationDelivery.tenant_id)
            .where(NotificationDelivery.id == delivery_id)
            .first()
        )
    if row is None:
        return "missing"
    tree = await tenant_tree()
    with use_scope(tree.scope_for(row["tenant_id"])):
        attempt = await outbox.claim(delivery_id)
        if attempt is None:
            return "not due"  # finished, taken by another worker, or waiting for its retry
        notification, recipient = await message(attempt)
        try:
            reference = await channels.deliver(attempt["channel"], notification, recipient)
        except channels.PermanentFailure as exc:
            return await outbox.failed(attempt, str(exc), permanent=True)
        except Exception as exc:
            log.warning(
                "delivery %s over %s failed", delivery_id, attempt["channel"], exc_info=True
            )
            return await outbox.failed(attempt, f"{type(exc).__name__}: {exc}")
        await outbox.sent(attempt, reference)
        return "sent"
