"""User-defined models for the tests: 2-parameter exponential regression,
:math:`f(x) = \\phi_0 e^{\\phi_1 x}`, :math:`\\ell = (f(x) - y)^2`, in every kernel form, and
the fractal-trainability network written per example. Module-level njit kernels in an
importable module, so :func:`fastdescent.models.custom_model` can cache their engine.
"""
import math

import numpy as np
from numba import njit

from fastdescent.fastmath import fast_tanh


@njit(cache=True)
def exp_example(phi, b, X, Y, i, c, work, grad):
    e = math.exp(phi[1, b] * X[i, 0])
    r = phi[0, b] * e - Y[i, 0]
    grad[0, b] += 2.0 * r * e
    grad[1, b] += 2.0 * r * phi[0, b] * e * X[i, 0]
    return r * r


@njit(cache=True)
def exp_loss(phi, b, X, Y, i, c, work):
    r = phi[0, b] * math.exp(phi[1, b] * X[i, 0]) - Y[i, 0]
    return r * r


@njit(cache=True)
def exp_hessian(p, x, y, c, H):
    # r = p0 e - y, dr/dp0 = e, dr/dp1 = p0 x e; d2r/dp0dp1 = x e, d2r/dp1^2 = p0 x^2 e
    e = math.exp(p[1] * x[0])
    r = p[0] * e - y[0]
    j0 = e
    j1 = p[0] * x[0] * e
    H[0, 0] += 2.0 * j0 * j0
    H[0, 1] += 2.0 * (j0 * j1 + r * x[0] * e)
    H[1, 0] += 2.0 * (j0 * j1 + r * x[0] * e)
    H[1, 1] += 2.0 * (j1 * j1 + r * p[0] * x[0] * x[0] * e)


def exp_data(n=20, seed=3):
    """Noisy samples of 1.5 exp(-0.8 x) on [0, 2]."""
    g = np.random.default_rng(seed)
    x = np.linspace(0.0, 2.0, n)
    return x, 1.5 * np.exp(-0.8 * x) + 0.05 * g.standard_normal(n)


@njit(error_model="numpy")
def exp_loss_grad(p, x, y, c, g):
    """The same model in the public contract: one example at the point p."""
    e = math.exp(p[1] * x[0])
    r = p[0] * e - y[0]
    g[0] += 2.0 * r * e
    g[1] += 2.0 * r * p[0] * e * x[0]
    return r * r


@njit(cache=True)
def _exp_residual(p, x, y):
    return p[0] * math.exp(p[1] * x[0]) - y[0]


@njit(cache=True)
def exp_loss_grad_via_helper(p, x, y, c, g):
    """``exp_loss_grad`` with ``p`` passed whole to a helper: outside the subset the block form
    is rewritten from, so it runs through column views."""
    r = _exp_residual(p, x, y)
    e = math.exp(p[1] * x[0])
    g[0] += 2.0 * r * e
    g[1] += 2.0 * r * p[0] * e * x[0]
    return r * r


@njit(cache=True)
def exp_loss_grad_reads_g(p, x, y, c, g):
    """``exp_loss_grad`` that accumulates through ``g[k] = g[k] + v`` (reads ``g`` back)."""
    e = math.exp(p[1] * x[0])
    r = p[0] * e - y[0]
    g[0] = g[0] + 2.0 * r * e
    g[1] = g[1] + 2.0 * r * p[0] * e * x[0]
    return r * r


@njit(cache=True)
def tanh_net_loss_grad(p, x, y, c, g, w):
    """One hidden tanh layer of width ``H = len(w)``, one input, one output, no biases:
    :math:`f = \\sum_j v_j \\tanh(u_j x)`, parameters ``(u_0..u_{H-1}, v_0..v_{H-1})``; the
    scratch ``w`` holds the hidden activations."""
    H = w.shape[0]
    for j in range(H):
        w[j] = math.tanh(p[j] * x[0])
    f = 0.0
    for j in range(H):
        f += p[H + j] * w[j]
    r = f - y[0]
    for j in range(H):
        g[H + j] += 2.0 * r * w[j]
        g[j] += 2.0 * r * p[H + j] * (1.0 - w[j] * w[j]) * x[0]
    return r * r


