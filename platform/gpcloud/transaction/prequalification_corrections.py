"""Corrections of a prequalification notice (资格预审公告的澄清或修改): while applications are
open the agency clarifies or corrects it and every applicant is told; one that affects what
applicants prepare comes at least prequalification_correction_before_deadline (3 d) before the
application deadline, else the deadline moves (MOF Order 87 art. 27, unverified text; Bidding
Law Regulation art. 21, whose text is in ../shared/domain/law/)."""

from __future__ import annotations

import json
from datetime import datetime

from gpcloud.core import clock
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.roles import SUPPLIER
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.db import transaction
from gpcloud.core.errors import DomainError
from gpcloud.core.notifications.service import Recipients, notify
from gpcloud.core.rules.service import rule_deadline
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.transaction.parties import PARTY_SCOPE
from gpcloud.transaction.prequalification import as_agency, get, held_of, publish_notice
from gpcloud.transaction.selection_tables import Prequalification, PrequalificationApplication
from gpcloud.transaction.selection_workflow import PREQUALIFICATION


@requires(Perm.PREQUALIFICATION_MANAGE)
async def correct(
    actor: CurrentUser,
    project_id: int,
    text: str,
    affects_applications: bool,
    requirements: list[dict] | None = None,
    new_due_at: datetime | None = None,
) -> dict:
    """A clarification or correction of the notice while applications are open, sent to every
    applicant and published on the portal; one that affects applications comes at least 3 days
    before the deadline, else the deadline moves (new_due_at, never earlier)."""
    text = text.strip()
    if not 2 <= len(text) <= 4000:
        raise DomainError("INVALID_CORRECTION", "a correction of 2 to 4000 characters", "text")
    if requirements is not None and (
        not requirements or any(not str(r.get("item", "")).strip() for r in requirements)
    ):
        raise DomainError(
            "INVALID_REQUIREMENTS", "one or more requirements, each with its item", "requirements"
        )
    project = await as_agency(actor, project_id)
    held = await held_of(project_id)
    if new_due_at is not None and (
        new_due_at.tzinfo is None or new_due_at < held["applications_due_at"]
    ):
        raise DomainError(
            "DEADLINE_EARLIER", "a correction may move the deadline later only", "newDueAt"
        )
    due_at = new_due_at or held["applications_due_at"]
    steps: list[str] = []
    if affects_applications:
        needed = await rule_deadline(
            "prequalification_correction_before_deadline", clock.today(), project["tenant_id"]
        )
        steps = list(needed.steps)
        if due_at.astimezone(clock.LEGAL_TZ).date() < needed.due:
            raise DomainError(
                "CORRECTION_TOO_LATE",
                f"a correction affecting applications needs the deadline on {needed.due} or "
                f"later: move it with newDueAt ({'; '.join(steps)})",
                "newDueAt",
            )
    changes = {Prequalification.applications_due_at: due_at}
    if requirements is not None:
        changes[Prequalification.requirements] = json.dumps(requirements, ensure_ascii=False)
    with all_tenants(PARTY_SCOPE):
        async with transaction():
            held = await get(held["id"])
            if held["status"] == "open" and clock.now() >= held["applications_due_at"]:
                raise DomainError("APPLICATIONS_CLOSED", "applications are closed", "projectId")
            moved = await PREQUALIFICATION.move(
                actor,
                held,
                "correct",
                changes,
                {
                    "text": text,
                    "affects_applications": affects_applications,
                    "due_at": due_at.isoformat(),
                    "steps": steps,
                },
            )
            applicants = await PrequalificationApplication.select(
                PrequalificationApplication.supplier_organisation
            ).where(PrequalificationApplication.prequalification == held["id"])
            for org in sorted({a["supplier_organisation"] for a in applicants}):
                await notify(
                    "project.prequalification_corrected",
                    Recipients(organisation=org, roles=(SUPPLIER,)),
                    {
                        "title": project["title"],
                        "project_id": project_id,
                        "text": text,
                        "due": due_at.astimezone(clock.LEGAL_TZ).strftime("%Y-%m-%d %H:%M"),
                    },
                    about=("project", project_id),
                    key=f"prequalification:{held['id']}:correction:{moved['revision']}:{org}",
                )
            # On the portal as a correction (更正公告) of the notice, as the tender's are.
            await publish_notice(
                project,
                "correction",
                f"prequalification:{held['id']}:correction:{moved['revision']}",
                f"{held['title']}（更正公告）"[:200],
                text,
                {
                    "requirements": json.loads(moved["requirements"]),
                    "applications_due_at": due_at.isoformat(),
                    "affects_applications": affects_applications,
                },
            )
            return moved
