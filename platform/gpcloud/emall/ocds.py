"""OCDS 1.1 releases of the e-mall's contracting processes (issue 17), kept apart from the
portal's notice-based builder (portal/ocds.py), which packages and compiles them.

The portal's releases start from published notices, and a notice has an ocid only when it
belongs to an intention or a plan; an e-mall purchase is a process of its own. So each has its
own ocid: `<prefix>-<tenant>-MO<order>` (direct purchase, designated order, a group buy's share),
`MD<demand>` (a reverse auction: its tender, award and the order's contract in one process),
`MG<group buy>` and `MF<framework agreement>`. A designated order and a group buy's share
follow on from the process that chose the supplier and price: `relatedProcesses` with
relationship "framework" (the suppliers are in that process's award).

procurementMethod is a closed codelist; the e-mall's mode goes to procurementMethodDetails:
direct purchase "limited" (the purchaser picks among listings, comparing makers above the
band), reverse auction and designated orders "selective" (only suppliers listing the category,
or admitted to the agreement, may take part); a group buy's own procedure is recorded by its
reference only, so its method is left out and the reference given as the rationale.

Every outcome of an order is published once decided (a placed order waits for its supplier):
concluded, it is an award and contract; ended without a contract (lapsed, declined,
cancelled), its process ends with the award unsuccessful or cancelled, or, for an auction's
order, the auction's award is updated so (ENDED).

Pure functions over the e-mall's rows; service/open_data.py reads the rows and the dates each
stage was reached (the audit log's entries of the transitions).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

METHODS = {
    "direct_purchase": "limited",
    "reverse_auction": "selective",
    "designated_purchase": "selective",
    "second_stage": "selective",
}
METHOD_DETAILS = {
    "direct_purchase": "电子卖场直购",
    "reverse_auction": "电子卖场网上竞价",
    "designated_purchase": "定点采购（框架协议）",
    "group_buy": "批量集中采购",
    "framework_agreement": "框架协议采购",
    "second_stage": "框架协议二次竞价",
}
# Orders are public once they have an outcome: confirmed (the contract is concluded), or ended
# without a contract. A placed order waits for its supplier: nothing is decided yet.
CONCLUDED = ("confirmed", "delivered", "accepted", "paid")
# An order ended without a contract: its transition, the award's (and a direct order's
# tender's) status, and why. The supplier did not take the award (unsuccessful), or the
# purchaser withdrew it before the supplier did (cancelled).
ENDED = {
    "declined": ("decline", "unsuccessful", "供应商拒绝了订单"),
    "lapsed": ("lapse", "unsuccessful", "供应商未在确认时限内确认，订单逾期失效"),
    "cancelled": ("cancel", "cancelled", "采购人在供应商确认前撤销了订单"),
}
PUBLIC_ORDER = CONCLUDED + tuple(ENDED)


def ocid(prefix: str, tenant: str, kind: str, ident: int) -> str:
    return f"{prefix}-{tenant}-{kind}{ident}"


def order_ocid(prefix: str, order: dict) -> str:
    if order["demand"] is not None:
        return ocid(prefix, order["tenant_id"], "MD", order["demand"])
    return ocid(prefix, order["tenant_id"], "MO", order["id"])


def _time(value: datetime | date) -> str:
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{value.isoformat()}T00:00:00+08:00"


def _value(fen: int) -> dict:
    return {"amount": float(Decimal(fen) / 100), "currency": "CNY"}


def _org(kind: str, ident, name: str) -> dict:
    return {"id": f"{kind}-{ident}", "name": name}


def _release(process: str, source: str, at: datetime, tags: list[str], **body) -> dict:
    return {
        "ocid": process,
        "id": f"{process}-{source}",
        "date": _time(at),
        "tag": tags,
        "initiationType": "tender",
        "language": "zh",
        **body,
    }


def _tender(process: str, mode: str, title: str, status: str, **fields) -> dict:
    tender = {"id": f"{process}-tender", "title": title, "status": status}
    if mode in METHODS:
        tender["procurementMethod"] = METHODS[mode]
    tender["procurementMethodDetails"] = METHOD_DETAILS[mode]
    return {**tender, **fields}


def _item(title: str, quantity: int, unit: str, unit_fen: int) -> dict:
    return {
        "id": "1",
        "description": title,
        "quantity": quantity,
        "unit": {**({"name": unit} if unit else {}), "value": _value(unit_fen)},
    }


def order_releases(
    prefix: str,
    order: dict,
    buyer: str,
    stages: dict[str, datetime],
    related: str = "",
    category: str = "goods",
) -> list[dict]:
    """The releases of a confirmed order: award and contract at the confirmation (for an
    auction's order only the contract: its award is the demand's), the acceptance report, and
    the payment as the contract's transaction. `related`: the ocid of the agreement or group
    buy it follows on from; `category`: goods, or an agreement's kind."""
    if order["status"] in ENDED:
        return _ended(prefix, order, buyer, stages, related, category)
    if order["status"] not in CONCLUDED or "confirm" not in stages:
        return []
    process = order_ocid(prefix, order)
    source = f"mall-order-{order['id']}"
    contract_id = f"{process}-contract-{order['id']}"
    award_id = f"{process}-award"
    supplier = _org("organisation", order["supplier_organisation"], order["supplier_name"])
    purchaser = _org("purchaser", order["purchaser"], buyer)
    item = _item(order["title"], order["quantity"], "", order["unit_fen"])
    parties = [{**purchaser, "roles": ["buyer"]}, {**supplier, "roles": ["supplier"]}]
    contract = {
        "id": contract_id,
        "awardID": award_id,
        "title": order["title"],
        "status": "active",
        "value": _value(order["amount_fen"]),
        "items": [item],
        "dateSigned": _time(stages["confirm"]),
    }
    body: dict = {"buyer": purchaser, "parties": parties, "contracts": [contract]}
    tags = ["contract"]
    if order["demand"] is None:
        tags = ["award", "contract"]
        body["tender"] = _tender(
            process,
            order["mode"],
            order["title"],
            "complete",
            mainProcurementCategory=category,
            items=[item],
            value=_value(order["amount_fen"]),
        )
        body["awards"] = [
            {
                "id": award_id,
                "status": "active",
                "date": _time(stages["confirm"]),
                "value": _value(order["amount_fen"]),
                "suppliers": [supplier],
                "items": [item],
            }
        ]
    if related:
        body["relatedProcesses"] = [
            {
                "id": "1",
                "relationship": ["framework"],
                "scheme": "ocid",
                "identifier": related,
            }
        ]
    out = [_release(process, f"{source}-confirm", stages["confirm"], tags, **body)]
    if "accept" in stages:
        document = {
            "id": f"{source}-acceptance",
            "documentType": "completionCertificate",
            "title": "验收报告",
            "datePublished": _time(stages["accept"]),
            "language": "zh",
        }
        out.append(
            _release(
                process,
                f"{source}-accept",
                stages["accept"],
                ["implementation"],
                contracts=[
                    {
                        "id": contract_id,
                        "awardID": award_id,
                        "implementation": {"documents": [document]},
                    }
                ],
            )
        )
    if "pay" in stages:
        payment = {
            "id": f"{source}-payment",
            "date": _time(stages["pay"]),
            "value": _value(order["amount_fen"]),
            "payer": purchaser,
            "payee": supplier,
        }
        out.append(
            _release(
                process,
                f"{source}-pay",
                stages["pay"],
                ["implementation"],
                contracts=[
                    {
                        "id": contract_id,
                        "awardID": award_id,
                        "status": "terminated",
                        "implementation": {"transactions": [payment]},
                    }
                ],
            )
        )
    return out


