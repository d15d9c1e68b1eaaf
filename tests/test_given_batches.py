"""Given minibatch sequences (``fd.run(..., batches=...)``) and line-search diagnostics
(``record_diagnostics=True``): the lecture notebooks' SGD and momentum loops, written here in
plain NumPy from their formulas, reproduced step by step; the search's step sizes and rounds
against the plain-NumPy bracketing and Armijo loops of tests/reference.py; bad input."""
import numpy as np
import pytest

import fastdescent as fd
from fastdescent.optim.batches import batches as batch_stream

from naive import gabor_grad, gabor_loss
from reference import reference_path
from test_engine import _same

GABOR = fd.models.gabor()
RTOL = 1e-12


def _agree(path, ref, rtol=RTOL):
    """``path`` equals ``ref`` to rounding: every coordinate within ``rtol`` times the largest
    magnitude that parameter takes along the path (a coordinate crossing zero carries the
    rounding of the larger terms it came from, so an elementwise relative test is not the
    right scale there)."""
    scale = np.max(np.abs(ref), axis=0)
    assert np.all(np.abs(path - ref) <= rtol * scale), np.max(np.abs(path - ref) / scale)


def _notebook_batches(steps, batch_size=5, seed=1):
    """The notebooks' minibatch order: ``np.random.seed(1)``, then at every step the first
    ``batch_size`` entries of ``np.random.permutation(n_data)`` (the legacy global generator is
    a RandomState)."""
    rng = np.random.RandomState(seed)
    return np.array([rng.permutation(GABOR.n_examples)[:batch_size] for _ in range(steps)])


def _notebook_sgd(phi0, batches, alpha, beta=None):
    """The notebooks' loop: gradient of the summed squared error over the batch,
    ``phi <- phi - alpha g`` (6.3), or with momentum (6.4)
    ``m <- beta m + (1 - beta) g; phi <- phi - alpha m``."""
    x, y = np.ravel(GABOR.X), np.ravel(GABOR.Y)
    phi = np.array(phi0, dtype=float)
    m = np.zeros(2)
    path = [phi.copy()]
    for idx in batches:
        g = gabor_grad(phi, x[idx], y[idx])
        if beta is None:
            phi = phi - alpha * g
        else:
            m = beta * m + (1 - beta) * g
            phi = phi - alpha * m
        path.append(phi.copy())
    return np.array(path)


def _starts(n, seed):
    lo, hi = np.array(GABOR.box).T
    return lo + np.random.default_rng(seed).random((n, 2)) * (hi - lo)


# ------------------------------------------------------------------ notebook reproduction
def test_sgd_reproduces_the_notebook_6_3_loop():
    """Notebook 6.3: start (3.5, 6.5), alpha = 0.8, batches of 5, 41 steps."""
    B = _notebook_batches(41)
    ref = _notebook_sgd([3.5, 6.5], B, 0.8)
    res = fd.run(GABOR, fd.optim.gd(lr=0.8), [3.5, 6.5], 41, batches=B, record_every=1)
    _agree(res.path[0], ref)
    full = [gabor_loss(p, GABOR.X, GABOR.Y) for p in ref]
    np.testing.assert_allclose(res.loss_path[0], full, rtol=RTOL)


def test_readme_example_reproduces_the_notebook_loop():
    """The README's ``batches=`` example, run as written."""
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    code = [c for c in re.findall(r"```python\n(.*?)```", readme, re.S) if "batches=" in c][0]
    ns = {}
    exec(compile(code, "README.md", "exec"), ns)
    _agree(ns["res"].path[0], _notebook_sgd([3.5, 6.5], _notebook_batches(41), 0.8))


def test_momentum_reproduces_the_notebook_6_4_loop():
    """Notebook 6.4: start (-1.5, 6.5), alpha = beta = 0.6, batches of 5, 81 steps."""
    B = _notebook_batches(81)
    ref = _notebook_sgd([-1.5, 6.5], B, 0.6, beta=0.6)
    res = fd.run(GABOR, fd.optim.momentum(lr=0.6, beta=0.6), [-1.5, 6.5], 81, batches=B,
                 record_every=1)
    _agree(res.path[0], ref)


def test_per_trajectory_batches_follow_their_own_sequence():
    starts = _starts(7, 5)
    rng = np.random.default_rng(8)
    B = np.stack([[rng.permutation(30)[:4] for _ in range(25)] for _ in range(7)])
    res = fd.run(GABOR, fd.optim.gd(lr=0.3), starts, 25, batches=B, record_every=1)
    for i in range(7):
        _agree(res.path[i], _notebook_sgd(starts[i], B[i], 0.3))
        alone = fd.run(GABOR, fd.optim.gd(lr=0.3), starts[i], 25, batches=B[i],
                       record_every=1)
        _same(alone, res[i])


