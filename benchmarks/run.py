"""fastdescent benchmark suite: B1-B5 on the lecture's Gabor model against peers, same run.

    python benchmarks/run.py [--quick] [--write benchmarks/RESULTS.md]

Workloads (Gabor, 30 points, summed squared loss), each in float64 and float32:
  B1 GD grid        256 x 256 starts (phi0 in [-10, 10], phi1 in [2.5, 22.5]), lr 0.2, 200 steps
  B2 Adam grid      same grid and steps, Adam (0.05, 0.9, 0.99, 1e-8)
  B3 line search    128 x 128 grid, 20 steps of the bracketing line search (M 2, tol 1e-5, 15)
  B4 SGD+momentum   B1's grid, batch 5 without replacement, momentum (0.2, 0.9), 200 steps
  B5 scale          10^6 trajectories x 1000 steps of B1, no paths: time and peak memory
Peers (see peers.py), each in its best configuration, measured here:
  JAX jit(vmap(fori_loop)) on all cores (pip install -e .[bench]): chunk sizes 4k..64k and the
  gradient from jax.grad or written out are timed on 65,536 starts x 50 steps, per workload
  and dtype, and the fastest configuration is the one compared; torch.compile of the
  vectorized step (if installed), chunk 16k or 64k likewise; NumPy vectorized in chunks
  (1 thread, float64); the textbook one-trajectory loop (extrapolated).
Throughput = trajectory-steps per second, steady state (after a warm-up call), best of
``--repeat`` calls; all implementations of a workload are called in turn, so that a slow
phase of a shared machine hits every implementation alike. Compile time is measured in fresh
processes with empty caches, then again with warm caches (the median of three, each with its
own new cache). The float32 / float64 agreement is the share of B1's starts off the basin
boundaries (512 x 512 grid) whose two end points carry the same attractor label.
"""
from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import peers  # noqa: E402

import fastdescent as fd  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"B1_numpy": 10, "B2_numpy": 10, "B3_jax": 6,
           "B1_jax32": 3.5, "B2_jax32": 3.5, "B1_f32": 1.7, "B2_f32": 1.7, "agree": 0.99,
           "B4_over_B1": 1.5, "scaling": 1.8, "compile_s": 5.0, "warm_s": 1.5, "B5_mb": 300,
           "B5_s32": 40.0}


def grid(n):
    a, b = np.meshgrid(np.linspace(-10, 10, n), np.linspace(2.5, 22.5, n), indexing="ij")
    return np.stack([a.ravel(), b.ravel()], 1)


PAUSE_S = 1.0


def interleaved(fns, repeat):
    """``[(best time, last output, all times)]`` of each of ``fns``: one warm-up call each,
    then ``repeat`` rounds that call every function in turn."""
    outs = [fn() for fn in fns]
    times = [[] for _ in fns]
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            time.sleep(PAUSE_S)  # let the previous implementation's threads go idle
            t = time.perf_counter()
            outs[i] = fn()
            times[i].append(time.perf_counter() - t)
    return [(min(ts), out, ts) for ts, out in zip(times, outs)]


def best(fn, repeat):
    fn()  # warm-up (compile)
    times = []
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def agree(a, b):
    """Largest relative difference of final parameters (99.9th percentile and max)."""
    rel = np.abs(a - b) / np.maximum(np.abs(b), 1.0)
    return float(np.quantile(rel, 0.999)), float(rel.max())


def cold_start(code: str) -> float:
    """Seconds from process start to the first result, in a fresh process."""
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
    return time.perf_counter() - t


COLD_RUNS = 3


def cache_env() -> str:
    """Code that points this fresh process at a new, empty fastdescent and Numba cache."""
    cache = tempfile.mkdtemp(prefix="fd-bench-cache-")
    return ("import os;os.environ['FASTDESCENT_CACHE_DIR']=%r;os.environ['NUMBA_CACHE_DIR']=%r;"
            % (cache + "/fd", cache + "/numba"))


def spread(v) -> str:
    return f"median of {len(v)}: " + ", ".join(f"{x:.2f}" for x in sorted(v))


