"""Prequalification (资格预审): before the tender, the agency publishes a prequalification
notice with the qualification requirements; suppliers apply with their qualification documents
until the application deadline (at least prequalification_application_period, 5 wd from the
notice: Implementing Regulation art. 21); the agency reviews each application and concludes;
from then on only qualified suppliers obtain the documents and bid (MOF Order 87 arts. 14-15,
unverified text; the Implementing Regulation art. 21 lets the review stage skip the
qualification check for them).

The method's configuration says where one is required (invited tender: no tender announcement
before it is concluded) and where the agency may run one (open tender). Applicants are parties
to the project wherever they are registered (transaction/parties.py).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime

from gpcloud.core import clock, storage
from gpcloud.core import publishing as portal
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.roles import AGENCY, SUPPLIER
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.auth.tables import Organisation
from gpcloud.core.db import serialize_writes, transaction
from gpcloud.core.errors import DomainError, NotFound
from gpcloud.core.notifications.service import Recipients, notify
from gpcloud.core.rules.service import rule_deadline
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.registries.agencies.service import common as agencies
from gpcloud.supervision import plans
from gpcloud.transaction import blocks, invitations
from gpcloud.transaction.methods import ARTICLE_43_OPTIONS, method_config
from gpcloud.transaction.parties import PARTY_SCOPE
from gpcloud.transaction.selection_tables import Prequalification, PrequalificationApplication
from gpcloud.transaction.selection_workflow import APPLICATION, PREQUALIFICATION
from gpcloud.transaction.tables import Project
from gpcloud.transaction.workflow import PROJECT

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_FILES = 20


@dataclass(frozen=True)
class NoticeInput:
    title: str
    body: str
    requirements: list[dict]  # [{"item": ...}]: what an applicant must show
    applications_due_at: datetime


@dataclass(frozen=True)
class ApplicationInput:
    statement: str
    files: list[tuple[str, bytes]] = field(default_factory=list)


async def _project(project_id: int) -> dict:
    with all_tenants(PARTY_SCOPE):
        row = await Project.select().where(Project.id == project_id).first()
    if row is None:
        raise NotFound("project", project_id)
    return row


async def as_agency(actor: CurrentUser, project_id: int) -> dict:
    project = await _project(project_id)
    if project["agency_organisation"] != actor.organisation_id:
        raise NotFound("project", project_id)
    return project


async def of_project(project_id: int) -> dict | None:
    with all_tenants(PARTY_SCOPE):
        return await Prequalification.select().where(Prequalification.project == project_id).first()


async def held_of(project_id: int) -> dict:
    row = await of_project(project_id)
    if row is None:
        raise DomainError("NO_PREQUALIFICATION", "the project has no prequalification", "projectId")
    return row


def _files(files: list[tuple[str, bytes]], prefix: str) -> list[tuple[str, bytes, dict]]:
    if len(files) > MAX_FILES:
        raise DomainError("INVALID_FILE", f"at most {MAX_FILES} files", "files")
    checked = []
    for i, (name, content) in enumerate(files):
        if not name.strip() or "/" in name or len(content) > MAX_FILE_BYTES:
            raise DomainError("INVALID_FILE", "a plain name, 50 MB at most", f"files[{i}]")
        digest = hashlib.sha256(content).hexdigest()
        key = f"{prefix}/{digest}"
        checked.append((key, content, {"name": name, "size": len(content), "sha256": digest}))
    return checked


@requires(Perm.PREQUALIFICATION_MANAGE)
async def publish(actor: CurrentUser, project_id: int, data: NoticeInput) -> dict:
    """The prequalification notice of an entrusted project whose method allows one; the
    application deadline leaves at least prequalification_application_period (5 wd)."""
    project = await as_agency(actor, project_id)
    config = method_config(project["method"])
    if not config.prequalification_allowed:
        raise DomainError(
            "PREQUALIFICATION_NOT_ALLOWED",
            f"a {config.title} has no prequalification",
            "projectId",
        )
    if project["status"] != "entrusted":
        raise DomainError("WRONG_STATE", f"the project is {project['status']}", "projectId")
    if not 2 <= len(data.title.strip()) <= 200:
        raise DomainError("INVALID_TITLE", "a title of 2 to 200 characters", "title")
    if not data.requirements or any(not str(r.get("item", "")).strip() for r in data.requirements):
        raise DomainError(
            "INVALID_REQUIREMENTS", "one or more requirements, each with its item", "requirements"
        )
    due_at = data.applications_due_at
    if due_at.tzinfo is None:
        raise DomainError(
            "INVALID_DEADLINE", "the deadline instant with its time zone", "applicationsDueAt"
        )
    await blocks.ensure_free(project["tenant_id"], project_id, "transaction")
    period = await rule_deadline(
        "prequalification_application_period", clock.today(), project["tenant_id"]
    )
    if due_at.astimezone(clock.LEGAL_TZ).date() < period.due:
        raise DomainError(
            "PERIOD_TOO_SHORT",
            f"applications may close on {period.due} at the earliest ({'; '.join(period.steps)})",
            "applicationsDueAt",
        )
    with all_tenants(PARTY_SCOPE):
        async with transaction():
            await serialize_writes(f"prequalification:{project_id}")
            if await of_project(project_id) is not None:
                raise DomainError(
                    "PREQUALIFICATION_EXISTS", "the project has its prequalification", "projectId"
                )
            inserted = await Prequalification.insert(
                Prequalification(
                    tenant_id=project["tenant_id"],
                    project=project_id,
                    title=data.title.strip(),
                    body=data.body.strip(),
                    requirements=json.dumps(data.requirements, ensure_ascii=False),
                    published_at=clock.now(),
                    applications_due_at=due_at,
                    steps=json.dumps(list(period.steps), ensure_ascii=False),
                )
            )
            row = await get(inserted[0]["id"])
            await PREQUALIFICATION.created(
                row, {"project": project_id, "due_at": due_at.isoformat()}, "publish"
            )
            await invitations.commit(project, row)  # an invited tender: the seed, before applying
            await _to_portal(project, row)
            return await get(row["id"])


async def _to_portal(project: dict, row: dict) -> None:
    """The notice goes on the portal like the tender announcement (MOF Order 87 art. 14,
    unverified text: 资格预审公告 in the media the finance department names), in the same
    transaction. Its outcome is not published: the qualified suppliers are the potential
    bidders, whose names and number stay undisclosed until the result (Bidding Law art. 22);
    each applicant is told its own result."""
    await publish_notice(
        project,
        "prequalification",
        f"prequalification:{row['id']}",
        row["title"],
        row["body"] or row["title"],
        {
            "requirements": json.loads(row["requirements"]),
            "applications_due_at": row["applications_due_at"].isoformat(),
        },
    )


async def publish_notice(
    project: dict, kind: str, source: str, title: str, body: str, details: dict
) -> None:
    """A notice of the project's prequalification on the portal (the notice, a correction)."""
    plan = await plans.get(project["plan"])
    await portal.publish(
        portal.Publication(
            kind=kind,
            source=source,
            tenant=project["tenant_id"],
            title=title,
            body=body,
            published_on=clock.today(),
            **await plans.notice_fields(plan),
            agency_id=project["agency"],
            agency_name=(await agencies.get(project["agency"]))["name"],
            amount_fen=project["budget_fen"] if kind == "prequalification" else None,
            details={"project_id": project["id"], **details},
        )
    )


