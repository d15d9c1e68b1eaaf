"""A two-layer fully-connected network with one hidden tanh layer and squared loss.

:math:`h = \\tanh(W_1 x + b_1)`, :math:`f = W_2 h + b_2`, :math:`\\ell = \\lVert f - y\\rVert^2`.
Parameters, in order: ``W1`` (H x din, row-major), ``b1`` (H), ``W2`` (dout x H), ``b2`` (dout).
``c = [din, H, dout]``.

:func:`net_loss_grad` is the model, in the public contract with its scratch argument
``loss_grad(p, x, y, c, g, w)``: ``w`` holds the hidden activations and the residuals
(H + dout rows), so no memory is allocated per example. :func:`net_example_scaled` is the same
network in the block kernels' internal form with the first layer's pre-activation scaled, for
studies that reparameterize the first layer.
"""
import math

import numpy as np
from numba import njit


@njit(cache=True, inline="always")
def _forward(phi, b, X, i, c, work, s):
    din = int(c[0])
    H = int(c[1])
    for j in range(H):
        a = phi[H * din + j, b]
        for k in range(din):
            a += phi[j * din + k, b] * X[i, k]
        work[j, b] = math.tanh(s * a)


@njit(cache=True, error_model="numpy")
def net_loss_grad(p, x, y, c, g, w):
    """:math:`\\ell = \\lVert W_2 h + b_2 - y\\rVert^2`, :math:`h = \\tanh(W_1 x + b_1)`, and its
    gradient by backpropagation: with :math:`r = f - y`,
    :math:`\\partial\\ell/\\partial W_2 = 2 r h^T`,
    :math:`\\partial\\ell/\\partial b_1 = (2 W_2^T r) \\odot (1 - h^2)`,
    :math:`\\partial\\ell/\\partial W_1 = \\partial\\ell/\\partial b_1\\, x^T`.

    Examples
    --------
    One input, one hidden unit, one output (``c = [1, 1, 1]``): :math:`f = 2 \\tanh(0.5) + 0.1`.

    >>> import math
    >>> import numpy as np
    >>> g, w = np.zeros(4), np.zeros(2)
    >>> loss = net_loss_grad(np.array([0.5, 0.0, 2.0, 0.1]), np.array([1.0]), np.array([1.0]),
    ...                      np.array([1.0, 1.0, 1.0]), g, w)
    >>> bool(np.isclose(loss, (2 * math.tanh(0.5) + 0.1 - 1.0) ** 2))
    True
    >>> bool(np.isclose(w[0], math.tanh(0.5)))  # the scratch holds the hidden activation
    True
    """
    din = int(c[0])
    H = int(c[1])
    dout = int(c[2])
    o_W2 = H * din + H
    o_b2 = o_W2 + dout * H
    for j in range(H):
        a = p[H * din + j]
        for k in range(din):
            a += p[j * din + k] * x[k]
        w[j] = math.tanh(a)
    loss = 0.0
    for o in range(dout):
        f = p[o_b2 + o]
        for j in range(H):
            f += p[o_W2 + o * H + j] * w[j]
        r = f - y[o]
        w[H + o] = r
        loss += r * r
        g[o_b2 + o] += 2.0 * r
        for j in range(H):
            g[o_W2 + o * H + j] += 2.0 * r * w[j]
    for j in range(H):
        dh = 0.0
        for o in range(dout):
            dh += 2.0 * w[H + o] * p[o_W2 + o * H + j]
        h = w[j]
        da = dh * (1.0 - h * h)
        g[H * din + j] += da
        for k in range(din):
            g[j * din + k] += da * x[k]
    return loss


@njit(cache=True, inline="always")
def net_example(phi, b, X, Y, i, c, work, grad):
    """:func:`net_example_scaled` at ``s = 1``: the model's internal block form (the default
    binding of :mod:`fastdescent.models._template`)."""
    return net_example_scaled(phi, b, X, Y, i, c, work, grad, 1.0)


@njit(cache=True, inline="always")
def net_loss(phi, b, X, Y, i, c, work):
    """Loss only of :func:`net_example`."""
    return net_loss_scaled(phi, b, X, Y, i, c, work, 1.0)