def peak_memory_run(n_side, steps, dtype="float64") -> tuple[float, float]:
    """Time and peak resident memory (MB) of a B5 sweep in a fresh process. Peak memory is the
    child's own ``VmHWM``: ``ru_maxrss`` would include the parent's RSS inherited across fork."""
    code = (
        "import resource,time,numpy as np,fastdescent as fd;"
        "m=fd.models.gabor();"
        f"fd.run(m,fd.optim.gd(lr=0.2),np.zeros((2,2)),2,dtype={dtype!r},progress=False);"
        "t=time.perf_counter();"
        f"ds=fd.sweep(m,fd.optim.gd(lr=0.2),fd.grid(m,{n_side}),{steps},dtype={dtype!r},"
        "progress=False);"
        "dt=time.perf_counter()-t;"
        "hwm=[l for l in open('/proc/self/status') if l.startswith('VmHWM')];"
        "print(dt, int(hwm[0].split()[1])/1024 if hwm else "
        "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024)")
    out = subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT,
                         capture_output=True, text=True).stdout.split()
    return float(out[0]), float(out[1])


def attractor_agreement(m, side, e64, e32):
    """Share of the ``side x side`` grid's starts off the basin boundaries whose float32 and
    float64 end points carry the same label, and the share of such starts.

    Labels: the nearest minimum of the model (found by a converged float64 run from a 24 x 24
    grid, :func:`fastdescent.analysis.attractors`) within 5 % of the box width per parameter,
    else "none". A start is on a boundary when one of its 8 grid neighbours has another
    float64 label."""
    from fastdescent.analysis import attractors

    ref = fd.run(m, fd.optim.gd(lr=0.02), grid(24), 20000, tol=1e-7, progress=False)
    att, _ = attractors(ref, m)
    locs = att.locations[np.asarray(att.kinds) == "minimum"]
    w = np.array([hi - lo for lo, hi in m.box])

    def label(e):
        d = np.max(np.abs(e[:, None, :] - locs[None]) / w, axis=2)
        lab = np.argmin(d, axis=1)
        lab[d[np.arange(len(e)), lab] > 0.05] = -1
        return lab.reshape(side, side)

    l64, l32 = label(np.asarray(e64, float)), label(np.asarray(e32, float))
    pad = np.pad(l64, 1, mode="edge")
    boundary = np.zeros_like(l64, bool)
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            boundary |= pad[1 + di:1 + di + side, 1 + dj:1 + dj + side] != l64
    inner = ~boundary
    return float(np.mean(l32[inner] == l64[inner])), float(inner.mean()), len(locs)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller grids (smoke test)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--write", help="write the Markdown table here")
    ap.add_argument("--skip-b5", action="store_true")
    ap.add_argument("--no-torch", action="store_true", help="skip the torch.compile peer")
    args = ap.parse_args(argv)

    m = fd.models.gabor()
    x, y = m.X[:, 0].copy(), m.Y[:, 0].copy()
    side, steps = (64, 50) if args.quick else (256, 200)
    G = grid(side)
    G3 = grid(64 if args.quick else 128)
    n, n3 = len(G), len(G3)
    ls_steps = 20
    rows, checks, notes, tuning = [], {}, [], []

    def rate(n_traj, n_steps, t):
        return n_traj * n_steps / t

    def add(w, who, t, n_traj, n_steps, extra=""):
        rows.append((w, who, t, rate(n_traj, n_steps, t), extra))
        return rate(n_traj, n_steps, t)

    # ---------------- peers' best configurations, measured on a subset of B1's grid
    tune_n, tune_steps = (4096, 20) if args.quick else (65536, 50)
    Gt = G[np.linspace(0, n - 1, min(tune_n, n)).astype(int)]
    jax_cfg, torch_cfg = {}, {}
    has_jax = peers.jax_available()
    has_torch = peers.torch_available() and not args.no_torch
    if has_jax:
        import jax
        jver = jax.__version__
        for w in ("B1", "B2"):
            for dt in ("float64", "float32"):
                best_cfg, rates = peers.tune_jax(x, y, Gt, tune_steps, w, dt)
                jax_cfg[(w, dt)] = best_cfg
                tuning.append((f"JAX {w} {dt}", ", ".join(
                    f"{g} {c // 1024}k: {r / 1e6:.2f}" for (g, c), r in sorted(rates.items())),
                    f"{best_cfg[0]}, chunk {best_cfg[1]:,}"))
    else:
        notes.append("JAX not installed (pip install -e .[bench]): JAX ratios not measured.")
    if has_torch:
        import time as _t

        import torch
        tver = torch.__version__
        for w in ("B1", "B2"):
            for dt in ("float64", "float32"):
                rates = {}
                for chunk in [c for c in (16384, 65536) if c <= len(Gt)] or [len(Gt)]:
                    r = peers.torch_runner(x, y, dt, chunk, w)
                    r(Gt[:chunk], 2)  # compile
                    t0 = _t.perf_counter()
                    r(Gt, tune_steps)
                    rates[chunk] = len(Gt) * tune_steps / (_t.perf_counter() - t0)
                best_c = max(rates, key=rates.get)
                torch_cfg[(w, dt)] = best_c
                tuning.append((f"torch.compile {w} {dt}", ", ".join(
                    f"{c // 1024}k: {r / 1e6:.2f}" for c, r in sorted(rates.items())),
                    f"chunk {best_c:,}"))
    elif not args.no_torch:
        notes.append("torch not installed: torch.compile not measured.")

    # ---------------- steady state. The implementations of a workload are sampled in turn
    # (fastdescent float64 2 threads, 1 thread, float32, JAX float64, JAX float32, ...), each
    # keeping its best time: a slow phase of a shared machine then hits all of them alike.
    gd_, adam_ = fd.optim.gd(lr=0.2), fd.optim.adam(lr=0.05, beta=0.9, gamma=0.99, eps=1e-8)
    ls_, sgdm_ = fd.optim.line_search(2.0, 1e-5, 15), fd.optim.momentum(lr=0.2, beta=0.9)
    opts = {"B1": gd_, "B2": adam_}
    fdr, jxr, fd_out, jx_out, paired, torchr = {}, {}, {}, {}, {}, {}
    labels = {"B1": "B1 GD", "B2": "B2 Adam"}
    for w in ("B1", "B2"):
        opt = opts[w]
        impl = [("fastdescent float64 (2 thr)", lambda o=opt: fd.run(m, o, G, steps, threads=2,
                                                                      progress=False).params),
                ("fastdescent float32 (2 thr)",
                 lambda o=opt: fd.run(m, o, G, steps, threads=2, dtype="float32",
                                      progress=False).params)]
        if w == "B1":
            impl.insert(1, ("fastdescent float64 (1 thr)",
                            lambda o=opt: fd.run(m, o, G, steps, threads=1,
                                                 progress=False).params))
        for dt in ("float64", "float32"):
            if (w, dt) in jax_cfg:
                g_, c_ = jax_cfg[(w, dt)]
                impl.append((f"JAX {jver} {dt}, jit(vmap(fori_loop)), {g_}, chunk {c_:,}",
                             lambda r=peers.jax_runner(x, y, dt, g_, c_, w): r(G, steps)))
        res_ = interleaved([f for _, f in impl], args.repeat)
        for (who, _), (t, out, ts) in zip(impl, res_):
            r = add(labels[w], who, t, n, steps)
            fd_out[(w, who)] = out
            if who.startswith("fastdescent float64 (2"):
                fdr[(w, "float64")] = r
                ts2 = ts
            elif who.startswith("fastdescent float64 (1"):
                fdr[(w, 1)] = r
                paired[w] = float(np.median(np.array(ts) / np.array(ts2)))
            elif who.startswith("fastdescent float32"):
                fdr[(w, "float32")] = r
            else:
                jxr[(w, "float32" if "float32" in who else "float64")] = r
                jx_out[(w, "float32" if "float32" in who else "float64")] = out
        # torch.compile: one measured call on the tuning subset at full step count (it is
        # slow enough that repeated full-grid calls would take many minutes)
        for dt in ("float64", "float32"):
            if (w, dt) in torch_cfg:
                c_ = torch_cfg[(w, dt)]
                r_ = peers.torch_runner(x, y, dt, c_, w)
                t, _ = best(lambda: r_(Gt, steps), 1)
                torchr[(w, dt)] = add(labels[w], f"torch {tver} {dt}, torch.compile step, "
                                      f"chunk {c_:,}", t, len(Gt), steps,
                                      f"{len(Gt):,} of the starts")
    fd64 = {w: fd_out[(w, "fastdescent float64 (2 thr)")] for w in ("B1", "B2")}
    fd32 = {w: fd_out[(w, "fastdescent float32 (2 thr)")] for w in ("B1", "B2")}
    # B3 (line search) and B4 (minibatches): fastdescent in both dtypes, JAX float64 (B3)
    b3 = [("fastdescent float64 (2 thr)",
           lambda: fd.run(m, ls_, G3, ls_steps, threads=2, progress=False).params),
          ("fastdescent float32 (2 thr)",
           lambda: fd.run(m, ls_, G3, ls_steps, threads=2, dtype="float32",
                          progress=False).params)]
    if has_jax:
        J = peers.make_jax(x, y)
        G3j = jax.numpy.asarray(G3)
        b3.append((f"JAX {jver} float64, jit(vmap(while_loop)), jax.grad",
                   lambda: np.asarray(J["line_search"](G3j, 2.0, 1e-5, 15, ls_steps))))
    for (who, _), (t, out, _) in zip(b3, interleaved([f for _, f in b3], args.repeat)):
        r = add("B3 line search", who, t, n3, ls_steps)
        fd_out[("B3", who)] = out
        if "JAX" in who:
            jxr[("B3", "float64")] = r
            jx_out[("B3", "float64")] = out
        else:
            fdr[("B3", "float32" if "float32" in who else "float64")] = r
    b4 = [(f"fastdescent {dt} (2 thr)",
           lambda dt=dt: fd.run(m, sgdm_, G, steps, batch_size=5, threads=2, dtype=dt,
                                progress=False).params) for dt in ("float64", "float32")]
    for (who, _), (t, _, _) in zip(b4, interleaved([f for _, f in b4], args.repeat)):
        fdr[("B4", "float32" if "float32" in who else "float64")] = add(
            "B4 SGD+momentum", who, t, n, steps)
    # ---------------- NumPy vectorized, float64 (one call each)
    t, np1 = best(lambda: peers.numpy_gd(G, x, y, 0.2, steps), 1)
    npr = {"B1": add("B1 GD", "NumPy float64 vectorized (1 thr), chunk 4,096", t, n, steps)}
    checks["B1 NumPy float64 vs fastdescent float64"] = agree(fd64["B1"], np1)
    t, np2 = best(lambda: peers.numpy_adam(G, x, y, 0.05, 0.9, 0.99, 1e-8, steps), 1)
    npr["B2"] = add("B2 Adam", "NumPy float64 vectorized (1 thr), chunk 4,096", t, n, steps)
    checks["B2 NumPy float64 vs fastdescent float64"] = agree(fd64["B2"], np2)
    t, np3 = best(lambda: peers.numpy_line_search(G3, x, y, 2.0, 1e-5, 15, ls_steps), 1)
    npr["B3"] = add("B3 line search", "NumPy float64 vectorized (1 thr)", t, n3, ls_steps)
    checks["B3 NumPy float64 vs fastdescent float64"] = agree(
        fd_out[("B3", "fastdescent float64 (2 thr)")], np3)
    t, _ = best(lambda: peers.numpy_sgd_momentum(G[:n // 4], x, y, 0.2, 0.9, 5, steps), 1)
    npr["B4"] = add("B4 SGD+momentum", "NumPy float64 vectorized (1 thr)", t, n // 4, steps)
    k = 64
    t, _ = best(lambda: peers.textbook_gd(G[:k], x, y, 0.2, steps), 1)
    add("B1 GD", "textbook NumPy loop (extrapolated)", t * n / k, n, steps)
    for (w, dt), out in jx_out.items():
        ref = fd64[w] if w != "B3" else fd_out[("B3", "fastdescent float64 (2 thr)")]
        checks[f"{w} JAX {dt} vs fastdescent {dt}"] = agree(
            (fd32[w] if dt == "float32" else ref), out) if w != "B3" else agree(ref, out)
    for w in ("B1", "B2"):
        checks[f"{w} fastdescent float32 vs float64"] = agree(fd32[w], fd64[w])

    # ---------------- float32 vs float64 end points: attractor labels on B1's full grid
    side_a = 128 if args.quick else 512
    Ga = grid(side_a)
    e64 = fd.run(m, gd_, Ga, steps, progress=False).params
    e32 = fd.run(m, gd_, Ga, steps, dtype="float32", progress=False).params
    same, inner, n_min = attractor_agreement(m, side_a, e64, e32)

    # ---------------- cold start / warm cache (median of COLD_RUNS fresh caches: one cold
    # start is a single sample of a noisy machine, and the median is robust to one outlier)
    first = ("import numpy as np,fastdescent as fd;m=fd.models.gabor();"
             "fd.run(m,fd.optim.adam(lr=0.05),np.zeros((4,2)),5,progress=False)")
    colds, warms, pairs = [], [], []
    for _ in range(COLD_RUNS):
        env_code = cache_env()
        colds.append(cold_start(env_code + first))
        warms.append(cold_start(env_code + first))
        # a new model x optimizer once the model-independent engine exists (built here by
        # another model and optimizer): what each further pair costs
        env2 = cache_env()
        cold_start(env2 + "import numpy as np,fastdescent as fd;fd.run(fd.models.rosenbrock(),"
                   "fd.optim.gd(lr=1e-3),np.zeros((4,2)),5,progress=False)")
        pairs.append(cold_start(env2 + first))
    t_cold, t_warm, t_pair = (float(np.median(v)) for v in (colds, warms, pairs))
    t_import = cold_start("import fastdescent")

    # ---------------- B5, float64 and float32
    b5 = {}
    if not args.skip_b5:
        n5 = 316 if args.quick else 1000
        s5 = 100 if args.quick else 1000
        for dt in ("float64", "float32"):
            t5, mem5 = peak_memory_run(n5, s5, dt)
            b5[dt] = (t5, mem5)
            add("B5 scale", f"fastdescent {dt} (2 thr), {n5 * n5:,} traj x {s5}", t5,
                n5 * n5, s5, f"peak RSS {mem5:.0f} MB")

    # ---------------- ratios and targets
    lines = [f"# Benchmark results\n",
             f"Command: `python benchmarks/run.py{' --quick' if args.quick else ''}`  ",
             f"Machine: {machine()}  ",
             f"Load: `uptime` load average {load()} at the end of the run (a shared machine)  ",
             f"Versions: fastdescent {fd.__version__}, numba {__import__('numba').__version__}, "
             f"numpy {np.__version__}" + (f", jax {jver}" if has_jax else "")
             + (f", torch {tver}" if has_torch else "") + "\n",
             "| workload | implementation | time (s) | trajectory-steps/s | note |",
             "|---|---|---:|---:|---|"]
    for w, who, t, r, extra in sorted(rows, key=lambda row: row[0][:2]):  # by workload
        lines.append(f"| {w} | {who} | {t:.3f} | {r / 1e6:.2f} M | {extra} |")
    if tuning:
        lines += ["", "Peer configurations tried (M trajectory-steps/s on "
                  f"{len(Gt):,} starts x {tune_steps} steps; the fastest is used above):", "",
                  "| peer, workload, dtype | measured | chosen |", "|---|---|---|"]
        lines += [f"| {a} | {b} | {c} |" for a, b, c in tuning]
    lines += ["", "| ratio (same run) | measured | target | met |", "|---|---:|---:|---|"]
    res = {}

    def tgt(key, val, goal, higher=True):
        res[key] = val
        ok = (val >= goal) if higher else (val <= goal)
        if val != val:  # NaN
            ok = False
        lines.append(f"| {key} | {val:.2f} | {'>=' if higher else '<='} {goal:g} | "
                     f"{'yes' if ok else '**NO**'} |")

    def info(key, val):
        res[key] = val
        lines.append(f"| {key} | {val:.2f} | - | - |")

    for w in ("B1", "B2"):
        tgt(f"{w} fastdescent float32 / float64", fdr[(w, "float32")] / fdr[(w, "float64")],
            TARGETS[f"{w}_f32"])
        if (w, "float32") in jxr:
            tgt(f"{w} fastdescent float32 / JAX float32 ({', '.join(map(str, jax_cfg[(w, 'float32')]))})",
                fdr[(w, "float32")] / jxr[(w, "float32")], TARGETS[f"{w}_jax32"])
        if (w, "float64") in jxr:
            info(f"{w} fastdescent float64 / JAX float64 ({', '.join(map(str, jax_cfg[(w, 'float64')]))})",
                 fdr[(w, "float64")] / jxr[(w, "float64")])
        for dt in ("float64", "float32"):
            if (w, dt) in torchr:
                info(f"{w} fastdescent {dt} / torch.compile {dt} (chunk {torch_cfg[(w, dt)]:,})",
                     fdr[(w, dt)] / torchr[(w, dt)])
        tgt(f"{w} fastdescent float64 / NumPy float64", fdr[(w, "float64")] / npr[w],
            TARGETS[f"{w}_numpy"])
    if ("B3", "float64") in jxr:
        tgt("B3 fastdescent float64 / JAX float64", fdr[("B3", "float64")] / jxr[("B3", "float64")],
            TARGETS["B3_jax"])
    info("B3 fastdescent float64 / NumPy float64", fdr[("B3", "float64")] / npr["B3"])
    info("B3 fastdescent float32 / float64", fdr[("B3", "float32")] / fdr[("B3", "float64")])
    tgt("B4 time / B1 time (float64)", fdr[("B1", "float64")] / fdr[("B4", "float64")],
        TARGETS["B4_over_B1"], higher=False)
    info("B4 fastdescent float32 / float64", fdr[("B4", "float32")] / fdr[("B4", "float64")])
    tgt("B1 float64 2 threads / 1 thread", fdr[("B1", "float64")] / fdr[("B1", 1)],
        TARGETS["scaling"])
    info("B1 2 / 1 threads, median of the ratios of adjacent samples", paired["B1"])
    tgt(f"B1 float32 end point has the float64 end point's attractor label ({side_a} x "
        f"{side_a} starts, {inner:.1%} of them off the basin boundaries, {n_min} minima; "
        f"share of those)", same, TARGETS["agree"])
    tgt(f"first call in a fresh process, empty caches (s, incl. import and the one-time "
        f"engine build; {spread(colds)})", t_cold, TARGETS["compile_s"], higher=False)
    tgt(f"first call of a new model x optimizer in a fresh process, engine already built "
        f"(s, incl. import; {spread(pairs)})", t_pair, TARGETS["compile_s"], higher=False)
    tgt(f"first result in a second process, warm cache (s, incl. import; {spread(warms)})",
        t_warm, TARGETS["warm_s"], higher=False)
    info("`import fastdescent` alone (s)", t_import)
    for dt, (t5, mem5) in b5.items():
        tgt(f"B5 {dt} peak memory (MB)", mem5, TARGETS["B5_mb"], higher=False)
        if dt == "float32":
            tgt("B5 float32 time (s)", t5, TARGETS["B5_s32"], higher=False)
        else:
            info("B5 float64 time (s)", t5)
    lines += ["", "Agreement (final parameters, largest difference relative to max(1, |value|):"
              " 99.9th percentile / max):", ""]
    for k2, (q, mx) in checks.items():
        lines.append(f"- {k2}: {q:.1e} / {mx:.1e}")
    if notes:
        lines += [""] + [f"- {n_}" for n_ in notes]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        Path(args.write).write_text(text)
    return res


def load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def machine() -> str:
    name = platform.processor() or platform.machine()
    try:
        for ln in Path("/proc/cpuinfo").read_text().splitlines():
            if ln.startswith("model name"):
                name = ln.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    flags = ""
    try:
        txt = Path("/proc/cpuinfo").read_text()
        flags = "AVX-512" if "avx512f" in txt else ("AVX2" if "avx2" in txt else "")
    except OSError:
        pass
    return f"{name}, {os.cpu_count()} cores {flags}, {platform.system()}"


if __name__ == "__main__":
    main()
