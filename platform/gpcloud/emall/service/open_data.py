"""The e-mall's contracting processes as OCDS releases, for the portal's open data (emall/ocds.py
maps; the portal packages). Public by nature: a posted demand is an open call, a confirmed
order a concluded contract, a group buy's award and a framework agreement published results;
so the reads opt out of the tenant scope (unaudited, as the portal's reads) and filter by region.

Each stage's date is when its transition was made: the audit entry core/workflow wrote with it.
"""

from __future__ import annotations

from datetime import datetime

from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.auth.tables import Organisation
from gpcloud.core.errors import DomainError
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.emall import ocds
from gpcloud.emall.service import agreements, quotes
from gpcloud.emall.tables import FrameworkAgreement, MallDemand, MallGroupBuy, MallOrder
from gpcloud.settings import get_settings

PUBLIC = "open data: the e-mall's published processes (OCDS)"
MAX_PAGE = 500
KINDS = ("orders", "auctions", "group_buys", "framework_agreements")
Process = tuple[str, list[dict]]


async def _regions(region: str | None) -> list[str] | None:
    if region is None:
        return None
    tree = await tenant_tree()
    if tree.get(region) is None:
        raise DomainError("UNKNOWN_REGION", f"no region {region}", "region")
    return sorted(tree.subtree(region))


async def _stages(object_type: str, ids: list[int]) -> dict[int, dict[str, datetime]]:
    """For each object, the first time each transition was made (action -> instant)."""
    if not ids:
        return {}
    with all_tenants(PUBLIC, audited=False):
        rows = (
            await AuditEntry.select(AuditEntry.object_id, AuditEntry.action, AuditEntry.created_at)
            .where(
                (AuditEntry.object_type == object_type)
                & AuditEntry.object_id.is_in([str(i) for i in ids])
            )
            .order_by(AuditEntry.id)
        )
    found: dict[int, dict[str, datetime]] = {}
    for r in rows:
        action = r["action"].split(".", 1)[-1]
        found.setdefault(int(r["object_id"]), {}).setdefault(action, r["created_at"])
    return found


async def _names(organisation_ids: list[int]) -> dict[int, str]:
    with all_tenants(PUBLIC, audited=False):
        rows = await Organisation.select(Organisation.id, Organisation.name).where(
            Organisation.id.is_in(organisation_ids or [0])
        )
    return {r["id"]: r["name"] for r in rows}


async def _order_processes(rows: list[dict], prefix: str) -> list[list[dict]]:
    """Each order's releases, linked to the agreement or group buy it follows on from."""
    stages = await _stages("mall_order", [r["id"] for r in rows])
    names = await _names([r["purchaser_organisation"] for r in rows])
    with all_tenants(PUBLIC, audited=False):
        agreement_ids = [r["agreement"] for r in rows if r["agreement"]] or [0]
        group_ids = [r["group_buy"] for r in rows if r["group_buy"]] or [0]
        found = await FrameworkAgreement.select(
            FrameworkAgreement.id, FrameworkAgreement.tenant_id, FrameworkAgreement.kind
        ).where(FrameworkAgreement.id.is_in(agreement_ids))
        kinds = {a["id"]: a["kind"] for a in found}
        tenants = {("MF", a["id"]): a["tenant_id"] for a in found} | {
            ("MG", g["id"]): g["tenant_id"]
            for g in await MallGroupBuy.select(MallGroupBuy.id, MallGroupBuy.tenant_id).where(
                MallGroupBuy.id.is_in(group_ids)
            )
        }
    out = []
    for r in rows:
        key = ("MF", r["agreement"]) if r["agreement"] else ("MG", r["group_buy"])
        related = ocds.ocid(prefix, tenants[key], *key) if key in tenants else ""
        out.append(
            ocds.order_releases(
                prefix,
                r,
                names.get(r["purchaser_organisation"], ""),
                stages.get(r["id"], {}),
                related,
                kinds.get(r["agreement"], "goods"),
            )
        )
    return out


