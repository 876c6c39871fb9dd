"""The generated processes' publication timeliness and green purchases (sample.py).

- Each tendered process gets an evaluation (committee, evaluation, report) whose winner was
  confirmed 0 to 7 days before the result was published, and each contract a publication due
  date (`contract_publication` on the calendar, as the contracts domain sets it at signing) and
  a publication day, now and then after it: the publication <= 2 wd indicator has both kinds.
- A few goods items in one catalogue category, some marked energy-saving or environmental-label,
  listed by every generated supplier; e-mall orders name a listing, cycling through the items,
  so green purchasing has green and plain purchases.

Deterministic: the choices come from each process's own generator (seeded by its plan), so the
rest of the generated history stays as it was. The `Truth` figures are summed here from what
was generated; only the due days come from the calendar.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from gpcloud.core.clock import LEGAL_TZ
from gpcloud.core.db import bulk_insert
from gpcloud.core.rules.service import rule_deadlines
from gpcloud.evaluation.tables import Evaluation, EvaluationCommittee, EvaluationReport
from gpcloud.registries.goods.tables import Category, GoodsItem, SupplierListing

GREEN_CATEGORY = ("A02010104", "台式计算机")
# name, green label, unit price (yuan)
GREEN_ITEMS = (
    ("台式计算机（节能产品认证）", "energy_saving", 5200),
    ("台式计算机（未认证）", "", 4300),
    ("台式计算机（节能、环境标志产品认证）", "both", 5600),
)


def at(day: date, hour: int = 10) -> datetime:
    """The instant of `hour` o'clock on a legal day."""
    return datetime.combine(day, time(hour), LEGAL_TZ).astimezone(UTC)


def _rng(kind: str, plan: int) -> random.Random:
    return random.Random(f"{kind}-{plan}")


async def contracts(rows: list[dict], truth) -> None:
    """Fill each contract row's `publication_due` and `published_on` (before the insert)."""
    dues = await rule_deadlines(
        "contract_publication", {(r["signed_on"], r["tenant_id"]) for r in rows}
    )
    for r in rows:
        due = dues[(r["signed_on"], r["tenant_id"])].due
        late = _rng("contract", r["plan"]).random() < 0.2
        r["publication_due"] = due
        on_time = min(r["signed_on"] + timedelta(days=1), due)
        r["published_on"] = due + timedelta(days=3) if late else on_time
        truth.add("pub_n", r["tenant_id"], 1)
        truth.add("pub_ok", r["tenant_id"], int(not late))


async def results(t: str, agency_org: int, purchaser: int, processes: list, truth) -> None:
    """An evaluation with a confirmed winner for each tendered process (project, plan, bidders,
    winning price, result day)."""
    if not processes:
        return
    confirmed: dict[int, date] = {}
    for project, plan, _bidders, _price, result_on in processes:
        confirmed[project] = result_on - timedelta(
            days=_rng("result", plan).choice((0, 1, 1, 2, 7))
        )
    committees = await bulk_insert(
        EvaluationCommittee,
        [
            {
                "tenant_id": t,
                "project": project,
                "agency_organisation": agency_org,
                "method": "open_tender",
                "members": 5,
                "expert_seats": 5,
                "region": t,
                "evaluation_at": at(confirmed[project] - timedelta(days=3)),
                "backups": 2,
                "status": "done",
            }
            for project, *_ in processes
        ],
    )
    evaluations = await bulk_insert(
        Evaluation,
        [
            {
                "tenant_id": t,
                "committee": committee,
                "project": project,
                "agency_organisation": agency_org,
                "purchaser": purchaser,
                "method": "lowest_price",
                "status": "reported",
            }
            for committee, (project, *_) in zip(committees, processes, strict=True)
        ],
    )
    await bulk_insert(
        EvaluationReport,
        [
            {
                "tenant_id": t,
                "evaluation": evaluation,
                "content": "{}",
                "digest": "0" * 64,
                "frozen_at": at(confirmed[project] - timedelta(days=2)),
                "confirmed_at": at(confirmed[project], 16),
                "status": "confirmed",
            }
            for evaluation, (project, *_) in zip(evaluations, processes, strict=True)
        ],
        returning=False,
    )
    dues = await rule_deadlines("result_publication", {(d, t) for d in confirmed.values()})
    for project, _plan, _b, _p, result_on in processes:
        truth.add("pub_n", t, 1)
        truth.add("pub_ok", t, int(result_on <= dues[(confirmed[project], t)].due))


async def listings(suppliers: list[tuple[int, str]], tag: str) -> list[tuple[dict, str, int]]:
    """The generated goods items and every supplier's listing of each:
    [({organisation: listing id}, green label, unit fen)] in GREEN_ITEMS order."""
    code, name = GREEN_CATEGORY
    if not await Category.exists().where(Category.code == code):
        await Category.insert(Category(code=code, name=name, level=4, kind="goods"))
    items = await bulk_insert(
        GoodsItem,
        [
            {
                "code": f"GD-SAMPLE{tag}-{n}",
                "category": code,
                "name": item,
                "unit": "台",
                "reference_price": price,
                "green_label": label,
            }
            for n, (item, label, price) in enumerate(GREEN_ITEMS)
        ],
    )
    out = []
    for item, (_n, label, price) in zip(items, GREEN_ITEMS, strict=True):
        ids = await bulk_insert(
            SupplierListing,
            [
                {"organisation": org, "goods_item": item, "price": price, "stock": 1000}
                for org, _ in suppliers
            ],
        )
        out.append((dict(zip([o for o, _ in suppliers], ids, strict=True)), label, price * 100))
    return out


def order_listing(listed: list, n: int, org: int, truth, t: str, amount: int) -> int:
    """The listing the tenant's `n`-th generated order names (the items in turn)."""
    by_org, label, _fen = listed[n % len(listed)]
    truth.add("listed_fen", t, amount)
    truth.add("green_fen", t, amount if label else 0)
    return by_org[org]
