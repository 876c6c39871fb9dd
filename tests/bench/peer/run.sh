#!/usr/bin/env bash
# gpcloud against raw SQL and PostGraphile 5 on the same notices, in one run (issue 6).
#
#   tests/bench/peer/run.sh postgresql://postgres@127.0.0.1:5432/gpcloud_bench_NNN
#
# The database is one kept by `python -m tests.bench.bench_portal --keep` (1,000,000 notices).
# The harness is ../shared/peer-bench (GPCLOUD_PEER_BENCH to point elsewhere), staged under
# /tmp/peer-bench/harness with four changes, each checked below:
#   - raw_endpoint.py reads the view peer.notice (peer.sql: gpcloud's notice table as the public
#     sees it, in the harness's column names) in gpcloud's order (published_on, published_at, id);
#   - graphile.config.mjs serves the schema peer; query.graphql (here) orders like gpcloud;
#   - bench.py sends gpcloud the notice type as its GraphQL enum name (TENDER for tender).
# gpcloud runs as `gpcloud serve` (one process, pool of 10 like the others, real Redis) without
# an access log, as the others run. Env: DURATION, WARMUP, CONCURRENCY, ROUNDS (see load.sh);
# WORKERS=2 runs gpcloud with two processes (its CPU column is then left empty: load.sh counts
# one process).
set -euo pipefail
URL="${1:?usage: run.sh postgresql://USER@HOST:PORT/DATABASE}"
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
SHARED="${GPCLOUD_PEER_BENCH:-$ROOT/../shared/peer-bench}"
STAGE=/tmp/peer-bench/harness
DB="${URL##*/}"
PORT=5680

rm -rf "$STAGE" && mkdir -p "$STAGE" /tmp/peer-bench/run /tmp/peer-bench/logs
cp "$SHARED"/* "$STAGE"/
cp "$HERE/query.graphql" "$STAGE/query.graphql"
patch() {  # file, sed expression, text that must be there afterwards
  sed -i "$2" "$STAGE/$1"
  grep -qF "$3" "$STAGE/$1" || { echo "[peer] could not adapt $1 ($3)" >&2; exit 1; }
}
patch raw_endpoint.py 's/FROM notice AS n/FROM peer.notice AS n/' 'FROM peer.notice AS n'
patch raw_endpoint.py 's/ORDER BY n.published_at DESC, n.id DESC/ORDER BY n.published_on DESC, n.published_at DESC, n.id DESC/' \
  'ORDER BY n.published_on DESC'
patch graphile.config.mjs 's/schemas: \["public"\]/schemas: ["peer"]/' 'schemas: ["peer"]'
patch bench.py 's/"variables": {"city": city, "type": ntype,/"variables": {"city": city, "type": ntype.upper() if t["name"] == "product" else ntype,/' \
  'ntype.upper() if t["name"] == "product"'

psql -X -q -v ON_ERROR_STOP=1 "$URL" -f "$HERE/peer.sql"
export PEERBENCH_DSN="postgres://peerbench:peerbench@127.0.0.1:5432/$DB"
"$STAGE/stop-all.sh" >/dev/null 2>&1 || true
"$STAGE/start-raw.sh"
"$STAGE/start-postgraphile.sh"

cd "$ROOT"
GPCLOUD_DB="$URL" GPCLOUD_REDIS="${GPCLOUD_REDIS:-redis://127.0.0.1:6379/0}" \
  GPCLOUD_REDIS_NAMESPACE=gpcloud-peer GPCLOUD_DB_POOL_MIN=10 GPCLOUD_DB_POOL_MAX=10 \
  nohup "$ROOT/.venv/bin/gpcloud" serve --port "$PORT" --no-worker --no-access-log \
  --workers "${WORKERS:-1}" \
  >/tmp/peer-bench/logs/gpcloud.log 2>&1 &
GPCLOUD_PID=$!
for _ in $(seq 60); do
  curl -sf -m 2 "http://127.0.0.1:$PORT/health" >/dev/null && break
  kill -0 "$GPCLOUD_PID" 2>/dev/null || { echo "[peer] gpcloud died:"; tail -20 /tmp/peer-bench/logs/gpcloud.log; exit 1; }
  sleep 1
done
echo "[peer] gpcloud up on 127.0.0.1:$PORT, pid $GPCLOUD_PID"

trap '"$STAGE/stop-all.sh" >/dev/null 2>&1 || true; kill "$GPCLOUD_PID" 2>/dev/null || true' EXIT
cpu_pid="$GPCLOUD_PID"; [[ "${WORKERS:-1}" == 1 ]] || cpu_pid=""
PRODUCT_PID="$cpu_pid" "$STAGE/load.sh" --product="http://127.0.0.1:$PORT/graphql,$HERE/gpcloud.graphql"
