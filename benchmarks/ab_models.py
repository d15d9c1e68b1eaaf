"""A/B throughput of two source trees of fastdescent on several models.

    python benchmarks/ab_models.py OLD_DIR NEW_DIR MODEL[,MODEL...] [ROUNDS] [N] [--cpu-time]

For each registered model (``fd.models.get_model``): N random starts in the model's box, GD
full batch for 200 steps (the block loss-and-gradient kernel) and the bracketing line search
for 20 steps (mostly the block loss-only kernel); best of 3 each, in million
trajectory-steps per second. Each round runs one fresh process per tree, alternating like
``benchmarks/ab.py``, and the summary gives the ratio of the medians per workload. ``--cpu-time`` times one thread
by the process's CPU time instead of the wall clock (see ``benchmarks/ab.py``). ``OLD_DIR``
and ``NEW_DIR`` contain a ``fastdescent`` package (e.g. ``git archive <commit> fastdescent``).
"""
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
names = sys.argv[3].split(",")
n = int(sys.argv[4])
cpu = sys.argv[5] == "1"
clock = time.process_time if cpu else time.perf_counter
threads = 1 if cpu else None
out = {}
for name in names:
    m = fd.models.get_model(name)
    rng = np.random.default_rng(0)
    lo = np.array([b[0] for b in m.box])
    hi = np.array([b[1] for b in m.box])
    G = lo + (hi - lo) * rng.random((n, m.n_params))
    for oname, opt, steps in (("gd", fd.optim.gd(lr=1e-3), 200),
                              ("ls", fd.optim.line_search(max_dist=0.1), 20)):
        fd.run(m, opt, G[:256], 5, progress=False, threads=threads)
        best = 1e9
        for _ in range(int(sys.argv[2])):
            t = clock()
            fd.run(m, opt, G, steps, progress=False, threads=threads)
            best = min(best, clock() - t)
        out[name + "/" + oname] = n * steps / best / 1e6
print(json.dumps(out))
"""
def sample(src, repeat, names, n, cache, cpu=False):
    env = dict(os.environ, PYTHONPATH=src, FASTDESCENT_CACHE_DIR=os.path.join(cache, "fd"),
               NUMBA_CACHE_DIR=os.path.join(cache, "numba"))
    if cpu:
        env["NUMBA_NUM_THREADS"] = "1"
    p = subprocess.run([sys.executable, "-P", "-c", CHILD, os.path.abspath(src), str(repeat),
                        names, str(n), "1" if cpu else "0"], env=env, capture_output=True,
                       text=True)
    if p.returncode:
        print(p.stderr[-3000:])
        raise SystemExit(1)
    return json.loads(p.stdout.strip().splitlines()[-1])
cpu = "--cpu-time" in sys.argv
argv = [a for a in sys.argv if a != "--cpu-time"]
old, new, names = argv[1:4]
rounds = int(argv[4]) if len(argv) > 4 else 3
n = int(argv[5]) if len(argv) > 5 else 16384
with tempfile.TemporaryDirectory() as tmp:
    res = {"old": [], "new": []}
    for r in range(rounds):
        for k in (("old", "new") if r % 2 == 0 else ("new", "old")):
            s = sample(old if k == "old" else new, 3, names, n, os.path.join(tmp, k), cpu)
            res[k].append(s)
            print(f"round {r} {k}: " + ", ".join(f"{w} {v:.3g}" for w, v in s.items()), flush=True)
for w in res["old"][0]:
    o = statistics.median(s[w] for s in res["old"])
    nn = statistics.median(s[w] for s in res["new"])
    print(f"{w}: old {o:.3g} M/s, new {nn:.3g} M/s, new/old {nn / o:.3f}")
