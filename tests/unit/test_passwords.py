import pytest
from argon2 import PasswordHasher

from gpcloud.core.auth.passwords import (
    generate_password,
    hash_password,
    needs_rehash,
    policy_problems,
    verify_password,
)


@pytest.mark.parametrize(
    "password, reason",
    [
        ("Ab1!xyz", "8 to 128"),
        ("", "8 to 128"),
        ("Ab1!" * 32 + "x", "8 to 128"),
        ("abcdefgh12", "at least three"),
        ("ABCDEFGH!!", "at least three"),
        ("abcdefghij", "at least three"),
        ("密码密码密码密码1a", "at least three"),
        ("xxZHANG.SAN2024!", "login name"),
        ("zhang.san#2024", "login name"),
    ],
)
def test_weak_passwords(password, reason):
    problems = policy_problems(password, "Zhang.San", field="password")
    assert len(problems) == 1
    assert problems[0].code == "PASSWORD_TOO_WEAK"
    assert problems[0].field == "password"
    assert reason in problems[0].message


def test_default_field_is_new_password():
    assert policy_problems("short", "u")[0].field == "newPassword"


@pytest.mark.parametrize(
    "password", ["abcdefG1", "abcdefg1!", "ABCDEFG1!", "abcdefgH!", "Ab1!" * 32, "Zhang-2024!"]
)
def test_good_passwords(password):
    assert policy_problems(password, "zhang.san") == []


def test_generated_passwords_pass_the_policy_and_differ():
    generated = [generate_password() for _ in range(200)]
    for password in generated:
        assert policy_problems(password, "someone") == [], password
    assert len(set(generated)) == 200


async def test_hash_and_verify_roundtrip():
    hashed = await hash_password("Correct-Horse-1")
    assert hashed.startswith("$argon2id$") and "Correct-Horse-1" not in hashed
    assert await verify_password(hashed, "Correct-Horse-1") is True
    assert await verify_password(hashed, "correct-horse-1") is False
    assert await hash_password("Correct-Horse-1") != hashed  # salted


@pytest.mark.parametrize(
    "garbage", ["", "garbage", "$argon2id$v=19$m=1024,t=1,p=1$abc$def", "$2b$12$abc"]
)
async def test_garbage_hash_is_false_not_an_exception(garbage):
    assert await verify_password(garbage, "whatever") is False


async def test_non_ascii_garbage_hash_is_false():
    assert await verify_password("密码哈希", "whatever") is False


async def test_needs_rehash_only_when_the_cost_differs():
    assert needs_rehash(await hash_password("Some-Password-1")) is False
    other_cost = PasswordHasher(time_cost=7, memory_cost=2048).hash("Some-Password-1")
    assert needs_rehash(other_cost) is True
