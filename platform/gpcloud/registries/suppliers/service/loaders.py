"""Batch loaders for the API (gpcloud.core.graphql.dataloaders): related rows in one query per
request."""

from __future__ import annotations

from gpcloud.core.batch import row_lists_by_key
from gpcloud.registries.suppliers.service.records import QUALIFICATION_COLUMNS
from gpcloud.registries.suppliers.tables import SupplierQualification

qualifications_by_supplier = row_lists_by_key(
    SupplierQualification, SupplierQualification.supplier, *QUALIFICATION_COLUMNS
)
