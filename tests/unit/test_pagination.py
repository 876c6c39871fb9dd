import base64

import pytest

from gpcloud.core.auth.tables import Organisation
from gpcloud.core.errors import DomainError
from gpcloud.core.pagination import (
    DEFAULT_PAGE_SIZE,
    check_page_size,
    decode_cursor,
    encode_cursor,
    keyset_page,
)
from gpcloud.settings import get_settings


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


@pytest.mark.parametrize("value", [0, 1, 20, 2**31 - 1])
def test_cursor_roundtrip(value):
    cursor = encode_cursor(value)
    assert "=" not in cursor and str(value) not in cursor
    assert decode_cursor(cursor) == value


@pytest.mark.parametrize(
    "cursor",
    ["!!!", "é", "", "%%%%", b64("hello"), b64("x:5"), b64("k:abc"), b64("k:"), b64("k:1.5")],
)
def test_bad_cursor(cursor):
    with pytest.raises(DomainError) as info:
        decode_cursor(cursor)
    assert info.value.code == "INVALID_CURSOR"
    assert info.value.problems[0].field == "after"


def test_page_size_default():
    assert DEFAULT_PAGE_SIZE == 20
    assert check_page_size(None) == 20


@pytest.mark.parametrize("first, code", [(0, "INVALID_PAGE_SIZE"), (-1, "INVALID_PAGE_SIZE")])
def test_page_size_too_small(first, code):
    with pytest.raises(DomainError) as info:
        check_page_size(first)
    assert (info.value.code, info.value.problems[0].field) == (code, "first")


def test_page_size_limit():
    limit = get_settings().max_page_size
    assert limit == 100
    assert check_page_size(limit) == limit
    assert check_page_size(1) == 1
    with pytest.raises(DomainError, match=f"at most {limit}") as info:
        check_page_size(limit + 1)
    assert info.value.code == "PAGE_SIZE_TOO_LARGE"


@pytest.mark.parametrize("key", [2**31, 2**70, -1])
async def test_out_of_range_cursor_is_an_invalid_cursor(key):
    with pytest.raises(DomainError) as info:
        await keyset_page(Organisation.select(), Organisation.id, 5, encode_cursor(key))
    assert info.value.code == "INVALID_CURSOR"
