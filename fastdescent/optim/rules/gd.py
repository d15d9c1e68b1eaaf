"""Gradient descent with a fixed step: :math:`\\phi \\leftarrow \\phi - \\alpha g`."""
from numba import njit

from ..record import Hyper, Rule

LR = 0


@njit(error_model="numpy")
def gd_step(phi, g, state, hyper, t, scale):
    """:math:`\\phi \\leftarrow \\phi - \\alpha g`."""
    P, B = phi.shape
    for k in range(P):
        for b in range(B):
            phi[k, b] -= hyper[LR, b] * scale * g[k, b]


def stable_interval(h, lam):
    """:math:`\\phi' = (1-a)\\phi` is stable iff :math:`0 < a < 2` (:math:`a = \\alpha\\lambda`)."""
    return (0.0, 2.0), lam


def gd(lr=0.1):
    """Gradient descent with a fixed step: :math:`\\phi \\leftarrow \\phi - \\alpha g`.

    Parameters
    ----------
    lr : float or (N,) array_like
        Learning rate :math:`\\alpha \\ge 0` (one value per trajectory for a sweep).

    Returns
    -------
    Optimizer
        The rule with its validated hyperparameters.

    Raises
    ------
    ValueError
        If ``lr`` is negative or not finite.

    Examples
    --------
    One step on :math:`L = \\tfrac12(\\phi_0^2 + 4\\phi_1^2)` from :math:`(1, 1)`, where
    :math:`g = (1, 4)`: :math:`\\phi - 0.1\\,g = (0.9, 0.6)`.

    >>> import fastdescent as fd
    >>> res = fd.run(fd.models.quadratic((1.0, 4.0)), fd.optim.gd(lr=0.1), [[1.0, 1.0]], steps=1)
    >>> res.params
    array([[0.9, 0.6]])
    >>> fd.optim.gd(lr=-0.1)
    Traceback (most recent call last):
        ...
    ValueError: gd: lr must be in [0, inf), got ...
    """
    return RULE(lr=lr)


RULE = Rule("gd", (Hyper("lr", 0.1),), 0, gd_step, linear=True, stable_interval=stable_interval,
            label={"en": "Gradient descent", "es": "Descenso de gradiente"},
            color="#0072B2", factory=gd)  # Okabe-Ito blue
