"""Shared by the supplier registry tests."""

from __future__ import annotations

from gpcloud.core.auth.tables import Organisation
from gpcloud.core.validation import uscc_check_char
from gpcloud.registries.suppliers.tables import Supplier

MZ_SUPPLIER = "梅州市客都办公设备有限公司"  # mz.supplier's organisation, region 441400
XN_SUPPLIER = "兴宁市合水电子科技有限公司"  # xn.supplier's organisation, region 441481
WUHUA_SUPPLIER = "五华县琴江电脑科技有限公司"  # a demo supplier of Wuhua county, 441424
TEA = "兴宁市罗岗茶业有限公司"  # the incomplete demo supplier

SUPPLIER_FIELDS = """id name uscc sizeClass address status statusReason missingInformation usable
  region { regionCode }
  contact { name phone email legalRepresentative }
  caCertificate { serial issuer validUntil valid }
  qualifications { id kind name number validUntil valid }"""


def code(seq: int, prefix: str = "91441481MA7X") -> str:
    """A valid unified social credit code (check character computed)."""
    head = f"{prefix}{seq:05d}"
    return head + uscc_check_char(head)


def bad_check(valid: str) -> str:
    """The same code with a wrong check character."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    return valid[:17] + next(ch for ch in alphabet if ch != valid[17])


async def supplier_id(name: str) -> str:
    row = await Supplier.select(Supplier.id).where(Supplier.organisation.name == name).first()
    return str(row["id"])


async def supplier_row(name: str) -> dict:
    return (
        await Supplier.select(
            Supplier.all_columns(),
            Supplier.organisation.uscc.as_alias("uscc"),
            Supplier.organisation.region.as_alias("region"),
        )
        .where(Supplier.organisation.name == name)
        .first()
    )


async def organisation(name: str) -> dict | None:
    return await Organisation.select().where(Organisation.name == name).first()
