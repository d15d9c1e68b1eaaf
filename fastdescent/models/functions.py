"""Analytic test functions and the lecture's demo losses (no data: one empty example).

Each function is written in the public model contract (:mod:`fastdescent.models.base`): one
``loss_grad(p, x, y, c, g)`` kernel that returns the loss at the ``(P,)`` point ``p`` and adds
its gradient into ``g``, and an exact Hessian kernel ``hessian(p, x, y, c, H)``.
"""
import math

from numba import njit

TWO_PI = 2.0 * math.pi

# ---------------------------------------------------------------- quadratic 0.5 p^T A p
# c = [P, A row-major]


@njit(error_model="numpy", inline="always")
def quadratic_loss_grad(p, x, y, c, g):
    """:math:`L = \\tfrac12 \\phi^T A \\phi`, :math:`\\nabla L = A\\phi` (A symmetric)."""
    P = int(c[0])
    loss = 0.0
    for i in range(P):
        s = 0.0
        for j in range(P):
            s += c[1 + i * P + j] * p[j]
        g[i] += s
        loss += 0.5 * p[i] * s
    return loss


@njit(cache=True)
def quadratic_hessian(p, x, y, c, H):
    P = int(c[0])
    for i in range(P):
        for j in range(P):
            H[i, j] += c[1 + i * P + j]


# ---------------------------------------------------------------- Rosenbrock, c = [a, b]


@njit(error_model="numpy")
def rosenbrock_loss_grad(p, x, y, c, g):
    """:math:`L = (a - \\phi_0)^2 + b(\\phi_1 - \\phi_0^2)^2`."""
    p0 = p[0]
    p1 = p[1]
    u = c[0] - p0
    v = p1 - p0 * p0
    g[0] += -2.0 * u - 4.0 * c[1] * p0 * v
    g[1] += 2.0 * c[1] * v
    return u * u + c[1] * v * v


@njit(cache=True)
def rosenbrock_hessian(p, x, y, c, H):
    H[0, 0] += 2.0 - 4.0 * c[1] * p[1] + 12.0 * c[1] * p[0] * p[0]
    H[0, 1] += -4.0 * c[1] * p[0]
    H[1, 0] += -4.0 * c[1] * p[0]
    H[1, 1] += 2.0 * c[1]


# ---------------------------------------------------------------- Himmelblau


@njit(error_model="numpy")
def himmelblau_loss_grad(p, x, y, c, g):
    """:math:`L = (\\phi_0^2 + \\phi_1 - 11)^2 + (\\phi_0 + \\phi_1^2 - 7)^2`."""
    p0 = p[0]
    p1 = p[1]
    u = p0 * p0 + p1 - 11.0
    v = p0 + p1 * p1 - 7.0
    g[0] += 4.0 * p0 * u + 2.0 * v
    g[1] += 2.0 * u + 4.0 * p1 * v
    return u * u + v * v


@njit(cache=True)
def himmelblau_hessian(p, x, y, c, H):
    u = p[0] * p[0] + p[1] - 11.0
    v = p[0] + p[1] * p[1] - 7.0
    H[0, 0] += 4.0 * u + 8.0 * p[0] * p[0] + 2.0
    H[0, 1] += 4.0 * (p[0] + p[1])
    H[1, 0] += 4.0 * (p[0] + p[1])
    H[1, 1] += 2.0 + 4.0 * v + 8.0 * p[1] * p[1]


# ---------------------------------------------------------------- Rastrigin (any dim), c = [A, P]


@njit(error_model="numpy", inline="always")
def rastrigin_loss_grad(p, x, y, c, g):
    """:math:`L = A P + \\sum_i (\\phi_i^2 - A\\cos 2\\pi\\phi_i)`."""
    A = c[0]
    P = int(c[1])
    loss = A * P
    for i in range(P):
        pi = p[i]
        loss += pi * pi - A * math.cos(TWO_PI * pi)
        g[i] += 2.0 * pi + TWO_PI * A * math.sin(TWO_PI * pi)
    return loss


@njit(cache=True)
def rastrigin_hessian(p, x, y, c, H):
    A = c[0]
    for i in range(int(c[1])):
        H[i, i] += 2.0 + TWO_PI * TWO_PI * A * math.cos(TWO_PI * p[i])


# ---------------------------------------------------------------- Beale


@njit(error_model="numpy")
def beale_loss_grad(p, x, y, c, g):
    """:math:`L = (1.5 - \\phi_0 + \\phi_0\\phi_1)^2 + (2.25 - \\phi_0 + \\phi_0\\phi_1^2)^2
    + (2.625 - \\phi_0 + \\phi_0\\phi_1^3)^2`."""
    p0 = p[0]
    p1 = p[1]
    u1 = 1.5 - p0 + p0 * p1
    u2 = 2.25 - p0 + p0 * p1 * p1
    u3 = 2.625 - p0 + p0 * p1 * p1 * p1
    g[0] += 2.0 * (u1 * (p1 - 1.0) + u2 * (p1 * p1 - 1.0) + u3 * (p1 * p1 * p1 - 1.0))
    g[1] += 2.0 * (u1 * p0 + u2 * 2.0 * p0 * p1 + u3 * 3.0 * p0 * p1 * p1)
    return u1 * u1 + u2 * u2 + u3 * u3


