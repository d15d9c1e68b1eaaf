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
    """Gradient descent with a fixed step: :math:`\\phi \\leftarrow \\phi - \\alpha g`."""
    return RULE(lr=lr)


RULE = Rule("gd", (Hyper("lr", 0.1),), 0, gd_step, linear=True, stable_interval=stable_interval,
            label={"en": "Gradient descent", "es": "Descenso de gradiente"},
            color="#0072B2", factory=gd)  # Okabe-Ito blue
