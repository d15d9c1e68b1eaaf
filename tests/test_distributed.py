"""Sweeps on a Dask cluster (``scheduler=``): bitwise identical to the local run, resumable
across local and cluster runs, robust to a killed worker, clear when the scheduler dies.

Everything runs on 127.0.0.1: a ``LocalCluster`` and schedulers/workers started as
subprocesses (``python -m distributed.cli.dask_scheduler`` / ``dask_worker``), always
killed by fixture finalizers; every wait has a timeout so a hang fails instead of blocking.
"""
import json
import re
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")

import fastdescent as fd  # noqa: E402
from fastdescent.engine import distributed as dist  # noqa: E402
from fastdescent.engine.sweeps import Store, make_plan  # noqa: E402
from fastdescent.optim import momentum  # noqa: E402

GABOR = fd.models.gabor()
VARS = ("params", "loss", "status", "steps", "path", "loss_path")
HANG = 120  # seconds before a run counts as hung

# small: paths, minibatches, a seed axis and a hyperparameter axis (2304 trajectories)
SMALL = dict(model=GABOR, optimizer=momentum(beta=0.5), inits=fd.grid(GABOR, 24), steps=30,
             lr=[0.05, 0.2], seeds=2, batch_size=5, record_every=7)
# big: enough tiles (48 x 256 trajectories) to kill a process in the middle of the run
BIG = dict(model=GABOR, optimizer=momentum(beta=0.5, lr=0.1), inits=fd.grid(GABOR, (96, 64)),
           steps=150, lr=[0.05, 0.2], tol=1e-9)
BIG_CHUNK = 256


def _sweep(spec, **kw):
    spec = dict(spec)
    return fd.sweep(spec.pop("model"), spec.pop("optimizer"), spec.pop("inits"),
                    spec.pop("steps"), **spec, **kw)


def _same(a, b):
    """Bitwise equality of two sweep Datasets (NaN == NaN, same dtype and shape)."""
    for v in VARS:
        if v not in a and v not in b:
            continue
        x, y = a[v].values, b[v].values
        assert x.dtype == y.dtype and x.shape == y.shape, v
        assert np.array_equal(x.view(np.uint8), y.view(np.uint8)), v
    assert a.attrs["fingerprint"] == b.attrs["fingerprint"]


def _within(seconds, fn):
    """``fn()`` on a daemon thread; fail the test (instead of hanging CI) after ``seconds``."""
    box = {}

    def target():
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            box["error"] = exc

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(seconds)
    if t.is_alive():
        pytest.fail(f"the run hung for more than {seconds} s")
    if "error" in box:
        raise box["error"]
    return box["value"]


def _kill_after_chunks(store_dir, n, proc, state):
    """Background thread: SIGKILL ``proc`` once ``n`` chunk files exist in ``store_dir``."""

    def watch():
        deadline = time.monotonic() + HANG
        while time.monotonic() < deadline:
            done = len(list(store_dir.glob("chunk-*.npz")))
            if done >= n:
                state["at"] = done
                proc.send_signal(signal.SIGKILL)
                return
            time.sleep(0.005)

    t = threading.Thread(target=watch, daemon=True)
    t.start()
    return t


def _tile_keys(task_stream):
    """``[(lo, hi), ...]`` of the sweep tiles a task stream recorded."""
    keys = {str(r["key"]) for r in task_stream.data}
    return sorted((int(m[1]), int(m[2])) for k in keys
                  if (m := re.search(r"fastdescent-tile-(\d+)-(\d+)-", k)))


@pytest.fixture(scope="module")
def small_ref():
    return _sweep(SMALL)


@pytest.fixture(scope="module")
def big_ref():
    return _sweep(BIG)


# ------------------------------------------------------------------------- no cluster needed
def test_tiles_follow_the_store_chunks(tmp_path):
    plan = make_plan(GABOR, momentum(), fd.grid(GABOR, 10), 20)  # 100 trajectories
    st = Store(tmp_path / "s", plan, 10)
    for i in (0, 1, 5):
        st.write(i, plan.compute(*st.bounds(i)))  # finished chunks (verified by the store)
    tiles = dist._tiles(plan, st, 10, 1)  # explicit chunk_size: one chunk per tile
    assert [p[0][0] for _, _, p in tiles] == [2, 3, 4, 6, 7, 8, 9]
    dist.TILE_SECONDS, old = (1e9, 1e9), dist.TILE_SECONDS  # default: runs of missing chunks
    try:
        tiles = dist._tiles(plan, st, None, 1)
    finally:
        dist.TILE_SECONDS = old
    assert [(lo, hi) for lo, hi, _ in tiles] == [(20, 50), (60, 100)]
    assert [[i for i, _, _ in p] for _, _, p in tiles] == [[2, 3, 4], [6, 7, 8, 9]]
    # no store: contiguous tiles covering everything, a whole number of blocks when big
    big = make_plan(GABOR, momentum(), fd.grid(GABOR, 300), 5000)
    t = dist.tile_size(big, 4)
    assert 1 <= t <= big.size and t % big.settings.block == 0
    assert dist.seconds_per_trajectory(big) * t <= dist.TILE_SECONDS[1] * 1.01


