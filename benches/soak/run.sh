#!/usr/bin/env bash
# Soak test of `tomas serve` (not in CI): mixed reads, proposals and approvals, and bad requests for
# DURATION seconds, with the server killed (SIGKILL) and restarted half-way, on SQLite and — when
# PostgreSQL answers on 127.0.0.1:5432 — on PostgreSQL. Prints, per backend: requests served,
# answers by status, 5xx (must be 0; requests that could not connect while the server was down are
# counted apart), acknowledged writes and how many were lost (must be 0), and the server's memory
# (RSS) at start and end.
#
#   bash benches/soak/run.sh                         # 10 minutes per backend, 8 clients
#   DURATION=60 BACKENDS=sqlite bash benches/soak/run.sh     # a quick look
#
# Environment: DURATION (600 s), CLIENTS (8), BACKENDS ("sqlite postgres"), PG_URL
# (postgres://postgres@127.0.0.1:5432/test; a fresh database is created next to it), TOMAS (a
# tomas binary instead of building one). Only loopback is used.
set -euo pipefail

DURATION=${DURATION:-600}
CLIENTS=${CLIENTS:-8}
BACKENDS=${BACKENDS:-sqlite postgres}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/test}
root=$(cd "$(dirname "$0")/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
password="soak password 1234"

echo "== building tomas and the soak client (release)" >&2
(cd "$root" && cargo build --release -q -p tomas && cargo build --release -q -p web --example soak)
tomas=${TOMAS:-$target/release/tomas}
soak=$target/release/examples/soak

tmp=$(mktemp -d)
server_pid=""
cleanup() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

start_server() { # data_dir db_args...
  local data=$1; shift
  "$tomas" serve --listen "127.0.0.1:$PORT" --data-dir "$data" "$@" >>"$tmp/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 200); do
    if curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "server did not start; log:" >&2; tail -20 "$tmp/server.log" >&2; exit 1
}

for backend in $BACKENDS; do
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  data=$tmp/data-$backend
  db_args=()
  if [[ $backend == postgres ]]; then
    name=tomas_soak_$$
    if ! psql "$PG_URL" -qc "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name" >/dev/null 2>&1; then
      echo "== postgres: skipped (no server at $PG_URL)"; continue
    fi
    db_args=(--database-url "${PG_URL%/*}/$name")
  fi
  for user in soak-editor:editor soak-reviewer:reviewer; do
    printf '%s\n' "$password" | "$tomas" user add "${user%%:*}" --role "${user##*:}" --password-stdin \
      --data-dir "$data" "${db_args[@]}" >/dev/null
  done
  start_server "$data" "${db_args[@]}"
  rss_start=$(rss_kib "$server_pid")
  "$soak" "http://127.0.0.1:$PORT" "$DURATION" "$CLIENTS" soak-editor soak-reviewer "$password" >"$tmp/result.json" &
  soak_pid=$!
  sleep $((DURATION / 2))
  rss_mid=$(rss_kib "$server_pid")
  echo "== $backend: kill -9 the server at $((DURATION / 2)) s and restart it" >&2
  kill -9 "$server_pid"; wait "$server_pid" 2>/dev/null || true
  start_server "$data" "${db_args[@]}"
  wait "$soak_pid"
  rss_end=$(rss_kib "$server_pid")
  python3 - "$backend" "$rss_start" "$rss_mid" "$rss_end" "$tmp/result.json" <<'PY'
import json, sys
backend, rss_start, rss_mid, rss_end, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
r = json.load(open(path))
print(f"{backend:9} requests {r['requests']:>8}  by status {r['by_status']}  5xx {r['server_errors']}  "
      f"refused while down {r['down']}  acknowledged writes {r['acknowledged_writes']}  lost {r['lost_writes']}  "
      f"RSS {rss_start/1024:.0f} MiB at start, {rss_mid/1024:.0f} MiB before the kill, {rss_end/1024:.0f} MiB at the end")
PY
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
  if [[ $backend == postgres ]]; then psql "$PG_URL" -qc "DROP DATABASE IF EXISTS $name" >/dev/null 2>&1 || true; fi
done
