"""Warnings before publication (S4): rules that look at a procurement document or announcement
before it is published (rules/, one module per rule, each a built-in implementation of
gpcloud_check_publication so that a tenant's approved plugin adds its own), the tenant's levels
(block, warn, off) and the agencies' overrides of warn-level warnings (service.py).
docs/publication-warnings.md describes the rules and the flow."""

from gpcloud.supervision.warnings.service import check_publication, request_override

__all__ = ["check_publication", "request_override"]
