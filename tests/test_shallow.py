"""The fractal-trainability network (fastdescent.models.shallow_net): loss against a plain-NumPy
forward pass, gradients against the NumPy backward pass and central finite differences, the
generated data and initialization, the lane kernel inside the engine (full batch, minibatches,
block sizes, float32) against the same network written per example, and bad input."""
from __future__ import annotations

import math

import numpy as np
import pytest
from fractal_reference import shallow_loss_grad
from hypothesis import given, settings
from hypothesis import strategies as st

import fastdescent as fd
from fastdescent.models.shallow import ACTIVATIONS

SHAPES = st.tuples(st.integers(1, 5), st.integers(1, 4), st.integers(1, 3), st.integers(1, 6))


def _model(shape, activation, bias, par):
    n, d, m, N = shape
    return fd.models.shallow_net(n, d, m, activation=activation, bias=bias,
                                 parameterization=par, examples=N)


@settings(max_examples=40, deadline=None)
@given(shape=SHAPES, activation=st.sampled_from(sorted(ACTIVATIONS)), bias=st.booleans(),
       par=st.sampled_from(["mean_field", "standard"]), seed=st.integers(0, 2**31),
       scale=st.floats(0.1, 2.0))
def test_loss_and_gradient_match_numpy(shape, activation, bias, par, seed, scale):
    m = _model(shape, activation, bias, par)
    p = scale * np.random.default_rng(seed).standard_normal(m.n_params)
    L_ref, g_ref = shallow_loss_grad(m, p)
    assert m.loss(p) == pytest.approx(L_ref, rel=1e-12, abs=1e-14)
    np.testing.assert_allclose(m.grad(p), g_ref, rtol=1e-10, atol=1e-12 * max(1.0, L_ref))


@settings(max_examples=25, deadline=None)
@given(shape=SHAPES, activation=st.sampled_from(["tanh", "sin", "sigmoid", "gauss",
                                                  "identity"]),
       bias=st.booleans(), seed=st.integers(0, 2**31))
def test_gradient_matches_finite_differences(shape, activation, bias, seed):
    """Smooth activations (ReLU's kink is left to the NumPy comparison above)."""
    m = _model(shape, activation, bias, "mean_field")
    p = np.random.default_rng(seed).standard_normal(m.n_params)
    g = m.grad(p)
    h = 1e-6
    E = np.eye(m.n_params) * h
    fdg = (m.loss_many(p + E) - m.loss_many(p - E)) / (2 * h)
    np.testing.assert_allclose(g, fdg, rtol=1e-5, atol=1e-6 * max(1.0, np.abs(g).max()))


@pytest.mark.parametrize("activation, bias, outputs",
                         [("tanh", False, 1), ("identity", True, 1), ("tanh", True, 2)])
def test_lane_form_equals_the_network_written_per_example(activation, bias, outputs):
    """The lane kernel gives the bits of the same network in the per-example contract (one
    output: the loss is one square per example in both) on every path; with two outputs the
    per-example loss sums its squares before adding them, so losses agree to rounding."""
    from user_model_kernels import shallow_point

    m = fd.models.shallow_net(5, 3, outputs, activation=activation, bias=bias, examples=11)
    ref = fd.models.custom_model(shallow_point, param_names=m.param_names, x=m.X, y=m.Y,
                                 consts=m.consts, work_size=2 * 5 + outputs,
                                 groups=m.groups)
    pts = fd.models.shallow_init(m, seed=4, n=19)
    L, G = m.loss_grad_many(pts)
    Lr, Gr = ref.loss_grad_many(pts)
    runs = [(fd.optim.gd(lr={"input": 0.05, "output": 0.2}), {}),
            (fd.optim.adam(lr=0.02), dict(batch_size=4, seed=2)),
            (fd.optim.armijo(), {})]
    r = [[fd.run(mm, opt, pts, 20, record_every=1, progress=False, **kw) for mm in (m, ref)]
         for opt, kw in runs]
    if outputs == 1:
        assert L.tobytes() == Lr.tobytes() and G.tobytes() == Gr.tobytes()
        assert m.loss_many(pts).tobytes() == ref.loss_many(pts).tobytes()
        for a, b in r:
            assert a.path.tobytes() == b.path.tobytes()
            assert a.loss_path.tobytes() == b.loss_path.tobytes()
    else:
        np.testing.assert_allclose(L, Lr, rtol=1e-14)
        np.testing.assert_allclose(G, Gr, rtol=1e-13, atol=1e-15)
        for a, b in r:
            np.testing.assert_allclose(a.path, b.path, rtol=1e-9, atol=1e-12)