async def get(prequalification_id: int) -> dict:
    row = await Prequalification.select().where(Prequalification.id == prequalification_id).first()
    if row is None:
        raise NotFound("prequalification", prequalification_id)
    return row


async def _supplier(actor: CurrentUser) -> dict:
    with all_tenants("a supplier's own organisation", audited=False):
        org = await Organisation.select().where(Organisation.id == actor.organisation_id).first()
    if org is None or org["kind"] != "supplier":
        raise DomainError("FORBIDDEN", "applications come from a supplier's account")
    return org


@requires(Perm.PREQUALIFICATION_APPLY)
async def apply(actor: CurrentUser, project_id: int, data: ApplicationInput) -> dict:
    """A supplier's application, before the deadline; applying again replaces its documents
    (the earlier ones stay in storage and in the audit log)."""
    if len(data.statement.strip()) > 4000:
        raise DomainError("INVALID_STATEMENT", "a statement of 4000 characters", "statement")
    held = await held_of(project_id)
    arrived = clock.now()
    if held["status"] != "open" or arrived >= held["applications_due_at"]:
        raise DomainError(
            "APPLICATIONS_CLOSED",
            f"applications closed at {held['applications_due_at'].isoformat()}; this one came "
            f"at {arrived.isoformat(timespec='milliseconds')}",
            "projectId",
        )
    org = await _supplier(actor)
    files = _files(data.files, f"prequalification/{project_id}/{org['id']}")
    for key, content, _ in files:
        await storage.put(key, content)
    documents = json.dumps([{**meta, "key": key} for key, _, meta in files], ensure_ascii=False)
    with all_tenants(PARTY_SCOPE):
        async with transaction():
            await serialize_writes(f"prequalification:{held['id']}:{org['id']}")
            held = await get(held["id"])
            arrived = clock.now()
            if held["status"] != "open" or arrived >= held["applications_due_at"]:
                raise DomainError("APPLICATIONS_CLOSED", "applications are closed", "projectId")
            mine = await _application_of(held["id"], org["id"])
            detail = {"project": project_id, "documents": len(files)}
            if mine is not None:
                return await APPLICATION.move(
                    actor,
                    mine,
                    "resubmit",
                    {
                        PrequalificationApplication.documents: documents,
                        PrequalificationApplication.statement: data.statement.strip(),
                        PrequalificationApplication.submitted_at: arrived,
                    },
                    detail,
                )
            inserted = await PrequalificationApplication.insert(
                PrequalificationApplication(
                    tenant_id=held["tenant_id"],
                    prequalification=held["id"],
                    supplier_organisation=org["id"],
                    supplier_name=org["name"],
                    statement=data.statement.strip(),
                    documents=documents,
                    submitted_at=arrived,
                )
            )
            row = await application(inserted[0]["id"])
            await APPLICATION.created(row, detail, "apply")
            return row


