"""One spelling of roles (issue 21 item 8): what the API returns is what messages, the CLI and
docs say."""

import re
from pathlib import Path

from gpcloud.core.auth.roles import ROLES, spelled
from tests.support import gql, login

ROOT = Path(__file__).resolve().parents[3]


async def test_messages_spell_roles_as_the_api_does(client, demo):
    admin = await login(client, "xn.admin")
    me = await gql(client, "{ me { user { roles } } }", token=admin)
    assert me["data"]["me"]["user"]["roles"] == ["TENANT_ADMIN"]
    purchaser = await login(client, "xn.purchaser")
    refused = await gql(
        client, "{ users(first: 5) { edges { node { username } } } }", token=purchaser
    )
    message = refused["errors"][0]["message"]
    held = message.split("（拥有该权限的角色：", 1)[1].rstrip("）").split(", ")
    assert "TENANT_ADMIN" in held and all(role == role.upper() for role in held), message


def test_docs_and_cli_spell_roles_as_the_api_does():
    body = re.search(r"enum Role \{([^}]*)\}", (ROOT / "schema.graphql").read_text()).group(1)
    api = set(re.findall(r"^\s*([A-Z_]+)\s*$", body, re.M))  # the values, not their descriptions
    assert api == {spelled(r) for r in ROLES}
    for doc in ("README.md", "docs/permissions.md"):
        text = (ROOT / doc).read_text(encoding="utf-8")
        # A role in lower case; not a permission named after one (financial_institution.register).
        found = re.search(r"\b(province_admin|tenant_admin|financial_institution)\b(?!\.)", text)
        assert not found, doc
