"""Red flags raised on the region's processes: listing them and marking one reviewed."""

from __future__ import annotations

from gpcloud.analytics.tables import RedFlag
from gpcloud.analytics.workflow import RED_FLAG
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.clock import now
from gpcloud.core.db import transaction
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.pagination import Page, keyset_page

STATUSES = ("open", "reviewed")


@requires(Perm.ANALYTICS_READ)
async def search(
    actor: CurrentUser,
    code: str | None,
    status: str | None,
    year: int | None,
    first: int | None,
    after: str | None,
) -> Page:
    """The flags the caller's scope shows (its region and below), newest process first."""
    query = RedFlag.select()
    if code:
        query = query.where(RedFlag.code == code)
    if status:
        if status not in STATUSES:
            raise DomainError("INVALID_STATUS", "open or reviewed", "status")
        query = query.where(RedFlag.status == status)
    if year is not None:
        query = query.where(RedFlag.year == year)
    return await keyset_page(query, RedFlag.id, first, after)


async def get(flag_id: int) -> dict:
    row = await RedFlag.select().where(RedFlag.id == flag_id).first()
    if row is None:
        raise NotFound("red flag", flag_id)
    return row


@requires(Perm.RED_FLAG_REVIEW)
async def review(actor: CurrentUser, flag_id: int, note: str, revision: int | None = None) -> dict:
    """Mark a flag reviewed with what was found. `revision`, when given, must be the one the
    reviewer saw (CONFLICT otherwise)."""
    note = note.strip()
    if not 2 <= len(note) <= 2000:
        raise DomainError("INVALID_NOTE", "a note of 2 to 2000 characters", "note")
    async with transaction():
        row = await get(flag_id)
        if revision is not None and revision != row["revision"]:
            raise DomainError("CONFLICT", "the flag changed since you read it", "revision")
        return await RED_FLAG.move(
            actor,
            row,
            "review",
            {
                RedFlag.review_note: note,
                RedFlag.reviewed_by: actor.id,
                RedFlag.reviewed_at: now(),
            },
            {"code": row["code"], "plan_id": row["plan_id"]},
        )
