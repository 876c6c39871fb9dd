"""Benchmarks: run as modules (`uv run python -m tests.bench.<name>`), never as tests."""
