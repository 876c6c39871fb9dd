"""Procurement documents (采购文件), questions (询问) and corrections.

The agency publishes the documents as structured data (what evaluation will score) with their
files; every later version is a clarification or correction, sent to everyone who obtained an
earlier one. Suppliers obtain them during the availability period (documents_available, >= 5
wd), recorded, and become the project's parties; they ask questions, answered within
inquiry_answer (3 wd).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from gpcloud.core import clock, storage
from gpcloud.core.audit import service as audit
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.roles import SUPPLIER
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.db import transaction
from gpcloud.core.errors import DomainError, NotFound, Problem
from gpcloud.core.notifications.service import Recipients, notify
from gpcloud.core.rules.service import effective_rule, rule_deadline
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.supervision import plans
from gpcloud.supervision.warnings import check_publication
from gpcloud.transaction import blocks, prequalification
from gpcloud.transaction.parties import PARTY_SCOPE
from gpcloud.transaction.tables import DocumentObtained, ProcurementDocument, Project, Question

PRICE_WEIGHT_RULE = {"goods": "price_weight_goods_min", "services": "price_weight_services_min"}
MAX_FILE_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class DocumentsInput:
    summary: str
    requirements: list[dict]
    qualification: list[dict]
    compliance: list[dict]
    criteria: list[dict]  # [{"name": str, "weight": int}]
    price_weight: int
    lots: list[str] = field(default_factory=lambda: ["1"])
    bid_security_required: bool = False
    files: list[tuple[str, bytes]] = field(default_factory=list)


async def _project(project_id: int) -> dict:
    with all_tenants(PARTY_SCOPE):
        row = await Project.select().where(Project.id == project_id).first()
    if row is None:
        raise NotFound("project", project_id)
    return row


async def _as_agency(actor: CurrentUser, project_id: int) -> dict:
    project = await _project(project_id)
    if project["agency_organisation"] != actor.organisation_id:
        raise NotFound("project", project_id)
    return project


async def _check(project: dict, data: DocumentsInput) -> None:
    problems = []
    if data.price_weight < 0 or data.price_weight > 100:
        problems.append(Problem("INVALID_PRICE_WEIGHT", "0 to 100 percent", "priceWeight"))
    object_type = (await plans.get(project["plan"]))["object_type"]
    rule = PRICE_WEIGHT_RULE.get(object_type)
    if rule:
        minimum = await effective_rule(rule, project["tenant_id"])
        if data.price_weight < minimum.value:
            problems.append(
                Problem(
                    "PRICE_WEIGHT_TOO_LOW",
                    f"{object_type}: the price weighs at least {minimum.value}% "
                    f"({minimum.describe()})",
                    "priceWeight",
                )
            )
    weights = [c.get("weight") for c in data.criteria]
    if any(not isinstance(w, int) or w < 0 for w in weights) or (
        data.criteria and sum(weights) + data.price_weight != 100
    ):
        problems.append(
            Problem(
                "INVALID_CRITERIA",
                "criteria weights are whole percents that add up to 100 with the price's",
                "criteria",
            )
        )
    if not data.lots or len(set(data.lots)) != len(data.lots):
        problems.append(Problem("INVALID_LOTS", "one or more distinct lots", "lots"))
    for i, (name, content) in enumerate(data.files):
        if not name.strip() or "/" in name or len(content) > MAX_FILE_BYTES:
            problems.append(Problem("INVALID_FILE", "a plain name, 50 MB at most", f"files[{i}]"))
    if problems:
        raise DomainError.many(problems)


@requires(Perm.DOCUMENTS_PUBLISH)
async def publish(actor: CurrentUser, project_id: int, data: DocumentsInput) -> dict:
    """A new version of the documents; from the second on, a correction sent to everyone who
    obtained them (the tender announcement's correction rules still apply to the deadline)."""
    project = await _as_agency(actor, project_id)
    await blocks.ensure_free(project["tenant_id"], project_id, "transaction")
    if project["status"] not in ("entrusted", "tendering"):
        raise DomainError("WRONG_STATE", f"the project is {project['status']}", "projectId")
    with all_tenants(PARTY_SCOPE):
        await _check(project, data)
        files = []
        for name, content in data.files:
            digest = hashlib.sha256(content).hexdigest()
            key = f"documents/{project_id}/{digest}"
            await storage.put(key, content)
            files.append({"name": name, "size": len(content), "sha256": digest, "key": key})
        async with transaction():
            last = (
                await ProcurementDocument.select(ProcurementDocument.version)
                .where(ProcurementDocument.project == project_id)
                .order_by(ProcurementDocument.version, ascending=False)
                .first()
            )
            version = (last["version"] if last else 0) + 1
            await check_publication(
                actor,
                "documents",
                project,
                version=version,
                title=data.summary,
                requirements=data.requirements,
                qualification=data.qualification,
                compliance=data.compliance,
                criteria=data.criteria,
                price_weight=data.price_weight,
            )
            available = await rule_deadline(
                "documents_available", clock.today(), project["tenant_id"]
            )
            row = ProcurementDocument(
                tenant_id=project["tenant_id"],
                project=project_id,
                version=version,
                summary=data.summary.strip(),
                requirements=json.dumps(data.requirements, ensure_ascii=False),
                qualification=json.dumps(data.qualification, ensure_ascii=False),
                compliance=json.dumps(data.compliance, ensure_ascii=False),
                criteria=json.dumps(data.criteria, ensure_ascii=False),
                price_weight=data.price_weight,
                lots=json.dumps(data.lots, ensure_ascii=False),
                files=json.dumps(files, ensure_ascii=False),
                bid_security_required=data.bid_security_required,
                published_at=clock.now(),
                available_until=available.due,
            )
            await row.save()
            await audit.record(
                "procurement_document.publish",
                "procurement_document",
                row.id,
                detail={"project": project_id, "version": version, "steps": list(available.steps)},
                tenant=project["tenant_id"],
            )
            if version > 1:
                obtainers = await DocumentObtained.select(
                    DocumentObtained.supplier_organisation
                ).where(DocumentObtained.project == project_id)
                for org in sorted({o["supplier_organisation"] for o in obtainers}):
                    await notify(
                        "project.documents_corrected",
                        Recipients(organisation=org, roles=(SUPPLIER,)),
                        {
                            "title": project["title"],
                            "project_id": project_id,
                            "version": version,
                            "summary": data.summary.strip(),
                        },
                        about=("project", project_id),
                        key=f"project:{project_id}:documents:{version}:{org}",
                    )
            return (
                await ProcurementDocument.select().where(ProcurementDocument.id == row.id).first()
            )


async def current(project_id: int) -> dict | None:
    with all_tenants(PARTY_SCOPE):
        return (
            await ProcurementDocument.select()
            .where(ProcurementDocument.project == project_id)
            .order_by(ProcurementDocument.version, ascending=False)
            .first()
        )


@requires(Perm.DOCUMENTS_OBTAIN)
async def obtain(actor: CurrentUser, project_id: int) -> dict:
    """A supplier obtains the current documents while the tender is open and they are available
    (the first version's availability period); recorded, it is a party from then on."""
    project = await _project(project_id)
    document = await current(project_id)
    if project["status"] != "tendering" or document is None:
        raise DomainError("DOCUMENTS_UNAVAILABLE", "the documents are not published", "projectId")
    await prequalification.ensure_qualified(project_id, actor.organisation_id)
    with all_tenants(PARTY_SCOPE):
        first = (
            await ProcurementDocument.select(ProcurementDocument.available_until)
            .where(ProcurementDocument.project == project_id)
            .order_by(ProcurementDocument.version)
            .first()
        )
        if clock.today() > first["available_until"]:
            raise DomainError(
                "DOCUMENTS_UNAVAILABLE",
                f"the documents were available until {first['available_until']}",
                "projectId",
            )
        async with transaction():
            await DocumentObtained.insert(
                DocumentObtained(
                    tenant_id=project["tenant_id"],
                    project=project_id,
                    supplier_organisation=actor.organisation_id,
                    version=document["version"],
                    obtained_at=clock.now(),
                )
            )
            await audit.record(
                "procurement_document.obtain",
                "procurement_document",
                document["id"],
                detail={"organisation": actor.organisation_id, "version": document["version"]},
                tenant=project["tenant_id"],
            )
    return document


async def obtained(project_id: int, organisation_id: int) -> bool:
    with all_tenants(PARTY_SCOPE):
        return await DocumentObtained.exists().where(
            (DocumentObtained.project == project_id)
            & (DocumentObtained.supplier_organisation == organisation_id)
        )


@requires(Perm.QUESTION_ASK)
async def ask(actor: CurrentUser, project_id: int, text: str) -> dict:
    """A question from a supplier that obtained the documents, before the deadline."""
    if not 2 <= len(text.strip()) <= 4000:
        raise DomainError("INVALID_QUESTION", "a question of 2 to 4000 characters", "text")
    project = await _project(project_id)
    if not await obtained(project_id, actor.organisation_id):
        raise NotFound("project", project_id)
    if project["status"] != "tendering":
        raise DomainError("WRONG_STATE", f"the project is {project['status']}", "projectId")
    due = await rule_deadline("inquiry_answer", clock.today(), project["tenant_id"])
    with all_tenants(PARTY_SCOPE):
        async with transaction():
            inserted = await Question.insert(
                Question(
                    tenant_id=project["tenant_id"],
                    project=project_id,
                    supplier_organisation=actor.organisation_id,
                    text=text.strip(),
                    asked_at=clock.now(),
                    answer_due=due.due,
                )
            )
            await audit.record(
                "question.ask",
                "question",
                inserted[0]["id"],
                detail={"project": project_id, "answer_due": due.due.isoformat()},
                tenant=project["tenant_id"],
            )
            return await Question.select().where(Question.id == inserted[0]["id"]).first()


@requires(Perm.QUESTION_ANSWER)
async def answer(actor: CurrentUser, question_id: int, text: str) -> dict:
    """The agency answers (once); the asker is told."""
    if not 2 <= len(text.strip()) <= 4000:
        raise DomainError("INVALID_ANSWER", "an answer of 2 to 4000 characters", "text")
    with all_tenants(PARTY_SCOPE):
        async with transaction():
            question = await Question.select().where(Question.id == question_id).first()
            if question is None:
                raise NotFound("question", question_id)
            project = await _as_agency(actor, question["project"])
            updated = await (
                Question.update({Question.answer: text.strip(), Question.answered_at: clock.now()})
                .where((Question.id == question_id) & Question.answer.is_null())
                .returning(*Question.all_columns())
            )
            if not updated:
                raise DomainError("ALREADY_ANSWERED", "the question is answered")
            late = clock.today() > question["answer_due"]
            await audit.record(
                "question.answer",
                "question",
                question_id,
                detail={"late": late, "answer_due": question["answer_due"].isoformat()},
                tenant=question["tenant_id"],
            )
            await notify(
                "project.question_answered",
                Recipients(organisation=question["supplier_organisation"], roles=(SUPPLIER,)),
                {"title": project["title"], "project_id": project["id"], "answer": text.strip()},
                about=("project", project["id"]),
                key=f"question:{question_id}:answered",
            )
            return updated[0]


async def questions(project_id: int, organisation_id: int | None = None) -> list[dict]:
    """A project's questions (a supplier: its own)."""
    with all_tenants(PARTY_SCOPE):
        query = Question.select().where(Question.project == project_id)
        if organisation_id is not None:
            query = query.where(Question.supplier_organisation == organisation_id)
        return await query.order_by(Question.id)
