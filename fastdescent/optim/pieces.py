"""Pieces shared by the update rules, each written once and composed into rule kernels.

All work on ``(P, B)`` blocks (one column per trajectory) and read their hyperparameters from
the given rows of the rule's ``hyper`` (H, B) block, so a rule composes them by passing its
own row numbers. They are plain njit functions: the engine compiles a rule's step kernel
together with everything it calls (``fastdescent.engine.compiled.rule_kernels``), under a
name that hashes these sources, so editing a piece never reuses a stale compiled rule.
"""
import numpy as np
from numba import njit, types
from numba.core.extending import overload

from ..contract import like


def int_power(x, n):
    """:math:`x^n` for a float ``x`` and an integer ``n``, in ``x``'s precision: ``x ** n``
    for a float64 (Numba's float-to-integer power), ``powf(x, float32(n))`` for a float32
    (no detour through float64).

    Examples
    --------
    >>> int_power(0.5, 3)
    0.125
    """
    return x ** n


@overload(int_power, inline="always")
def _int_power(x, n):
    if x == types.float32:
        return lambda x, n: x ** np.float32(n)
    if isinstance(x, types.Float):
        return lambda x, n: x ** n
    return None


@njit(error_model="numpy")
def torch_lerp(a, b, w):
    """PyTorch's CPU ``lerp(a, b, w)``, bit for bit: :math:`a + w(b-a)` when
    :math:`|w| < 0.5`, else :math:`b - (b-a)(1-w)`."""
    if abs(w) < like(0.5, w):
        return a + w * (b - a)
    return b - (b - a) * (like(1.0, w) - w)


@njit(error_model="numpy")
def bias_correction(beta, t):
    """Adam's bias correction of an exponential average started at zero after step ``t``
    (from 0): :math:`1 - \\beta^{t+1}`."""
    return like(1.0, beta) - int_power(beta, t + 1)


@njit(error_model="numpy")
def l2_decay(phi, g, hyper, wd_row):
    """L2 weight decay (coupled, PyTorch's ``weight_decay`` of SGD, Adam, RMSprop, Adagrad):
    :math:`g \\leftarrow g + \\lambda\\phi` in lanes with :math:`\\lambda \\ne 0`
    (:math:`\\lambda` = ``hyper[wd_row]``)."""
    P, B = phi.shape
    for b in range(B):
        wd = hyper[wd_row, b]
        if wd != 0.0:
            for k in range(P):
                g[k, b] = g[k, b] + wd * phi[k, b]


@njit(error_model="numpy")
def decoupled_decay(phi, hyper, lr_row, wd_row, scale):
    """Decoupled weight decay (Loshchilov & Hutter; AdamW, Lion):
    :math:`\\phi \\leftarrow \\phi(1 - \\alpha\\lambda)` with the scheduled learning rate
    :math:`\\alpha` = ``hyper[lr_row] * scale`` and :math:`\\lambda` = ``hyper[wd_row]``,
    applied before the rule's own step."""
    P, B = phi.shape
    for b in range(B):
        lr = hyper[lr_row, b] * scale
        wd = hyper[wd_row, b]
        for k in range(P):
            phi[k, b] *= like(1.0, lr) - lr * wd


@njit(error_model="numpy")
def momentum_lookahead(phi, state, hyper, scale, out):
    """Nesterov's look-ahead point (lecture form) :math:`\\phi - \\alpha\\beta m`, where the
    gradient of the step is taken (:math:`\\alpha` = ``hyper[0] * scale``,
    :math:`\\beta` = ``hyper[1]``, :math:`m` = ``state[0]``)."""
    P, B = phi.shape
    for k in range(P):
        for b in range(B):
            out[k, b] = phi[k, b] - hyper[0, b] * scale * hyper[1, b] * state[0, k, b]


@njit(error_model="numpy")
def sign(u):
    """:math:`\\operatorname{sign}(u)` as a float: 1, -1, or 0 at 0 (and at NaN)."""
    if u > 0.0:
        return like(1.0, u)
    if u < 0.0:
        return like(-1.0, u)
    return like(0.0, u)


