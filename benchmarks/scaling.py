"""1 -> 2 thread scaling of workload B1 alone, every sample listed.

    python benchmarks/scaling.py [--samples 5]

On a shared 2-vCPU VM the ratio varies from run to run; this script alternates the two thread
counts (2, 1, 2, 1, ...) so that a slow phase hits both, and prints every sample with the
ratio of the best times, for comparing engine versions at the same moment.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

import fastdescent as fd


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=5)
    ap.add_argument("--side", type=int, default=512, help="grid side (B1: 512)")
    args = ap.parse_args(argv)
    m = fd.models.gabor()
    a, b = np.meshgrid(np.linspace(-10, 10, args.side), np.linspace(2.5, 22.5, args.side),
                       indexing="ij")
    G = np.stack([a.ravel(), b.ravel()], 1)
    opt, steps = fd.optim.gd(lr=0.2), 200
    fd.run(m, opt, G[:1000], 5, progress=False)  # compile / load
    times = {2: [], 1: []}
    for _ in range(args.samples):
        for th in (2, 1):
            t = time.perf_counter()
            fd.run(m, opt, G, steps, threads=th, progress=False)
            times[th].append(time.perf_counter() - t)
    n = len(G) * steps
    for th in (2, 1):
        print(f"{th} thread(s): " + ", ".join(f"{n / t / 1e6:.1f}" for t in times[th])
              + " M traj-steps/s")
    print(f"best 2 threads / best 1 thread: {min(times[1]) / min(times[2]):.2f}")


if __name__ == "__main__":
    main()
