"""Tenants (administrative regions), the request/job scope and fail-closed table bases."""
