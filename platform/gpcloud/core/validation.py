"""Format checks for identifiers real users type: one place for each rule."""

from __future__ import annotations

import re
from operator import mul

from gpcloud.core.errors import Problem

# GB 32100-2015 unified social credit code: 18 characters from this alphabet, last one a check.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# Used with fullmatch and ASCII classes: no trailing newline, no full-width digits.
MOBILE = re.compile(r"1[3-9][0-9]{9}")
LANDLINE = re.compile(r"0[0-9]{2,3}-?[0-9]{7,8}(-[0-9]{1,6})?")
EMAIL = re.compile(r"[^@\s]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{2,63}")


USCC_VALUE = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
USCC_CHARS = frozenset(USCC_ALPHABET)


def uscc_check_char(first17: str) -> str:
    total = sum(map(mul, map(USCC_VALUE.__getitem__, first17), USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def is_uscc(code: str) -> bool:
    """Checked for every row of a 200k-row supplier file: kept to C-level loops."""
    if len(code) != 18 or not USCC_CHARS.issuperset(code):
        return False
    return uscc_check_char(code[:17]) == code[17]


def is_phone(value: str) -> bool:
    """A mainland mobile number or a landline with area code (e.g. 0753-3263280)."""
    return bool(MOBILE.fullmatch(value) or LANDLINE.fullmatch(value))


def is_email(value: str) -> bool:
    return len(value) <= 128 and bool(EMAIL.fullmatch(value))


def is_username(value: str) -> bool:
    return bool(USERNAME.fullmatch(value))


def contact_problems(mobile: str | None, email: str | None) -> list[Problem]:
    problems = []
    if mobile and not is_phone(mobile):
        problems.append(Problem("INVALID_PHONE", "not a mobile or landline number", "mobile"))
    if email and not is_email(email):
        problems.append(Problem("INVALID_EMAIL", "not an e-mail address", "email"))
    return problems
