"""Supplier jobs: the daily check that turns suppliers with an expired CA certificate incomplete."""

from __future__ import annotations

from gpcloud.core.errors import DomainError
from gpcloud.core.jobs.registry import job
from gpcloud.core.jobs.service import JobRun
from gpcloud.core.tenancy.service import get_tenant
from gpcloud.registries.suppliers.service import admin


@job("suppliers.expire_certificates")
async def expire_certificates(run: JobRun) -> None:
    """Active suppliers whose CA certificate expired become incomplete (run daily, province-wide)."""
    if (await get_tenant(run.tenant)).level != "province":
        raise DomainError("FORBIDDEN", "suppliers are province-wide: run this job for the province")
    run.count("expired", await admin.expire_certificates())
