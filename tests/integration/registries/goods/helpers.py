"""GraphQL operations and lookups shared by the goods tests."""

from gpcloud.core.audit.tables import AuditEntry
from gpcloud.core.auth.tables import Organisation
from gpcloud.core.tenancy.scope import all_tenants
from gpcloud.registries.goods.tables import GoodsItem, SupplierListing
from tests.support import gql

MZ_SUPPLIER = "梅州市客都办公设备有限公司"
XN_SUPPLIER = "兴宁市合水电子科技有限公司"

CATEGORY = "code name level kind status parentCode"
CREATE_CATEGORY = f"""mutation($code: String!, $name: String!) {{
  createGoodsCategory(code: $code, name: $name) {{ category {{ {CATEGORY} }} errors {{ field code message }} }}
}}"""
RENAME_CATEGORY = f"""mutation($code: String!, $name: String!) {{
  renameGoodsCategory(code: $code, name: $name) {{ category {{ {CATEGORY} }} errors {{ field code message }} }}
}}"""
CATEGORY_STATUS = f"""mutation($code: String!, $status: GoodsCategoryStatus!, $reason: String!) {{
  setGoodsCategoryStatus(code: $code, status: $status, reason: $reason) {{
    category {{ {CATEGORY} }} errors {{ field code message }}
  }}
}}"""

ITEM = (
    "id code name brand model specs unit referencePrice status categoryCode greenLabel "
    "category { code name }"
)
CREATE_ITEM = f"""mutation($input: CreateGoodsItemInput!) {{
  createGoodsItem(input: $input) {{ goodsItem {{ {ITEM} }} errors {{ field code message }} }}
}}"""
UPDATE_ITEM = f"""mutation($id: ID!, $input: UpdateGoodsItemInput!) {{
  updateGoodsItem(id: $id, input: $input) {{ goodsItem {{ {ITEM} }} errors {{ field code message }} }}
}}"""
ITEM_STATUS = f"""mutation($id: ID!, $status: GoodsItemStatus!, $reason: String!) {{
  setGoodsItemStatus(id: $id, status: $status, reason: $reason) {{ goodsItem {{ {ITEM} }} errors {{ field code message }} }}
}}"""
ITEMS = """query($filter: GoodsItemFilter, $first: Int, $after: String) {
  goodsItems(filter: $filter, first: $first, after: $after) {
    edges { cursor node { code name referencePrice categoryCode } } pageInfo { hasNextPage endCursor }
  }
}"""

LISTING = "id price stock status regionCodes organisation { name } goodsItem { code } regions { regionCode }"
CREATE_LISTING = f"""mutation($input: CreateSupplierListingInput!) {{
  createSupplierListing(input: $input) {{ listing {{ {LISTING} }} errors {{ field code message }} }}
}}"""
UPDATE_LISTING = f"""mutation($id: ID!, $input: UpdateSupplierListingInput!) {{
  updateSupplierListing(id: $id, input: $input) {{ listing {{ {LISTING} }} errors {{ field code message }} }}
}}"""
LISTING_STATUS = f"""mutation($id: ID!, $status: SupplierListingStatus!, $reason: String! = "") {{
  setSupplierListingStatus(id: $id, status: $status, reason: $reason) {{
    listing {{ {LISTING} }} errors {{ field code message }}
  }}
}}"""
LISTINGS = """query($filter: SupplierListingFilter, $first: Int, $after: String) {
  supplierListings(filter: $filter, first: $first, after: $after) {
    edges { node { id price status regionCodes organisation { name } goodsItem { code } } }
    pageInfo { hasNextPage endCursor }
  }
}"""


async def mutate(client, token, query, **variables) -> dict:
    result = await gql(client, query, variables, token=token)
    assert "errors" not in result, result
    return next(iter(result["data"].values()))


def fields(payload: dict) -> list[tuple[str | None, str]]:
    return [(e["field"], e["code"]) for e in payload["errors"]]


async def org_id(name: str) -> str:
    row = await Organisation.select(Organisation.id).where(Organisation.name == name).first()
    return str(row["id"])


async def item_id(code: str) -> str:
    return str((await GoodsItem.select(GoodsItem.id).where(GoodsItem.code == code).first())["id"])


async def listing_id(organisation: str, code: str) -> str:
    row = (
        await SupplierListing.select(SupplierListing.id)
        .where(
            (SupplierListing.organisation == int(await org_id(organisation)))
            & (SupplierListing.goods_item == int(await item_id(code)))
        )
        .first()
    )
    return str(row["id"])


async def audit_entries(action_prefix: str = "goods.") -> list[dict]:
    with all_tenants("test: read the audit"):
        rows = await AuditEntry.select(
            AuditEntry.action,
            AuditEntry.object_type,
            AuditEntry.object_id,
            AuditEntry.tenant_id,
            AuditEntry.detail,
        ).order_by(AuditEntry.id)
    return [r for r in rows if r["action"].startswith(action_prefix)]