def test_plan_ships_kernels_by_reference():
    import pickle

    plan = make_plan(**{k: v for k, v in SMALL.items() if k not in ("lr",)})
    data = pickle.dumps(dist._Shipped(plan))
    assert len(data) < len(pickle.dumps(plan)) / 2  # no function bodies inside
    back = pickle.loads(data).plan
    assert back.model.kernels.example is plan.model.kernels.example  # importable again
    assert back.fingerprint() == plan.fingerprint()


def test_clear_errors_without_dask_or_scheduler(monkeypatch, tmp_path):
    with monkeypatch.context() as m:
        m.setitem(sys.modules, "distributed", None)
        with pytest.raises(ImportError, match=r"pip install fastdescent\[dask\]"):
            _sweep(SMALL, scheduler="tcp://127.0.0.1:1")
    monkeypatch.setattr(dist, "CONNECT_TIMEOUT", 1.0)
    with pytest.raises(dist.ClusterError, match="127.0.0.1:1"):
        _within(HANG, lambda: _sweep(SMALL, scheduler="tcp://127.0.0.1:1"))
    with pytest.raises(TypeError, match="scheduler must be"):
        _sweep(SMALL, scheduler=8786)


# ------------------------------------------------------------------------------ LocalCluster
@pytest.fixture(scope="module")
def local_cluster():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=":0", host="127.0.0.1")
    client = distributed.Client(cluster, set_as_default=False)
    yield cluster, client
    client.close(timeout=10)
    cluster.close(timeout=10)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_local_cluster_bitwise_identical(local_cluster, small_ref, dtype):
    cluster, client = local_cluster
    ref = small_ref if dtype == "float64" else _sweep(SMALL, dtype=dtype)
    assert ref["params"].dtype == np.dtype(dtype)
    _same(ref, _within(HANG, lambda: _sweep(SMALL, scheduler=client, chunk_size=300,
                                            dtype=dtype)))
    # an address string, default tile size
    _same(ref, _within(HANG, lambda: _sweep(SMALL, scheduler=cluster.scheduler_address,
                                            dtype=dtype)))


def test_worker_with_another_version_refuses(local_cluster, monkeypatch):
    _, client = local_cluster
    monkeypatch.setattr("fastdescent._version.__version__", "0.0.0+other")  # the client's only
    with pytest.raises(dist.ClusterError, match="same version everywhere"):
        _within(HANG, lambda: _sweep(SMALL, scheduler=client))


def test_resume_across_local_and_cluster_runs(local_cluster, small_ref, tmp_path):
    _, client = local_cluster
    store = tmp_path / "sweep.store"
    _sweep(SMALL, store=store, chunk_size=300)  # local, complete
    chunks = sorted(store.glob("chunk-*.npz"))
    assert len(chunks) == 8
    for f in chunks[1:4]:
        f.unlink()
    with distributed.get_task_stream(client) as ts:
        ds = _within(HANG, lambda: _sweep(SMALL, store=store, scheduler=client))
    _same(small_ref, ds)
    assert _tile_keys(ts) == [(300, 1200)]  # only the missing chunks (a run of 3: one tile)
    for f in chunks[5:]:
        f.unlink()
    _same(small_ref, _sweep(SMALL, store=store))  # ... and the cluster's chunks resume locally
    # a finished store needs no cluster at all
    _same(small_ref, _within(HANG, lambda: _sweep(SMALL, store=store,
                                                  scheduler="tcp://127.0.0.1:1")))


def test_cli_scheduler_option(local_cluster, tmp_path):
    from fastdescent.cli import main

    cluster, _ = local_cluster
    args = ["sweep", "--model", "gabor", "--optimizer", "momentum", "--lr", "0.05,0.2",
            "--grid", "12", "--steps", "20", "--no-progress"]
    assert main(args + ["-o", str(tmp_path / "local.nc")]) == 0
    assert main(args + ["-o", str(tmp_path / "cluster.nc"),
                        "--scheduler", cluster.scheduler_address]) == 0
    _same(fd.load(tmp_path / "local.nc"), fd.load(tmp_path / "cluster.nc"))


