"""Tests of the model catalogue (fastdescent.models): derivatives, known minima, lecture values,
per-example accumulation, NumPy references, the Python helpers, user models and bad input.

Derivatives are checked against central finite differences at many random points drawn by
hypothesis inside each model's ``box``, vectorised through ``loss_many`` / ``loss_grad_many``
(one parallel kernel call per check). Reference losses come from ``tests/naive.py`` (slow,
plain-NumPy implementations written from the formulas, not from the kernels).
"""
from __future__ import annotations

import functools
import os
from pathlib import Path

import naive
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numba import njit
from user_model_kernels import (exp_data, exp_example, exp_hessian, exp_lanes,
                                exp_lanes_scratch, exp_lanes_via_helper, exp_loss,
                                exp_loss_grad, exp_loss_grad_reads_g, exp_loss_grad_via_helper,
                                tanh_net_loss_grad)

from fastdescent.models import (
    binary_classification,
    bumps_1d,
    custom_model,
    gabor,
    get_model,
    himmelblau,
    linear_regression_1d,
    multiclass_classification,
    multivariate_regression,
    named_models,
    polynomial_regression,
    quadratic,
    rastrigin,
    two_layer_net,
)
from fastdescent.models.base import importable_name

# the lecture's published check values, next to the repository (override: FASTDESCENT_LECTURE_DIR)
LECTURE_DIR = Path(os.environ.get("FASTDESCENT_LECTURE_DIR",
                                  Path(__file__).resolve().parents[2] / "shared" / "lecture"))

# ============================================================================ the models
_rng = np.random.default_rng(12345)
NET_X = _rng.uniform(-1.0, 1.0, (16, 2))
NET_Y = np.column_stack([np.sin(NET_X[:, 0] + NET_X[:, 1]), NET_X[:, 0] * NET_X[:, 1]])
MC_X = _rng.normal(0.0, 1.0, (30, 3))
MC_Y = np.arange(30) % 3
BIN_X = _rng.normal(0.0, 1.0, (25, 3))
BIN_Y = (BIN_X[:, 0] + 1.5 * _rng.standard_normal(25) > 0).astype(float)  # not separable
MV_X = _rng.uniform(-1.0, 1.0, (20, 3))
MV_Y = MV_X @ np.array([0.5, -1.0, 2.0]) + 0.1 * _rng.standard_normal(20)
POLY_X = np.linspace(-1.0, 1.0, 15)
POLY_Y = np.cos(2 * POLY_X)
EXP_X, EXP_Y = exp_data()
EXP_BOX = ((0.5, 2.5), (-1.5, 0.5))

EXTRA_CASES = {
    # quadratic with a random 3-D rotation and 3 eigenvalues; 2-D with a rotation angle
    "quadratic_rot3d": lambda: quadratic((0.5, 4.0, 40.0), rotation="random", seed=1),
    "quadratic_angle": lambda: quadratic((1.0, 25.0), rotation=0.4),
    "rastrigin_dim3": lambda: rastrigin(dim=3),
    # width 3, 2-D inputs, 2 outputs: P = 3*2 + 3 + 2*3 + 2 = 17
    "two_layer_net_w3_2in_2out": lambda: two_layer_net(3, x=NET_X, y=NET_Y),
    "shallow_net_w3_bias_sin": lambda: named_models["shallow_net"](
        3, 2, 2, activation="sin", bias=True, parameterization="standard", examples=9),
    "multiclass_3cls_3in": lambda: multiclass_classification(MC_X, MC_Y, n_classes=3),
    "binary_3in": lambda: binary_classification(BIN_X, BIN_Y),
    "multivariate_3in_1out": lambda: multivariate_regression(MV_X, MV_Y),
    "polynomial_deg4": lambda: polynomial_regression(4, POLY_X, POLY_Y),
    "bumps_1d": lambda: bumps_1d(0.5, 0.3, 1.0, (0.4, 0.3), (0.2, 0.7), (0.01, 0.05),
                                 box=(-0.5, 1.5)),
    "custom_exp": lambda: custom_model(exp_example, exp_loss, example_hessian=exp_hessian,
                                       param_names=("a", "k"), x=EXP_X, y=EXP_Y, box=EXP_BOX),
    "custom_exp_fd": lambda: custom_model(exp_example, exp_loss, n_params=2, x=EXP_X, y=EXP_Y,
                                          box=EXP_BOX, name="custom_fd"),
    "custom_exp_point": lambda: custom_model(exp_loss_grad, hessian=exp_hessian,
                                             param_names=("a", "k"), x=EXP_X, y=EXP_Y,
                                             box=EXP_BOX, name="custom_point"),
}
ALL_CASES = [*named_models, *EXTRA_CASES]
DATA_CASES = ["linear_regression_1d", "gabor", "univariate_regression", "multivariate_regression",
              "binary_classification", "multiclass_classification", "two_layer_net",
              "two_layer_net_w3_2in_2out", "multiclass_3cls_3in", "binary_3in",
              "multivariate_3in_1out", "polynomial_deg4", "custom_exp", "custom_exp_fd",
              "custom_exp_point", "shallow_net", "shallow_net_w3_bias_sin"]


#: registered models whose default is too large for the generic checks below, which use a small
#: member of the same family (the default itself: tests/test_shallow.py)
SMALL_DEFAULTS = {"shallow_net": {"width": 4, "inputs": 3, "examples": 10}}