async def _application_of(prequalification_id: int, organisation_id: int) -> dict | None:
    return (
        await PrequalificationApplication.select()
        .where(
            (PrequalificationApplication.prequalification == prequalification_id)
            & (PrequalificationApplication.supplier_organisation == organisation_id)
        )
        .first()
    )


async def application(application_id: int) -> dict:
    with all_tenants(PARTY_SCOPE):
        row = (
            await PrequalificationApplication.select()
            .where(PrequalificationApplication.id == application_id)
            .first()
        )
    if row is None:
        raise NotFound("application", application_id)
    return row


@requires(Perm.PREQUALIFICATION_MANAGE)
async def review(actor: CurrentUser, application_id: int, qualified: bool, reason: str) -> dict:
    """The agency's decision on one application, after the deadline; a rejection says why."""
    reason = reason.strip()
    if not qualified and not 2 <= len(reason) <= 2000:
        raise DomainError("REASON_REQUIRED", "a rejection gives its reason (2 to 2000)", "reason")
    with all_tenants(PARTY_SCOPE):
        async with transaction():
            row = await application(application_id)
            held = await get(row["prequalification"])
            project = await _project(held["project"])
            if project["agency_organisation"] != actor.organisation_id:
                raise NotFound("application", application_id)
            if held["status"] != "closed":
                raise DomainError(
                    "PREQUALIFICATION_NOT_CLOSED",
                    f"applications are reviewed once closed; the prequalification is "
                    f"{held['status']}",
                )
            return await APPLICATION.move(
                actor,
                row,
                "qualify" if qualified else "reject",
                {
                    PrequalificationApplication.reason: reason,
                    PrequalificationApplication.reviewed_at: clock.now(),
                },
                {"project": project["id"], "reason": reason},
            )