def _ended(
    prefix: str, order: dict, buyer: str, stages: dict[str, datetime], related: str, category: str
) -> list[dict]:
    """An order ended without a contract, as one release at its end. A direct (designated,
    group-buy) order's process is the order: its tender and award end unsuccessful or
    cancelled. An auction's order is the award the auction published: that award is updated
    (awardUpdate; awardCancellation when the purchaser cancelled), the tender stays complete."""
    action, status, why = ENDED[order["status"]]
    if action not in stages:
        return []
    process = order_ocid(prefix, order)
    at = stages[action]
    supplier = _org("organisation", order["supplier_organisation"], order["supplier_name"])
    item = _item(order["title"], order["quantity"], "", order["unit_fen"])
    award = {
        "id": f"{process}-award",
        "status": status,
        "date": _time(at),
        "description": why + (f"：{order['reason']}" if order["reason"] else ""),
        "value": _value(order["amount_fen"]),
        "suppliers": [supplier],
        "items": [item],
    }
    cancelled = status == "cancelled"
    body: dict = {"awards": [award]}
    if order["demand"] is not None:
        tags = ["awardCancellation" if cancelled else "awardUpdate"]
    else:
        tags = ["awardCancellation" if cancelled else "award"]
        purchaser = _org("purchaser", order["purchaser"], buyer)
        body["buyer"] = purchaser
        body["parties"] = [{**purchaser, "roles": ["buyer"]}, {**supplier, "roles": ["supplier"]}]
        body["tender"] = _tender(
            process,
            order["mode"],
            order["title"],
            status,
            mainProcurementCategory=category,
            items=[item],
            value=_value(order["amount_fen"]),
        )
        if related:
            body["relatedProcesses"] = [
                {"id": "1", "relationship": ["framework"], "scheme": "ocid", "identifier": related}
            ]
    return [_release(process, f"mall-order-{order['id']}-{action}", at, tags, **body)]


