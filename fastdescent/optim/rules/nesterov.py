"""Lecture Nesterov momentum: the momentum step with the gradient taken at the look-ahead
point :math:`\\phi - \\alpha\\beta m`."""
from ..pieces import momentum_lookahead
from ..record import Rule
from .momentum import RULE as MOMENTUM


def stable_interval(h, lam):
    """:math:`0 < a(1-\\beta) < 2(1+\\beta)/(1+2\\beta)` (derivation:
    :mod:`fastdescent.analysis.stability`)."""
    b = h["beta"]
    return (0.0, 2.0 * (1 + b) / ((1 + 2 * b) * (1 - b))), lam


def nesterov(lr=0.1, beta=0.9):
    """Lecture Nesterov momentum: as :func:`momentum` with the gradient taken at the
    look-ahead point :math:`\\phi - \\alpha\\beta m`."""
    return RULE(lr=lr, beta=beta)


RULE: Rule = MOMENTUM.derive(name="nesterov", lookahead=momentum_lookahead,
                             stable_interval=stable_interval,
                             label={"en": "Nesterov momentum", "es": "Momentum de Nesterov"},
                             color="#CC79A7", factory=nesterov)  # Okabe-Ito reddish purple
