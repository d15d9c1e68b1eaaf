"""A/B throughput of two source trees of fastdescent on workloads B1 (GD) and B2 (Adam).

    python benchmarks/ab.py OLD_DIR NEW_DIR [--rounds 3] [--repeat 3] [--side 512] [--cpu-time]

Each round runs one fresh process per tree, alternating (A, B, A, B, ...), so that a slow
phase of a shared machine hits both alike; each process warms up (compiles or loads its
cache), then times B1 and B2 (``benchmarks/run.py``'s grid of Gabor starts, ``--side`` squared,
512 x 512 for B1 itself; 200 steps, all threads) ``--repeat`` times and reports its best. Prints every sample and, per
workload, the ratio of the medians of the per-round bests. ``OLD_DIR`` and ``NEW_DIR`` are
folders that contain a ``fastdescent`` package (e.g. ``git archive <commit> fastdescent``).

``--cpu-time`` runs one thread and times it by the process's CPU time instead of the wall
clock: on a machine shared with other work, a process waiting for a core accrues no CPU time,
so the ratio of two trees stays meaningful where wall times swing severalfold.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

CHILD = r"""
import json, sys, time
import numpy as np
import fastdescent as fd
assert fd.__file__.startswith(sys.argv[1]), fd.__file__
m = fd.models.gabor()
n = int(sys.argv[3])
a, b = np.meshgrid(np.linspace(-10, 10, n), np.linspace(2.5, 22.5, n), indexing="ij")
G = np.stack([a.ravel(), b.ravel()], 1)
work = {"B1": fd.optim.gd(lr=0.2), "B2": fd.optim.adam(0.05, 0.9, 0.99, 1e-8)}
out = {}
for name, opt in work.items():
    fd.run(m, opt, G[:4096], 20, progress=False, threads=THREADS)  # compile or load
    best = min(_timed(m, opt, G) for _ in range(int(sys.argv[2])))
    out[name] = G.shape[0] * 200 / best / 1e6
print(json.dumps(out))
"""
TIMER = r"""
CPU = sys.argv[4] == "1"
THREADS = 1 if CPU else None
CLOCK = time.process_time if CPU else time.perf_counter
def _timed(m, opt, G):
    t = CLOCK()
    fd.run(m, opt, G, 200, progress=False, threads=THREADS)
    return CLOCK() - t
"""


def sample(src: str, repeat: int, side: int, cache: str, cpu: bool = False) -> dict:
    env = dict(os.environ, PYTHONPATH=src, FASTDESCENT_CACHE_DIR=os.path.join(cache, "fd"),
               NUMBA_CACHE_DIR=os.path.join(cache, "numba"))
    if cpu:
        env["NUMBA_NUM_THREADS"] = "1"
    code = CHILD.replace("out = {}", TIMER + "\nout = {}")
    p = subprocess.run([sys.executable, "-P", "-c", code, os.path.abspath(src), str(repeat),
                        str(side), "1" if cpu else "0"],
                       env=env, capture_output=True, text=True, check=True)
    return json.loads(p.stdout.strip().splitlines()[-1])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--side", type=int, default=512)
    ap.add_argument("--cpu-time", action="store_true",
                    help="one thread, timed by CPU time (robust on a shared machine)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        caches = {k: os.path.join(tmp, k) for k in ("old", "new")}
        res = {"old": [], "new": []}
        for r in range(args.rounds):
            for k in ("old", "new") if r % 2 == 0 else ("new", "old"):
                s = sample(getattr(args, k), args.repeat, args.side, caches[k], args.cpu_time)
                res[k].append(s)
                print(f"round {r} {k}: " + ", ".join(f"{w} {v:.2f} M/s" for w, v in s.items()),
                      flush=True)
    for w in res["old"][0]:
        o = statistics.median(s[w] for s in res["old"])
        n = statistics.median(s[w] for s in res["new"])
        print(f"{w}: old {o:.2f} M/s, new {n:.2f} M/s, new/old {n / o:.3f}")


if __name__ == "__main__":
    main()