@pytest.mark.parametrize("rule,hyper", [
    ("adam", dict(lr=0.05, beta=0.9, gamma=0.99, eps=1e-8)),
    ("nesterov", dict(lr=0.1, beta=0.8)),
    ("armijo", dict(lr=1.0, c=1e-4, rho=0.5, max_iter=30)),
])
def test_any_rule_follows_given_batches_like_its_reference_loop(rule, hyper):
    """Repeated indices (sampling with replacement) are allowed and counted twice."""
    rng = np.random.default_rng(12)
    B = rng.integers(0, 30, size=(30, 6))
    starts = _starts(3, 13)
    res = fd.run(GABOR, fd.optim.get_optimizer(rule, **hyper), starts, 30, batches=B,
                 record_every=1)
    for i in range(3):
        ref = reference_path(GABOR, rule, starts[i], 30, batches=B, **hyper)
        _agree(res.path[i], ref)


def test_the_engines_own_batches_given_back_give_the_same_bits():
    """``batches`` = the stream ``batch_size`` draws (5 divides 30: no short last batch)."""
    starts = _starts(5, 21)
    own = fd.run(GABOR, fd.optim.momentum(lr=0.1, beta=0.8), starts, 20, batch_size=5,
                 seed=4, record_every=3)
    B = np.stack([batch_stream(4, i, 30, 5, 20) for i in range(5)])
    given = fd.run(GABOR, fd.optim.momentum(lr=0.1, beta=0.8), starts, 20, batches=B,
                   record_every=3)
    _same(own, given)


@pytest.mark.parametrize("shared", [True, False])
def test_given_batches_bitwise_identical_for_threads_chunks_and_blocks(shared):
    starts = _starts(131, 2)
    rng = np.random.default_rng(3)
    B = (rng.integers(0, 30, size=(30, 5)) if shared
         else rng.integers(0, 30, size=(131, 30, 5)))
    opt = fd.optim.line_search(2.0)
    kw = dict(batches=B, record_every=4, tol=1e-3, record_diagnostics=True)
    ref = fd.run(GABOR, opt, starts, 30, threads=1, **kw)
    for extra in (dict(threads=2), dict(chunk_size=17), dict(block_size=5, threads=3)):
        other = fd.run(GABOR, opt, starts, 30, **extra, **kw)
        _same(ref, other)
        assert np.array_equal(ref.search_step, other.search_step, equal_nan=True)
        assert np.array_equal(ref.search_rounds, other.search_rounds)


def test_tol_with_given_batches_tests_the_full_gradient_at_every_step():
    """The run stops at the first step t >= 1 whose point has a full-batch gradient norm below
    ``tol`` (as with ``batch_size``, the start itself is not tested); ``tol`` is the 10 %
    quantile of the norms along the notebook loop's path, so the stop falls mid-run."""
    B = _notebook_batches(300)
    ref = _notebook_sgd([-1.5, 8.5], B, 0.1)
    norms = np.array([np.linalg.norm(gabor_grad(p, GABOR.X, GABOR.Y)) for p in ref])
    tol = float(np.quantile(norms[1:], 0.1))
    first = 1 + int(np.argmax(norms[1:] < tol))
    res = fd.run(GABOR, fd.optim.gd(lr=0.1), [-1.5, 8.5], 300, batches=B, tol=tol)
    assert res.converged[0] and res.steps[0] == first
    _agree(res.params[0][None], ref[first][None])


# ------------------------------------------------------------------ line-search diagnostics
def test_bracketing_diagnostics_equal_the_reference_search():
    """Notebook 6.2's line search (max_dist 2.0, tol 1e-5, 15 rounds) from its start
    (-1.5, 8.5) and from random starts: step size and rounds of every step."""
    starts = np.vstack([[-1.5, 8.5], _starts(4, 31)])
    res = fd.run(GABOR, fd.optim.line_search(2.0, 1e-5, 15), starts, 21, record_every=1,
                 record_diagnostics=True)
    for i, s in enumerate(starts):
        diag = []
        path = reference_path(GABOR, "line_search", s, 21, max_dist=2.0, tol=1e-5,
                              max_iter=15, diagnostics=diag)
        _agree(res.path[i], path)
        steps, rounds = np.array(diag).T
        n = int(res.steps[i])
        np.testing.assert_allclose(res.search_step[i, :n], steps[:n], rtol=RTOL)
        assert np.array_equal(res.search_rounds[i, :n], rounds[:n].astype(np.int64))
        assert np.isnan(res.search_step[i, n:]).all() and (res.search_rounds[i, n:] == -1).all()


