"""Plain-NumPy references for the fractal-trainability study (Sohl-Dickstein 2024): the
shallow network's loss and gradient by matrix products, and the notebook's training loop and
trainability readout vectorized over a grid of learning rates. Written from the formulas of the
paper's notebook (mean-field network, MSE, per-layer learning rates, the loss-ratio criterion);
nothing here imports the engine or the optimizers.
"""
from __future__ import annotations

import numpy as np


def shallow_loss_grad(model: Model, p) -> tuple[float, np.ndarray]:
    """Loss (sum over examples) and gradient of a :func:`shallow_net` at ``p`` in plain NumPy
    (matrix products, ``np.tanh``): an independent reference for the kernels."""
    s = model.settings
    n, d, m, bias = s["width"], s["inputs"], s["outputs"], s["bias"]
    act = s["activation"]
    s_in, s_out = model.consts[5], model.consts[6]
    p = np.asarray(p, dtype=np.float64)
    X, Y = model.X, model.Y
    with np.errstate(all="ignore"):  # a diverging trajectory's gradient is inf / nan: data
        return _shallow(p, n, d, m, bias, act, s_in, s_out, X, Y)


def _shallow(p, n, d, m, bias, act, s_in, s_out, X, Y):
    i = 0
    W0 = p[i:i + n * d].reshape(n, d)
    i += n * d
    b0 = p[i:i + n] if bias else np.zeros(n)
    i += n if bias else 0
    V = p[i:i + m * n].reshape(m, n)
    i += m * n
    c = p[i:i + m] if bias else np.zeros(m)
    z = s_in * (X @ W0.T + b0)
    fns = {"identity": (lambda z: z, lambda z: np.ones_like(z)),
           "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
           "relu": (lambda z: np.maximum(z, 0), lambda z: (z > 0).astype(float)),
           "sin": (np.sin, np.cos), "cos": (np.cos, lambda z: -np.sin(z)),
           "sigmoid": (lambda z: 1 / (1 + np.exp(-z)),
                       lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2),
           "gauss": (lambda z: np.exp(-z * z), lambda z: -2 * z * np.exp(-z * z))}
    f, df = fns[act]
    h = f(z)
    out = s_out * h @ V.T + c
    e = out - Y
    L = float(np.sum(e * e))
    de = 2 * e
    gV = s_out * de.T @ h
    gc = de.sum(0)
    dz = s_out * (de @ V) * df(z) * s_in
    gW0 = dz.T @ X
    gb0 = dz.sum(0)
    parts = [gW0.ravel()] + ([gb0] if bias else []) + [gV.ravel()] + ([gc] if bias else [])
    return L, np.concatenate(parts)


def notebook_readout(X, Y, W0, V, lr_in, lr_out, steps, nonlinearity="tanh", k=20,
                     max_val=1e6):
    """The notebook's ``train`` + ``convergence_measure`` for the lr-vs-lr phase space, full
    batch, written from its formulas in NumPy and vectorized over the learning-rate pairs.

    ``W0`` is the notebook's ``(d, n)`` input matrix (``X @ W0``), ``V`` its ``(n, 1)``
    output matrix; ``lr_in``, ``lr_out``: ``(M,)`` rates of the two layers. Network (mean
    field): :math:`Z_1 = X W_0/\\sqrt d`, :math:`h = \\tanh(\\sqrt2 Z_1)` (ReLU:
    :math:`\\sqrt2\\max(Z_1, 0)`, identity: :math:`Z_1`), :math:`f = h V/\\sqrt n/\\sqrt n`,
    loss ``mean((f - Y)^2)``; plain gradient descent with the loss recorded before each
    update. Returns ``(measure, ratio)``: the notebook's signed readout (negative:
    trainable) and the ratio mean(last ``k`` normalized losses) with its clamps.
    """
    d, n = W0.shape
    N = X.shape[0]
    M = lr_in.shape[0]
    A = np.repeat(W0[None], M, axis=0)  # (M, d, n)
    B = np.repeat(V[None], M, axis=0)  # (M, n, 1)
    losses = np.empty((M, steps))
    a_in = lr_in[:, None, None]
    a_out = lr_out[:, None, None]
    with np.errstate(all="ignore"):
        for t in range(steps):
            Z1 = np.einsum("nd,mdh->mnh", X, A) / np.sqrt(d)
            if nonlinearity == "tanh":
                h = np.tanh(np.sqrt(2.0) * Z1)
                dh = np.sqrt(2.0) * (1.0 - h * h)
            elif nonlinearity == "relu":
                h = np.maximum(Z1, 0.0) * np.sqrt(2.0)
                dh = np.where(Z1 > 0, np.sqrt(2.0), 0.0)
            else:
                h = Z1
                dh = np.ones_like(Z1)
            f = np.einsum("mnh,mho->mno", h, B) / n
            e = f - Y[None]
            losses[:, t] = np.mean(e[..., 0] ** 2, axis=1)
            df = 2.0 * e / N  # d mean / d f
            gB = np.einsum("mnh,mno->mho", h, df) / n
            dZ1 = np.einsum("mno,mho->mnh", df, B) / n * dh
            gA = np.einsum("nd,mnh->mdh", X, dZ1) / np.sqrt(d)
            A = A - a_in * gA
            B = B - a_out * gB
        v = np.where(np.isfinite(losses), losses, max_val)
        v = v / v[:, :1]
        v = np.where(v > max_val, max_val, v)
        ratio = np.mean(v[:, -k:], axis=1)
        measure = np.where(ratio < 1, -np.sum(v, axis=1), np.sum(1 / v, axis=1))
    return measure, ratio
