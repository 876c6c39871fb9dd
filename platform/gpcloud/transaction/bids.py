"""Sealed bids until the deadline: submit (replacing the bidder's earlier bid for the lot),
withdraw, and who reads what. Nobody can read a bid before the opening, the platform included:
the bidder encrypts it (docs/sealed-bids.md), the platform checks the sealed format and the
bidder's signature over (project, lot, sha256(ciphertext)), stores the ciphertext in file
storage (never in the database) and returns a receipt it signs, which is also the audit entry.

Submission is safe to retry (a request that timed out, a client that lost the answer): the same
bid again, the same ciphertext (digest) from the same bidder for the same project and lot, or the
same client idempotency key, is answered with the original receipt, never a second bid and never
an error, also after the deadline. Concurrent copies take turns on a per-bidder lock.

Bidders are registered once for the province: a Guangzhou supplier bids on a Xingning project.
Its bids are read and acted on as a party (all_tenants, then the party checked against the row).
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from gpcloud.core import clock, storage
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.auth.tables import Organisation
from gpcloud.core.db import is_sqlite, serialize_writes, transaction
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.keys import service as key_registry
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.transaction import blocks, prequalification, sealing, securities
from gpcloud.transaction.credit import CreditWarning, at_submission
from gpcloud.transaction.methods import method_config
from gpcloud.transaction.tables import Bid, Project
from gpcloud.transaction.workflow import BID

PARTY_SCOPE = "a project's parties act on it wherever they are registered"
LOT = re.compile(r"[0-9A-Za-z_.-]{1,32}")
IDEMPOTENCY_KEY = re.compile(r"[0-9A-Za-z_.:-]{8,64}")
MAX_BID_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class Receipt:
    """What the platform signed for a bid it received (also in the audit log)."""

    content: dict
    signature: str
    replayed: bool = False  # a retry answered with the original receipt
    # Not signed: what the credit check at submission warns the bidder of (a retry: nothing,
    # it is not checked again). The bid is in all the same: the deadline and evaluation govern.
    credit_warnings: tuple[CreditWarning, ...] = ()


def receipt_of(row: dict, replayed: bool = False) -> Receipt:
    return Receipt(json.loads(row["receipt"]), row["receipt_signature"], replayed)


async def _original(
    organisation: int, project_id: int, lot: str, digest: str, idempotency_key: str | None
) -> dict | None:
    """The bid this submission repeats, if it is a retry: the bidder's bid with the same
    idempotency key (which must then be the same bid), else with the same ciphertext."""
    mine = (Bid.project == project_id) & (Bid.supplier_organisation == organisation)
    with all_tenants(PARTY_SCOPE):
        if idempotency_key:
            row = await Bid.select().where(mine & (Bid.idempotency_key == idempotency_key)).first()
            if row is not None and (row["lot"], row["digest"]) != (lot, digest):
                raise DomainError(
                    "IDEMPOTENCY_KEY_REUSED",
                    f"this idempotency key was used for another bid ({row['id']}): a new bid "
                    "needs a new key",
                    "idempotencyKey",
                )
            if row is not None:
                return row
        return await (
            Bid.select()
            .where(mine & (Bid.lot == lot) & (Bid.digest == digest))
            .order_by(Bid.id)
            .first()
        )


async def _project_for_bids(project_id: int, lock: bool) -> dict:
    """The project, held against the deadline transition until this transaction ends (a bid is
    either in before the scheduler closes bidding, or refused): FOR SHARE on PostgreSQL, the
    scheduler claims with FOR UPDATE SKIP LOCKED and tries again on its next tick."""
    query = Project.select().where(Project.id == project_id)
    if lock and not is_sqlite():
        query = query.lock_rows("SHARE")
    row = await query.first()
    if row is None:
        raise NotFound("project", project_id)
    return row


def _late(project: dict, arrived: datetime) -> DomainError:
    return DomainError(
        "BID_LATE",
        f"the bid arrived at {arrived.isoformat(timespec='milliseconds')}, after the deadline "
        f"{project['bid_deadline_at'].isoformat(timespec='milliseconds')}: refused",
        "projectId",
    )


def check_open(project: dict, arrived: datetime) -> None:
    """Bids are taken while the project is tendering with a deadline instant, before it; once
    the deadline has been reached (or the scheduler closed bidding), a bid is late."""
    deadline = project["bid_deadline_at"]
    if deadline is None or not method_config(project["method"]).sealed_bids:
        raise DomainError(
            "NOT_ELECTRONIC", "this project does not take sealed electronic bids", "projectId"
        )
    if arrived >= deadline or project["status"] != "tendering":
        if arrived >= deadline or project["status"] in ("closed", "opening", "opened"):
            raise _late(project, arrived)
        raise DomainError("WRONG_STATE", f"the project is {project['status']}", "projectId")


async def _supplier(actor: CurrentUser) -> dict:
    with all_tenants("a supplier's own organisation", audited=False):
        org = await Organisation.select().where(Organisation.id == actor.organisation_id).first()
    if org is None:
        raise DomainError("FORBIDDEN", "bids come from a supplier's account")
    return org


@requires(Perm.BID_SUBMIT)
async def submit(
    actor: CurrentUser,
    project_id: int,
    lot: str,
    ciphertext: bytes,
    wrapped_key: bytes,
    signature: bytes,
    security: str | None = None,
    idempotency_key: str | None = None,
) -> tuple[dict, Receipt]:
    """Receive a sealed bid: refused when late (with the time it arrived), unsealed, or not
    signed by the bidder's active signing key; a bid for the same lot replaces the bidder's
    earlier one, which is kept, withdrawn. A retry gets the original receipt (replayed)."""
    lot = lot.strip()
    if not LOT.fullmatch(lot):
        raise DomainError("INVALID_LOT", "a lot: 1 to 32 letters, digits, '.', '_' or '-'", "lot")
    if security is not None and len(security.strip()) > 128:
        raise DomainError(
            "INVALID_SECURITY", "a bid security reference of 128 characters", "security"
        )
    if idempotency_key is not None and not IDEMPOTENCY_KEY.fullmatch(idempotency_key):
        raise DomainError(
            "INVALID_IDEMPOTENCY_KEY",
            "an idempotency key: 8 to 64 letters, digits, '.', '_', ':' or '-'",
            "idempotencyKey",
        )
    if len(ciphertext) > MAX_BID_BYTES or not wrapped_key:
        raise DomainError("BID_NOT_SEALED", "a sealed bid with its wrapped key", "ciphertext")
    digest = sealing.check_sealed(ciphertext)
    # A retry is answered first: its bid counts even if the deadline has passed since.
    original = await _original(actor.organisation_id, project_id, lot, digest, idempotency_key)
    if original is not None:
        return original, receipt_of(original, replayed=True)
    with all_tenants(PARTY_SCOPE):  # a late bid is told so before the work below
        found = await _project_for_bids(project_id, lock=False)
        # Suspended first: a suspension holds the deadline instant (holds.py).
        await blocks.ensure_free(found["tenant_id"], project_id, "transaction")
        check_open(found, clock.now())
    await prequalification.ensure_qualified(project_id, actor.organisation_id)
    if sealing.sealed_for(ciphertext) != (project_id, lot):
        raise DomainError(
            "BID_WRONG_PROJECT", "the bid was sealed for another project or lot", "ciphertext"
        )
    key = await key_registry.active_key(actor.organisation_id, key_registry.SIGNING)
    if key is None:
        raise DomainError(
            "NO_SIGNING_KEY", "register your organisation's signing key first", "signature"
        )
    sealing.verify_bid_signature(_public_key(key), signature, project_id, lot, digest)
    org = await _supplier(actor)
    storage_key = f"bids/{project_id}/{uuid.uuid4().hex}.sealed"
    with all_tenants(PARTY_SCOPE):
        async with transaction():
            # The arrival is stamped holding the project against the deadline transition: a
            # bid stamped before the deadline is in the opening, whenever the scheduler runs.
            project = await _project_for_bids(project_id, lock=True)
            # Copies of one bid sent at once take turns: the later ones find the first.
            await serialize_writes(f"bid:{project_id}:{org['id']}")
            original = await _original(org["id"], project_id, lot, digest, idempotency_key)
            if original is not None:
                return original, receipt_of(original, replayed=True)
            arrived = clock.now()
            await blocks.ensure_free(project["tenant_id"], project_id, "transaction")
            check_open(project, arrived)
            await securities.check(project, lot, org["id"], security)  # e-guarantee: at sealing
            # The mandatory check at submission (Caiku [2016] 125): a warning, never a refusal;
            # taken after the arrival is stamped, so it never makes a bid late.
            warnings = await at_submission(project["tenant_id"], org["id"])
            # The ciphertext is stored before the row: a transaction that fails after it leaves
            # an orphan file (never read), never a bid without its ciphertext.
            await storage.put(storage_key, ciphertext)
            earlier = await (
                Bid.select()
                .where(
                    (Bid.project == project_id)
                    & (Bid.lot == lot)
                    & (Bid.supplier_organisation == org["id"])
                    & (Bid.status == "submitted")
                )
                .first()
            )
            bid = Bid(
                tenant_id=project["tenant_id"],
                project=project_id,
                lot=lot,
                supplier_organisation=org["id"],
                supplier_name=org["name"],
                storage_key=storage_key,
                size=len(ciphertext),
                digest=digest,
                wrapped_key=_b64(wrapped_key),
                signature=_b64(signature),
                security=security.strip() if security and security.strip() else None,
                idempotency_key=idempotency_key,
                received_at=arrived,
                receipt="{}",
                receipt_signature="",
            )
            await bid.save()
            content = {
                "bid": bid.id,
                "bidder_organisation": org["id"],
                "bidder_name": org["name"],
                "bidder_uscc": org["uscc"],
                "project": project_id,
                "lot": lot,
                "digest": digest,
                "size": len(ciphertext),
                "received_at": arrived.isoformat(timespec="microseconds"),
            }
            if earlier:
                content["replaces"] = earlier["id"]
            signed = sealing.sign_receipt(content)
            await Bid.update(
                {
                    Bid.receipt: json.dumps(content, ensure_ascii=False),
                    Bid.receipt_signature: signed,
                }
            ).where(Bid.id == bid.id)
            row = await get(bid.id)
            await BID.created(row, {"receipt": content, "signature": signed}, "submit")
            if earlier:
                await BID.move(
                    actor,
                    earlier,
                    "withdraw",
                    {Bid.replaced_by: bid.id},
                    {"replaced_by": bid.id},
                )
    return row, Receipt(content, signed, credit_warnings=tuple(warnings))


@requires(Perm.BID_SUBMIT)
async def withdraw(actor: CurrentUser, bid_id: int) -> dict:
    """The bidder takes its bid back before the deadline (kept, withdrawn)."""
    with all_tenants(PARTY_SCOPE):
        async with transaction():
            bid = await own(actor, bid_id)
            project = await _project_for_bids(bid["project"], lock=True)
            arrived = clock.now()
            await blocks.ensure_free(project["tenant_id"], bid["project"], "transaction")
            check_open(project, arrived)
            return await BID.move(actor, bid, "withdraw", detail={"at": arrived.isoformat()})


def _b64(data: bytes) -> str:
    import base64

    return base64.b64encode(data).decode("ascii")


def _public_key(key) -> bytes:
    """The registry row's public key as raw bytes (stored as hex or bytes)."""
    value = key["public_key"] if isinstance(key, dict) else key.public_key
    if isinstance(value, bytes):
        return value
    return bytes.fromhex(value)


async def get(bid_id: int) -> dict:
    row = await Bid.select().where(Bid.id == bid_id).first()
    if row is None:
        raise NotFound("bid", bid_id)
    return row


async def own(actor: CurrentUser, bid_id: int) -> dict:
    """The bid if it is the actor's organisation's (NOT_FOUND otherwise, wherever it is)."""
    with all_tenants(PARTY_SCOPE):
        row = await get(bid_id)
    if row["supplier_organisation"] != actor.organisation_id:
        raise NotFound("bid", bid_id)
    return row


async def of_project(project_id: int, statuses: tuple[str, ...] | None = None) -> list[dict]:
    query = Bid.select().where(Bid.project == project_id)
    if statuses:
        query = query.where(Bid.status.is_in(list(statuses)))
    return await query.order_by(Bid.id)


async def bidder_organisations(project_id: int) -> set[int]:
    rows = await Bid.select(Bid.supplier_organisation).where(Bid.project == project_id)
    return {r["supplier_organisation"] for r in rows}
