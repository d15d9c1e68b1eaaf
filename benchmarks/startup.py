"""The first run on a machine, with and without the helper process that compiles beside it.

    python benchmarks/startup.py [--rounds 3]

Each sample is a fresh process with new, empty caches running Gabor + Adam (process start to
first result); the two settings (``FASTDESCENT_BACKGROUND_BUILD`` 1 and 0) alternate. Prints
every sample and the medians.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

CODE = ("import fastdescent as fd; fd.run(fd.models.gabor(), fd.optim.adam(lr=0.05), "
        "[[0.6, -0.2]], 10, progress=False)")


def sample(helper: bool) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, FASTDESCENT_CACHE_DIR=os.path.join(tmp, "fd"),
                   NUMBA_CACHE_DIR=os.path.join(tmp, "numba"),
                   FASTDESCENT_BACKGROUND_BUILD="1" if helper else "0")
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", CODE], env=env, check=True)
        return time.perf_counter() - t


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    times = {True: [], False: []}
    for r in range(args.rounds):
        for helper in (True, False) if r % 2 == 0 else (False, True):
            times[helper].append(sample(helper))
            print(f"round {r} helper={'on' if helper else 'off'}: {times[helper][-1]:.2f} s",
                  flush=True)
    for helper in (True, False):
        print(f"helper {'on' if helper else 'off'}: median {statistics.median(times[helper]):.2f} s")


if __name__ == "__main__":
    main()
