"""Benchmark: libm ``math.sin/cos/exp`` versus ``fastdescent.fastmath`` in a njit block loop.

The loop is the engine's pattern: B independent trajectories innermost, evaluated once per
step; each evaluation is one ``sincos`` plus one ``exp``. Run::

    python benchmarks/bench_fastmath.py [--evals 10000000] [--block 256] [--repeat 5]
    python benchmarks/bench_fastmath.py --accuracy [--samples 2000000]

Prints the best-of-``repeat`` wall time of each variant (after a warm-up call; runs interleaved)
and the ratio. On a shared or loaded machine use a larger ``--repeat``. ``--accuracy`` instead
prints the maximum ulp distance to libm on each argument range of the table in
:mod:`fastdescent.fastmath` (``tests/test_fastmath.py`` asserts the same bounds on fewer
samples).
"""
import argparse
import math
import os
import platform
import time

import numpy as np

# fastdescent first: it sets Numba's CPU features before Numba is imported
from fastdescent.fastmath import fast_exp, fast_sincos, ulp_distance
from numba import njit  # noqa: I001


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


@njit(cache=True)
def _eval_libm(x, s, c, e):
    for i in range(x.shape[0]):
        s[i] = math.sin(x[i])
        c[i] = math.cos(x[i])
        e[i] = math.exp(x[i])


@njit(cache=True)
def _eval_fast(x, s, c, e):
    for i in range(x.shape[0]):  # vectorized, like the engine's block loops
        s[i], c[i] = fast_sincos(x[i])
        e[i] = fast_exp(x[i])


def accuracy(n: int) -> None:
    rng = np.random.default_rng(1)
    sign = lambda m: rng.choice([-1.0, 1.0], m)  # noqa: E731
    k = np.arange(-(2 ** 20) // 2, 2 ** 20 // 2, dtype=np.float64)
    k = k[rng.permutation(k.size)[: max(1, n // 7)]] * (math.pi / 2)
    near = np.concatenate([k] + [np.nextafter(k, np.inf), np.nextafter(k, -np.inf)]
                          + [k + j * np.spacing(k) for j in (-3, -2, 2, 3)])
    rows = [
        ("trig", "uniform [-1, 1]", rng.uniform(-1, 1, n)),
        ("trig", "uniform [-100, 100]", rng.uniform(-100, 100, n)),
        ("trig", "uniform [-2**20, 2**20]", rng.uniform(-2.0 ** 20, 2.0 ** 20, n)),
        ("trig", "log-uniform |x| in [2**-40, 2**20]", np.exp2(rng.uniform(-40, 20, n)) * sign(n)),
        ("trig", "k*pi/2 in range, +-3 ulp", near[np.abs(near) <= 2.0 ** 20]),
        ("both", "tiny |x| < 2**-27 incl. subnormals",
         np.exp2(rng.uniform(-1074, -27, n)) * sign(n)),
        ("exp", "uniform [-745.2, 710]", rng.uniform(-745.2, 709.78, n)),
        ("exp", "uniform [-1, 1]", rng.uniform(-1, 1, n)),
        ("exp", "subnormal results, uniform [-745.2, -708.4]", rng.uniform(-745.2, -708.4, n)),
        ("exp", "log-uniform |x| in [2**-1074, 1]", np.exp2(rng.uniform(-1074, 0, n)) * sign(n)),
    ]
    print(f"max ulp distance to libm ({n:,} samples per row unless noted)")
    print(f"{'arguments':46s} {'sin':>5s} {'cos':>5s} {'exp':>5s}")
    for kind, name, x in rows:
        x = np.ascontiguousarray(x)
        ref = [np.empty_like(x) for _ in range(3)]
        got = [np.empty_like(x) for _ in range(3)]
        _eval_libm(x, *ref)
        _eval_fast(x, *got)
        d = [ulp_distance(g, r).max() for g, r in zip(got, ref)]
        cols = [f"{v:5.0f}" if (kind in ("trig", "both") and i < 2) or
                (kind in ("exp", "both") and i == 2) else "    -" for i, v in enumerate(d)]
        label = name if x.size == n else f"{name} ({x.size:,})"
        print(f"{label:46s} {' '.join(cols)}")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--evals", type=int, default=10_000_000, help="sincos+exp evaluations")
    p.add_argument("--block", type=int, default=256, help="trajectories per block (B)")
    p.add_argument("--repeat", type=int, default=9)
    p.add_argument("--accuracy", action="store_true", help="ulp distance to libm instead")
    p.add_argument("--samples", type=int, default=2_000_000, help="per row, with --accuracy")
    args = p.parse_args()
    if args.accuracy:
        accuracy(args.samples)
        return

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
