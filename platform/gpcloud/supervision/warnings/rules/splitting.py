"""Splitting (化整为零): in one fiscal year, the purchaser buys goods or services of the same
catalogue category several times by methods other than open tender, and together they pass the
open-tender threshold (Implementing Regulation art. 28; Government Procurement Law art. 28),
unless another method was approved for the plan. The pieces are the purchaser's filed and
executing plans of the category in the calendar year of the publication (China's fiscal year);
e-mall orders draw on plans, so they are counted with them. The e-mall's own check of a unit's
orders against a mode's cap (emall/service/orders.py) sums with `over_limit` too."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from gpcloud.core.clock import LEGAL_TZ, start_of
from gpcloud.core.money import to_fen, to_yuan
from gpcloud.core.plugins.hooks import builtin
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.supervision.tables import ProcurementPlan
from gpcloud.supervision.warnings.common import HOOK, Rule

RULE = Rule(
    "splitting",
    "Implementing Regulation art. 28; Government Procurement Law art. 28",
    "化整为零规避公开招标",
)
BUYING = ("filed", "executing")
SCOPE = "publication warnings: the purchaser's plans, in the purchaser's own region"


def over_limit(amounts_fen: Iterable[int], limit_fen: int | None) -> int | None:
    """The pieces' total when it passes `limit_fen`; None within it or with no limit."""
    total = sum(amounts_fen)
    return total if limit_fen is not None and total > limit_fen else None


async def _pieces(project: dict, on: date) -> list[dict]:
    """The purchaser's other plans of the category filed in the year its own plan was filed
    (the day of publication when that is unknown)."""
    with all_tenants(SCOPE):
        own = (
            await ProcurementPlan.select(ProcurementPlan.filed_at)
            .where(ProcurementPlan.id == project["plan_id"])
            .first()
        )
        filed = own and own["filed_at"]
        year = filed.astimezone(LEGAL_TZ).year if filed else on.year
        return await ProcurementPlan.select(
            ProcurementPlan.id, ProcurementPlan.title, ProcurementPlan.amount_fen
        ).where(
            (ProcurementPlan.purchaser == project["purchaser_id"])
            & (ProcurementPlan.category_code == project["category_code"])
            & (ProcurementPlan.method != "open_tender")
            & (ProcurementPlan.method_exception == "")
            & ProcurementPlan.status.is_in(list(BUYING))
            & (ProcurementPlan.filed_at >= start_of(date(year, 1, 1)))
            & (ProcurementPlan.filed_at < start_of(date(year + 1, 1, 1)))
        )


@builtin(HOOK, RULE.code)
async def gpcloud_check_publication(subject: dict, tenant: Any) -> list[dict] | None:
    project = subject["project"]
    if (
        subject["kind"] != "tender"
        or project["method"] == "open_tender"
        or project["object_type"] not in ("goods", "services")
        or not project["category_code"]
    ):
        return None
    threshold = (tenant.config.get("thresholds") or {}).get("open_tender_threshold")
    if threshold is None:
        return None
    on = date.fromisoformat(subject["on"])
    pieces = [p for p in await _pieces(project, on) if p["id"] != project["plan_id"]]
    if not pieces:
        return None
    this = to_fen(Decimal(project["budget"]))
    total = over_limit([this, *(p["amount_fen"] for p in pieces)], to_fen(Decimal(str(threshold))))
    if total is None:
        return None
    listed = "、".join(f"「{p['title']}」{to_yuan(p['amount_fen'])}元" for p in pieces[:5])
    return [
        RULE.warning(
            f"品目{project['category_code']}：{listed}",
            f"{on.year}年同一品目以公开招标以外方式采购{len(pieces) + 1}次，合计{to_yuan(total)}元，"
            f"超过公开招标数额标准{threshold}元",
            "project.categoryCode",
        )
    ]