def test_float32_runs_in_float32_and_follows_float64():
    """The lane kernel's literals take the block's precision: a float32 run stays float32 and
    ends near the float64 run (GD on the paper's network, 30 steps)."""
    m = fd.models.shallow_net(8, 4, examples=24)
    p0 = fd.models.shallow_init(m, seed=1, n=16)
    opt = fd.optim.gd(lr={"input": 0.5, "output": 2.0})
    r64 = fd.run(m, opt, p0, 30, reduction="mean", progress=False)
    r32 = fd.run(m, opt, p0, 30, reduction="mean", dtype="float32", progress=False)
    assert r32.params.dtype == np.float32 and r32.loss.dtype == np.float32
    np.testing.assert_allclose(r32.params, r64.params, rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(r32.loss, r64.loss, rtol=1e-3, atol=1e-5)


def test_paper_configuration_and_groups():
    m = fd.models.shallow_net()
    assert (m.n_params, m.n_examples) == (272, 272)  # as many examples as parameters
    assert m.groups == {"input": (0, 256), "output": (256, 272)}
    assert m.consts[5] == pytest.approx(math.sqrt(2) / 4) and m.consts[6] == 1 / 16
    # the notebook's gains: sqrt(2) for tanh and ReLU, 1 for identity
    assert fd.models.shallow_net(activation="identity").settings["gain"] == 1.0
    assert fd.models.shallow_net(activation="relu").settings["gain"] == math.sqrt(2)
    b = fd.models.shallow_net(width=3, inputs=2, outputs=2, bias=True)
    assert b.groups == {"input": (0, 9), "output": (9, 17)}
    assert b.param_names[:2] == ("W0_0_0", "W0_0_1") and b.param_names[-1] == "c_1"


def test_data_and_init_distributions():
    """X, Y, W0, V ~ N(0, 1): means and variances within 5 standard errors."""
    m = fd.models.shallow_net(width=16, inputs=16, examples=4000, seed=3)
    p = fd.models.shallow_init(m, seed=5, n=40)
    for a in (m.X, m.Y, p):
        n = a.size
        assert abs(a.mean()) < 5 / math.sqrt(n)
        assert abs(a.var() - 1) < 5 * math.sqrt(2 / n)
    # seeded: the same seed gives the same draws, another seed others; data and init differ
    again = fd.models.shallow_net(width=16, inputs=16, examples=4000, seed=3)
    assert np.array_equal(m.X, again.X)
    assert not np.array_equal(m.X, fd.models.shallow_net(examples=4000, seed=4).X)
    assert np.array_equal(p, fd.models.shallow_init(m, seed=5, n=40))
    assert fd.models.shallow_init(m, seed=5).shape == (m.n_params,)
    zb = fd.models.shallow_init(fd.models.shallow_net(width=3, inputs=2, bias=True), n=2)
    assert np.all(zb[:, 6:9] == 0) and np.all(zb[:, -1] == 0)  # biases start at 0


@pytest.mark.parametrize("activation", ["tanh", "relu", "identity"])
def test_engine_gd_matches_numpy_loop_and_is_block_independent(activation):
    """Full-batch GD on the mean loss: fd.run against a NumPy loop of the reference
    gradient, and the same bits whatever the block size (lanes never interact)."""
    m = fd.models.shallow_net(width=4, inputs=3, activation=activation, examples=12)
    P = fd.models.shallow_init(m, seed=2, n=5) * 0.7
    lr = np.array([0.05, 0.3, 1.0, 2.0, 4.0])
    res = fd.run(m, fd.optim.gd(lr=lr), P, steps=25, reduction="mean", progress=False)
    for i in range(5):
        p = P[i].copy()
        for _ in range(25):
            p = p - lr[i] * shallow_loss_grad(m, p)[1] / m.n_examples
        if res.status[i] != fd.engine.status.DIVERGED:
            np.testing.assert_allclose(res.params[i], p, rtol=1e-9, atol=1e-11)
    for block in (1, 3):
        other = fd.run(m, fd.optim.gd(lr=lr), P, steps=25, reduction="mean", progress=False,
                       block_size=block)
        assert np.array_equal(other.params, res.params)


def test_minibatch_kernels_match_subset_gradients():
    """With per-trajectory minibatch streams the block kernel reads example rows[b] per lane:
    against the reference loop on the model's subsets (tests/reference.py)."""
    import reference

    m = fd.models.shallow_net(width=3, inputs=2, examples=10)
    P = fd.models.shallow_init(m, seed=1, n=3)
    res = fd.run(m, fd.optim.gd(lr=0.2), P, steps=12, batch_size=4, seed=7, progress=False,
                 record_every=1)
    for i in range(3):
        path = reference.reference_path(m, "gd", P[i], 12, batch_size=4, seed=7, index=i,
                                        lr=0.2)
        np.testing.assert_allclose(res.path[i], path, rtol=1e-10, atol=1e-12)


def test_bad_input():
    with pytest.raises(ValueError, match="activation must be one of"):
        fd.models.shallow_net(activation="softsign")
    with pytest.raises(ValueError, match="width must be an integer >= 1"):
        fd.models.shallow_net(width=0)
    with pytest.raises(ValueError, match="parameterization"):
        fd.models.shallow_net(parameterization="ntk")
    with pytest.raises(ValueError, match="gain"):
        fd.models.shallow_net(gain=-1)
    with pytest.raises(ValueError, match="examples must be >= 1"):
        fd.models.shallow_net(examples=0)
    with pytest.raises(ValueError, match="x must have 16 columns"):
        fd.models.shallow_net(x=np.zeros((5, 3)), y=np.zeros(5))
    with pytest.raises(ValueError, match="must be a shallow_net"):
        fd.models.shallow_init(fd.models.gabor())
