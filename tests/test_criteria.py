"""Trainability criteria (fastdescent.engine.criteria): the engine's loss ratio against the
recorded loss path, with minibatches, a look-ahead rule, early stops and divergence; stored in
results and sweeps; the notebook's trainability map (tests/fractal_reference.py) on a small grid
(and at 64 x 64, slow); bad input."""
from __future__ import annotations

import numpy as np
import pytest
from fractal_reference import notebook_readout

import fastdescent as fd
from fastdescent.engine import status as S

M = fd.models.shallow_net(width=3, inputs=2, examples=10)
P0 = fd.models.shallow_init(M, seed=0, n=6)
LR = np.array([0.01, 0.1, 0.5, 2.0, 8.0, 40.0])


def _ratio_from_path(res, k):
    """mean of the recorded full-batch losses at steps T-k..T-1 / the loss at step 0; a
    diverged trajectory's is inf."""
    lp = res.loss_path  # records at steps 0..T (record_every=1)
    T = lp.shape[1] - 1
    r = lp[:, T - k:T].mean(axis=1) / lp[:, 0]
    return np.where(res.diverged, np.inf, r)


@pytest.mark.parametrize("opts", [{}, {"batch_size": 4, "seed": 3},
                                  {"batches": np.random.default_rng(1).integers(0, 10,
                                                                                (30, 3))}])
@pytest.mark.parametrize("rule", ["gd", "nesterov"])
def test_loss_ratio_matches_recorded_losses(opts, rule):
    """The engine's ratio equals the one computed from the recorded loss path (full-batch
    losses at every step), for full batch, minibatch streams, given batches and a look-ahead
    rule (whose gradient is not taken at the recorded point)."""
    opt = fd.optim.get_rule(rule)(lr=LR / 10)
    res = fd.run(M, opt, P0, steps=30, reduction="mean", bound=1e12, progress=False,
                 criterion=fd.LossRatio(k=7, threshold=0.8), record_every=1, **opts)
    ref = _ratio_from_path(res, 7)
    fin = np.isfinite(ref)
    np.testing.assert_allclose(res.loss_ratio[fin], ref[fin], rtol=1e-12)
    assert np.array_equal(np.isinf(res.loss_ratio), ~fin)
    assert np.array_equal(res.trainable, res.loss_ratio < 0.8)
    assert res.settings["criterion"] == {"name": "loss_ratio", "k": 7, "threshold": 0.8}


def test_diverged_is_not_trainable_and_early_stop_keeps_its_final_loss():
    """Stops by tol before and inside the window of the last k steps: the steps not taken
    count with the final (stationary) loss, as the recorded path repeats it."""
    res = fd.run(M, fd.optim.gd(lr=LR), P0, steps=40, reduction="mean", tol=0.03,
                 progress=False, criterion=fd.LossRatio(k=20), record_every=1)
    conv = res.status == S.CONVERGED
    assert res.diverged.any() and (conv & (res.steps < 20)).any() and \
        (conv & (res.steps >= 20)).any()
    assert np.all(np.isinf(res.loss_ratio[res.diverged]))
    assert not res.trainable[res.diverged].any()
    ok = ~res.diverged
    np.testing.assert_allclose(res.loss_ratio[ok], _ratio_from_path(res, 20)[ok], rtol=1e-12)


def test_not_diverged_is_the_default():
    res = fd.run(M, fd.optim.gd(lr=LR), P0, steps=40, reduction="mean", progress=False)
    assert res.loss_ratio is None
    assert res.settings["criterion"] == {"name": "not_diverged"}
    assert np.array_equal(res.trainable, ~res.diverged)


def test_sweep_stores_the_criterion_and_the_ratio(tmp_path):
    crit = fd.LossRatio(k=5, threshold=1.0)
    ds = fd.sweep(M, fd.optim.gd(), P0[:2], 20, lr=LR, reduction="mean", criterion=crit,
                  progress=False, store=tmp_path / "s")
    assert set(ds.data_vars) >= {"trainable", "loss_ratio"}
    assert '"criterion": {"name": "loss_ratio", "k": 5, "threshold": 1.0}' in \
        ds.attrs["settings"]
    res = fd.run(M, fd.optim.gd(lr=LR[3]), P0[1], steps=20, reduction="mean", criterion=crit,
                 progress=False)
    assert ds.loss_ratio.isel(lr=3, init=1).item() == res.loss_ratio[0]
    again = fd.sweep(M, fd.optim.gd(), P0[:2], 20, lr=LR, reduction="mean", criterion=crit,
                     progress=False, store=tmp_path / "s")  # resumed from the store
    assert np.array_equal(again.loss_ratio.values, ds.loss_ratio.values)
    assert np.array_equal(again.trainable.values, ds.trainable.values)


def test_bad_criteria():
    with pytest.raises(ValueError, match="k must be an integer >= 1"):
        fd.LossRatio(k=0)
    with pytest.raises(ValueError, match="threshold must be a finite number > 0"):
        fd.LossRatio(threshold=-1)
    with pytest.raises(ValueError, match="averages more steps than the run takes"):
        fd.run(M, fd.optim.gd(), P0, steps=5, criterion=fd.LossRatio(k=20), progress=False)
    with pytest.raises(TypeError, match="criterion must be"):
        fd.run(M, fd.optim.gd(), P0, steps=5, criterion="lossratio", progress=False)


def _paper_map(res, steps):
    m = fd.models.shallow_net()
    p0 = fd.models.shallow_init(m, seed=0)
    W0 = p0[:256].reshape(16, 16).T  # the notebook's (inputs, width) matrix: x @ W0
    V = p0[256:].reshape(16, 1)
    g = np.logspace(-3, 6, res)
    lr_in, lr_out = (a.ravel() for a in np.meshgrid(g, g))
    measure, _ = notebook_readout(m.X, m.Y, W0, V, lr_in, lr_out, steps)
    ours = fd.run(m, fd.optim.gd(lr={"input": lr_in, "output": lr_out}),
                  np.broadcast_to(p0, (res * res, p0.size)), steps=steps, reduction="mean",
                  bound=np.inf, criterion=fd.LossRatio(20, 1.0), progress=False)
    return np.mean(ours.trainable == (measure < 0)), np.mean(measure < 0)


def test_tanh_map_agrees_with_the_notebook_small_grid():
    agree, share = _paper_map(12, 60)
    assert 0.1 < share < 0.9  # both outcomes present
    assert agree >= 0.99


@pytest.mark.slow
def test_tanh_map_agrees_with_the_notebook_64():
    """The paper's tanh baseline, 64 x 64 rates over [1e-3, 1e6]^2, 100 steps: >= 99.5 % of
    the cells agree (the others sit on the chaotic boundary, where rounding decides)."""
    agree, share = _paper_map(64, 100)
    assert 0.1 < share < 0.9
    assert agree >= 0.995