def test_bracketing_rounds_vary_with_its_tolerance():
    """A coarse ``tol`` stops the bracket before ``max_iter``: rounds below 15 are recorded."""
    starts = _starts(4, 41)
    res = fd.run(GABOR, fd.optim.line_search(2.0, 1e-2, 15), starts, 10, record_every=1,
                 record_diagnostics=True)
    for i, s in enumerate(starts):
        diag = []
        reference_path(GABOR, "line_search", s, 10, max_dist=2.0, tol=1e-2, max_iter=15,
                       diagnostics=diag)
        n = int(res.steps[i])
        assert np.array_equal(res.search_rounds[i, :n], [r for _, r in diag][:n])
    assert (res.search_rounds[res.search_rounds >= 0] < 15).all()


def test_armijo_diagnostics_equal_the_reference_with_given_batches():
    B = _notebook_batches(15)
    starts = _starts(3, 51)
    res = fd.run(GABOR, fd.optim.armijo(lr=2.0, rho=0.5), starts, 15, batches=B,
                 record_every=1, record_diagnostics=True)
    for i, s in enumerate(starts):
        diag = []
        reference_path(GABOR, "armijo", s, 15, batches=B, lr=2.0, c=1e-4, rho=0.5,
                       max_iter=30, diagnostics=diag)
        steps, rounds = np.array(diag).T
        n = int(res.steps[i])
        np.testing.assert_allclose(res.search_step[i, :n], steps[:n], rtol=RTOL)
        assert np.array_equal(res.search_rounds[i, :n], rounds[:n].astype(np.int64))


def test_diagnostics_follow_record_every_and_change_nothing_else():
    starts = _starts(9, 61)
    opt = fd.optim.line_search(2.0)
    every = fd.run(GABOR, opt, starts, 20, record_every=1, record_diagnostics=True)
    sparse = fd.run(GABOR, opt, starts, 20, record_every=3, record_diagnostics=True)
    plain = fd.run(GABOR, opt, starts, 20, record_every=3)
    _same(sparse, plain)
    assert plain.search_step is None and plain.search_rounds is None
    K = sparse.path.shape[1]
    assert sparse.search_step.shape == sparse.search_rounds.shape == (9, K)
    for r in range(K - 1):
        t = 3 * r
        np.testing.assert_array_equal(sparse.search_step[:, r], every.search_step[:, t])
        np.testing.assert_array_equal(sparse.search_rounds[:, r], every.search_rounds[:, t])
    assert np.isnan(sparse.search_step[:, -1]).all()
    sub = sparse[2:4]
    np.testing.assert_array_equal(sub.search_rounds, sparse.search_rounds[2:4])


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("batches,match", [
    (np.zeros((10, 5), dtype=np.int64), r"\(steps, batch\) = \(20, b\)"),
    (np.full((20, 5), 30), r"\[0, 30\)"),
    (np.full((20, 5), -1), r"\[0, 30\)"),
    (np.zeros((20, 5)), "integer"),
    (np.zeros((20, 0), dtype=np.int64), "b >= 1"),
    (np.zeros((3, 20, 5), dtype=np.int64), r"\(n_traj, steps, batch\) = \(2, 20, b\)"),
    (np.zeros(20, dtype=np.int64), "shape"),
    ([[0, 1]] * 19 + [[0]], "differ in size"),
])
def test_bad_batches_are_refused_before_any_kernel(batches, match):
    with pytest.raises(ValueError, match=match):
        fd.run(GABOR, "gd", [[0.0, 5.0], [1.0, 6.0]], 20, batches=batches)


def test_batches_and_batch_size_are_exclusive_and_need_data():
    B = np.zeros((5, 2), dtype=np.int64)
    with pytest.raises(ValueError, match="either batch_size .* or batches"):
        fd.run(GABOR, "gd", [0.0, 5.0], 5, batches=B, batch_size=2)
    with pytest.raises(ValueError, match="batches needs a model with data"):
        fd.run(fd.models.quadratic(), "gd", [1.0, 1.0], 5, batches=B)


def test_diagnostics_need_a_line_search_and_record_every():
    with pytest.raises(ValueError, match="line-search optimizer"):
        fd.run(GABOR, "gd", [0.0, 5.0], 5, record_every=1, record_diagnostics=True)
    with pytest.raises(ValueError, match="needs record_every"):
        fd.run(GABOR, fd.optim.line_search(2.0), [0.0, 5.0], 5, record_diagnostics=True)
