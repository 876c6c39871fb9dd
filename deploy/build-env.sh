#!/bin/sh
# Build gpcloud's Python environment in FOLDER (default: the current one), exactly as the image
# does (deploy/Dockerfile runs this script) and as CI checks it (deploy/check.sh runs it in a
# clean folder): the versions of uv.lock, nothing else (--locked fails on a stale lock), no
# development tools, then an import of the whole application as a smoke test.
set -eu
cd "${1:-.}"
export UV_PYTHON_DOWNLOADS=never UV_LINK_MODE=copy UV_COMPILE_BYTECODE=1
uv sync --locked --no-dev
.venv/bin/python -c "import gpcloud.app, gpcloud.worker; print('gpcloud environment ok')"