@functools.cache
def model_for(case: str):
    if case in EXTRA_CASES:
        return EXTRA_CASES[case]()
    return named_models[case](**SMALL_DEFAULTS.get(case, {}))


def test_case_lists_cover_the_registry():
    assert set(named_models) <= set(ALL_CASES)
    assert all(model_for(c).has_data for c in DATA_CASES)
    assert {c for c in ALL_CASES if model_for(c).has_data} == set(DATA_CASES)


def naive_loss(model, phi) -> float:
    """The plain-NumPy reference loss of ``model`` at ``phi`` (dispatch on name/settings)."""
    s, X, Y, name = model.settings, model.X, model.Y, model.name
    if name == "linear_regression_1d":
        return naive.linreg_loss(phi, X, Y)
    if name == "gabor":
        return naive.gabor_loss(phi, X, Y)
    if name in ("univariate_regression", "polynomial_regression"):
        return naive.polynomial_loss(phi, X, Y)
    if name == "multivariate_regression":
        return naive.multivariate_linear_loss(phi, X, Y)
    if name == "binary_classification":
        return naive.logistic_loss(phi, X, Y)
    if name == "multiclass_classification":
        return naive.softmax_loss(phi, X, Y, s["classes"])
    if name == "two_layer_net":
        return naive.two_layer_net_loss(phi, X, Y, s["width"])
    if name == "shallow_net":
        from fractal_reference import shallow_loss_grad

        return shallow_loss_grad(model, phi)[0]
    if name == "quadratic":
        return naive.quadratic(phi, s["eigenvalues"], s["rotation"])
    if name == "rosenbrock":
        return naive.rosenbrock(phi, s["a"], s["b"])
    if name == "rastrigin":
        return naive.rastrigin(phi, s["A"])
    if name == "line_search_demo":
        return naive.line_search_demo(phi)
    if name == "convex_1d":
        return naive.convex_1d(phi)
    if name in ("multimodal_1d", "plateau_1d", "bumps_1d"):
        return naive.bumps(phi, s["q"], s["center"], s["offset"], s["amplitudes"], s["means"],
                           s["widths"])
    if name == "cosine_quadratic":
        return naive.cosine_quadratic(phi, s["delta"], s["lam"])
    if name in ("custom", "custom_fd", "custom_point"):
        return naive.exp_regression_loss(phi, X, Y)
    return getattr(naive, name)(phi)  # himmelblau, beale, saddle, adam_demo


def draw_points(data, model, m: int) -> np.ndarray:
    """``m`` points inside ``model.box`` (corners and edges included), shape (m, P)."""
    u = data.draw(arrays(np.float64, (m, model.n_params),
                         elements=st.floats(0.0, 1.0, allow_subnormal=False)))
    lo, hi = np.array(model.box).T
    return lo + u * (hi - lo)


# ============================================================================ derivatives
# Central differences D(h) = (f(phi + h e_k) - f(phi - h e_k)) / 2h, h_k = H_STEP max(1, |phi_k|)
# (the step actually taken, (phi+h) - (phi-h), is the denominator), Richardson-extrapolated:
# R = (4 D(h/2) - D(h)) / 3 cancels the h^2 f'''/6 term of D, leaving
#     truncation  O(h^4 f^(5)) ~ (h/l)^4 |f'| for features of width l (narrowest here: the bumps
#                 of multimodal_1d, l ~ 0.06, so (6e-5 / 0.06)^4 ~ 1e-12),
#     rounding    ~ 3 eps |f| / h ~ 1e-11 |f|.
# The error is thus ~1e-11 of the scale max(1, |L|, |g|, |H|). Measured worst over the catalogue
# (400 points per model, corners included): 3e-11 for gradients and exact Hessians, 3e-10 for
# custom_exp_fd, whose Hessian is itself finite differences (~1e-10). FD_RTOL = 1e-7 leaves a
# >300x margin, while a wrong term or coefficient in a kernel gives an O(1) relative error
# (a coefficient off by a few parts in a million is still caught).
H_STEP = 2.0 ** -14  # 6.1e-5
FD_RTOL = 1e-7
N_POINTS = 8


def _shifted(phi, h_step):
    """Points phi +- h e_k for every k, shape (M, 2P, P), and the steps taken, 2h (M, P)."""
    M, P = phi.shape
    h = h_step * np.maximum(1.0, np.abs(phi))
    plus = np.repeat(phi[:, None, :], P, axis=1)
    minus = plus.copy()
    idx = np.arange(P)
    plus[:, idx, idx] += h
    minus[:, idx, idx] -= h
    step = plus[:, idx, idx] - minus[:, idx, idx]
    return np.concatenate([plus, minus], axis=1), step


def fd_derivative(fn, phi):
    """Richardson-extrapolated central differences of the vectorised ``fn`` ((K, P) -> (K, ...))
    at the (M, P) points ``phi``: ``out[m, k, ...] = d fn / d phi_k`` at ``phi[m]``."""
    M, P = phi.shape
    est = []
    for h in (H_STEP, H_STEP / 2):
        pts, step = _shifted(phi, h)
        v = np.asarray(fn(pts.reshape(-1, P)))
        v = v.reshape((M, 2 * P) + v.shape[1:])
        step = step.reshape(step.shape + (1,) * (v.ndim - 2))
        est.append((v[:, :P] - v[:, P:]) / step)
    return (4 * est[1] - est[0]) / 3


