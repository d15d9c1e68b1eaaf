"""Optimizers: every update rule against the plain-NumPy reference loops of ``tests/reference.py``
(step for step, whole paths), hand-computed PyTorch first steps, the lecture-to-library mappings
documented in :mod:`fastdescent.optim.factories`, the lecture's qualitative behaviour on its demo
functions, the bracketing line search, minibatch streams, schedules and bad input.
"""
import math

import numpy as np
import pytest
from numba import njit

import fastdescent as fd
import naive
import reference as ref
from fastdescent import optim as O
from fastdescent.engine import status as ST
from fastdescent.engine import trajectories as run_mod
from fastdescent.models import (adam_demo, gabor, line_search_demo, linear_regression_1d,
                                quadratic, rosenbrock, two_layer_net)
from fastdescent.optim import line_searches as BR
from fastdescent.optim import schedules as S
from fastdescent.optim.batches import batches, permutation

RTOL = 1e-12

# ----------------------------------------------------------------------------- problems
# (model, starting points, a GD-stable base learning rate for the summed loss)
GABOR = gabor()
LINREG = linear_regression_1d()
ROSEN = rosenbrock()
QUAD = quadratic((1.0, 10.0), rotation=0.6)  # rotated: the coordinates are coupled
NET = two_layer_net()
PROBLEMS = {
    "gabor": (GABOR, [[0.6, -0.2], [3.5, 6.5], [-1.5, 6.5]], 0.05),
    "linear_regression_1d": (LINREG, [[1.6, -0.5], [0.2, 0.8], [1.0, -1.0]], 0.02),
    "rosenbrock": (ROSEN, [[-1.2, 1.0], [0.5, 0.5], [1.5, 2.0]], 5e-4),
    "quadratic_rotated": (QUAD, [[1.0, 1.0], [-0.5, 0.8], [0.3, -1.0]], 0.1),
    "two_layer_net": (NET, np.random.default_rng(0).normal(0.0, 0.5, (3, 13)).tolist(), 0.005),
}


def rule_cases(a):
    """(id, factory name, hyperparameters) with base learning rate ``a``; the first
    hyperparameter is the one schedules scale (varied per trajectory in the tests)."""
    return [
        ("gd", "gd", dict(lr=a)),
        ("momentum", "momentum", dict(lr=a, beta=0.8)),
        ("nesterov", "nesterov", dict(lr=a, beta=0.7)),
        ("normalized", "normalized", dict(lr=0.03, eps=1e-8)),
        ("adam", "adam", dict(lr=0.03, beta=0.9, gamma=0.99, eps=1e-8)),
        ("line_search", "line_search", dict(max_dist=4 * a, tol=1e-5, max_iter=15)),
        ("armijo", "armijo", dict(lr=8 * a, c=1e-4, rho=0.5, max_iter=12)),
        ("torch_sgd", "torch_sgd", dict(lr=a, momentum=0.9, dampening=0.1, weight_decay=0.01)),
        ("torch_sgd_nesterov", "torch_sgd",
         dict(lr=a, momentum=0.8, nesterov=True, weight_decay=0.05)),
        ("torch_adam", "torch_adam", dict(lr=0.03, betas=(0.8, 0.95), weight_decay=0.01)),
        ("torch_adam_amsgrad", "torch_adam", dict(lr=0.03, betas=(0.9, 0.9), amsgrad=True)),
        ("adamw", "adamw", dict(lr=0.03, betas=(0.9, 0.99), weight_decay=0.1)),
        ("adamw_amsgrad", "adamw", dict(lr=0.03, betas=(0.9, 0.99), weight_decay=0.1,
                                        amsgrad=True)),
        ("rmsprop", "rmsprop", dict(lr=0.01, alpha=0.9)),
        ("rmsprop_centered_momentum", "rmsprop",
         dict(lr=0.005, alpha=0.9, momentum=0.5, weight_decay=0.01, centered=True)),
        ("adagrad", "adagrad",
         dict(lr=0.1, lr_decay=0.01, weight_decay=0.01, initial_accumulator_value=0.1)),
        ("lion", "lion", dict(lr=0.01, beta1=0.9, beta2=0.99, weight_decay=0.1)),
    ]


RULE_IDS = [c[0] for c in rule_cases(1.0)]
FACTORS = (1.0, 0.7, 0.4)  # per-trajectory multipliers of the first hyperparameter


def assert_path(got, want, rtol=RTOL):
    """Whole paths equal to ``rtol`` relative (absolute floor: rtol times the path's scale)."""
    scale = max(1.0, float(np.max(np.abs(want))))
    np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * scale)


def check_against_reference(model, starts, name, hyper, steps, *, rtol=RTOL, **kw):
    """Run ``len(starts)`` trajectories in one call (first hyperparameter varied per trajectory)
    and compare each recorded path with its reference loop."""
    starts = np.asarray(starts, dtype=float)
    first = next(iter(hyper))
    f = np.array(FACTORS[:len(starts)])
    opt = getattr(O, name)(**{**hyper, first: hyper[first] * f})
    res = fd.run(model, opt, starts, steps, record_every=1, progress=False, **kw)
    assert res.path.shape == (len(starts), steps + 1, model.n_params)
    assert np.all(res.status == ST.MAX_STEPS) and np.all(res.steps == steps)
    for i, p0 in enumerate(starts):
        h = {**hyper, first: hyper[first] * f[i]}
        want = ref.reference_path(model, name, p0, steps, index=i, **kw, **h)
        assert np.all(np.isfinite(want))
        assert np.max(np.abs(want[-1] - want[0])) > 1e-6, "trajectory did not move"
        assert_path(res.path[i], want, rtol)
        np.testing.assert_array_equal(res.params[i], res.path[i, -1])
        np.testing.assert_allclose(res.loss_path[i], model.loss_many(want), rtol=1e-10)
    return res


# ----------------------------------------------------------------------------- vs reference
@pytest.mark.parametrize("rule", RULE_IDS)
@pytest.mark.parametrize("problem", list(PROBLEMS))
def test_rule_matches_reference_full_batch(problem, rule):
    model, starts, a = PROBLEMS[problem]
    _, name, hyper = dict((c[0], c) for c in rule_cases(a))[rule]
    check_against_reference(model, starts, name, hyper, 30)


