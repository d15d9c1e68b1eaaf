"""Trajectories per block (``block_size``) against throughput, per precision.

The engine advances blocks of ``block_size`` trajectories, the loop over a block's lanes
innermost; the default block holds 512 bytes of each parameter row (64 float64 or 128 float32
lanes, ``fastdescent.engine.trajectories.DEFAULT_BLOCK``). This script times B1's workload
(Gabor, GD with lr 0.2) for several block sizes in both precisions, the sizes in turn within
each round (the order reversed every other round), and reports the median CPU time of the
process (both threads; less sensitive than wall time to other work on a shared machine) and
the median wall time::

    python benchmarks/block_size.py                  # 400 x 400 starts, 300 steps, 6 rounds
    python benchmarks/block_size.py --side 256 --rounds 4
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--side", type=int, default=400)
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--blocks", type=int, nargs="+", default=[32, 64, 128, 256])
    a = ap.parse_args(argv)
    import fastdescent as fd

    m = fd.models.gabor()
    starts = np.asarray(fd.grid(m, a.side).points)
    opt = fd.optim.gd(lr=0.2)
    load0 = os.getloadavg()[0]
    print(f"Gabor GD, {len(starts):,} starts x {a.steps} steps, {a.rounds} rounds")
    print("| dtype | block | CPU time, median (s) | wall time, median (s) | trajectory-steps/s (wall) |")
    print("|---|---:|---:|---:|---:|")
    for dt in ("float64", "float32"):
        cpu = {b: [] for b in a.blocks}
        wall = {b: [] for b in a.blocks}
        for b in a.blocks:  # compile outside the timing
            fd.run(m, opt, starts[:256], 5, dtype=dt, block_size=b, progress=False)
        for r in range(a.rounds):
            for b in (a.blocks if r % 2 == 0 else a.blocks[::-1]):
                c, w = time.process_time(), time.perf_counter()
                fd.run(m, opt, starts, a.steps, dtype=dt, block_size=b, progress=False)
                cpu[b].append(time.process_time() - c)
                wall[b].append(time.perf_counter() - w)
        for b in a.blocks:
            tw = statistics.median(wall[b])
            print(f"| {dt} | {b} | {statistics.median(cpu[b]):.3f} | {tw:.3f} | "
                  f"{len(starts) * a.steps / tw / 1e6:.2f} M |")
    print(f"load average {load0:.2f} -> {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
