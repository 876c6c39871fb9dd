"""OCDS 1.1: every published notice of a contracting process as a release, releases compiled
into records, and the packages the /ocds endpoints serve.

A contracting process (ocid) is one intention, or one plan declared without an intention. Tags:
intention and plan -> planning; prequalification and tender -> tender; correction ->
tenderUpdate; result -> award; contract -> contract; acceptance -> implementation. Money is
CNY; parties are identified by kind and id on the platform (purchaser-12, agency-3,
organisation-45).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

import ocdsmerge

from gpcloud.core.money import to_yuan
from gpcloud.portal.tables import METHOD_LABELS

TAGS = {
    "intention": "planning",
    "plan": "planning",
    "prequalification": "tender",  # the call for applications opens the tender stage
    "tender": "tender",
    "correction": "tenderUpdate",
    "result": "award",
    "contract": "contract",
    "acceptance": "implementation",
    "decision": "tenderUpdate",  # a complaint decision (OCDS has no closer tag)
}
# procurementMethod is a closed codelist; the Chinese method goes to procurementMethodDetails.
METHODS = {
    "open_tender": "open",
    "invited_tender": "selective",
    "competitive_negotiation": "limited",
    "competitive_consultation": "limited",
    "request_for_quotation": "selective",
    "single_source": "direct",
    "framework_agreement": "selective",
    "reverse_auction": "selective",  # e-mall: only suppliers listing the category quote
}
CATEGORIES = {"goods": "goods", "works": "works", "services": "services"}


def _time(value) -> str:
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return f"{value.isoformat()}T00:00:00+08:00"
    return f"{value}T00:00:00+08:00"


def _value(fen: int | None) -> dict | None:
    if fen is None:
        return None
    return {"amount": float(to_yuan(fen)), "currency": "CNY"}


def _value_field(fen: int | None) -> dict:
    return {} if fen is None else {"value": _value(fen)}


def _party(kind: str, ident, name: str, roles: list[str]) -> dict:
    return {"id": f"{kind}-{ident}", **({"name": name} if name else {}), "roles": roles}


def release(row: dict, suppliers: list[dict]) -> dict:
    """The release one notice makes."""
    details = json.loads(row["details"] or "{}")
    kind = row["kind"]
    ocid = row["ocid"]
    out: dict = {
        "ocid": ocid,
        "id": f"{ocid}-{row['source'].replace(':', '-')}",
        "date": _time(row["published_at"]),
        "tag": [TAGS[kind]],
        "initiationType": "tender",
        "language": "zh",
    }
    parties = []
    if row["purchaser_id"] is not None:
        buyer = _party("purchaser", row["purchaser_id"], row["purchaser_name"], ["buyer"])
        parties.append(buyer)
        out["buyer"] = {k: buyer[k] for k in ("id", "name") if k in buyer}
    if row["agency_id"] is not None:
        parties.append(_party("agency", row["agency_id"], row["agency_name"], ["procuringEntity"]))
    for s in suppliers:
        parties.append(_party("organisation", s["organisation_id"], s["name"], ["supplier"]))
    if parties:
        out["parties"] = parties
    tender: dict = {"id": f"{ocid}-tender"}
    if row["method"] in METHODS:
        tender["procurementMethod"] = METHODS[row["method"]]
        tender["procurementMethodDetails"] = METHOD_LABELS[row["method"]]
    if row["object_type"] in CATEGORIES:
        tender["mainProcurementCategory"] = CATEGORIES[row["object_type"]]
    award_id = f"{ocid}-award"
    if kind in ("intention", "plan"):
        out["planning"] = {
            "rationale": row["body"],
            **(
                {"budget": {"amount": _value(row["amount_fen"])}}
                if row["amount_fen"] is not None
                else {}
            ),
        }
        tender.update(
            {"title": row["title"], "status": "planning" if kind == "intention" else "planned"}
        )
        out["tender"] = tender
    elif kind == "tender":
        tender.update({"title": row["title"], "description": row["body"], "status": "active"})
        if row["amount_fen"] is not None:
            tender["value"] = _value(row["amount_fen"])
        if details.get("bid_deadline"):
            tender["tenderPeriod"] = {
                "startDate": _time(row["published_on"]),
                "endDate": _time(details["bid_deadline"]),
            }
        if row["agency_id"] is not None:
            tender["procuringEntity"] = {
                "id": f"agency-{row['agency_id']}",
                "name": row["agency_name"],
            }
        out["tender"] = tender
    elif kind == "prequalification":
        # OCDS has no prequalification stage: the notice opens the tender (active) and states
        # its requirements as eligibilityCriteria; the tender notice that follows supplies the
        # rest (its title and description replace these when the releases are compiled).
        tender.update({"title": row["title"], "description": row["body"], "status": "active"})
        requirements = [r.get("item", "") for r in details.get("requirements") or []]
        if requirements:
            tender["eligibilityCriteria"] = "\n".join(requirements)
        if row["agency_id"] is not None:
            tender["procuringEntity"] = {
                "id": f"agency-{row['agency_id']}",
                "name": row["agency_name"],
            }
        out["tender"] = tender
    elif kind == "correction":
        tender["amendments"] = [
            {
                "id": row["source"].replace(":", "-"),
                "date": _time(row["published_at"]),
                "description": row["body"],
                "rationale": row["title"],
            }
        ]
        if details.get("bid_deadline"):
            tender["tenderPeriod"] = {"endDate": _time(details["bid_deadline"])}
        out["tender"] = tender
    elif kind == "result":
        out["awards"] = [
            {
                "id": award_id,
                "title": row["title"],
                "description": row["body"],
                "status": "active",
                "date": _time(row["published_on"]),
                **_value_field(row["amount_fen"]),
                "suppliers": [
                    {"id": f"organisation-{s['organisation_id']}", "name": s["name"]}
                    for s in suppliers
                ],
            }
        ]
        if details.get("bids") is not None:
            out["bids"] = _bids(details["bids"], row["published_on"])
        if details.get("evaluations"):
            out["tender"] = {**tender, **_award_criteria(details["evaluations"])}
    elif kind == "contract":
        contract = {
            "id": f"{ocid}-contract-{details.get('contract_id')}",
            "awardID": award_id,
            "title": row["title"],
            "description": row["body"],
            "status": "active",
            **_value_field(row["amount_fen"]),
        }
        if details.get("signed_on"):
            contract["dateSigned"] = _time(details["signed_on"])
        out["contracts"] = [contract]
    elif kind == "acceptance":
        out["contracts"] = [
            {
                "id": f"{ocid}-contract-{details.get('contract_id')}",
                "awardID": award_id,
                "implementation": {
                    "documents": [
                        {
                            "id": row["source"].replace(":", "-"),
                            "documentType": "completionCertificate"
                            if details.get("acceptance_kind") == "final"
                            else "physicalProgressReport",
                            "title": row["title"],
                            "description": row["body"],
                            "datePublished": _time(row["published_at"]),
                            "language": "zh",
                        }
                    ]
                },
            }
        ]
    return out


AWARD_CRITERIA = {"comprehensive": "ratedCriteria", "lowest_price": "priceOnly"}
EVALUATION_METHODS = {"comprehensive": "综合评分法", "lowest_price": "最低评标价法"}


def _award_criteria(evaluations: list[dict]) -> dict:
    """The evaluation's result as OCDS core carries it: the award criteria (one method per
    project), and in their details the winner's evaluated price and total score and the bid
    counts, per lot (OCDS has no field for a score)."""
    methods = {e["method"] for e in evaluations}
    lines = []
    for e in evaluations:
        lot = f"第{e['lot']}包：" if e["lot"] else ""
        score = f"，评审总得分 {e['total']}" if e.get("total") else ""
        lines.append(
            f"{lot}{EVALUATION_METHODS.get(e['method'], e['method'])}；中标（成交）供应商 "
            f"{e['supplier']}，评标价 {e['evaluated_price']} 元{score}；有效投标 "
            f"{e['valid_bids']} 家，无效投标 {e['invalid_bids']} 家。"
        )
    found = {"awardCriteriaDetails": "\n".join(lines)}
    if len(methods) == 1 and next(iter(methods)) in AWARD_CRITERIA:
        found["awardCriteria"] = AWARD_CRITERIA[next(iter(methods))]
    return found


BIDS_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/"
    "v1.1.5/extension.json"
)
BID_STATUSES = {"opened": "valid", "revoked": "disqualified", "withdrawn": "withdrawn"}


def _bids(bids: list[dict], on) -> dict:
    """The bids extension: statistics, and after the award each bid's details (sealed bids:
    transaction/records.py, as the opening record read them)."""
    opened = [b for b in bids if b["result"] == "opened"]
    prices = [b["price_fen"] for b in opened if b.get("price_fen") is not None]
    statistics = [
        {"id": "bids", "measure": "bids", "value": len(bids), "date": _time(on)},
        {"id": "validBids", "measure": "validBids", "value": len(opened), "date": _time(on)},
    ]
    if prices:
        statistics.append(
            {
                "id": "lowestValidBidValue",
                "measure": "lowestValidBidValue",
                "value": float(Decimal(min(prices)) / 100),
                "currency": "CNY",
                "date": _time(on),
            }
        )
    details = [
        {
            "id": str(b["bid"]),
            "date": b["received_at"],
            "status": BID_STATUSES.get(b["result"], "pending"),
            "tenderers": [
                {"id": f"organisation-{b['bidder_organisation']}", "name": b["bidder_name"]}
            ],
            **({"value": _value(b["price_fen"])} if b.get("price_fen") is not None else {}),
        }
        for b in bids
    ]
    return {"statistics": statistics, "details": details}


SCHEMA = Path(__file__).with_name("ocds_release_schema.json")  # OCDS 1.1.5, offline


@cache
def _merger() -> ocdsmerge.Merger:
    return ocdsmerge.Merger(schema=json.loads(SCHEMA.read_text(encoding="utf-8")))


def merge(releases: list[dict]) -> dict:
    """The compiled release, by ocdsmerge (the OCDS reference implementation of merging) with
    the 1.1.5 release schema's merge rules: imported releases and gpcloud's own compile alike."""
    return _merger().create_compiled_release(releases)


def as_json(value):
    """For json.dumps: Decimal and dates as OCDS wants them."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date | datetime):
        return _time(value)
    raise TypeError(type(value).__name__)


PUBLISHER = {"name": "广东省财政厅 · 广东政府采购智慧云平台 (gpcloud)"}
LICENSE = "https://creativecommons.org/licenses/by/4.0/"


def package(
    kind: str, uri: str, items: list[dict], next_uri: str | None, extensions: list[str] = ()
) -> dict:
    """A release package (kind "releases") or record package (kind "records"); `extensions`:
    those the packages of imported releases declared."""
    body = {
        "uri": uri,
        "version": "1.1",
        "publishedDate": _time(datetime.now(UTC)),
        "publisher": PUBLISHER,
        "license": LICENSE,
        kind: items,
    }
    declared = list(extensions)
    if any("bids" in item for item in _releases_of(kind, items)):
        declared.append(BIDS_EXTENSION)
    if declared:
        body["extensions"] = list(dict.fromkeys(declared))
    if next_uri:
        body["links"] = {"next": next_uri}
    return body


def _releases_of(kind: str, items: list[dict]) -> list[dict]:
    if kind == "releases":
        return items
    return [
        r for item in items for r in (*item.get("releases", []), item.get("compiledRelease", {}))
    ]
