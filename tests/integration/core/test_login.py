"""Login, tokens, throttling and the first-login rule, through the GraphQL API."""

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from gpcloud.core.auth.tables import User
from gpcloud.core.auth.tokens import issue_token
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.core.tenancy.tables import Tenant
from gpcloud.settings import get_settings
from tests.support import LOGIN, error_codes, gql, login

ME = "{ me { user { username } firstLoginPending } }"


async def login_errors(client, username, password):
    result = await gql(client, LOGIN, {"username": username, "password": password})
    payload = result["data"]["login"]
    assert payload["token"] is None
    return [e["code"] for e in payload["errors"]]


async def user_row(username: str) -> dict:
    with all_tenants("test: read an account"):
        return await User.select().where(User.username == username).first()


async def test_login_returns_a_working_token(client, demo):
    result = await gql(client, LOGIN, {"username": " XN.Admin ", "password": "Gpcloud#2021"})
    payload = result["data"]["login"]
    assert payload["errors"] == []
    assert payload["me"]["user"]["username"] == "xn.admin"
    expires = datetime.fromisoformat(payload["expiresAt"])
    assert timedelta(minutes=470) < expires - datetime.now(UTC) <= timedelta(minutes=480)
    me = await gql(client, ME, token=payload["token"])
    assert me["data"]["me"] == {"user": {"username": "xn.admin"}, "firstLoginPending": False}
    assert (await user_row("xn.admin"))["last_login_at"] is not None


@pytest.mark.parametrize(
    "username,password",
    [
        ("xn.admin", "wrong-Password1"),
        ("nobody.here", "Gpcloud#2021"),
        ("", "x"),
        ("xn.admin", ""),
        ("xn.admin", "A" * 5000),
    ],
)
async def test_bad_credentials_are_refused_alike(client, demo, username, password):
    assert await login_errors(client, username, password) == ["INVALID_CREDENTIALS"]


async def test_repeated_failures_lock_the_login_name(client, demo):
    limit = get_settings().login_max_failures
    for _ in range(limit):
        assert await login_errors(client, "xn.purchaser", "Wrong#pass1") == ["INVALID_CREDENTIALS"]
    # Locked: even the right password is refused now, and other accounts still work.
    assert await login_errors(client, "xn.purchaser", "Gpcloud#2021") == ["TOO_MANY_ATTEMPTS"]
    assert await login(client, "xn.admin")


async def test_disabled_account_and_inactive_tenant_cannot_log_in(client, demo):
    with all_tenants("test: disable an account"):
        await User.update({User.status: "disabled"}).where(User.username == "xn.supplier")
    assert await login_errors(client, "xn.supplier", "Gpcloud#2021") == ["ACCOUNT_DISABLED"]
    await Tenant.update({Tenant.status: "retired"}).where(Tenant.region_code == "441481")
    from gpcloud.core.tenancy.service import invalidate_tree

    invalidate_tree()
    assert await login_errors(client, "xn.admin", "Gpcloud#2021") == ["TENANT_NOT_ACTIVE"]


async def test_expired_forged_and_revoked_tokens(client, demo):
    row = await user_row("xn.admin")
    expired, _ = issue_token(
        row["id"], "441481", row["token_version"], now=datetime.now(UTC) - timedelta(days=2)
    )
    forged = jwt.encode(
        {
            "iss": "gpcloud",
            "sub": str(row["id"]),
            "ten": "441481",
            "ver": 0,
            "exp": int((datetime.now(UTC) + timedelta(hours=1)).timestamp()),
        },
        "not-the-secret-but-long-enough-for-hs256",
        algorithm="HS256",
    )
    other_tenant, _ = issue_token(row["id"], "441400", row["token_version"])
    assert error_codes(await gql(client, ME, token=expired)) == ["TOKEN_EXPIRED"]
    assert error_codes(await gql(client, ME, token=forged)) == ["TOKEN_INVALID"]
    assert error_codes(await gql(client, ME, token="abc.def.ghi")) == ["TOKEN_INVALID"]
    assert error_codes(await gql(client, ME, token=other_tenant)) == ["TOKEN_REVOKED"]
    assert error_codes(await gql(client, ME)) == ["UNAUTHENTICATED"]


