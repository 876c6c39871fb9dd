"""Composite indexes of the goods registry (after the auto migration, as in purchasers' 09_24).

- one listing per supplier and goods item;
- listings of an item ordered by price (the e-mall's "cheapest first" and the price filter);
- listings serving a region (the region filter), one row per region and listing.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from gpcloud.core.db import create_index

ID = "2026-11-26T09:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "goods composite indexes"


async def indexes() -> None:
    await create_index("goods_listing", ["organisation", "goods_item"], unique=True)
    await create_index("goods_listing", ["goods_item", "price"])
    await create_index("goods_listing_region", ["region", "listing"], unique=True)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="goods", description=DESCRIPTION)
    manager.add_raw(indexes)
    return manager
