"""``torch.optim.Adam``: L2 weight decay added to the gradient, then
:math:`m \\leftarrow \\mathrm{lerp}(m, g, 1-\\beta_1)`,
:math:`v \\leftarrow \\beta_2 v + (1-\\beta_2) g^2`,
:math:`\\phi \\leftarrow \\phi - \\frac{\\gamma}{1-\\beta_1^t}\\,\\frac{m}{\\sqrt{v}/\\sqrt{1-\\beta_2^t}+\\epsilon}`
(AMSGrad: the running maximum of :math:`v` in the denominator)."""
import math

from numba import njit

from ...contract import like

from ..pieces import bias_correction, l2_decay, torch_lerp
from ..record import BOOL, UNIT_OPEN, Hyper, Rule
from .adam import ADAPTIVE

LR, BETA1, BETA2, EPS, WEIGHT_DECAY, AMSGRAD = range(6)


@njit(error_model="numpy")
def adam_core(phi, g, state, hyper, t, scale):
    """PyTorch's single-tensor Adam step without weight decay (``state``: m, v, max v)."""
    P, B = phi.shape
    for b in range(B):
        lr = hyper[LR, b] * scale
        b1 = hyper[BETA1, b]
        b2 = hyper[BETA2, b]
        eps = hyper[EPS, b]
        ams = hyper[AMSGRAD, b] != 0.0
        step_size = lr / bias_correction(b1, t)
        bc2_sqrt = math.sqrt(bias_correction(b2, t))
        for k in range(P):
            gk = g[k, b]
            m = torch_lerp(state[0, k, b], gk, like(1.0, b1) - b1)
            v = state[1, k, b] * b2 + (like(1.0, b2) - b2) * gk * gk
            state[0, k, b] = m
            state[1, k, b] = v
            if ams:
                vmax = max(state[2, k, b], v)
                state[2, k, b] = vmax
                denom = math.sqrt(vmax) / bc2_sqrt + eps
            else:
                denom = math.sqrt(v) / bc2_sqrt + eps
            phi[k, b] += -step_size * (m / denom)


@njit(error_model="numpy")
def torch_adam_step(phi, g, state, hyper, t, scale):
    """L2 weight decay (:func:`~fastdescent.optim.pieces.l2_decay`), then :func:`adam_core`."""
    l2_decay(phi, g, hyper, WEIGHT_DECAY)
    adam_core(phi, g, state, hyper, t, scale)


def betas_pair(betas):
    """``(beta1, beta2)`` from PyTorch's ``betas`` argument."""
    try:
        b1, b2 = betas
    except (TypeError, ValueError):
        raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}") from None
    return b1, b2


def torch_adam(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False):
    """``torch.optim.Adam`` (L2 weight decay added to the gradient; AMSGrad keeps the running
    maximum of the raw second moment and bias-corrects it afterwards, as PyTorch's code does).

    Parameters
    ----------
    lr : float or (N,) array_like
        Learning rate :math:`\\gamma \\ge 0`.
    betas : (float, float)
        :math:`(\\beta_1, \\beta_2)`, each in :math:`[0, 1)`.
    eps : float or (N,) array_like
        :math:`\\epsilon \\ge 0`.
    weight_decay : float or (N,) array_like
        L2 penalty :math:`\\lambda \\ge 0`, added to the gradient as :math:`\\lambda\\phi`.
    amsgrad : bool
        Use the running maximum of the second moment.

    Returns
    -------
    Optimizer
        The rule with its validated hyperparameters.

    Raises
    ------
    ValueError
        If ``betas`` is not a pair or a hyperparameter is outside its range.

    Examples
    --------
    The same first step as the lecture's :func:`~fastdescent.optim.adam`, up to rounding:

    >>> import fastdescent as fd
    >>> m = fd.models.quadratic((1.0, 4.0))
    >>> res = fd.run(m, fd.optim.torch_adam(lr=0.1), [[1.0, 1.0]], steps=1)
    >>> res.params.round(6)
    array([[0.9, 0.9]])
    >>> fd.optim.torch_adam(betas=0.9)
    Traceback (most recent call last):
        ...
    ValueError: betas must be a pair (beta1, beta2), got 0.9
    """
    b1, b2 = betas_pair(betas)
    return RULE(lr=lr, beta1=b1, beta2=b2, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)


RULE = Rule("torch_adam", (Hyper("lr", 1e-3), Hyper("beta1", 0.9, UNIT_OPEN),
                           Hyper("beta2", 0.999, UNIT_OPEN), Hyper("eps", 1e-8),
                           Hyper("weight_decay", 0.0), Hyper("amsgrad", 0.0, BOOL)), 3,
            torch_adam_step, nonlinear=ADAPTIVE,
            label={"en": "Adam (PyTorch)", "es": "Adam (PyTorch)"},
            color="#882255", factory=torch_adam)  # Tol wine
