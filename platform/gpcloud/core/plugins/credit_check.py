"""The mandatory credit check (Caiku [2016] 125) as every procedure asks it: the
gpcloud_credit_check hook through `collect` (the credit domain's built-in, then the tenant's
approved plugins), so that the domains below credit ask it without importing it."""

from __future__ import annotations

from datetime import date

from gpcloud.core.clock import today
from gpcloud.core.plugins.calling import Answer
from gpcloud.core.plugins.hooks import collect


async def credit_answers(
    tenant: str, organisation_id: int, purpose: str, on_day: date | None = None
) -> list[Answer]:
    """Every answer for `organisation_id` on `on_day` (default today) in `tenant`; a failing
    plugin raises PluginFailed."""
    return await collect(
        tenant,
        "gpcloud_credit_check",
        tenant=tenant,
        organisation_id=organisation_id,
        purpose=purpose,
        on_day=on_day or today(),
    )


def unclear(answers: list[Answer]) -> list[Answer]:
    """The answers that do not find the organisation clear."""
    return [a for a in answers if not (a.value or {}).get("clear", False)]
