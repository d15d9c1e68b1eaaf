"""``torch.optim.RMSprop``: :math:`v \\leftarrow \\alpha v + (1-\\alpha)g^2`; step
:math:`g/(\\sqrt{v}+\\epsilon)` (centered: :math:`\\sqrt{v - \\bar g^2}`), with an optional
momentum buffer and L2 weight decay."""
import math

from numba import njit

from ...contract import like

from ..pieces import l2_decay, torch_lerp
from ..record import BOOL, Hyper, Rule
from .adam import ADAPTIVE

LR, ALPHA, EPS, MOMENTUM, WEIGHT_DECAY, CENTERED = range(6)


@njit(error_model="numpy")
def rmsprop_step(phi, g, state, hyper, t, scale):
    """PyTorch's single-tensor RMSprop step (``state``: square average, buffer, grad average)."""
    l2_decay(phi, g, hyper, WEIGHT_DECAY)
    P, B = phi.shape
    for b in range(B):
        lr = hyper[LR, b] * scale
        alpha = hyper[ALPHA, b]
        eps = hyper[EPS, b]
        mom = hyper[MOMENTUM, b]
        centered = hyper[CENTERED, b] != 0.0
        for k in range(P):
            gk = g[k, b]
            sq = state[0, k, b] * alpha + (like(1.0, alpha) - alpha) * gk * gk
            state[0, k, b] = sq
            if centered:
                ga = torch_lerp(state[2, k, b], gk, like(1.0, alpha) - alpha)
                state[2, k, b] = ga
                avg = math.sqrt(sq + like(-1.0, ga) * ga * ga) + eps
            else:
                avg = math.sqrt(sq) + eps
            if mom > 0.0:
                buf = state[1, k, b] * mom + gk / avg
                state[1, k, b] = buf
                phi[k, b] += -lr * buf
            else:
                phi[k, b] += -lr * (gk / avg)


def rmsprop(lr=1e-2, alpha=0.99, eps=1e-8, momentum=0.0, weight_decay=0.0, centered=False):
    """``torch.optim.RMSprop``: :math:`v \\leftarrow \\alpha v + (1-\\alpha)g^2`; step
    :math:`g/(\\sqrt{v}+\\epsilon)` (centered: :math:`\\sqrt{v - \\bar g^2}`), with optional
    momentum buffer.

    Parameters
    ----------
    lr : float or (N,) array_like
        Learning rate :math:`\\gamma \\ge 0`.
    alpha : float or (N,) array_like
        Decay :math:`\\alpha \\ge 0` of the squared-gradient average.
    eps : float or (N,) array_like
        :math:`\\epsilon \\ge 0`.
    momentum : float or (N,) array_like
        Momentum of the step buffer (0: none).
    weight_decay : float or (N,) array_like
        L2 penalty :math:`\\lambda \\ge 0`.
    centered : bool
        Divide by the root of the variance estimate :math:`v - \\bar g^2` instead of :math:`v`.

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
    From :math:`v = 0` the first average is :math:`(1-\\alpha)g^2 = 0.01\\,g^2`, so the first step
    is :math:`\\gamma\\,g/(0.1|g|) = 10\\gamma\\operatorname{sign}(g)`:

    >>> import fastdescent as fd
    >>> m = fd.models.quadratic((1.0, 4.0))
    >>> res = fd.run(m, fd.optim.rmsprop(lr=0.01), [[1.0, 1.0]], steps=1)
    >>> res.params.round(6)
    array([[0.9, 0.9]])
    """
    return RULE(lr=lr, alpha=alpha, eps=eps, momentum=momentum, weight_decay=weight_decay,
                centered=centered)


RULE = Rule("rmsprop", (Hyper("lr", 1e-2), Hyper("alpha", 0.99), Hyper("eps", 1e-8),
                        Hyper("momentum", 0.0), Hyper("weight_decay", 0.0),
                        Hyper("centered", 0.0, BOOL)), 3, rmsprop_step,
            nonlinear=ADAPTIVE.replace(
                "for Adam, |step| <= lr (1-beta1)/sqrt(1-beta2) when (1-beta1) > sqrt(1-beta2), "
                "else <= lr; Kingma & Ba 2015, Sec. 2.1", "<= lr/sqrt(1-alpha) without "
                "momentum, /(1-momentum) more with it"),
            label={"en": "RMSprop", "es": "RMSprop"},
            color="#44AA99", factory=rmsprop)  # Tol teal