ADAM_BLOCK_CASES = [  # (factory, hyperparameters of trajectory i = 0, 1, 2)
    ("adam", lambda i: dict(lr=0.03, beta=0.9, gamma=0.99, eps=1e-8)),
    ("adam", lambda i: dict(lr=0.03, beta=(0.9, 0.8, 0.9)[i], gamma=0.99, eps=1e-8)),
    ("adam", lambda i: dict(lr=0.03, beta=0.9, gamma=(0.99, 0.99, 0.9)[i], eps=1e-8)),
    ("torch_adam", lambda i: dict(lr=0.03, betas=(0.8, 0.95), weight_decay=0.01)),
    ("torch_adam", lambda i: dict(lr=0.03, betas=((0.8, 0.9, 0.8)[i], 0.95))),
    ("adamw", lambda i: dict(lr=0.03, betas=(0.9, (0.99, 0.9, 0.999)[i]), weight_decay=0.1,
                             amsgrad=True)),
]


@pytest.mark.parametrize("name,hyper_of", ADAM_BLOCK_CASES)
def test_adam_bias_corrections_per_block_and_per_lane(name, hyper_of):
    """The Adam kernels compute the bias corrections once when every lane of a block shares
    its betas, per lane otherwise: both paths follow the reference loops, and each trajectory
    is bit for bit the one it gives when run alone (its block then uniform)."""
    starts = np.array(PROBLEMS["gabor"][1])
    hyp = [hyper_of(i) for i in range(3)]
    stacked = {}
    for key in hyp[0]:
        vals = [h[key] for h in hyp]
        stacked[key] = (tuple(np.array(v) for v in zip(*vals)) if key == "betas"
                        else np.array(vals))
    res = fd.run(GABOR, getattr(O, name)(**stacked), starts, 25, record_every=1,
                 progress=False)
    for i, p0 in enumerate(starts):
        assert_path(res.path[i], ref.reference_path(GABOR, name, p0, 25, **hyp[i]))
        alone = fd.run(GABOR, getattr(O, name)(**hyp[i]), p0[None], 25, progress=False)
        np.testing.assert_array_equal(res.params[i], alone.params[0])


@pytest.mark.parametrize("rule", RULE_IDS)
@pytest.mark.parametrize("batch_size", [5, 7])  # 30 = 6 x 5; 7 does not divide 30 (last: 2)
def test_rule_matches_reference_minibatch_gabor(batch_size, rule):
    _, name, hyper = dict((c[0], c) for c in rule_cases(0.05))[rule]
    res = check_against_reference(GABOR, PROBLEMS["gabor"][1], name, hyper, 40,
                                  batch_size=batch_size, seed=11)
    # the minibatch path is not the full-batch path
    full = fd.run(GABOR, res.optimizer, PROBLEMS["gabor"][1], 40, progress=False)
    assert np.max(np.abs(full.params - res.params)) > 1e-6


@pytest.mark.parametrize("rule", ["gd", "nesterov", "adam", "line_search", "armijo",
                                  "rmsprop_centered_momentum"])
def test_rule_matches_reference_minibatch_net(rule):
    model, starts, a = PROBLEMS["two_layer_net"]
    _, name, hyper = dict((c[0], c) for c in rule_cases(a))[rule]
    check_against_reference(model, starts, name, hyper, 20, batch_size=5, seed=3)  # 24 = 4x5+4


SCHEDULE_CASES = [
    ("gd", S.step_decay(10, 0.5), None),
    ("adam", S.cosine(30, 0.1), None),
    ("torch_sgd_nesterov", S.warmup(5), None),
    ("line_search", S.cosine(20).with_warmup(3), None),
    ("armijo", S.exponential(0.95), None),
    ("adagrad", S.inverse_time(0.1), None),
    ("nesterov", S.step_decay(7, 0.6), 5),
    ("rmsprop_centered_momentum", S.warmup(4, S.cosine(30, 0.2)), 7),
    ("torch_adam_amsgrad", S.step_decay(8, 0.3).with_warmup(6), 5),
]


@pytest.mark.parametrize("rule,schedule,batch_size", SCHEDULE_CASES,
                         ids=[f"{c[0]}-{c[1].name}-{c[2]}" for c in SCHEDULE_CASES])
def test_rule_matches_reference_with_schedule(rule, schedule, batch_size):
    _, name, hyper = dict((c[0], c) for c in rule_cases(0.05))[rule]
    check_against_reference(GABOR, PROBLEMS["gabor"][1], name, hyper, 30, schedule=schedule,
                            batch_size=batch_size, seed=5)


def test_trajectory_index_keys_the_batches():
    """A trajectory run alone with index=i equals trajectory i of a larger run; the reference
    with the same index agrees."""
    starts = np.array(PROBLEMS["gabor"][1])
    opt = O.momentum(lr=0.05, beta=0.6)
    both = fd.run(GABOR, opt, starts, 25, batch_size=5, seed=4, record_every=1, progress=False)
    alone = fd.run(GABOR, opt, starts[2], 25, batch_size=5, seed=4, index=[2], record_every=1,
                   progress=False)
    np.testing.assert_array_equal(alone.path[0], both.path[2])
    want = ref.reference_path(GABOR, "momentum", starts[2], 25, batch_size=5, seed=4, index=2,
                              lr=0.05, beta=0.6)
    assert_path(alone.path[0], want)
    other = ref.reference_path(GABOR, "momentum", starts[2], 25, batch_size=5, seed=4, index=0,
                               lr=0.05, beta=0.6)
    assert np.max(np.abs(other - want)) > 1e-6


@pytest.mark.parametrize("model,grad", [
    (GABOR, lambda p, b: naive.gabor_grad(p, GABOR.X if b is None else GABOR.X[b],
                                          GABOR.Y if b is None else GABOR.Y[b])),
    (LINREG, lambda p, b: naive.linreg_grad(p, LINREG.X if b is None else LINREG.X[b],
                                            LINREG.Y if b is None else LINREG.Y[b])),
], ids=["gabor", "linear_regression_1d"])
@pytest.mark.parametrize("batch_size", [None, 5])
def test_reference_with_numpy_gradients(model, grad, batch_size):
    """The references driven by the NumPy gradients of tests/naive.py (not the njit kernels)
    agree with the engine up to the kernels' rounding."""
    start = [0.6, -0.2]
    for name, hyper in (("gd", dict(lr=0.02)), ("adam", dict(lr=0.03, beta=0.9, gamma=0.99,
                                                               eps=1e-8))):
        res = fd.run(model, getattr(O, name)(**hyper), start, 25, batch_size=batch_size, seed=2,
                     record_every=1, progress=False)
        want = ref.reference_path(model, name, start, 25, batch_size=batch_size, seed=2,
                                  grad=grad, **hyper)
        assert_path(res.path[0], want, rtol=1e-9)


