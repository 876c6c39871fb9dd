"""The one registry of domains: what the schema, the worker, the scheduler, the imports, the
calendar and Piccolo read to find every domain's parts.

It names modules and does not import them: core sits below every domain and never imports
one (pyproject.toml's import-linter contracts), so what core needs from the domains it loads
by name from here, the way Piccolo loads its apps. A domain's parts have fixed names
(docs/architecture.md): `graphql` (Queries / Mutations), `jobs` (job handlers), `workflow`
(state machines, timers), `imports` (SPEC or SPECS), `deadlines` (calendar recomputers).
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from functools import cache
from types import ModuleType


@dataclass(frozen=True)
class Domain:
    package: str
    # Its own Piccolo app (piccolo_app.py + piccolo_migrations/); core's subsystems share one.
    app: bool = True


CORE_APP = "gpcloud.core.piccolo_app"

# In layer order, lowest first: the schema's fields and the apps' migrations follow it.
DOMAINS: tuple[Domain, ...] = (
    Domain("gpcloud.core.tenancy", app=False),
    Domain("gpcloud.core.auth", app=False),
    Domain("gpcloud.core.jobs", app=False),
    Domain("gpcloud.core.audit", app=False),
    Domain("gpcloud.core.plugins", app=False),
    Domain("gpcloud.core.imports", app=False),
    Domain("gpcloud.core.calendar", app=False),
    Domain("gpcloud.core.rules", app=False),
    Domain("gpcloud.core.notifications", app=False),
    Domain("gpcloud.core.scheduler", app=False),
    Domain("gpcloud.core.keys", app=False),
    Domain("gpcloud.portal"),
    Domain("gpcloud.registries.purchasers"),
    Domain("gpcloud.registries.agencies"),
    Domain("gpcloud.registries.experts"),
    Domain("gpcloud.registries.suppliers"),
    Domain("gpcloud.registries.goods"),
    Domain("gpcloud.usage"),
    Domain("gpcloud.integrations.digital_finance"),
    Domain("gpcloud.supervision"),
    Domain("gpcloud.transaction"),
    Domain("gpcloud.emall"),
    Domain("gpcloud.contracts"),
    Domain("gpcloud.credit"),
    Domain("gpcloud.finance_services"),
    Domain("gpcloud.evaluation"),
    Domain("gpcloud.complaints"),
    # A read model of every domain above: keep it last.
    Domain("gpcloud.analytics"),
)

PICCOLO_APPS: tuple[str, ...] = (CORE_APP,) + tuple(
    f"{domain.package}.piccolo_app" for domain in DOMAINS if domain.app
)

# Who receives what a domain publishes (gpcloud.core.publishing), in the same transaction: the
# read models (portal, analytics) and the finance centre (guarantee releases, webhooks to
# institutions), which sit above the publishing domains and are never called back.
PUBLICATION_RECEIVERS: tuple[str, ...] = (
    "gpcloud.portal.service:publish",
    "gpcloud.finance_services.service.events:received",
    "gpcloud.analytics.service:receive",
)

# Who else acts on a transition ("<machine kind>.<action>"), in its transaction after the row is
# won (core/workflow/machine.py): a domain acting on another's step without that domain calling
# it. The credit check at evaluation (Caiku [2016] 125: its result governs) is taken as the
# committee starts.
TRANSITION_RECEIVERS: dict[str, tuple[str, ...]] = {
    "evaluation_committee.start_evaluation": (
        "gpcloud.credit.service.at_evaluation:committee_started",
    ),
}

# What credit asks of the evaluation above it before an agency rates an expert: did the expert
# sit on the agency's committee of the project, and when (evaluation/service/sittings.py).
EXPERT_SITTING = "gpcloud.evaluation.service.sittings:sitting"

# What the goods registry's catalogue search asks of the e-mall above it for listings a region's
# purchasers can order by direct purchase now (supplierListings' directPurchase filter): the
# e-mall's conditions, the same an order is checked against (emall/service/purchasable.py).
DIRECT_PURCHASE = "gpcloud.emall.service.purchasable:search_conditions"

# And for the search's mode flags (emall/service/availability.py): the modes a region's
# purchasers could use for each of a page's listings (DIRECT_PURCHASE's conditions with the
# designated and group-buy ones, one statement), the designated filter's condition, and each
# listing's alert holding its price (emall/service/prices.py).
LISTING_MODES = "gpcloud.emall.service.availability:modes_of"
DESIGNATED = "gpcloud.emall.service.availability:designated_condition"
LISTING_ALERTS = "gpcloud.emall.service.prices:holding_alerts"


@cache
def load(part: str) -> tuple[ModuleType, ...]:
    """Every domain's `part` module, imported in registry order; domains without one are
    skipped. Importing is what registers a domain's job handlers, machines and recomputers."""
    found = []
    for domain in DOMAINS:
        name = f"{domain.package}.{part}"
        if importlib.util.find_spec(name) is not None:
            found.append(importlib.import_module(name))
    return tuple(found)


@cache
def resolve(path: str):
    """The object named by "module:attribute"."""
    module, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module), attribute)
