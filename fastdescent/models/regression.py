"""Regression kernels: polynomial (univariate, incl. the lecture's line), multivariate linear,
and the lecture's Gabor model. Every loss is the squared residual of one example, so the model
loss is the **sum** of squared residuals (the lecture's convention).

Each is written in the public model contract (:mod:`fastdescent.models.base`):
``loss_grad(p, x, y, c, g)`` plus ``hessian(p, x, y, c, H)``.
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


@njit(cache=True, error_model="numpy")
def linear_loss_grad(p, x, y, c, g):
    """:math:`\\ell = \\lVert W x + w_0 - y\\rVert^2` (``D`` outputs, ``dx`` inputs, ``c = [dx, D]``);
    :math:`\\partial\\ell/\\partial W_{dj} = 2 r_d x_j`, :math:`\\partial\\ell/\\partial w_{0,d} = 2 r_d`.

    Examples
    --------
    One output, two inputs: :math:`f = 2 \\cdot 1 - 1 \\cdot 3 + 0.5 = -0.5`, :math:`r = -0.5`.

    >>> import numpy as np
    >>> g = np.zeros(3)
    >>> float(linear_loss_grad(np.array([2.0, -1.0, 0.5]), np.array([1.0, 3.0]),
    ...                        np.array([0.0]), np.array([2.0, 1.0]), g))
    0.25
    >>> g.tolist()
    [-1.0, -3.0, -1.0]
    """
    dx = int(c[0])
    D = int(c[1])
    loss = 0.0
    for d in range(D):
        f = p[D * dx + d]
        for j in range(dx):
            f += p[d * dx + j] * x[j]
        r = f - y[d]
        loss += r * r
        for j in range(dx):
            g[d * dx + j] += 2.0 * r * x[j]
        g[D * dx + d] += 2.0 * r
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


@njit(cache=True, error_model="numpy")
def gabor_loss_grad(p, x, y, c, g):
    """:math:`\\ell = (\\sin z\\, e^{-z^2/32} - y)^2`, :math:`z = \\phi_0 + 0.06\\,\\phi_1 x`;
    :math:`\\partial\\ell/\\partial\\phi = 2 r f'(z)\\,(1, 0.06 x)` with :math:`r = f(z) - y`.

    Examples
    --------
    >>> import math
    >>> import numpy as np
    >>> g = np.zeros(2)
    >>> loss = gabor_loss_grad(np.array([0.6, -0.2]), np.array([1.0]), np.array([0.5]),
    ...                        np.zeros(1), g)
    >>> z = 0.6 - 0.2 * 0.06
    >>> bool(np.isclose(loss, (math.sin(z) * math.exp(-z * z / 32) - 0.5) ** 2))
    True
    >>> bool(np.isclose(g[1], 0.06 * g[0]))  # dl/dphi1 = 0.06 x dl/dphi0
    True
    """
    u = like(0.06, p) * x[0]
    z = p[0] + p[1] * u
    f, dfdz = _gabor_f(z)
    r = f - y[0]
    gz = like(2.0, r) * r * dfdz
    g[0] += gz
    g[1] += gz * u
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
