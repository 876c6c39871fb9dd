"""The finance centre's piccolo app: institutions and their keys, guarantees, financing,
payee account changes, webhook deliveries."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from gpcloud.finance_services.tables import (
    BidGuarantee,
    FinancialInstitution,
    FinancingApplication,
    FinancingOffer,
    GuaranteeRequirement,
    InstitutionApiKey,
    PayeeAccountChange,
    WebhookDelivery,
)

APP_CONFIG = AppConfig(
    app_name="finance_services",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[
        FinancialInstitution,
        InstitutionApiKey,
        GuaranteeRequirement,
        BidGuarantee,
        FinancingApplication,
        FinancingOffer,
        PayeeAccountChange,
        WebhookDelivery,
    ],
    migration_dependencies=["gpcloud.credit.piccolo_app"],
    commands=[],
)
