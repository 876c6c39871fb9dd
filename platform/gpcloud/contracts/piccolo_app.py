"""The contracts domain's piccolo app: signing keys, contracts, signatures, acceptance, payments."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from gpcloud.contracts.tables import AcceptanceReport, Contract, ContractSignature, Payment

# The key registry's table moved to core/keys (contracts and transaction both use it) but stays
# in this app with its migration history: no migration moved it.
from gpcloud.core.keys.tables import SigningKey

APP_CONFIG = AppConfig(
    app_name="contracts",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[SigningKey, Contract, ContractSignature, AcceptanceReport, Payment],
    migration_dependencies=["gpcloud.transaction.piccolo_app"],
    commands=[],
)