@pytest.mark.parametrize("rule", ["gd", "armijo", "line_search", "adam"])
def test_mean_reduction_matches_reference(rule):
    """reduction="mean": gradient (and loss) of the mean over the step's examples - the last,
    smaller batch of an epoch (30 = 4 x 7 + 2) is divided by its own size."""
    _, name, hyper = dict((c[0], c) for c in rule_cases(1.0))[rule]

    def size(b):
        return GABOR.n_examples if b is None else len(b)

    def grad(p, b):
        return (GABOR if b is None else GABOR.subset(b)).grad(p) / size(b)

    def loss(p, b):
        return (GABOR if b is None else GABOR.subset(b)).loss(p) / size(b)

    start = [0.6, -0.2]
    res = fd.run(GABOR, getattr(O, name)(**hyper), start, 30, batch_size=7, seed=9,
                 reduction="mean", record_every=1, progress=False)
    want = ref.reference_path(GABOR, name, start, 30, batch_size=7, seed=9, grad=grad,
                              loss=loss, **hyper)
    assert np.max(np.abs(want[-1] - want[0])) > 1e-3
    assert_path(res.path[0], want)


# ----------------------------------------------------------------------------- torch by hand
# L = (x^2 + 10 y^2) / 2, so g = (x, 10 y); every number below is worked out by hand from the
# PyTorch documentation's algorithm boxes.
AXIS = quadratic((1.0, 10.0))


def _steps(opt, start, n):
    return fd.run(AXIS, opt, start, n, record_every=1, progress=False).path[0]


def test_axis_quadratic_gradient():
    np.testing.assert_allclose(AXIS.grad([1.0, 1.0]), [1.0, 10.0], rtol=1e-15)


def test_torch_sgd_momentum_first_buffer_is_the_gradient():
    # b0 = g0 = (1, 10) (no dampening on the first step): phi1 = (1, 1) - 0.01 (1, 10)
    # g1 = (0.99, 9); b1 = 0.9 b0 + (1 - 0.5) g1 = (1.395, 13.5); phi2 = phi1 - 0.01 b1
    p = _steps(O.torch_sgd(lr=0.01, momentum=0.9, dampening=0.5), [1.0, 1.0], 2)
    np.testing.assert_allclose(p[1], [0.99, 0.9], rtol=1e-14)
    np.testing.assert_allclose(p[2], [0.97605, 0.765], rtol=1e-14)
    assert not np.allclose(p[1], [0.995, 0.95])  # a dampened first buffer would give this


def test_torch_sgd_nesterov_and_weight_decay_by_hand():
    # nesterov: g <- g + mu b with b0 = g0: phi1 = 1 - 0.01 * 1.9 * (1, 10) = (0.981, 0.81)
    # g1 = (0.981, 8.1); b1 = 0.9 (1, 10) + g1 = (1.881, 17.1); g = g1 + 0.9 b1 = (2.6739, 23.49)
    p = _steps(O.torch_sgd(lr=0.01, momentum=0.9, nesterov=True), [1.0, 1.0], 2)
    np.testing.assert_allclose(p[1], [0.981, 0.81], rtol=1e-14)
    np.testing.assert_allclose(p[2], [0.954261, 0.5751], rtol=1e-13)
    # L2 weight decay: g = (1, 10) + 0.5 (1, 1) = (1.5, 10.5); phi1 = (1, 1) - 0.1 g
    p = _steps(O.torch_sgd(lr=0.1, weight_decay=0.5), [1.0, 1.0], 1)
    np.testing.assert_allclose(p[1], [0.85, -0.05], rtol=1e-14)


def test_torch_adam_first_step_is_lr_times_sign():
    # m1 = (1-b1) g, v1 = (1-b2) g^2: the corrected ratio is g / (|g| + eps) ~ sign(g)
    p = _steps(O.torch_adam(lr=0.1), [1.0, 1.0], 1)
    # 1 - 0.1 / (1 + 1e-8) and 1 - 0.1 / (1 + 1e-9), to second order
    np.testing.assert_allclose(p[1], [0.900000001, 0.9000000001], rtol=0, atol=1e-15)
    p = _steps(O.torch_adam(lr=0.1), [-2.0, 0.5], 1)  # g = (-2, 5)
    np.testing.assert_allclose(p[1], [-1.9000000005, 0.4000000002], rtol=0, atol=1e-15)


def test_torch_adam_amsgrad_bias_corrects_the_running_max():
    # betas (0.9, 0.5), eps 0, lr 0.5 from (1, 1): phi1 = (0.5, 0.5) and g1 = g0 / 2.
    # v0 = 0.5 g0^2, v1 = 0.25 g0^2 + 0.5 g1^2 = 0.375 g0^2 < v0; m1 = 0.14 g0.
    # PyTorch: max(v0, v1) = v0 raw, then / sqrt(1 - 0.5^2): denom = sqrt(0.5/0.75) |g0|
    # step = 0.5 / (1 - 0.81) * 0.14 / sqrt(2/3) = 0.45122...
    kw = dict(lr=0.5, betas=(0.9, 0.5), eps=0.0)
    p = _steps(O.torch_adam(amsgrad=True, **kw), [1.0, 1.0], 2)
    np.testing.assert_allclose(p[1], [0.5, 0.5], rtol=1e-15)
    np.testing.assert_allclose(p[2], [0.04877820527678295] * 2, rtol=1e-13)
    assert not np.allclose(p[2], 0.13157894736842102)  # max of the *corrected* moments
    p = _steps(O.torch_adam(amsgrad=False, **kw), [1.0, 1.0], 2)  # denom sqrt(0.5) |g0|
    np.testing.assert_allclose(p[2], [-0.02102604929535079] * 2, rtol=1e-13)


def test_adamw_decay_is_decoupled():
    # AdamW: phi <- phi (1 - lr wd) then the Adam step (~lr sign g): 1 * 0.95 - 0.1 = 0.85
    p = _steps(O.adamw(lr=0.1, weight_decay=0.5, eps=0.0), [1.0, 1.0], 1)
    np.testing.assert_allclose(p[1], [0.85, 0.85], rtol=1e-15)
    # Adam's L2 decay only changes g (1.5, 10.5), whose sign is the same: 1 - 0.1
    p = _steps(O.torch_adam(lr=0.1, weight_decay=0.5, eps=0.0), [1.0, 1.0], 1)
    np.testing.assert_allclose(p[1], [0.9, 0.9], rtol=1e-15)


