"""``torch.optim.SGD``: L2 weight decay :math:`g \\leftarrow g + \\lambda\\phi`; momentum buffer
:math:`b_0 = g_0`, :math:`b_t = \\mu b_{t-1} + (1-\\tau) g_t` (dampening :math:`\\tau`);
Nesterov uses :math:`g + \\mu b`; :math:`\\phi \\leftarrow \\phi - \\gamma g`."""
import numpy as np
from numba import njit

from ...contract import like

from ..pieces import l2_decay
from ..record import BOOL, UNIT_CLOSED, Hyper, Rule

LR, MOMENTUM, DAMPENING, NESTEROV, WEIGHT_DECAY = range(5)


@njit(error_model="numpy")
def torch_sgd_step(phi, g, state, hyper, t, scale):
    """PyTorch's single-tensor SGD step, operation for operation."""
    l2_decay(phi, g, hyper, WEIGHT_DECAY)
    P, B = phi.shape
    for b in range(B):
        lr = hyper[LR, b] * scale
        mu = hyper[MOMENTUM, b]
        damp = hyper[DAMPENING, b]
        nest = hyper[NESTEROV, b] != 0.0
        for k in range(P):
            gk = g[k, b]
            if mu != 0.0:
                if t == 0:
                    buf = gk
                else:
                    buf = state[0, k, b] * mu + gk * (like(1.0, damp) - damp)
                state[0, k, b] = buf
                if nest:
                    gk = gk + mu * buf
                else:
                    gk = buf
            phi[k, b] -= lr * gk


def stable_interval(h, lam):
    """Heavy ball: :math:`\\mu < 1`, :math:`0 < a(1-\\tau) < 2(1+\\mu)`; Nesterov:
    :math:`\\max(0, 1-1/\\mu) < a < 2(1+\\mu)/(1+2\\mu)`; :math:`\\lambda_{eff} = \\lambda +`
    weight decay (derivations: :mod:`fastdescent.analysis.stability`)."""
    mu, tau, nest, wd = h["momentum"], h["dampening"], h["nesterov"] != 0, h["weight_decay"]
    lam_eff = lam + wd
    if mu == 0.0:
        return (0.0, 2.0), lam_eff
    if nest:  # dampening is 0 (enforced by check)
        return (max(0.0, 1.0 - 1.0 / mu), 2.0 * (1 + mu) / (1 + 2 * mu)), lam_eff
    if mu >= 1.0 or tau >= 1.0:
        return None, lam_eff  # never strictly stable
    return (0.0, 2.0 * (1 + mu) / (1 - tau)), lam_eff


def check(h):
    """PyTorch's own constraint: Nesterov needs momentum > 0 and no dampening."""
    nest = np.asarray(h["nesterov"])
    if np.any((nest != 0) & ((np.asarray(h["momentum"]) <= 0)
                             | (np.asarray(h["dampening"]) != 0))):
        raise ValueError("torch_sgd: nesterov momentum requires momentum > 0 and "
                         "dampening = 0 (as in PyTorch)")


def torch_sgd(lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
    """``torch.optim.SGD``: :math:`g \\leftarrow g + \\lambda\\phi`; buffer
    :math:`b_0 = g_0`, :math:`b_t = \\mu b_{t-1} + (1-\\tau) g_t`; Nesterov uses
    :math:`g + \\mu b`; :math:`\\phi \\leftarrow \\phi - \\gamma g`.

    Parameters
    ----------
    lr : float or (N,) array_like
        Learning rate :math:`\\gamma \\ge 0`.
    momentum : float or (N,) array_like
        Momentum :math:`\\mu \\ge 0` (0: plain SGD).
    dampening : float or (N,) array_like
        Dampening :math:`\\tau \\in [0, 1]`.
    nesterov : bool
        Nesterov's variant (needs ``momentum > 0`` and ``dampening = 0``).
    weight_decay : float or (N,) array_like
        L2 penalty :math:`\\lambda \\ge 0`.

    Returns
    -------
    Optimizer
        The rule with its validated hyperparameters.

    Raises
    ------
    ValueError
        If a hyperparameter is outside its range, or ``nesterov`` is set without momentum or
        with dampening.

    Examples
    --------
    PyTorch sets the buffer to the first gradient, so the first step is a plain gradient step:

    >>> import fastdescent as fd
    >>> m = fd.models.quadratic((1.0, 4.0))
    >>> res = fd.run(m, fd.optim.torch_sgd(lr=0.1, momentum=0.9), [[1.0, 1.0]], steps=1)
    >>> res.params
    array([[0.9, 0.6]])
    >>> fd.optim.torch_sgd(nesterov=True)
    Traceback (most recent call last):
        ...
    ValueError: torch_sgd: nesterov momentum requires momentum > 0 and dampening = 0 ...
    """
    return RULE(lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov,
                weight_decay=weight_decay)


RULE = Rule("torch_sgd", (Hyper("lr", 1e-3), Hyper("momentum", 0.0),
                          Hyper("dampening", 0.0, UNIT_CLOSED), Hyper("nesterov", 0.0, BOOL),
                          Hyper("weight_decay", 0.0)), 1, torch_sgd_step,
            linear=True, stable_interval=stable_interval, check=check,
            label={"en": "SGD (PyTorch)", "es": "SGD (PyTorch)"},
            color="#332288", factory=torch_sgd)  # Tol indigo
