"""The events of core modules, each a function its module calls in one line (domains call
`service.notify` themselves, naming their recipients)."""

from __future__ import annotations

from gpcloud.core.auth.roles import ADMIN_ROLES
from gpcloud.core.notifications.service import Recipients, notify


async def plugin_request_decided(action: str, request: dict) -> None:
    """A provincial decision on a tenant's plugin request: its admins hear of an approval or a
    rejection (other actions on a request are the admins' own)."""
    kinds = {"approve": "plugin_request.approved", "reject": "plugin_request.rejected"}
    if action not in kinds:
        return
    await notify(
        kinds[action],
        Recipients(tenant=request["tenant_id"], roles=tuple(sorted(ADMIN_ROLES))),
        {
            "plugin": request["plugin"],
            "version": request["version"],
            "reason": request["decision_reason"] or "无",
        },
        about=("plugin_request", request["id"]),
    )


async def import_finished(
    job_id: int, user_id: int | None, registry: str, rows: int, counts: dict[str, int]
) -> None:
    """An import job finished: whoever started it hears its counts (once, even if re-run)."""
    await notify(
        "import.finished",
        Recipients(users=(user_id,)),
        {
            "job_id": job_id,
            "registry": registry,
            "rows": rows,
            "rejected": counts.get("rejected", 0),
            "counts": counts,
        },
        about=("job", job_id),
        key=f"job:{job_id}",
    )
