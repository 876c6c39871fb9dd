"""Reading the pool: the search the expert draw builds on, and the lists behind an expert.

Who: holders of expert.read (admins, supervisors) read every expert (masked ID number only);
an expert reads their own record (experts.of_user). One query per search: specialty, region and
leave conditions are sub-selects on the composite indexes of the 09_29_10 migration.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from piccolo.columns.combination import WhereRaw

from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.clock import today
from gpcloud.core.db import contains_ci
from gpcloud.core.errors import DomainError
from gpcloud.core.pagination import Page, keyset_page
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.registries.experts.service import identity, rules
from gpcloud.registries.experts.service.experts import COLUMNS
from gpcloud.registries.experts.tables import (
    STATUSES,
    TITLE_LEVELS,
    Expert,
    ExpertRegion,
    ExpertSpecialty,
)
from gpcloud.registries.goods import service as goods

# Correlated on the outer expert row: uses expert_leave(expert, start_date, end_date).
ON_LEAVE = (
    'NOT EXISTS (SELECT 1 FROM "expert_leave" WHERE "expert_leave"."expert" = "expert"."id"'
    ' AND "expert_leave"."start_date" <= {} AND "expert_leave"."end_date" >= {})'
)


@dataclass(frozen=True)
class ExpertFilter:
    category: str | None = None
    region: str | None = None
    available_on: date | None = None
    status: str | None = None
    title_level: str | None = None
    search: str | None = None


def category_codes(category: str) -> list[str]:
    """The codes whose experts evaluate `category`: itself and its ancestors (an expert in
    computer equipment A020101 evaluates desktops A02010104, not the other way round)."""
    code = category.strip().upper()
    if not rules.CATEGORY.fullmatch(code):
        raise DomainError("UNKNOWN_CATEGORY", f"{category} is not a catalogue code", "category")
    return [*goods.category_ancestors(code), code]


async def region_codes(region: str) -> list[str]:
    """The regions whose experts serve `region`: itself and the regions above it."""
    code = region.strip()
    tree = await tenant_tree()
    if tree.get(code) is None:
        raise DomainError("UNKNOWN_REGION", f"no region {region}", "region")
    return [code, *tree.ancestors(code)]


@requires(Perm.EXPERT_READ)
async def search(
    actor: CurrentUser, flt: ExpertFilter, first: int | None, after: str | None
) -> Page:
    query = Expert.select(*COLUMNS)
    if flt.category:
        query = query.where(
            Expert.id.is_in(
                ExpertSpecialty.select(ExpertSpecialty.expert).where(
                    ExpertSpecialty.category_code.is_in(category_codes(flt.category))
                )
            )
        )
    if flt.region:
        query = query.where(
            Expert.id.is_in(
                ExpertRegion.select(ExpertRegion.expert).where(
                    ExpertRegion.region.is_in(await region_codes(flt.region))
                )
            )
        )
    if flt.available_on is not None:
        query = query.where(WhereRaw(ON_LEAVE, flt.available_on, flt.available_on))
    if flt.status:
        if flt.status not in STATUSES:
            raise DomainError("INVALID_STATUS", f"one of {', '.join(STATUSES)}", "status")
        query = query.where(Expert.status == flt.status)
    if flt.title_level:
        if flt.title_level not in TITLE_LEVELS:
            raise DomainError(
                "INVALID_TITLE_LEVEL", f"one of {', '.join(TITLE_LEVELS)}", "titleLevel"
            )
        query = query.where(Expert.title_level == flt.title_level)
    term = (flt.search or "").strip()
    if term:
        condition = contains_ci(Expert.name, term) | (Expert.phone == term)
        try:
            number = identity.parse_id_number(term, today())
            condition = condition | (Expert.id_number_digest == identity.digest(number.number))
        except ValueError:
            pass
        query = query.where(condition)
    return await keyset_page(query, Expert.id, first, after)


async def specialties(expert_ids: list[int]) -> list[list[dict]]:
    """Each expert's specialties, primary first (a dataloader batch)."""
    rows = await ExpertSpecialty.select(
        ExpertSpecialty.expert, ExpertSpecialty.category_code, ExpertSpecialty.primary
    ).where(ExpertSpecialty.expert.is_in(list(expert_ids)))
    grouped: dict[int, list[dict]] = {}
    for row in sorted(rows, key=lambda r: (not r["primary"], r["category_code"])):
        grouped.setdefault(row["expert"], []).append(row)
    return [grouped.get(i, []) for i in expert_ids]