CHANGE = """
mutation($current: String!, $new: String!) {
  changePassword(currentPassword: $current, newPassword: $new) {
    token me { mustChangePassword firstLoginPending missingProfileFields }
    errors { field code }
  }
}
"""
PROFILE = """
mutation($input: ProfileInput!) {
  completeProfile(input: $input) {
    me { firstLoginPending missingProfileFields user { displayName mobile email organisation { uscc } } }
    errors { field code }
  }
}
"""


async def test_first_login_rule(client, demo):
    """The seed: a new or migrated account must change its password and complete its profile
    before it can do anything else."""
    token = await login(client, "xn.newclerk")
    me = await gql(
        client, "{ me { firstLoginPending mustChangePassword missingProfileFields } }", token=token
    )
    assert me["data"]["me"] == {
        "firstLoginPending": True,
        "mustChangePassword": True,
        "missingProfileFields": ["DISPLAY_NAME", "MOBILE", "EMAIL"],
    }
    for query in ("{ jobs { edges { node { id } } } }", "{ users { edges { node { id } } } }"):
        assert error_codes(await gql(client, query, token=token)) == ["FIRST_LOGIN_REQUIRED"]

    weak = await gql(client, CHANGE, {"current": "Gpcloud#2021", "new": "short"}, token=token)
    assert weak["data"]["changePassword"]["errors"] == [
        {"field": "newPassword", "code": "PASSWORD_TOO_WEAK"}
    ]
    same = await gql(
        client, CHANGE, {"current": "Gpcloud#2021", "new": "Gpcloud#2021"}, token=token
    )
    assert [e["code"] for e in same["data"]["changePassword"]["errors"]] == ["PASSWORD_REUSED"]
    wrong = await gql(client, CHANGE, {"current": "nope", "new": "Xn-clerk-2026"}, token=token)
    assert [e["code"] for e in wrong["data"]["changePassword"]["errors"]] == ["INVALID_CREDENTIALS"]

    changed = (
        await gql(client, CHANGE, {"current": "Gpcloud#2021", "new": "Xn-clerk-2026"}, token=token)
    )["data"]["changePassword"]
    assert changed["errors"] == []
    assert changed["me"]["mustChangePassword"] is False
    assert changed["me"]["firstLoginPending"] is True  # profile still incomplete
    assert error_codes(await gql(client, ME, token=token)) == ["TOKEN_REVOKED"]
    token = changed["token"]

    bad = await gql(client, PROFILE, {"input": {"mobile": "12345", "email": "no-at"}}, token=token)
    assert {e["code"] for e in bad["data"]["completeProfile"]["errors"]} == {
        "INVALID_PHONE",
        "INVALID_EMAIL",
    }

    done = (
        await gql(
            client,
            PROFILE,
            {
                "input": {
                    "displayName": "宁新街道采购经办",
                    "mobile": "0753-3263280",
                    "email": "clerk@demo.example.com",
                }
            },
            token=token,
        )
    )["data"]["completeProfile"]
    assert done["errors"] == []
    assert done["me"]["firstLoginPending"] is False
    assert done["me"]["missingProfileFields"] == []
    assert done["me"]["user"]["organisation"] == {"uscc": None}  # the purchaser registry's
    assert (await gql(client, "{ jobs { edges { node { id } } } }", token=token))["data"]["jobs"][
        "edges"
    ] == []
    assert await login_errors(client, "xn.newclerk", "Gpcloud#2021") == ["INVALID_CREDENTIALS"]
    assert await login(client, "xn.newclerk", "Xn-clerk-2026")
