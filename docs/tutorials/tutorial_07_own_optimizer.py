"""
Your own optimizer
==================

An optimizer is one record, :class:`fastdescent.optim.Rule`: a name, its hyperparameters
(:class:`~fastdescent.optim.Hyper`: name, default, valid range), the number of state arrays
and an ``@njit`` step kernel. Defined in a script, it runs in :func:`fastdescent.run` and
:func:`fastdescent.sweep` through the same compiled driver as the built-in rules, with one
value of each hyperparameter per trajectory if you like.

This tutorial writes SGD with momentum and *decoupled* weight decay (SGDW, Loshchilov &
Hutter 2019),

.. math::
   \\phi \\leftarrow \\phi\\,(1 - \\alpha\\lambda), \\qquad
   m \\leftarrow \\beta m + g, \\qquad
   \\phi \\leftarrow \\phi - \\alpha m,

from a shared piece (:func:`fastdescent.optim.pieces.decoupled_decay`, the one AdamW and Lion
use) and a momentum loop, checks it against a plain NumPy loop of the same formula and against
the fixed point the formula predicts, registers it by name and sweeps it.
"""
import numpy as np
from numba import njit

import fastdescent as fd
from fastdescent import plotting as fp
from fastdescent.optim import NONNEG, UNIT_OPEN, Hyper, Rule
from fastdescent.optim.pieces import decoupled_decay

# %%
# The step kernel
# ---------------
# The kernel advances a ``(P, B)`` block in place: ``phi[k, b]`` is parameter ``k`` of
# trajectory ``b``, ``g`` the gradient there, ``state`` the rule's ``(S, P, B)`` arrays (zero
# at the start), ``hyper`` one column of hyperparameters per trajectory in the order of the
# ``Hyper`` records, ``t`` the step number and ``scale`` the learning-rate schedule's factor.
# ``error_model="numpy"`` makes a division by zero give inf/nan, so a diverging trajectory is
# data rather than an exception in a compiled thread.
LR, BETA, WD = 0, 1, 2           # rows of ``hyper``, in the order declared below


@njit(error_model="numpy")
def sgdw_step(phi, g, state, hyper, t, scale):
    decoupled_decay(phi, hyper, LR, WD, scale)       # phi <- phi (1 - lr * scale * wd)
    P, B = phi.shape
    for k in range(P):
        for b in range(B):
            m = hyper[BETA, b] * state[0, k, b] + g[k, b]
            state[0, k, b] = m
            phi[k, b] -= hyper[LR, b] * scale * m


sgdw = Rule("sgdw", (Hyper("lr", 0.01), Hyper("beta", 0.9, UNIT_OPEN),
                     Hyper("weight_decay", 0.0, NONNEG)),
            n_state=1, step=sgdw_step,
            label={"en": "SGDW", "es": "SGDW"}, color="#117733")
print(sgdw, "defaults:", sgdw.defaults)

# %%
# Calling the rule validates the hyperparameters and builds an optimizer; a value outside
# its range is an error that names it:
try:
    sgdw(beta=1.5)
except ValueError as exc:
    print("ValueError:", exc)

# %%
# Checked against NumPy
# ---------------------
# The lecture's linear regression (12 points, :math:`L(\phi) = \sum_i (\phi_0 + \phi_1 x_i
# - y_i)^2`), three learning rates at once, every point of each path recorded. A plain
# NumPy loop of the formula, with the gradient computed by NumPy, must give the same path.
model = fd.models.linear_regression_1d()
x, y = model.X[:, 0], model.Y[:, 0]
lrs = np.array([0.002, 0.005, 0.01])
start = np.array([1.6, -0.8])
res = fd.run(model, sgdw(lr=lrs, beta=0.8, weight_decay=0.5), np.tile(start, (3, 1)),
             steps=200, record_every=1, progress=False)


def numpy_sgdw(lr, beta, wd, phi, steps):
    """The formula above, step by step, in NumPy."""
    phi, m = phi.copy(), np.zeros_like(phi)
    path = [phi.copy()]
    for _ in range(steps):
        r = phi[0] + phi[1] * x - y
        g = np.array([2 * r.sum(), 2 * (r * x).sum()])
        phi = phi * (1 - lr * wd)
        m = beta * m + g
        phi = phi - lr * m
        path.append(phi.copy())
    return np.array(path)


