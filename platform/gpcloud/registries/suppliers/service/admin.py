"""Admins act on suppliers: suspend and reactivate (supplier.suspend: provincial admins anywhere,
tenant admins for suppliers whose home region is in their subtree), correct the identity
(supplier.correct: provincial admins).

A supplier is never deleted: its bids, contracts and credit records keep pointing at it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from gpcloud.core.audit import service as audit
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.auth.tables import Organisation
from gpcloud.core.clock import today
from gpcloud.core.db import is_unique_violation, serialize_writes, transaction
from gpcloud.core.errors import DomainError, Problem
from gpcloud.core.tenancy.scope import current_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.core.validation import is_uscc
from gpcloud.registries.suppliers.service import records as r
from gpcloud.registries.suppliers.tables import Supplier


async def _target(actor: CurrentUser, supplier_id: int) -> dict:
    """The supplier an admin acts on, locked for this transaction; only within their region."""
    row = await r.get(supplier_id)
    if not current_scope().can_see(row["region"]):
        node = (await tenant_tree()).get(row["region"])
        raise DomainError(
            "FORBIDDEN",
            f"this supplier is registered in {node.name if node else row['region']}, outside your "
            "region; its own region or the province acts on it",
            "id",
        )
    await serialize_writes(f"supplier:{supplier_id}")
    return await r.get(supplier_id)


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise DomainError("REASON_REQUIRED", "say why", "reason")
    if len(reason) > 255:
        raise DomainError("INVALID_REASON", "at most 255 characters", "reason")
    return reason


async def _set_status(supplier_id: int, status: str, reason: str) -> dict:
    await Supplier.update(
        {
            Supplier.status: status,
            Supplier.status_reason: reason,
            Supplier.updated_at: datetime.now(UTC),
        }
    ).where(Supplier.id == supplier_id)
    return await r.get(supplier_id)


@requires(Perm.SUPPLIER_SUSPEND)
@r.in_transaction
async def suspend(actor: CurrentUser, supplier_id: int, reason: str) -> dict:
    """Suspended: kept, readable, not usable by later subsystems until reactivated."""
    reason = _reason(reason)
    before = await _target(actor, supplier_id)
    if before["status"] == "suspended":
        raise DomainError("WRONG_STATE", "the supplier is suspended already", "id")
    after = await _set_status(supplier_id, "suspended", reason)
    await audit.record(
        "suppliers.suspend",
        "supplier",
        supplier_id,
        r.state(before),
        r.state(after),
        {"reason": reason},
        tenant=after["region"],
    )
    return after


@requires(Perm.SUPPLIER_SUSPEND)
@r.in_transaction
async def reactivate(actor: CurrentUser, supplier_id: int, reason: str) -> dict:
    """Back to active, or to incomplete when information is missing."""
    reason = _reason(reason)
    before = await _target(actor, supplier_id)
    if before["status"] not in ("suspended", "inactive"):
        raise DomainError("WRONG_STATE", f"the supplier is {before['status']}, not suspended", "id")
    status = r.status_after("incomplete", before)
    after = await _set_status(supplier_id, status, "")
    await audit.record(
        "suppliers.reactivate",
        "supplier",
        supplier_id,
        r.state(before),
        r.state(after),
        {"reason": reason},
        tenant=after["region"],
    )
    return after


@requires(Perm.SUPPLIER_CORRECT)
@r.in_transaction
async def correct(
    actor: CurrentUser, supplier_id: int, name: str | None, uscc: str | None, reason: str
) -> dict:
    """A provincial admin corrects the registered name or credit code (e.g. after a renaming)."""
    reason = _reason(reason)
    before = await _target(actor, supplier_id)
    name = name.strip() if name is not None else None
    uscc = uscc.strip().upper() if uscc is not None else None
    problems = []
    if name is not None and not 2 <= len(name) <= 128:
        problems.append(Problem("INVALID_NAME", "must be 2 to 128 characters", "name"))
    if uscc is not None and not is_uscc(uscc):
        problems.append(Problem("INVALID_USCC", "not a valid unified social credit code", "uscc"))
    elif uscc is not None and await Organisation.exists().where(
        (Organisation.uscc == uscc) & (Organisation.id != before["organisation"])
    ):
        problems.append(Problem("DUPLICATE_USCC", "another organisation has this code", "uscc"))
    if problems:
        raise DomainError.many(problems)
    values = {
        column: value
        for column, value, current in (
            (Organisation.name, name, before["name"]),
            (Organisation.uscc, uscc, before["uscc"]),
        )
        if value is not None and value != current
    }
    if not values:
        return before
    try:
        await Organisation.update(values).where(Organisation.id == before["organisation"])
    except Exception as exc:
        if is_unique_violation(exc):
            raise DomainError(
                "DUPLICATE_USCC", "another organisation has this code", "uscc"
            ) from None
        raise
    status = r.status_after(before["status"], await r.get(supplier_id))
    await Supplier.update({Supplier.status: status, Supplier.updated_at: datetime.now(UTC)}).where(
        Supplier.id == supplier_id
    )
    after = await r.get(supplier_id)
    await audit.record(
        "suppliers.correct",
        "supplier",
        supplier_id,
        r.state(before),
        r.state(after),
        {"reason": reason, "changed": sorted(c._meta.name for c in values)},
        tenant=after["region"],
    )
    return after


async def expire_certificates(on: date | None = None, batch: int = 500) -> int:
    """Active suppliers whose CA certificate expired become incomplete (a daily job); returns
    how many. Runs in a province-wide scope."""
    on = on or today()
    done = 0
    while True:
        async with transaction():
            rows = await (
                Supplier.select(*r.COLUMNS)
                .where((Supplier.status == "active") & (Supplier.ca_valid_until < on))
                .order_by(Supplier.id)
                .limit(batch)
            )
            if not rows:
                return done
            await Supplier.update(
                {Supplier.status: "incomplete", Supplier.updated_at: datetime.now(UTC)}
            ).where(Supplier.id.is_in([row["id"] for row in rows]))
            for before in rows:
                await audit.record(
                    "suppliers.expire_certificate",
                    "supplier",
                    before["id"],
                    r.state(before),
                    {**r.state(before), "status": "incomplete"},
                    {"ca_valid_until": before["ca_valid_until"]},
                    tenant=before["region"],
                )
        done += len(rows)
