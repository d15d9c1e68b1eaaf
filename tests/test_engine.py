"""The trajectory engine: determinism, stopping, recording, sweeps, stores, bad input."""
import math

import numpy as np
import pytest

import fastdescent as fd
from fastdescent.engine import trajectories as run_mod
from fastdescent.engine import status as S
from fastdescent.models import gabor, quadratic
from fastdescent.optim import adam, gd, momentum, nesterov

GABOR = gabor()


def _same(a, b):
    """Bitwise equality of two Results (NaN == NaN)."""
    for k in ("params", "loss", "status", "steps", "path", "loss_path"):
        x, y = getattr(a, k), getattr(b, k)
        if x is None or y is None:
            assert x is None and y is None, k
            continue
        assert x.dtype == y.dtype and x.shape == y.shape, k
        assert np.array_equal(x.view(np.uint8), y.view(np.uint8)), k


@pytest.fixture(scope="module")
def starts():
    rng = np.random.default_rng(3)
    lo, hi = np.array(GABOR.box).T
    return lo + rng.random((203, 2)) * (hi - lo)


DTYPES = ("float64", "float32")
#: a tolerance each precision resolves (float32: above run_mod.float32_tol_floor)
TOL = {"float64": 1e-6, "float32": 1e-3}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("opt,batch", [(adam(lr=0.05, gamma=0.99), None),
                                       (momentum(lr=0.1, beta=0.8), 5),
                                       (fd.optim.line_search(2.0), None)])
def test_bitwise_identical_for_threads_chunks_and_blocks(starts, opt, batch, dtype):
    kw = dict(batch_size=batch, record_every=7, tol=TOL[dtype], seed=11, dtype=dtype)
    ref = fd.run(GABOR, opt, starts, 40, threads=1, **kw)
    assert ref.params.dtype == ref.loss.dtype == ref.path.dtype == np.dtype(dtype)
    for threads in (2, 3):  # more threads than cores is allowed, and changes nothing
        _same(ref, fd.run(GABOR, opt, starts, 40, threads=threads, chunk_size=64, **kw))
    for chunk in (1, 7, 4096):
        _same(ref, fd.run(GABOR, opt, starts, 40, chunk_size=chunk, **kw))
    for block in (1, 7, 256):
        _same(ref, fd.run(GABOR, opt, starts, 40, block_size=block, **kw))
    # any order of execution: reversed input, reversed indices -> reversed output
    rev = fd.run(GABOR, opt, starts[::-1], 40, index=np.arange(len(starts))[::-1], **kw)
    _same(ref, rev[::-1])


def test_sweep_equals_trajectories_run_one_by_one():
    m = GABOR
    g = fd.grid(m, (3, 4))
    lrs = [0.05, 0.5]
    ds = fd.sweep(m, momentum(), g, 30, lr=lrs, beta=0.7, seeds=2, seed=5, batch_size=4)
    assert ds.params.dims == ("lr", "seed", "phi0", "phi1", "param")
    for il, lr in enumerate(lrs):
        for s in range(2):
            for i0 in range(3):
                for i1 in range(4):
                    idx = np.ravel_multi_index((il, i0, i1), (2, 3, 4))
                    r = fd.run(m, momentum(lr=lr, beta=0.7),
                               [float(ds.phi0[i0]), float(ds.phi1[i1])], 30, batch_size=4,
                               seed=5 + s, index=[idx])
                    got = ds.params.isel(lr=il, seed=s, phi0=i0, phi1=i1).values
                    assert np.array_equal(r.params[0], got)
                    assert r.status[0] == int(ds.status.isel(lr=il, seed=s, phi0=i0, phi1=i1))


