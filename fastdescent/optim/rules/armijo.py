"""Backtracking (Armijo) line search: the first :math:`s = \\alpha\\rho^k` with
:math:`L(\\phi - s g) \\le L(\\phi) - c\\,s\\lVert g\\rVert^2`
(kernel: :func:`fastdescent.optim.line_searches.armijo_search`)."""
from ..line_searches import armijo_search
from ..record import ITER, OPEN_UNIT, POSITIVE, Hyper, Rule


def armijo(lr=1.0, c=1e-4, rho=0.5, max_iter=30):
    """Backtracking (Armijo) line search: start at ``lr``, multiply by ``rho`` until
    :math:`L(\\phi - \\alpha g) \\le L(\\phi) - c\\,\\alpha \\lVert g\\rVert^2` (at most
    ``max_iter`` trial steps, i.e. ``max_iter - 1`` reductions; the last trial step is taken if
    none satisfies it, so ``max_iter=1`` is plain gradient descent with step ``lr``).

    Parameters
    ----------
    lr : float or (N,) array_like
        First trial step :math:`\\alpha_0 > 0`.
    c : float or (N,) array_like
        Sufficient-decrease constant :math:`c \\in (0, 1)`.
    rho : float or (N,) array_like
        Reduction factor :math:`\\rho \\in (0, 1)`.
    max_iter : int
        Trial steps per update (an integer >= 1).

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
    On :math:`L = \\tfrac12(\\phi_0^2 + 4\\phi_1^2)` from :math:`(1, 1)` (:math:`L = 2.5`,
    :math:`g = (1, 4)`) the step 1 raises the loss to 18; the halved step 0.5 gives
    :math:`L = 2.125` and is accepted:

    >>> import fastdescent as fd
    >>> m = fd.models.quadratic((1.0, 4.0))
    >>> res = fd.run(m, fd.optim.armijo(lr=1.0), [[1.0, 1.0]], steps=1)
    >>> res.params, res.loss
    (array([[ 0.5, -1. ]]), array([2.125]))
    """
    return RULE(lr=lr, c=c, rho=rho, max_iter=max_iter)


RULE = Rule("armijo", (Hyper("lr", 1.0, POSITIVE), Hyper("c", 1e-4, OPEN_UNIT),
                       Hyper("rho", 0.5, OPEN_UNIT), Hyper("max_iter", 30, ITER)), 0,
            search=armijo_search,
            nonlinear="no fixed learning rate: backtracking shrinks the step until the Armijo "
                      "condition holds, which on a quadratic means lr < 2(1-c)/lambda for the "
                      "step taken (unless max_iter is exhausted).",
            label={"en": "Backtracking (Armijo)", "es": "Retroceso (Armijo)"},
            color="#117733", factory=armijo)  # Tol green
