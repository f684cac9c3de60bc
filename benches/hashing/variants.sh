#!/usr/bin/env bash
# Re-encoded variants of two reference photos: `tomas hash` against Meta's C++ PDQ core
# (pdqhash) on the same pixels as RGB. One command: bash benches/hashing/variants.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
shared="${TOMAS_SHARED:-$root/../shared}"
images="$shared/pdq/images"
[[ -d "$images" ]] || { echo "no reference images at $images (set TOMAS_SHARED)" >&2; exit 2; }
cargo build --quiet --release -p tomas
venv="$root/benches/.venv"
if [[ ! -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c "import pdqhash, PIL, numpy" 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check \
        "pdqhash==${PDQHASH_VERSION:-0.2.8}" "pillow==${PILLOW_VERSION:-13.0.0}" "numpy==${NUMPY_VERSION:-2.4.6}"
fi
"$venv/bin/python" "$root/benches/hashing/variants.py" "${CARGO_TARGET_DIR:-$root/target}/release/tomas" "$images"
