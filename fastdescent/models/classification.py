"""Classification kernels: logistic regression with binary cross-entropy and a softmax
(multinomial logistic) model with cross-entropy. Losses are summed over examples.

Parameter layout: weights row-major (K x dx) then the K offsets. ``y`` holds the class
(0/1 for binary, 0..K-1 for multiclass) in its first column. ``c = [dx, K]``.

The logistic model is written in the public model contract (:mod:`fastdescent.models.base`): a
``loss_grad(p, x, y, c, g)`` kernel and an exact ``hessian(p, x, y, c, H)``. The softmax model
keeps the block kernels' internal form with a separate loss-only kernel (see
:func:`softmax_example`).
"""
import math

import numpy as np
from numba import njit


@njit(cache=True, inline="always")
def _softplus(z):
    # log(1 + e^z), stable for all z
    return max(z, 0.0) + math.log1p(math.exp(-abs(z)))


@njit(cache=True, inline="always")
def _sigmoid(z):
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


# ---------------------------------------------------------------- binary: p = sigmoid(w.x + w0)


@njit(error_model="numpy", inline="always")
def logistic_loss_grad(p, x, y, c, g):
    """:math:`\\ell = -y\\log p - (1-y)\\log(1-p) = \\mathrm{softplus}(z) - y z`,
    :math:`\\nabla\\ell = (p - y)\\,[x, 1]`."""
    dx = int(c[0])
    z = p[dx]
    for j in range(dx):
        z += p[j] * x[j]
    d = _sigmoid(z) - y[0]
    for j in range(dx):
        g[j] += d * x[j]
    g[dx] += d
    return _softplus(z) - y[0] * z


@njit(cache=True)
def logistic_hessian(p, x, y, c, H):
    dx = int(c[0])
    z = p[dx]
    for j in range(dx):
        z += p[j] * x[j]
    s = _sigmoid(z)
    w = s * (1.0 - s)
    for j in range(dx + 1):
        xj = x[j] if j < dx else 1.0
        for k in range(dx + 1):
            xk = x[k] if k < dx else 1.0
            H[j, k] += w * xj * xk


# ---------------------------------------------------------------- multiclass: softmax(W x + w0)


@njit(cache=True, inline="always")
def _logit(phi, b, X, i, dx, K, k):
    z = phi[K * dx + k, b]
    for j in range(dx):
        z += phi[k * dx + j, b] * X[i, j]
    return z


@njit(cache=True, inline="always")
def _logsumexp(phi, b, X, i, dx, K):
    zmax = -math.inf
    for k in range(K):
        zmax = max(zmax, _logit(phi, b, X, i, dx, K, k))
    s = 0.0
    for k in range(K):
        s += math.exp(_logit(phi, b, X, i, dx, K, k) - zmax)
    return zmax + math.log(s)


@njit(cache=True, inline="always")
def softmax_example(phi, b, X, Y, i, c, work, grad):
    """:math:`\\ell = \\log\\sum_k e^{z_k} - z_y`, :math:`\\partial\\ell/\\partial z_k =
    \\mathrm{softmax}_k - [k = y]`. Logits are recomputed rather than stored (no allocation).

    Internal form, with the loss-only twin :func:`softmax_loss`: in the public ``loss_grad``
    form the loss-only evaluations (line searches, recorded losses) would also compute the K
    exponentials and the gradient they discard, which makes line-search runs measurably
    slower (benchmarks/RESULTS.md, "Built-in models in the public contract").
    """
    dx = int(c[0])
    K = int(c[1])
    cls = int(Y[i, 0])
    lse = _logsumexp(phi, b, X, i, dx, K)
    for k in range(K):
        g = math.exp(_logit(phi, b, X, i, dx, K, k) - lse) - (1.0 if k == cls else 0.0)
        for j in range(dx):
            grad[k * dx + j, b] += g * X[i, j]
        grad[K * dx + k, b] += g
    return lse - _logit(phi, b, X, i, dx, K, cls)


@njit(cache=True, inline="always")
def softmax_loss(phi, b, X, Y, i, c, work):
    dx = int(c[0])
    K = int(c[1])
    return _logsumexp(phi, b, X, i, dx, K) - _logit(phi, b, X, i, dx, K, int(Y[i, 0]))


@njit(cache=True)
def softmax_hessian(p, x, y, c, H):
    dx = int(c[0])
    K = int(c[1])
    pb = p.reshape((p.shape[0], 1))
    xr = x.reshape((1, x.shape[0]))
    lse = _logsumexp(pb, 0, xr, 0, dx, K)
    s = np.empty(K)
    for k in range(K):
        s[k] = math.exp(_logit(pb, 0, xr, 0, dx, K, k) - lse)
    for k in range(K):
        for l in range(K):
            w = (s[k] if k == l else 0.0) - s[k] * s[l]
            for j in range(dx + 1):
                xj = x[j] if j < dx else 1.0
                pj = k * dx + j if j < dx else K * dx + k
                for m in range(dx + 1):
                    xm = x[m] if m < dx else 1.0
                    pm = l * dx + m if m < dx else K * dx + l
                    H[pj, pm] += w * xj * xm
