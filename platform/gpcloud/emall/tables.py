"""Tables of the e-mall. Orders, demands and quotes are the purchaser's region's (tenant-owned);
price alerts are about listings, which the province shares, so they are province-shared too.

Money in fen. Listings, goods items, plans and indicators are referred to by id only where the
row is another domain's (the e-mall reads them through their services); contracts sit above the
e-mall, so an order keeps its contract's id as a plain integer.
"""

from piccolo.columns import (
    BigInt,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from gpcloud.core.auth.tables import Organisation
from gpcloud.core.tenancy.tables import ProvinceShared, TenantOwned
from gpcloud.integrations.digital_finance.tables import BudgetIndicator
from gpcloud.registries.purchasers.tables import Purchaser
from gpcloud.supervision.tables import ProcurementPlan

MODES = ("direct_purchase", "reverse_auction", "designated_purchase", "group_buy")


class MallDemand(TenantOwned, Table, tablename="mall_demand"):
    """A purchaser's demand put to reverse auction (竞价): suppliers of the category and region
    quote, sealed until `closes_at`; the lowest compliant quote of at least three wins."""

    purchaser = ForeignKey(Purchaser, on_delete=OnDelete.restrict, index=True)
    purchaser_organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    plan = ForeignKey(ProcurementPlan, on_delete=OnDelete.restrict, index=True)
    indicator = ForeignKey(BudgetIndicator, on_delete=OnDelete.restrict)
    category_code = Varchar(length=16, index=True)
    title = Varchar(length=200)
    specs = Text(default="{}")  # JSON object of strings: what a compliant offer must meet
    quantity = Integer()
    unit = Varchar(length=8, default="")
    ceiling_unit_fen = BigInt()  # the highest unit price the purchaser accepts
    delivery = Text(default="")
    closes_at = Timestamptz()
    # emall_auction_min_quotes as it stood when posted: the rule the demand was put out under.
    min_quotes = Integer(default=3)
    status = Varchar(length=16, default="open", index=True)  # emall/workflow.py DEMAND
    winning_quote = Integer(null=True, default=None)  # the lowest compliant, set at the close
    outcome = Text(default="")  # why it failed, or who won at what price
    order = Integer(null=True, default=None)  # the order the winning quote became
    # mall_framework_agreement: set for a second-stage competition (二次竞价, MOF Order 110) among
    # its designated suppliers, each quoting at most its own maximum; the award is a designated
    # order of the agreement. None: a reverse auction open to the category's suppliers.
    agreement = Integer(null=True, default=None)
    revision = Integer(default=0)
    next_check = Timestamptz(null=True, default=None, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class MallQuote(TenantOwned, Table, tablename="mall_quote"):
    """A supplier's sealed quote on a demand: one per supplier, revisable until the window
    closes; nobody but its supplier reads it before then."""

    demand = ForeignKey(MallDemand, on_delete=OnDelete.restrict, index=True)
    supplier_organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    supplier_name = Varchar(length=128)
    unit_fen = BigInt()
    offer = Text(default="")  # what is offered: brand, model, how the specs are met
    rank = Integer(null=True, default=None)  # set at the close, 1 = the lowest compliant
    compliant = Varchar(length=8, default="")  # set at the close: yes | no
    reason = Text(default="")  # why not compliant
    submitted_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class FrameworkAgreement(TenantOwned, Table, tablename="mall_framework_agreement"):
    """A framework agreement (框架协议, MOF Order 110) a region's centralised procurement
    awarded: purchasers of the region and below order from its designated suppliers (定点)."""

    title = Varchar(length=200)
    category_code = Varchar(length=16, index=True)
    kind = Varchar(length=16)  # goods | services: the term limit differs
    starts_on = Date()
    ends_on = Date()
    entrants = Integer()  # suppliers that entered the first stage
    status = Varchar(length=16, default="active", index=True)  # emall/workflow.py AGREEMENT
    recorded_by = Integer()
    revision = Integer(default=0)
    next_check = Timestamptz(null=True, default=None, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class DesignatedSupplier(TenantOwned, Table, tablename="mall_designated_supplier"):
    """A supplier designated by a framework agreement, with what it supplies and its maximum
    unit price (mandatory under Order 110). It leaves the agreement when the organiser withdraws
    it (emall/workflow.py DESIGNATED); a top-up entry (补充征集) adds suppliers of its own."""

    agreement = ForeignKey(FrameworkAgreement, on_delete=OnDelete.restrict, index=True)
    supplier_organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    supplier_name = Varchar(length=128)
    item = Varchar(length=200)
    unit = Varchar(length=8)
    max_unit_fen = BigInt()
    entry = Varchar(length=16, default="initial")  # initial | top_up: the entry it came through
    status = Varchar(length=16, default="active")  # emall/workflow.py DESIGNATED
    reason = Text(default="")  # why it was withdrawn
    revision = Integer(default=0)
    entered_at = Timestamptz(default=TimestamptzNow())  # when its entry was recorded
    updated_at = Timestamptz(default=TimestamptzNow())


class MallGroupBuy(TenantOwned, Table, tablename="mall_group_buy"):
    """A group buy (批量集中采购) a city or the province organises: its purchasers (of the region
    and below) join with their quantities until `joins_close_at`; the region procures the whole
    once and records the award, and each purchaser's share becomes an order at the awarded
    price."""

    title = Varchar(length=200)
    category_code = Varchar(length=16, index=True)
    specs = Text(default="{}")  # JSON object of strings: what is bought, the same for every share
    unit = Varchar(length=8, default="")
    ceiling_unit_fen = BigInt()  # what a share holds on its plan line until the award
    joins_close_at = Timestamptz()
    status = Varchar(length=16, default="collecting", index=True)  # emall/workflow.py GROUP_BUY
    quantity = Integer(default=0)  # the shares' total, fixed when joining closes
    supplier_organisation = Integer(null=True, default=None)  # the awarded supplier
    supplier_name = Varchar(length=128, default="")
    unit_fen = BigInt(null=True, default=None)  # the awarded unit price
    award_reference = Varchar(length=64, default="")  # the procurement the award came from
    outcome = Text(default="")  # why it failed or was withdrawn
    organised_by = Integer()
    revision = Integer(default=0)
    next_check = Timestamptz(null=True, default=None, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class MallGroupShare(TenantOwned, Table, tablename="mall_group_share"):
    """A purchaser's part of a group buy, in the purchaser's region: its quantity and the plan
    line that funds it (held at the ceiling price until the award, then by its order)."""

    group_buy = ForeignKey(MallGroupBuy, on_delete=OnDelete.restrict, index=True)
    purchaser = ForeignKey(Purchaser, on_delete=OnDelete.restrict, index=True)
    purchaser_organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict)
    plan = ForeignKey(ProcurementPlan, on_delete=OnDelete.restrict, index=True)
    indicator = ForeignKey(BudgetIndicator, on_delete=OnDelete.restrict)
    quantity = Integer()
    held_fen = BigInt()  # quantity x the ceiling: what it holds on the line while joined
    status = Varchar(length=16, default="joined", index=True)  # joined | left | ordered | released
    order = Integer(null=True, default=None)  # the order it became at the award
    joined_by = Integer()
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class MallOrder(TenantOwned, Table, tablename="mall_order"):
    """An e-mall order: what a purchaser buys from a supplier at a fixed price, drawn on a plan's
    budget line. Placed, it holds the stock and the line's amount; confirmed by the supplier, it
    is concluded as a contract (contracts domain); then delivered, accepted and paid."""

    mode = Varchar(length=24, index=True)  # MODES
    purchaser = ForeignKey(Purchaser, on_delete=OnDelete.restrict, index=True)
    purchaser_organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    supplier_organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    supplier_name = Varchar(length=128)
    plan = ForeignKey(ProcurementPlan, on_delete=OnDelete.restrict, index=True)
    indicator = ForeignKey(BudgetIndicator, on_delete=OnDelete.restrict, index=True)
    fiscal_year = Integer(index=True)  # the indicator's budget year: splitting is summed per year
    listing = Integer(null=True, default=None, index=True)  # goods_listing (direct purchase)
    demand = ForeignKey(MallDemand, null=True, default=None, on_delete=OnDelete.restrict)
    agreement = ForeignKey(FrameworkAgreement, null=True, default=None, on_delete=OnDelete.restrict)
    group_buy = Integer(null=True, default=None)  # mall_group_buy: the group buy it is a share of
    category_code = Varchar(length=16, index=True)
    title = Varchar(length=200)
    maker = Varchar(length=64, default="")  # the brand: GeM's "makers" compared by it
    quantity = Integer()
    unit_fen = BigInt()
    amount_fen = BigInt()
    # Direct purchase above the comparison band: the listings compared (JSON list of ids) and,
    # where the cheapest was not taken, why.
    compared = Text(default="[]")
    justification = Text(default="")
    # Splitting detection: set when the unit's orders of the category in the budget year pass
    # the mode's cap with this one (tenant config: warn lets it through, marked).
    split_warning = Text(default="")
    status = Varchar(length=16, default="placed", index=True)  # emall/workflow.py ORDER
    confirm_due = Timestamptz(null=True, default=None)
    contract = Integer(null=True, default=None, index=True)  # contracts.Contract, once concluded
    placed_by = Integer()
    reason = Text(default="")  # why declined or cancelled
    revision = Integer(default=0)
    next_check = Timestamptz(null=True, default=None, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class PriceAlert(ProvinceShared, Table, tablename="mall_price_alert"):
    """A listing priced above the tenant-independent tolerance over the median of the same
    item's other listings (or above its own earlier price, or a reference price), or above the
    lowest price its supplier gave the government for the same item (the most-favoured price):
    not directly purchasable until the operating centre reviews it. The supplier sees why."""

    listing = Integer(index=True)  # goods_listing
    goods_item = Integer(index=True)
    supplier_organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    price_fen = BigInt()
    # median | history | reference (a feed or a file) | new | most_favoured
    basis = Varchar(length=16)
    # the median, the earlier price, the reference price, or the most-favoured price
    basis_fen = BigInt()
    # Where a reference came from: the feed plugin, or the imported file's source (价格监测中心);
    # where a most-favoured price came from, in words (the listing, auction or agreement).
    basis_source = Varchar(length=128, default="")
    # The record a most-favoured price came from: listing (goods_listing), auction (mall_demand
    # whose winning quote it was) or agreement (mall_framework_agreement); empty / None else.
    basis_record_kind = Varchar(length=16, default="")
    basis_record = Integer(null=True, default=None)
    tolerance_percent = Integer()
    reason = Text()
    status = Varchar(length=16, default="open", index=True)  # emall/workflow.py PRICE_ALERT
    revision = Integer(default=0)
    reviewed_by = Integer(null=True, default=None)
    review_note = Text(default="")
    # The legal day it was raised: the year analytics counts it in (created_at is the instant).
    raised_on = Date(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class ListingPrice(ProvinceShared, Table, tablename="mall_listing_price"):
    """The prices a listing has been seen at by price monitoring: its own history."""

    listing = Integer(index=True)
    price_fen = BigInt()
    seen_at = Timestamptz(default=TimestamptzNow())


class ReferencePrice(ProvinceShared, Table, tablename="mall_reference_price"):
    """A reference price imported from a file (the `reference_prices` import): a goods item's
    unit price in a region (a city, a county, or the province) from a source, for a period.
    Price monitoring compares each listing with the one in force for its supplier's region.
    One row per (goods item, region, source, valid from): a later file updates it."""

    goods_item = Integer(index=True)  # goods_item (the goods registry's)
    region = Varchar(length=6, index=True)  # a city or county code; the province's: province-wide
    source = Varchar(length=128)  # who surveyed it: 价格监测中心, a market survey
    valid_from = Date(index=True)
    valid_to = Date(null=True, default=None)  # None: until a later price
    price_fen = BigInt()
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
