"""Regression kernels: polynomial (univariate, incl. the lecture's line), multivariate linear,
and the lecture's Gabor model. Every loss is the squared residual of one example, so the model
loss is the **sum** of squared residuals (the lecture's convention).

The polynomial model is written in the public model contract (:mod:`fastdescent.models.base`):
``loss_grad(p, x, y, c, g)`` plus ``hessian(p, x, y, c, H)``. The multivariate linear and the
Gabor models keep the block kernels' internal form for speed (see :func:`linear_example` and
:func:`gabor_example`).
"""
import math

from numba import njit

from ..contract import like
from ..fastmath import FAST_TRIG_MAX, fast_exp, fast_sincos_in_range, select

# ---------------------------------------------------------------- polynomial, f = sum_k phi_k x^k
# c = [degree]


@njit(error_model="numpy", inline="always")
def poly_loss_grad(p, x, y, c, g):
    """:math:`\\ell = (\\sum_k \\phi_k x^k - y)^2`, :math:`\\partial\\ell/\\partial\\phi_k = 2 r x^k`."""
    deg = int(c[0])
    f = 0.0
    xk = 1.0
    for k in range(deg + 1):
        f += p[k] * xk
        xk *= x[0]
    r = f - y[0]
    xk = 1.0
    for k in range(deg + 1):
        g[k] += 2.0 * r * xk
        xk *= x[0]
    return r * r


@njit(cache=True)
def poly_hessian(p, x, y, c, H):
    deg = int(c[0])
    for j in range(deg + 1):
        for k in range(deg + 1):
            H[j, k] += 2.0 * x[0] ** (j + k)


# ---------------------------------------------------------------- multivariate linear, f = W x + w0
# parameters: W row-major (D x dx) then the D offsets; c = [dx, D]


@njit(cache=True, inline="always")
def linear_example(phi, b, X, Y, i, c, work, grad):
    """:math:`\\ell = \\lVert W x + w_0 - y\\rVert^2` (several outputs).

    Internal form, with the loss-only twin :func:`linear_loss`: in the public ``loss_grad``
    form the loss-only evaluations (line searches, recorded losses) would also compute the
    gradient they discard (a loop over every weight), which makes line-search runs measurably
    slower (benchmarks/RESULTS.md, "Built-in models in the public contract").
    """
    dx = int(c[0])
    D = int(c[1])
    loss = 0.0
    for d in range(D):
        f = phi[D * dx + d, b]
        for j in range(dx):
            f += phi[d * dx + j, b] * X[i, j]
        r = f - Y[i, d]
        loss += r * r
        for j in range(dx):
            grad[d * dx + j, b] += 2.0 * r * X[i, j]
        grad[D * dx + d, b] += 2.0 * r
    return loss


@njit(cache=True, inline="always")
def linear_loss(phi, b, X, Y, i, c, work):
    dx = int(c[0])
    D = int(c[1])
    loss = 0.0
    for d in range(D):
        f = phi[D * dx + d, b]
        for j in range(dx):
            f += phi[d * dx + j, b] * X[i, j]
        r = f - Y[i, d]
        loss += r * r
    return loss


@njit(cache=True)
def linear_hessian(p, x, y, c, H):
    dx = int(c[0])
    D = int(c[1])
    for d in range(D):
        for j in range(dx + 1):
            xj = x[j] if j < dx else 1.0
            pj = d * dx + j if j < dx else D * dx + d
            for k in range(dx + 1):
                xk = x[k] if k < dx else 1.0
                pk = d * dx + k if k < dx else D * dx + d
                H[pj, pk] += 2.0 * xj * xk


# ---------------------------------------------------------------- Gabor (lecture, book fig. 6.2)
# z = phi0 + 0.06 phi1 x ;  f = sin(z) exp(-z^2/32) ;  c = [] (unused)


@njit(cache=True, error_model="numpy", inline="always")
def _gabor_f(z):
    """Return f(z) = sin(z) e^{-z^2/32} and f'(z), branch-free and vectorizable.

    Uses :mod:`fastdescent.fastmath` (within 1 ulp of libm). The sine is evaluated at z
    clamped to the fast range: beyond it ``e^{-z^2/32}`` is exactly 0, so f and f' are exactly
    0 either way. The clamp maps NaN to the range as well (NaN then reaches f through the
    exponential), so the sine needs no range check of its own.
    """
    top = like(FAST_TRIG_MAX, z)  # constants in z's precision (float64 or float32)
    zc = select(z <= top, z, top)  # selects, not min/max: they vectorize
    zc = select(zc >= -top, zc, -top)
    s, co = fast_sincos_in_range(zc)
    e = fast_exp(-z * z / like(32.0, z))
    return s * e, e * (co - z * s / like(16.0, z))


@njit(cache=True, error_model="numpy", inline="always")
def gabor_example(phi, b, X, Y, i, c, work, grad):
    """:math:`\\ell = (\\sin z\\, e^{-z^2/32} - y)^2`, :math:`z = \\phi_0 + 0.06\\,\\phi_1 x`.

    Written in the block kernels' internal form (column ``b`` of the ``(P, B)`` block read
    directly), with its loss-only twin :func:`gabor_loss`, not in the public ``loss_grad`` form
    the other regressions use: the same formula as a ``loss_grad(p, x, y, c, g)`` kernel gives
    bit-identical losses, gradients and runs, but the block kernel generated from it (column
    views of the block per example) runs the lecture's Gabor workloads B1 (GD) and B2 (Adam)
    several times slower than this form, whose loop over trajectories vectorizes the
    ``fast_sincos_in_range`` evaluation (measurement and command: benchmarks/RESULTS.md,
    "Gabor: block form vs the public point form").
    """
    u = like(0.06, phi) * X[i, 0]
    z = phi[0, b] + phi[1, b] * u
    f, dfdz = _gabor_f(z)
    r = f - Y[i, 0]
    g = like(2.0, r) * r * dfdz
    grad[0, b] += g
    grad[1, b] += g * u
    return r * r


@njit(cache=True, error_model="numpy", inline="always")
def gabor_loss(phi, b, X, Y, i, c, work):
    z = phi[0, b] + phi[1, b] * (like(0.06, phi) * X[i, 0])
    f, _ = _gabor_f(z)
    r = f - Y[i, 0]
    return r * r


@njit(cache=True)
def gabor_hessian(p, x, y, c, H):
    z = p[0] + p[1] * (0.06 * x[0])
    s = math.sin(z)
    co = math.cos(z)
    e = math.exp(-z * z / 32.0)
    r = s * e - y[0]
    d1 = e * (co - z * s / 16.0)
    d2 = e * (-z * co / 8.0 + z * z * s / 256.0 - 17.0 * s / 16.0)
    a = 2.0 * (d1 * d1 + r * d2)
    u = 0.06 * x[0]
    H[0, 0] += a
    H[0, 1] += a * u
    H[1, 0] += a * u
    H[1, 1] += a * u * u
