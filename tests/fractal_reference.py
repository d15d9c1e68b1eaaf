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
    (matrix products, ``np.tanh``): an independent reference for the kernels.

    """
    s = model.settings
    n, d, m, bias = s["width"], s["inputs"], s["outputs"], s["bias"]
    act = s["activation"]
    s_in, s_out = model.consts[5], model.consts[6]
    p = np.asarray(p, dtype=np.float64)
    i = 0
    W0 = p[i:i + n * d].reshape(n, d)
    i += n * d
    b0 = p[i:i + n] if bias else np.zeros(n)
    i += n if bias else 0
    V = p[i:i + m * n].reshape(m, n)
    i += m * n
    c = p[i:i + m] if bias else np.zeros(m)
    X, Y = model.X, model.Y
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