@njit(cache=True, inline="always")
def net_example_scaled(phi, b, X, Y, i, c, work, grad, s):
    """:func:`net_loss_grad` in the internal block form with the first layer's pre-activation
    scaled by ``s``: :math:`h = \\tanh(s(W_1 x + b_1))` (``s = 1``: the same network, bit for
    bit). Used to give the first layer its own learning rate by reparameterization."""
    din = int(c[0])
    H = int(c[1])
    dout = int(c[2])
    o_W2 = H * din + H
    o_b2 = o_W2 + dout * H
    _forward(phi, b, X, i, c, work, s)
    loss = 0.0
    for o in range(dout):
        f = phi[o_b2 + o, b]
        for j in range(H):
            f += phi[o_W2 + o * H + j, b] * work[j, b]
        r = f - Y[i, o]
        work[H + o, b] = r
        loss += r * r
        grad[o_b2 + o, b] += 2.0 * r
        for j in range(H):
            grad[o_W2 + o * H + j, b] += 2.0 * r * work[j, b]
    for j in range(H):
        dh = 0.0
        for o in range(dout):
            dh += 2.0 * work[H + o, b] * phi[o_W2 + o * H + j, b]
        h = work[j, b]
        da = dh * (1.0 - h * h) * s
        grad[H * din + j, b] += da
        for k in range(din):
            grad[j * din + k, b] += da * X[i, k]
    return loss


@njit(cache=True, inline="always")
def net_loss_scaled(phi, b, X, Y, i, c, work, s):
    """Loss only, first layer scaled by ``s`` (see :func:`net_example_scaled`)."""
    din = int(c[0])
    H = int(c[1])
    dout = int(c[2])
    o_W2 = H * din + H
    o_b2 = o_W2 + dout * H
    _forward(phi, b, X, i, c, work, s)
    loss = 0.0
    for o in range(dout):
        f = phi[o_b2 + o, b]
        for j in range(H):
            f += phi[o_W2 + o * H + j, b] * work[j, b]
        r = f - Y[i, o]
        loss += r * r
    return loss


@njit(cache=True)
def net_hessian(p, x, y, c, Hm):
    """Exact Hessian: :math:`2 J^T J + 2\\sum_o r_o \\nabla^2 r_o` with J the residual Jacobian."""
    din = int(c[0])
    H = int(c[1])
    dout = int(c[2])
    P = p.shape[0]
    o_W2 = H * din + H
    o_b2 = o_W2 + dout * H
    h = np.empty(H)
    for j in range(H):
        a = p[H * din + j]
        for k in range(din):
            a += p[j * din + k] * x[k]
        h[j] = math.tanh(a)
    J = np.zeros((dout, P))
    r = np.empty(dout)
    for o in range(dout):
        f = p[o_b2 + o]
        for j in range(H):
            f += p[o_W2 + o * H + j] * h[j]
        r[o] = f - y[o]
        J[o, o_b2 + o] = 1.0
        for j in range(H):
            J[o, o_W2 + o * H + j] = h[j]
            g = p[o_W2 + o * H + j] * (1.0 - h[j] * h[j])
            J[o, H * din + j] = g
            for k in range(din):
                J[o, j * din + k] = g * x[k]
    for i in range(P):
        for m in range(P):
            s = 0.0
            for o in range(dout):
                s += J[o, i] * J[o, m]
            Hm[i, m] += 2.0 * s
    for o in range(dout):
        for j in range(H):
            d1 = 1.0 - h[j] * h[j]
            d2 = -2.0 * h[j] * d1
            w2 = o_W2 + o * H + j
            for k in range(din + 1):
                xk = x[k] if k < din else 1.0
                ik = j * din + k if k < din else H * din + j
                v = 2.0 * r[o] * d1 * xk
                Hm[w2, ik] += v
                Hm[ik, w2] += v
                for m in range(din + 1):
                    xm = x[m] if m < din else 1.0
                    im = j * din + m if m < din else H * din + j
                    Hm[ik, im] += 2.0 * r[o] * p[w2] * d2 * xk * xm
