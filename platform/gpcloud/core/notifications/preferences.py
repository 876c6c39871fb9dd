"""Which channels beyond the inbox a user wants for each kind of notification."""

from __future__ import annotations

from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.clock import now
from gpcloud.core.errors import DomainError
from gpcloud.core.notifications import channels, templates
from gpcloud.core.notifications.tables import NotificationPreference

P = NotificationPreference


async def preferences(user: CurrentUser) -> tuple[list[dict], dict[str, str]]:
    """Every kind with the caller's channels for it, and the channels they may choose from."""
    stored = await P.select(P.kind, P.channels).where(P.user == user.id).output(load_json=True)
    chosen = {row["kind"]: row["channels"] for row in stored}
    rows = [
        {
            "kind": kind,
            "title": template.title,
            "channels": list(chosen.get(kind, template.default_channels)),
        }
        for kind, template in templates.CATALOGUE.items()
    ]
    return rows, await channels.available(user.tenant)


async def set_channels(user: CurrentUser, kind: str, names: list[str]) -> dict:
    """Replace the caller's channels for `kind` (the inbox always receives)."""
    if kind not in templates.CATALOGUE:
        raise DomainError("UNKNOWN_KIND", f"no notification kind {kind}", "kind")
    available = await channels.available(user.tenant)
    wanted = list(dict.fromkeys(names))
    unknown = [name for name in wanted if name not in available]
    if unknown:
        raise DomainError(
            "UNKNOWN_CHANNEL",
            f"{unknown[0]} is not a channel here (choose from {', '.join(available)})",
            "channels",
        )
    await P.insert(P(user=user.id, kind=kind, channels=wanted, updated_at=now())).on_conflict(
        target=(P.user, P.kind), action="DO UPDATE", values=[P.channels, P.updated_at]
    )
    return {"kind": kind, "title": templates.CATALOGUE[kind].title, "channels": wanted}
