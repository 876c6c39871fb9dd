"""Versioned rule sets (RULES.md as data) and what a tenant's config may override."""
