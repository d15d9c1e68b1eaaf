"""Slow, obviously-correct NumPy reference implementations of the model losses.

Written from the formulas (the lecture README for the lecture's models, the factories'
docstrings for the others), **not** from the njit kernels: no shared helpers, vectorised over
the examples, one parameter vector ``phi`` (P,) at a time. Data are 1-D ``(N,)`` or 2-D
``(N, d)`` arrays as given to the factories.
"""
from __future__ import annotations

import numpy as np

# ----------------------------------------------------------------------------- lecture models


def linreg_loss(phi, x, y):
    """Lecture: f(x) = phi0 + phi1 x, L = sum of squared residuals."""
    x = np.ravel(x)
    y = np.ravel(y)
    return float(np.sum((phi[0] + phi[1] * x - y) ** 2))


def linreg_grad(phi, x, y):
    """dL/dphi0 = sum 2 r, dL/dphi1 = sum 2 r x (r = f(x) - y)."""
    x = np.ravel(x)
    y = np.ravel(y)
    r = phi[0] + phi[1] * x - y
    return np.array([np.sum(2 * r), np.sum(2 * r * x)])


def linreg_lstsq(x, y):
    """The closed-form least-squares optimum (intercept, slope)."""
    x = np.ravel(x)
    A = np.column_stack([np.ones_like(x), x])
    return np.linalg.lstsq(A, np.ravel(y), rcond=None)[0]


def gabor_f(phi, x):
    """Lecture: z = phi0 + 0.06 phi1 x, f = sin(z) exp(-z^2 / 32)."""
    z = phi[0] + 0.06 * phi[1] * np.ravel(x)
    return np.sin(z) * np.exp(-z ** 2 / 32)


def gabor_loss(phi, x, y):
    return float(np.sum((gabor_f(phi, x) - np.ravel(y)) ** 2))


def gabor_grad(phi, x, y):
    """Chain rule: df/dz = exp(-z^2/32) (cos z - z sin z / 16); dz/dphi = (1, 0.06 x)."""
    x = np.ravel(x)
    z = phi[0] + 0.06 * phi[1] * x
    r = np.sin(z) * np.exp(-z ** 2 / 32) - np.ravel(y)
    dfdz = np.exp(-z ** 2 / 32) * np.cos(z) + np.sin(z) * np.exp(-z ** 2 / 32) * (-2 * z / 32)
    return np.array([np.sum(2 * r * dfdz), np.sum(2 * r * dfdz * 0.06 * x)])


def polynomial_loss(phi, x, y):
    """f(x) = sum_k phi_k x^k (numpy's polyval wants the highest power first)."""
    f = np.polyval(np.asarray(phi)[::-1], np.ravel(x))
    return float(np.sum((f - np.ravel(y)) ** 2))


def line_search_demo(phi):
    """README: L = 1 - 0.5 exp(-(phi-0.65)^2/0.1) - 0.45 exp(-(phi-0.35)^2/0.02)."""
    p = phi[0]
    return float(1 - 0.5 * np.exp(-(p - 0.65) ** 2 / 0.1) - 0.45 * np.exp(-(p - 0.35) ** 2 / 0.02))


def adam_demo(phi):
    """README: L = 1 - exp(-2 phi1^2) exp(-(phi0 - 0.7)^2 / 8)."""
    return float(1 - np.exp(-2 * phi[1] ** 2) * np.exp(-(phi[0] - 0.7) ** 2 / 8))


def convex_1d(phi):
    return float(0.4 + 2 * (phi[0] - 0.45) ** 2)


def bumps(phi, q, center, offset, amplitudes, means, widths):
    """L = offset + q (phi - center)^2 - sum_k a_k exp(-(phi - m_k)^2 / s_k)."""
    p = phi[0]
    a, m, s = (np.asarray(v, float) for v in (amplitudes, means, widths))
    return float(offset + q * (p - center) ** 2 - np.sum(a * np.exp(-(p - m) ** 2 / s)))


# ----------------------------------------------------------------------------- problems


