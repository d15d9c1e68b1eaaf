"""B1 and B2 only: fastdescent float64 / float32 against the JAX peers' fastest configurations,
sampled in turn (a focused re-measurement beside ``run.py`` on a shared machine).

    python benchmarks/float32_vs_jax.py [--repeat 5] [--jax32 B1:written-out:8192,...]

Each ``--jax32``/``--jax64`` entry is ``WORKLOAD:GRAD:CHUNK`` (the configurations
``run.py`` found fastest); every implementation of a workload is called once to warm up, then
``--repeat`` rounds call each in turn and keep its best time. Prints a Markdown table.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import peers  # noqa: E402
from run import grid, interleaved, load, machine  # noqa: E402

import fastdescent as fd  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--side", type=int, default=256)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--jax32", default="B1:written-out:8192,B1:jax.grad:65536,"
                                       "B2:jax.grad:4096,B2:written-out:8192")
    ap.add_argument("--jax64", default="B1:written-out:65536,B2:jax.grad:4096")
    args = ap.parse_args(argv)
    m = fd.models.gabor()
    x, y = m.X[:, 0].copy(), m.Y[:, 0].copy()
    G, steps = grid(args.side), args.steps
    n = len(G)
    opts = {"B1": fd.optim.gd(lr=0.2),
            "B2": fd.optim.adam(lr=0.05, beta=0.9, gamma=0.99, eps=1e-8)}
    cfg = {"float32": [c.split(":") for c in args.jax32.split(",") if c],
           "float64": [c.split(":") for c in args.jax64.split(",") if c]}
    lines = ["| workload | implementation | best time (s) | trajectory-steps/s | samples (s) |",
             "|---|---|---:|---:|---|"]
    ratios = []
    for w in ("B1", "B2"):
        impl = [(f"fastdescent {dt} (2 thr)",
                 lambda dt=dt: fd.run(m, opts[w], G, steps, dtype=dt, threads=2,
                                      progress=False).params)
                for dt in ("float64", "float32")]
        for dt in ("float64", "float32"):
            for ww, g_, c_ in cfg[dt]:
                if ww == w:
                    impl.append((f"JAX {dt}, {g_}, chunk {int(c_):,}",
                                 lambda r=peers.jax_runner(x, y, dt, g_, int(c_), w): r(G, steps)))
        out = interleaved([f for _, f in impl], args.repeat)
        rate = {}
        for (who, _), (t, _, ts) in zip(impl, out):
            rate[who] = n * steps / t
            lines.append(f"| {w} | {who} | {t:.3f} | {rate[who] / 1e6:.2f} M | "
                         + ", ".join(f"{v:.2f}" for v in ts) + " |")
        f32, f64 = rate["fastdescent float32 (2 thr)"], rate["fastdescent float64 (2 thr)"]
        j32 = max(v for k, v in rate.items() if k.startswith("JAX float32"))
        j64 = max(v for k, v in rate.items() if k.startswith("JAX float64"))
        ratios += [(f"{w} fastdescent float32 / float64", f32 / f64),
                   (f"{w} fastdescent float32 / fastest JAX float32", f32 / j32),
                   (f"{w} fastdescent float64 / fastest JAX float64", f64 / j64)]
    lines += ["", "| ratio (same run) | measured |", "|---|---:|"]
    lines += [f"| {k} | {v:.2f} |" for k, v in ratios]
    print(f"Command: `python benchmarks/float32_vs_jax.py --repeat {args.repeat}`  ")
    print(f"Machine: {machine()}; load average at the end: {load()}  ")
    print(f"Grid {args.side} x {args.side}, {steps} steps; {os.cpu_count()} cores\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