for i, lr in enumerate(lrs):
    ref = numpy_sgdw(lr, 0.8, 0.5, start, 200)
    err = np.abs(res.path[i] - ref).max() / np.abs(ref).max()
    print(f"lr={lr}: largest relative difference to NumPy over 200 steps: {err:.1e}")
    assert err < 1e-13          # the build fails if the rule and its formula disagree

# %%
# Checked against its fixed point
# -------------------------------
# At a fixed point :math:`m^* = g^*/(1-\beta)` and :math:`\alpha\lambda\phi^* = -\alpha m^*`,
# so :math:`\nabla L(\phi^*) + \lambda(1-\beta)\phi^* = 0`: decoupled decay with momentum is
# ridge regression with penalty :math:`\tfrac12\lambda(1-\beta)\|\phi\|^2`, whose minimum is
# the solution of :math:`(2A^TA + \mu I)\phi = 2A^Ty`, :math:`\mu = \lambda(1-\beta)`.
# (With a decay the runs use every step: ``tol`` tests the gradient of :math:`L` alone, which
# is not zero at the ridge solution.)
A = np.column_stack([np.ones_like(x), x])
for wd in (0.0, 2.0, 20.0):
    long = fd.run(model, sgdw(lr=0.005, beta=0.8, weight_decay=wd), [start], steps=5000,
                  tol=1e-10, progress=False)
    mu = wd * (1 - 0.8)
    ridge = np.linalg.solve(2 * A.T @ A + mu * np.eye(2), 2 * A.T @ y)
    print(f"weight_decay={wd:4}: phi = {long.params[0].round(6)}, ridge = {ridge.round(6)}, "
          f"largest difference {np.abs(long.params[0] - ridge).max():.1e}")
    assert np.abs(long.params[0] - ridge).max() < 1e-8

# %%
# Registered by name
# ------------------
# :func:`fastdescent.optim.register` makes the rule known to
# :func:`~fastdescent.optim.get_optimizer`, experiment files, the command line and the plots'
# colours and names. A sweep over the learning rate and the weight decay then runs like one of
# a built-in rule, here from a 6 x 6 grid of starts:
fd.optim.register(sgdw, replace=True)
opt = fd.optim.get_optimizer("sgdw", beta=0.8)
ds = fd.sweep(model, opt, fd.grid(model, 6), 400, lr=np.geomspace(1e-3, 0.2, 12),
              weight_decay=[0.0, 10.0, 20.0], tol=1e-6, progress=False)
print(dict(ds.sizes))

from fastdescent.analysis import hyper_map  # noqa: E402

hm = hyper_map(ds, "lr", "weight_decay")
print("diverged share per learning rate (weight_decay = 0):",
      hm["diverged"].sel(weight_decay=0.0).values.round(2))

# %%
# How one start ends over learning rate and weight decay (on a quadratic loss every start
# diverges or none does). Without decay the runs converge to the tolerance; with it they use
# every step (the gradient of :math:`L` is not zero at the ridge solution). Above a learning
# rate they diverge: the heavy-ball iteration is stable for :math:`\alpha h < 2(1+\beta)`,
# :math:`h \approx 50` the largest curvature of :math:`L`, and the decay adds
# :math:`\lambda` to the curvature the step sees, so the threshold falls as :math:`\lambda`
# grows.
fig, ax = fp.figure(size=(8, 4.5))
one_start = ds["status"].isel(phi0=0, phi1=0).transpose("lr", "weight_decay")
fp.hyper_map(one_start, kind="status", ax=ax, log_x=True, xlabel="learning_rate",
             ylabel=r"Weight decay, $\lambda$")
ax.set_yticks([0.0, 10.0, 20.0])
ax.set_title(f"{fp.optimizer_label('sgdw')} on the lecture's linear regression")

# %%
# Composing shared pieces
# -----------------------
# :mod:`fastdescent.optim.pieces` holds the pieces the built-in rules are made of: L2 and
# decoupled weight decay, Adam's bias correction, Nesterov's look-ahead point and a branch-free
# sign. The built-in :func:`~fastdescent.optim.adamw` is ``decoupled_decay`` followed by
# PyTorch's Adam step, one file in ``fastdescent/optim/rules/``. Optional fields of a rule:
# ``lookahead=`` (an ``@njit`` kernel that writes the point where the gradient is taken, as
# Nesterov does), ``linear=True`` (the stability analysis then builds the rule's iteration
# matrix on a quadratic from its kernels), ``stable_interval=``, ``label=``, ``color=``. A rule
# in an importable module is compiled once and cached on disk; one in ``__main__`` or a
# notebook is recompiled in every new process.