@pytest.mark.parametrize("dtype", DTYPES)
def test_divergence_is_isolated(dtype):
    m = quadratic([1.0, 10.0])
    lrs = np.linspace(0.013, 0.4, 40)  # GD diverges for lr * 10 > 2 (no lr near 0.2)
    init = np.tile([1.0, 1.0], (40, 1))
    # |1 - 10 lr| >= 1.015: beyond 1e8 by then
    res = fd.run(m, gd(lr=lrs), init, 2000, dtype=dtype)
    lrs = lrs.astype(dtype)  # the values the run used
    stable = lrs * 10 < 2
    assert np.all(res.status[~stable] == S.DIVERGED)
    assert np.all(res.status[stable] != S.DIVERGED)
    assert np.all(np.isfinite(res.params)) and np.all(res.steps[~stable] < 2000)
    for i in np.flatnonzero(stable)[::7]:  # each stable one equals its run alone
        alone = fd.run(m, gd(lr=float(lrs[i])), [1.0, 1.0], 2000, dtype=dtype)
        assert np.array_equal(alone.params[0], res.params[i])


@pytest.mark.parametrize("dtype", DTYPES)
def test_diverged_keeps_last_finite_point_and_nan_loss_is_caught(dtype):
    m = quadratic([1.0])
    res = fd.run(m, gd(lr=3.0), [1.0], 1000, bound=1e3, record_every=1, dtype=dtype)
    # x_t = (-2)^t: |x| first exceeds 1e3 at t = 10 (1024); the last finite point is 512
    assert res.status[0] == S.DIVERGED and res.steps[0] == 9
    assert res.params[0, 0] == -512.0
    # runs to overflow (float32 overflows near 2**128, float64 near 2**1024): inf loss ->
    # diverged, at the last finite point
    res2 = fd.run(m, gd(lr=3.0), [1.0], 5000, bound=1e300, dtype=dtype)
    assert res2.status[0] == S.DIVERGED and np.all(np.isfinite(res2.params))
    assert res2.params.dtype == np.dtype(dtype)
    # x_t = (-2)^t, L = x^2 / 2 = 2^(2t - 1) overflows first at 2t - 1 >= maxexp
    expected = math.ceil((np.finfo(dtype).maxexp + 1) / 2)
    assert res2.steps[0] == expected and res2.params[0, 0] == (-2.0) ** expected


@pytest.mark.parametrize("dtype", DTYPES)
def test_convergence_step_count_matches_theory(dtype):
    # 1-D quadratic, lambda = 1, lr = 0.5: x_t = x0 / 2^t, gradient = x_t
    m = quadratic([1.0])
    tol = TOL[dtype]
    res = fd.run(m, gd(lr=0.5), [1.0], 100, tol=tol, dtype=dtype)
    expected = math.ceil(math.log2(1.0 / tol) + 1e-12)
    assert res.status[0] == S.CONVERGED and res.steps[0] == expected
    assert res.params[0, 0] == 2.0 ** -expected
    out = fd.run(m, gd(lr=0.5), [1.0], expected - 1, tol=tol, dtype=dtype)
    assert out.status[0] == S.MAX_STEPS and out.steps[0] == expected - 1


def test_recorded_paths():
    res = fd.run(GABOR, adam(lr=0.05), [[0.6, -0.2], [3.5, 6.5]], 23, record_every=5)
    assert res.path.shape == (2, 6, 2)  # steps 0, 5, 10, 15, 20 and the final (23)
    assert list(res.record_steps) == [0, 5, 10, 15, 20, 23]
    assert np.array_equal(res.path[:, 0], [[0.6, -0.2], [3.5, 6.5]])
    assert np.array_equal(res.path[:, -1], res.params)
    expect = GABOR.loss_many(res.path.reshape(-1, 2)).reshape(2, 6)
    np.testing.assert_allclose(res.loss_path, expect, rtol=1e-13)
    # stopped trajectories repeat their final point
    q = fd.run(quadratic([1.0]), gd(lr=1.0), [[1.0], [2.0]], 50, tol=1e-9, record_every=2)
    assert np.all(q.steps == 1) and np.all(q.path[:, 1:] == 0.0)


