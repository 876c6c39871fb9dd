"""Issue 11, finding 2: an admin creates and edits accounts only in organisations of its own
region, of the kind each role acts for, and only those its tenant keeps (a county admin once
made itself a Meizhou supplier's account and edited the supplier in its name)."""

from gpcloud.core.auth.tables import Organisation, User
from gpcloud.core.tenancy.scope import all_tenants
from tests.support import gql, login

CREATE = """mutation($input: CreateUserInput!) {
  createUser(input: $input) { user { id roles } oneTimePassword errors { field code } } }"""
UPDATE = """mutation($id: ID!, $input: UpdateUserInput!) {
  updateUser(id: $id, input: $input) { user { roles displayName } errors { field code } } }"""
RESET = "mutation($id: ID!) { resetPassword(id: $id) { oneTimePassword errors { field code } } }"

# One organisation of each kind, all registered in Xingning (441481) by the demo.
XINGNING = {
    "finance_bureau": "兴宁市财政局",
    "purchaser": "兴宁市第一中学",
    "agency": "兴宁市宁江工程咨询有限公司",
    "supplier": "兴宁市合水电子科技有限公司",
    "financial_institution": "兴宁市兴信融资担保有限公司",
    "other": "兴宁市人民医院",
}
# The specification, written out: the kind of organisation each role acts for (an expert's
# account sits in a neutral organisation; their employer is on their expert record) ...
ACTS_FOR = {
    "TENANT_ADMIN": "finance_bureau",
    "SUPERVISOR": "finance_bureau",
    "PURCHASER": "purchaser",
    "AGENCY": "agency",
    "SUPPLIER": "supplier",
    "EXPERT": "other",
    "FINANCIAL_INSTITUTION": "financial_institution",
}
# ... and the kinds a county keeps; the others are registered once for the province.
COUNTY_KEEPS = {"finance_bureau", "purchaser"}


async def org_id(name: str) -> str:
    row = await Organisation.select(Organisation.id).where(Organisation.name == name).first()
    return str(row["id"])


async def user_id(username: str) -> str:
    with all_tenants("test: an account's id"):
        return str((await User.select(User.id).where(User.username == username).first())["id"])


async def create(client, token, username, org, roles, tenant="441481") -> dict:
    values = {
        "tenant": tenant,
        "username": username,
        "organisationId": await org_id(org),
        "roles": roles,
    }
    return (await gql(client, CREATE, {"input": values}, token=token))["data"]["createUser"]


def outcome(payload: dict) -> str | frozenset[str]:
    return "ok" if not payload["errors"] else frozenset(e["code"] for e in payload["errors"])


def expected(kind: str, role: str, province: bool) -> str | frozenset[str]:
    if not province and kind not in COUNTY_KEEPS:
        return frozenset({"FORBIDDEN_ORGANISATION"})
    return "ok" if ACTS_FOR[role] == kind else frozenset({"ROLE_NOT_FOR_ORGANISATION"})


async def test_create_user_every_organisation_kind_against_every_role(client, demo):
    for admin, province in (("gd.admin", True), ("xn.admin", False)):
        token = await login(client, admin)
        found, wanted = {}, {}
        for k, (kind, org) in enumerate(XINGNING.items()):
            for r, role in enumerate(ACTS_FOR):
                payload = await create(client, token, f"{admin[:2]}.k{k}r{r}", org, [role])
                found[kind, role] = outcome(payload)
                wanted[kind, role] = expected(kind, role, province)
        assert found == wanted, admin


async def test_update_user_every_organisation_kind_against_every_role(client, demo):
    province = await login(client, "gd.admin")
    targets = {}
    for k, (kind, org) in enumerate(XINGNING.items()):
        role = next(r for r, fits in ACTS_FOR.items() if fits == kind)
        payload = await create(client, province, f"xn.target{k}", org, [role])
        assert payload["errors"] == [], payload
        targets[kind] = payload["user"]["id"]
    for admin, is_province in (("xn.admin", False), ("gd.admin", True)):
        token = await login(client, admin)
        found, wanted = {}, {}
        for kind, target in targets.items():
            for role in ACTS_FOR:
                result = await gql(
                    client, UPDATE, {"id": target, "input": {"roles": [role]}}, token=token
                )
                found[kind, role] = outcome(result["data"]["updateUser"])
                wanted[kind, role] = expected(kind, role, is_province)
        assert found == wanted, admin


