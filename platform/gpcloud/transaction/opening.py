"""The deadline and the online opening (开标).

The scheduler takes `close_bidding` at the deadline instant (transaction/workflow.py); then, in
the same transaction, the credit hooks run for every bidder and the project either fails (fewer
bidders than the method's minimum: no opening) or opens the hall for the decryption window.
Each bidder unseals its own bid with its content key: the platform reads the stored ciphertext,
checks that it is the one receipted (its digest), decrypts it and reads the bid form. Every
attempt is logged with whose cause a failure was. At the window's end the bids not unsealed are
revoked (the bidder's cause) or withdrawn (the platform's), their ciphertext kept, and the
opening record is written.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from gpcloud.core import clock, storage
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.roles import AGENCY, SUPPLIER
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.db import transaction
from gpcloud.core.errors import DomainError
from gpcloud.core.notifications.service import Recipients, notify
from gpcloud.core.plugins.calling import PluginFailed
from gpcloud.core.plugins.credit_check import credit_answers
from gpcloud.core.tenancy.config import effective_config
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.supervision import plans
from gpcloud.transaction import bids, lots, records, sealing
from gpcloud.transaction.methods import ARTICLE_43_OPTIONS, method_config
from gpcloud.transaction.tables import Bid, OpeningRecord, Project, UnsealAttempt
from gpcloud.transaction.workflow import BID, PROJECT

log = logging.getLogger(__name__)

DEFAULT_WINDOW_MINUTES = 30
PARTY_SCOPE = bids.PARTY_SCOPE


async def window(tenant: str) -> timedelta:
    config = await effective_config(tenant)
    minutes = (config.values.get("transaction") or {}).get(
        "decryption_window_minutes", DEFAULT_WINDOW_MINUTES
    )
    return timedelta(minutes=int(minutes))


async def _credit_checks(project: dict, submitted: list[dict]) -> None:
    """The mandatory credit check of every bidder at the deadline (core/plugins/credit_check.py:
    the credit domain's built-in and the tenant's plugins); what each said is kept on its bids.
    A check that fails is kept as failed, and the deadline still passes: evaluation decides."""
    on_day = clock.today()
    for organisation in sorted({b["supplier_organisation"] for b in submitted}):
        kept: dict = {"on_day": on_day.isoformat(), "answers": [], "failed": []}
        try:
            answers = await credit_answers(
                project["tenant_id"], organisation, "bid_deadline", on_day
            )
            kept["answers"] = [{"plugin": a.plugin, **(a.value or {})} for a in answers]
        except PluginFailed as failed:
            kept["failed"] = [failed.plugin]
        await Bid.update(
            {Bid.credit_check: json.dumps(kept, ensure_ascii=False, default=str)}
        ).where(
            (Bid.project == project["id"])
            & (Bid.supplier_organisation == organisation)
            & (Bid.status == "submitted")
        )


async def _tell_bidders(project: dict, organisations: set[int], kind: str, params: dict) -> None:
    for organisation in sorted(organisations):
        await notify(
            kind,
            Recipients(organisation=organisation, roles=(SUPPLIER,)),
            {"title": project["title"], "project_id": project["id"], **params},
            about=("project", project["id"]),
            key=f"project:{project['id']}:{kind}:{organisation}",
        )


async def after_close(project: dict) -> None:
    """Bidding closed (the scheduler's transaction): each lot short of the method's minimum
    bidders fails on its own (transaction/lots.py); none left: the project fails, no opening;
    else the hall opens for the lots that continue."""
    submitted = await bids.of_project(project["id"], ("submitted",))
    await _credit_checks(project, submitted)
    bidders = {b["supplier_organisation"] for b in submitted}
    minimum = method_config(project["method"]).minimum_bidders
    per_lot = await lots.at_deadline(project, submitted)
    results = {Project.lot_results: json.dumps(per_lot, ensure_ascii=False)}
    failed = sorted(lot for lot, r in per_lot.items() if r["status"] == "failed")
    if len(failed) == len(per_lot):
        await PROJECT.move(
            None,
            project,
            "fail_too_few_bids",
            results,
            detail={
                "bidders": len(bidders),
                "minimum": minimum,
                "lots": per_lot,
                "options": ARTICLE_43_OPTIONS,
            },
        )
        await plans.mark(
            project["plan"], "fail", {"project": project["id"], "bidders": len(bidders)}
        )
        params = {"bids": len(bidders), "minimum": minimum}
        await _tell_bidders(project, bidders, "project.too_few_bids", params)
        await notify(
            "project.too_few_bids",
            Recipients(organisation=project["agency_organisation"], roles=(AGENCY,)),
            {"title": project["title"], "project_id": project["id"], **params},
            about=("project", project["id"]),
            key=f"project:{project['id']}:too_few_bids",
        )
        return
    ends = clock.now() + await window(project["tenant_id"])
    await PROJECT.move(
        None,
        project,
        "open_hall",
        {Project.opening_ends_at: ends, **results},
        {
            "bidders": len(bidders),
            "bids": len(submitted),
            "window_ends_at": ends.isoformat(),
            "lots_failed": {lot: per_lot[lot] for lot in failed},
        },
    )
    standing = {b["supplier_organisation"] for b in submitted if b["lot"] not in failed}
    await _tell_bidders(
        project,
        standing,
        "project.opening_hall",
        {"deadline": project["bid_deadline_at"].isoformat(), "window_end": ends.isoformat()},
    )
    for lot in failed:  # a lot that failed is told as its own 不予开标
        lot_bidders = {b["supplier_organisation"] for b in submitted if b["lot"] == lot}
        params = {"bids": len(lot_bidders), "minimum": minimum}
        await _tell_bidders(
            project,
            lot_bidders - standing,
            "project.too_few_bids",
            {**params, "title": f"{project['title']}（第{lot}包）"},
        )


def _decode_key(content_key: str) -> bytes:
    try:
        return base64.b64decode(content_key, validate=True)
    except (binascii.Error, ValueError):
        raise DomainError("INVALID_KEY", "the content key in base64", "contentKey") from None


async def _attempt(bid: dict, outcome: str, cause: str | None, message: str = "") -> None:
    await UnsealAttempt.insert(
        UnsealAttempt(
            tenant_id=bid["tenant_id"],
            bid=bid["id"],
            at=clock.now(),
            outcome=outcome,
            cause=cause,
            message=message,
        )
    )


@dataclass(frozen=True)
class Unsealing:
    """An attempt's outcome: the bid as it stands, and the failure (logged) if it failed."""

    bid: dict
    failure: DomainError | None = None


@requires(Perm.BID_UNSEAL)
async def unseal(actor: CurrentUser, bid_id: int, content_key: str) -> Unsealing:
    """The bidder's content key opens its bid, in the hall, within the window. A failed attempt
    is logged and returned, not raised, so that the log is committed with the request; the
    bidder may try again within the window."""
    key = _decode_key(content_key)
    at = clock.now()
    with all_tenants(PARTY_SCOPE):
        bid = await bids.own(actor, bid_id)
        project = await Project.select().where(Project.id == bid["project"]).first()
        if project["status"] != "opening" or at >= project["opening_ends_at"]:
            if project["status"] in ("tendering", "closed"):
                raise DomainError(
                    "OPENING_NOT_STARTED", "bids are unsealed in the opening hall only", "bidId"
                )
            raise DomainError("OPENING_CLOSED", "the decryption window is over", "bidId")
        BID.next_state("unseal", bid["status"])
        if lot_failed := lots.failed_at_deadline(project, bid["lot"]):
            raise DomainError(
                "LOT_FAILED",
                f"lot {bid['lot']} had {lot_failed['bidders']} bidder(s) at the deadline, fewer "
                f"than {lot_failed['minimum']}: its bids are not opened",
                "bidId",
            )
        failure: DomainError | None = None
        cause = None
        try:
            ciphertext = await storage.get(bid["storage_key"])
        except Exception as exc:  # the platform's cause: the store failed us
            log.exception("bid %s: ciphertext unreadable", bid_id)
            ciphertext, failure, cause = (
                None,
                DomainError("BID_UNREADABLE", f"the stored bid cannot be read: {exc}"),
                "platform",
            )
        if ciphertext is not None:
            digest = hashlib.sha256(ciphertext).hexdigest()
            if digest != bid["digest"]:
                failure = DomainError(
                    "BID_DIGEST_MISMATCH",
                    f"the stored ciphertext (sha256 {digest}) is not the one receipted "
                    f"({bid['digest']}): not opened",
                    "bidId",
                )
                cause = "platform"
        package = None
        if failure is None:
            try:
                package = sealing.read_package(sealing.unseal(ciphertext, key))
            except DomainError as exc:
                failure, cause = exc, "bidder"
        if failure is not None:
            async with transaction():
                await _attempt(bid, failure.problems[0].code, cause, str(failure))
            return Unsealing(bid, failure)
        form = package.form
        files = [
            {
                "name": f.name,
                "size": len(f.content),
                "sha256": hashlib.sha256(f.content).hexdigest(),
            }
            for f in package.files
        ]
        async with transaction():
            await _attempt(bid, "opened", None)
            moved = await BID.move(
                actor,
                bid,
                "unseal",
                {
                    Bid.form: json.dumps(form, ensure_ascii=False),
                    Bid.files: json.dumps(files, ensure_ascii=False),
                    Bid.price_fen: _price_fen(form),
                    Bid.discount: str(form.get("discount"))[:64] if form.get("discount") else None,
                    Bid.unsealed_at: at,
                },
                {"digest": bid["digest"], "files": len(files)},
            )
            return Unsealing(moved)


def _price_fen(form: dict) -> int | None:
    """The total price of the bid form (yuan, as text or number) in fen, if it states one."""
    value = form.get("price", form.get("total_price"))
    if value is None:
        return None
    try:
        return int((Decimal(str(value)) * 100).to_integral_value())
    except InvalidOperation:
        return None


async def after_unsealing(project: dict) -> None:
    """The window ended: bids not unsealed revoked or withdrawn per cause; the record written.
    The bids of a lot that failed at the deadline stay as they are: sealed, kept, not opened."""
    for bid in await bids.of_project(project["id"], ("submitted",)):
        if lots.failed_at_deadline(project, bid["lot"]):
            continue
        last = (
            await UnsealAttempt.select()
            .where(UnsealAttempt.bid == bid["id"])
            .order_by(UnsealAttempt.id, ascending=False)
            .first()
        )
        cause = (last or {}).get("cause") or "bidder"
        detail = {
            "cause": cause,
            "attempts": await UnsealAttempt.count().where(UnsealAttempt.bid == bid["id"]),
            "last": (last or {}).get("outcome"),
            "ciphertext_kept": bid["storage_key"],
        }
        action = "withdraw_for_platform" if cause == "platform" else "revoke"
        await BID.move(None, bid, action, detail=detail)
    await records.write(project)


async def opening_record(project_id: int) -> dict | None:
    return await OpeningRecord.select().where(OpeningRecord.project == project_id).first()
