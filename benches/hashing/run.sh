#!/usr/bin/env bash
# Hashing benchmark: decode + PDQ per image on one core, TOMAS against HMA's hasher.
#
#   bash benches/hashing/run.sh            # ROUNDS=10 REPEATS=3 by default
#
# TOMAS: `crates/media/examples/hashing_speed.rs` (media::Hasher: zune-jpeg Y-channel decoding and
# the streaming PDQ engine). HMA: `benches/hashing/pdqhash_bench.py`, which does what
# python-threatexchange's pdq_hasher does (Pillow decode, numpy array, `pdqhash.compute`, the
# binding of Meta's C++ PDQ core); pdqhash, Pillow and numpy are installed from PyPI into
# benches/.venv on first use.
#
# Input: the 1600×1004 JPEGs of the PDQ reference set (bridge-1..8, blur-a-little, high-contrast;
# seven of the ten are progressive) from $TOMAS_SHARED/pdq/images, else ../shared/pdq/images
# from the repository root. Each engine holds the files' bytes in memory, runs one warm-up pass,
# then ROUNDS passes; it reports images per CPU-second (user + system time of the process, so
# other load on the machine inflates it less than wall time) and its per-phase wall times. The
# engines run alternately REPEATS times, both pinned to one CPU with taskset when available;
# the script prints each run, the medians, and the ratio TOMAS/HMA.
#
# Allocator: `tomas hash` tells glibc to keep freed multi-megabyte blocks (mallopt
# M_MMAP_THRESHOLD 64 MiB, M_TRIM_THRESHOLD 128 MiB) instead of returning them to the kernel and
# page-faulting them back for every image. The Rust harness gets the same setting through
# GLIBC_TUNABLES. HMA runs as it ships (glibc defaults); a third line shows HMA with the same
# setting, for a like-for-like view.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
rounds="${ROUNDS:-10}"
repeats="${REPEATS:-3}"

shared="${TOMAS_SHARED:-$root/../shared}"
images="$shared/pdq/images"
if [[ ! -d "$images" ]]; then
    echo "no reference images at $images (set TOMAS_SHARED)" >&2
    exit 2
fi
files=()
for f in bridge-1-original bridge-2-rotate-90 bridge-3-rotate-180 bridge-4-rotate-270 \
    bridge-5-flipx bridge-6-flipy bridge-7-flip-plus-1 bridge-8-flip-minus-1 \
    blur-a-little high-contrast; do
    files+=("$images/$f.jpg")
done

echo "== building (release)" >&2
cargo build --quiet --release -p media --example hashing_speed
target_dir="${CARGO_TARGET_DIR:-$root/target}"
tomas_bin="$target_dir/release/examples/hashing_speed"

venv="$root/benches/.venv"
if [[ ! -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c "import pdqhash, PIL, numpy" 2>/dev/null; then
    echo "== installing pdqhash, Pillow, numpy into benches/.venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check \
        "pdqhash==${PDQHASH_VERSION:-0.2.8}" "pillow==${PILLOW_VERSION:-13.0.0}" "numpy==${NUMPY_VERSION:-2.4.6}"
fi
versions="$("$venv/bin/python" -c 'import pdqhash, PIL, numpy; from importlib.metadata import version as v; print("pdqhash", v("pdqhash"), "Pillow", PIL.__version__, "numpy", numpy.__version__)')"

pin=()
if command -v taskset >/dev/null 2>&1; then
    pin=(taskset -c "${BENCH_CPU:-0}")
fi
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1

field() { # field NAME LINE
    sed -n "s/.*[[:space:]]$1=\([^[:space:]]*\).*/\1/p" <<<"$2"
}
median() {
    sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

echo "== ${#files[@]} JPEGs, $rounds rounds, $repeats repeats, ${pin[*]:-unpinned}; $versions" >&2
tunables="glibc.malloc.mmap_threshold=67108864:glibc.malloc.trim_threshold=134217728"
tomas_rates=() hma_rates=() hma_tuned_rates=() tomas_walls=() hma_walls=()
for ((i = 1; i <= repeats; i++)); do
    t="$(GLIBC_TUNABLES="$tunables" "${pin[@]}" "$tomas_bin" --rounds "$rounds" "${files[@]}")"
    h="$("${pin[@]}" "$venv/bin/python" "$root/benches/hashing/pdqhash_bench.py" --rounds "$rounds" "${files[@]}")"
    ht="$(GLIBC_TUNABLES="$tunables" "${pin[@]}" "$venv/bin/python" "$root/benches/hashing/pdqhash_bench.py" --rounds "$rounds" "${files[@]}")"
    echo "$t"
    echo "$h"
    echo "$ht (same allocator setting)"
    tomas_rates+=("$(field images_per_second "$t")")
    hma_rates+=("$(field images_per_second "$h")")
    hma_tuned_rates+=("$(field images_per_second "$ht")")
    tomas_walls+=("$(awk -v n="$(field images "$t")" -v s="$(field wall_seconds "$t")" 'BEGIN { print n / s }')")
    hma_walls+=("$(awk -v n="$(field images "$h")" -v s="$(field wall_seconds "$h")" 'BEGIN { print n / s }')")
done

t_med="$(printf '%s\n' "${tomas_rates[@]}" | median)"
h_med="$(printf '%s\n' "${hma_rates[@]}" | median)"
ht_med="$(printf '%s\n' "${hma_tuned_rates[@]}" | median)"
tw_med="$(printf '%s\n' "${tomas_walls[@]}" | median)"
hw_med="$(printf '%s\n' "${hma_walls[@]}" | median)"
echo
echo "images per CPU-second, one core, decode + PDQ (median of $repeats):"
printf '  TOMAS (media, zune-jpeg Y + streaming PDQ)   %8.1f\n' "$t_med"
printf '  HMA   (Pillow + pdqhash C++ core)            %8.1f\n' "$h_med"
awk -v a="$t_med" -v b="$h_med" 'BEGIN { printf "  ratio TOMAS / HMA                            %8.2fx\n", a / b }'
printf '  HMA with the same allocator setting          %8.1f\n' "$ht_med"
awk -v a="$t_med" -v b="$ht_med" 'BEGIN { printf "  ratio TOMAS / HMA (same allocator setting)   %8.2fx\n", a / b }'
echo "images per wall-second (same runs; noisier on a shared machine):"
printf '  TOMAS %8.1f   HMA %8.1f   ' "$tw_med" "$hw_med"
awk -v a="$tw_med" -v b="$hw_med" 'BEGIN { printf "ratio %.2fx\n", a / b }'
