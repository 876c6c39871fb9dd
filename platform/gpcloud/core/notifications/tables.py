"""The inbox, the outbox and the users' channel choices.

Every row belongs to the recipient's tenant (TenantOwned), so the tenant filter holds for them as
for any table; within a tenant the service adds `recipient = caller` for inbox reads.
"""

from piccolo.columns import (
    JSON,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from gpcloud.core.auth.tables import User
from gpcloud.core.tenancy.tables import TenantOwned

DELIVERY_STATUSES = ("pending", "sending", "sent", "dead")


class Notification(TenantOwned, Table, tablename="notification"):
    """One message in one user's inbox, rendered from the catalogue when the event happened.

    `event_key`, when given, makes a repeated event (a job re-run after a crash) a no-op: unique
    per (recipient, kind, event_key) in the migration.
    """

    recipient = ForeignKey(User, on_delete=OnDelete.cascade)
    kind = Varchar(length=64)
    subject = Varchar(length=200)
    body = Text()
    object_type = Varchar(length=32, default="")
    object_id = Varchar(length=64, default="")
    due = Date(null=True, default=None)
    due_explanation = Text(default="")
    params = JSON(default={})
    event_key = Varchar(length=128, null=True, default=None)
    read_at = Timestamptz(null=True, default=None)


class NotificationDelivery(TenantOwned, Table, tablename="notification_delivery"):
    """The outbox: one row per notification and channel beyond the inbox, delivered by a job.

    pending (waiting for its job; `next_attempt_at` after a failure) -> sending (claimed until
    `claimed_until`) -> sent, or back to pending, or dead after the last attempt.
    """

    notification = ForeignKey(Notification, on_delete=OnDelete.cascade, index=True)
    channel = Varchar(length=32)
    status = Varchar(length=16, default="pending")
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(null=True, default=None)
    claimed_until = Timestamptz(null=True, default=None)
    last_error = Text(default="")
    reference = Varchar(length=255, default="")
    sent_at = Timestamptz(null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())


class NotificationPreference(TenantOwned, Table, tablename="notification_preference"):
    """A user's channels for one kind (unique per user and kind); no row: the kind's defaults."""

    user = ForeignKey(User, on_delete=OnDelete.cascade)
    kind = Varchar(length=64)
    channels = JSON(default=[])
    updated_at = Timestamptz(default=TimestamptzNow())
