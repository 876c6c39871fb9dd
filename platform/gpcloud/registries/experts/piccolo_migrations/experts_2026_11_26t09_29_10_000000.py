"""Composite indexes of the experts registry (see core's 08_40 for why they are a migration of
their own): uniqueness of an expert's specialties and regions, and the expert draw's paths:
specialty code -> experts, region -> experts, an expert's leave on a date, conflicts by credit code.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from gpcloud.core.db import create_index

ID = "2026-11-26T09:29:10:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite indexes for specialties, regions, leave and avoidance"


async def indexes() -> None:
    await create_index("expert_specialty", ["expert", "category_code"], unique=True)
    await create_index("expert_specialty", ["category_code", "expert"])
    await create_index("expert_region", ["expert", "region"], unique=True)
    await create_index("expert_region", ["region", "expert"])
    await create_index("expert_leave", ["expert", "start_date", "end_date"])
    await create_index("expert_avoidance", ["organisation_uscc", "expert"])


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="experts", description=DESCRIPTION)
    manager.add_raw(indexes)
    return manager