def test_rmsprop_by_hand():
    # v = (1 - 0.99) g^2: step lr g / (0.1 |g|) = 0.1 sign(g)
    p = _steps(O.rmsprop(lr=0.01, alpha=0.99, eps=0.0), [1.0, 1.0], 1)
    np.testing.assert_allclose(p[1], [0.9, 0.9], rtol=1e-14)
    # centered: v - gbar^2 = 0.01 g^2 - 0.0001 g^2 = 0.99 * 0.01 g^2
    p = _steps(O.rmsprop(lr=0.01, alpha=0.99, eps=0.0, centered=True), [1.0, 1.0], 1)
    np.testing.assert_allclose(p[1], [0.8994962184740788] * 2, rtol=1e-14)
    # momentum 0.9: b0 = g0/avg0 = 10 sign; g1 = 0.9 g0; v1 = 0.0099 g0^2 + 0.0081 g0^2
    # b1 = 0.9 * 10 + 0.9 / sqrt(0.018); phi2 = 0.9 - 0.01 b1
    p = _steps(O.rmsprop(lr=0.01, alpha=0.99, eps=0.0, momentum=0.9), [1.0, 1.0], 2)
    np.testing.assert_allclose(p[1], [0.9, 0.9], rtol=1e-14)
    np.testing.assert_allclose(p[2], [0.7429179606750063] * 2, rtol=1e-13)


def test_adagrad_by_hand():
    # s1 = g0^2: phi1 = 1 - 0.1 sign; g1 = 0.9 g0, s2 = 1.81 g0^2, clr = 0.1 / (1 + 1 * 0.5)
    p = _steps(O.adagrad(lr=0.1, lr_decay=0.5, eps=0.0), [1.0, 1.0], 2)
    np.testing.assert_allclose(p[1], [0.9, 0.9], rtol=1e-14)
    np.testing.assert_allclose(p[2], [0.85540235122517] * 2, rtol=1e-13)
    # initial accumulator 1: s = 1 + g^2 = (2, 101)
    p = _steps(O.adagrad(lr=0.1, eps=0.0, initial_accumulator_value=1.0), [1.0, 1.0], 1)
    np.testing.assert_allclose(p[1], [0.9292893218813453, 0.9004962809790011], rtol=1e-14)


# ----------------------------------------------------------------------------- mappings
MAPPING_CASES = [(GABOR, [[0.6, -0.2], [3.5, 6.5]], 0.05, None),
                 (GABOR, [[0.6, -0.2], [-1.5, 6.5]], 0.05, 5),
                 (LINREG, [[1.6, -0.5]], 0.02, None),
                 (QUAD, [[1.0, 1.0]], 0.1, None),
                 (NET, PROBLEMS["two_layer_net"][1][:2], 0.005, None)]


@pytest.mark.parametrize("model,starts,a,batch", MAPPING_CASES,
                         ids=["gabor", "gabor-batch5", "linreg", "quadratic", "net"])
def test_lecture_momentum_is_undamped_torch_sgd(model, starts, a, batch):
    """factories.py: momentum(a, b) = torch_sgd(lr=a (1-b), momentum=b) step for step."""
    b = 0.8
    kw = dict(batch_size=batch, seed=1, record_every=1, progress=False)
    lect = fd.run(model, O.momentum(lr=a, beta=b), starts, 30, **kw)
    torch = fd.run(model, O.torch_sgd(lr=a * (1 - b), momentum=b), starts, 30, **kw)
    for i in range(len(starts)):
        assert_path(torch.path[i], lect.path[i])


@pytest.mark.parametrize("model,starts,a,batch", MAPPING_CASES[:3],
                         ids=["gabor", "gabor-batch5", "linreg"])
def test_gd_and_adam_equal_their_torch_forms(model, starts, a, batch):
    kw = dict(batch_size=batch, seed=1, record_every=1, progress=False)
    p1 = fd.run(model, O.gd(a), starts, 30, **kw).path
    p2 = fd.run(model, O.torch_sgd(lr=a), starts, 30, **kw).path
    assert_path(p2, p1)
    p1 = fd.run(model, O.adam(0.03, 0.9, 0.99, 1e-8), starts, 30, **kw).path
    p2 = fd.run(model, O.torch_adam(lr=0.03, betas=(0.9, 0.99), eps=1e-8), starts, 30, **kw).path
    assert_path(p2, p1)


@pytest.mark.parametrize("model,start,a", [(GABOR, [0.6, -0.2], 0.05), (QUAD, [1.0, 1.0], 0.1),
                                           (LINREG, [1.6, -0.5], 0.02)])
def test_dampened_torch_sgd_differs_by_the_first_step_transient(model, start, a):
    """torch_sgd(lr=a, momentum=b, dampening=b): buffer = lecture m_t + b^(t+1) g_0 on the same
    gradient sequence (recomputed here at torch's own iterates)."""
    b, n = 0.7, 25
    p = fd.run(model, O.torch_sgd(lr=a, momentum=b, dampening=b), start, n, record_every=1,
               progress=False).path[0]
    g = model.loss_grad_many(p[:-1])[1]
    m = np.zeros(2)
    for t in range(n):
        m = b * m + (1 - b) * g[t]  # the lecture's buffer on these gradients
        want = p[t] - a * (m + b ** (t + 1) * g[0])
        np.testing.assert_allclose(p[t + 1], want, rtol=1e-12, atol=1e-12 * np.abs(p).max())
    # and the transient is real: the lecture's momentum path differs
    lect = fd.run(model, O.momentum(lr=a, beta=b), start, n, record_every=1,
                  progress=False).path[0]
    assert np.max(np.abs(lect[1] - p[1])) == pytest.approx(a * b * np.max(np.abs(g[0])),
                                                            rel=1e-12)


# ----------------------------------------------------------------------------- lecture demos
DEMO = adam_demo()
DEMO_START = [-0.7, -0.9]


def _demo(opt, n=100):
    return fd.run(DEMO, opt, DEMO_START, n, record_every=1, progress=False)


def test_adam_demo_gd_large_lr_oscillates_across_phi1():
    p = _demo(O.gd(1.0), 60).path[0]
    s = np.sign(p[1:, 1])  # step 0 -> 1 overshoots less (-0.9 -> -0.34): from then on it flips
    assert np.all(s[1:] * s[:-1] < 0), "phi1 must change sign at every step"
    assert np.min(np.abs(p[1:, 1])) > 0.1  # keeps bouncing, does not settle in the valley


