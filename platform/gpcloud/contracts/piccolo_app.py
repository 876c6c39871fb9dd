"""The contracts domain's piccolo app: signing keys, contracts, signatures."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from gpcloud.contracts.tables import Contract, ContractSignature, SigningKey

APP_CONFIG = AppConfig(
    app_name="contracts",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[SigningKey, Contract, ContractSignature],
    migration_dependencies=["gpcloud.transaction.piccolo_app"],
    commands=[],
)
