"""Demo experts: about thirty obviously synthetic people (示例专家01...) in Meizhou and Xingning.

ID numbers are fictional (Meizhou area codes, birth years 1960-1990) with a valid check digit;
phone numbers are placeholders. Specialties are codes of the goods registry's shipped catalogue
(seed it first). Every candidate meets the entry rules (the demo holds only valid data: a
newcomer's first lines are not warnings about it); a few experts are on leave around today. mz.expert and xn.expert speak for 示例专家01 and 示例专家02.
Idempotent: experts already registered (by ID number) and linked accounts are left alone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from gpcloud.core.audit import service as audit
from gpcloud.core.auth.tables import User
from gpcloud.core.clock import today
from gpcloud.core.db import transaction
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.registries.experts.service import identity, rules
from gpcloud.registries.experts.service.experts import state
from gpcloud.registries.experts.tables import Expert, ExpertLeave, ExpertRegion, ExpertSpecialty

log = logging.getLogger(__name__)

AREAS = ("441402", "441403", "441422", "441423", "441424", "441426", "441427", "441481")
TITLES = {
    "senior": ("教授", "主任医师", "正高级工程师", "正高级会计师"),
    "deputy_senior": ("副教授", "副主任医师", "高级工程师", "高级会计师"),
    "intermediate": ("讲师", "主治医师", "工程师", "会计师"),
}
EMPLOYERS = (
    ("嘉应学院", "12441400MB2C90009"),
    ("兴宁市人民医院", "12441481MB2C90014"),
    ("梅州市示例建筑设计研究院有限公司", None),
    ("兴宁市示例会计师事务所（普通合伙）", None),
    ("梅州市示例信息技术服务中心", None),
)
# Specialty sets: the first code is primary.
SPECIALTIES = (
    ("A020101", "C0202"),
    ("A0320", "A032005", "C0506"),
    ("B0101", "B06", "C1004"),
    ("C0802", "C0803"),
    ("A0201", "C0204", "C0207"),
    ("A06", "A0602"),
    ("A02010104", "A02010105"),
    ("C1204", "C120601"),
)
REGIONS = (("441400",), ("441481",), ("440000",), ("441400", "441481"))


@dataclass(frozen=True)
class DemoExpert:
    name: str
    id_number: str
    title_level: str
    title: str
    years: int
    employer: str
    employer_uscc: str | None
    phone: str
    specialties: tuple[str, ...]
    regions: tuple[str, ...]
    on_leave: bool = False


def _id_number(area: str, birth: date, sequence: int) -> str:
    first17 = f"{area}{birth:%Y%m%d}{sequence:03d}"
    return first17 + identity.id_check_char(first17)


def _experts() -> list[DemoExpert]:
    made = []
    levels = tuple(TITLES)
    for i in range(1, 31):
        level = levels[i % 3]
        birth = date(1960 + (i * 7) % 31, 1 + i % 12, 1 + (i * 3) % 28)
        employer, uscc = EMPLOYERS[i % len(EMPLOYERS)]
        if i == 1:
            employer, uscc = EMPLOYERS[0]
        elif i == 2:
            employer, uscc = EMPLOYERS[1]
        made.append(
            DemoExpert(
                name=f"示例专家{i:02d}",
                id_number=_id_number(AREAS[i % len(AREAS)], birth, 100 + i),
                title_level=level,
                title=TITLES[level][i % 4],
                years=8 + i % 20 if level == "intermediate" else 5 + i % 25,
                employer=employer,
                employer_uscc=uscc,
                phone=f"1380000{i:04d}",
                specialties=SPECIALTIES[(i - 1) % len(SPECIALTIES)],
                regions=REGIONS[i % len(REGIONS)],
                on_leave=i in (5, 12, 19),
            )
        )
    return made


EXPERTS = _experts()
ACCOUNTS = {"mz.expert": "示例专家01", "xn.expert": "示例专家02"}


async def seed() -> None:
    """Register the demo experts that are missing and link the demo expert accounts."""
    on = today()
    with all_tenants("demo seed: the provincial expert pool"):
        async with transaction():
            ids: dict[str, int] = {}
            for demo in EXPERTS:
                number = identity.parse_id_number(demo.id_number, on)
                digest = identity.digest(number.number)
                row = (
                    await Expert.select(Expert.id).where(Expert.id_number_digest == digest).first()
                )
                if row is not None:
                    ids[demo.name] = row["id"]
                    continue
                problems = rules.entry_problems(
                    demo.title_level, demo.years, number.birth_date, None, on
                )
                if problems:  # only when the clock has run decades past the demo's birth years
                    log.debug(
                        "demo expert %s left out on %s: %s",
                        demo.name,
                        on,
                        "; ".join(p.message for p in problems),
                    )
                    continue
                ids[demo.name] = await _register(demo, number, digest, on)
            for username, name in ACCOUNTS.items():
                await _link(username, ids.get(name))


async def _register(demo: DemoExpert, number: identity.IdNumber, digest: str, on: date) -> int:
    expert = Expert(
        name=demo.name,
        id_number_digest=digest,
        id_number_masked=identity.mask(number.number),
        id_number_cipher=identity.seal(number.number),
        birth_date=number.birth_date,
        gender=number.gender,
        title_level=demo.title_level,
        title=demo.title,
        years_of_experience=demo.years,
        employer=demo.employer,
        employer_uscc=demo.employer_uscc,
        phone=demo.phone,
        status="active",
    )
    await expert.save()
    await ExpertSpecialty.insert(
        *(
            ExpertSpecialty(expert=expert.id, category_code=c, primary=i == 0)
            for i, c in enumerate(demo.specialties)
        )
    )
    await ExpertRegion.insert(*(ExpertRegion(expert=expert.id, region=r) for r in demo.regions))
    if demo.on_leave:
        await ExpertLeave.insert(
            ExpertLeave(
                expert=expert.id,
                start_date=on - timedelta(days=2),
                end_date=on + timedelta(days=12),
                reason="出差",
            )
        )
    await audit.record(
        "experts.register",
        "expert",
        expert.id,
        None,
        await state(expert.id),
        tenant="440000",
        actor="demo seed",
    )
    return expert.id


async def _link(username: str, expert_id: int | None) -> None:
    if expert_id is None:
        return
    user = await User.select(User.id).where(User.username == username).first()
    if user is None or await Expert.exists().where(Expert.user_id == user["id"]):
        return
    if await Expert.exists().where((Expert.id == expert_id) & Expert.user_id.is_not_null()):
        return
    before = await state(expert_id)
    await Expert.update({Expert.user_id: user["id"]}).where(Expert.id == expert_id)
    await audit.record(
        "experts.link_account",
        "expert",
        expert_id,
        before,
        await state(expert_id),
        tenant="440000",
        actor="demo seed",
    )
