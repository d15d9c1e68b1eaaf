"""Backtracking (Armijo) line search: the first :math:`s = \\alpha\\rho^k` with
:math:`L(\\phi - s g) \\le L(\\phi) - c\\,s\\lVert g\\rVert^2`
(kernel: :func:`fastdescent.optim.line_searches.armijo_search`)."""
from ..line_searches import armijo_search
from ..record import ITER, OPEN_UNIT, POSITIVE, Hyper, Rule


def armijo(lr=1.0, c=1e-4, rho=0.5, max_iter=30):
    """Backtracking (Armijo) line search: start at ``lr``, multiply by ``rho`` until
    :math:`L(\\phi - \\alpha g) \\le L(\\phi) - c\\,\\alpha \\lVert g\\rVert^2` (at most
    ``max_iter`` trial steps, i.e. ``max_iter - 1`` reductions; the last trial step is taken if
    none satisfies it, so ``max_iter=1`` is plain gradient descent with step ``lr``)."""
    return RULE(lr=lr, c=c, rho=rho, max_iter=max_iter)


RULE = Rule("armijo", (Hyper("lr", 1.0, POSITIVE), Hyper("c", 1e-4, OPEN_UNIT),
                       Hyper("rho", 0.5, OPEN_UNIT), Hyper("max_iter", 30, ITER)), 0,
            search=armijo_search,
            nonlinear="no fixed learning rate: backtracking shrinks the step until the Armijo "
                      "condition holds, which on a quadratic means lr < 2(1-c)/lambda for the "
                      "step taken (unless max_iter is exhausted).",
            label={"en": "Backtracking (Armijo)", "es": "Retroceso (Armijo)"},
            color="#117733", factory=armijo)  # Tol green
