"""Experts: registration, applications and changes.

Who: a provincial admin registers experts (active when the entry rules pass) and changes them;
an expert user applies for themselves (pending) and keeps their own phone. Status, bad records,
accounts and the reveal of the ID number are in lifecycle.py, leave and avoidance in
availability.py, reading in search.py.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from gpcloud.core.audit import service as audit
from gpcloud.core.auth.permissions import Perm, requires
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.auth.tables import Organisation
from gpcloud.core.clock import today
from gpcloud.core.db import is_unique_violation, serialize_writes
from gpcloud.core.errors import DomainError, NotFound, Problem
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.registries.experts.service import identity, rules
from gpcloud.registries.experts.tables import Expert, ExpertRegion, ExpertSpecialty
from gpcloud.registries.goods import service as goods

COLUMNS = (
    Expert.id,
    Expert.name,
    Expert.id_number_masked,
    Expert.birth_date,
    Expert.gender,
    Expert.title_level,
    Expert.title,
    Expert.years_of_experience,
    Expert.employer,
    Expert.employer_uscc,
    Expert.phone,
    Expert.status,
    Expert.status_reason,
    Expert.bad_record_until,
    Expert.user_id,
    Expert.created_at,
    Expert.updated_at,
)
STATE = (
    "name",
    "id_number_masked",
    "birth_date",
    "gender",
    "title_level",
    "title",
    "years_of_experience",
    "employer",
    "employer_uscc",
    "phone",
    "status",
    "status_reason",
    "bad_record_until",
    "user_id",
)


@dataclass(frozen=True)
class ExpertInput:
    """For changes, None means "keep"; an empty optional text clears it."""

    name: str | None = None
    id_number: str | None = None
    title_level: str | None = None
    title: str | None = None
    years_of_experience: int | None = None
    employer: str | None = None
    employer_uscc: str | None = None
    phone: str | None = None
    specialties: list[str] | None = None
    regions: list[str] | None = None
    bad_record_on: date | None = None


async def get(expert_id: int) -> dict:
    row = await Expert.select(*COLUMNS).where(Expert.id == expert_id).first()
    if row is None:
        raise NotFound("expert", expert_id)
    return row


async def owned(actor: CurrentUser, expert_id: int) -> dict:
    """The expert whose availability the caller keeps: its own (the account linked to it), or any
    for holders of expert.manage; NOT_FOUND otherwise (an expert does not learn whether another
    expert's record exists)."""
    row = await Expert.select(*COLUMNS).where(Expert.id == expert_id).first()
    if row is None or not (actor.can(Perm.EXPERT_MANAGE) or row["user_id"] == actor.id):
        raise NotFound("expert", expert_id)
    return row


async def of_user(actor: CurrentUser) -> dict | None:
    """The expert record of an expert's own account."""
    return await Expert.select(*COLUMNS).where(Expert.user_id == actor.id).first()


async def state(expert_id: int) -> dict:
    """What the audit log digests: the record, its specialties and regions (never the ID number)."""
    row = await get(expert_id)
    specialties = await ExpertSpecialty.select(
        ExpertSpecialty.category_code, ExpertSpecialty.primary
    ).where(ExpertSpecialty.expert == expert_id)
    regions = await ExpertRegion.select(ExpertRegion.region).where(ExpertRegion.expert == expert_id)
    return {
        **{k: row[k] for k in STATE},
        "specialties": sorted(
            (r["category_code"] for r in specialties), key=lambda c: (c != _primary(specialties), c)
        ),
        "regions": sorted(r["region"] for r in regions),
    }


def _primary(specialties: list[dict]) -> str | None:
    return next((r["category_code"] for r in specialties if r["primary"]), None)


async def check_specialties(codes: list[str] | None) -> tuple[list[str], list[Problem]]:
    codes, problems = rules.normalise_codes(
        codes,
        rules.CATEGORY,
        "specialties",
        "catalogue category",
        "UNKNOWN_CATEGORY",
        rules.MAX_SPECIALTIES,
    )
    if not problems:
        unknown = await goods.unknown_categories(codes)
        if unknown:
            problems.append(
                Problem(
                    "UNKNOWN_CATEGORY",
                    f"not active catalogue categories: {', '.join(unknown)}",
                    "specialties",
                )
            )
    return codes, problems


async def check_regions(codes: list[str] | None) -> tuple[list[str], list[Problem]]:
    codes, problems = rules.normalise_codes(
        codes, rules.REGION, "regions", "region", "UNKNOWN_REGION", rules.MAX_REGIONS
    )
    if not problems:
        tree = await tenant_tree()
        unknown = [c for c in codes if (node := tree.get(c)) is None or node.status != "active"]
        if unknown:
            problems.append(
                Problem(
                    "UNKNOWN_REGION",
                    f"not regions on the platform: {', '.join(unknown)}",
                    "regions",
                )
            )
    return codes, problems


def check_identity(raw: str | None) -> tuple[identity.IdNumber | None, list[Problem]]:
    try:
        return identity.parse_id_number(raw or "", today()), []
    except ValueError as exc:
        return None, [Problem("INVALID_ID_NUMBER", str(exc), "idNumber")]


async def _duplicate(number: identity.IdNumber, own_id: int | None = None) -> list[Problem]:
    query = Expert.exists().where(Expert.id_number_digest == identity.digest(number.number))
    if own_id is not None:
        query = query.where(Expert.id != own_id)
    if await query:
        return [
            Problem(
                "DUPLICATE_ID_NUMBER", "an expert with this ID number is registered", "idNumber"
            )
        ]
    return []


async def replace_specialties(expert_id: int, codes: list[str]) -> None:
    await ExpertSpecialty.delete().where(ExpertSpecialty.expert == expert_id)
    await ExpertSpecialty.insert(
        *(
            ExpertSpecialty(expert=expert_id, category_code=c, primary=i == 0)
            for i, c in enumerate(codes)
        )
    )


async def replace_regions(expert_id: int, codes: list[str]) -> None:
    await ExpertRegion.delete().where(ExpertRegion.expert == expert_id)
    await ExpertRegion.insert(*(ExpertRegion(expert=expert_id, region=c) for c in codes))


def _text(value: str | None) -> str:
    return (value or "").strip()


async def _create(new: ExpertInput, status: str, user_id: int | None, action: str) -> dict:
    name, title, employer = _text(new.name), _text(new.title), _text(new.employer)
    uscc = _text(new.employer_uscc).upper() or None
    phone = _text(new.phone)
    years = new.years_of_experience if new.years_of_experience is not None else 0
    level = new.title_level or ""
    number, problems = check_identity(new.id_number)
    problems += rules.field_problems(name, title, years, employer, uscc, phone, level)
    if new.bad_record_on is not None and new.bad_record_on > today():
        problems.append(
            Problem("INVALID_DATE", "a bad record cannot be in the future", "badRecordOn")
        )
    specialties, more = await check_specialties(new.specialties)
    problems += more
    regions, more = await check_regions(new.regions)
    problems += more
    until = rules.bad_record_until(new.bad_record_on) if new.bad_record_on else None
    if number is not None and not problems:
        problems += rules.entry_problems(level, years, number.birth_date, until, today())
    await serialize_writes("experts:identity")
    if number is not None and not problems:
        problems += await _duplicate(number)
    if problems:
        raise DomainError.many(problems)
    expert = Expert(
        name=name,
        id_number_digest=identity.digest(number.number),
        id_number_masked=identity.mask(number.number),
        id_number_cipher=identity.seal(number.number),
        birth_date=number.birth_date,
        gender=number.gender,
        title_level=level,
        title=title,
        years_of_experience=years,
        employer=employer,
        employer_uscc=uscc,
        phone=phone,
        status=status,
        bad_record_until=until,
        user_id=user_id,
    )
    try:
        await expert.save()
    except Exception as exc:
        if is_unique_violation(exc):
            raise DomainError(
                "DUPLICATE_ID_NUMBER", "an expert with this ID number is registered", "idNumber"
            ) from None
        raise
    await replace_specialties(expert.id, specialties)
    await replace_regions(expert.id, regions)
    after = await state(expert.id)
    await audit.record(f"experts.{action}", "expert", expert.id, None, after)
    return await get(expert.id)


@requires(Perm.EXPERT_MANAGE)
async def register(actor: CurrentUser, new: ExpertInput) -> dict:
    """A provincial admin enters an expert into the active pool; the entry rules must pass."""
    return await _create(new, "active", None, "register")


@requires(Perm.EXPERT_APPLY)
async def apply(actor: CurrentUser, new: ExpertInput) -> dict:
    """An expert user applies for the pool for themselves; a provincial admin approves."""
    await serialize_writes("experts:identity")
    if await Expert.exists().where(Expert.user_id == actor.id):
        raise DomainError("ALREADY_REGISTERED", "your account already has an expert record")
    if new.employer is None and new.employer_uscc is None:
        org = (
            await Organisation.select(Organisation.name, Organisation.uscc)
            .where(Organisation.id == actor.organisation_id)
            .first()
        )
        new = replace(new, employer=org["name"], employer_uscc=org["uscc"])
    return await _create(replace(new, bad_record_on=None), "pending", actor.id, "apply")


@requires(Perm.EXPERT_MANAGE)
async def update(actor: CurrentUser, expert_id: int, changes: ExpertInput) -> dict:
    # A new ID number takes the registration lock (duplicates); other changes the expert's own.
    await serialize_writes(
        "experts:identity" if changes.id_number is not None else f"expert:{expert_id}"
    )
    before_row = await get(expert_id)
    before = await state(expert_id)
    number, problems = (None, [])
    if changes.id_number is not None:
        number, problems = check_identity(changes.id_number)
        current = await Expert.select(Expert.id_number_digest).where(Expert.id == expert_id).first()
        if number is not None and identity.digest(number.number) == current["id_number_digest"]:
            number = None  # the same number: nothing to change
    name = changes.name.strip() if changes.name is not None else None
    title = changes.title.strip() if changes.title is not None else None
    employer = changes.employer.strip() if changes.employer is not None else None
    uscc = changes.employer_uscc.strip().upper() if changes.employer_uscc is not None else None
    phone = changes.phone.strip() if changes.phone is not None else None
    problems += rules.field_problems(
        name, title, changes.years_of_experience, employer, uscc, phone, changes.title_level
    )
    specialties = regions = None
    if changes.specialties is not None:
        specialties, more = await check_specialties(changes.specialties)
        problems += more
    if changes.regions is not None:
        regions, more = await check_regions(changes.regions)
        problems += more
    level = changes.title_level or before_row["title_level"]
    years = (
        changes.years_of_experience
        if changes.years_of_experience is not None
        else before_row["years_of_experience"]
    )
    if not problems and before_row["status"] in ("pending", "active"):
        # Only what this change touches: an expert who has since turned 70 is retired, not edited.
        if changes.title_level is not None or changes.years_of_experience is not None:
            problems += rules.qualification_problems(level, years)
        if number is not None:
            problems += rules.age_problems(number.birth_date, today())
    if number is not None and not problems:
        problems += await _duplicate(number, expert_id)
    if problems:
        raise DomainError.many(problems)
    values = {
        column: value
        for column, value in (
            (Expert.name, name),
            (Expert.title_level, changes.title_level),
            (Expert.title, title),
            (Expert.years_of_experience, changes.years_of_experience),
            (Expert.employer, employer),
            (Expert.phone, phone),
        )
        if value is not None
    }
    if uscc is not None:
        values[Expert.employer_uscc] = uscc or None
    if number is not None:
        values.update(
            {
                Expert.id_number_digest: identity.digest(number.number),
                Expert.id_number_masked: identity.mask(number.number),
                Expert.id_number_cipher: identity.seal(number.number),
                Expert.birth_date: number.birth_date,
                Expert.gender: number.gender,
            }
        )
    if values:
        await Expert.update({**values, Expert.updated_at: datetime.now(UTC)}).where(
            Expert.id == expert_id
        )
    if specialties is not None:
        await replace_specialties(expert_id, specialties)
    if regions is not None:
        await replace_regions(expert_id, regions)
    after = await state(expert_id)
    if after != before:
        await audit.record("experts.update", "expert", expert_id, before, after)
    return await get(expert_id)


@requires(Perm.EXPERT_UPDATE_AVAILABILITY)
async def set_phone(actor: CurrentUser, expert_id: int, phone: str) -> dict:
    """The expert (or a provincial admin) keeps the number the draw calls."""
    await owned(actor, expert_id)
    phone = (phone or "").strip()
    problems = rules.field_problems(phone=phone)
    if problems:
        raise DomainError.many(problems)
    before = await state(expert_id)
    if before["phone"] != phone:
        await Expert.update({Expert.phone: phone, Expert.updated_at: datetime.now(UTC)}).where(
            Expert.id == expert_id
        )
        await audit.record("experts.set_phone", "expert", expert_id, before, await state(expert_id))
    return await get(expert_id)
