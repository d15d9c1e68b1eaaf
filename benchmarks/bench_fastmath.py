"""Benchmark: libm ``math.sin/cos/exp`` versus ``fastdescent.fastmath`` in a njit block loop.

The loop is the engine's pattern: B independent trajectories innermost, evaluated once per
step; each evaluation is one ``sincos`` plus one ``exp``. Run::

    python benchmarks/bench_fastmath.py [--evals 10000000] [--block 256] [--repeat 5]

Prints the best-of-``repeat`` wall time of each variant (after a warm-up call; runs interleaved)
and the ratio. On a shared or loaded machine use a larger ``--repeat``.
"""
import argparse
import math
import os
import platform
import time

import numpy as np
from numba import njit

from fastdescent.fastmath import fast_exp, fast_sincos


@njit(cache=True)
def block_libm(a, c, steps, out):
    B = a.shape[0]
    for t in range(steps):
        x = 1e-3 * t
        for b in range(B):
            z = a[b] + 0.06 * c[b] * x
            s = math.sin(z)
            co = math.cos(z)
            e = math.exp(-z * z / 32.0)
            out[b] += s * e + 0.5 * co
    return out


@njit(cache=True)
def block_fast(a, c, steps, out):
    B = a.shape[0]
    for t in range(steps):
        x = 1e-3 * t
        for b in range(B):
            z = a[b] + 0.06 * c[b] * x
            s, co = fast_sincos(z)
            e = fast_exp(-z * z / 32.0)
            out[b] += s * e + 0.5 * co
    return out


def best_times(fns, a, c, steps, repeat):
    """Best-of-``repeat`` wall time of each kernel; runs are interleaved so load noise on a
    shared machine hits both variants alike."""
    for fn in fns:
        fn(a, c, 2, np.zeros_like(a))  # warm-up (compile or load from cache)
    best = [math.inf] * len(fns)
    outs = [None] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            out = np.zeros_like(a)
            t0 = time.perf_counter()
            fn(a, c, steps, out)
            best[i] = min(best[i], time.perf_counter() - t0)
            outs[i] = out
    return best, outs


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--evals", type=int, default=10_000_000, help="sincos+exp evaluations")
    p.add_argument("--block", type=int, default=256, help="trajectories per block (B)")
    p.add_argument("--repeat", type=int, default=9)
    args = p.parse_args()

    rng = np.random.default_rng(0)
    B = args.block
    a = rng.uniform(-3.0, 3.0, B)
    c = rng.uniform(-2.0, 2.0, B)
    steps = max(1, args.evals // B)
    n = steps * B

    (t_libm, t_fast), (o_libm, o_fast) = best_times((block_libm, block_fast), a, c, steps,
                                                    args.repeat)
    rel = np.max(np.abs(o_fast - o_libm) / np.maximum(np.abs(o_libm), 1.0))

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs")
    print(f"{n:,} sincos+exp evaluations, B = {B}, {steps:,} steps, best of {args.repeat}")
    print(f"libm  math.sin/cos/exp : {t_libm:8.4f} s  {1e9 * t_libm / n:6.2f} ns/eval")
    print(f"fast_sincos + fast_exp : {t_fast:8.4f} s  {1e9 * t_fast / n:6.2f} ns/eval")
    print(f"speed-up (libm / fast) : {t_libm / t_fast:8.2f}x")
    print(f"max rel. diff of the accumulated outputs: {rel:.1e}")


if __name__ == "__main__":
    main()
