from piccolo.columns import Date, ForeignKey, OnDelete, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from gpcloud.core.auth.tables import Organisation
from gpcloud.core.tenancy.tables import ProvinceShared

# Enterprise size under the SME classification (工信部联企业〔2011〕300号); SME policy
# (Caiku [2020] 46, [2022] 19) reads it.
SIZE_CLASSES = ("large", "medium", "small", "micro")
SIZE_LABELS = {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"}

# incomplete: information the platform needs is missing (see service.missing_information);
# the supplier may log in and complete it, later subsystems do not use it until it is active.
STATUSES = ("active", "incomplete", "suspended", "inactive")

QUALIFICATION_KINDS = (
    "business_license",
    "iso9001",
    "iso14001",
    "iso45001",
    "high_tech",
    "software_enterprise",
    "safety_production",
    "construction",
    "medical_device",
    "food_business",
    "other",
)
QUALIFICATION_LABELS = {
    "business_license": "营业执照",
    "iso9001": "ISO 9001 质量管理体系认证",
    "iso14001": "ISO 14001 环境管理体系认证",
    "iso45001": "ISO 45001 职业健康安全管理体系认证",
    "high_tech": "高新技术企业证书",
    "software_enterprise": "软件企业证书",
    "safety_production": "安全生产许可证",
    "construction": "建筑业企业资质证书",
    "medical_device": "医疗器械经营许可证",
    "food_business": "食品经营许可证",
    "other": "其他资质",
}


class Supplier(ProvinceShared, Table, tablename="supplier"):
    """A supplier (供应商): registered once, works in every region. Name, credit code and home
    region live on its organisation, which its users belong to."""

    organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, unique=True)
    size_class = Varchar(length=8, default="", index=True)
    address = Varchar(length=255, default="")
    legal_representative = Varchar(length=32, default="")
    contact_name = Varchar(length=32, default="")
    contact_phone = Varchar(length=20, default="")
    contact_email = Varchar(length=128, default="")
    ca_serial = Varchar(length=64, default="")
    ca_issuer = Varchar(length=128, default="")
    ca_valid_until = Date(null=True, default=None)
    status = Varchar(length=16, default="incomplete", index=True)
    status_reason = Varchar(length=255, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class SupplierQualification(ProvinceShared, Table, tablename="supplier_qualification"):
    """A certificate or licence a supplier holds (资质). Unique (supplier, kind, number) and the
    (kind, valid_until) search index are composite: see the second migration."""

    supplier = ForeignKey(Supplier, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=32)
    name = Varchar(length=128, default="")
    number = Varchar(length=64)
    issuer = Varchar(length=128, default="")
    valid_until = Date()
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
