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
    :math:`|w| < 0.5`, else :math:`b - (b-a)(1-w)`.

    Parameters
    ----------
    a, b, w : float

    Returns
    -------
    float

    Examples
    --------
    >>> from fastdescent.optim.pieces import torch_lerp
    >>> torch_lerp(1.0, 3.0, 0.25), torch_lerp(1.0, 3.0, 0.75)
    (1.5, 2.5)
    """
    if abs(w) < like(0.5, w):
        return a + w * (b - a)
    return b - (b - a) * (like(1.0, w) - w)


@njit(error_model="numpy")
def bias_correction(beta, t):
    """Adam's bias correction of an exponential average started at zero after step ``t``
    (from 0): :math:`1 - \\beta^{t+1}`.

    Parameters
    ----------
    beta : float
        The average's decay.
    t : int
        The step, from 0.

    Returns
    -------
    float

    Examples
    --------
    >>> from fastdescent.optim.pieces import bias_correction
    >>> bias_correction(0.9, 0), round(bias_correction(0.9, 1), 12)
    (0.09999999999999998, 0.19)
    """
    return like(1.0, beta) - int_power(beta, t + 1)


@njit(error_model="numpy")
def l2_decay(phi, g, hyper, wd_row):
    """L2 weight decay (coupled, PyTorch's ``weight_decay`` of SGD, Adam, RMSprop, Adagrad):
    :math:`g \\leftarrow g + \\lambda\\phi` in lanes with :math:`\\lambda \\ne 0`
    (:math:`\\lambda` = ``hyper[wd_row]``).

    Parameters
    ----------
    phi, g : ndarray, shape (P, B)
        Parameters and gradient (``g`` is updated in place).
    hyper : ndarray, shape (H, B)
    wd_row : int
        The row of :math:`\\lambda`.

    Examples
    --------
    >>> import numpy as np
    >>> from fastdescent.optim.pieces import l2_decay
    >>> phi, g = np.array([[1.0, 1.0]]), np.array([[0.5, 0.5]])
    >>> l2_decay(phi, g, np.array([[0.0, 0.1]]), 0)      # lane 0 without decay, lane 1 with 0.1
    >>> g
    array([[0.5, 0.6]])
    """
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
    applied before the rule's own step.

    Parameters
    ----------
    phi : ndarray, shape (P, B)
        Updated in place.
    hyper : ndarray, shape (H, B)
    lr_row, wd_row : int
        The rows of :math:`\\alpha` and :math:`\\lambda`.
    scale : float
        The schedule's factor.

    Examples
    --------
    >>> import numpy as np
    >>> from fastdescent.optim.pieces import decoupled_decay
    >>> phi = np.array([[2.0]])
    >>> decoupled_decay(phi, np.array([[0.1], [0.5]]), 0, 1, 1.0)   # lr 0.1, decay 0.5
    >>> phi
    array([[1.9]])
    """
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
    :math:`\\beta` = ``hyper[1]``, :math:`m` = ``state[0]``).

    Parameters
    ----------
    phi : ndarray, shape (P, B)
    state : ndarray, shape (S, P, B)
    hyper : ndarray, shape (H, B)
    scale : float
    out : ndarray, shape (P, B)
        Receives the look-ahead point.

    Examples
    --------
    >>> import numpy as np
    >>> from fastdescent.optim.pieces import momentum_lookahead
    >>> out = np.empty((1, 1))
    >>> phi, m, hyper = np.array([[1.0]]), np.array([[[2.0]]]), np.array([[0.1], [0.5]])
    >>> momentum_lookahead(phi, m, hyper, 1.0, out)      # 1 - 0.1 * 0.5 * 2
    >>> out
    array([[0.9]])
    """
    P, B = phi.shape
    for k in range(P):
        for b in range(B):
            out[k, b] = phi[k, b] - hyper[0, b] * scale * hyper[1, b] * state[0, k, b]


@njit(error_model="numpy")
def sign(u):
    """:math:`\\operatorname{sign}(u)` as a float: 1, -1, or 0 at 0 (and at NaN).

    Parameters
    ----------
    u : float

    Returns
    -------
    float

    Examples
    --------
    >>> from fastdescent.optim.pieces import sign
    >>> sign(-2.5), sign(0.0), sign(3.0), sign(float("nan"))
    (-1.0, 0.0, 1.0, 0.0)
    """
    if u > 0.0:
        return like(1.0, u)
    if u < 0.0:
        return like(-1.0, u)
    return like(0.0, u)


