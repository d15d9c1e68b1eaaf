"""Normalized gradients: :math:`\\phi \\leftarrow \\phi - \\alpha g/(\\sqrt{g^2}+\\epsilon)`,
elementwise (sign descent smoothed by :math:`\\epsilon`)."""
import math

from numba import njit

from ..record import Hyper, Rule

LR, EPS = 0, 1


@njit(error_model="numpy")
def normalized_step(phi, g, state, hyper, t, scale):
    """:math:`\\phi \\leftarrow \\phi - \\alpha g/(\\sqrt{g^2}+\\epsilon)` per coordinate."""
    P, B = phi.shape
    for k in range(P):
        for b in range(B):
            gk = g[k, b]
            phi[k, b] -= hyper[LR, b] * scale * gk / (math.sqrt(gk * gk) + hyper[EPS, b])


def normalized(lr=0.05, eps=1e-8):
    """Normalized gradients: :math:`\\phi \\leftarrow \\phi - \\alpha g/(\\sqrt{g^2}+\\epsilon)`
    (elementwise).

    Parameters
    ----------
    lr : float or (N,) array_like
        Learning rate :math:`\\alpha \\ge 0`: the length of the step of each coordinate.
    eps : float or (N,) array_like
        :math:`\\epsilon \\ge 0` added to :math:`|g|`.

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
    Every coordinate moves by :math:`\\alpha`, whatever the size of its gradient:

    >>> import fastdescent as fd
    >>> res = fd.run(fd.models.quadratic((1.0, 4.0)), fd.optim.normalized(lr=0.1), [[1.0, 1.0]],
    ...              steps=1)
    >>> res.params.round(6)
    array([[0.9, 0.9]])
    """
    return RULE(lr=lr, eps=eps)


RULE = Rule("normalized", (Hyper("lr", 0.05), Hyper("eps", 1e-8)), 0, normalized_step,
            nonlinear="no linear stability threshold: the step is lr g/(|g|+eps), of size ~lr "
                      "whatever the curvature, so the iterates never diverge on a quadratic; "
                      "they end oscillating around the minimum with amplitude ~lr "
                      "(|phi| <~ lr).",
            label={"en": "Normalized gradients", "es": "Gradientes normalizados"},
            color="#56B4E9", factory=normalized)  # Okabe-Ito sky blue
