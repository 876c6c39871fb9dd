"""Appeals (异议申诉): the subject of a record appeals it; a supervisor of the record's region
upholds the appeal (which revokes the record, in the same transaction) or dismisses it. One
open appeal per record at a time."""

from __future__ import annotations

from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.clock import now
from gpcloud.core.db import for_update, transaction
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.credit.service import records
from gpcloud.credit.tables import CreditAppeal, CreditRecord
from gpcloud.credit.workflow import APPEAL, RECORD


async def get(appeal_id: int) -> dict:
    row = await CreditAppeal.select().where(CreditAppeal.id == appeal_id).first()
    if row is None:
        raise NotFound("credit appeal", appeal_id)
    return row


async def is_subject(actor: CurrentUser, record: dict) -> bool:
    if record["organisation"] is not None:
        return record["organisation"] == actor.organisation_id
    return (await records.subject("expert", record["expert"]))["user_id"] == actor.id


@requires(Perm.CREDIT_APPEAL)
async def file(actor: CurrentUser, record_id: int, statement: str) -> dict:
    if not 10 <= len(statement.strip()) <= 5000:
        raise DomainError("INVALID_STATEMENT", "a statement of 10 to 5000 characters", "statement")
    async with transaction():
        # Locked: two appeals filed at once must see each other.
        record = await for_update(CreditRecord.select().where(CreditRecord.id == record_id)).first()
        if record is None or not await is_subject(actor, record):
            raise NotFound("credit record", record_id)
        if record["status"] == "revoked":
            raise DomainError("WRONG_STATE", "a revoked record cannot be appealed")
        pending = await CreditAppeal.exists().where(
            (CreditAppeal.record == record_id) & (CreditAppeal.status == "filed")
        )
        if pending:
            raise DomainError("APPEAL_PENDING", "an appeal of this record awaits its decision")
        row = CreditAppeal(
            record=record_id,
            region=record["region"],
            filed_by=actor.id,
            statement=statement.strip(),
        )
        await row.save()
        created = await get(row.id)
        await APPEAL.created(created, {"record": record_id})
        return created


async def _decide(actor: CurrentUser, appeal_id: int, action: str, decision: str) -> dict:
    if not decision.strip():
        raise DomainError("NO_DECISION", "the decision states its reasons", "decision")
    async with transaction():
        appeal = await get(appeal_id)
        decided = await APPEAL.move(
            actor,
            appeal,
            action,
            {
                CreditAppeal.decision: decision.strip(),
                CreditAppeal.decided_by: actor.id,
                CreditAppeal.decided_at: now(),
            },
            {"decision": decision.strip(), "record": appeal["record"]},
        )
        if action == "uphold":
            record = await records.get(appeal["record"])
            await RECORD.move(
                None,
                record,
                "revoke",
                {CreditRecord.status_reason: f"appeal {appeal_id} upheld: {decision.strip()}"},
                {"appeal": appeal_id},
            )
        return decided


@requires(Perm.CREDIT_DECIDE_APPEAL)
async def uphold(actor: CurrentUser, appeal_id: int, decision: str) -> dict:
    return await _decide(actor, appeal_id, "uphold", decision)


@requires(Perm.CREDIT_DECIDE_APPEAL)
async def dismiss(actor: CurrentUser, appeal_id: int, decision: str) -> dict:
    return await _decide(actor, appeal_id, "dismiss", decision)


async def of_records(record_ids: list[int]) -> list[list[dict]]:
    """Each record's appeals, oldest first (one query)."""
    rows = await (
        CreditAppeal.select()
        .where(CreditAppeal.record.is_in(record_ids or [0]))
        .order_by(CreditAppeal.id)
    )
    by_record: dict[int, list[dict]] = {i: [] for i in record_ids}
    for row in rows:
        by_record[row["record"]].append(row)
    return [by_record[i] for i in record_ids]
