"""Searching the registry: suppliers are public market participants, every account may search.

Each filter has an index: organisation name (a contains-search scans in id order and stops at
the page), credit code (unique), region (organisation.region), size class and status
(supplier), qualification kind valid on a date ((kind, valid_until, supplier) covers it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from gpcloud.core.clock import today
from gpcloud.core.db import contains_ci
from gpcloud.core.errors import DomainError
from gpcloud.core.pagination import Page, keyset_page
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.registries.suppliers.service import records as r
from gpcloud.registries.suppliers.tables import (
    QUALIFICATION_KINDS,
    SIZE_CLASSES,
    STATUSES,
    Supplier,
    SupplierQualification,
)


@dataclass(frozen=True)
class SupplierFilter:
    name: str | None = None
    uscc: str | None = None
    size_class: str | None = None
    status: str | None = None
    region: str | None = None
    include_subtree: bool = True
    qualification_kind: str | None = None
    qualification_valid_on: date | None = None


def _check(flt: SupplierFilter) -> None:
    for value, allowed, field in (
        (flt.size_class, SIZE_CLASSES, "sizeClass"),
        (flt.status, STATUSES, "status"),
        (flt.qualification_kind, QUALIFICATION_KINDS, "qualificationKind"),
    ):
        if value is not None and value not in allowed:
            raise DomainError("INVALID_FILTER", f"{field}: one of {', '.join(allowed)}", field)
    if flt.name is not None and len(flt.name) > 128:
        raise DomainError("INVALID_FILTER", "name: at most 128 characters", "name")


async def by_uscc(codes: list[str]) -> dict[str, dict]:
    """{code as given: supplier} for those of the credit codes registered, in one query."""
    wanted = {code: code.strip().upper() for code in codes}
    if not wanted:
        return {}
    rows = await Supplier.select(*r.COLUMNS).where(
        Supplier.organisation.uscc.is_in(sorted(set(wanted.values())))
    )
    found = {row["uscc"]: row for row in rows}
    return {code: found[uscc] for code, uscc in wanted.items() if uscc in found}


async def search(flt: SupplierFilter, first: int | None, after: str | None) -> Page:
    _check(flt)
    query = Supplier.select(*r.COLUMNS)
    if flt.region is not None:
        tree = await tenant_tree()
        node = tree.get(flt.region)
        if node is None:
            raise DomainError("TENANT_NOT_FOUND", f"no region {flt.region[:6]}", "region")
        codes = tree.subtree(node.region_code) if flt.include_subtree else {node.region_code}
        if len(codes) < len(tree.nodes):
            query = query.where(Supplier.organisation.region.is_in(sorted(codes)))
    if flt.uscc is not None:
        query = query.where(Supplier.organisation.uscc == flt.uscc.strip().upper())
    if flt.name and flt.name.strip():
        query = query.where(contains_ci(Supplier.organisation.name, flt.name.strip()))
    if flt.size_class:
        query = query.where(Supplier.size_class == flt.size_class)
    if flt.status:
        query = query.where(Supplier.status == flt.status)
    if flt.qualification_kind:
        on = flt.qualification_valid_on or today()
        holders = SupplierQualification.select(SupplierQualification.supplier).where(
            (SupplierQualification.kind == flt.qualification_kind)
            & (SupplierQualification.valid_until >= on)
        )
        query = query.where(Supplier.id.is_in(holders))
    elif flt.qualification_valid_on is not None:
        raise DomainError(
            "INVALID_FILTER",
            "qualificationValidOn needs a qualificationKind",
            "qualificationValidOn",
        )
    return await keyset_page(query, Supplier.id, first, after)


async def smes_among(organisation_ids: list[int]) -> set[int]:
    """Which of these organisations are registered suppliers of SME size (medium, small or
    micro): the SMEs the finance centre's figures count."""
    rows = await Supplier.select(Supplier.organisation).where(
        Supplier.organisation.is_in(list(organisation_ids) or [0])
        & Supplier.size_class.is_in(["medium", "small", "micro"])
    )
    return {row["organisation"] for row in rows}
