"""Job types: each domain's jobs.py registers its handlers with @job("domain.action")."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cache

from gpcloud import domains
from gpcloud.core.auth.permissions import Perm

Handler = Callable[..., Awaitable[None]]


@dataclass(frozen=True)
class JobType:
    name: str
    handler: Handler
    description: str
    # Who may start it for a region through the API (enqueue_for_tenant); None: the platform.
    permission: Perm | None = None


JOB_TYPES: dict[str, JobType] = {}


def job(name: str, permission: Perm | None = None) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        if name in JOB_TYPES and JOB_TYPES[name].handler is not handler:
            raise ValueError(f"job type {name} registered twice")
        summary = (handler.__doc__ or "").strip().split("\n")[0]
        JOB_TYPES[name] = JobType(name, handler, summary, permission)
        return handler

    return register


@cache
def load_domain_jobs() -> dict[str, JobType]:
    """Import every domain's jobs module so its handlers register."""
    domains.load("jobs")
    return JOB_TYPES


def get_job_type(name: str) -> JobType | None:
    load_domain_jobs()
    return JOB_TYPES.get(name)