fd_settings = settings(max_examples=12, deadline=None,
                       suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("case", ALL_CASES)
@fd_settings
@given(data=st.data())
def test_gradient_matches_central_differences(case, data):
    model = model_for(case)
    phi = draw_points(data, model, N_POINTS)
    loss, grad = model.loss_grad_many(phi)
    # the loss-only kernel and the loss+gradient kernel agree
    np.testing.assert_allclose(model.loss_many(phi), loss, rtol=1e-13, atol=1e-13)
    fd = fd_derivative(model.loss_many, phi)
    scale = np.maximum(1.0, np.maximum(np.abs(loss), np.abs(grad).max(axis=1)))[:, None]
    err = np.abs(fd - grad) / scale
    assert err.max() <= FD_RTOL, (
        f"{case}: gradient differs from central differences by {err.max():.2e} (relative) at "
        f"{phi[np.unravel_index(err.argmax(), err.shape)[0]]}")


@pytest.mark.parametrize("case", ALL_CASES)
@fd_settings
@given(data=st.data())
def test_hessian_symmetric_and_matches_differences_of_gradient(case, data):
    model = model_for(case)
    phi = draw_points(data, model, N_POINTS)
    M, P = phi.shape
    loss, grad = model.loss_grad_many(phi)
    H = model.hessian_many(phi)
    assert H.shape == (M, P, P)
    scale = np.maximum.reduce([np.ones(M), np.abs(loss), np.abs(grad).max(axis=1),
                               np.abs(H).max(axis=(1, 2))])[:, None, None]
    # symmetric up to rounding (both triangles are sums of the same products)
    assert np.all(np.abs(H - np.transpose(H, (0, 2, 1))) <= 1e-13 * scale)
    fd = fd_derivative(lambda pts: model.loss_grad_many(pts)[1], phi)  # [m, k, :] = dg/dphi_k
    err = np.abs(fd - H) / scale
    assert err.max() <= FD_RTOL, f"{case}: Hessian differs from differences by {err.max():.2e}"


# ============================================================================ NumPy references
@pytest.mark.parametrize("case", ALL_CASES)
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_loss_matches_naive_numpy_reference(case, data):
    model = model_for(case)
    phi = draw_points(data, model, 4)
    got = model.loss_many(phi)
    for p, g in zip(phi, got):
        want = naive_loss(model, p)
        assert abs(g - want) <= 1e-12 * max(1.0, abs(want)), (case, p, g, want)


# ============================================================================ lecture values
def test_lecture_check_values():
    lin, gab = linear_regression_1d(), gabor()
    assert round(lin.loss([0.6, -0.2]), 3) == 12.367
    assert round(gab.loss([0.6, -0.2]), 3) == 16.419
    assert lin.n_examples == 12 and gab.n_examples == 30


@pytest.mark.skipif(not LECTURE_DIR.is_dir(), reason="lecture reference material not present")
def test_packaged_data_is_the_lectures():
    for name, factory in (("linear_regression_1d", linear_regression_1d), ("gabor", gabor)):
        ref = np.loadtxt(LECTURE_DIR / f"{name}.csv", delimiter=",", skiprows=1)
        m = factory()
        np.testing.assert_array_equal(m.X[:, 0], ref[:, 0])
        np.testing.assert_array_equal(m.Y[:, 0], ref[:, 1])


def test_linear_regression_lstsq_optimum():
    m = linear_regression_1d()
    opt = naive.linreg_lstsq(m.X, m.Y)
    g = m.grad(opt)
    H = m.hessian(opt)
    # 2 V^T (V phi - y) in floating point: |g| ~ N eps sum|2 r x|, far below 1e-10
    assert np.abs(g).max() <= 1e-10
    np.testing.assert_allclose(H, 2 * np.array([[12, m.X.sum()], [m.X.sum(), (m.X ** 2).sum()]]),
                               rtol=1e-13)
    assert np.linalg.eigvalsh(H).min() > 0
    # the listed minimum is this optimum, and the loss is lowest there
    (kp,) = m.minima
    np.testing.assert_allclose(kp.params, opt, rtol=1e-10, atol=1e-12)
    assert m.loss(opt) <= m.loss_many(opt + 1e-3 * np.random.default_rng(0).standard_normal(
        (50, 2))).min()


def _classify(H):
    ev = np.linalg.eigvalsh(H)
    tol = 1e-9 * np.abs(ev).max()
    if np.all(ev > tol):
        return "minimum"
    if np.all(ev < -tol):
        return "maximum"
    if ev.min() < -tol and ev.max() > tol:
        return "saddle"
    return "degenerate"


@pytest.mark.parametrize("case", ALL_CASES)
def test_known_critical_points(case):
    model = model_for(case)
    for kp in model.minima:
        p = np.array(kp.params)
        g, H = model.grad(p), model.hessian(p)
        # at x* + d (d ~ ulp(x*), the rounding of the stored point) the gradient is ~ H d:
        # 1e-9 |H| max(1, |x*|) is ~1e6 ulp of room, yet a point off by 1e-7 fails.
        tol = 1e-9 * max(1.0, np.abs(H).max()) * max(1.0, np.abs(p).max())
        assert np.abs(g).max() <= tol, f"{case} {kp}: gradient {g}"
        assert _classify(H) == kp.kind, f"{case} {kp}: eigenvalues {np.linalg.eigvalsh(H)}"
        assert abs(model.loss(p) - kp.loss) <= 1e-9 * max(1.0, abs(kp.loss))


def test_every_listed_minimum_count():
    # the models that promise minima list at least one
    for case in ("linear_regression_1d", "univariate_regression", "multivariate_regression",
                 "binary_classification", "adam_demo", "line_search_demo", "convex_1d",
                 "multimodal_1d", "plateau_1d", "quadratic", "rosenbrock", "himmelblau",
                 "rastrigin", "beale", "cosine_quadratic"):
        assert any(k.kind == "minimum" for k in model_for(case).minima), case


ONE_D = ["line_search_demo", "convex_1d", "multimodal_1d", "plateau_1d", "cosine_quadratic"]


@pytest.mark.parametrize("case", ONE_D)
def test_1d_minima_are_all_the_local_minima_in_the_box(case):
    # independent search: strict local minima of the NumPy reference on a fine grid
    m = model_for(case)
    lo, hi = m.box[0]
    g = np.linspace(lo, hi, 40001)
    L = np.array([naive_loss(m, [v]) for v in g])
    i = np.flatnonzero((L[1:-1] < L[:-2]) & (L[1:-1] < L[2:])) + 1
    listed = sorted(k.params[0] for k in m.minima if k.kind == "minimum")
    assert len(listed) == len(i) >= 1
    np.testing.assert_allclose(listed, np.sort(g[i]), atol=2 * (hi - lo) / 40000)
    best = min(m.minima, key=lambda k: k.loss)
    assert best.loss <= L.min() + 1e-12


def test_quadratic_kind_of_the_origin():
    assert quadratic((1.0, 3.0)).minima[0].kind == "minimum"
    assert quadratic((1.0, 0.0)).minima[0].kind == "minimum"  # flat direction: not a saddle
    assert quadratic((-1.0, -3.0), rotation=0.2).minima[0].kind == "maximum"
    assert quadratic((0.0, -3.0)).minima[0].kind == "maximum"
    assert quadratic((2.0, -1.0, 4.0), rotation="random").minima[0].kind == "saddle"


def test_binary_classification_separable_data_lists_no_minimum():
    # separable labels: the loss decreases to 0 along w -> inf, there is no minimum
    m = binary_classification([[-2.0], [-1.0], [1.0], [2.0]], [0, 0, 1, 1])
    assert m.minima == ()
    nonsep = binary_classification([[-2.0], [-1.0], [1.0], [2.0]], [0, 1, 0, 1])
    assert len(nonsep.minima) == 1
    assert np.abs(nonsep.grad(nonsep.minima[0].params)).max() < 1e-12
    assert model_for("binary_3in").minima  # the non-separable test data has one


def test_himmelblau_critical_points():
    m = himmelblau()
    kinds = [k.kind for k in m.minima]
    assert kinds.count("minimum") == 4
    assert kinds.count("saddle") == 4
    assert kinds.count("maximum") == 1
    pts = np.array([k.params for k in m.minima])
    # all distinct
    d = np.linalg.norm(pts[:, None] - pts[None], axis=-1)
    assert d[~np.eye(len(pts), dtype=bool)].min() > 0.5
    for k in m.minima:
        ev = np.linalg.eigvalsh(m.hessian(k.params))
        if k.kind == "minimum":
            assert k.loss < 1e-20 and m.loss(k.params) < 1e-20
            assert ev.min() > 0
        elif k.kind == "saddle":
            assert ev.min() < 0 < ev.max()
            assert k.loss > 1
        else:
            assert ev.max() < 0
            assert k.loss == pytest.approx(181.617, abs=1e-3)  # f(-0.270845, -0.923039)
    mins = sorted(tuple(np.round(k.params, 5)) for k in m.minima if k.kind == "minimum")
    assert mins == sorted([(3.0, 2.0), (-2.80512, 3.13131), (-3.77931, -3.28319),
                           (3.58443, -1.84813)])


# ============================================================================ per-example sums
@pytest.mark.parametrize("case", DATA_CASES)
@settings(max_examples=8, deadline=None)
@given(data=st.data())
def test_minibatch_gradient_is_sum_of_per_example_gradients(case, data):
    model = model_for(case)
    N = model.n_examples
    idx = np.array(data.draw(st.lists(st.integers(0, N - 1), min_size=1, max_size=min(N, 12),
                                      unique=True)))
    phi = draw_points(data, model, 1)[0]
    sub = model.subset(idx)
    assert sub.n_examples == len(idx)
    loss_b, grad_b = sub.loss(phi), sub.grad(phi)
    per = [model.subset([i]) for i in idx]
    grad_sum = np.sum([s.grad(phi) for s in per], axis=0)
    loss_sum = sum(s.loss(phi) for s in per)
    # the same terms summed in another order: rounding only
    scale = max(1.0, abs(loss_b), np.abs(grad_b).max())
    assert np.abs(grad_sum - grad_b).max() <= 1e-12 * scale
    assert abs(loss_sum - loss_b) <= 1e-12 * scale
    assert abs(naive_loss(sub, phi) - loss_b) <= 1e-12 * max(1.0, abs(loss_b))
    H_sum = np.sum([s.hessian(phi) for s in per], axis=0)
    H_b = sub.hessian(phi)
    # exact kernels: rounding only; finite-difference Hessians: their own 1e-10-ish error
    h_tol = 1e-12 if model.hessian_is_exact else 1e-8
    assert np.abs(H_sum - H_b).max() <= h_tol * max(1.0, np.abs(H_b).max())
    if case == "gabor":
        ref = naive.gabor_grad(phi, sub.X, sub.Y)
    elif case == "linear_regression_1d":
        ref = naive.linreg_grad(phi, sub.X, sub.Y)
    else:
        return
    assert np.abs(ref - grad_b).max() <= 1e-12 * scale


def test_full_gradient_matches_numpy_formula_for_lecture_models():
    rng = np.random.default_rng(7)
    for m, ref in ((gabor(), naive.gabor_grad), (linear_regression_1d(), naive.linreg_grad)):
        lo, hi = np.array(m.box).T
        for phi in lo + rng.random((20, 2)) * (hi - lo):
            g = m.grad(phi)
            want = ref(phi, m.X, m.Y)
            assert np.abs(g - want).max() <= 1e-12 * max(1.0, np.abs(want).max(), m.loss(phi))


def test_subset_rejects_bad_indices():
    m = gabor()
    with pytest.raises(ValueError, match="indices"):
        m.subset([])
    with pytest.raises(ValueError, match="indices"):
        m.subset([0, 30])
    with pytest.raises(ValueError, match="no data"):
        himmelblau().subset([0])


# ============================================================================ Python helpers
def test_python_helpers_types_and_shapes():
    m = gabor()
    phi = [0.6, -0.2]
    assert m.n_params == 2 and m.param_names == ("phi0", "phi1")
    L = m.loss(phi)
    assert type(L) is float
    g, H = m.grad(phi), m.hessian(phi)
    assert g.shape == (2,) and g.dtype == np.float64
    assert H.shape == (2, 2)
    many_L, many_g = m.loss_grad_many([phi, phi])
    assert many_L.shape == (2,) and many_g.shape == (2, 2)
    assert many_L[0] == L and np.array_equal(many_g[1], g)
    assert m.hessian_is_exact
    r3 = rastrigin(dim=3)
    assert r3.n_params == 3 and r3.grad(np.zeros(3)).shape == (3,)
    assert r3.hessian(np.zeros(3)).shape == (3, 3)
    net = model_for("two_layer_net_w3_2in_2out")
    assert net.n_params == 17 and net.grad(np.zeros(17)).shape == (17,)
    # 1-D models accept a (M,) vector of points
    assert model_for("convex_1d").loss_many(np.linspace(0, 1, 5)).shape == (5,)


def test_loss_on_grid_layout():
    m = gabor()
    a0 = np.linspace(-10, 10, 7)
    a1 = np.linspace(2.5, 22.5, 4)
    Z = m.loss_on_grid((a0, a1))
    assert Z.shape == (len(a1), len(a0))  # rows follow the second axis (contourf layout)
    for i in (0, 3):
        for j in (0, 2, 6):
            assert Z[i, j] == m.loss([a0[j], a1[i]])
    r3 = rastrigin(dim=3)
    Z3 = r3.loss_on_grid((a0[:3], a1[:2]), fixed=[9.0, 9.0, 0.5])
    assert Z3.shape == (2, 3)
    assert Z3[1, 2] == r3.loss([a0[2], a1[1], 0.5])
    with pytest.raises(ValueError, match="fixed"):
        r3.loss_on_grid((a0, a1), fixed=[0.0, 0.0])


# ============================================================================ user models
def test_custom_model_with_exact_hessian():
    m = model_for("custom_exp")
    assert m.hessian_is_exact and m.n_params == 2 and m.param_names == ("a", "k")
    assert importable_name(exp_example) is not None  # cached engine path
    phi = np.array([1.5, -0.8])
    assert m.loss(phi) == pytest.approx(naive.exp_regression_loss(phi, EXP_X, EXP_Y), rel=1e-12)


@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_custom_model_finite_difference_hessian(data):
    exact, fd = model_for("custom_exp"), model_for("custom_exp_fd")
    assert not fd.hessian_is_exact
    phi = draw_points(data, exact, 6)
    H_fd, H = fd.hessian_many(phi), exact.hessian_many(phi)
    # base.py's step 1e-5 max(1,|phi|): error h^2/6 |g'''| + eps |g| / h ~ 1e-10 relative
    scale = np.maximum(1.0, np.abs(H).max(axis=(1, 2)))[:, None, None]
    assert np.all(np.abs(H_fd - H) <= 1e-6 * scale)
    assert np.array_equal(H_fd, np.transpose(H_fd, (0, 2, 1)))
    np.testing.assert_array_equal(fd.loss_grad_many(phi)[1], exact.loss_grad_many(phi)[1])


def test_custom_model_defined_in_a_function():
    @njit
    def line_example(phi, b, X, Y, i, c, work, grad):
        r = phi[0, b] + c[0] * phi[1, b] * X[i, 0] - Y[i, 0]
        grad[0, b] += 2.0 * r
        grad[1, b] += 2.0 * r * c[0] * X[i, 0]
        return r * r

    assert importable_name(line_example) is None  # a closure: the uncached engine path
    x = np.linspace(-1, 1, 9)
    y = 0.3 + 0.7 * x
    m = custom_model(line_example, n_params=2, x=x, y=y, consts=[2.0])
    assert not m.hessian_is_exact
    assert "<locals>" in m.settings["kernel"]
    phi = np.array([0.1, -0.4])
    r = phi[0] + 2.0 * phi[1] * x - y
    assert m.loss(phi) == pytest.approx(np.sum(r ** 2), rel=1e-13)  # default loss-only kernel
    np.testing.assert_allclose(m.grad(phi), [np.sum(2 * r), np.sum(4 * r * x)], rtol=1e-13)
    np.testing.assert_allclose(m.hessian(phi), 2 * np.array(
        [[9, 2 * x.sum()], [2 * x.sum(), 4 * (x ** 2).sum()]]), rtol=1e-7, atol=1e-7)
    np.testing.assert_array_equal(m.loss_many(np.tile(phi, (3, 1))), m.loss(phi))


# ============================================================================ bad input
def _nonjit(phi, b, X, Y, i, c, work, grad):
    return 0.0


BAD_INPUT = {
    "wrong phi length": (lambda: gabor().loss([1.0, 2.0, 3.0]), ValueError,
                         r"phi must have shape \(2,\)"),
    "wrong grad length": (lambda: gabor().grad([1.0]), ValueError, "phi must have shape"),
    "wrong points shape": (lambda: gabor().loss_many(np.zeros((3, 3))), ValueError, "points"),
    "NaN x": (lambda: gabor(x=[0.0, np.nan], y=[1.0, 2.0]), ValueError, "x contains NaN"),
    "NaN y": (lambda: linear_regression_1d(x=[0.0, 1.0], y=[1.0, np.inf]), ValueError,
              "y contains NaN"),
    "empty data": (lambda: linear_regression_1d(x=[], y=[]), ValueError, "x is empty"),
    "x/y lengths": (lambda: gabor(x=[1.0, 2.0, 3.0], y=[1.0, 2.0]), ValueError,
                    "x and y must have the same number"),
    "only x": (lambda: gabor(x=[1.0, 2.0]), ValueError, "x and y"),
    "net width 0": (lambda: two_layer_net(0), ValueError, "width must be"),
    "net width -2": (lambda: two_layer_net(-2), ValueError, "width must be"),
    "net width float": (lambda: two_layer_net(2.5), ValueError, "width must be"),
    "degree float": (lambda: polynomial_regression(2.5, POLY_X, POLY_Y), ValueError,
                     "degree must be"),
    "degree negative": (lambda: polynomial_regression(-1, POLY_X, POLY_Y), ValueError,
                        "degree must be"),
    "non-orthogonal rotation": (lambda: quadratic((1.0, 2.0), rotation=[[1.0, 0.5], [0.0, 1.0]]),
                                ValueError, "rotation must be an orthogonal"),
    "rotation wrong shape": (lambda: quadratic((1.0, 2.0), rotation=np.eye(3)), ValueError,
                             "rotation must be"),
    "angle in 3-D": (lambda: quadratic((1.0, 2.0, 3.0), rotation=0.3), ValueError,
                     "rotation angle"),
    "bumps zero width": (lambda: bumps_1d(amplitudes=(1.0,), means=(0.0,), widths=(0.0,)),
                         ValueError, "widths must be > 0"),
    "bumps negative width": (lambda: bumps_1d(amplitudes=(1.0, 1.0), means=(0.0, 1.0),
                                              widths=(0.1, -0.1)), ValueError, "widths must be"),
    "bumps lengths": (lambda: bumps_1d(amplitudes=(1.0,), means=(0.0, 1.0), widths=(0.1,)),
                      ValueError, "amplitudes, means and widths"),
    "custom non-njit": (lambda: custom_model(_nonjit, n_params=2), TypeError,
                        "loss_grad must be a numba.njit function"),
    "custom non-njit hessian": (lambda: custom_model(exp_example, exp_loss, n_params=2,
                                                     example_hessian=_nonjit), TypeError,
                                "hessian must be a numba.njit"),
    "custom no size": (lambda: custom_model(exp_example, exp_loss), ValueError, "n_params"),
    "binary labels 2": (lambda: binary_classification(BIN_X[:3], [0.0, 1.0, 2.0]), ValueError,
                        "binary labels 0 or 1"),
    "binary labels -1": (lambda: binary_classification(BIN_X[:3], [0.0, 1.0, -1.0]), ValueError,
                         "binary labels"),
    "multiclass fractional": (lambda: multiclass_classification(MC_X[:3], [0.0, 1.5, 2.0]),
                              ValueError, "class indices"),
    "multiclass too few classes": (lambda: multiclass_classification(MC_X[:3], [0, 1, 2],
                                                                     n_classes=2),
                                   ValueError, "n_classes"),
    "rastrigin dim 0": (lambda: rastrigin(dim=0), ValueError, "dim must be"),
    "rastrigin dim bool": (lambda: rastrigin(dim=True), ValueError, "dim must be"),
    "bumps NaN width": (lambda: bumps_1d(amplitudes=(1.0,), means=(0.0,), widths=(np.nan,)),
                        ValueError, "widths must be > 0"),
    "bumps NaN mean": (lambda: bumps_1d(amplitudes=(1.0,), means=(np.nan,), widths=(0.1,)),
                       ValueError, "means must be finite"),
    "unknown model": (lambda: get_model("nope"), ValueError, "unknown model 'nope'"),
}


@pytest.mark.parametrize("case", BAD_INPUT)
def test_bad_input_gives_clear_error(case):
    fn, exc, match = BAD_INPUT[case]
    with pytest.raises(exc, match=match):
        fn()


def test_loss_grad_model_equals_the_internal_kernel_form_bit_for_bit():
    """A model written as one loss_grad(p, x, y, c, g) gives the same bits as the same loss
    written as the block kernels' 8-argument kernel and its loss-only twin: gradients, losses,
    Hessians, full-batch, minibatch and line-search runs."""
    point = custom_model(exp_loss_grad, hessian=exp_hessian, n_params=2, x=EXP_X, y=EXP_Y)
    block = custom_model(exp_example, exp_loss, example_hessian=exp_hessian, n_params=2,
                         x=EXP_X, y=EXP_Y)
    pts = np.random.default_rng(5).uniform(-1.0, 1.0, (40, 2)) + [1.5, -0.5]
    for a, b in zip(point.loss_grad_many(pts), block.loss_grad_many(pts)):
        assert a.tobytes() == b.tobytes()
    assert point.loss_many(pts).tobytes() == block.loss_many(pts).tobytes()
    assert point.hessian_many(pts).tobytes() == block.hessian_many(pts).tobytes()
    import fastdescent as fd

    for opt, kw in ((fd.optim.gd(lr=0.01), {}), (fd.optim.adam(lr=0.02), dict(batch_size=4)),
                    (fd.optim.armijo(), {})):
        r1, r2 = (fd.run(m, opt, pts, 30, record_every=1, progress=False, **kw)
                  for m in (point, block))
        assert r1.path.tobytes() == r2.path.tobytes()
        assert r1.loss_path.tobytes() == r2.loss_path.tobytes()


def test_builtin_models_use_the_public_contract():
    """Every built-in model is one kernel in a public form (plus its Hessian), in the subset
    its other forms are derived from by rewriting its source (so none runs through the slower
    column views): a per-example loss_grad(p, x, y, c, g[, w]), or for the fractal-trainability
    network the lane form loss_grad(p, x, y, c, g, w, loss) (its per-example work is a matrix
    product, vectorized across trajectories in every loop: benchmarks/network.py)."""
    from fastdescent.models.compiled import block_form

    from fastdescent.models.compiled import lanes_loss_form

    for name, make in named_models.items():
        k = make().kernels
        assert k.example is None and k.example_loss is None, name
        if name == "shallow_net":
            assert k.lanes is not None and k.loss_grad is None
            assert lanes_loss_form(k) is not None
            continue
        assert k.loss_grad is not None, name
        assert block_form(k) is not None, name
    m = polynomial_regression(2, [0.0, 1.0, 2.0], [1.0, 0.0, 1.0])
    assert m.kernels.loss_grad is not None and m.kernels.example is None


# ------------------------------------------------------------- the rewritten block form
def test_block_form_is_the_kernel_with_block_subscripts():
    """The generated per-example kernels read the block and the data directly; the loss-only
    form has no gradient store (the computations that fed only the gradient are dead)."""
    from fastdescent.models.compiled import block_form

    src, glob = block_form(custom_model(exp_loss_grad, n_params=2, x=EXP_X, y=EXP_Y).kernels)
    full, loss = src.split("def model_loss")
    assert "_fd_phi[1, _fd_b] * _fd_X[_fd_i, 0]" in full
    assert "_fd_grad[0, _fd_b] += " in full and "_fd_grad" not in loss
    assert "_fdg_math" in glob  # module-level names come in under a prefixed name
    # a kernel that reads g back keeps that gradient in scratch rows in its loss-only form
    src, _ = block_form(custom_model(exp_loss_grad_reads_g, n_params=2, x=EXP_X,
                                     y=EXP_Y).kernels)
    loss = src.split("def model_loss")[1]
    assert "_fd_work[0, _fd_b] = _fd_work[0, _fd_b] + " in loss and "_fd_grad" not in loss
    # outside the subset: no block form (column views instead)
    assert block_form(custom_model(exp_loss_grad_via_helper, n_params=2, x=EXP_X,
                                   y=EXP_Y).kernels) is None


@pytest.mark.parametrize("kernel, work", [(exp_lanes, 0), (exp_lanes_scratch, 3),
                                          (exp_lanes_via_helper, 0)])
def test_lane_form_equals_the_per_example_form_bit_for_bit(kernel, work):
    """A model in the lane form loss_grad(p, x, y, c, g, w, loss) gives the bits of the same
    loss written per example, on every path: evaluations, full-batch, minibatch and
    line-search runs (a kernel whose loss-only form is derived from its source, one with
    scratch rows, and one that passes g to a helper and so runs its loss-only path with a
    discarded gradient)."""
    import fastdescent as fd

    m = custom_model(kernel, hessian=exp_hessian, n_params=2, x=EXP_X, y=EXP_Y,
                     work_size=work)
    ref = custom_model(exp_loss_grad, hessian=exp_hessian, n_params=2, x=EXP_X, y=EXP_Y)
    assert m.kernels.lanes is kernel and m.work_size == work
    pts = np.random.default_rng(12).uniform(-1.0, 1.0, (37, 2)) + [1.5, -0.5]
    for a, b in zip(m.loss_grad_many(pts), ref.loss_grad_many(pts)):
        assert a.tobytes() == b.tobytes()
    assert m.loss_many(pts).tobytes() == ref.loss_many(pts).tobytes()
    assert m.hessian_many(pts).tobytes() == ref.hessian_many(pts).tobytes()
    for opt, kw in ((fd.optim.gd(lr=0.01), {}), (fd.optim.adam(lr=0.02), dict(batch_size=3)),
                    (fd.optim.armijo(), {}), (fd.optim.line_search(max_dist=0.5), {})):
        r1, r2 = (fd.run(mm, opt, pts, 25, record_every=1, progress=False, **kw)
                  for mm in (m, ref))
        assert r1.path.tobytes() == r2.path.tobytes()
        assert r1.loss_path.tobytes() == r2.loss_path.tobytes()


def test_lane_loss_form_is_derived_from_the_source():
    """The loss-only form of a lane kernel has no gradient store and stops at its last use of
    loss (the backward pass through the scratch rows is gone); a kernel that passes g whole
    to a helper has none (it runs with a discarded gradient block)."""
    from fastdescent.models.compiled import lanes_loss_form

    src, glob = lanes_loss_form(custom_model(exp_lanes_scratch, n_params=2, x=EXP_X, y=EXP_Y,
                                             work_size=3).kernels)
    assert "def model_lanes_loss(p, x, y, c, w, loss):" in src
    assert "g[" not in src and "2.0 * w[1, b]" not in src and "loss[b] += " in src
    assert "_fdg_math" in glob
    assert lanes_loss_form(custom_model(exp_lanes_via_helper, n_params=2, x=EXP_X,
                                        y=EXP_Y).kernels) is None


@pytest.mark.parametrize("kernel", [exp_loss_grad_reads_g, exp_loss_grad_via_helper])
def test_rewritten_and_view_forms_give_the_same_bits(kernel):
    """Whatever path a loss_grad kernel takes (rewritten block form, a kernel that reads g
    back, or column views for a kernel outside the subset), runs and evaluations are bit for
    bit those of the same loss in the block kernels' internal form."""
    m = custom_model(kernel, hessian=exp_hessian, n_params=2, x=EXP_X, y=EXP_Y)
    ref = custom_model(exp_example, exp_loss, example_hessian=exp_hessian, n_params=2,
                       x=EXP_X, y=EXP_Y)
    pts = np.random.default_rng(11).uniform(-1.0, 1.0, (33, 2)) + [1.5, -0.5]
    for a, b in zip(m.loss_grad_many(pts), ref.loss_grad_many(pts)):
        assert a.tobytes() == b.tobytes()
    assert m.loss_many(pts).tobytes() == ref.loss_many(pts).tobytes()
    import fastdescent as fd

    for opt in (fd.optim.adam(lr=0.02), fd.optim.line_search(max_dist=0.5)):
        r1, r2 = (fd.run(mm, opt, pts, 25, record_every=1, progress=False) for mm in (m, ref))
        assert r1.path.tobytes() == r2.path.tobytes()
        assert r1.loss_path.tobytes() == r2.loss_path.tobytes()


def test_scratch_kernel_matches_numpy_network():
    """A user model with scratch memory, loss_grad(p, x, y, c, g, w): the loss and gradient of
    a small tanh network equal a plain-NumPy forward pass and its finite differences, in the
    engine (GD run) and in the evaluation helpers; len(w) is the scratch size given."""
    H = 3
    rng = np.random.default_rng(2)
    x = rng.uniform(-1.0, 1.0, 9)
    y = np.sin(2.0 * x)
    m = custom_model(tanh_net_loss_grad, n_params=2 * H, x=x, y=y, work_size=H)

    def loss_np(p):
        return float(np.sum((np.tanh(np.outer(x, p[:H])) @ p[H:] - y) ** 2))

    pts = rng.uniform(-1.0, 1.0, (7, 2 * H))
    L, G = m.loss_grad_many(pts)
    for p, l, g in zip(pts, L, G):
        assert l == pytest.approx(loss_np(p), rel=1e-13)
        fd_g = [(loss_np(p + e) - loss_np(p - e)) / 2e-6 for e in np.eye(2 * H) * 1e-6]
        np.testing.assert_allclose(g, fd_g, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(m.loss_many(pts), L, rtol=0, atol=0)
    import fastdescent as fd

    r = fd.run(m, fd.optim.gd(lr=0.05), pts, 10, record_every=1, progress=False)
    p = pts.copy()
    for t in range(10):
        np.testing.assert_allclose(r.path[:, t], p, rtol=1e-12, atol=1e-14)
        p = p - 0.05 * m.loss_grad_many(p)[1]


def test_scratch_kernel_needs_work_size():
    with pytest.raises(ValueError, match="work_size must be >= 1"):
        custom_model(tanh_net_loss_grad, n_params=6, x=[0.0], y=[0.0])
    with pytest.raises(ValueError, match="work_size must be >= 0 .*lane kernel.*got -1"):
        custom_model(exp_lanes, n_params=2, x=[0.0], y=[0.0], work_size=-1)
    with pytest.raises(TypeError, match="example_loss goes with an 8-argument kernel"):
        custom_model(exp_lanes, exp_loss, n_params=2, x=[0.0], y=[0.0])

    from numba import njit

    @njit
    def four(p, x, y, c):
        return 0.0

    with pytest.raises(TypeError, match=r"lane form \(p, x, y, c, g, w, loss\).*got 4"):
        custom_model(four, n_params=2)


def test_builtin_network_equals_its_internal_block_form():
    """two_layer_net (public contract with scratch) equals net_example, the same network in
    the block kernels' internal form, bit for bit."""
    from fastdescent.models import network as NN

    m = two_layer_net(4)
    ref = custom_model(NN.net_example, NN.net_loss, example_hessian=NN.net_hessian,
                       param_names=m.param_names, x=m.X, y=m.Y, consts=m.consts,
                       work_size=m.work_size)
    pts = np.random.default_rng(4).uniform(-1.0, 1.0, (21, m.n_params))
    for a, b in zip(m.loss_grad_many(pts), ref.loss_grad_many(pts)):
        assert a.tobytes() == b.tobytes()
    assert m.loss_many(pts).tobytes() == ref.loss_many(pts).tobytes()
