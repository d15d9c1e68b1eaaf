"""Lecture momentum: :math:`m \\leftarrow \\beta m + (1-\\beta) g`,
:math:`\\phi \\leftarrow \\phi - \\alpha m` (:math:`m` starts at 0)."""
from numba import njit

from ...contract import like

from ..record import UNIT_OPEN, Hyper, Rule

LR, BETA = 0, 1


@njit(error_model="numpy")
def momentum_step(phi, g, state, hyper, t, scale):
    """:math:`m \\leftarrow \\beta m + (1-\\beta) g`, :math:`\\phi \\leftarrow \\phi - \\alpha m`
    (Nesterov uses it too, with ``g`` taken at its look-ahead point)."""
    P, B = phi.shape
    for k in range(P):
        for b in range(B):
            beta = hyper[BETA, b]
            m = beta * state[0, k, b] + (like(1.0, beta) - beta) * g[k, b]
            state[0, k, b] = m
            phi[k, b] -= hyper[LR, b] * scale * m


def stable_interval(h, lam):
    """:math:`0 < a(1-\\beta) < 2(1+\\beta)` (derivation: :mod:`fastdescent.analysis.stability`)."""
    b = h["beta"]
    return (0.0, 2.0 * (1 + b) / (1 - b)), lam


def momentum(lr=0.1, beta=0.9):
    """Lecture momentum: :math:`m \\leftarrow \\beta m + (1-\\beta) g`,
    :math:`\\phi \\leftarrow \\phi - \\alpha m` (m starts at 0).

    Parameters
    ----------
    lr : float or (N,) array_like
        Learning rate :math:`\\alpha \\ge 0`.
    beta : float or (N,) array_like
        Momentum :math:`\\beta \\in [0, 1)`.

    Returns
    -------
    Optimizer
        The rule with its validated hyperparameters.

    Raises
    ------
    ValueError
        If a hyperparameter is outside its range.

    Examples
    --------
    From :math:`m = 0` the first buffer is :math:`(1-\\beta) g`: with :math:`g = (1, 4)` the
    first step moves :math:`\\phi = (1, 1)` by :math:`0.1 \\cdot 0.1\\,g`.

    >>> import fastdescent as fd
    >>> m = fd.models.quadratic((1.0, 4.0))
    >>> res = fd.run(m, fd.optim.momentum(lr=0.1, beta=0.9), [[1.0, 1.0]], steps=1)
    >>> res.params
    array([[0.99, 0.96]])
    """
    return RULE(lr=lr, beta=beta)


RULE = Rule("momentum", (Hyper("lr", 0.1), Hyper("beta", 0.9, UNIT_OPEN)), 1, momentum_step,
            linear=True, stable_interval=stable_interval,
            label={"en": "Momentum", "es": "Momentum"},
            color="#E69F00", factory=momentum)  # Okabe-Ito orange
