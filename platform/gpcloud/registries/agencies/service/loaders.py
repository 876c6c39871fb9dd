"""Batch loaders for the API (gpcloud.core.graphql.dataloaders): related rows in one query per
request."""

from __future__ import annotations

from gpcloud.core.batch import row_lists_by_key
from gpcloud.registries.agencies.service.common import ROOM_COLUMNS
from gpcloud.registries.agencies.tables import AgencyRoom, AgencyTenant

tenants_by_agency = row_lists_by_key(
    AgencyTenant, AgencyTenant.agency, AgencyTenant.agency, AgencyTenant.tenant
)
rooms_by_agency = row_lists_by_key(AgencyRoom, AgencyRoom.agency, *ROOM_COLUMNS)
