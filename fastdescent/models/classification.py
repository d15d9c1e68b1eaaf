"""Classification kernels: logistic regression with binary cross-entropy and a softmax
(multinomial logistic) model with cross-entropy. Losses are summed over examples.

Parameter layout: weights row-major (K x dx) then the K offsets. ``y`` holds the class
(0/1 for binary, 0..K-1 for multiclass) in its first column. ``c = [dx, K]``.

Both are written in the public model contract (:mod:`fastdescent.models.base`): a
``loss_grad(p, x, y, c, g)`` kernel (the softmax model's with a scratch ``w`` for its logits)
and an exact ``hessian(p, x, y, c, H)``.
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


@njit(cache=True, error_model="numpy")
def softmax_loss_grad(p, x, y, c, g, w):
    """:math:`\\ell = \\log\\sum_k e^{z_k} - z_y`, :math:`z = W x + w_0`,
    :math:`\\partial\\ell/\\partial z_k = \\mathrm{softmax}_k - [k = y]` (``c = [dx, K]``).

    The scratch ``w`` holds the K logits; the log-sum-exp is taken after subtracting the
    largest logit, so it does not overflow.
    

    Examples
    --------
    Two classes, one input :math:`x = 2`: logits :math:`z = (2, -2)`, class 0, so
    :math:`\\ell = \\log(1 + e^{-4})`.

    >>> import math
    >>> import numpy as np
    >>> g, w = np.zeros(4), np.zeros(2)
    >>> loss = softmax_loss_grad(np.array([1.0, -1.0, 0.0, 0.0]), np.array([2.0]),
    ...                          np.array([0.0]), np.array([1.0, 2.0]), g, w)
    >>> bool(np.isclose(loss, math.log1p(math.exp(-4.0)))), w.tolist()
    (True, [2.0, -2.0])
    """
    dx = int(c[0])
    K = int(c[1])
    cls = int(y[0])
    zmax = -math.inf
    for k in range(K):
        z = p[K * dx + k]
        for j in range(dx):
            z += p[k * dx + j] * x[j]
        w[k] = z
        zmax = max(zmax, z)
    s = 0.0
    for k in range(K):
        s += math.exp(w[k] - zmax)
    lse = zmax + math.log(s)
    for k in range(K):
        gk = math.exp(w[k] - lse) - (1.0 if k == cls else 0.0)
        for j in range(dx):
            g[k * dx + j] += gk * x[j]
        g[K * dx + k] += gk
    return lse - w[cls]


@njit(cache=True)
def _logits(p, x, dx, K, z):
    for k in range(K):
        zk = p[K * dx + k]
        for j in range(dx):
            zk += p[k * dx + j] * x[j]
        z[k] = zk


@njit(cache=True)
def softmax_hessian(p, x, y, c, H):
    dx = int(c[0])
    K = int(c[1])
    z = np.empty(K)
    _logits(p, x, dx, K, z)
    zmax = -math.inf
    for k in range(K):
        zmax = max(zmax, z[k])
    t = 0.0
    for k in range(K):
        t += math.exp(z[k] - zmax)
    lse = zmax + math.log(t)
    s = np.empty(K)
    for k in range(K):
        s[k] = math.exp(z[k] - lse)
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
