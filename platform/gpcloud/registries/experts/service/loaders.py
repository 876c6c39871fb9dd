"""Batch loaders for the API (gpcloud.core.graphql.dataloaders): related rows in one query per
request."""

from __future__ import annotations

from gpcloud.core.batch import row_lists_by_key, rows_by_key
from gpcloud.registries.experts.service.availability import AVOIDANCE_COLUMNS, LEAVE_COLUMNS
from gpcloud.registries.experts.tables import Expert, ExpertAvoidance, ExpertLeave, ExpertRegion

regions_by_expert = row_lists_by_key(
    ExpertRegion, ExpertRegion.expert, ExpertRegion.expert, ExpertRegion.region
)
leaves_by_expert = row_lists_by_key(ExpertLeave, ExpertLeave.expert, *LEAVE_COLUMNS)
avoidances_by_expert = row_lists_by_key(ExpertAvoidance, ExpertAvoidance.expert, *AVOIDANCE_COLUMNS)

# The expert draw's committee lists: names once they are unsealed (evaluation/).
names_by_id = rows_by_key(Expert, Expert.id, Expert.id, Expert.name, Expert.title, Expert.employer)
