"""A formula model against the hand-written model it restates: B1 throughput and compile time.

    python benchmarks/formula.py [--quick] [--repeat 5] [--skip-compile]

Throughput: B1 of ``benchmarks/run.py`` (GD, lr 0.2, 200 steps, 512 x 512 starts over the
Gabor box, 2 threads) on the built-in ``gabor()`` and on the same loss written as
``fd.models.formula``; the two are sampled in turn (one warm-up call each, then ``--repeat``
rounds), each keeping its best time, so that a slow phase of a shared machine hits both alike.
Compile time of a new formula model: a fresh process that builds a formula never seen before
(new parameter names, so a new cache key; the model-independent worker already built) and
runs one GD step, from the ``formula(...)`` call to the result (SymPy derivation, code
generation, Numba compilation of the kernels and the engine's block kernels); then the same
formula again in another fresh process (warm: the generated module and Numba's cache are
reused). Median of three each.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import uuid
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from run import grid, interleaved  # noqa: E402

import fastdescent as fd  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
GABOR = "(sin(p0 + 0.06*p1*x) * exp(-(p0 + 0.06*p1*x)**2/32) - y)**2"

FIRST_CALL = """
import time, numpy as np, fastdescent as fd
g = fd.models.gabor()
t = time.perf_counter()
m = fd.models.formula({loss!r}, {params!r}, x=g.X[:, 0], y=g.Y[:, 0], box=g.box)
t1 = time.perf_counter()
fd.run(m, fd.optim.gd(lr=0.2), np.array([[0.6, 5.0]]), 1, progress=False)
print(t1 - t, time.perf_counter() - t)
"""


def first_call(loss, params) -> tuple[float, float]:
    out = subprocess.run([sys.executable, "-c", FIRST_CALL.format(loss=loss, params=params)],
                         check=True, cwd=ROOT, capture_output=True, text=True).stdout.split()
    return float(out[0]), float(out[1])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller grid (smoke test)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--skip-compile", action="store_true")
    args = ap.parse_args(argv)

    g = fd.models.gabor()
    m = fd.models.formula(GABOR, ["p0", "p1"], x=g.X[:, 0], y=g.Y[:, 0], box=g.box)
    side, steps = (128, 50) if args.quick else (512, 200)
    G = grid(side)
    gd = fd.optim.gd(lr=0.2)
    (tb, rb, tsb), (tf, rf, tsf) = interleaved(
        [lambda: fd.run(g, gd, G, steps, threads=2, progress=False),
         lambda: fd.run(m, gd, G, steps, threads=2, progress=False)], args.repeat)
    n = len(G) * steps
    rel = np.abs(rf.params - rb.params) / np.maximum(np.abs(rb.params), 1.0)
    print(f"B1 GD {side}x{side}, {steps} steps, 2 threads, best of {args.repeat}:")
    print(f"  built-in gabor : {tb:.3f} s  {n / tb / 1e6:.2f} M trajectory-steps/s  "
          f"(samples {', '.join(f'{t:.2f}' for t in tsb)})")
    print(f"  formula gabor  : {tf:.3f} s  {n / tf / 1e6:.2f} M trajectory-steps/s  "
          f"(samples {', '.join(f'{t:.2f}' for t in tsf)})")
    print(f"  throughput ratio formula / built-in: {tb / tf:.3f}")
    print(f"  final parameters: 99.9th percentile relative difference "
          f"{np.quantile(rel, 0.999):.1e}, max {rel.max():.1e}")
    if args.skip_compile:
        return
    cold, warm = [], []
    for _ in range(3):
        params = [f"a_{uuid.uuid4().hex[:8]}", f"b_{uuid.uuid4().hex[:8]}"]
        loss = GABOR.replace("p0", params[0]).replace("p1", params[1])
        cold.append(first_call(loss, params))
        warm.append(first_call(loss, params))
    for what, v in (("new formula (cold)", cold), ("same formula, new process (warm)", warm)):
        gen = statistics.median(a for a, _ in v)
        tot = statistics.median(b for _, b in v)
        print(f"  {what}: formula() {gen:.2f} s, formula() + first GD step {tot:.2f} s "
              f"(median of 3: {', '.join(f'{b:.2f}' for _, b in sorted(v, key=lambda t: t[1]))})")


if __name__ == "__main__":
    main()
