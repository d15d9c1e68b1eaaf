"""Gradient descent with the lecture's four-point bracketing line search along :math:`-g`
(kernel: :func:`fastdescent.optim.line_searches.bracketing_search`)."""
from ..line_searches import bracketing_search
from ..record import ITER, POSITIVE, Hyper, Rule


def line_search(max_dist=1.0, tol=1e-5, max_iter=15):
    """Gradient descent with the lecture's four-point bracketing line search along :math:`-g`.

    The step size is searched in ``[0, max_dist]`` (``max_dist`` scales the raw gradient);
    book values: ``max_dist=0.1`` (linear regression) or ``2.0`` (Gabor), ``tol=1e-5``,
    ``max_iter=15``. See :mod:`fastdescent.optim.line_searches`.

    Parameters
    ----------
    max_dist : float
        Largest step size searched, :math:`> 0`.
    tol : float
        Width of the bracket at which the search stops, :math:`> 0`.
    max_iter : int
        Bracket reductions per update (an integer >= 1).

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
    On a quadratic, a search along :math:`-g` reaches the minimum in few updates:

    >>> import fastdescent as fd
    >>> m = fd.models.quadratic((1.0, 4.0))
    >>> res = fd.run(m, fd.optim.line_search(max_dist=1.0), [[1.0, 1.0]], steps=100, tol=1e-6)
    >>> res.status, res.steps, res.loss < 1e-10
    (array([1], dtype=int8), array([13]), array([ True]))
    """
    return RULE(max_dist=max_dist, tol=tol, max_iter=max_iter)


RULE = Rule("line_search", (Hyper("max_dist", 1.0, POSITIVE), Hyper("tol", 1e-5, POSITIVE),
                            Hyper("max_iter", 15, ITER)), 0, search=bracketing_search,
            nonlinear="no learning rate: the bracketing line search picks the step size, which "
                      "never increases the loss along -g on a quadratic.",
            label={"en": "Line search", "es": "Búsqueda lineal"},
            color="#009E73", factory=line_search)  # Okabe-Ito bluish green
