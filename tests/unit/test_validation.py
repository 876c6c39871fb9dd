import pytest

from gpcloud.core.validation import is_email, is_phone, is_uscc, is_username, uscc_check_char

# Published codes, checked independently of uscc_check_char.
REAL_USCC = ["91350100M000100Y43", "914403001922038216", "91440300708461136T"]


def uscc(first17: str) -> str:
    return first17 + uscc_check_char(first17)


@pytest.mark.parametrize("code", REAL_USCC + [uscc("91441481MA4W00000"), uscc("12440000MB2C12345")])
def test_valid_uscc(code):
    assert is_uscc(code)


def test_check_char_matches_published_codes():
    for code in REAL_USCC:
        assert uscc_check_char(code[:17]) == code[17]


@pytest.mark.parametrize("code", REAL_USCC)
def test_uscc_with_any_other_check_char_is_rejected(code):
    for other in "0123456789ABCDEFGHJKLMNPQRTUWXY":
        if other != code[17]:
            assert not is_uscc(code[:17] + other), other


@pytest.mark.parametrize("letter", list("IOSVZ"))
def test_uscc_forbidden_letters(letter):
    code = REAL_USCC[0]
    assert not is_uscc(code[:8] + letter + code[9:])
    assert not is_uscc(code[:17] + letter)


@pytest.mark.parametrize(
    "code",
    [
        "91350100m000100y43",
        "91350100M000100y43",
        REAL_USCC[0][:17],
        REAL_USCC[0] + "0",
        "",
        " " + REAL_USCC[0][1:],
    ],
)
def test_uscc_malformed(code):
    assert not is_uscc(code)


@pytest.mark.parametrize(
    "value",
    [
        "13800138000",
        "19912345678",
        "0753-3263280",
        "07533263280",
        "020-12345678",
        "0753-3263280-123",
    ],
)
def test_valid_phone(value):
    assert is_phone(value)


@pytest.mark.parametrize(
    "value",
    [
        "12345",
        "2138000000",
        "12800138000",
        "1380013800",
        "138001380001",
        "1380013800a",
        "abcdefghijk",
        "0753-326328",
        "0753-3263280-",
        "0753 3263280",
        "",
    ],
)
def test_invalid_phone(value):
    assert not is_phone(value)


@pytest.mark.parametrize("value", ["zhang.san@gd.gov.cn", "a+b@example.com", "x@mail-1.example.cn"])
def test_valid_email(value):
    assert is_email(value)


@pytest.mark.parametrize(
    "value",
    [
        "no-at-sign",
        "a@b",
        "a b@c.com",
        "@c.com",
        "a@@b.com",
        "a@b_c.com",
        "a@.com",
        "x" * 65 + "@b.com",
        "a@" + "b" * 130 + ".com",
        "",
    ],
)
def test_invalid_email(value):
    assert not is_email(value)


@pytest.mark.parametrize("value", ["abc", "xn.admin", "1user", "Zhang_San-1", "a" * 64])
def test_valid_username(value):
    assert is_username(value)


@pytest.mark.parametrize(
    "value", ["ab", "a" * 65, ".abc", "_abc", "-abc", "ab c", "张三abc", "a@b.c", ""]
)
def test_invalid_username(value):
    assert not is_username(value)


@pytest.mark.parametrize(
    "check, value",
    [
        (is_phone, "13800138000\n"),
        (is_phone, "0753-3263280\n"),
        (is_email, "a@b.com\n"),
        (is_username, "abc\n"),
        (is_phone, "13８００１３８０００"),
    ],
)
def test_trailing_newline_and_non_ascii_digits_are_rejected(check, value):
    assert not check(value)
