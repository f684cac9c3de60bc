"""Decode + PDQ throughput of HMA's hasher on one thread, phase by phase.

HMA (python-threatexchange `signal_type/pdq/pdq_hasher.py`) decodes with Pillow, takes the pixels
as a numpy array (greyscale stacked to three channels) and calls `pdqhash.compute`, the Python
binding of Meta's C++ PDQ core at full resolution. This script does exactly that for each file,
over several rounds with the files' bytes held in memory, and prints one line of key=value figures
in the same format as the Rust side (`crates/media/examples/hashing_speed.rs`).

usage: python pdqhash_bench.py [--rounds N] FILE...
"""

import io
import os
import sys
import time

import numpy as np
import pdqhash
from PIL import Image


def pixels(data: bytes) -> np.ndarray:
    image = Image.open(io.BytesIO(data))
    if image.mode == "LA":
        image = image.convert("RGB")
    array = np.asarray(image)
    if array.ndim == 2:
        array = np.concatenate([array[..., np.newaxis]] * 3, axis=2)
    return array


def main() -> None:
    args = sys.argv[1:]
    rounds = 5
    if args[:1] == ["--rounds"]:
        rounds = int(args[1])
        args = args[2:]
    if not args:
        sys.exit("usage: pdqhash_bench.py [--rounds N] FILE...")
    blobs = [open(f, "rb").read() for f in args]
    for b in blobs:  # warm-up round, not counted
        pdqhash.compute(pixels(b))
    t_decode = t_pdq = 0.0
    n = 0
    cpu0 = os.times()
    for _ in range(rounds):
        for b in blobs:
            t0 = time.perf_counter()
            array = pixels(b)
            t1 = time.perf_counter()
            pdqhash.compute(array)
            t2 = time.perf_counter()
            t_decode += t1 - t0
            t_pdq += t2 - t1
            n += 1
    cpu1 = os.times()
    cpu = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
    total = t_decode + t_pdq
    print(
        f"engine=pdqhash images={n} cpu_seconds={cpu:.3f} wall_seconds={total:.3f} "
        f"images_per_second={n / cpu:.1f} decode_ms={t_decode * 1e3 / n:.2f} "
        f"pdq_ms={t_pdq * 1e3 / n:.2f}"
    )


if __name__ == "__main__":
    main()