async def test_a_county_admin_keeps_no_account_of_a_province_registry(client, demo):
    """Not even a phone number or a password reset (which would hand it the account)."""
    county = await login(client, "xn.admin")
    supplier = await user_id("xn.supplier")
    edit = await gql(
        client, UPDATE, {"id": supplier, "input": {"displayName": "改名"}}, token=county
    )
    assert edit["data"]["updateUser"] == {
        "user": None,
        "errors": [{"field": None, "code": "FORBIDDEN_ORGANISATION"}],
    }
    reset = await gql(client, RESET, {"id": supplier}, token=county)
    assert reset["data"]["resetPassword"] == {
        "oneTimePassword": None,
        "errors": [{"field": None, "code": "FORBIDDEN_ORGANISATION"}],
    }
    assert await login(client, "xn.supplier")  # the password still works
    own = await gql(
        client, RESET, {"id": await user_id("xn.purchaser")}, token=county
    )  # its own budget unit's account: yes
    assert own["data"]["resetPassword"]["errors"] == []


async def test_organisations_outside_the_region_or_the_accounts_tenant(client, demo):
    county, city, province = [
        await login(client, name) for name in ("xn.admin", "mz.admin", "gd.admin")
    ]
    cases = [
        # Not in the caller's region: not even said to exist.
        (county, "441481", "梅州嘉应招标代理有限公司", "AGENCY", "NOT_FOUND"),
        (county, "441481", "广东省财政厅", "TENANT_ADMIN", "NOT_FOUND"),
        (county, "441481", "梅州市教育局", "PURCHASER", "NOT_FOUND"),
        # In the caller's region, but not in the account's tenant.
        (city, "441400", "兴宁市第一中学", "PURCHASER", "ORGANISATION_IN_OTHER_TENANT"),
        (province, "441481", "广东省财政厅", "TENANT_ADMIN", "ORGANISATION_IN_OTHER_TENANT"),
        (
            province,
            "441481",
            "梅州市客都办公设备有限公司",
            "SUPPLIER",
            "ORGANISATION_IN_OTHER_TENANT",
        ),
    ]
    for n, (token, tenant, org, role, code) in enumerate(cases):
        payload = await create(client, token, f"out.{n}", org, [role], tenant)
        assert payload["errors"] == [{"field": "organisationId", "code": code}], (org, role)
    with all_tenants("test: nothing was created"):
        assert not await User.exists().where(User.username.like("out.%"))


async def test_province_admin_only_in_a_finance_bureau_of_the_province(client, demo):
    province = await login(client, "gd.admin")
    made = await gql(
        client,
        """mutation { createOrganisation(input: {name: "广东省某协会", kind: OTHER,
           region: "440000"}) { organisation { id } errors { code } } }""",
        token=province,
    )
    assert made["data"]["createOrganisation"]["errors"] == []
    other = await create(client, province, "gd.p1", "广东省某协会", ["PROVINCE_ADMIN"], "440000")
    assert outcome(other) == frozenset({"ROLE_NOT_FOR_ORGANISATION"})
    bureau = await create(client, province, "gd.p2", "广东省财政厅", ["PROVINCE_ADMIN"], "440000")
    assert bureau["errors"] == [] and bureau["user"]["roles"] == ["PROVINCE_ADMIN"]


async def test_demo_reproduction_a_county_admin_acting_as_a_meizhou_supplier(client, demo):
    """As reported: xn.admin made an account in org 5 (梅州市客都办公设备有限公司, a Meizhou
    supplier), changed its password and called updateMySupplier in the supplier's name."""
    county = await login(client, "xn.admin")
    payload = await create(client, county, "xn.mole", "梅州市客都办公设备有限公司", ["SUPPLIER"])
    assert payload["oneTimePassword"] is None
    assert payload["errors"] == [{"field": "organisationId", "code": "NOT_FOUND"}]
    # Nor through an account of its own county: none of them may become a supplier.
    purchaser = await user_id("xn.purchaser")
    promoted = await gql(
        client, UPDATE, {"id": purchaser, "input": {"roles": ["SUPPLIER"]}}, token=county
    )
    assert [e["code"] for e in promoted["data"]["updateUser"]["errors"]] == [
        "ROLE_NOT_FOR_ORGANISATION"
    ]
    purchaser_token = await login(client, "xn.purchaser")
    edit = await gql(
        client,
        'mutation { updateMySupplier(input: {address: "冒名地址"}) { errors { code } } }',
        token=purchaser_token,
    )
    assert edit["errors"][0]["extensions"]["code"] == "FORBIDDEN"
