"""Inquiries (询问): any supplier asks the purchaser or agency about a procurement; answered
within inquiry_answer (3 wd, Regulation art. 52), a clock the scheduler watches."""

from __future__ import annotations

from gpcloud.complaints.service import clocks
from gpcloud.complaints.service.common import SCOPE, readable, tell
from gpcloud.complaints.tables import Inquiry
from gpcloud.complaints.workflow import INQUIRY
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.clock import today
from gpcloud.core.db import transaction
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.rules.service import rule_deadline
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.transaction import facts


def _text(text: str, field: str, code: str) -> str:
    if not 2 <= len(text.strip()) <= 4000:
        raise DomainError(code, "2 to 4000 characters", field)
    return text.strip()


@requires(Perm.INQUIRY_ASK)
async def ask(actor: CurrentUser, project_id: int, text: str) -> dict:
    """Any supplier may ask about a procurement that is not over (entrusted ones are not public)."""
    text = _text(text, "text", "INVALID_INQUIRY")
    project = await facts.project(project_id)
    if project["status"] == "entrusted":
        raise NotFound("project", project_id)
    due = await rule_deadline("inquiry_answer", today(), project["tenant_id"])
    async with transaction():
        with all_tenants(SCOPE):
            inserted = await Inquiry.insert(
                Inquiry(
                    tenant_id=project["tenant_id"],
                    project=project_id,
                    purchaser_organisation=project["purchaser_organisation"],
                    agency_organisation=project["agency_organisation"],
                    supplier_organisation=actor.organisation_id,
                    asked_by=actor.id,
                    text=text,
                    asked_on=today(),
                    answer_due=due.due,
                )
            )
            row = await Inquiry.select().where(Inquiry.id == inserted[0]["id"]).first()
            await INQUIRY.created(row, {"project": project_id, "answer_due": str(due.due)})
        await clocks.start(
            "inquiry", row["id"], row["tenant_id"], "answer", "inquiry_answer", today()
        )
        await tell(
            "inquiry.step",
            row,
            project,
            {"inquiry_id": row["id"], "step": "待答复", "detail": text},
            supplier=False,
            due=due.due,
        )
        return row


@requires(Perm.INQUIRY_ANSWER)
async def answer(actor: CurrentUser, inquiry_id: int, text: str) -> dict:
    """The purchaser or its agency answers once; the asker is told; late when after the due day."""
    text = _text(text, "text", "INVALID_ANSWER")
    async with transaction():
        row = await readable(actor, Inquiry, "inquiry", inquiry_id)
        if actor.organisation_id not in (row["purchaser_organisation"], row["agency_organisation"]):
            raise NotFound("inquiry", inquiry_id)
        late = today() > row["answer_due"]
        with all_tenants(SCOPE):
            moved = await INQUIRY.move(
                actor,
                row,
                "answer",
                {Inquiry.answer: text, Inquiry.answered_on: today(), Inquiry.answered_by: actor.id},
                {"late": late},
            )
        await clocks.meet("inquiry", inquiry_id, "answer")
        project = await facts.project(row["project"])
        await tell(
            "inquiry.step",
            row,
            project,
            {"inquiry_id": inquiry_id, "step": "已答复", "detail": text},
            respondents=False,
            key=f"inquiry:{inquiry_id}:answered",
        )
        return moved
