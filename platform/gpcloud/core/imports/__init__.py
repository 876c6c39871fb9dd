"""Bulk import of registry files (CSV, XLSX): validate every row, upsert the valid ones in
batches, report the rejected ones. Registries describe their files with an ImportSpec; on
PostgreSQL a spec's BulkPath writes new records set-based from a staging table (staging.py)."""
