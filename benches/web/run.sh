#!/usr/bin/env bash
# Load benchmark of the web platform: `tomas serve` (release build, SQLite, the shipped corpus) on
# loopback under wrk, for the matrix page, the matrix API, a requirement page and /healthz.
#
#   bash benches/web/run.sh    # 2 rounds x (4 paths x {16, 64} connections + 2 paths x 2 paced rates) x 20 s
#   ROUNDS=1 DURATION=5s bash benches/web/run.sh     # quick look
#
# Environment: ROUNDS (2), DURATION (20s per run), CONNECTIONS ("16 64"), THREADS (4 wrk threads),
# PATHS (default: / /api/v1/matrix <first requirement page> /healthz), PORT (a free one),
# PACED_RATES ("500 1000": also run the two matrix paths at these offered rates, PACED_CONNECTIONS=32
# connections each pausing ~PACED_CONNECTIONS/rate s between requests; PACED_PATHS="" skips this),
# TOMAS (a tomas binary to use instead of building one), OUT (results file, default
# <target>/web-bench/results-<time>.jsonl).
#
# Prints one row per run: requests/s, latency p50/p90/p99/max (ms), errors (connection errors and
# non-2xx/3xx answers), bytes per response, and the server's CPU time per request (from
# /proc/<pid>/stat), which is less sensitive to a noisy machine than requests/s.
# The server and wrk share the machine's cores: on a 2-core machine the figures are a floor.
# Only loopback is used. Needs cargo, curl and wrk (installed with apt-get when missing).
set -euo pipefail

ROUNDS=${ROUNDS:-2}
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-16 64}
THREADS=${THREADS:-4}
PACED_RATES=${PACED_RATES:-500 1000}
PACED_CONNECTIONS=${PACED_CONNECTIONS:-32}
PACED_PATHS=${PACED_PATHS-/ /api/v1/matrix}
root=$(cd "$(dirname "$0")/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
here=$root/benches/web

if ! command -v wrk >/dev/null 2>&1; then
  echo "== installing wrk" >&2
  if [[ $(id -u) == 0 ]]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wrk >/dev/null
fi

if [[ -n ${TOMAS:-} ]]; then
  tomas=$TOMAS
else
  echo "== building tomas (release)" >&2
  (cd "$root" && cargo build --release -q -p tomas)
  tomas=$target/release/tomas
fi

if [[ -z ${PORT:-} ]]; then
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
fi
base="http://127.0.0.1:$PORT"
tmp=$(mktemp -d)
server_pid=""
cleanup() {
  if [[ -n $server_pid ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

echo "== starting $tomas serve on $base (data in $tmp)" >&2
"$tomas" serve --data-dir "$tmp/data" --corpus "$root/corpus" --listen "127.0.0.1:$PORT" >"$tmp/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do
  if curl -fsS "$base/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "the server exited:" >&2; cat "$tmp/server.log" >&2; exit 1
  fi
  sleep 0.2
done
curl -fsS "$base/healthz" >/dev/null || { echo "no /healthz after 60 s" >&2; cat "$tmp/server.log" >&2; exit 1; }

if [[ -z ${PATHS:-} ]]; then
  page=$(curl -fsS "$base/")
  # (sed reads all its input: no SIGPIPE under pipefail, unlike head)
  req=$(grep -o 'href="/requirements/[^"#?]*"' <<<"$page" | sed -n '1{s/^href="//; s/"$//; p}')
  PATHS="/ /api/v1/matrix ${req:-} /healthz"
fi
for p in $PATHS; do
  curl -fsS -o /dev/null "$base$p" || { echo "GET $p failed before the benchmark" >&2; exit 1; }
done

out=${OUT:-$target/web-bench/results-$(date -u +%Y%m%dT%H%M%SZ).jsonl}
mkdir -p "$(dirname "$out")"
: >"$out"
tck=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }

echo "== warm-up (3 s per path)" >&2
for p in $PATHS; do wrk -t2 -c8 -d3s "$base$p" >/dev/null; done

run_one() { # round path connections delay_ms label
  local round=$1 p=$2 c=$3 d=$4 label=$5 before after line n secs rps p50 p90 p99 max bytes errors cpu_us per
  before=$(cpu_ticks)
  line=$(BENCH_DELAY_MS=$d wrk -t"$THREADS" -c"$c" -d"$DURATION" --latency -s "$here/report.lua" "$base$p" | grep '^RESULT ')
  after=$(cpu_ticks)
  read -r _ n secs rps p50 p90 p99 max bytes errors <<<"$line"
  cpu_us=$(awk -v d=$((after - before)) -v t="$tck" -v n="$n" 'BEGIN { printf "%.0f", n ? d / t * 1e6 / n : 0 }')
  per=$(awk -v b="$bytes" -v n="$n" 'BEGIN { printf "%.0f", n ? b / n : 0 }')
  printf '| %s | `%s` | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
    "$round" "$p" "$label" "$rps" "$p50" "$p90" "$p99" "$max" "$errors" "$per" "$cpu_us"
  printf '{"round":%s,"path":"%s","load":"%s","connections":%s,"delay_ms":%s,"threads":%s,"requests":%s,"seconds":%s,"rps":%s,"p50_ms":%s,"p90_ms":%s,"p99_ms":%s,"max_ms":%s,"errors":%s,"bytes_per_response":%s,"server_cpu_us_per_request":%s}\n' \
    "$round" "$p" "$label" "$c" "$d" "$THREADS" "$n" "$secs" "$rps" "$p50" "$p90" "$p99" "$max" "$errors" "$per" "$cpu_us" >>"$out"
}

echo "machine: $(nproc) cores, $(uname -r), load average before: $(cut -d' ' -f1-3 /proc/loadavg); server: $("$tomas" --version 2>/dev/null || echo tomas); wrk: $THREADS threads, $DURATION per run"
printf '| round | path | load | req/s | p50 ms | p90 ms | p99 ms | max ms | errors | bytes/resp | server CPU µs/req |\n'
printf '|---|---|---|---|---|---|---|---|---|---|---|\n'
for round in $(seq 1 "$ROUNDS"); do
  for p in $PATHS; do
    for c in $CONNECTIONS; do
      run_one "$round" "$p" "$c" 0 "$c conns"
    done
  done
  # Paced: a steady offered rate rather than as fast as possible, for latency at a given load.
  for p in $PACED_PATHS; do
    for r in $PACED_RATES; do
      run_one "$round" "$p" "$PACED_CONNECTIONS" $((PACED_CONNECTIONS * 1000 / r)) "paced ~$r/s"
    done
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "results: $out" >&2