@requires(Perm.PREQUALIFICATION_MANAGE)
async def conclude(actor: CurrentUser, project_id: int) -> dict:
    """Once every application is reviewed: concluded with at least the method's minimum of
    qualified suppliers; failed with fewer, and the project fails with it (Law art. 36(1):
    废标; MOF Order 87 art. 43's options, as when too few bid: transaction/opening.py), its
    plan marked failed for the purchaser to re-tender or switch method. Every applicant is
    told its own result; on a failure the applicants and the agency are told why."""
    await as_agency(actor, project_id)
    with all_tenants(PARTY_SCOPE):
        async with transaction():
            project = await _project(project_id)  # read in the transaction: compare-and-set
            minimum = method_config(project["method"]).minimum_bidders
            held = await held_of(project_id)
            rows = await PrequalificationApplication.select().where(
                PrequalificationApplication.prequalification == held["id"]
            )
            waiting = sum(r["status"] == "submitted" for r in rows)
            if waiting:
                raise DomainError(
                    "APPLICATIONS_UNREVIEWED", f"{waiting} applications are not reviewed yet"
                )
            qualified = sum(r["status"] == "qualified" for r in rows)
            counts = {"qualified": qualified, "minimum": minimum, "applications": len(rows)}
            moved = await PREQUALIFICATION.move(
                actor,
                held,
                "conclude" if qualified >= minimum else "fail",
                {Prequalification.qualified: qualified},
                counts,
            )
            if qualified < minimum:
                await _fail_project(actor, project, counts, rows)
            for r in rows:  # 资格预审结果通知书, to every applicant
                passed = r["status"] == "qualified"
                await notify(
                    "project.prequalification_result",
                    Recipients(organisation=r["supplier_organisation"], roles=(SUPPLIER,)),
                    {
                        "title": project["title"],
                        "project_id": project_id,
                        "result": "合格" if passed else "不合格",
                        "reason": "" if passed else f"理由：{r['reason']}",
                    },
                    about=("project", project_id),
                    key=f"prequalification:{held['id']}:result:{r['id']}",
                )
            return moved


async def _fail_project(actor: CurrentUser, project: dict, counts: dict, rows: list[dict]):
    """Too few qualified: the project fails (a compare-and-set on the row read in this
    transaction: a project that moved meanwhile is a CONFLICT), its plan too; told."""
    await PROJECT.move(
        actor,
        project,
        "fail_too_few_qualified",
        detail={**counts, "options": ARTICLE_43_OPTIONS},
    )
    await plans.mark(
        project["plan"], "fail", {"project": project["id"], "qualified": counts["qualified"]}
    )
    params = {
        "title": project["title"],
        "project_id": project["id"],
        "qualified": counts["qualified"],
        "minimum": counts["minimum"],
    }
    told = [(r["supplier_organisation"], SUPPLIER) for r in rows]
    for organisation, role in [*told, (project["agency_organisation"], AGENCY)]:
        await notify(
            "project.too_few_qualified",
            Recipients(organisation=organisation, roles=(role,)),
            params,
            about=("project", project["id"]),
            key=f"project:{project['id']}:too_few_qualified:{organisation}",
        )


async def applications(project_id: int, organisation_id: int | None = None) -> list[dict]:
    """A prequalification's applications (a supplier: its own)."""
    held = await of_project(project_id)
    if held is None:
        return []
    with all_tenants(PARTY_SCOPE):
        query = PrequalificationApplication.select().where(
            PrequalificationApplication.prequalification == held["id"]
        )
        if organisation_id is not None:
            query = query.where(
                PrequalificationApplication.supplier_organisation == organisation_id
            )
        return await query.order_by(PrequalificationApplication.id)


async def ensure_ready(project: dict, electronic: bool) -> None:
    """The tender announcement waits for the prequalification: held and not concluded (or its
    invitees not drawn, for an invited tender), or, for sealed electronic bids, required by the
    method and not held, it is refused (the simplified flow runs its prequalification offline)."""
    held = await of_project(project["id"])
    if held is None:
        if electronic and method_config(project["method"]).prequalification:
            raise DomainError(
                "PREQUALIFICATION_REQUIRED",
                "the method needs a prequalification concluded before the tender",
                "projectId",
            )
        return
    if held["status"] != "concluded":
        raise DomainError(
            "PREQUALIFICATION_NOT_CONCLUDED",
            f"the prequalification is {held['status']}: the tender waits for its conclusion",
            "projectId",
        )
    await invitations.ensure_drawn(project["id"])


async def ensure_qualified(project_id: int, organisation_id: int) -> None:
    """Where the project had a prequalification, only its qualified suppliers take part
    (obtain the documents, bid); Bidding Law Regulation art. 36 refuses the others' bids. An
    invited tender narrows them to the drawn invitees (transaction/invitations.py)."""
    held = await of_project(project_id)
    if held is None:
        return
    mine = None
    if held["status"] == "concluded":
        with all_tenants(PARTY_SCOPE):
            mine = await _application_of(held["id"], organisation_id)
    if mine is None or mine["status"] != "qualified":
        raise DomainError(
            "NOT_PREQUALIFIED",
            "only suppliers that passed the project's prequalification take part",
            "projectId",
        )
    await invitations.ensure_invited(project_id, organisation_id)