DEMAND_END = {"fail": "unsuccessful", "withdraw": "cancelled"}


def demand_releases(
    prefix: str,
    demand: dict,
    buyer: str,
    stages: dict[str, datetime],
    quotes: int | None,
    order: dict | None,
    related: str = "",
) -> list[dict]:
    """A reverse auction: the tender when posted; when it ends, the award of the order it
    became (or the tender unsuccessful / cancelled). `quotes` is None while sealed. A
    second-stage competition (the demand's `agreement` set) is the same, its method 框架协议二次竞价
    and its tender release related (`framework`) to the agreement's process `related`."""
    process = ocid(prefix, demand["tenant_id"], "MD", demand["id"])
    source = f"mall-demand-{demand['id']}"
    purchaser = _org("purchaser", demand["purchaser"], buyer)
    item = _item(demand["title"], demand["quantity"], demand["unit"], demand["ceiling_unit_fen"])
    second = bool(related)
    tender = _tender(
        process,
        "second_stage" if second else "reverse_auction",
        demand["title"],
        "active",
        description=demand["delivery"],
        mainProcurementCategory="goods",
        items=[item],
        value=_value(demand["ceiling_unit_fen"] * demand["quantity"]),
        tenderPeriod={
            "startDate": _time(demand["created_at"]),
            "endDate": _time(demand["closes_at"]),
        },
        submissionMethod=["electronicSubmission"],
    )
    out = [
        _release(
            process,
            f"{source}-post",
            stages.get("post", demand["created_at"]),
            ["tender"],
            buyer=purchaser,
            parties=[{**purchaser, "roles": ["buyer"]}],
            tender=tender,
            # A second-stage competition (二次竞价) follows on from its framework agreement.
            **(
                {
                    "relatedProcesses": [
                        {
                            "id": "1",
                            "relationship": ["framework"],
                            "scheme": "ocid",
                            "identifier": related,
                        }
                    ]
                }
                if second
                else {}
            ),
        )
    ]
    counted = {"numberOfTenderers": quotes} if quotes is not None else {}
    for action, status in DEMAND_END.items():
        if action in stages:
            out.append(
                _release(
                    process,
                    f"{source}-{action}",
                    stages[action],
                    ["tenderUpdate"],
                    tender={"id": tender["id"], "status": status, **counted},
                )
            )
    if "award" in stages and order is not None:
        supplier = _org("organisation", order["supplier_organisation"], order["supplier_name"])
        out.append(
            _release(
                process,
                f"{source}-award",
                stages["award"],
                ["award"],
                parties=[{**supplier, "roles": ["supplier", "tenderer"]}],
                tender={"id": tender["id"], "status": "complete", **counted},
                awards=[
                    {
                        "id": f"{process}-award",
                        "status": "active",
                        "date": _time(stages["award"]),
                        "value": _value(order["amount_fen"]),
                        "suppliers": [supplier],
                        "items": [
                            _item(
                                order["title"], order["quantity"], demand["unit"], order["unit_fen"]
                            )
                        ],
                    }
                ],
            )
        )
    return out


GROUP_END = {"fail": "unsuccessful", "withdraw": "cancelled"}