@njit(cache=True)
def beale_hessian(p, x, y, c, H):
    p0 = p[0]
    p1 = p[1]
    u = (1.5 - p0 + p0 * p1, 2.25 - p0 + p0 * p1 * p1, 2.625 - p0 + p0 * p1 ** 3)
    gx = (p1 - 1.0, p1 * p1 - 1.0, p1 ** 3 - 1.0)
    gy = (p0, 2.0 * p0 * p1, 3.0 * p0 * p1 * p1)
    hxy = (1.0, 2.0 * p1, 3.0 * p1 * p1)
    hyy = (0.0, 2.0 * p0, 6.0 * p0 * p1)
    for i in range(3):
        H[0, 0] += 2.0 * gx[i] * gx[i]
        H[0, 1] += 2.0 * (gx[i] * gy[i] + u[i] * hxy[i])
        H[1, 0] += 2.0 * (gx[i] * gy[i] + u[i] * hxy[i])
        H[1, 1] += 2.0 * (gy[i] * gy[i] + u[i] * hyy[i])


# ---------------------------------------------------------------- saddle x^2 - y^2


@njit(error_model="numpy")
def saddle_loss_grad(p, x, y, c, g):
    """:math:`L = \\phi_0^2 - \\phi_1^2` (unbounded below: a pure saddle)."""
    g[0] += 2.0 * p[0]
    g[1] += -2.0 * p[1]
    return p[0] * p[0] - p[1] * p[1]


@njit(cache=True)
def saddle_hessian(p, x, y, c, H):
    H[0, 0] += 2.0
    H[1, 1] += -2.0


# ---------------------------------------------------------------- Adam demo (lecture, fig. 6.9)


@njit(error_model="numpy", inline="always")
def adam_demo_loss_grad(p, x, y, c, g):
    """:math:`L = 1 - e^{-2\\phi_1^2}\\, e^{-(\\phi_0 - 0.7)^2/8}`."""
    d = p[0] - 0.7
    p1 = p[1]
    E = math.exp(-2.0 * p1 * p1 - d * d / 8.0)
    g[0] += E * d / 4.0
    g[1] += E * 4.0 * p1
    return 1.0 - E


@njit(cache=True)
def adam_demo_hessian(p, x, y, c, H):
    d = p[0] - 0.7
    E = math.exp(-2.0 * p[1] * p[1] - d * d / 8.0)
    H[0, 0] += -E * (d * d / 16.0 - 0.25)
    H[0, 1] += -E * d * p[1]
    H[1, 0] += -E * d * p[1]
    H[1, 1] += -E * (16.0 * p[1] * p[1] - 4.0)


# ---------------------------------------------------------------- 1-D bumps (line-search and convexity demos)
# L = c0 + q (p - p0)^2 - sum_k a_k exp(-(p - m_k)^2 / s_k);  c = [q, p0, c0, K, a.., m.., s..]


@njit(error_model="numpy", inline="always")
def bumps_loss_grad(p, x, y, c, g):
    """:math:`L = c_0 + q(\\phi - p_0)^2 - \\sum_k a_k e^{-(\\phi - m_k)^2 / s_k}`."""
    p0 = p[0]
    K = int(c[3])
    d = p0 - c[1]
    loss = c[2] + c[0] * d * d
    dL = 2.0 * c[0] * d
    for k in range(K):
        a = c[4 + k]
        u = p0 - c[4 + K + k]
        s = c[4 + 2 * K + k]
        E = math.exp(-u * u / s)
        loss -= a * E
        dL += a * E * 2.0 * u / s
    g[0] += dL
    return loss


@njit(cache=True)
def bumps_hessian(p, x, y, c, H):
    K = int(c[3])
    h = 2.0 * c[0]
    for k in range(K):
        a = c[4 + k]
        u = p[0] - c[4 + K + k]
        s = c[4 + 2 * K + k]
        h += a * math.exp(-u * u / s) * (2.0 / s - 4.0 * u * u / (s * s))
    H[0, 0] += h


# ---------------------------------------------------------------- cosine-perturbed quadratic, c = [delta, lam]


@njit(error_model="numpy", inline="always")
def cosine_quadratic_loss_grad(p, x, y, c, g):
    """:math:`L = \\phi^2 + \\delta\\cos(2\\pi\\phi/\\lambda)` (fractal learning-rate boundaries)."""
    p0 = p[0]
    w = TWO_PI / c[1]
    g[0] += 2.0 * p0 - c[0] * w * math.sin(w * p0)
    return p0 * p0 + c[0] * math.cos(w * p0)


@njit(cache=True)
def cosine_quadratic_hessian(p, x, y, c, H):
    w = TWO_PI / c[1]
    H[0, 0] += 2.0 - c[0] * w * w * math.cos(w * p[0])
