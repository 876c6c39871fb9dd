"""Demo budget units in Meizhou and Xingning, including the demo purchaser accounts' units."""

from __future__ import annotations

from gpcloud.core.auth.tables import Organisation
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.core.validation import uscc_check_char
from gpcloud.registries.purchasers.tables import Purchaser

# (tenant, budget unit code, name, first 17 characters of the credit code, parent code)
UNITS = (
    ("441400", "441400301", "梅州市教育局", "11441400MB2C90011", None),
    ("441400", "441400401", "梅州市卫生健康局", "11441400MB2C90021", None),
    ("441481", "441481301", "兴宁市教育局", "11441481MB2C90031", None),
    ("441481", "441481311", "兴宁市第一中学", "12441481MB2C90004", "441481301"),
    ("441481", "441481312", "兴宁市第二中学", "12441481MB2C90041", "441481301"),
    ("441481", "441481501", "兴宁市宁新街道办事处", None, None),
)


async def seed() -> None:
    with all_tenants("demo seed: units of several tenants"):
        for tenant, code, name, head, parent_code in UNITS:
            if await Purchaser.exists().where(
                (Purchaser.tenant_id == tenant) & (Purchaser.budget_unit_code == code)
            ):
                continue
            org = (
                await Organisation.select(Organisation.id).where(Organisation.name == name).first()
            )
            if org is None:
                created = Organisation(
                    name=name,
                    kind="purchaser",
                    region=tenant,
                    uscc=head + uscc_check_char(head) if head else None,
                )
                await created.save()
                org = {"id": created.id}
            parent = None
            if parent_code:
                parent = (
                    await Purchaser.select(Purchaser.id)
                    .where(
                        (Purchaser.tenant_id == tenant)
                        & (Purchaser.budget_unit_code == parent_code)
                    )
                    .first()
                )["id"]
            await Purchaser(
                tenant_id=tenant,
                organisation=org["id"],
                budget_unit_code=code,
                parent=parent,
                contact_name="办公室",
                contact_phone="0753-0000000",
            ).save()