def test_adam_demo_gd_small_lr_crawls():
    """alpha 0.05: phi1 is descended, but phi0 crawls along the flat valley: after 100 steps
    it is still far from the minimum (0.7, 0) and each late step is tiny."""
    p = _demo(O.gd(0.05)).path[0]
    assert abs(p[-1, 1]) < 1e-4
    assert p[-1, 0] < 0.3  # still > 0.4 away from phi0 = 0.7
    assert np.max(np.linalg.norm(np.diff(p[70:], axis=0), axis=1)) < 0.01


@pytest.mark.parametrize("eps", [1e-20, 1e-8])
def test_adam_demo_normalized_gradients_stall_and_bounce(eps):
    """Normalized gradients: every coordinate moves by ~alpha per step, so near the minimum
    the iterate jumps back and forth between two points instead of converging.

    eps 1e-20 (the lecture notebook's) gives an exact 2-cycle; with eps 1e-8 the small
    gradient components move a bit less than alpha, so the 2-cycle drifts by ~1e-7 per cycle.
    """
    res = _demo(O.normalized(0.05, eps))
    p, L = res.path[0], res.loss_path[0]
    tail = p[60:]
    np.testing.assert_allclose(tail[2:], tail[:-2], atol=1e-9 if eps < 1e-12 else 1e-5)
    assert np.min(np.linalg.norm(tail[1:] - tail[:-1], axis=1)) > 0.04  # two distinct points
    assert np.min(L[60:]) >= np.min(L[:60]) - 1e-15  # no further improvement
    assert np.min(L[-2:]) < 1e-3 < np.max(L[-2:])  # one point near the minimum, one away
    assert np.linalg.norm(p[-1] - [0.7, 0.0]) < 0.1


def test_adam_demo_adam_reaches_the_minimum():
    res = _demo(O.adam(0.05, 0.9, 0.99, 1e-8))
    assert np.linalg.norm(res.params[0] - [0.7, 0.0]) < 0.01
    assert res.loss[0] < 1e-4


def test_line_search_gd_reaches_least_squares():
    """Book figure 6.1: GD with the bracketing line search (M 0.1, tol 1e-5, 15 rounds) on the
    linear regression from (1.6, -0.5) reaches the least-squares solution."""
    res = fd.run(LINREG, O.line_search(0.1, 1e-5, 15), [1.6, -0.5], 100, record_every=1,
                 progress=False)
    sol = np.array(LINREG.minima[0].params)
    np.testing.assert_allclose(sol, naive.linreg_lstsq(LINREG.X, LINREG.Y), rtol=1e-12)
    np.testing.assert_allclose(res.params[0], sol, atol=1e-6)
    assert np.all(np.diff(res.loss_path[0]) <= 1e-12)  # monotone descent
    want = ref.reference_path(LINREG, "line_search", [1.6, -0.5], 100, max_dist=0.1, tol=1e-5,
                              max_iter=15)
    assert_path(res.path[0], want)


# ----------------------------------------------------------------------------- bracketing
def test_bracketing_on_the_line_search_demo():
    model = line_search_demo()
    L = lambda u: model.loss([u])  # noqa: E731
    np.testing.assert_allclose([L(u) for u in (0.0, 0.35, 0.65, 1.0)],
                               [naive.line_search_demo([u]) for u in (0.0, 0.35, 0.65, 1.0)],
                               rtol=1e-14)
    hist = []
    want = ref.bracketing(L, 1.0, 1e-4, 10, hist)
    assert hist[0] == (0.0, 0.33, 0.66, 1.0)  # the book's starting bracket
    got = [BR.initial_bracket(1.0)]
    rounds = 0
    a, b, c, d = got[0]
    while not BR.bracket_done(b, c, 1e-4, rounds, 10):
        a, b, c, d = BR.bracket_update(a, b, c, d, L(a), L(b), L(c), L(d))
        rounds += 1
        got.append((a, b, c, d))
    np.testing.assert_allclose(np.array(got), np.array(hist), rtol=1e-15, atol=1e-16)
    assert rounds == 10 == len(hist) - 1  # thirds shrink by 2/3: 10 rounds do not reach 1e-4
    assert (b + c) / 2 == pytest.approx(want, rel=1e-15)
    # each bracket nests in the previous one
    h = np.array(hist)
    assert np.all(np.diff(h[:, 0]) >= 0) and np.all(np.diff(h[:, 3]) <= 0)
    # the 10 rounds end in the basin of the deeper minimum near 0.35, within the last bracket
    assert 0.3 < want < 0.4 and h[-1, 0] <= want <= h[-1, 3]
    # with more rounds it closes in on that minimum to the tolerance
    deep = ref.bracketing(L, 1.0, 1e-4, 100)
    assert abs(deep - model.minima[0].params[0]) < 1e-3


def test_bracketing_rules_one_by_one():
    # rule 1 (L(a) lowest, ties go to a): b, c, d halfway towards a
    assert BR.bracket_update(0.2, 0.4, 0.6, 1.0, 0.0, 1.0, 1.0, 1.0) == pytest.approx(
        (0.2, 0.3, 0.4, 0.6))
    assert BR.bracket_update(0.0, 0.3, 0.6, 0.9, 1.0, 1.0, 1.0, 1.0)[3] == pytest.approx(0.45)
    # rule 2: L(b) < L(c): d <- c and thirds of [a, c]
    assert BR.bracket_update(0.0, 0.3, 0.6, 0.9, 1.0, 0.0, 0.5, 1.0) == pytest.approx(
        (0.0, 0.2, 0.4, 0.6))
    # rule 3: a <- b and thirds of [b, d]
    assert BR.bracket_update(0.0, 0.3, 0.6, 0.9, 1.0, 0.5, 0.0, 1.0) == pytest.approx(
        (0.3, 0.5, 0.7, 0.9))
    assert [BR.bracket_rule(*ls) for ls in ((0, 0, 1, 1), (1, 0, 0.5, 1), (1, 0.5, 0, 1),
                                            (1, 0.5, 0.5, 0))] == [1, 2, 3, 3]
    assert BR.bracket_done(0.5, 0.5 + 1e-5, 1e-4, 0, 10)
    assert BR.bracket_done(0.0, 1.0, 1e-4, 10, 10)
    assert not BR.bracket_done(0.0, 1.0, 1e-4, 9, 10)


def test_armijo_with_one_trial_is_gd():
    kw = dict(record_every=1, progress=False)
    p1 = fd.run(GABOR, O.armijo(lr=0.05, max_iter=1), [0.6, -0.2], 20, **kw).path
    p2 = fd.run(GABOR, O.gd(0.05), [0.6, -0.2], 20, **kw).path
    np.testing.assert_array_equal(p1, p2)


