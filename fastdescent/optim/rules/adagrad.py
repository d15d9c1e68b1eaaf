"""``torch.optim.Adagrad``: :math:`s \\leftarrow s + g^2`,
:math:`\\phi \\leftarrow \\phi - \\frac{\\gamma}{1+t\\eta}\\,g/(\\sqrt{s}+\\epsilon)`, with L2
weight decay and the initial accumulator value read at :math:`t = 0`."""
import math

from numba import njit

from ...contract import like

from ..pieces import l2_decay
from ..record import Hyper, Rule

LR, LR_DECAY, EPS, WEIGHT_DECAY, INITIAL = range(5)


@njit(error_model="numpy")
def adagrad_step(phi, g, state, hyper, t, scale):
    """PyTorch's single-tensor Adagrad step (``state[0]``: the sum of squares)."""
    l2_decay(phi, g, hyper, WEIGHT_DECAY)
    P, B = phi.shape
    for b in range(B):
        clr = hyper[LR, b] * scale / (like(1.0, phi) + like(t, phi) * hyper[LR_DECAY, b])
        for k in range(P):
            gk = g[k, b]
            s0 = hyper[INITIAL, b] if t == 0 else state[0, k, b]
            s = s0 + gk * gk
            state[0, k, b] = s
            phi[k, b] += -clr * (gk / (math.sqrt(s) + hyper[EPS, b]))


def adagrad(lr=1e-2, lr_decay=0.0, eps=1e-10, weight_decay=0.0, initial_accumulator_value=0.0):
    """``torch.optim.Adagrad``: :math:`s \\leftarrow s + g^2`,
    :math:`\\phi \\leftarrow \\phi - \\frac{\\gamma}{1+t\\eta}\\,g/(\\sqrt{s}+\\epsilon)`.

    Parameters
    ----------
    lr : float or (N,) array_like
        Learning rate :math:`\\gamma \\ge 0`.
    lr_decay : float or (N,) array_like
        :math:`\\eta \\ge 0` in the step :math:`\\gamma/(1+t\\eta)`.
    eps : float or (N,) array_like
        :math:`\\epsilon \\ge 0`.
    weight_decay : float or (N,) array_like
        L2 penalty :math:`\\lambda \\ge 0`.
    initial_accumulator_value : float or (N,) array_like
        Starting value of :math:`s`.

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
    The first accumulator is :math:`g^2`, so the first step is
    :math:`\\gamma\\operatorname{sign}(g)`; later steps shrink like :math:`1/\\sqrt{t}` on a
    constant gradient:

    >>> import fastdescent as fd
    >>> m = fd.models.quadratic((1.0, 4.0))
    >>> res = fd.run(m, fd.optim.adagrad(lr=0.1), [[1.0, 1.0]], steps=1)
    >>> res.params.round(6)
    array([[0.9, 0.9]])
    """
    return RULE(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                initial_accumulator_value=initial_accumulator_value)


RULE = Rule("adagrad", (Hyper("lr", 1e-2), Hyper("lr_decay", 0.0), Hyper("eps", 1e-10),
                        Hyper("weight_decay", 0.0), Hyper("initial_accumulator_value", 0.0)),
            1, adagrad_step,
            nonlinear="no linear stability threshold: the step lr g/sqrt(sum g^2) is bounded by "
                      "lr and shrinks like 1/sqrt(t); Adagrad does not diverge on a quadratic.",
            label={"en": "AdaGrad", "es": "AdaGrad"},
            color="#AA4499", factory=adagrad)  # Tol purple
