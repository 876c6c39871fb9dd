"""The resident ID number: the GB 11643 check, what it says, and how it is kept (digest, mask,
cipher) with keys derived from the deployment's secret."""

import re
from datetime import date

import pytest

from gpcloud.registries.experts.service import identity
from gpcloud.settings import get_settings
from tests.integration.registries.experts.conftest import id_number

TODAY = date(2026, 11, 26)
SECRET_A = "a" * 48
SECRET_B = "b" * 48


def test_a_valid_number_gives_birth_date_and_gender():
    male = identity.parse_id_number(
        "441481198203150017"[:17] + identity.id_check_char("44148119820315001"), TODAY
    )
    assert male.birth_date == date(1982, 3, 15) and male.gender == "male"
    female = identity.parse_id_number(id_number(date(1990, 1, 1), "441424", 2), TODAY)
    assert female.gender == "female" and female.birth_date == date(1990, 1, 1)


def test_lower_case_x_and_spaces_are_normalised():
    # 11010519491231002X is the standard's own example.
    parsed = identity.parse_id_number(" 11010519491231002x ", TODAY)
    assert parsed.number == "11010519491231002X"


@pytest.mark.parametrize(
    "value,message",
    [
        ("", "18 characters"),
        ("44148119820315001", "18 characters"),
        ("4414811982031500171", "18 characters"),
        ("44148119820315001A", "check digit (0-9 or X)"),
        ("４４1481198203150017", "check digit (0-9 or X)"),
        ("99148119820315001" + identity.id_check_char("99148119820315001"), "not a province code"),
        ("44148119820230001" + identity.id_check_char("44148119820230001"), "not a birth date"),
        (
            "44148118990101001" + identity.id_check_char("44148118990101001"),
            "not a possible birth date",
        ),
        (
            "44148120270101001" + identity.id_check_char("44148120270101001"),
            "not a possible birth date",
        ),
    ],
)
def test_bad_numbers_are_refused_with_the_reason(value, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        identity.parse_id_number(value, TODAY)


def test_a_wrong_check_digit_is_refused():
    good = id_number(date(1975, 6, 12))
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    identity.parse_id_number(good, TODAY)
    with pytest.raises(ValueError, match="check digit does not match"):
        identity.parse_id_number(wrong, TODAY)


def test_mask_keeps_area_and_last_four():
    assert identity.mask("44148119820315123X") == "441481********123X"


def test_digest_is_keyed_stable_and_changes_with_the_secret_key():
    number = id_number(date(1975, 6, 12))
    assert identity.digest(number, SECRET_A) == identity.digest(number, SECRET_A)
    assert identity.digest(number, SECRET_A) != identity.digest(number, SECRET_B)
    assert identity.digest(number, SECRET_A) != identity.digest(
        id_number(date(1975, 6, 13)), SECRET_A
    )
    assert (
        number not in identity.digest(number, SECRET_A)
        and len(identity.digest(number, SECRET_A)) == 64
    )
    # The deployment's key is the default.
    assert identity.digest(number) == identity.digest(number, get_settings().secret_key)


def test_the_cipher_roundtrips_only_under_its_key_and_detects_tampering():
    number = id_number(date(1975, 6, 12))
    sealed = identity.seal(number, SECRET_A)
    assert number not in sealed and sealed.startswith("v1.")
    assert identity.seal(number, SECRET_A) != sealed  # a fresh nonce each time
    assert identity.unseal(sealed, SECRET_A) == number
    with pytest.raises(ValueError):
        identity.unseal(sealed, SECRET_B)
    # A character in the middle: the last ones may only carry base64 padding bits.
    raw = bytearray(sealed.encode())
    middle = len(raw) // 2
    raw[middle] = ord("A") if raw[middle] != ord("A") else ord("B")
    with pytest.raises(ValueError):
        identity.unseal(raw.decode(), SECRET_A)
    with pytest.raises(ValueError):
        identity.unseal("plain text", SECRET_A)
