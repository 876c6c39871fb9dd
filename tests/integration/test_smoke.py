from tests.support import gql, login


async def test_demo_admin_logs_in_and_reads_me(client, demo):
    token = await login(client, "xn.admin")
    result = await gql(
        client, "{ me { user { username roles tenant { regionCode } } } }", token=token
    )
    assert result["data"]["me"]["user"] == {
        "username": "xn.admin",
        "roles": ["TENANT_ADMIN"],
        "tenant": {"regionCode": "441481"},
    }
