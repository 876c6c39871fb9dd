"""The supervision lists' filters of challenges and complaints (filing day, answer and decision
due days), built CONCURRENTLY outside a transaction: the tables hold rows by now
(core/ops/migration_locks.py)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from gpcloud.core.ops.migration_locks import create_index_concurrently

ID = "2026-12-06T20:42:27:672325"
VERSION = "1.38.0"
DESCRIPTION = "challenge and complaint supervision filters"


async def indexes() -> None:
    await create_index_concurrently("challenge", ["filed_on"])
    await create_index_concurrently("challenge", ["answer_due"])
    await create_index_concurrently("complaint", ["filed_on"])
    await create_index_concurrently("complaint", ["decision_due"])


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="complaints", description=DESCRIPTION, wrap_in_transaction=False
    )
    manager.add_raw(indexes)
    return manager
