"""Writing notifications (in the caller's transaction) and reading one's own inbox.

`notify` is what services call when something happens that people must hear about. It resolves
the recipients with one query, renders the kind's message once, and writes a notification per
recipient and a delivery per chosen channel in the current transaction, so that a change that
rolls back leaves neither; the deliveries are queued only once it has committed.

Recipients may belong to other tenants than the caller's (the other party of a contract): the
event names them, so they are looked up and written to with the tenant filter lifted, and
every row is written to its recipient's tenant.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.auth.tables import User, UserRole
from gpcloud.core.clock import now
from gpcloud.core.db import any_of, bulk_insert, transaction
from gpcloud.core.errors import DomainError
from gpcloud.core.notifications import outbox, templates
from gpcloud.core.notifications.tables import (
    Notification,
    NotificationDelivery,
    NotificationPreference,
)
from gpcloud.core.pagination import Page, check_page_size, keyset_page
from gpcloud.core.tenancy.scope import all_tenants

RECIPIENTS_SCOPE = "notifications: the event names its recipients, wherever they are registered"


@dataclass(frozen=True)
class Recipients:
    """Active users of `tenant` (None: any tenant), of `organisation` when given, holding one of
    `roles` (empty: any role), and among `users` when given (None entries are dropped: a job
    nobody started). At least one of tenant, organisation and users is given."""

    tenant: str | None = None
    organisation: int | None = None
    roles: tuple[str, ...] = ()
    users: tuple[int | None, ...] | None = None

    def __post_init__(self) -> None:
        if self.tenant is None and self.organisation is None and self.users is None:
            raise ValueError("Recipients needs a tenant, an organisation or users")


async def _resolve(to: Recipients) -> list[dict]:
    """The recipients' id, tenant and e-mail address, in one query."""
    query = User.select(User.id, User.tenant_id, User.email).where(User.status == "active")
    if to.users is not None:
        users = sorted({u for u in to.users if u is not None})
        if not users:
            return []
        query = query.where(User.id.is_in(users))
    if to.tenant is not None:
        query = query.where(User.tenant_id == to.tenant)
    if to.organisation is not None:
        query = query.where(User.organisation == to.organisation)
    if to.roles:
        holders = UserRole.select(UserRole.user).where(UserRole.role.is_in(sorted(to.roles)))
        query = query.where(User.id.is_in(holders))
    return await query.order_by(User.id)


async def chosen_channels(user_ids: list[int], kind: str) -> dict[int, tuple[str, ...]]:
    """Each user's channels for `kind`: their preference, else the kind's defaults."""
    default = templates.template(kind).default_channels
    rows = (
        await NotificationPreference.select(
            NotificationPreference.user, NotificationPreference.channels
        )
        .where(
            any_of(NotificationPreference.user, user_ids) & (NotificationPreference.kind == kind)
        )
        .output(load_json=True)
    )
    chosen = {r["user"]: tuple(r["channels"]) for r in rows}
    return {user: chosen.get(user, default) for user in user_ids}


def _plain(value: Any) -> Any:
    """The event's parameters as JSON for clients and plugins: money and dates as text."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, date):
        return value.isoformat()
    return value if isinstance(value, int | str | bool) or value is None else str(value)


async def notify(
    kind: str,
    to: Recipients,
    params: Mapping[str, Any],
    *,
    about: tuple[str, object] | None = None,
    due: date | None = None,
    key: str | None = None,
) -> list[int]:
    """Tell `to` that a `kind` event happened (about the object `about`: (type, id)), with its
    deadline `due` where it has one; return the notifications' ids. `key` names the event, so
    that the same event never notifies a user twice (a job re-run)."""
    message = templates.render(kind, params, due)
    stamp = now()
    async with transaction():
        with all_tenants(RECIPIENTS_SCOPE, audited=False):
            users = await _resolve(to)
            if key is not None and users:
                seen = await Notification.select(Notification.recipient).where(
                    any_of(Notification.recipient, [u["id"] for u in users])
                    & (Notification.kind == kind)
                    & (Notification.event_key == key)
                )
                users = [u for u in users if u["id"] not in {r["recipient"] for r in seen}]
            if not users:
                return []
            channels = await chosen_channels([u["id"] for u in users], kind)
            common = {
                "kind": kind,
                "subject": message.subject[:200],
                "body": message.body,
                "object_type": about[0] if about else "",
                "object_id": str(about[1]) if about else "",
                "due": due,
                "due_explanation": message.explanation,
                "params": _plain(params),
                "event_key": key,
                "created_at": stamp,
            }
            ids = await bulk_insert(
                Notification,
                [{**common, "tenant_id": u["tenant_id"], "recipient": u["id"]} for u in users],
            )
            deliveries = [
                {
                    "tenant_id": user["tenant_id"],
                    "notification": notification,
                    "channel": channel,
                    "created_at": stamp,
                    "updated_at": stamp,
                }
                for user, notification in zip(users, ids, strict=True)
                for channel in channels[user["id"]]
                if channel != templates.EMAIL or user["email"]
            ]
            if deliveries:
                delivery_ids = await bulk_insert(NotificationDelivery, deliveries)
                outbox.send_after_commit(
                    [
                        {"id": i, "attempts": 0, "updated_at": stamp, "next_attempt_at": None}
                        for i in delivery_ids
                    ]
                )
    return ids


# The inbox: a user reads only their own notifications (the tenant filter holds as well).


async def inbox(
    user: CurrentUser,
    unread: bool,
    first: int | None,
    after: str | None,
    kinds: list[str] | None = None,
) -> Page:
    query = Notification.select().where(Notification.recipient == user.id)
    if unread:
        query = query.where(Notification.read_at.is_null())
    if kinds is not None:
        query = query.where(Notification.kind.is_in(kinds or [""]))
    return await keyset_page(query.output(load_json=True), Notification.id, first, after)


async def unread_count(user: CurrentUser) -> int:
    return await Notification.count().where(
        (Notification.recipient == user.id) & Notification.read_at.is_null()
    )


async def mark_read(user: CurrentUser, ids: list[int] | None, everything: bool) -> int:
    """Mark the given notifications (or all) of the caller read; return how many changed.
    An id that is not the caller's is NOT_FOUND and nothing changes."""
    if everything == (ids is not None):
        raise DomainError("IDS_OR_ALL", "give either ids or all: true", "ids")
    mine = Notification.recipient == user.id
    if ids is not None:
        if not ids:
            raise DomainError("IDS_OR_ALL", "give at least one id", "ids")
        check_page_size(len(ids))
        found = {
            r["id"]
            for r in await Notification.select(Notification.id).where(
                mine & any_of(Notification.id, ids)
            )
        }
        missing = sorted(set(ids) - found)
        if missing:
            raise DomainError("NOT_FOUND", f"no notification {missing[0]} in your inbox", "ids")
        mine = mine & any_of(Notification.id, ids)
    changed = (
        await Notification.update({Notification.read_at: now()})
        .where(mine & Notification.read_at.is_null())
        .returning(Notification.id)
    )
    return len(changed)