@njit(error_model="numpy")
def exp_lanes(p, x, y, c, g, w, loss):
    """The same model in the lane form: every lane (column) of the (P, B) block at once."""
    for b in range(p.shape[1]):
        e = math.exp(p[1, b] * x[0, b])
        r = p[0, b] * e - y[0, b]
        g[0, b] += 2.0 * r * e
        g[1, b] += 2.0 * r * p[0, b] * e * x[0, b]
        loss[b] += r * r


@njit(cache=True)
def _exp_lane_grad(p, x, y, g, b, e, r):
    g[0, b] += 2.0 * r * e
    g[1, b] += 2.0 * r * p[0, b] * e * x[0, b]


@njit(cache=True)
def exp_lanes_via_helper(p, x, y, c, g, w, loss):
    """``exp_lanes`` that passes ``g`` whole to a helper: its loss-only form cannot be derived
    from the source, so it runs the kernel with a gradient block it discards."""
    for b in range(p.shape[1]):
        e = math.exp(p[1, b] * x[0, b])
        r = p[0, b] * e - y[0, b]
        _exp_lane_grad(p, x, y, g, b, e, r)
        loss[b] += r * r


@njit(cache=True, error_model="numpy")
def exp_lanes_scratch(p, x, y, c, g, w, loss):
    """``exp_lanes`` through scratch rows (e, r, 2r in ``w``), the loss first, the
    gradient after it (dropped, with the statements after the last use of ``loss``, from the
    loss-only form)."""
    B = p.shape[1]
    for b in range(B):
        w[0, b] = math.exp(p[1, b] * x[0, b])
        w[1, b] = p[0, b] * w[0, b] - y[0, b]
    for b in range(B):
        loss[b] += w[1, b] * w[1, b]
    for b in range(B):
        w[2, b] = 2.0 * w[1, b]
    for b in range(B):
        g[0, b] += w[2, b] * w[0, b]
        g[1, b] += w[2, b] * p[0, b] * w[0, b] * x[0, b]


@njit(error_model="numpy")
def shallow_point(p, x, y, c, g, w):
    """``fastdescent.models.shallow_net`` (tanh or identity activation) written per example in
    the public contract, with the lane kernel's order of operations: the reference its lane
    form must equal. Scratch: h (n), s_in sigma'(z) (n), 2 e (m)."""
    d = int(c[0])
    n = int(c[1])
    m = int(c[2])
    act = int(c[3])
    bias = c[4] != 0.0
    s_in = c[5]
    s_out = c[6]
    ob = n * d
    ov = n * d + (n if bias else 0)
    oc = ov + m * n
    for j in range(n):
        z = p[ob + j] if bias else 0.0
        for k in range(d):
            z += p[j * d + k] * x[k]
        if act == 1:
            h = fast_tanh(s_in * z)
            w[j] = h
            w[n + j] = s_in * (1.0 - h * h)
        else:
            w[j] = s_in * z
            w[n + j] = s_in
    loss = 0.0
    for o in range(m):
        f = 0.0
        for j in range(n):
            f += p[ov + o * n + j] * w[j]
        e = s_out * f + p[oc + o] - y[o] if bias else s_out * f - y[o]
        loss += e * e
        w[2 * n + o] = 2.0 * e
        if bias:
            g[oc + o] += w[2 * n + o]
        for j in range(n):
            g[ov + o * n + j] += (s_out * w[2 * n + o]) * w[j]
    for j in range(n):
        s = 0.0
        for o in range(m):
            s += w[2 * n + o] * p[ov + o * n + j]
        dz = (s_out * s) * w[n + j]
        if bias:
            g[ob + j] += dz
        for k in range(d):
            g[j * d + k] += dz * x[k]
    return loss
