"""Demo data of the e-mall: three more suppliers of desktop computers (A02010104) with an
account each and a listing serving Meizhou or Xingning, so that a reverse auction in Xingning
draws four quotes (the demo's own Xingning supplier is the fourth), and two vehicle repair
garages of Meizhou for a designated-procurement agreement. Names are fictional.

Not part of the default demo (gpcloud.demo.REGISTRY_DEMOS): the e-mall walk
(docs/emall_walk.py) seeds it. Idempotent.
"""

from __future__ import annotations

from decimal import Decimal

from gpcloud.core.auth import passwords
from gpcloud.core.auth.tables import Organisation, User, UserRole
from gpcloud.core.db import transaction
from gpcloud.core.tenancy.scope import all_tenants, use_scope
from gpcloud.core.tenancy.service import tenant_tree
from gpcloud.registries.goods.service import listings, search

DEMO_PASSWORD = "Gpcloud#2021"
ITEM = "GD-A02010104-000002"  # 台式计算机（通用办公型）
# organisation, region, username, price, stock
BIDDERS = (
    ("梅州市嘉联信息技术有限公司", "441400", "mz.bidder1", "4260.00", 60),
    ("兴宁市华兴电脑科技有限公司", "441481", "xn.bidder2", "4240.00", 35),
    ("梅州市梅江区粤信电脑经营部", "441400", "mz.bidder3", "4290.00", 50),
    # Garages: no listing (designated suppliers are chosen by a framework agreement).
    ("梅州市安达汽车维修服务有限公司", "441400", "mz.garage1", None, 0),
    ("梅州市顺通汽车修理厂", "441400", "mz.garage2", None, 0),
)


async def seed() -> list[str]:
    """The bidders' organisations, accounts (demo password) and listings; the usernames made."""
    made = []
    password_hash = await passwords.hash_password(DEMO_PASSWORD)
    with all_tenants("e-mall demo: suppliers of several regions"):
        async with transaction():
            found = (await search.search_items(search.GoodsItemFilter(code=ITEM), 1, None)).rows
            if not found:
                raise RuntimeError("seed the goods demo first")
            item = found[0]
            for name, region, username, price, stock in BIDDERS:
                org = (
                    await Organisation.select(Organisation.id)
                    .where(Organisation.name == name)
                    .first()
                )
                if org is None:
                    row = Organisation(name=name, kind="supplier", region=region)
                    await row.save()
                    org = {"id": row.id}
                if not await User.exists().where(User.username == username):
                    user = User(
                        tenant_id=region,
                        organisation=org["id"],
                        username=username,
                        password_hash=password_hash,
                        display_name="电子卖场销售专员",
                        mobile="13800000000",
                        email=f"{username}@demo.example.com",
                        must_change_password=False,
                    )
                    await user.save()
                    await UserRole(tenant_id=region, user=user.id, role="supplier").save()
                    made.append(username)
                if price is None:
                    continue
                listed = await search.search_listings(
                    search.ListingFilter(goods_item_id=item["id"], organisation_id=org["id"]),
                    1,
                    None,
                )
                if not listed.rows:
                    with use_scope((await tenant_tree()).scope_for("440000")):
                        await listings.create_listing(
                            None,
                            listings.ListingInput(
                                organisation_id=org["id"],
                                goods_item_id=item["id"],
                                price=Decimal(price),
                                stock=stock,
                                regions=[region],
                            ),
                        )
    return made