async def _demand_processes(rows: list[dict], prefix: str) -> list[list[dict]]:
    ids = [r["id"] for r in rows]
    stages = await _stages("mall_demand", ids)
    names = await _names([r["purchaser_organisation"] for r in rows])
    with all_tenants(PUBLIC, audited=False):
        counted = dict(zip(ids, await quotes.counts(ids), strict=True))
        agreement_tenants = {
            a["id"]: a["tenant_id"]
            for a in await FrameworkAgreement.select(
                FrameworkAgreement.id, FrameworkAgreement.tenant_id
            ).where(
                FrameworkAgreement.id.is_in([r["agreement"] for r in rows if r["agreement"]] or [0])
            )
        }
        order_rows = await MallOrder.select().where(
            MallOrder.id.is_in([r["order"] for r in rows if r["order"]] or [0])
        )
    by_id = {o["id"]: o for o in order_rows}
    contracts = dict(
        zip(
            [o["id"] for o in order_rows],
            await _order_processes(order_rows, prefix),
            strict=True,
        )
    )
    out = []
    for r in rows:
        order = by_id.get(r["order"])
        sealed = r["status"] in ("open", "withdrawn")
        releases = ocds.demand_releases(
            prefix,
            r,
            names.get(r["purchaser_organisation"], ""),
            stages.get(r["id"], {}),
            None if sealed else counted[r["id"]],
            order,
            ocds.ocid(prefix, agreement_tenants[r["agreement"]], "MF", r["agreement"])
            if r["agreement"] in agreement_tenants
            else "",
        )
        out.append(releases + (contracts.get(order["id"], []) if order else []))
    return out


async def processes(
    kind: str, region: str | None, after: int, limit: int
) -> tuple[list[Process], int | None]:
    """A page of the kind's processes (by id, after `after`) in the region's subtree, each with
    its releases oldest first; and the id to continue after, or None on the last page."""
    if kind not in KINDS:
        raise DomainError("UNKNOWN_KIND", f"kind is one of {', '.join(KINDS)}", "kind")
    if not 1 <= limit <= MAX_PAGE:
        raise DomainError("PAGE_SIZE_TOO_LARGE", f"limit is 1 to {MAX_PAGE}", "limit")
    regions = await _regions(region)
    prefix = get_settings().ocid_prefix
    table = {
        "orders": MallOrder,
        "auctions": MallDemand,
        "group_buys": MallGroupBuy,
        "framework_agreements": FrameworkAgreement,
    }[kind]
    with all_tenants(PUBLIC, audited=False):
        query = table.select().where(table.id > after)
        if regions is not None:
            query = query.where(table.tenant_id.is_in(regions))
        if kind == "orders":  # an auction's order is in the auction's process
            query = query.where(
                MallOrder.status.is_in(list(ocds.PUBLIC_ORDER)) & MallOrder.demand.is_null()
            )
        rows = await query.order_by(table.id).limit(limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    if not rows:
        return [], None
    if kind == "orders":
        built = await _order_processes(rows, prefix)
    elif kind == "auctions":
        built = await _demand_processes(rows, prefix)
    elif kind == "group_buys":
        tree = await tenant_tree()
        stages = await _stages("mall_group_buy", [r["id"] for r in rows])
        built = [
            ocds.group_buy_releases(
                prefix, r, tree.name_of(r["tenant_id"]), stages.get(r["id"], {})
            )
            for r in rows
        ]
    else:
        tree = await tenant_tree()
        stages = await _stages("framework_agreement", [r["id"] for r in rows])
        designated = await agreements.designated_of([r["id"] for r in rows])
        built = [
            ocds.agreement_releases(
                prefix, r, tree.name_of(r["tenant_id"]), d, stages.get(r["id"], {})
            )
            for r, d in zip(rows, designated, strict=True)
        ]
    found = [
        (releases[0]["ocid"], sorted(releases, key=lambda x: x["date"]))
        for releases in built
        if releases
    ]
    return found, rows[-1]["id"] if more and rows else None
