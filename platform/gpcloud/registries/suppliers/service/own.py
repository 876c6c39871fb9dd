"""A supplier's own users keep its details and qualifications; never another supplier's.

Nothing here takes a supplier id: the supplier is the caller's organisation's, so another
supplier cannot even be named. A qualification id of another supplier is simply not found.
"""

from __future__ import annotations

from datetime import UTC, datetime

from gpcloud.core.audit import service as audit
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.auth.tables import Organisation
from gpcloud.core.db import is_unique_violation, serialize_writes
from gpcloud.core.errors import DomainError, NotFound, Problem
from gpcloud.registries.suppliers.service import records as r
from gpcloud.registries.suppliers.tables import Supplier, SupplierQualification


@requires(Perm.SUPPLIER_UPDATE_OWN)
async def mine(actor: CurrentUser) -> dict | None:
    """The caller's supplier (None when their organisation has no supplier record yet)."""
    return await r.of_organisation(actor.organisation_id)


async def _own_supplier(actor: CurrentUser) -> dict:
    """The caller's supplier, locked for this transaction; created for a supplier organisation
    that has no record yet (e.g. made by an admin's createOrganisation)."""
    row = await r.of_organisation(actor.organisation_id)
    if row is None:
        org = (
            await Organisation.select(Organisation.kind, Organisation.region)
            .where(Organisation.id == actor.organisation_id)
            .first()
        )
        if org is None or org["kind"] != "supplier":
            raise DomainError("NOT_FOUND", "your organisation is not a supplier")
        supplier = Supplier(organisation=actor.organisation_id)
        try:
            await supplier.save()
        except Exception as exc:
            if is_unique_violation(exc):
                raise DomainError("CONFLICT", "your supplier was just created; try again") from None
            raise
        row = await r.get(supplier.id)
        await audit.record(
            "suppliers.create", "supplier", supplier.id, None, r.state(row), tenant=org["region"]
        )
    await serialize_writes(f"supplier:{row['id']}")
    return await r.get(row["id"])


async def _refresh(supplier_id: int, touched: bool = True) -> dict:
    """After a change of the supplier or its qualifications (`touched`), or to catch up on one
    that aged (a certificate expired): its status follows its information."""
    row = await r.get(supplier_id)
    status = r.status_after(row["status"], row)
    values = {Supplier.updated_at: datetime.now(UTC)}
    if status != row["status"]:
        values.update({Supplier.status: status, Supplier.status_reason: ""})
    elif not touched:
        return row
    await Supplier.update(values).where(Supplier.id == supplier_id)
    return await r.get(supplier_id)


@requires(Perm.SUPPLIER_UPDATE_OWN)
@r.in_transaction
async def update_mine(actor: CurrentUser, details: r.SupplierDetails) -> dict:
    """Complete or change the caller's supplier; it becomes active once nothing is missing."""
    before = await _own_supplier(actor)
    details = details.cleaned()
    problems = r.detail_problems(details)
    if problems:
        raise DomainError.many(problems)
    changes = {k: v for k, v in details.values().items() if v != before[k]}
    if changes:
        await Supplier.update(changes).where(Supplier.id == before["id"])
    after = await _refresh(before["id"], touched=bool(changes))
    if r.state(after) != r.state(before):
        await audit.record(
            "suppliers.update",
            "supplier",
            before["id"],
            r.state(before),
            r.state(after),
            {"changed": sorted(changes), "missing": r.missing_information(after)},
            tenant=after["region"],
        )
    return after


async def _own_qualification(actor: CurrentUser, qualification_id: int) -> tuple[dict, dict]:
    supplier = await _own_supplier(actor)
    row = (
        await SupplierQualification.select(*r.QUALIFICATION_COLUMNS)
        .where(
            (SupplierQualification.id == qualification_id)
            & (SupplierQualification.supplier == supplier["id"])
        )
        .first()
    )
    if row is None:
        raise NotFound("qualification", qualification_id)
    return supplier, row


async def _duplicate(supplier_id: int, kind: str, number: str, own_id: int) -> None:
    if await SupplierQualification.exists().where(
        (SupplierQualification.supplier == supplier_id)
        & (SupplierQualification.kind == kind)
        & (SupplierQualification.number == number)
        & (SupplierQualification.id != own_id)
    ):
        raise DomainError(
            "DUPLICATE_QUALIFICATION", f"you registered {kind} number {number} already", "number"
        )


