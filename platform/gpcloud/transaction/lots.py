"""Lots (包) at the deadline and at the opening, and the grounds for invalidity the opening
record states for the evaluation.

A lot with fewer bidders than the method's `minimum_bidders` (config/rules/methods/) fails on
its own: at the deadline (bids standing then; its bids stay sealed, kept, never opened) or at the
end of the decryption window (bids opened; the others were revoked or withdrawn). The other lots
continue; only when every lot failed at the deadline does the project fail (opening.after_close).
The lots are those of the procurement documents in force at the deadline (any other lot a bid
names counts too; "1" when there are no documents).

Grounds for invalidity are recorded, not decided: a bid is not refused at submission for them;
the evaluation committee reads them on the opening record. Bid security (投标保证金): where the
documents require one, a bid that records none, or whose bid form states another than the one
recorded at submission, is invalid (Implementing Regulation art. 33: 投标人未按照招标文件要求提交
投标保证金的，投标无效).
"""

from __future__ import annotations

import json

from gpcloud.transaction import documents
from gpcloud.transaction.methods import method_config

AT_DEADLINE = "fewer bidders at the deadline than the method's minimum: not opened"
AT_OPENING = "fewer bids opened than the method's minimum"


async def lots_of(project: dict, bid_rows: list[dict]) -> list[str]:
    """The documents' lots, then any other lot a bid names, in order."""
    document = await documents.current(project["id"])
    named = json.loads(document["lots"]) if document else ["1"]
    return named + sorted({b["lot"] for b in bid_rows} - set(named))


def _result(bidders: int, minimum: int, reason: str) -> dict:
    ok = bidders >= minimum
    return {
        "bidders": bidders,
        "minimum": minimum,
        "status": "open" if ok else "failed",
        "reason": None if ok else reason,
    }


async def at_deadline(project: dict, submitted: list[dict]) -> dict[str, dict]:
    """Per lot: the bidders standing at the deadline against the minimum."""
    minimum = method_config(project["method"]).minimum_bidders
    return {
        lot: _result(
            len({b["supplier_organisation"] for b in submitted if b["lot"] == lot}),
            minimum,
            AT_DEADLINE,
        )
        for lot in await lots_of(project, submitted)
    }


def results(project: dict) -> dict[str, dict]:
    return json.loads(project.get("lot_results") or "{}")


def failed_at_deadline(project: dict, lot: str) -> dict | None:
    """The lot's result if it failed at the deadline (its bids are not opened)."""
    found = results(project).get(lot)
    return found if found and found["status"] == "failed" else None


def at_opening(project: dict, bid_rows: list[dict]) -> list[dict]:
    """The opening record's lots: each failed at the deadline, failed at the opening (too few
    bids opened), or opened; with the bidders at the deadline and the bids opened."""
    out = []
    for lot, result in results(project).items():
        opened = len(
            {
                b["supplier_organisation"]
                for b in bid_rows
                if b["lot"] == lot and b["status"] == "unsealed"
            }
        )
        entry = {"lot": lot, "bidders": result["bidders"], "opened": opened}
        entry["minimum"] = result["minimum"]
        if result["status"] == "failed":
            entry |= {"status": "failed", "reason": result["reason"]}
        elif opened < result["minimum"]:
            entry |= {"status": "failed", "reason": AT_OPENING}
        else:
            entry |= {"status": "opened", "reason": None}
        out.append(entry)
    return out


def invalidity_grounds(bid: dict, document: dict | None) -> list[dict]:
    """What the opening found that makes the bid invalid, for the evaluation to decide on."""
    if not (document and document["bid_security_required"]):
        return []
    recorded = (bid["security"] or "").strip()
    if not recorded:
        return [
            {
                "code": "BID_SECURITY_MISSING",
                "reason": "the documents require a bid security and the bid records none "
                "(Implementing Regulation art. 33)",
            }
        ]
    form = json.loads(bid["form"]) if bid["form"] else {}
    stated = str(form.get("security") or "").strip()
    if stated and stated != recorded:
        return [
            {
                "code": "BID_SECURITY_MISMATCH",
                "reason": f"the bid form states the bid security {stated!r}, the bid recorded "
                f"{recorded!r} (Implementing Regulation art. 33)",
            }
        ]
    return []
