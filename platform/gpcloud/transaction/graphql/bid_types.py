"""Sealed bids as the API reads them: the bid, its receipt and unsealing attempts. A supplier
sees its own bids only; the agency sees who bid and when, and the content only once the bids
are opened."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import strawberry
from strawberry.types import Info

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.auth.roles import AGENCY
from gpcloud.core.graphql.cost import ListSize
from gpcloud.core.graphql.enums import state_enum
from gpcloud.core.graphql.permissions import Requires, allow
from gpcloud.core.money import to_yuan
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.transaction import bids, parties
from gpcloud.transaction.credit import CreditWarning
from gpcloud.transaction.tables import Bid as BidTable
from gpcloud.transaction.tables import UnsealAttempt as AttemptTable
from gpcloud.transaction.workflow import BID

BidStatus = state_enum(
    "BidStatus",
    BID,
    {
        "submitted": "Received before the deadline and still sealed.",
        "withdrawn": "Withdrawn by the bidder before the deadline (or replaced by a later bid), "
        "or left sealed at the window's end by the platform's cause; kept, not opened.",
        "unsealed": "Unsealed by the bidder in the opening hall; its content can be read.",
        "revoked": "Left sealed at the end of the decryption window by the bidder's cause "
        "(视为撤销投标文件); kept, not opened.",
    },
)
OPENED = ("opened", "awarded", "redo")
READERS = Requires(Perm.PROJECT_READ)


@strawberry.type(
    description="Why the credit check at bid submission (Caiku [2016] 125) did not find the "
    "bidder clear. A warning only: the bid is in, and the checks at the deadline and at the "
    "evaluation (which governs) decide."
)
class BidCreditWarning:
    code: str = strawberry.field(
        description="CREDIT_NOT_CLEAR: a record bars the bidder today; PLUGIN_FAILED: a credit "
        "source could not answer (the deadline checks again)."
    )
    source: str = strawberry.field(
        description="Who answered: gpcloud.credit (the platform's records and the national "
        "lists) or a tenant plugin's list."
    )
    kind: str = strawberry.field(
        description="The record's kind (blacklist, dishonest_debtor, major_tax_violation, "
        "expert_misconduct, ...); empty when the source named no record."
    )
    list_name: str = strawberry.field(
        description="The list the record is on, by its Chinese name (e.g. "
        "政府采购严重违法失信行为记录名单); empty when the source did not name it."
    )
    starts_on: date | None = strawberry.field(
        description="First day the record counts; null when unknown."
    )
    ends_on: date | None = strawberry.field(
        description="Last day the record counts; null when open-ended or unknown."
    )
    reference: str = strawberry.field(
        description="The deciding document's number or the list's own record id; may be empty."
    )

    @classmethod
    def of(cls, w: CreditWarning) -> BidCreditWarning:
        return cls(
            code=w.code,
            source=w.source,
            kind=w.kind,
            list_name=w.title,
            starts_on=date.fromisoformat(w.starts_on) if w.starts_on else None,
            ends_on=date.fromisoformat(w.ends_on) if w.ends_on else None,
            reference=w.reference,
        )


@strawberry.type(description="What the platform signed for a bid it received (also audited).")
class BidReceipt:
    bid_id: strawberry.ID = strawberry.field(description="The bid received.")
    project_id: strawberry.ID = strawberry.field(description="The project bid on.")
    lot: str = strawberry.field(
        description="The lot (包) bid on, as the procurement documents name it."
    )
    bidder_name: str = strawberry.field(
        description="The bidder's name as registered on the platform."
    )
    bidder_uscc: str = strawberry.field(
        description="The bidder's unified social credit code (统一社会信用代码)."
    )
    digest: str = strawberry.field(description="sha256 of the ciphertext, hex.")
    size: int = strawberry.field(description="Size of the ciphertext, bytes.")
    received_at: datetime = strawberry.field(
        description="When the platform received the bid (server clock, timestamp)."
    )
    replaces: strawberry.ID | None = strawberry.field(
        description="The bidder's earlier bid for the lot that this one replaced (now withdrawn); null if none."
    )
    content: str = strawberry.field(description="The signed receipt as JSON.")
    signature: str = strawberry.field(
        description="Base64 Ed25519 signature of the platform (the audit key) over the receipt."
    )

    @classmethod
    def of(cls, receipt: bids.Receipt) -> BidReceipt:
        c = receipt.content
        return cls(
            bid_id=strawberry.ID(str(c["bid"])),
            project_id=strawberry.ID(str(c["project"])),
            lot=c["lot"],
            bidder_name=c["bidder_name"],
            bidder_uscc=c["bidder_uscc"],
            digest=c["digest"],
            size=c["size"],
            received_at=datetime.fromisoformat(c["received_at"]),
            replaces=strawberry.ID(str(c["replaces"])) if c.get("replaces") else None,
            content=json.dumps(c, ensure_ascii=False, sort_keys=True),
            signature=receipt.signature,
        )


@strawberry.type(description="One attempt to unseal a bid, with whose cause a failure was.")
class UnsealAttempt:
    at: datetime = strawberry.field(description="When the attempt was made (timestamp).")
    outcome: str = strawberry.field(
        description="opened on success; else the error code of the failure."
    )
    cause: str | None = strawberry.field(
        description="Whose cause a failure was: bidder or platform (decides revoked or withdrawn at the window's end); null on success."
    )
    message: str = strawberry.field(description="The failure explained; empty on success.")


@strawberry.type(description="A sealed bid. Content (form, price) only once it is unsealed.")
class Bid:
    id: strawberry.ID
    project_id: strawberry.ID = strawberry.field(description="The project bid on.")
    lot: str = strawberry.field(description="The lot (包) bid on.")
    supplier_organisation_id: strawberry.ID = strawberry.field(
        description="The bidding supplier's organisation."
    )
    supplier_name: str = strawberry.field(description="The bidding supplier's name.")
    status: BidStatus = strawberry.field(
        description="Where the bid stands; set by the bidder (withdraw, unseal) and by the platform at the window's end."
    )  # type: ignore[valid-type]
    received_at: datetime = strawberry.field(
        description="When the platform received the bid (server clock, timestamp)."
    )
    digest: str = strawberry.field(
        description="sha256 of the ciphertext, hex; unsealing checks it against the receipt."
    )
    size: int = strawberry.field(description="Size of the ciphertext, bytes.")
    security: str | None = strawberry.field(
        description="Bid security (投标保证金) given by the bidder: deposit reference or e-guarantee number; null if none."
    )
    replaced_by: strawberry.ID | None = strawberry.field(
        description="The bidder's later bid for the lot that replaced this one; null if none."
    )
    unsealed_at: datetime | None = strawberry.field(
        description="When the bidder unsealed it in the opening hall (timestamp); null while sealed."
    )
    price: Decimal | None = strawberry.field(
        description="The bid price in yuan (Decimal string), from the bid form; null until unsealed and visible to you."
    )
    discount: str | None = strawberry.field(
        description="The discount declared in the bid form, as written; null until unsealed or if none."
    )
    form: str | None = strawberry.field(description="The bid form as JSON, once unsealed.")
    files: str | None = strawberry.field(description="Files of the package (name, size, sha256).")
    credit_check: str | None = strawberry.field(description="The credit hooks' answers, JSON.")
    _receipt: strawberry.Private[bids.Receipt | None] = None

    @classmethod
    def of(cls, row: dict, content: bool, own: bool = False) -> Bid:
        return cls(
            id=strawberry.ID(str(row["id"])),
            project_id=strawberry.ID(str(row["project"])),
            lot=row["lot"],
            supplier_organisation_id=strawberry.ID(str(row["supplier_organisation"])),
            supplier_name=row["supplier_name"],
            status=BidStatus(row["status"]),
            received_at=row["received_at"],
            digest=row["digest"],
            size=row["size"],
            security=row["security"],
            replaced_by=strawberry.ID(str(row["replaced_by"])) if row["replaced_by"] else None,
            unsealed_at=row["unsealed_at"],
            price=to_yuan(row["price_fen"]) if content and row["price_fen"] is not None else None,
            discount=row["discount"] if content else None,
            form=row["form"] if content else None,
            files=row["files"] if content else None,
            credit_check=row["credit_check"] if not own else None,
            _receipt=bids.receipt_of(row) if own else None,
        )

    @strawberry.field(
        extensions=allow(READERS), description="The platform's receipt (the bidder only)."
    )
    def receipt(self) -> BidReceipt | None:
        return BidReceipt.of(self._receipt) if self._receipt else None

    @strawberry.field(
        extensions=allow(READERS),
        directives=[ListSize(max=20)],
        description="Each attempt to unseal the bid, oldest first, with its outcome.",
    )
    async def unseal_attempts(self, info: Info) -> list[UnsealAttempt]:
        async def load(keys: list[int]) -> list[list[dict]]:
            with all_tenants(parties.PARTY_SCOPE):
                rows = await AttemptTable.select().where(AttemptTable.bid.is_in(keys))
            grouped: dict[int, list[dict]] = {}
            for r in rows:
                grouped.setdefault(r["bid"], []).append(r)
            return [sorted(grouped.get(k, []), key=lambda r: r["id"]) for k in keys]

        loader = info.context.loaders.get("bid_unseal_attempts", load)
        return [
            UnsealAttempt(at=r["at"], outcome=r["outcome"], cause=r["cause"], message=r["message"])
            for r in await loader.load(int(self.id))
        ]


def bid_for(actor, row: dict, project: dict) -> Bid | None:
    """The bid as `actor` may see it: its own in full; the agency's metadata, content after
    opening; nobody else's."""
    if row["supplier_organisation"] == actor.organisation_id:
        return Bid.of(row, content=row["status"] == "unsealed", own=True)
    if AGENCY in actor.roles and project["agency_organisation"] == actor.organisation_id:
        return Bid.of(row, content=project["status"] in OPENED and row["status"] == "unsealed")
    return None


async def project_bids(info: Info, project: dict) -> list[Bid]:
    actor = info.context.user

    async def load(keys: list[int]) -> list[list[dict]]:
        with all_tenants(parties.PARTY_SCOPE):
            rows = await BidTable.select().where(BidTable.project.is_in(keys))
        grouped: dict[int, list[dict]] = {}
        for r in rows:
            grouped.setdefault(r["project"], []).append(r)
        return [sorted(grouped.get(k, []), key=lambda r: r["id"]) for k in keys]

    rows = await info.context.loaders.get("project_bids", load).load(project["id"])
    return [b for r in rows if (b := bid_for(actor, r, project)) is not None]
