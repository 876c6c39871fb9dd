"""The opening record's lots and grounds for invalidity (transaction/lots.py) in the API."""

from __future__ import annotations

import strawberry


@strawberry.type(
    description="A ground for invalidity the opening found on a bid, for the evaluation to decide on."
)
class InvalidityGround:
    code: str = strawberry.field(
        description="BID_SECURITY_MISSING (the documents require a bid security, the bid records "
        "none) or BID_SECURITY_MISMATCH (the bid form states another than the one recorded)."
    )
    reason: str = strawberry.field(description="The ground explained, with its source.")

    @classmethod
    def all_of(cls, entry: dict) -> list[InvalidityGround]:
        return [
            cls(code=g["code"], reason=g["reason"]) for g in entry.get("invalidity_grounds") or []
        ]


@strawberry.type(description="How one lot (包) stands at the opening.")
class OpeningLot:
    lot: str = strawberry.field(description="The lot, as the procurement documents name it.")
    status: str = strawberry.field(
        description="opened (enough bids opened), or failed: fewer bidders at the deadline than "
        "the method's minimum (its bids not opened), or fewer bids opened than the minimum."
    )
    reason: str | None = strawberry.field(description="Why the lot failed; null if opened.")
    bidders: int = strawberry.field(description="Bidders with a bid standing at the deadline.")
    opened: int = strawberry.field(description="Bidders whose bid was opened (unsealed).")
    minimum: int = strawberry.field(
        description="The method's minimum number of bidders (config/rules/methods)."
    )

    @classmethod
    def of(cls, lot: dict) -> OpeningLot:
        return cls(
            lot=lot["lot"],
            status=lot["status"],
            reason=lot["reason"],
            bidders=lot["bidders"],
            opened=lot["opened"],
            minimum=lot["minimum"],
        )