def group_buy_releases(
    prefix: str, group: dict, region_name: str, stages: dict[str, datetime]
) -> list[dict]:
    """A group buy: the region's aggregated demand while purchasers join (planning), then the
    award it recorded (or the tender unsuccessful / cancelled). The buyer is the region."""
    process = ocid(prefix, group["tenant_id"], "MG", group["id"])
    source = f"mall-group-buy-{group['id']}"
    region = _org("region", group["tenant_id"], region_name)
    tender = _tender(
        process, "group_buy", group["title"], "planning", mainProcurementCategory="goods"
    )
    out = [
        _release(
            process,
            f"{source}-open",
            stages.get("open", group["created_at"]),
            ["planning"],
            buyer=region,
            parties=[{**region, "roles": ["buyer", "procuringEntity"]}],
            planning={"rationale": "汇总本地区及下级采购人的同类需求，一次采购，分别下单"},
            tender=tender,
        )
    ]
    for action, status in GROUP_END.items():
        if action in stages:
            out.append(
                _release(
                    process,
                    f"{source}-{action}",
                    stages[action],
                    ["tenderUpdate"],
                    tender={"id": tender["id"], "status": status},
                )
            )
    if "award" in stages and group["unit_fen"] is not None:
        supplier = _org("organisation", group["supplier_organisation"], group["supplier_name"])
        item = _item(group["title"], group["quantity"], group["unit"], group["unit_fen"])
        out.append(
            _release(
                process,
                f"{source}-award",
                stages["award"],
                ["award"],
                parties=[{**supplier, "roles": ["supplier"]}],
                tender={
                    "id": tender["id"],
                    "status": "complete",
                    "procurementMethodRationale": f"采购项目编号：{group['award_reference']}",
                    "items": [item],
                },
                awards=[
                    {
                        "id": f"{process}-award",
                        "status": "active",
                        "date": _time(stages["award"]),
                        "value": _value(group["unit_fen"] * group["quantity"]),
                        "suppliers": [supplier],
                        "items": [item],
                    }
                ],
            )
        )
    return out


def _designated_items(designated: list[dict]) -> list[dict]:
    return [
        {
            "id": str(d["id"]),
            "description": d["item"],
            "unit": {"name": d["unit"], "value": _value(d["max_unit_fen"])},
        }
        for d in designated
    ]


def agreement_releases(
    prefix: str,
    agreement: dict,
    region_name: str,
    designated: list[dict],
    stages: dict[str, datetime],
) -> list[dict]:
    """A framework agreement (MOF Order 110) as recorded: its award lists the designated
    suppliers of the first entry with their maximum unit prices; the term is the award's
    contract period. Each top-up entry (补充征集) is an `awardUpdate` adding its suppliers and
    items to the award (merged by id). Withdrawals are not published here (an OCDS merge cannot
    take a supplier out of the award's list)."""
    process = ocid(prefix, agreement["tenant_id"], "MF", agreement["id"])
    region = _org("region", agreement["tenant_id"], region_name)
    first = [d for d in designated if d["entry"] == "initial"]
    suppliers = [
        _org("organisation", d["supplier_organisation"], d["supplier_name"]) for d in first
    ]
    at = stages.get("record", agreement["created_at"])
    out = [
        _release(
            process,
            f"framework-agreement-{agreement['id']}-record",
            at,
            ["award"],
            buyer=region,
            parties=[
                {**region, "roles": ["buyer", "procuringEntity"]},
                *({**s, "roles": ["supplier"]} for s in suppliers),
            ],
            tender=_tender(
                process,
                "framework_agreement",
                agreement["title"],
                "complete",
                procurementMethod="selective",
                mainProcurementCategory=agreement["kind"],
                numberOfTenderers=agreement["entrants"],
            ),
            awards=[
                {
                    "id": f"{process}-award",
                    "status": "active",
                    "date": _time(at),
                    "suppliers": suppliers,
                    "contractPeriod": {
                        "startDate": _time(agreement["starts_on"]),
                        "endDate": _time(agreement["ends_on"]),
                    },
                    "items": _designated_items(first),
                }
            ],
        )
    ]
    entries: dict[datetime, list[dict]] = {}
    for d in designated:
        if d["entry"] != "initial":
            entries.setdefault(d["entered_at"], []).append(d)
    for n, (when, added) in enumerate(sorted(entries.items()), 1):
        more = [_org("organisation", d["supplier_organisation"], d["supplier_name"]) for d in added]
        out.append(
            _release(
                process,
                f"framework-agreement-{agreement['id']}-top-up-{n}",
                when,
                ["awardUpdate"],
                parties=[{**s, "roles": ["supplier"]} for s in more],
                awards=[
                    {
                        "id": f"{process}-award",
                        "description": "补充征集",
                        "suppliers": more,
                        "items": _designated_items(added),
                    }
                ],
            )
        )
    return out
