"""Goods (商品): standard products with a reference price, kept by the province.

Every authenticated user reads them; provincial admins create, change, deactivate and
reactivate them. The reference price is the ceiling of every active listing: lowering it
withdraws the listings now above it, deactivating an item withdraws all its listings, so an
active listing is always of an active item at or below its reference price.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from gpcloud.core.audit import service as audit
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.db import is_unique_violation
from gpcloud.core.errors import DomainError, NotFound, Problem
from gpcloud.registries.goods.service import listings
from gpcloud.registries.goods.service.categories import normalise_code
from gpcloud.registries.goods.service.common import (
    money,
    price_problem,
    text_problem,
)
from gpcloud.registries.goods.tables import ITEM_STATUSES, Category, GoodsItem

ITEM_CODE = re.compile(r"[A-Z0-9][A-Z0-9-]{2,39}")
MAX_SPECS, MAX_SPEC_KEY, MAX_SPEC_VALUE, MAX_SPECS_TEXT = 50, 32, 200, 4000
COLUMNS = (
    GoodsItem.id,
    GoodsItem.code,
    GoodsItem.category,
    GoodsItem.name,
    GoodsItem.brand,
    GoodsItem.model,
    GoodsItem.specs,
    GoodsItem.unit,
    GoodsItem.reference_price,
    GoodsItem.status,
    GoodsItem.green_label,
    GoodsItem.created_at,
    GoodsItem.updated_at,
)


@dataclass(frozen=True)
class GoodsItemInput:
    """For a create every field but code, brand, model and specs is required; for an update
    None means "keep" (and code cannot change: orders and listings refer to it)."""

    code: str | None = None
    category_code: str | None = None
    name: str | None = None
    brand: str | None = None
    model: str | None = None
    specs: dict | None = None
    unit: str | None = None
    reference_price: Decimal | None = None


def specs_problem(specs: object, field: str = "specs") -> Problem | None:
    """Specifications are a flat object of short strings, e.g. {"CPU": "8核", "内存": "16GB"}."""
    if specs is None:
        return None
    message = (
        f"an object of at most {MAX_SPECS} names (1 to {MAX_SPEC_KEY} characters) "
        f"with text values (at most {MAX_SPEC_VALUE} characters)"
    )
    if not isinstance(specs, dict) or len(specs) > MAX_SPECS:
        return Problem("INVALID_SPECS", message, field)
    for key, value in specs.items():
        if not isinstance(key, str) or not 1 <= len(key.strip()) <= MAX_SPEC_KEY:
            return Problem("INVALID_SPECS", message, field)
        if not isinstance(value, str) or len(value) > MAX_SPEC_VALUE:
            return Problem("INVALID_SPECS", message, field)
    if len(dump_specs(specs)) > MAX_SPECS_TEXT:
        return Problem("INVALID_SPECS", f"at most {MAX_SPECS_TEXT} characters in all", field)
    return None


def clean_specs(specs: dict) -> dict:
    return {k.strip(): v.strip() for k, v in specs.items()}


def dump_specs(specs: dict) -> str:
    return json.dumps(specs, ensure_ascii=False, separators=(",", ":"))


def load_specs(text: str | None) -> dict:
    return json.loads(text or "{}")


def field_problems(new: GoodsItemInput, creating: bool) -> list[Problem]:
    """Format checks shared by the API and the import (which passes creating=False for its
    optional cells and checks required ones itself)."""
    problems = [
        text_problem(_strip(new.name), "name", "INVALID_NAME", 128, 1),
        text_problem(_strip(new.brand), "brand", "INVALID_BRAND", 64),
        text_problem(_strip(new.model), "model", "INVALID_MODEL", 64),
        text_problem(_strip(new.unit), "unit", "INVALID_UNIT", 8, 1),
        specs_problem(new.specs),
    ]
    if new.reference_price is not None or creating:
        problems.append(price_problem(new.reference_price, "referencePrice"))
    if creating:
        for value, field in (
            (new.category_code, "categoryCode"),
            (new.name, "name"),
            (new.unit, "unit"),
        ):
            if not _strip(value):
                problems.append(Problem("REQUIRED", f"{field} is required", field))
    code = _strip(new.code)
    if code and not ITEM_CODE.fullmatch(code.upper()):
        problems.append(
            Problem(
                "INVALID_CODE", "3 to 40 letters, digits or '-' (e.g. GD-A02010104-000123)", "code"
            )
        )
    return [p for p in problems if p is not None]


def _strip(value: str | None) -> str | None:
    return value.strip() if value is not None else None


async def category_problem(code: str, field: str = "categoryCode") -> Problem | None:
    """Goods are filed under an active category below the roots (goods, works, services)."""
    row = (
        await Category.select(Category.status, Category.level).where(Category.code == code).first()
    )
    if row is None:
        return Problem(
            "UNKNOWN_CATEGORY", f"{code[:20]} is not in the procurement catalogue", field
        )
    if row["status"] != "active":
        return Problem("CATEGORY_INACTIVE", f"category {code} is inactive", field)
    if row["level"] < 2:
        return Problem(
            "CATEGORY_TOO_GENERAL", "choose a category below goods, works or services", field
        )
    return None


def normalised(row: dict) -> dict:
    return {**row, "reference_price": money(row["reference_price"])}


async def get_item(item_id: int) -> dict:
    row = await GoodsItem.select(*COLUMNS).where(GoodsItem.id == item_id).first()
    if row is None:
        raise NotFound("goods item", item_id)
    return normalised(row)


def state(row: dict) -> dict:
    return {
        **{k: row[k] for k in ("code", "category", "name", "brand", "model", "unit", "status")},
        "specs": load_specs(row["specs"]),
        "reference_price": money(row["reference_price"]),
    }


async def next_code(category: str) -> str:
    """GD-<category>-<6 digits>: the next free number within the category."""
    number = await GoodsItem.count().where(GoodsItem.category == category) + 1
    while await GoodsItem.exists().where(GoodsItem.code == f"GD-{category}-{number:06d}"):
        number += 1
    return f"GD-{category}-{number:06d}"


@requires(Perm.GOODS_MANAGE)
async def create_item(actor: CurrentUser | None, new: GoodsItemInput) -> dict:
    problems = field_problems(new, creating=True)
    category = normalise_code(new.category_code)
    code = (new.code or "").strip().upper()
    if not problems:
        if (problem := await category_problem(category)) is not None:
            problems.append(problem)
        if code and await GoodsItem.exists().where(GoodsItem.code == code):
            problems.append(Problem("DUPLICATE_CODE", f"goods code {code} is registered", "code"))
    if problems:
        raise DomainError.many(problems)
    item = GoodsItem(
        code=code or await next_code(category),
        category=category,
        name=new.name.strip(),
        brand=(new.brand or "").strip(),
        model=(new.model or "").strip(),
        specs=dump_specs(clean_specs(new.specs or {})),
        unit=new.unit.strip(),
        reference_price=new.reference_price,
    )
    try:
        await item.save()
    except Exception as exc:
        if is_unique_violation(exc):
            raise DomainError(
                "DUPLICATE_CODE", f"goods code {item.code} is registered", "code"
            ) from None
        raise
    row = await get_item(item.id)
    await audit.record("goods.create_item", "goods_item", item.id, None, state(row))
    return row


@requires(Perm.GOODS_MANAGE)
async def update_item(actor: CurrentUser | None, item_id: int, changes: GoodsItemInput) -> dict:
    before = await get_item(item_id)
    problems = field_problems(changes, creating=False)
    if changes.code is not None and changes.code.strip().upper() != before["code"]:
        problems.append(Problem("CODE_IMMUTABLE", "a goods code cannot change", "code"))
    category = normalise_code(changes.category_code) if changes.category_code is not None else None
    if not problems and category is not None and category != before["category"]:
        if (problem := await category_problem(category)) is not None:
            problems.append(problem)
    if problems:
        raise DomainError.many(problems)
    values = {
        column: value
        for column, value in (
            (GoodsItem.category, category),
            (GoodsItem.name, _strip(changes.name)),
            (GoodsItem.brand, _strip(changes.brand)),
            (GoodsItem.model, _strip(changes.model)),
            (GoodsItem.unit, _strip(changes.unit)),
            (
                GoodsItem.specs,
                dump_specs(clean_specs(changes.specs)) if changes.specs is not None else None,
            ),
            (GoodsItem.reference_price, changes.reference_price),
        )
        if value is not None
    }
    await GoodsItem.update({**values, GoodsItem.updated_at: datetime.now(UTC)}).where(
        GoodsItem.id == item_id
    )
    after = await get_item(item_id)
    if state(after) != state(before):
        await audit.record("goods.update_item", "goods_item", item_id, state(before), state(after))
    if after["reference_price"] < before["reference_price"]:
        await listings.withdraw_listings(
            item_id,
            f"reference price lowered to {after['reference_price']}",
            above=after["reference_price"],
        )
    return after


@requires(Perm.GOODS_MANAGE)
async def set_item_status(
    actor: CurrentUser | None, item_id: int, status: str, reason: str
) -> dict:
    """Deactivating withdraws the item's active listings; reactivating leaves them withdrawn
    (each supplier decides whether to offer it again)."""
    if status not in ITEM_STATUSES:
        raise DomainError("INVALID_STATUS", f"one of {', '.join(ITEM_STATUSES)}", "status")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("REASON_REQUIRED", "say why", "reason")
    if len(reason) > 500:
        raise DomainError("INVALID_REASON", "at most 500 characters", "reason")
    before = await get_item(item_id)
    if before["status"] == status:
        raise DomainError("WRONG_STATE", f"the goods item is already {status}", "status")
    if (
        status == "active"
        and (problem := await category_problem(before["category"], "status")) is not None
    ):
        raise DomainError.many([problem])
    await GoodsItem.update(
        {GoodsItem.status: status, GoodsItem.updated_at: datetime.now(UTC)}
    ).where(GoodsItem.id == item_id)
    after = await get_item(item_id)
    verb = "deactivate" if status == "inactive" else "reactivate"
    await audit.record(
        f"goods.{verb}_item", "goods_item", item_id, state(before), state(after), {"reason": reason}
    )
    if status == "inactive":
        await listings.withdraw_listings(item_id, f"goods item deactivated: {reason}")
    return after


async def brands_and_models() -> tuple[frozenset[str], frozenset[str]]:
    """The brands and models of the active goods, for rules that look for a named product in
    a procurement's requirements (supervision's publication warnings)."""
    rows = await GoodsItem.select(GoodsItem.brand, GoodsItem.model).where(
        GoodsItem.status == "active"
    )
    brands = frozenset(r["brand"].strip() for r in rows if r["brand"].strip())
    models = frozenset(r["model"].strip() for r in rows if r["model"].strip())
    return brands, models
