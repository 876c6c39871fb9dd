#!/usr/bin/env bash
# What CI checks of the deployment artefacts on a machine without a container engine
# (docs/deployment.md, "Checking the artefacts"): the image's Python environment is built the
# way deploy/Dockerfile builds it, from the same files, in a clean folder; then that environment
# migrates a fresh database and answers its health probe.
set -euo pipefail
cd "$(dirname "$0")/.."
CLEAN="$(mktemp -d /tmp/gpcloud-image-XXXXXX)"
trap 'rm -rf "$CLEAN"' EXIT
# The build stage's COPY lines, in order (tests/ops/test_deploy.py keeps the two the same).
IMAGE_FILES=(pyproject.toml uv.lock README.md plugins platform deploy/build-env.sh)
for f in "${IMAGE_FILES[@]}"; do
  mkdir -p "$CLEAN/$(dirname "$f")"
  cp -r "$f" "$CLEAN/$f"
done
# The run stage adds these.
cp -r config tenants "$CLEAN/"
sh "$CLEAN/deploy/build-env.sh" "$CLEAN"
export GPCLOUD_VAR="$CLEAN/var"
(cd "$CLEAN" && env -u GPCLOUD_DB -u GPCLOUD_REDIS .venv/bin/gpcloud migrate >/dev/null)
(cd "$CLEAN" && env -u GPCLOUD_DB -u GPCLOUD_REDIS .venv/bin/python - <<'PY'
import asyncio, httpx
from gpcloud.app import create_app

async def main():
    transport = httpx.ASGITransport(app=create_app(run_worker=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://image") as client:
        live = await client.get("/health/live")
        ready = await client.get("/health/ready")
    assert live.status_code == 200, live.text
    assert ready.json()["checks"]["migrations"]["ok"], ready.text
    print("image environment: migrated, live, ready:", ready.json()["status"])

asyncio.run(main())
PY
)