@pytest.mark.parametrize("opt,batch", [(fd.optim.nesterov(lr=0.05, beta=0.8), None),
                                       (momentum(lr=0.05, beta=0.8), 5),
                                       (fd.optim.line_search(2.0), None),
                                       (fd.optim.armijo(lr=1.0), 7)])
def test_recorded_loss_is_the_full_loss_wherever_the_gradient_was_taken(opt, batch):
    """The runs for which the engine needs the model's loss alone (a look-ahead or minibatch
    gradient, a line search) record the full-batch loss at the recorded point; other runs get
    a placeholder loss kernel that they never call."""
    res = fd.run(GABOR, opt, [[0.6, -0.2], [3.5, 6.5], [-2.0, 12.0]], 12, batch_size=batch,
                 record_every=1, seed=4)
    expect = GABOR.loss_many(res.path.reshape(-1, 2)).reshape(res.loss_path.shape)
    np.testing.assert_allclose(res.loss_path, expect, rtol=1e-13)


def test_nesterov_evaluates_at_look_ahead():
    m = quadratic([1.0, 4.0])
    res = fd.run(m, nesterov(lr=0.1, beta=0.9), [1.0, 1.0], 3, record_every=1)
    phi, mom = np.array([1.0, 1.0]), np.zeros(2)
    A = np.diag([1.0, 4.0])
    for t in range(3):
        g = A @ (phi - 0.1 * 0.9 * mom)
        mom = 0.9 * mom + 0.1 * g
        phi = phi - 0.1 * mom
        np.testing.assert_allclose(res.path[0, t + 1], phi, rtol=1e-14)


def test_run_interrupt_keeps_finished_chunks(monkeypatch, starts):
    calls = {"n": 0}
    real = run_mod.execute

    def flaky(*a, **k):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(*a, **k)

    monkeypatch.setattr(run_mod, "execute", flaky)
    with pytest.raises(run_mod.RunInterrupted) as info:
        fd.run(GABOR, gd(lr=0.1), starts, 10, chunk_size=50)
    part = info.value.result
    assert np.all(part.status[:100] != S.NOT_RUN) and np.all(part.status[100:] == S.NOT_RUN)