# ------------------------------------------------------- schedulers and workers as processes
class Processes:
    """Schedulers and workers started with ``python -m distributed.cli.*`` on 127.0.0.1."""

    def __init__(self, tmp_path):
        self.tmp = tmp_path
        self.procs = []

    def _spawn(self, args, name):
        log = open(self.tmp / f"{name}-{len(self.procs)}.log", "wb")
        p = subprocess.Popen([sys.executable, "-m", *args], stdout=log, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        self.procs.append(p)
        return p

    def scheduler(self):
        sfile = self.tmp / f"scheduler-{len(self.procs)}.json"
        p = self._spawn(["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0",
                         "--no-dashboard", "--scheduler-file", str(sfile)], "scheduler")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if p.poll() is not None:
                pytest.fail(f"the scheduler exited with {p.returncode}")
            try:
                return p, json.loads(sfile.read_text())["address"]
            except (OSError, ValueError, KeyError):
                time.sleep(0.05)
        pytest.fail("the scheduler did not start within 60 s")

    def worker(self, address):
        return self._spawn(["distributed.cli.dask_worker", address, "--nthreads", "1",
                            "--no-nanny", "--no-dashboard", "--host", "127.0.0.1",
                            "--death-timeout", "30"], "worker")

    def cluster(self, n_workers=2):
        sched, address = self.scheduler()
        workers = [self.worker(address) for _ in range(n_workers)]
        with distributed.Client(address, timeout=30, set_as_default=False) as c:
            c.wait_for_workers(n_workers, timeout=60)
        return sched, workers, address

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
        for p in self.procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass


@pytest.fixture
def processes(tmp_path):
    procs = Processes(tmp_path)
    yield procs
    procs.close()


def test_process_cluster_identical_and_survives_killed_worker(processes, small_ref, big_ref,
                                                              tmp_path):
    _, workers, address = processes.cluster(2)
    _same(small_ref, _within(HANG, lambda: _sweep(SMALL, scheduler=address)))
    # SIGKILL one worker while the tiles stream in: Dask recomputes its tiles on the other
    store = tmp_path / "big.store"
    state = {}
    killer = _kill_after_chunks(store, 4, workers[0], state)
    ds = _within(HANG, lambda: _sweep(BIG, store=store, chunk_size=BIG_CHUNK,
                                      scheduler=address))
    killer.join(1)
    n_chunks = -(-big_ref.loss.size // BIG_CHUNK)
    assert 4 <= state.get("at", n_chunks) < n_chunks, "the worker was not killed mid-run"
    assert workers[0].wait(timeout=10) == -signal.SIGKILL
    _same(big_ref, ds)
    assert len(list(store.glob("chunk-*.npz"))) == n_chunks
    with distributed.Client(address, timeout=30, set_as_default=False) as c:
        assert len(c.nthreads()) == 1  # the run really finished on one worker


def test_scheduler_killed_then_resume_on_a_new_cluster(processes, big_ref, tmp_path):
    sched, workers, address = processes.cluster(2)
    store = tmp_path / "big.store"
    state = {}
    _kill_after_chunks(store, 4, sched, state)
    with pytest.raises(dist.SchedulerLost) as info:
        _within(HANG, lambda: _sweep(BIG, store=store, chunk_size=BIG_CHUNK,
                                     scheduler=address))
    msg = str(info.value)
    assert address in msg and str(store) in msg
    assert "call sweep again with the same store and a new scheduler" in msg
    for w in workers:  # the old cluster is gone for good
        w.kill()
    n_chunks = -(-big_ref.loss.size // BIG_CHUNK)
    kept = {p.name: p.stat().st_ino for p in store.glob("chunk-*.npz")}
    assert 4 <= len(kept) < n_chunks, "the scheduler was not killed mid-run"

    _, _, address2 = processes.cluster(2)
    with distributed.Client(address2, timeout=30, set_as_default=False) as client:
        with distributed.get_task_stream(client) as ts:
            ds = _within(HANG, lambda: _sweep(BIG, store=store, chunk_size=BIG_CHUNK,
                                              scheduler=client))
    _same(big_ref, ds)
    missing = [i for i in range(n_chunks) if f"chunk-{i:06d}.npz" not in kept]
    size = big_ref.loss.size
    assert _tile_keys(ts) == [(i * BIG_CHUNK, min((i + 1) * BIG_CHUNK, size)) for i in missing]
    for name, ino in kept.items():  # the chunks finished before the crash were not redone
        assert (store / name).stat().st_ino == ino
