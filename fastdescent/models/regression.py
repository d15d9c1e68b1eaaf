"""Regression kernels: polynomial (univariate, incl. the lecture's line), multivariate linear,
and the lecture's Gabor model. Every loss is the squared residual of one example, so the model
loss is the **sum** of squared residuals (the lecture's convention)."""
import math

from numba import njit

# ---------------------------------------------------------------- polynomial, f = sum_k phi_k x^k
# c = [degree]


@njit(cache=True)
def poly_example(phi, b, x, y, c, work, grad):
    """:math:`\\ell = (\\sum_k \\phi_k x^k - y)^2`, :math:`\\partial\\ell/\\partial\\phi_k = 2 r x^k`."""
    deg = int(c[0])
    f = 0.0
    xk = 1.0
    for k in range(deg + 1):
        f += phi[k, b] * xk
        xk *= x[0]
    r = f - y[0]
    xk = 1.0
    for k in range(deg + 1):
        grad[k, b] += 2.0 * r * xk
        xk *= x[0]
    return r * r


@njit(cache=True)
def poly_loss(phi, b, x, y, c, work):
    deg = int(c[0])
    f = 0.0
    xk = 1.0
    for k in range(deg + 1):
        f += phi[k, b] * xk
        xk *= x[0]
    r = f - y[0]
    return r * r


@njit(cache=True)
def poly_hessian(p, x, y, c, H):
    deg = int(c[0])
    for j in range(deg + 1):
        for k in range(deg + 1):
            H[j, k] += 2.0 * x[0] ** (j + k)


# ---------------------------------------------------------------- multivariate linear, f = W x + w0
# parameters: W row-major (D x dx) then the D offsets; c = [dx, D]


@njit(cache=True)
def linear_example(phi, b, x, y, c, work, grad):
    """:math:`\\ell = \\lVert W x + w_0 - y\\rVert^2` (several outputs)."""
    dx = int(c[0])
    D = int(c[1])
    loss = 0.0
    for d in range(D):
        f = phi[D * dx + d, b]
        for j in range(dx):
            f += phi[d * dx + j, b] * x[j]
        r = f - y[d]
        loss += r * r
        for j in range(dx):
            grad[d * dx + j, b] += 2.0 * r * x[j]
        grad[D * dx + d, b] += 2.0 * r
    return loss


@njit(cache=True)
def linear_loss(phi, b, x, y, c, work):
    dx = int(c[0])
    D = int(c[1])
    loss = 0.0
    for d in range(D):
        f = phi[D * dx + d, b]
        for j in range(dx):
            f += phi[d * dx + j, b] * x[j]
        r = f - y[d]
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


@njit(cache=True)
def gabor_example(phi, b, x, y, c, work, grad):
    """:math:`\\ell = (\\sin z\\, e^{-z^2/32} - y)^2`, :math:`z = \\phi_0 + 0.06\\,\\phi_1 x`."""
    z = phi[0, b] + 0.06 * phi[1, b] * x[0]
    s = math.sin(z)
    e = math.exp(-z * z / 32.0)
    r = s * e - y[0]
    dfdz = e * (math.cos(z) - z * s / 16.0)
    g = 2.0 * r * dfdz
    grad[0, b] += g
    grad[1, b] += g * 0.06 * x[0]
    return r * r


@njit(cache=True)
def gabor_loss(phi, b, x, y, c, work):
    z = phi[0, b] + 0.06 * phi[1, b] * x[0]
    r = math.sin(z) * math.exp(-z * z / 32.0) - y[0]
    return r * r


@njit(cache=True)
def gabor_hessian(p, x, y, c, H):
    z = p[0] + 0.06 * p[1] * x[0]
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
