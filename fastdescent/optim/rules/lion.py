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
    (1-\\beta_2) g` (defaults of the paper's reference code)."""
    return RULE(lr=lr, beta1=beta1, beta2=beta2, weight_decay=weight_decay)


RULE = Rule("lion", (Hyper("lr", 1e-4), Hyper("beta1", 0.9, UNIT_CLOSED),
                     Hyper("beta2", 0.99, UNIT_CLOSED), Hyper("weight_decay", 0.0)), 1, lion_step,
            nonlinear="no linear stability threshold: every coordinate moves by exactly lr (the "
                      "sign of the update), whatever the curvature, so the iterates do not "
                      "diverge on a quadratic; they end oscillating around the minimum with "
                      "amplitude ~lr.",
            label={"en": "Lion", "es": "Lion"},
            color="#DDCC77", factory=lion)  # Tol sand
