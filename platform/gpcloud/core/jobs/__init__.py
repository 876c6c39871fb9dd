"""Background jobs: a Job record per run (status, progress, counts, error) and the arq runner."""