def test_sweep_store_resume_equals_uninterrupted(tmp_path, monkeypatch):
    m = GABOR
    g = fd.grid(m, 12)
    kw = dict(lr=[0.1, 0.3], seeds=2, batch_size=6, record_every=10)
    full = fd.sweep(m, momentum(beta=0.5), g, 20, chunk_size=40, **kw)
    store = tmp_path / "run.fdstore"
    from fastdescent.engine import sweeps as sweep_mod

    real = sweep_mod.SweepPlan.compute
    calls = {"n": 0}

    def interrupted(self, lo, hi, threads=None):
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt
        return real(self, lo, hi, threads)

    monkeypatch.setattr(sweep_mod.SweepPlan, "compute", interrupted)
    with pytest.raises(KeyboardInterrupt, match="resume"):
        fd.sweep(m, momentum(beta=0.5), g, 20, chunk_size=40, store=store, **kw)
    done = sorted(p.name for p in store.glob("chunk-*.npz"))
    assert len(done) == 3
    monkeypatch.setattr(sweep_mod.SweepPlan, "compute", real)
    calls["n"] = 0
    counted = []
    monkeypatch.setattr(sweep_mod.SweepPlan, "compute",
                        lambda self, lo, hi, threads=None: counted.append(lo)
                        or real(self, lo, hi, threads))
    resumed = fd.sweep(m, momentum(beta=0.5), g, 20, chunk_size=40, store=store, **kw)
    assert len(counted) == -(-full.loss.size // 40) - 3  # only the missing chunks ran
    for v in ("params", "loss", "status", "steps", "path", "loss_path"):
        assert np.array_equal(full[v].values, resumed[v].values, equal_nan=True), v
    with pytest.raises(ValueError, match="different sweep"):
        fd.sweep(m, momentum(beta=0.6), g, 20, chunk_size=40, store=store, **kw)


def test_save_load_roundtrip(tmp_path):
    ds = fd.sweep(GABOR, adam(), [[0.6, -0.2], [1.0, 5.0]], 10, lr=[0.01, 0.1])
    p = fd.save(ds, tmp_path / "s.nc")
    back = fd.load(p)
    assert back.params.dims == ("lr", "init", "param")
    assert np.array_equal(back.params.values, ds.params.values)
    assert back.status.dtype == np.int8 and back.attrs["optimizer"] == ds.attrs["optimizer"]
    with pytest.raises(ValueError, match="end in"):
        fd.save(ds, tmp_path / "s.txt")
    with pytest.raises(ValueError, match="not writable|missing"):
        fd.save(ds, tmp_path / "nope" / "s.nc")


def test_grids_and_samples():
    g = fd.grid(GABOR, (3, 5))
    assert g.points.shape == (15, 2) and g.dims == ("phi0", "phi1")
    assert np.array_equal(g.points_at(np.arange(15)), g.points)
    lh = fd.latin_hypercube(GABOR, 50, seed=1)
    lo, hi = np.array(GABOR.box).T
    assert np.all((lh >= lo) & (lh <= hi))
    # one point per slice along each axis
    for k in range(2):
        slices = np.floor((lh[:, k] - lo[k]) / (hi[k] - lo[k]) * 50).astype(int)
        assert sorted(slices) == list(range(50))
    r = fd.random_starts(GABOR, 10, seed=2)
    assert np.array_equal(r, fd.random_starts(GABOR, 10, seed=2))


@pytest.mark.parametrize("kwargs,match", [
    (dict(init=[1.0, 2.0, 3.0]), "init must have shape"),
    (dict(init=[[np.nan, 1.0]]), "NaN"),
    (dict(steps=0), "steps must be"),
    (dict(steps=2.5), "steps must be an integer"),
    (dict(optimizer=gd(lr=np.array([0.1, 0.2, 0.3]))), "3 values but there are 2"),
    (dict(optimizer="sgdd"), "unknown optimizer"),
    (dict(model="gaborr"), "unknown model"),
    (dict(batch_size=31), "batch_size must be in"),
    (dict(batch_size=0), "batch_size must be in"),
    (dict(tol=-1.0), "tol must be"),
    (dict(record_every=0), "record_every must be"),
    (dict(seed=-1), "seed must be"),
    (dict(threads=0), "threads must be"),
    (dict(reduction="avg"), "reduction must be"),
])
def test_bad_input_is_rejected_before_any_kernel(kwargs, match, monkeypatch):
    monkeypatch.setattr(run_mod, "execute", lambda *a, **k: pytest.fail("kernel ran"))
    args = dict(model=GABOR, optimizer=gd(), init=[[0.6, -0.2], [1.0, 2.0]], steps=10)
    args.update(kwargs)
    with pytest.raises((ValueError, TypeError), match=match):
        fd.run(args.pop("model"), args.pop("optimizer"), args.pop("init"), args.pop("steps"),
               **args)


def test_bad_sweep_input():
    with pytest.raises(ValueError, match="unknown sweep argument 'gamma'"):
        fd.sweep(GABOR, gd(), [[0.0, 5.0]], 5, gamma=[0.1])
    with pytest.raises(ValueError, match="beta must be in"):
        fd.sweep(GABOR, momentum(), [[0.0, 5.0]], 5, beta=[0.5, 1.0])
    with pytest.raises(ValueError, match="batch_size needs a model with data"):
        fd.run(quadratic(), gd(), [1.0, 1.0], 5, batch_size=1)
    with pytest.raises(ValueError, match="GB"):
        fd.run(GABOR, gd(), np.zeros((1000, 2)), 1000, record_every=1, max_path_bytes=10**6)


@pytest.mark.slow
def test_million_trajectories_bounded_memory():
    import resource

    g = fd.grid(GABOR, 1000)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    ds = fd.sweep(GABOR, gd(lr=0.2), g, 20)
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024  # MB
    assert ds.loss.size == 10**6 and np.all(np.isfinite(ds.loss.values))
    assert grown < 400


# -------------------------------------------------------------- first run on a new machine
_FIRST_RUN = """
import sys, numpy as np, fastdescent as fd
from fastdescent.engine import compiled as C
r = fd.run(fd.models.rosenbrock(), fd.optim.adam(lr=0.01), [[-1.2, 1.0], [0.5, 0.5]], 30,
           record_every=5, progress=False)
helper = C._BUILD.get("proc", "none")
print("helper:", "none" if helper == "none" else "finished" if helper is None else "running")
print("marker:", C._worker_marker().exists(), "restart:", C.start_worker_build())
stats = C.rule_kernels(fd.optim.get_rule("adam"))[0].stats
print("rule compiled here:", sum(stats.cache_misses.values()),
      "loaded:", sum(stats.cache_hits.values()))
np.save(sys.argv[1], np.concatenate([r.params.ravel(), r.path.ravel(), r.loss]))
"""


def _fresh_run(tmp_path, name, caches, **env):
    import os
    import subprocess
    import sys

    e = dict(os.environ, FASTDESCENT_CACHE_DIR=str(tmp_path / caches / "fd"),
             NUMBA_CACHE_DIR=str(tmp_path / caches / "numba"))
    e.update(env)
    out = tmp_path / f"{name}.npy"
    p = subprocess.run([sys.executable, "-c", _FIRST_RUN, str(out)], env=e,
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr[-3000:]
    return p.stdout, np.load(out)


def test_first_run_compiles_in_two_processes(tmp_path):
    """With empty caches a helper process compiles the run's kernels while the run builds
    the worker, and the run loads them from the cache; a marker then keeps later processes
    from starting a helper. Same bits as everything compiled in one process."""
    out, helped = _fresh_run(tmp_path, "helped", "a")
    assert "helper: finished" in out and "marker: True restart: False" in out
    assert "rule compiled here: 0 loaded: 1" in out
    out, again = _fresh_run(tmp_path, "again", "a")  # warm cache: no helper
    assert "helper: none" in out and "marker: True" in out
    assert "rule compiled here: 0 loaded: 1" in out
    out, alone = _fresh_run(tmp_path, "alone", "b", FASTDESCENT_BACKGROUND_BUILD="0")
    assert "helper: none" in out and "rule compiled here: 1 loaded: 0" in out
    assert np.array_equal(helped.view(np.uint8), alone.view(np.uint8))
    assert np.array_equal(helped.view(np.uint8), again.view(np.uint8))


def test_precompile_builds_the_worker_in_a_helper_process(tmp_path):
    """``fastdescent compile`` on an empty cache: the worker builds in a helper process
    while this process builds the rest; a later run then compiles nothing."""
    import os
    import subprocess
    import sys

    code = ("import fastdescent as fd; from fastdescent.engine import compiled as C; "
            "done = C.precompile([fd.models.rosenbrock()], minibatch=False); "
            "print('helper:', C._BUILD.get('proc', 'none')); print([w for w, _ in done])")
    e = dict(os.environ, FASTDESCENT_CACHE_DIR=str(tmp_path / "." / "fd"),
             NUMBA_CACHE_DIR=str(tmp_path / "." / "numba"))
    p = subprocess.run([sys.executable, "-c", code], env=e, capture_output=True, text=True,
                       timeout=600)
    assert p.returncode == 0, p.stderr[-3000:]
    assert "helper: None" in p.stdout and "engine (model-independent worker)" in p.stdout
    out, _ = _fresh_run(tmp_path, "after", ".")  # the same caches
    assert "helper: none" in out and "rule compiled here: 0 loaded: 1" in out
