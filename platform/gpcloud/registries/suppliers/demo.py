"""Demo suppliers: the two demo supplier organisations (gpcloud.demo) and a dozen more across
Meizhou and its counties, of every size class, one of them incomplete.

Companies are plausible but fictional; people are placeholders ("示例联系人甲"); phone numbers
are unassigned landline numbers and e-mails are on example.com. Idempotent: an organisation
that has a supplier record already is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from gpcloud.core.audit import service as audit
from gpcloud.core.auth.tables import Organisation
from gpcloud.core.clock import today
from gpcloud.core.db import transaction
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.core.validation import uscc_check_char
from gpcloud.registries.suppliers.service import records as r
from gpcloud.registries.suppliers.tables import Supplier, SupplierQualification

CA_ISSUER = "广东省电子商务认证有限公司"


@dataclass(frozen=True)
class DemoSupplier:
    name: str
    region: str
    # First 17 characters of the credit code; None: the organisation comes from gpcloud.demo.
    uscc17: str | None
    size_class: str
    address: str
    person: str  # suffix of the placeholder names: 甲, 乙, ...
    ca: bool = True
    qualifications: tuple[tuple[str, str], ...] = field(default=())  # (kind, number)


SUPPLIERS = (
    DemoSupplier(
        "梅州市客都办公设备有限公司",
        "441400",
        None,
        "small",
        "梅州市梅江区江南路88号",
        "甲",
        qualifications=(("iso9001", "00121Q3KD001R0S"), ("iso14001", "00121E3KD001R0S")),
    ),
    DemoSupplier(
        "兴宁市合水电子科技有限公司",
        "441481",
        None,
        "micro",
        "兴宁市合水镇工业园2号",
        "乙",
        qualifications=(("high_tech", "GR202144001234"), ("iso9001", "00121Q3HS002R0S")),
    ),
    DemoSupplier(
        "梅州市嘉应云数信息技术有限公司",
        "441400",
        "91441400MA4WD0101",
        "medium",
        "梅州市梅江区彬芳大道中段",
        "丙",
        qualifications=(("software_enterprise", "粤RQ-2021-0101"),),
    ),
    DemoSupplier(
        "广东客都建设工程有限公司",
        "441400",
        "91441400MA4WD0102",
        "large",
        "梅州市梅江区客都大道168号",
        "丁",
        qualifications=(
            ("construction", "D244012345"),
            ("safety_production", "(粤)JZ安许证字[2021]140101"),
        ),
    ),
    DemoSupplier(
        "梅州市康宁医疗器械有限公司",
        "441400",
        "91441400MA4WD0103",
        "medium",
        "梅州市梅江区华南大道26号",
        "戊",
        qualifications=(("medical_device", "粤梅食药监械经营许20210103号"),),
    ),
    DemoSupplier(
        "梅州市梅江区百信文具有限公司",
        "441402",
        "91441402MA4WD0104",
        "micro",
        "梅州市梅江区金山街道文具街6号",
        "己",
    ),
    DemoSupplier(
        "梅州市梅县区雁洋建材有限公司",
        "441403",
        "91441403MA4WD0105",
        "small",
        "梅州市梅县区雁洋镇建材市场3栋",
        "庚",
    ),
    DemoSupplier(
        "五华县琴江电脑科技有限公司",
        "441424",
        "91441424MA4WD0106",
        "small",
        "五华县水寨镇琴江路12号",
        "辛",
        qualifications=(("iso9001", "00121Q3QJ106R0S"),),
    ),
    DemoSupplier(
        "兴宁市宁江五金机电有限公司",
        "441481",
        "91441481MA4WD0107",
        "small",
        "兴宁市兴城镇工业大道18号",
        "壬",
    ),
    DemoSupplier(
        "兴宁市兴城印务有限公司",
        "441481",
        "91441481MA4WD0108",
        "micro",
        "兴宁市兴田街道印刷路5号",
        "癸",
    ),
    DemoSupplier(
        "兴宁市合水物业管理有限公司",
        "441481",
        "91441481MA4WD0109",
        "small",
        "兴宁市合水镇合水大道9号",
        "子",
        qualifications=(("iso45001", "00121S3HS109R0S"),),
    ),
    DemoSupplier(
        "兴宁市绿野环保科技有限公司",
        "441481",
        "91441481MA4WD0110",
        "medium",
        "兴宁市宁新街道环保产业园1号",
        "丑",
        qualifications=(("iso14001", "00121E3LY110R0S"),),
    ),
    # Migrated without an address or a CA certificate: incomplete until its users complete it.
    DemoSupplier(
        "兴宁市罗岗茶业有限公司", "441481", "91441481MA4WD0111", "micro", "", "寅", ca=False
    ),
)


def _uscc(uscc17: str) -> str:
    return uscc17 + uscc_check_char(uscc17)


async def _organisation(demo: DemoSupplier) -> dict | None:
    row = (
        await Organisation.select(Organisation.id, Organisation.uscc, Organisation.region)
        .where(Organisation.name == demo.name)
        .first()
    )
    if row is not None or demo.uscc17 is None:
        return row
    org = Organisation(name=demo.name, kind="supplier", region=demo.region, uscc=_uscc(demo.uscc17))
    await org.save()
    return {"id": org.id, "uscc": org.uscc, "region": demo.region}


async def seed() -> None:
    """Create the demo suppliers that are missing."""
    on = today()
    with all_tenants("demo seed: suppliers of several regions"):
        async with transaction():
            for number, demo in enumerate(SUPPLIERS, start=1):
                org = await _organisation(demo)
                if org is None or await Supplier.exists().where(Supplier.organisation == org["id"]):
                    continue
                values = {
                    "size_class": demo.size_class,
                    "address": demo.address,
                    "legal_representative": f"示例法人{demo.person}",
                    "contact_name": f"示例联系人{demo.person}",
                    "contact_phone": f"0753-00001{number:02d}",
                    "contact_email": f"supplier{number:02d}@demo.example.com",
                }
                if demo.ca:
                    values.update(
                        ca_serial=f"4A3F{number:04d}",
                        ca_issuer=CA_ISSUER,
                        ca_valid_until=on + timedelta(days=730),
                    )
                status = r.status_after("incomplete", r.merged({"uscc": org["uscc"]}, values))
                supplier = Supplier(organisation=org["id"], status=status, **values)
                await supplier.save()
                licences = [("business_license", org["uscc"] or f"DEMO{number:04d}")]
                await SupplierQualification.insert(
                    *(
                        SupplierQualification(
                            supplier=supplier.id,
                            kind=kind,
                            number=code,
                            name=r.default_name(kind),
                            issuer="示例认证机构"
                            if kind != "business_license"
                            else "市场监督管理局",
                            valid_until=on + timedelta(days=1095),
                        )
                        for kind, code in (*licences, *demo.qualifications)
                    )
                )
                row = await r.get(supplier.id)
                await audit.record(
                    "suppliers.register",
                    "supplier",
                    supplier.id,
                    None,
                    r.state(row),
                    tenant=org["region"],
                    actor="demo seed",
                )
