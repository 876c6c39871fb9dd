"""Demo accounts for every role in Meizhou and Xingning (and a provincial admin).

Organisations are plausible but fictional where they are companies; display names are job
titles, not people; phone numbers and e-mails are placeholders. Idempotent: existing login names
are left alone.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from gpcloud.core.auth import passwords, records
from gpcloud.core.auth.tables import Organisation, User, UserRole
from gpcloud.core.db import transaction
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.core.validation import uscc_check_char

DEMO_PASSWORD = "Gpcloud#2021"

# Registry demo data, in dependency order (listings need suppliers' organisations and the
# catalogue; experts' specialties need the catalogue).
REGISTRY_DEMOS = (
    "gpcloud.registries.goods.demo",
    "gpcloud.registries.suppliers.demo",
    "gpcloud.registries.agencies.demo",
    "gpcloud.registries.experts.demo",
    "gpcloud.registries.purchasers.demo",
    "gpcloud.credit.demo",
)
# What `serve` seeds besides: the data a person needs to walk docs/ by hand (budget lines for
# the closed loop; the portal's history). Kept out of `seed_demo`, which the scripted walk of
# docs/closed_loop.py uses and which imports its own budget line. "module:function" seeds with
# that function instead of `seed` (the e-mall's price alerts, without the e-mall walk's
# suppliers). The analytics demo last: it builds the read model over the others.
SERVE_DEMOS = (
    "gpcloud.integrations.digital_finance.demo",
    "gpcloud.portal.demo",
    "gpcloud.finance_services.demo",
    "gpcloud.emall.demo:seed_price_alerts",
    "gpcloud.analytics.demo",
)


@dataclass(frozen=True)
class DemoOrg:
    key: str
    name: str
    kind: str
    region: str
    # First 17 characters of a unified social credit code; the check character is computed.
    uscc17: str | None


@dataclass(frozen=True)
class DemoUser:
    username: str
    tenant: str
    org: str
    roles: tuple[str, ...]
    display_name: str
    first_login: bool = False


ORGS = (
    DemoOrg("gd-finance", "广东省财政厅", "finance_bureau", "440000", "11440000MB2C90003"),
    DemoOrg("mz-finance", "梅州市财政局", "finance_bureau", "441400", "11441400MB2C90001"),
    DemoOrg("mz-education", "梅州市教育局", "purchaser", "441400", "11441400MB2C90011"),
    DemoOrg("mz-agency", "梅州嘉应招标代理有限公司", "agency", "441400", "91441400MA4W00005"),
    DemoOrg("mz-supplier", "梅州市客都办公设备有限公司", "supplier", "441400", "91441400MA4W00007"),
    DemoOrg("mz-college", "嘉应学院", "other", "441400", "12441400MB2C90009"),
    DemoOrg(
        "mz-bank",
        "梅州融信村镇银行股份有限公司",
        "financial_institution",
        "441400",
        "91441400MA4W00012",
    ),
    DemoOrg("xn-finance", "兴宁市财政局", "finance_bureau", "441481", "11441481MB2C90002"),
    DemoOrg("xn-school", "兴宁市第一中学", "purchaser", "441481", "12441481MB2C90004"),
    DemoOrg("xn-agency", "兴宁市宁江工程咨询有限公司", "agency", "441481", "91441481MA4W00013"),
    DemoOrg("xn-supplier", "兴宁市合水电子科技有限公司", "supplier", "441481", "91441481MA4W00006"),
    DemoOrg("xn-hospital", "兴宁市人民医院", "other", "441481", "12441481MB2C90014"),
    DemoOrg(
        "xn-guarantee",
        "兴宁市兴信融资担保有限公司",
        "financial_institution",
        "441481",
        "91441481MA4W00015",
    ),
    # A migrated unit whose code the old portal never had: completed at first login.
    DemoOrg("xn-town", "兴宁市宁新街道办事处", "purchaser", "441481", None),
)

USERS = (
    DemoUser("gd.admin", "440000", "gd-finance", ("province_admin",), "省财政厅平台管理员"),
    DemoUser("mz.admin", "441400", "mz-finance", ("tenant_admin",), "梅州市财政局平台管理员"),
    DemoUser("mz.supervisor", "441400", "mz-finance", ("supervisor",), "梅州市政府采购监管员"),
    DemoUser("mz.purchaser", "441400", "mz-education", ("purchaser",), "市教育局采购经办"),
    DemoUser("mz.agency", "441400", "mz-agency", ("agency",), "代理机构项目经理"),
    DemoUser("mz.supplier", "441400", "mz-supplier", ("supplier",), "供应商投标专员"),
    DemoUser("mz.expert", "441400", "mz-college", ("expert",), "评审专家（信息化）"),
    DemoUser("mz.bank", "441400", "mz-bank", ("financial_institution",), "政采贷客户经理"),
    DemoUser("xn.admin", "441481", "xn-finance", ("tenant_admin",), "兴宁市财政局平台管理员"),
    DemoUser("xn.supervisor", "441481", "xn-finance", ("supervisor",), "兴宁市政府采购监管员"),
    DemoUser("xn.purchaser", "441481", "xn-school", ("purchaser",), "兴宁一中采购经办"),
    DemoUser("xn.agency", "441481", "xn-agency", ("agency",), "代理机构项目经理"),
    DemoUser("xn.supplier", "441481", "xn-supplier", ("supplier",), "供应商投标专员"),
    DemoUser("xn.expert", "441481", "xn-hospital", ("expert",), "评审专家（医疗设备）"),
    DemoUser("xn.bank", "441481", "xn-guarantee", ("financial_institution",), "电子保函业务经理"),
    DemoUser("xn.newclerk", "441481", "xn-town", ("purchaser",), "", first_login=True),
)


def _uscc(org: DemoOrg) -> str | None:
    return org.uscc17 + uscc_check_char(org.uscc17) if org.uscc17 else None


async def seed_demo() -> list[DemoUser]:
    """The whole demo: accounts, then every registry's records; return the accounts created."""
    created = await seed_accounts()
    for module in REGISTRY_DEMOS:
        await importlib.import_module(module).seed()
    return created


