from piccolo.columns import BigInt, Date, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from gpcloud.core.tenancy.tables import ProvinceShared, TenantOwned

# The kinds of notice, with their names on the portal: a procurement's stages, in order, then
# the editorial columns tenant admins publish.
STAGE_LABELS = {
    "intention": "采购意向",
    "plan": "采购计划",
    "tender": "采购公告",
    "correction": "更正公告",
    "result": "结果公告",
    "contract": "合同公告",
    "acceptance": "验收报告",
}
EDITORIAL_LABELS = {"policy": "政策法规", "notice": "通知公告"}
# Supervision's decisions published by law (Implementing Regulation art. 58: complaints).
DECISION_LABELS = {"decision": "投诉处理决定"}
# A stage only some procurements have: the prequalification notice comes before the tender
# (MOF Order 87 art. 14, unverified text). Not in STAGES, which the legacy import and the demo
# history walk as the stages every procurement passes; listed before the tender on the pages.
PREQUALIFICATION_LABELS = {"prequalification": "资格预审公告"}
_BEFORE_TENDER = ("intention", "plan")
KIND_LABELS = (
    {k: STAGE_LABELS[k] for k in _BEFORE_TENDER}
    | PREQUALIFICATION_LABELS
    | {k: v for k, v in STAGE_LABELS.items() if k not in _BEFORE_TENDER}
    | EDITORIAL_LABELS
    | DECISION_LABELS
)
STAGES = tuple(STAGE_LABELS)
KINDS = tuple(KIND_LABELS)

# The procurement methods' Chinese names, for the pages and OCDS procurementMethodDetails.
METHOD_LABELS = {
    "open_tender": "公开招标",
    "invited_tender": "邀请招标",
    "competitive_negotiation": "竞争性谈判",
    "competitive_consultation": "竞争性磋商",
    "request_for_quotation": "询价",
    "single_source": "单一来源",
    "framework_agreement": "框架协议采购",
    "reverse_auction": "电子卖场网上竞价",
    "group_buy": "批量集中采购",
}


class Notice(TenantOwned, Table, tablename="notice"):
    """One published item as the public sees it (only public fields). `source` names what it
    publishes (e.g. "announcement:12") and is unique; `search_text` is the segmented title and
    body the full-text index is built from. Money in fen."""

    kind = Varchar(length=16)
    # The city of the notice's region (tenancy.TenantTree.city_of): a city's page lists its own
    # and its counties' notices by equality on one indexed column.
    city_code = Varchar(length=6, default="")
    source = Varchar(length=64, unique=True)
    title = Varchar(length=200)
    body = Text()
    published_on = Date()
    published_at = Timestamptz(default=TimestamptzNow())
    method = Varchar(length=32, default="")
    category_code = Varchar(length=32, default="")
    object_type = Varchar(length=16, default="")
    purchaser_id = Integer(null=True, default=None, index=True)
    purchaser_name = Varchar(length=128, default="")
    agency_id = Integer(null=True, default=None, index=True)
    agency_name = Varchar(length=128, default="")
    amount_fen = BigInt(null=True, default=None)
    # The chain a notice belongs to: intention -> plan -> announcements -> contract -> acceptance.
    intention_id = Integer(null=True, default=None, index=True)
    plan_id = Integer(null=True, default=None, index=True)
    search_text = Text(default="")
    # The OCDS contracting process the notice belongs to (empty for editorial articles), and the
    # public details of its kind (bid deadline, announcement period, contract id...), as JSON.
    ocid = Varchar(length=64, default="", index=True)
    details = Text(default="{}")
    # Set on notices migrated from the old portal: they are public once their batch completed.
    legacy_batch = Integer(null=True, default=None, index=True)


class NoticeSupplier(TenantOwned, Table, tablename="notice_supplier"):
    """A supplier a notice names (the winners of a result, the party of a contract)."""

    notice = ForeignKey(Notice, on_delete=OnDelete.cascade, index=True)
    organisation_id = Integer(index=True)
    name = Varchar(length=128)
    amount_fen = BigInt(null=True, default=None)


class OcdsRelease(TenantOwned, Table, tablename="ocds_release"):
    """An OCDS release imported from another publisher, kept as published: `body` is the
    release's JSON with every field it had (extensions, unknown keys, the publisher's ids,
    times and currencies), served back by /ocds as it came; `extensions` the extension URLs its
    package declared. Its notice is what the portal derived from it for search and pages."""

    notice = ForeignKey(Notice, on_delete=OnDelete.cascade, unique=True, index=True)
    ocid = Varchar(length=64, index=True)
    release_id = Text()
    body = Text()
    extensions = Text(default="[]")


class LegacyBatch(ProvinceShared, Table, tablename="legacy_batch"):
    """One migration run of the old portal's records of one year and kind (seed, 九(一)):
    editorial columns whole, 2020's procurement notices first, earlier years after. Resumable:
    `lines_done` advances with every committed chunk."""

    year = Integer()
    kind = Varchar(length=16)
    status = Varchar(length=16, default="pending")  # pending | running | completed | failed
    source_format = Varchar(length=16)  # jsonl | csv | ocds
    path = Text()
    region = Varchar(length=6)  # for OCDS input, which names no region
    lines_done = Integer(default=0)
    created = Integer(default=0)
    skipped = Integer(default=0)
    rejected = Integer(default=0)
    error = Text(default="")
    revision = Integer(default=0)  # bumped by every transition (core/workflow)
    updated_at = Timestamptz(default=TimestamptzNow())
