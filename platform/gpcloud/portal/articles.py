"""The editorial column: a region's admins publish policies and notices on the portal."""

from __future__ import annotations

from gpcloud.core.audit import service as audit
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.clock import today
from gpcloud.core.errors import DomainError
from gpcloud.portal import service

ARTICLE_KINDS = ("policy", "notice")


@requires(Perm.ARTICLE_PUBLISH)
async def publish_article(actor: CurrentUser, kind: str, title: str, body: str) -> int:
    """Publish an article in the caller's region; returns the notice's id."""
    title, body = title.strip(), body.strip()
    if kind not in ARTICLE_KINDS:
        raise DomainError("INVALID_KIND", f"one of {', '.join(ARTICLE_KINDS)}", "kind")
    if not 2 <= len(title) <= 200 or not body:
        raise DomainError("INVALID_ARTICLE", "a title of 2 to 200 characters and a body", "title")
    row = await audit.record(
        "portal.publish_article", "article", kind, None, {"title": title}, tenant=actor.tenant
    )
    return await service.publish(
        service.Publication(
            kind=kind,
            source=f"article:{row['id']}",
            tenant=actor.tenant,
            title=title,
            body=body,
            published_on=today(),
        )
    )
