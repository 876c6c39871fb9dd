"""Entry rules and field checks (RULES.md "Experts": Caiku [2016] 198; Guangdong Caicaigou [2020] 17).

Shared by the API and the import, so a migrated expert meets the same rules as a new one.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from gpcloud.core.errors import Problem
from gpcloud.core.validation import is_phone, is_uscc
from gpcloud.registries.experts.tables import TITLE_LEVELS

MAX_AGE = 70  # experts must be under 70
MIN_YEARS_INTERMEDIATE = 8  # a mid-level title needs 8 years; a (deputy) senior title none
BAD_RECORD_YEARS = 3  # no bad record in the last 3 years
AVOIDANCE_YEARS = 3  # a relation within 3 years before the evaluation means recusal
MAX_SPECIALTIES = 20
MAX_REGIONS = 30
MAX_YEARS = 60
CATEGORY = re.compile(r"[ABC](?:[0-9]{2}){0,7}")
REGION = re.compile(r"[0-9]{6}")


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year + years, day=28)


def age_on(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def bad_record_until(recorded_on: date) -> date:
    """The last day a bad record recorded on `recorded_on` bars the expert."""
    return add_years(recorded_on, BAD_RECORD_YEARS) - timedelta(days=1)


def qualification_problems(title_level: str, years: int) -> list[Problem]:
    if title_level == "intermediate" and years < MIN_YEARS_INTERMEDIATE:
        return [
            Problem(
                "EXPERT_NOT_QUALIFIED",
                f"a mid-level title needs at least {MIN_YEARS_INTERMEDIATE} years of experience"
                " (a senior or deputy senior title needs none)",
                "yearsOfExperience",
            )
        ]
    return []


def age_problems(birth: date, on: date) -> list[Problem]:
    age = age_on(birth, on)
    if age >= MAX_AGE:
        return [
            Problem(
                "EXPERT_TOO_OLD", f"experts must be under {MAX_AGE}; this one is {age}", "idNumber"
            )
        ]
    return []


def bad_record_problems(until: date | None, on: date) -> list[Problem]:
    if until is not None and until >= on:
        return [
            Problem(
                "EXPERT_BAD_RECORD",
                f"a bad record in the last {BAD_RECORD_YEARS} years bars entry until {until.isoformat()}",
                "badRecordOn",
            )
        ]
    return []


def entry_problems(
    title_level: str, years: int, birth: date, until: date | None, on: date
) -> list[Problem]:
    """Everything that keeps an expert out of the active pool on `on`."""
    return (
        qualification_problems(title_level, years)
        + age_problems(birth, on)
        + bad_record_problems(until, on)
    )


def normalise_codes(
    codes: list[str] | None, pattern: re.Pattern, field: str, noun: str, unknown: str, limit: int
) -> tuple[list[str], list[Problem]]:
    """Trimmed, upper-cased, de-duplicated in order (the first stays first), format-checked."""
    seen: list[str] = []
    for code in codes or []:
        code = (code or "").strip().upper()
        if code and code not in seen:
            seen.append(code)
    if not seen:
        return [], [Problem(f"{field.upper()}_REQUIRED", f"give at least one {noun}", field)]
    if len(seen) > limit:
        return seen, [Problem(f"TOO_MANY_{field.upper()}", f"at most {limit}", field)]
    bad = [c for c in seen if not pattern.fullmatch(c)]
    if bad:
        return seen, [Problem(unknown, f"not a {noun} code: {', '.join(bad[:10])}", field)]
    return seen, []


def field_problems(
    name: str | None = None,
    title: str | None = None,
    years: int | None = None,
    employer: str | None = None,
    employer_uscc: str | None = None,
    phone: str | None = None,
    title_level: str | None = None,
) -> list[Problem]:
    """Format checks; None means "not given" (not checked)."""
    problems = []
    if name is not None and not 2 <= len(name) <= 64:
        problems.append(Problem("INVALID_NAME", "must be 2 to 64 characters", "name"))
    if title_level is not None and title_level not in TITLE_LEVELS:
        problems.append(
            Problem("INVALID_TITLE_LEVEL", f"one of {', '.join(TITLE_LEVELS)}", "titleLevel")
        )
    if title is not None and len(title) > 64:
        problems.append(Problem("INVALID_TITLE", "at most 64 characters", "title"))
    if years is not None and not 0 <= years <= MAX_YEARS:
        problems.append(Problem("INVALID_YEARS", f"0 to {MAX_YEARS} years", "yearsOfExperience"))
    if employer is not None and len(employer) > 128:
        problems.append(Problem("INVALID_EMPLOYER", "at most 128 characters", "employer"))
    if employer_uscc and not is_uscc(employer_uscc):
        problems.append(
            Problem("INVALID_USCC", "not a valid unified social credit code", "employerUscc")
        )
    if phone and not is_phone(phone):
        problems.append(Problem("INVALID_PHONE", "not a mobile or landline number", "phone"))
    return problems
