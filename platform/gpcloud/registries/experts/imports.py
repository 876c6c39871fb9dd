"""The old expert pool's file: one expert per row, keyed by the resident ID number.

Upserts by the number's keyed digest; the number itself is never stored in clear nor written to
the audit log (the batch entry digests the rows with the number masked). Migrated experts are
active unless the file says otherwise, and an expert entering (or staying in) the active or
pending pool must meet the entry rules; a row marked invalid (无效) is reported, not migrated.
A blank optional cell keeps what is registered.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from gpcloud.core.auth.permissions import Perm
from gpcloud.core.clock import today
from gpcloud.core.db import any_of, bulk_insert
from gpcloud.core.imports import columns as p
from gpcloud.core.imports.spec import Column, ImportRow, ImportSpec, reason
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.registries.experts.service import identity, rules
from gpcloud.registries.experts.tables import Expert, ExpertRegion, ExpertSpecialty
from gpcloud.registries.goods import service as goods

SEPARATORS = re.compile(r"[;；,，、\s]+")
SCALARS = (
    "name",
    "title_level",
    "title",
    "years_of_experience",
    "employer",
    "employer_uscc",
    "phone",
    "status",
)


def _id_number(value: str) -> str:
    return identity.parse_id_number(value, today()).number


def _name(value: str) -> str:
    if not 2 <= len(value) <= 64:
        raise ValueError("2 to 64 characters")
    return value


def _years(value: str) -> int:
    years = p.count(value)
    if years > rules.MAX_YEARS:
        raise ValueError(f"at most {rules.MAX_YEARS}")
    return years


def _codes(pattern: re.Pattern, noun: str, limit: int):
    def parse(value: str) -> list[str]:
        codes: list[str] = []
        for code in SEPARATORS.split(value.upper()):
            if code and code not in codes:
                codes.append(code)
        bad = [c for c in codes if not pattern.fullmatch(c)]
        if bad:
            raise ValueError(f"not {noun} codes: {', '.join(bad[:10])}")
        if not codes:
            raise ValueError("required")
        if len(codes) > limit:
            raise ValueError(f"at most {limit}")
        return codes

    return parse


TITLE_LEVEL = p.choice(
    {
        "senior": "senior",
        "正高级": "senior",
        "正高": "senior",
        "deputy_senior": "deputy_senior",
        "副高级": "deputy_senior",
        "副高": "deputy_senior",
        "intermediate": "intermediate",
        "中级": "intermediate",
    }
)
STATUS = p.choice(
    {
        "active": "active",
        "正常": "active",
        "有效": "active",
        "pending": "pending",
        "待审核": "pending",
        "suspended": "suspended",
        "暂停": "suspended",
        "冻结": "suspended",
        "retired": "retired",
        "退出": "retired",
        "已退出": "retired",
        "invalid": "invalid",
        "无效": "invalid",
        "已失效": "invalid",
    }
)

COLUMNS = (
    Column(
        "id_number",
        "身份证号码",
        True,
        _id_number,
        "441402197506120034",
        "居民身份证号码: 18 characters, GB 11643 check digit; identifies the expert",
    ),
    Column("name", "姓名", True, _name, "示例专家甲"),
    Column(
        "title_level",
        "职称级别",
        True,
        TITLE_LEVEL,
        "正高级",
        "senior 正高级 / deputy_senior 副高级 / intermediate 中级 (needs 8 years)",
    ),
    Column("title", "职称", False, p.text(64), "教授级高级工程师"),
    Column("years_of_experience", "从业年限", True, _years, "20"),
    Column("employer", "工作单位", False, p.text(128), "嘉应学院"),
    Column("employer_uscc", "单位统一社会信用代码", False, p.uscc, "12441400MB2C900097"),
    Column("phone", "联系电话", False, p.phone, "13800000000"),
    Column(
        "specialties",
        "评审专业",
        True,
        _codes(rules.CATEGORY, "catalogue", rules.MAX_SPECIALTIES),
        "A020101;C0202",
        "active catalogue codes separated by ';', the first is primary",
    ),
    Column(
        "regions",
        "服务区域",
        True,
        _codes(rules.REGION, "region", rules.MAX_REGIONS),
        "441400;441481",
        "region codes separated by ';' (a city covers its counties)",
    ),
    Column(
        "status",
        "状态",
        False,
        STATUS,
        "正常",
        "default active; invalid (无效) rows are reported, not migrated",
    ),
)


def _primary_and_set(codes: list[str]) -> tuple[str | None, frozenset[str]]:
    return (codes[0] if codes else None), frozenset(codes)


async def _existing(digests: list[str]) -> dict[str, dict]:
    rows = await Expert.select(
        Expert.id,
        Expert.id_number_digest,
        Expert.birth_date,
        Expert.bad_record_until,
        *(getattr(Expert, k) for k in SCALARS),
    ).where(any_of(Expert.id_number_digest, digests))
    found = {r["id_number_digest"]: {**r, "specialties": [], "regions": []} for r in rows}
    by_id = {r["id"]: r for r in found.values()}
    if by_id:
        for s in await ExpertSpecialty.select(
            ExpertSpecialty.expert, ExpertSpecialty.category_code, ExpertSpecialty.primary
        ).where(any_of(ExpertSpecialty.expert, list(by_id))):
            codes = by_id[s["expert"]]["specialties"]
            if s["primary"]:
                codes.insert(0, s["category_code"])
            else:
                codes.append(s["category_code"])
        for r in await ExpertRegion.select(ExpertRegion.expert, ExpertRegion.region).where(
            any_of(ExpertRegion.expert, list(by_id))
        ):
            by_id[r["expert"]]["regions"].append(r["region"])
    return found


def _reject_problems(row: ImportRow, problems) -> None:
    columns = {
        "yearsOfExperience": "years_of_experience",
        "idNumber": "id_number",
        "badRecordOn": "status",
    }
    for problem in problems:
        column = columns.get(problem.field, problem.field) or ""
        row.reject(reason(problem.code, problem.message, column, show_code=True))


async def apply_batch(rows: list[ImportRow], tenant: str) -> None:
    on = today()
    # From the cell each time (a batch may be retried row by row after values were masked).
    numbers = {id(r): identity.parse_id_number(r.raw["id_number"], on) for r in rows}
    digests = {id(r): identity.digest(numbers[id(r)].number) for r in rows}
    existing = await _existing(sorted(set(digests.values())))
    unknown = set(
        await goods.unknown_categories({c for r in rows for c in r.values["specialties"]})
    )
    tree = await tenant_tree()

    for row in rows:
        v, current = row.values, existing.get(digests[id(row)])
        bad = [c for c in v["specialties"] if c in unknown]
        if bad:
            row.reject(
                f"specialties: not active catalogue categories: {', '.join(bad)} (UNKNOWN_CATEGORY)"
            )
        bad = [c for c in v["regions"] if (node := tree.get(c)) is None or node.status != "active"]
        if bad:
            row.reject(f"regions: not regions on the platform: {', '.join(bad)} (UNKNOWN_REGION)")
        target = v["status"] or (current["status"] if current else "active")
        if row.ok and target in ("active", "pending"):
            _reject_problems(
                row,
                rules.entry_problems(
                    v["title_level"],
                    v["years_of_experience"],
                    numbers[id(row)].birth_date,
                    current["bad_record_until"] if current else None,
                    on,
                ),
            )

    now = datetime.now(UTC)
    new = [r for r in rows if r.ok and digests[id(r)] not in existing]
    if new:
        ids = await bulk_insert(Expert, [_expert(r, numbers[id(r)]) for r in new])
        for row, made in zip(new, ids, strict=True):
            row.outcome = "created"
            row.values["_id"] = made
        await bulk_insert(
            ExpertSpecialty,
            [
                {"expert": r.values["_id"], "category_code": c, "primary": i == 0}
                for r in new
                for i, c in enumerate(r.values["specialties"])
            ],
            returning=False,
        )
        await bulk_insert(
            ExpertRegion,
            [{"expert": r.values["_id"], "region": c} for r in new for c in r.values["regions"]],
            returning=False,
        )

    for row in rows:
        if not row.ok or row.outcome == "created":
            continue
        current = existing[digests[id(row)]]
        changes = {
            k: row.values[k]
            for k in SCALARS
            if row.values[k] is not None and row.values[k] != current[k]
        }
        if "status" in changes:
            changes["status_reason"] = "imported"
        if changes:
            await Expert.update({**changes, "updated_at": now}).where(Expert.id == current["id"])
        specialties = row.values["specialties"]
        if _primary_and_set(specialties) != _primary_and_set(current["specialties"]):
            await ExpertSpecialty.delete().where(ExpertSpecialty.expert == current["id"])
            await ExpertSpecialty.insert(
                *(
                    ExpertSpecialty(expert=current["id"], category_code=c, primary=i == 0)
                    for i, c in enumerate(specialties)
                )
            )
            changes["specialties"] = specialties
        if set(row.values["regions"]) != set(current["regions"]):
            await ExpertRegion.delete().where(ExpertRegion.expert == current["id"])
            await ExpertRegion.insert(
                *(ExpertRegion(expert=current["id"], region=c) for c in row.values["regions"])
            )
            changes["regions"] = row.values["regions"]
        row.values["_id"] = current["id"]
        row.outcome = "updated" if changes else "unchanged"

    # The audit entry of the batch digests the values: never with the number in clear.
    for row in rows:
        row.values["id_number"] = identity.mask(numbers[id(row)].number)


def _expert(row: ImportRow, number: identity.IdNumber) -> dict:
    v = row.values
    return {
        "name": v["name"],
        "id_number_digest": identity.digest(number.number),
        "id_number_masked": identity.mask(number.number),
        "id_number_cipher": identity.seal(number.number),
        "birth_date": number.birth_date,
        "gender": number.gender,
        "title_level": v["title_level"],
        "title": v["title"] or "",
        "years_of_experience": v["years_of_experience"],
        "employer": v["employer"] or "",
        "employer_uscc": v["employer_uscc"],
        "phone": v["phone"] or "",
        "status": v["status"] or "active",
        "status_reason": "imported" if (v["status"] or "active") != "active" else "",
    }


SPEC = ImportSpec(
    registry="experts",
    title="评审专家",
    columns=COLUMNS,
    key="id_number",
    apply_batch=apply_batch,
    permission=Perm.EXPERT_MANAGE,
    tenant_owned=False,
    invalid=lambda row: row.values["status"] == "invalid",
)
