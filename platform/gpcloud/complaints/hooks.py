"""The complaints domain's built-in hook implementations (core/plugins/hooks.py `builtin`):
transaction and contracts sit below complaints and learn what stops a procurement only through
gpcloud_procurement_blocks."""

from __future__ import annotations

from gpcloud.complaints.service import challenges, suspensions
from gpcloud.core.plugins.hooks import builtin


@builtin("gpcloud_procurement_blocks", "complaints")
async def gpcloud_procurement_blocks(tenant: str, project_id: int) -> list[dict] | None:
    """Active suspensions stop everything; an unanswered challenge that may affect the result
    stops the contract's signing and performance (Regulation art. 54)."""
    blocks = [
        {
            "kind": "suspension",
            "reference": f"suspension:{s['id']}",
            "until": s["ends_on"].isoformat(),
            "stops": ["transaction", "signing", "performance"],
            "reason": s["reason"],
        }
        for s in await suspensions.active(project_id)
    ]
    blocks += [
        {
            "kind": "challenge",
            "reference": f"challenge:{c['id']}",
            "until": None,
            "stops": ["signing", "performance"],
            "reason": f"challenge {c['id']} of the {c['step']} awaits its answer (due "
            f"{c['answer_due']})",
        }
        for c in await challenges.blocking(project_id)
    ]
    return blocks or None