def multivariate_linear_loss(phi, X, Y):
    """f(x) = W x + w0, W (D, dx) row-major in phi, then the D offsets."""
    X = np.atleast_2d(np.asarray(X, float).T).T
    Y = np.atleast_2d(np.asarray(Y, float).T).T
    dx, D = X.shape[1], Y.shape[1]
    W = np.reshape(phi[:D * dx], (D, dx))
    w0 = np.asarray(phi[D * dx:])
    return float(np.sum((X @ W.T + w0 - Y) ** 2))


def logistic_loss(phi, X, y):
    """Binary cross-entropy -y log p - (1-y) log(1-p), p = sigmoid(w.x + w0).

    log p = -log(1 + e^-z) and log(1-p) = -log(1 + e^z) (np.logaddexp keeps them exact for
    large |z|; the textbook 1 - p would cancel)."""
    X = np.atleast_2d(np.asarray(X, float).T).T
    y = np.ravel(y)
    dx = X.shape[1]
    z = X @ np.asarray(phi[:dx]) + phi[dx]
    log_p = -np.logaddexp(0.0, -z)
    log_1mp = -np.logaddexp(0.0, z)
    return float(np.sum(-y * log_p - (1 - y) * log_1mp))


def softmax_loss(phi, X, y, n_classes):
    """Cross-entropy -log softmax(W x + w0)[y], W (K, dx) row-major then the K offsets."""
    X = np.atleast_2d(np.asarray(X, float).T).T
    y = np.ravel(y).astype(int)
    dx, K = X.shape[1], int(n_classes)
    W = np.reshape(phi[:K * dx], (K, dx))
    z = X @ W.T + np.asarray(phi[K * dx:])
    zmax = z.max(axis=1, keepdims=True)
    log_soft = z - zmax - np.log(np.sum(np.exp(z - zmax), axis=1, keepdims=True))
    return float(-np.sum(log_soft[np.arange(len(y)), y]))


def two_layer_net_loss(phi, X, Y, width):
    """f(x) = W2 tanh(W1 x + b1) + b2, squared loss; phi = [W1 (H, din), b1, W2 (dout, H), b2]."""
    X = np.atleast_2d(np.asarray(X, float).T).T
    Y = np.atleast_2d(np.asarray(Y, float).T).T
    din, dout, H = X.shape[1], Y.shape[1], int(width)
    phi = np.asarray(phi)
    i = 0
    W1 = phi[i:i + H * din].reshape(H, din)
    i += H * din
    b1 = phi[i:i + H]
    i += H
    W2 = phi[i:i + dout * H].reshape(dout, H)
    i += dout * H
    b2 = phi[i:i + dout]
    assert i + dout == phi.size
    hidden = np.tanh(X @ W1.T + b1)
    return float(np.sum((hidden @ W2.T + b2 - Y) ** 2))


# ----------------------------------------------------------------------------- test functions


def quadratic(phi, eigenvalues, rotation):
    """0.5 phi^T Q diag(lam) Q^T phi = 0.5 sum_i lam_i (Q^T phi)_i^2."""
    u = np.asarray(rotation).T @ np.asarray(phi)
    return float(0.5 * np.sum(np.asarray(eigenvalues) * u ** 2))


def rosenbrock(phi, a=1.0, b=100.0):
    return float((a - phi[0]) ** 2 + b * (phi[1] - phi[0] ** 2) ** 2)


def himmelblau(phi):
    return float((phi[0] ** 2 + phi[1] - 11) ** 2 + (phi[0] + phi[1] ** 2 - 7) ** 2)


def rastrigin(phi, A=10.0):
    phi = np.asarray(phi)
    return float(A * phi.size + np.sum(phi ** 2 - A * np.cos(2 * np.pi * phi)))


def beale(phi):
    x, y = phi
    return float((1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2
                 + (2.625 - x + x * y ** 3) ** 2)


def saddle(phi):
    return float(phi[0] ** 2 - phi[1] ** 2)


def cosine_quadratic(phi, delta=0.1, lam=0.5):
    return float(phi[0] ** 2 + delta * np.cos(2 * np.pi * phi[0] / lam))


def exp_regression_loss(phi, x, y):
    """The user model of tests/user_model_kernels.py: f(x) = phi0 exp(phi1 x)."""
    return float(np.sum((phi[0] * np.exp(phi[1] * np.ravel(x)) - np.ravel(y)) ** 2))