async def seed_for_serve() -> list[DemoUser]:
    """`seed_demo` and the data to walk every page of docs/ by hand against `gpcloud serve`."""
    created = await seed_demo()
    for entry in SERVE_DEMOS:
        module, _, function = entry.partition(":")
        await getattr(importlib.import_module(module), function or "seed")()
    return created


async def seed_accounts() -> list[DemoUser]:
    """Create the demo organisations and accounts that are missing; return the accounts created."""
    created: list[DemoUser] = []
    password_hash = await passwords.hash_password(DEMO_PASSWORD)
    with all_tenants("demo seed: accounts in several tenants"):
        async with transaction():
            org_ids = {}
            for org in ORGS:
                row = (
                    await Organisation.select(Organisation.id)
                    .where(Organisation.name == org.name)
                    .first()
                )
                if row is None:
                    new = Organisation(
                        name=org.name, kind=org.kind, region=org.region, uscc=_uscc(org)
                    )
                    await new.save()
                    row = {"id": new.id}
                org_ids[org.key] = row["id"]
            for demo in USERS:
                if await User.exists().where(User.username == demo.username):
                    continue
                user = User(
                    tenant_id=demo.tenant,
                    organisation=org_ids[demo.org],
                    username=demo.username,
                    password_hash=password_hash,
                    display_name=demo.display_name,
                    mobile="" if demo.first_login else "13800000000",
                    email="" if demo.first_login else f"{demo.username}@demo.example.com",
                    must_change_password=demo.first_login,
                )
                await user.save()
                await UserRole.insert(
                    *(UserRole(tenant_id=demo.tenant, user=user.id, role=r) for r in demo.roles)
                )
                await records.audit_user(
                    "user.create",
                    user.id,
                    None,
                    await records.user_state(user.id),
                    actor="demo seed",
                )
                created.append(demo)
    return created
