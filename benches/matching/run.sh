#!/usr/bin/env bash
# Matching benchmark: tomas's exact Hamming index against FAISS IndexBinaryMultiHash(256, 16, 16),
# the index Meta's HMA uses for PDQ, on identical files.
#
#   bash benches/matching/run.sh              # 10M hashes, 10k queries, radius 31
#   N=1000000 bash benches/matching/run.sh    # quicker
#
# Environment: N (database size, default 10000000), QUERIES (10000), RADIUS (31), SEED (20260101),
# MAX_FLIPS (40: queries are database entries with 0..=MAX_FLIPS bits flipped), DATA (where the
# generated files go, default benches/matching/data), SKIP_FAISS=1 (tomas only), SKIP_BANK=1 (no
# bank import/reopen timing), TOMAS (a tomas binary to use instead of building one).
# Needs cargo and python3 (FAISS is installed from PyPI into benches/.venv on first run).
# Both engines run single-threaded. The machine may be shared: compare the two engines' figures
# from the same run (the ratio), and prefer queries per CPU-second, which is less noisy.
set -euo pipefail

N=${N:-10000000}
QUERIES=${QUERIES:-10000}
RADIUS=${RADIUS:-31}
SEED=${SEED:-20260101}
MAX_FLIPS=${MAX_FLIPS:-40}
root=$(cd "$(dirname "$0")/../.." && pwd)
data=${DATA:-$root/benches/matching/data}
venv=$root/benches/.venv
target=${CARGO_TARGET_DIR:-$root/target}
mkdir -p "$data"

if [[ -n ${TOMAS:-} ]]; then
  tomas=$TOMAS
else
  echo "== building tomas (release)" >&2
  (cd "$root" && cargo build --release -q -p tomas)
  tomas=$target/release/tomas
fi

db=$data/db-$N-$SEED.txt
q=$data/queries-$N-$QUERIES-$MAX_FLIPS-$SEED.txt
if [[ ! -s $db || ! -s $q ]]; then
  echo "== generating $N hashes and $QUERIES queries (seed $SEED)" >&2
  "$tomas" index gen --n "$N" --queries "$QUERIES" --max-flips "$MAX_FLIPS" --seed "$SEED" \
    --db-out "$db" --queries-out "$q"
fi

results=$data/results-$N-$QUERIES-$RADIUS.jsonl
: > "$results"
echo "== tomas (split chosen from N)" >&2
"$tomas" index bench --db "$db" --queries "$q" --radius "$RADIUS" --threads 1 | tee -a "$results"
echo "== tomas (16 x 16 bits, FAISS's and HMA's split)" >&2
"$tomas" index bench --db "$db" --queries "$q" --radius "$RADIUS" --threads 1 --parts 16 | tee -a "$results"

if [[ ${SKIP_FAISS:-0} != 1 ]]; then
  if [[ ! -x $venv/bin/python ]] || ! "$venv/bin/python" -c 'import faiss, numpy' 2>/dev/null; then
    echo "== installing faiss-cpu into $venv" >&2
    python3 -m venv "$venv"
    echo '*' > "$venv/.gitignore"
    "$venv/bin/pip" install -q faiss-cpu numpy
  fi
  echo "== faiss IndexBinaryMultiHash(256, 16, 16)" >&2
  OMP_NUM_THREADS=1 "$venv/bin/python" "$root/benches/matching/faiss_bench.py" \
    --db "$db" --queries "$q" --radius "$RADIUS" --threads 1 | tee -a "$results"
fi

if [[ ${SKIP_BANK:-0} != 1 ]]; then
  echo "== bank store: import the database as a PDQ bank, then reopen it" >&2
  bankdir=$data/bank-data
  rm -rf "$bankdir"
  timer=()
  [[ -x /usr/bin/time ]] && timer=(/usr/bin/time -f "import: %e s wall, %M KiB peak RSS")
  "${timer[@]}" "$tomas" bank import BENCH "$db" --kind pdq --label synthetic --data-dir "$bankdir"
  ls -l "$bankdir/banks/BENCH.bank" >&2
  "$tomas" bank verify BENCH --data-dir "$bankdir"
  rm -rf "$bankdir"
fi

python3 - "$results" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print()
print("| engine | tables | build s | queries | matches | qps (wall) | qps per CPU-s | bytes/hash |")
print("|---|---|---|---|---|---|---|---|")
for r in rows:
    bph = r.get("index_bytes_per_hash", r.get("rss_growth_bytes_per_hash"))
    print(f"| {r['engine']} | {r.get('tables', 16)} | {r['build_s']} | {r['queries']} | {r['matches']} "
          f"| {r['qps']} | {r['qps_per_cpu_s']} | {bph} |")
ours, faiss = rows[0], (rows[2] if len(rows) > 2 else None)
ok = len({r["matches"] for r in rows}) == 1
print()
print("same number of matches:", "yes" if ok else "NO: " + ", ".join(str(r["matches"]) for r in rows))
if faiss:
    print(f"tomas / faiss, queries per second: wall {ours['qps'] / faiss['qps']:.1f}x, "
          f"per CPU-second {ours['qps_per_cpu_s'] / faiss['qps_per_cpu_s']:.1f}x")
    print(f"bytes per hash: tomas {ours['index_bytes_per_hash']} (index arrays), "
          f"{ours['rss_growth_bytes_per_hash']} (RSS growth); faiss {faiss['rss_growth_bytes_per_hash']} (RSS growth)")
sys.exit(0 if ok else 1)
PY
