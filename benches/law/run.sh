#!/usr/bin/env bash
# `tomas law check` on generated corpora of growing size. Loading and checking are linear in the
# size of the corpus, so the time per requirement should stay about the same from 1k to 100k.
#
#   bash benches/law/run.sh                      # 1k, 10k and 100k requirements
#   SIZES="1000 10000" bash benches/law/run.sh   # quicker
#
# Environment: SIZES (requirement counts, default "1000 10000 100000"), REPEATS (runs per size,
# default 3; the median is reported), DATA (where the corpora go, default a temporary directory
# removed at exit), TOMAS (a tomas binary to use instead of building one in release mode).
#
# Each corpus is written by crates/law/examples/gen_corpus.rs: one instrument with a provision for
# every ten requirements, N requirements in one file and one jurisdiction assessing all N in
# another, so both big files grow with N. Every corpus must pass the check (exit status 0).
# Times are whole-process wall and CPU seconds and peak RSS from /usr/bin/time (GNU time).
set -euo pipefail

SIZES=${SIZES:-1000 10000 100000}
REPEATS=${REPEATS:-3}
root=$(cd "$(dirname "$0")/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}

if [[ ! -x /usr/bin/time ]]; then
  echo "needs GNU time at /usr/bin/time (apt-get install time)" >&2
  exit 2
fi

echo "== building the corpus generator" >&2
(cd "$root" && cargo build -q -p law --example gen_corpus)
gen=$target/debug/examples/gen_corpus
if [[ -n ${TOMAS:-} ]]; then
  tomas=$TOMAS
else
  echo "== building tomas (release)" >&2
  (cd "$root" && cargo build --release -q -p tomas)
  tomas=$target/release/tomas
fi

if [[ -n ${DATA:-} ]]; then
  data=$DATA
  mkdir -p "$data"
else
  data=$(mktemp -d)
  trap 'rm -rf "$data"' EXIT
fi

median() {
  sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

rows=()
for n in $SIZES; do
  dir=$data/corpus-$n
  rm -rf "$dir"
  "$gen" "$dir" "$n"
  mib=$(du -sk "$dir" | awk '{ printf "%.1f", $1 / 1024 }')
  walls=() cpus=() rss=()
  for ((i = 1; i <= REPEATS; i++)); do
    /usr/bin/time -o "$data/time" -f "%e %U %S %M" "$tomas" law check "$dir" >/dev/null 2>"$data/stderr" || {
      echo "law check failed on $dir:" >&2
      tail -n 20 "$data/stderr" >&2
      exit 1
    }
    read -r wall user sys kib <"$data/time"
    walls+=("$wall")
    cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')")
    rss+=("$kib")
  done
  wall=$(printf '%s\n' "${walls[@]}" | median)
  cpu=$(printf '%s\n' "${cpus[@]}" | median)
  kib=$(printf '%s\n' "${rss[@]}" | median)
  echo "n=$n files_mib=$mib wall_s=${walls[*]} cpu_s=${cpus[*]} peak_kib=${rss[*]}" >&2
  rows+=("$(awk -v n="$n" -v mib="$mib" -v w="$wall" -v c="$cpu" -v k="$kib" \
    'BEGIN { printf "| %d | %s | %.2f | %.2f | %.1f | %.0f |", n, mib, w, c, c / n * 1e6, k / 1024 }')")
done

echo
echo "tomas law check, median of $REPEATS runs ($tomas):"
echo "| requirements | corpus MiB | wall s | CPU s | CPU µs per requirement | peak RSS MiB |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
