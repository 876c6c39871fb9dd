"""The one list of domains. Schema assembly, the worker and Piccolo's app registry read it.

A domain module may have `graphql.py` (Queries / Mutations) and `jobs.py` (job handlers);
each piccolo app holds the tables of one or more domains and their migrations.
"""

DOMAINS: tuple[str, ...] = (
    "gpcloud.core.tenancy",
    "gpcloud.core.auth",
    "gpcloud.core.jobs",
    "gpcloud.core.audit",
    "gpcloud.core.plugins",
    "gpcloud.core.imports",
    "gpcloud.core.calendar",
    "gpcloud.core.rules",
    "gpcloud.core.notifications",
    "gpcloud.core.scheduler",
    "gpcloud.core.keys",
    "gpcloud.portal",
    "gpcloud.registries.purchasers",
    "gpcloud.registries.agencies",
    "gpcloud.registries.experts",
    "gpcloud.registries.suppliers",
    "gpcloud.registries.goods",
    "gpcloud.integrations.digital_finance",
    "gpcloud.supervision",
    "gpcloud.transaction",
    "gpcloud.contracts",
)

PICCOLO_APPS: tuple[str, ...] = (
    "gpcloud.core.piccolo_app",
    "gpcloud.portal.piccolo_app",
    "gpcloud.registries.purchasers.piccolo_app",
    "gpcloud.registries.agencies.piccolo_app",
    "gpcloud.registries.experts.piccolo_app",
    "gpcloud.registries.suppliers.piccolo_app",
    "gpcloud.registries.goods.piccolo_app",
    "gpcloud.integrations.digital_finance.piccolo_app",
    "gpcloud.supervision.piccolo_app",
    "gpcloud.transaction.piccolo_app",
    "gpcloud.contracts.piccolo_app",
)
