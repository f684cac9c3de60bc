#!/usr/bin/env python3
"""FAISS side of the matching benchmark: the index Meta's HMA uses for PDQ.

Reads the same files as `tomas index bench` (one 64-hex hash per line), builds
faiss.IndexBinaryMultiHash(256, 16, 16) with nflip = radius // 16 (HMA's settings; exact by the
pigeonhole principle for radius <= 31), runs a range search for every query on one thread and
prints one JSON object with the same fields as `tomas index bench`.

FAISS's range_search is strict (distance < radius), so it is given radius + 1.
"""

import argparse
import json
import resource
import time

import faiss
import numpy as np


def read_hashes(path):
    with open(path, "rb") as f:
        text = f.read()
    lines = text.split()
    data = bytes.fromhex(b"".join(lines).decode("ascii"))
    return np.frombuffer(data, dtype=np.uint8).reshape(len(lines), 32)


def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def cpu_s():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", required=True)
    ap.add_argument("--queries", required=True)
    ap.add_argument("--radius", type=int, default=31)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=1,
                    help="queries per range_search call (1 = one at a time, like a lookup service)")
    args = ap.parse_args()

    faiss.omp_set_num_threads(args.threads)
    db = read_hashes(args.db)
    queries = read_hashes(args.queries)
    n = len(db)
    rss_before = rss_mb()

    start = time.perf_counter()
    index = faiss.IndexBinaryMultiHash(256, 16, 16)
    index.nflip = args.radius // 16
    index.add(db)
    build_s = time.perf_counter() - start
    rss_after_build = rss_mb()
    del db

    matches = 0
    start = time.perf_counter()
    cpu_start = cpu_s()
    for i in range(0, len(queries), args.batch):
        lims, _dist, _ids = index.range_search(queries[i:i + args.batch], args.radius + 1)
        matches += int(lims[-1])
    query_s = time.perf_counter() - start
    query_cpu_s = cpu_s() - cpu_start

    print(json.dumps({
        "engine": "faiss IndexBinaryMultiHash(256,16,16) nflip=%d" % index.nflip,
        "faiss_version": faiss.__version__,
        "n": n,
        "radius": args.radius,
        "threads": args.threads,
        "batch": args.batch,
        "build_s": round(build_s, 3),
        "queries": len(queries),
        "matches": matches,
        "query_s": round(query_s, 3),
        "qps": round(len(queries) / max(query_s, 1e-9), 1),
        "query_cpu_s": round(query_cpu_s, 3),
        "qps_per_cpu_s": round(len(queries) / max(query_cpu_s, 1e-9), 1),
        "rss_mb": round(rss_mb(), 1),
        "rss_growth_bytes_per_hash": round((rss_after_build - rss_before) * 1024 * 1024 / max(n, 1), 1),
    }))


if __name__ == "__main__":
    main()