# ----------------------------------------------------------------------------- minibatches
@pytest.mark.parametrize("n,bs", [(30, 5), (30, 7), (24, 5), (12, 12), (7, 3)])
def test_batches_use_every_example_once_per_epoch(n, bs):
    nb = -(-n // bs)
    bl = batches(3, 0, n, bs, 3 * nb)
    sizes = [len(x) for x in bl[:nb]]
    assert sizes == [bs] * (n // bs) + ([n % bs] if n % bs else [])
    for e in range(3):
        ep = np.concatenate(bl[e * nb:(e + 1) * nb])
        assert np.array_equal(np.sort(ep), np.arange(n))
        np.testing.assert_array_equal(ep, permutation(3, 0, e, n))
    if n > bs:  # epochs are reshuffled
        assert not np.array_equal(np.concatenate(bl[:nb]), np.concatenate(bl[nb:2 * nb]))


def test_batches_streams():
    a = batches(7, 0, 30, 5, 12)
    assert all(np.array_equal(x, y) for x, y in zip(a, batches(7, 0, 30, 5, 12)))  # repeatable
    b = batches(7, 1, 30, 5, 12)
    assert not all(np.array_equal(x, y) for x, y in zip(a, b))  # another trajectory index
    c = batches(8, 0, 30, 5, 12)
    assert not all(np.array_equal(x, y) for x, y in zip(a, c))  # another seed
    # many indices: the first batches are not all alike
    firsts = {tuple(batches(7, i, 30, 5, 1)[0]) for i in range(20)}
    assert len(firsts) == 20


# ----------------------------------------------------------------------------- schedules
def test_schedule_values():
    t = np.array([0, 1, 9, 10, 25, 99, 100, 150])
    np.testing.assert_allclose(S.constant()(t), np.ones(t.size))
    np.testing.assert_allclose(S.step_decay(10, 0.5)(t), 0.5 ** (t // 10), rtol=1e-15)
    np.testing.assert_allclose(S.exponential(0.9)(t), 0.9 ** t, rtol=1e-13)
    np.testing.assert_allclose(S.inverse_time(0.1)(t), 1 / (1 + 0.1 * t), rtol=1e-15)
    T, f = 100, 0.1
    cos = f + (1 - f) * 0.5 * (1 + np.cos(np.pi * np.minimum(t, T) / T))
    np.testing.assert_allclose(S.cosine(T, f)(t), cos, rtol=1e-14)
    np.testing.assert_allclose(S.cosine(T, f)([0, 50, 100, 150]), [1.0, 0.55, 0.1, 0.1],
                               rtol=1e-14)
    np.testing.assert_allclose(S.warmup(5)([0, 1, 4, 5, 50]), [0.2, 0.4, 1.0, 1.0, 1.0],
                               rtol=1e-15)
    np.testing.assert_allclose(S.cosine(T, f).with_warmup(4)(t), cos * np.minimum(1, (t + 1) / 4),
                               rtol=1e-14)
    np.testing.assert_allclose(S.warmup(3, S.step_decay(2, 0.5))([0, 1, 2, 3, 4]),
                               [1 / 3, 2 / 3 * 1.0, 0.5, 0.5, 0.25], rtol=1e-15)
    assert S.as_schedule(None).name == S.as_schedule("constant").name == "constant"


def test_schedule_factors_are_what_the_engine_reads():
    """Schedule.factors(steps) (computed once per run, read by the engine at step t) equals the
    schedule at every step, bit for bit; the constant schedule is the single value 1.0 (the
    engine holds the last value beyond the array)."""
    t = np.arange(300)
    for sch in (S.step_decay(10, 0.5), S.exponential(0.97), S.inverse_time(0.1),
                S.cosine(100, 0.1), S.warmup(7), S.cosine(50).with_warmup(5)):
        assert np.array_equal(sch.factors(300), sch(t)), sch
    assert np.array_equal(S.constant().factors(10 ** 9), [1.0])


def test_every_rule_has_a_reference_loop():
    """Every built-in rule is checked against a plain-NumPy loop of its formula: it has one in
    tests/reference.py and a case in rule_cases (so the reference tests above run it)."""
    names = {r.name for r in O.builtin_rules()}
    assert names - set(ref.RULES) == set(), "rules without a reference loop"
    assert names - {c[1] for c in rule_cases(1.0)} == set(), "rules without a test case"


def test_line_search_kernels_read_the_rows_their_rules_declare():
    """The search kernels name the hyperparameter rows they read; each rule declares its
    hyperparameters in exactly that order (a reordered record would feed the wrong rows)."""
    from fastdescent.optim import line_searches as LS

    assert O.get_rule("line_search").hyper_names == LS.BRACKETING_HYPER
    assert O.get_rule("armijo").hyper_names == LS.ARMIJO_HYPER
    for names, rows in ((LS.BRACKETING_HYPER, (LS.BR_MAX_DIST, LS.BR_TOL, LS.BR_MAX_ITER)),
                        (LS.ARMIJO_HYPER, (LS.AR_LR, LS.AR_C, LS.AR_RHO, LS.AR_MAX_ITER))):
        assert tuple(rows) == tuple(range(len(names)))


def test_every_rule_has_kernels_of_the_contract_signatures():
    from fastdescent.contract import LOOKAHEAD, SEARCH, UPDATE, no_lookahead, no_search, no_step
    from fastdescent.engine.compiled import rule_kernels

    for rule in O.all_rules():
        upd, look, search = rule_kernels(rule)
        assert UPDATE.args in upd.overloads and SEARCH.args in search.overloads
        assert LOOKAHEAD.args in look.overloads
        line = rule.search is not None
        assert (upd is no_step) == line and (search is no_search) == (not line)
        assert (look is no_lookahead) == (rule.lookahead is None)


def _fused_adamw(phi, g, state, hyper, t, scale):
    """AdamW as one fused loop (decay inside the Adam loop), to check the composition."""
    P, B = phi.shape
    for b in range(B):
        lr = hyper[0, b] * scale
        b1, b2, eps, wd = hyper[1, b], hyper[2, b], hyper[3, b], hyper[4, b]
        ams = hyper[5, b] != 0.0
        step_size = lr / (1.0 - b1 ** (t + 1))
        bc2_sqrt = math.sqrt(1.0 - b2 ** (t + 1))
        for k in range(P):
            gk = g[k, b]
            phi[k, b] *= 1.0 - lr * wd
            w = 1.0 - b1
            m0 = state[0, k, b]
            m = m0 + w * (gk - m0) if abs(w) < 0.5 else gk - (gk - m0) * (1.0 - w)
            v = state[1, k, b] * b2 + (1.0 - b2) * gk * gk
            state[0, k, b] = m
            state[1, k, b] = v
            if ams:
                vmax = max(state[2, k, b], v)
                state[2, k, b] = vmax
                denom = math.sqrt(vmax) / bc2_sqrt + eps
            else:
                denom = math.sqrt(v) / bc2_sqrt + eps
            phi[k, b] += -step_size * (m / denom)


def test_adamw_is_decay_composed_with_adam_bit_for_bit():
    """adamw = the decoupled-decay piece followed by PyTorch's Adam step; it gives the same bits
    as the fused loop (decay applied element by element inside the Adam loop)."""
    from numba import njit

    from fastdescent.engine.compiled import rule_kernels

    fused = njit(error_model="numpy")(_fused_adamw)
    update = rule_kernels(O.get_rule("adamw"))[0]
    rng = np.random.default_rng(3)
    P, B = 3, 16
    opt = O.adamw(lr=rng.uniform(0.001, 0.5, B), betas=(rng.uniform(0.5, 0.99, B), 0.99),
                  weight_decay=rng.uniform(0.0, 0.5, B), amsgrad=rng.integers(0, 2, B))
    hyper = opt.hyper_matrix(B)
    phi0 = rng.normal(size=(P, B))
    phi = [phi0.copy(), phi0.copy()]
    state = [np.zeros((3, P, B)) for _ in range(2)]
    for t in range(20):
        g = rng.normal(size=(P, B))
        update(phi[0], g.copy(), state[0], hyper, t, 0.9)
        fused(phi[1], g.copy(), state[1], hyper, t, 0.9)
        assert phi[0].tobytes() == phi[1].tobytes() and state[0].tobytes() == state[1].tobytes()


@pytest.mark.parametrize("make,match", [
    (lambda: S.step_decay(0), "every"),
    (lambda: S.step_decay(2.5), "every"),
    (lambda: S.step_decay(10, 0.0), "factor"),
    (lambda: S.step_decay(10, 1.5), "factor"),
    (lambda: S.step_decay(10, float("nan")), "factor"),
    (lambda: S.exponential(0.0), "gamma"),
    (lambda: S.exponential(1.1), "gamma"),
    (lambda: S.inverse_time(-0.1), "decay"),
    (lambda: S.inverse_time(float("nan")), "decay"),
    (lambda: S.cosine(0), "total_steps"),
    (lambda: S.cosine(10, -0.1), "final"),
    (lambda: S.cosine(10, 1.5), "final"),
    (lambda: S.warmup(0), "steps"),
    (lambda: S.warmup(True), "steps"),
    (lambda: S.cosine(10).with_warmup(-1), "steps"),
    (lambda: S.as_schedule("cosinus"), "unknown schedule 'cosinus'"),
    (lambda: S.as_schedule("cosine"), "needs parameters"),
])
def test_bad_schedule_parameters(make, match):
    with pytest.raises(ValueError, match=match):
        make()


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("make,match", [
    (lambda: O.gd(lr=-0.1), "gd: lr must be"),
    (lambda: O.gd(lr=float("nan")), "gd: lr must be"),
    (lambda: O.gd(lr=math.inf), "gd: lr must be"),
    (lambda: O.nesterov(lr=np.array([0.1, np.nan])), "nesterov: lr must be"),
    (lambda: O.adam(lr=-1e-3), "adam: lr must be"),
    (lambda: O.torch_sgd(lr=-1.0), "torch_sgd: lr must be"),
    (lambda: O.momentum(beta=1.0), r"momentum: beta must be in \[0, 1\)"),
    (lambda: O.momentum(beta=-0.1), "momentum: beta must be"),
    (lambda: O.nesterov(beta=float("nan")), "nesterov: beta must be"),
    (lambda: O.adam(beta=1.0), "adam: beta must be"),
    (lambda: O.adam(gamma=1.0), "adam: gamma must be"),
    (lambda: O.torch_adam(betas=(1.0, 0.999)), "torch_adam: beta1 must be"),
    (lambda: O.adamw(betas=(0.9, -0.5)), "adamw: beta2 must be"),
    (lambda: O.torch_adam(betas=0.9), "betas must be a pair"),
    (lambda: O.torch_sgd(momentum=0.9, dampening=0.1, nesterov=True), "dampening"),
    (lambda: O.torch_sgd(nesterov=True), "momentum > 0"),
    (lambda: O.line_search(max_dist=0.0), "max_dist must be"),
    (lambda: O.line_search(max_iter=2.5), "max_iter must be an integer"),
    (lambda: O.armijo(rho=1.0), "rho must be"),
    (lambda: O.rmsprop(centered=2), "centered must be a boolean"),
    (lambda: O.adagrad(initial_accumulator_value=-1.0), "initial_accumulator_value must be"),
    (lambda: O.get_optimizer("sgdd"), "unknown optimizer 'sgdd'"),
    (lambda: O.gd().replace(beta=0.5), "no hyperparameter 'beta'"),
])
def test_bad_optimizer_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize("kwargs,match", [
    (dict(batch_size=31), r"batch_size must be in \[1, 30\]"),
    (dict(batch_size=0), "batch_size must be"),
    (dict(batch_size=-5), "batch_size must be"),
    (dict(batch_size=2.0), "batch_size must be an integer"),
    (dict(schedule="cosinus"), "unknown schedule 'cosinus'"),
    (dict(schedule="step"), "needs parameters"),
    (dict(optimizer="sgdd"), "unknown optimizer 'sgdd'"),
    (dict(optimizer=O.gd(lr=np.array([0.1, 0.2, 0.3]))), "lr has 3 values"),
    (dict(model=ROSEN, init=[[0.0, 0.0]], batch_size=1), "batch_size needs a model with data"),
])
def test_bad_run_input_is_rejected_before_any_kernel(kwargs, match, monkeypatch):
    monkeypatch.setattr(run_mod, "execute", lambda *a, **k: pytest.fail("kernel ran"))
    args = dict(model=GABOR, optimizer=O.gd(), init=[[0.6, -0.2], [1.0, 2.0]], steps=10)
    args.update(kwargs)
    with pytest.raises((ValueError, TypeError), match=match):
        fd.run(args.pop("model"), args.pop("optimizer"), args.pop("init"), args.pop("steps"),
               **args)


# ----------------------------------------------------------------------------- real PyTorch
TORCH_CASES = [
    ("torch_sgd", dict(lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01)),
    ("torch_sgd", dict(lr=0.05, momentum=0.8, nesterov=True)),
    ("torch_adam", dict(lr=0.03, betas=(0.8, 0.95), weight_decay=0.01)),
    ("torch_adam", dict(lr=0.03, betas=(0.9, 0.9), amsgrad=True)),
    ("adamw", dict(lr=0.03, weight_decay=0.1, amsgrad=True)),
    ("rmsprop", dict(lr=0.005, alpha=0.9, momentum=0.5, weight_decay=0.01, centered=True)),
    ("adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.01, initial_accumulator_value=0.1)),
]


@pytest.mark.parametrize("name,hyper", TORCH_CASES)
def test_against_real_torch_optim(name, hyper):
    torch = pytest.importorskip("torch")
    cls = {"torch_sgd": torch.optim.SGD, "torch_adam": torch.optim.Adam,
           "adamw": torch.optim.AdamW, "rmsprop": torch.optim.RMSprop,
           "adagrad": torch.optim.Adagrad}[name]
    start, n = [0.6, -0.2], 30
    path = fd.run(GABOR, getattr(O, name)(**hyper), start, n, record_every=1,
                  progress=False).path[0]
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = cls([p], foreach=False, **hyper)
    got = [p.detach().numpy().copy()]
    for _ in range(n):
        p.grad = torch.from_numpy(GABOR.grad(p.detach().numpy().copy()))
        opt.step()
        got.append(p.detach().numpy().copy())
    assert_path(path, np.array(got))


# ----------------------------------------------------------------------------- user-defined rules
@njit(error_model="numpy")
def user_lion_step(phi, g, state, hyper, t, scale):
    """A user's Lion without weight decay, written as a user would (module level: cached)."""
    for k in range(phi.shape[0]):
        for b in range(phi.shape[1]):
            b1, b2, m = hyper[1, b], hyper[2, b], state[0, k, b]
            c = b1 * m + (1.0 - b1) * g[k, b]
            s = 1.0 if c > 0.0 else (-1.0 if c < 0.0 else 0.0)
            phi[k, b] -= hyper[0, b] * scale * s
            state[0, k, b] = b2 * m + (1.0 - b2) * g[k, b]


USER_LION = O.Rule("user_lion", (O.Hyper("lr", 1e-4), O.Hyper("beta1", 0.9, O.UNIT_CLOSED),
                                 O.Hyper("beta2", 0.99, O.UNIT_CLOSED)), 1, user_lion_step)


def test_user_rule_runs_like_the_builtin_bit_for_bit():
    """A rule defined outside the package, with per-trajectory hyperparameters, in run (with a
    schedule and minibatches) and in sweep: the same bits as the built-in lion."""
    starts = PROBLEMS["gabor"][1]
    lr = np.array([0.01, 0.02, 0.005])
    kw = dict(record_every=1, progress=False, batch_size=7, seed=3, schedule=S.cosine(40, 0.1))
    mine = fd.run(GABOR, USER_LION(lr=lr, beta2=0.95), starts, 40, **kw)
    builtin = fd.run(GABOR, O.lion(lr=lr, beta2=0.95), starts, 40, **kw)
    assert mine.path.tobytes() == builtin.path.tobytes()
    grid = fd.grid(GABOR, 3)
    a = fd.sweep(GABOR, USER_LION, grid, 30, lr=[0.01, 0.05], progress=False)
    b = fd.sweep(GABOR, O.lion(), grid, 30, lr=[0.01, 0.05], progress=False)
    assert a["params"].values.tobytes() == b["params"].values.tobytes()
    assert a.attrs["optimizer"] != b.attrs["optimizer"]  # provenance names the user's rule


def test_user_rule_validates_and_registers(monkeypatch):
    from fastdescent.optim import registry
    from fastdescent.plotting import i18n, style

    with pytest.raises(ValueError, match=r"user_lion: beta1 must be in \[0, 1\]"):
        USER_LION(beta1=1.5)
    with pytest.raises(TypeError, match="unexpected hyperparameter 'beta'"):
        USER_LION(beta=0.5)
    fixed = O.Rule("fixed_gd", (O.Hyper("lr", 0.1, per_trajectory=False),), 0,
                   user_lion_step)
    with pytest.raises(ValueError, match="lr must be one value for the whole run"):
        fixed(lr=np.array([0.1, 0.2]))
    with pytest.raises(ValueError, match="error_model"):
        O.Rule("bad", (O.Hyper("lr", 0.1),), 0, njit(lambda *a: None))
    with pytest.raises(ValueError, match="exactly one of step= or search="):
        O.Rule("bad", (O.Hyper("lr", 0.1),), 0)
    monkeypatch.setattr(registry, "_RULES", dict(registry._RULES))
    O.register(USER_LION)
    with pytest.raises(ValueError, match="already registered"):
        O.register(O.get_rule("adam").derive(name="user_lion"))
    assert O.get_optimizer("user_lion", lr=0.5).hyper["lr"] == 0.5
    assert "user_lion" in O.named_optimizers
    assert style.optimizer_color("user_lion") == USER_LION.color
    assert i18n.optimizer_label("user_lion", "es") == "user_lion"
    res = fd.run(GABOR, "user_lion", [0.6, -0.2], 5, progress=False)
    assert res.optimizer.rule is USER_LION
    from fastdescent.analysis import stability

    assert "user_lion" in stability.NONLINEAR and "user_lion" not in stability.LINEAR_RULES
    linear_gd = O.get_rule("gd").derive(name="user_linear_gd")
    O.register(linear_gd)
    assert "user_linear_gd" in stability.LINEAR_RULES  # live views of the registry
    assert stability.stability_threshold("user_linear_gd", 4.0) == \
        stability.stability_threshold("gd", 4.0)


def test_readme_lion_matches_a_numpy_lion_loop():
    """The README's "Your own optimizer" example, run as written (a rule defined in
    ``__main__``), against the plain-NumPy Lion loop of tests/reference.py."""
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme.split("## Your own optimizer", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    ns = {"__name__": "__main__"}
    exec(compile(code, "README.md", "exec"), ns)
    res = ns["res"]
    starts, lrs = [[0.6, -0.2], [3.5, 6.5]], [0.01, 0.03]
    assert res.optimizer.name == "my_lion" and res.params.shape == (2, 2)
    for i in range(2):
        want = ref.reference_path(GABOR, "lion", starts[i], 300, lr=lrs[i], beta1=0.9,
                                  beta2=0.99)
        assert_path(res.params[i], want[-1])
