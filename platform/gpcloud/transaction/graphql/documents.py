"""Procurement documents, obtaining them, and questions through the API."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.auth.roles import SUPPLIER
from gpcloud.core.errors import DomainError
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.mutations import run_mutation
from gpcloud.core.graphql.permissions import Requires, SubsystemLive, allow
from gpcloud.core.graphql.types import UserError, parse_base64, parse_id
from gpcloud.transaction import documents, parties


@strawberry.type(description="An attached file of the documents (in file storage).")
class DocumentFile:
    name: str = strawberry.field(description="The file's name, as uploaded by the agency.")
    size: int = strawberry.field(description="Size of the file, bytes.")
    sha256: str = strawberry.field(description="sha256 of the file's content, hex.")


@strawberry.type(description="采购文件, one published version, as structured data.")
class ProcurementDocument:
    id: strawberry.ID
    project_id: strawberry.ID = strawberry.field(description="The project the documents are for.")
    version: int = strawberry.field(
        description="The version, from 1; each later one is a clarification or correction (澄清/更正)."
    )
    summary: str = strawberry.field(
        description="The agency's summary of the documents, or of what this version changed."
    )
    requirements: JSON = strawberry.field(
        description="The procurement requirements (采购需求), a JSON list of objects, as the agency set them."
    )
    qualification: JSON = strawberry.field(
        description="The supplier qualification requirements (资格要求), a JSON list of objects."
    )
    compliance: JSON = strawberry.field(
        description="The compliance (符合性) requirements a bid must meet, a JSON list of objects."
    )
    criteria: JSON = strawberry.field(description='[{"name", "weight"}], the price\'s apart.')
    price_weight: int = strawberry.field(
        description="Weight of the price in the evaluation, percent (0-100); with the criteria's weights it makes 100."
    )
    lots: list[str] = strawberry.field(
        description="The lots (包) bids are taken for, by name.", directives=[ListSize(max=100)]
    )
    bid_security_required: bool = strawberry.field(
        description="Whether bidders must give bid security (投标保证金)."
    )
    published_at: datetime = strawberry.field(
        description="When this version was published (timestamp)."
    )
    available_until: date = strawberry.field(
        description="Last day suppliers may obtain the documents (availability period, documents_available)."
    )
    files: list[DocumentFile] = strawberry.field(
        description="The files attached to the documents.", directives=[ListSize(max=100)]
    )

    @classmethod
    def of(cls, r: dict) -> ProcurementDocument:
        return cls(
            id=strawberry.ID(str(r["id"])),
            project_id=strawberry.ID(str(r["project"])),
            version=r["version"],
            summary=r["summary"],
            requirements=json.loads(r["requirements"]),
            qualification=json.loads(r["qualification"]),
            compliance=json.loads(r["compliance"]),
            criteria=json.loads(r["criteria"]),
            price_weight=r["price_weight"],
            lots=json.loads(r["lots"]),
            bid_security_required=r["bid_security_required"],
            published_at=r["published_at"],
            available_until=r["available_until"],
            files=[
                DocumentFile(name=f["name"], size=f["size"], sha256=f["sha256"])
                for f in json.loads(r["files"])
            ],
        )


@strawberry.type(description="询问 and its answer (due within inquiry_answer, 3 wd).")
class Question:
    id: strawberry.ID
    project_id: strawberry.ID = strawberry.field(description="The project asked about.")
    supplier_organisation_id: strawberry.ID = strawberry.field(
        description="The supplier that asked."
    )
    text: str = strawberry.field(description="The question, as the supplier wrote it.")
    asked_at: datetime = strawberry.field(description="When it was asked (timestamp).")
    answer_due: date = strawberry.field(
        description="Last day for the agency's answer (inquiry_answer, 3 working days)."
    )
    answer: str | None = strawberry.field(description="The agency's answer; null until answered.")
    answered_at: datetime | None = strawberry.field(
        description="When the agency answered (timestamp); null until answered."
    )

    @classmethod
    def of(cls, r: dict) -> Question:
        return cls(
            id=strawberry.ID(str(r["id"])),
            project_id=strawberry.ID(str(r["project"])),
            supplier_organisation_id=strawberry.ID(str(r["supplier_organisation"])),
            text=r["text"],
            asked_at=r["asked_at"],
            answer_due=r["answer_due"],
            answer=r["answer"],
            answered_at=r["answered_at"],
        )


@strawberry.input
class DocumentFileInput:
    name: str = strawberry.field(description="The file's name, as shown to suppliers.")
    content: str = strawberry.field(description="base64")


@strawberry.input
class ProcurementDocumentInput:
    project_id: strawberry.ID = strawberry.field(
        description="The project, entrusted to your agency."
    )
    summary: str = strawberry.field(
        description="Summary of the documents, or of what this version changes (sent to suppliers)."
    )
    requirements: JSON = strawberry.field(
        description="The procurement requirements (采购需求): a JSON list of objects."
    )
    qualification: JSON = strawberry.field(
        description="The supplier qualification requirements (资格要求): a JSON list of objects."
    )
    compliance: JSON = strawberry.field(
        description="The compliance (符合性) requirements: a JSON list of objects."
    )
    criteria: JSON = strawberry.field(
        description='Evaluation criteria other than price: a JSON list of {"name", "weight"}; weights with priceWeight make 100.'
    )
    price_weight: int = strawberry.field(
        description="Weight of the price, percent (0-100); at least the tenant's minimum for goods or services."
    )
    lots: list[str] = strawberry.field(
        description="The lots (包) bids are taken for, by name.", default_factory=lambda: ["1"]
    )
    bid_security_required: bool = strawberry.field(
        default=False, description="Whether bidders must give bid security (投标保证金)."
    )
    files: list[DocumentFileInput] = strawberry.field(
        description="Files to attach (stored in file storage).", default_factory=list
    )


@strawberry.type
class DocumentPayload:
    document: ProcurementDocument | None = strawberry.field(
        default=None, description="The documents' version published or obtained."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class QuestionPayload:
    question: Question | None = strawberry.field(
        default=None, description="The question as it now stands."
    )
    errors: list[UserError] = strawberry.field(default_factory=list)


def _items(value, name: str) -> list[dict]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise DomainError("INVALID_DOCUMENTS", f"{name}: a list of objects", name)
    return value


@strawberry.type
class Queries:
    @strawberry.field(
        extensions=allow(Requires(Perm.PROJECT_READ)),
        description="The project's current documents (its parties and the region).",
    )
    async def procurement_documents(
        self,
        info: Info,
        project_id: Annotated[strawberry.ID, strawberry.argument(description="The project.")],
    ) -> ProcurementDocument | None:
        try:
            project = await parties.readable(info.context.user, parse_id(project_id, "project"))
        except DomainError:
            return None
        row = await documents.current(project["id"])
        return ProcurementDocument.of(row) if row else None

    @strawberry.field(
        extensions=allow(Requires(Perm.PROJECT_READ)),
        description="Questions on a project (a supplier: its own).",
        directives=[ListSize(max=500)],
    )
    async def project_questions(
        self,
        info: Info,
        project_id: Annotated[strawberry.ID, strawberry.argument(description="The project.")],
    ) -> list[Question]:
        actor = info.context.user
        try:
            project = await parties.readable(actor, parse_id(project_id, "project"))
        except DomainError:
            return []
        own = actor.organisation_id if SUPPLIER in actor.roles else None
        return [Question.of(r) for r in await documents.questions(project["id"], own)]


@strawberry.type
class Mutations:
    @strawberry.mutation(
        extensions=allow(Requires(Perm.DOCUMENTS_PUBLISH), SubsystemLive("transaction")),
        description="Publish a version of the documents; later versions reach every supplier "
        "that obtained them.",
    )
    async def publish_procurement_documents(
        self, info: Info, input: ProcurementDocumentInput
    ) -> DocumentPayload:
        async def work() -> DocumentPayload:
            data = documents.DocumentsInput(
                summary=input.summary,
                requirements=_items(input.requirements, "requirements"),
                qualification=_items(input.qualification, "qualification"),
                compliance=_items(input.compliance, "compliance"),
                criteria=_items(input.criteria, "criteria"),
                price_weight=input.price_weight,
                lots=list(input.lots),
                bid_security_required=input.bid_security_required,
                files=[(f.name, parse_base64(f.content, "files")) for f in input.files],
            )
            row = await documents.publish(
                info.context.user, parse_id(input.project_id, "project"), data
            )
            return DocumentPayload(document=ProcurementDocument.of(row))

        return await run_mutation(DocumentPayload, work)

    @strawberry.mutation(
        extensions=allow(Requires(Perm.DOCUMENTS_OBTAIN)),
        description="Obtain a project's documents (recorded); you are its party from then on.",
    )
    async def obtain_procurement_documents(
        self,
        info: Info,
        project_id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The project whose documents you obtain."),
        ],
    ) -> DocumentPayload:
        async def work() -> DocumentPayload:
            row = await documents.obtain(info.context.user, parse_id(project_id, "project"))
            return DocumentPayload(document=ProcurementDocument.of(row))

        return await run_mutation(DocumentPayload, work)

    @strawberry.mutation(
        extensions=allow(Requires(Perm.QUESTION_ASK)),
        description="Ask about documents you obtained; answered within 3 working days.",
    )
    async def ask_question(
        self,
        info: Info,
        project_id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The project asked about (its documents obtained)."),
        ],
        text: Annotated[str, strawberry.argument(description="The inquiry (询问).")],
    ) -> QuestionPayload:
        async def work() -> QuestionPayload:
            row = await documents.ask(info.context.user, parse_id(project_id, "project"), text)
            return QuestionPayload(question=Question.of(row))

        return await run_mutation(QuestionPayload, work)

    @strawberry.mutation(
        extensions=allow(Requires(Perm.QUESTION_ANSWER)),
        description="Answer a question on your agency's project; the asker is told.",
    )
    async def answer_question(
        self,
        info: Info,
        question_id: Annotated[
            strawberry.ID, strawberry.argument(description="The question answered.")
        ],
        answer: Annotated[
            str, strawberry.argument(description="The answer, sent to the supplier that asked.")
        ],
    ) -> QuestionPayload:
        async def work() -> QuestionPayload:
            row = await documents.answer(
                info.context.user, parse_id(question_id, "question"), answer
            )
            return QuestionPayload(question=Question.of(row))

        return await run_mutation(QuestionPayload, work)