def _clean(q: r.QualificationInput) -> r.QualificationInput:
    return r.QualificationInput(
        kind=q.kind,
        name=q.name.strip() if q.name is not None else None,
        number=q.number.strip() if q.number is not None else None,
        issuer=q.issuer.strip() if q.issuer is not None else None,
        valid_until=q.valid_until,
    )


async def _save(write) -> None:
    try:
        await write
    except Exception as exc:
        if is_unique_violation(exc):
            raise DomainError(
                "DUPLICATE_QUALIFICATION", "this qualification is registered already", "number"
            ) from None
        raise


@requires(Perm.SUPPLIER_UPDATE_OWN)
@r.in_transaction
async def add_qualification(actor: CurrentUser, new: r.QualificationInput) -> tuple[dict, dict]:
    supplier = await _own_supplier(actor)
    new = _clean(new)
    problems = r.qualification_problems(new)
    for value, field in (
        (new.kind, "kind"),
        (new.number, "number"),
        (new.valid_until, "validUntil"),
    ):
        if not value:
            problems.append(Problem("REQUIRED", "required", field))
    if new.kind == "other" and not new.name:
        problems.append(Problem("REQUIRED", "name the qualification", "name"))
    if problems:
        raise DomainError.many(problems)
    await _duplicate(supplier["id"], new.kind, new.number, 0)
    row = SupplierQualification(
        supplier=supplier["id"],
        kind=new.kind,
        name=new.name or r.default_name(new.kind),
        number=new.number,
        issuer=new.issuer or "",
        valid_until=new.valid_until,
    )
    await _save(row.save())
    added = await _qualification(row.id)
    await audit.record(
        "suppliers.add_qualification",
        "supplier_qualification",
        row.id,
        None,
        r.qualification_state(added),
        tenant=supplier["region"],
    )
    return added, await _refresh(supplier["id"])


@requires(Perm.SUPPLIER_UPDATE_OWN)
@r.in_transaction
async def update_qualification(
    actor: CurrentUser, qualification_id: int, changes: r.QualificationInput
) -> tuple[dict, dict]:
    supplier, before = await _own_qualification(actor, qualification_id)
    changes = _clean(changes)
    problems = r.qualification_problems(changes)
    kind = changes.kind or before["kind"]
    number = changes.number or before["number"]
    if changes.number == "":
        problems.append(Problem("REQUIRED", "required", "number"))
    if changes.name == "" and kind == "other":
        problems.append(Problem("REQUIRED", "name the qualification", "name"))
    if changes.valid_until is None:
        problems += r.qualification_problems(
            r.QualificationInput(valid_until=before["valid_until"])
        )
    if problems:
        raise DomainError.many(problems)
    await _duplicate(supplier["id"], kind, number, qualification_id)
    values = {
        k: v
        for k, v in (
            ("kind", changes.kind),
            ("name", changes.name or (r.default_name(kind) if changes.name == "" else None)),
            ("number", changes.number),
            ("issuer", changes.issuer),
            ("valid_until", changes.valid_until),
        )
        if v is not None and v != before[k]
    }
    if not values:
        return before, supplier
    await _save(
        SupplierQualification.update({**values, "updated_at": datetime.now(UTC)}).where(
            SupplierQualification.id == qualification_id
        )
    )
    after = await _qualification(qualification_id)
    await audit.record(
        "suppliers.update_qualification",
        "supplier_qualification",
        qualification_id,
        r.qualification_state(before),
        r.qualification_state(after),
        {"changed": sorted(values)},
        tenant=supplier["region"],
    )
    return after, await _refresh(supplier["id"])


@requires(Perm.SUPPLIER_UPDATE_OWN)
@r.in_transaction
async def remove_qualification(actor: CurrentUser, qualification_id: int) -> tuple[dict, dict]:
    supplier, before = await _own_qualification(actor, qualification_id)
    await SupplierQualification.delete().where(SupplierQualification.id == qualification_id)
    await audit.record(
        "suppliers.remove_qualification",
        "supplier_qualification",
        qualification_id,
        r.qualification_state(before),
        None,
        tenant=supplier["region"],
    )
    return before, await _refresh(supplier["id"])


async def _qualification(qualification_id: int) -> dict:
    return (
        await SupplierQualification.select(*r.QUALIFICATION_COLUMNS)
        .where(SupplierQualification.id == qualification_id)
        .first()
    )
