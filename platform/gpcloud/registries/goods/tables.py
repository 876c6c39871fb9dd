"""Tables of the goods registry (商品库): the procurement catalogue, goods and supplier listings.

All are province-shared: the catalogue and goods are kept by the province, listings by the
suppliers themselves, and every region buys from the same registry.
"""

from piccolo.columns import ForeignKey, Integer, Numeric, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from gpcloud.core.auth.tables import Organisation
from gpcloud.core.tenancy.tables import ProvinceShared, Tenant

CATEGORY_STATUSES = ("active", "inactive")
ITEM_STATUSES = ("active", "inactive")
LISTING_STATUSES = ("active", "withdrawn")
# Government procurement policy marks a product carries by a certificate of an accredited body:
# energy-saving (节能产品) or environmental label (环境标志产品) (Law art. 9, Implementing
# Regulation art. 6; the certification lists of Caiku [2019] 9, unverified text). "" = none.
GREEN_LABELS = ("", "energy_saving", "environmental", "both")
KINDS = {"A": "goods", "B": "works", "C": "services"}


class Category(ProvinceShared, Table, tablename="goods_category"):
    """A code of the government procurement catalogue (政府采购品目分类目录); the code is the key
    other registries (experts' specialities, plans, orders) refer to."""

    code = Varchar(length=16, primary_key=True)
    name = Varchar(length=128)
    parent = ForeignKey("self", null=True, default=None, on_delete=OnDelete.restrict, index=True)
    level = Integer(default=1)
    kind = Varchar(length=16, default="goods")
    status = Varchar(length=16, default="active", index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class GoodsItem(ProvinceShared, Table, tablename="goods_item"):
    """A standard product the province lists, with its reference (ceiling) price."""

    code = Varchar(length=40, unique=True)
    category = ForeignKey(Category, on_delete=OnDelete.restrict, index=True)
    name = Varchar(length=128)
    brand = Varchar(length=64, default="")
    model = Varchar(length=64, default="")
    specs = Text(default="{}")  # JSON object of strings
    unit = Varchar(length=8)
    reference_price = Numeric(digits=(14, 2), index=True)
    status = Varchar(length=16, default="active", index=True)
    green_label = Varchar(length=16, default="")  # GREEN_LABELS: green purchasing (analytics)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class SupplierListing(ProvinceShared, Table, tablename="goods_listing"):
    """A supplier's offer of a goods item at its price, in the regions it serves (the e-mall's base).

    One per (organisation, goods item): composite unique index in the hand-written migration.
    """

    organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    # (goods_item, price) and unique (organisation, goods_item): composite indexes in the migration.
    goods_item = ForeignKey(GoodsItem, on_delete=OnDelete.restrict)
    price = Numeric(digits=(14, 2), index=True)
    stock = Integer(default=0)
    status = Varchar(length=16, default="active", index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class ListingRegion(ProvinceShared, Table, tablename="goods_listing_region"):
    """A region a listing serves; a city's listing serves its counties too."""

    listing = ForeignKey(SupplierListing, on_delete=OnDelete.cascade, index=True)
    # Unique (region, listing): a composite index in the migration, used by the region filter.
    region = ForeignKey(Tenant, on_delete=OnDelete.restrict)
