"""Benchmark: the Dask cluster path of ``fastdescent.sweep`` against the local run.

One sweep (Gabor, Adam, a grid of starting points x 2 learning rates, full batch) is timed

* locally with ``threads=2`` and ``threads=1``;
* on a ``LocalCluster`` (processes) of 1 and of 2 workers with 1 thread each, started before
  the clock and warmed up (workers import fastdescent and load the cached engine once);

and every result is checked bitwise against the local one. Run::

    python benchmarks/bench_distributed.py [--grid 160] [--steps 400] [--repeat 3]

Prints best-of-``repeat`` wall times (runs interleaved, so a load spike hits all variants),
throughput in trajectory-steps per second, and each variant relative to the local 2-thread
run. Cluster times include everything a user waits for inside ``sweep``: connecting, sending
the plan, scheduling the tiles, streaming the results back and assembling the Dataset.
"""
import argparse
import os
import platform
import time

import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--grid", type=int, default=160, help="grid points per axis (default 160)")
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--chunk-size", type=int, default=None,
                    help="trajectories per tile (default: the engine's estimate)")
    args = ap.parse_args()

    import distributed

    import fastdescent as fd
    from fastdescent.engine.distributed import tile_size
    from fastdescent.engine.sweeps import make_plan
    from fastdescent.optim import adam

    model = fd.models.gabor()
    opt = adam(lr=0.05)
    inits = fd.grid(model, args.grid)
    kw = dict(lr=[0.01, 0.05])

    def sweep(**extra):
        return fd.sweep(model, opt, inits, args.steps, progress=False, **kw, **extra)

    plan = make_plan(model, opt, inits, args.steps, **kw)
    work = plan.size * args.steps
    fd.sweep(model, opt, inits, 5, lr=[0.01])  # compile / load the engine here
    ref = sweep(threads=2)

    def same(ds):
        for v in ("params", "loss", "status", "steps"):
            a, b = ref[v].values, ds[v].values
            assert np.array_equal(a.view(np.uint8), b.view(np.uint8)), v

    clusters = {}
    for n in (1, 2):
        cluster = distributed.LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                           dashboard_address=":0", host="127.0.0.1")
        client = distributed.Client(cluster, set_as_default=False)
        t = time.perf_counter()
        fd.sweep(model, opt, inits, 5, lr=[0.01], scheduler=client)  # warm the workers
        clusters[n] = (cluster, client, time.perf_counter() - t)

    variants = {
        "local, threads=2": lambda: sweep(threads=2),
        "local, threads=1": lambda: sweep(threads=1),
        "Dask, 1 worker x 1 thread": lambda: sweep(scheduler=clusters[1][1],
                                                   chunk_size=args.chunk_size),
        "Dask, 2 workers x 1 thread": lambda: sweep(scheduler=clusters[2][1],
                                                    chunk_size=args.chunk_size),
    }
    best = {k: float("inf") for k in variants}
    try:
        for _ in range(args.repeat):
            for name, fn in variants.items():
                t = time.perf_counter()
                ds = fn()
                best[name] = min(best[name], time.perf_counter() - t)
                same(ds)
    finally:
        import logging

        logging.getLogger("distributed").setLevel(logging.CRITICAL)  # shutdown chatter
        for cluster, client, _ in clusters.values():
            client.close()
            cluster.close()

    tile = args.chunk_size or tile_size(plan, 2)
    print(f"# fastdescent.sweep on a Dask LocalCluster vs local "
          f"({platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f})")
    print(f"gabor/adam, {plan.size} trajectories x {args.steps} steps "
          f"({args.grid}x{args.grid} grid x 2 lr), tile {tile} trajectories (2 workers), "
          f"best of {args.repeat}; all results bitwise identical to the local run")
    print(f"first sweep on a fresh cluster (workers import fastdescent, load the engine): "
          f"{clusters[1][2]:.2f} s (1 worker), {clusters[2][2]:.2f} s (2 workers)\n")
    base = best["local, threads=2"]
    print("| run | time (s) | trajectory-steps/s | vs local 2 threads |")
    print("|---|---:|---:|---:|")
    for name, t in best.items():
        print(f"| {name} | {t:.2f} | {work / t:.3g} | {base / t:.2f}x |")


if __name__ == "__main__":
    main()
