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
    look-ahead point :math:`\\phi - \\alpha\\beta m`.

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
    On an ill-conditioned quadratic the look-ahead gradient damps the oscillation of the stiff
    direction; both runs stop at the tolerance, Nesterov's sooner:

    >>> import fastdescent as fd
    >>> m = fd.models.quadratic((1.0, 20.0))
    >>> runs = {name: fd.run(m, fd.optim.get_optimizer(name, lr=0.09, beta=0.8), [[1.0, 1.0]],
    ...                      steps=1000, tol=1e-8) for name in ("momentum", "nesterov")}
    >>> {name: (int(r.status[0]), int(r.steps[0])) for name, r in runs.items()}
    {'momentum': (1, 180), 'nesterov': (1, 151)}
    """
    return RULE(lr=lr, beta=beta)


RULE: Rule = MOMENTUM.derive(name="nesterov", lookahead=momentum_lookahead,
                             stable_interval=stable_interval,
                             label={"en": "Nesterov momentum", "es": "Momentum de Nesterov"},
                             color="#CC79A7", factory=nesterov)  # Okabe-Ito reddish purple
