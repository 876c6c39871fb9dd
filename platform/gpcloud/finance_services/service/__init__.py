"""Every read and write of the finance centre (docs/finance-services.md)."""
