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
    momentum buffer."""
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
