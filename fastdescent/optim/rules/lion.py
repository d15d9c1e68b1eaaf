"""Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms"): decoupled weight
decay, then the sign of an interpolation of momentum and gradient,

.. math:: c = \\beta_1 m + (1-\\beta_1) g, \\qquad
          \\phi \\leftarrow \\phi(1-\\alpha\\lambda) - \\alpha\\,\\operatorname{sign}(c), \\qquad
          m \\leftarrow \\beta_2 m + (1-\\beta_2) g .
"""
from numba import njit

from ...contract import like

from ..pieces import decoupled_decay, sign
from ..record import UNIT_CLOSED, Hyper, Rule

LR, BETA1, BETA2, WEIGHT_DECAY = range(4)


@njit(error_model="numpy")
def lion_step(phi, g, state, hyper, t, scale):
    """:func:`~fastdescent.optim.pieces.decoupled_decay`, then the sign step (``state[0]``: m)."""
    decoupled_decay(phi, hyper, LR, WEIGHT_DECAY, scale)
    P, B = phi.shape
    for k in range(P):
        for b in range(B):
            b1 = hyper[BETA1, b]
            b2 = hyper[BETA2, b]
            m = state[0, k, b]
            gk = g[k, b]
            phi[k, b] -= hyper[LR, b] * scale * sign(b1 * m + (like(1.0, b1) - b1) * gk)
            state[0, k, b] = b2 * m + (like(1.0, b2) - b2) * gk


def lion(lr=1e-4, beta1=0.9, beta2=0.99, weight_decay=0.0):
    """Lion: :math:`\\phi \\leftarrow \\phi(1-\\alpha\\lambda) - \\alpha\\,
    \\operatorname{sign}(\\beta_1 m + (1-\\beta_1) g)`, :math:`m \\leftarrow \\beta_2 m +
    (1-\\beta_2) g` (defaults of the paper's reference code).

    Parameters
    ----------
    lr : float or (N,) array_like
        Learning rate :math:`\\alpha \\ge 0`: the length of the sign step.
    beta1 : float or (N,) array_like
        Interpolation :math:`\\beta_1 \\in [0, 1]` of momentum and gradient in the step.
    beta2 : float or (N,) array_like
        Decay :math:`\\beta_2 \\in [0, 1]` of the momentum :math:`m`.
    weight_decay : float or (N,) array_like
        Decoupled weight decay :math:`\\lambda \\ge 0`.

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
    With :math:`m = 0` the first step is :math:`\\alpha\\operatorname{sign}(g)`; the decay
    shrinks :math:`\\phi` by :math:`1-\\alpha\\lambda = 0.95` first:

    >>> import fastdescent as fd
    >>> m = fd.models.quadratic((1.0, 4.0))
    >>> res = fd.run(m, fd.optim.lion(lr=0.1, weight_decay=0.5), [[1.0, 1.0]], steps=1)
    >>> res.params.round(6)
    array([[0.85, 0.85]])
    """
    return RULE(lr=lr, beta1=beta1, beta2=beta2, weight_decay=weight_decay)


RULE = Rule("lion", (Hyper("lr", 1e-4), Hyper("beta1", 0.9, UNIT_CLOSED),
                     Hyper("beta2", 0.99, UNIT_CLOSED), Hyper("weight_decay", 0.0)), 1, lion_step,
            nonlinear="no linear stability threshold: every coordinate moves by exactly lr (the "
                      "sign of the update), whatever the curvature, so the iterates do not "
                      "diverge on a quadratic; they end oscillating around the minimum with "
                      "amplitude ~lr.",
            label={"en": "Lion", "es": "Lion"},
            color="#DDCC77", factory=lion)  # Tol sand
