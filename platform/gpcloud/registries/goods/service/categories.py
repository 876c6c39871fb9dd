"""The procurement catalogue (政府采购品目分类目录): codes, their tree, and who keeps it.

A code is a letter (A goods, B works, C services) followed by two digits per level, so its
ancestors follow from the code alone; the table keeps `parent` consistent with that structure.
Provincial admins create, rename, deactivate and reactivate categories; everyone reads them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime

from gpcloud.core.audit import service as audit
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.db import contains_ci, is_unique_violation
from gpcloud.core.errors import DomainError, NotFound, Problem
from gpcloud.registries.goods.service.common import (
    search_term,
    text_problem,
)
from gpcloud.registries.goods.tables import CATEGORY_STATUSES, KINDS, Category, GoodsItem

CODE = re.compile(r"[ABC](?:[0-9]{2}){0,7}")
MAX_LIST = 100
COLUMNS = (
    Category.code,
    Category.name,
    Category.parent,
    Category.level,
    Category.kind,
    Category.status,
    Category.created_at,
    Category.updated_at,
)


def category_ancestors(code: str) -> list[str]:
    """The code's ancestors by structure, root first: "A02010104" -> ["A", "A02", "A0201", "A020101"].

    Pure: the catalogue's codes carry their place in the tree, so no query is needed.
    """
    code = (code or "").strip().upper()
    return [code[:n] for n in range(1, len(code), 2)]


def structural_parent(code: str) -> str | None:
    ancestors = category_ancestors(code)
    return ancestors[-1] if ancestors else None


def level_of(code: str) -> int:
    return (len(code) + 1) // 2


def kind_of(code: str) -> str:
    return KINDS[code[0]]


def normalise_code(value: str | None) -> str:
    return (value or "").strip().upper()


def code_problem(code: str, field: str = "code") -> Problem | None:
    if not CODE.fullmatch(code):
        return Problem(
            "INVALID_CODE",
            "a catalogue code: A, B or C followed by two digits per level (e.g. A02010104)",
            field,
        )
    return None


async def unknown_categories(codes: Iterable[str]) -> list[str]:
    """The given procurement catalogue codes that are not active categories (sorted)."""
    wanted = {c for c in codes}
    if not wanted:
        return []
    found = await Category.select(Category.code).where(
        Category.code.is_in(sorted(wanted)) & (Category.status == "active")
    )
    return sorted(wanted - {r["code"] for r in found})


async def get_category(code: str) -> dict:
    row = await Category.select(*COLUMNS).where(Category.code == normalise_code(code)).first()
    if row is None:
        raise NotFound("category", code[:20])
    return row


async def descendant_codes(code: str) -> list[str]:
    """The code and every code below it, whatever their status.

    A prefix LIKE on the catalogue (a few thousand rows at most) is cheap; callers then filter
    big tables with `category IN (...)`, which both engines answer from an index.
    """
    code = normalise_code(code)
    if not CODE.fullmatch(code):
        return []
    rows = await Category.select(Category.code).where(Category.code.like(f"{code}%"))
    return sorted(r["code"] for r in rows if r["code"].startswith(code))


async def list_categories(
    parent_code: str | None = None,
    search: str | None = None,
    status: str | None = None,
    kind: str | None = None,
) -> list[dict]:
    """Children of a category (the roots without one), or up to 100 matches of a name search.

    A level of the catalogue has at most 99 children, so these lists are bounded.
    """
    query = Category.select(*COLUMNS)
    term = search_term(search)
    if parent_code and not CODE.fullmatch(normalise_code(parent_code)):
        return []
    if term is not None:
        query = query.where(contains_ci(Category.name, term) | (Category.code == term.upper()))
        if parent_code:
            query = query.where(Category.code.like(f"{normalise_code(parent_code)}%"))
    elif parent_code:
        query = query.where(Category.parent == normalise_code(parent_code))
    else:
        query = query.where(Category.parent.is_null())
    if status:
        query = query.where(Category.status == status)
    if kind:
        query = query.where(Category.kind == kind)
    return await query.order_by(Category.code).limit(MAX_LIST)


def _state(row: dict) -> dict:
    return {k: row[k] for k in ("code", "name", "parent", "status")}


async def parent_problem(code: str, field: str = "code") -> Problem | None:
    """A new or reactivated category needs its structural parent registered and active."""
    parent = structural_parent(code)
    if parent is None:
        return None
    row = await Category.select(Category.status).where(Category.code == parent).first()
    if row is None:
        return Problem("UNKNOWN_CATEGORY", f"the parent category {parent} is not registered", field)
    if row["status"] != "active":
        return Problem("CATEGORY_INACTIVE", f"the parent category {parent} is inactive", field)
    return None


@requires(Perm.GOODS_MANAGE)
async def create_category(actor: CurrentUser | None, code: str, name: str) -> dict:
    code, name = normalise_code(code), (name or "").strip()
    problems = [
        p for p in (code_problem(code), text_problem(name, "name", "INVALID_NAME", 128, 1)) if p
    ]
    if not problems:
        if await Category.exists().where(Category.code == code):
            problems.append(Problem("DUPLICATE_CODE", f"category {code} is registered", "code"))
        elif (problem := await parent_problem(code)) is not None:
            problems.append(problem)
    if problems:
        raise DomainError.many(problems)
    try:
        await Category.insert(
            Category(
                code=code,
                name=name,
                parent=structural_parent(code),
                level=level_of(code),
                kind=kind_of(code),
                status="active",
            )
        )
    except Exception as exc:
        if is_unique_violation(exc):
            raise DomainError("DUPLICATE_CODE", f"category {code} is registered", "code") from None
        raise
    row = await get_category(code)
    await audit.record("goods.create_category", "goods_category", code, None, _state(row))
    return row


@requires(Perm.GOODS_MANAGE)
async def rename_category(actor: CurrentUser | None, code: str, name: str) -> dict:
    before = await get_category(code)
    name = (name or "").strip()
    if (problem := text_problem(name, "name", "INVALID_NAME", 128, 1)) is not None:
        raise DomainError.many([problem])
    if name == before["name"]:
        return before
    await Category.update({Category.name: name, Category.updated_at: datetime.now(UTC)}).where(
        Category.code == before["code"]
    )
    after = await get_category(code)
    await audit.record(
        "goods.rename_category", "goods_category", before["code"], _state(before), _state(after)
    )
    return after


async def in_use(codes: list[str]) -> int:
    """Active goods filed under any of the codes."""
    if not codes:
        return 0
    return await GoodsItem.count().where(
        GoodsItem.category.is_in(codes) & (GoodsItem.status == "active")
    )


@requires(Perm.GOODS_MANAGE)
async def set_category_status(
    actor: CurrentUser | None, code: str, status: str, reason: str
) -> dict:
    """Deactivate a category with its whole branch (refused while active goods use any of it),
    or reactivate one category under an active parent."""
    if status not in CATEGORY_STATUSES:
        raise DomainError("INVALID_STATUS", f"one of {', '.join(CATEGORY_STATUSES)}", "status")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("REASON_REQUIRED", "say why", "reason")
    if len(reason) > 500:
        raise DomainError("INVALID_REASON", "at most 500 characters", "reason")
    before = await get_category(code)
    code = before["code"]
    if before["status"] == status:
        raise DomainError("WRONG_STATE", f"the category is already {status}", "status")
    now = datetime.now(UTC)
    branch = [code]
    if status == "inactive":
        if before["level"] == 1:
            raise DomainError(
                "ROOT_CATEGORY", "goods, works and services stay in the catalogue", "code"
            )
        branch = await descendant_codes(code)
        if count := await in_use(branch):
            raise DomainError(
                "CATEGORY_IN_USE",
                f"{count} active goods are filed under {code}; deactivate or move them first",
                "code",
            )
        branch = [
            r["code"]
            for r in await Category.select(Category.code).where(
                Category.code.is_in(branch) & (Category.status == "active")
            )
        ]
    elif (problem := await parent_problem(code)) is not None:
        raise DomainError.many([problem])
    await Category.update({Category.status: status, Category.updated_at: now}).where(
        Category.code.is_in(branch)
    )
    after = await get_category(code)
    verb = "deactivate" if status == "inactive" else "reactivate"
    await audit.record(
        f"goods.{verb}_category",
        "goods_category",
        code,
        _state(before),
        _state(after),
        {"reason": reason},
    )
    below = sorted(set(branch) - {code})
    if below:
        for row in (
            await Category.select(*COLUMNS)
            .where(Category.code.is_in(below))
            .order_by(Category.code)
        ):
            await audit.record(
                f"goods.{verb}_category",
                "goods_category",
                row["code"],
                {**_state(row), "status": "active"},
                _state(row),
                {"reason": reason, "with": code},
            )
    return after
