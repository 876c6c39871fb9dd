"""Tenant plugins: hook specifications, discovery, provincial approval, per-tenant hook callers."""
