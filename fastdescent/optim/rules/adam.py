"""Lecture Adam: :math:`m \\leftarrow \\beta m + (1-\\beta) g`,
:math:`v \\leftarrow \\gamma v + (1-\\gamma) g^2`,
:math:`\\phi \\leftarrow \\phi - \\alpha\\,\\dfrac{m/(1-\\beta^{t+1})}{\\sqrt{v/(1-\\gamma^{t+1})}+\\epsilon}`."""
import math

from numba import njit

from ...contract import like

from ..pieces import bias_correction
from ..record import UNIT_OPEN, Hyper, Rule

LR, BETA, GAMMA, EPS = 0, 1, 2, 3

#: why the Adam family has no linear stability threshold (read by the stability analysis)
ADAPTIVE = (
    "no linear stability threshold: the step is normalised by a running gradient magnitude, "
    "so it is bounded by about lr whatever the curvature (for Adam, "
    "|step| <= lr (1-beta1)/sqrt(1-beta2) when (1-beta1) > sqrt(1-beta2), else <= lr; Kingma & "
    "Ba 2015, Sec. 2.1). On a quadratic the iterates therefore cannot run away exponentially: "
    "far from the minimum they walk back at speed ~lr; near it the step does not shrink with "
    "|g| as a GD step does, so they may oscillate with amplitude of order lr (Adam's lagging "
    "second moment often damps this and it converges) - but they do not diverge.")


@njit(error_model="numpy")
def adam_step(phi, g, state, hyper, t, scale):
    """Moments ``state[0]``, ``state[1]`` with bias corrections :math:`1-\\beta^{t+1}` and
    :math:`1-\\gamma^{t+1}`."""
    P, B = phi.shape
    # The bias corrections are two scalar libm powers, and a loop that calls them does not
    # vectorize. When every lane of the block has the same (beta, gamma) - no sweep, or a sweep
    # over the learning rate - they are computed once and the loop over lanes vectorizes;
    # otherwise per lane. Same bits either way. The two loop bodies are written out because
    # LLVM vectorizes neither a shared inlined body nor a loop over runs of equal betas.
    beta = hyper[BETA, 0]
    gamma = hyper[GAMMA, 0]
    uniform = True
    for b in range(B):
        uniform &= (hyper[BETA, b] == beta) & (hyper[GAMMA, b] == gamma)
    if uniform:
        c1 = bias_correction(beta, t)
        c2 = bias_correction(gamma, t)
        for k in range(P):
            for b in range(B):
                gk = g[k, b]
                m = beta * state[0, k, b] + (like(1.0, beta) - beta) * gk
                v = gamma * state[1, k, b] + (like(1.0, gamma) - gamma) * gk * gk
                state[0, k, b] = m
                state[1, k, b] = v
                phi[k, b] -= hyper[LR, b] * scale * (m / c1) / (math.sqrt(v / c2) + hyper[EPS, b])
        return
    for b in range(B):
        beta = hyper[BETA, b]
        gamma = hyper[GAMMA, b]
        c1 = bias_correction(beta, t)
        c2 = bias_correction(gamma, t)
        for k in range(P):
            gk = g[k, b]
            m = beta * state[0, k, b] + (like(1.0, beta) - beta) * gk
            v = gamma * state[1, k, b] + (like(1.0, gamma) - gamma) * gk * gk
            state[0, k, b] = m
            state[1, k, b] = v
            phi[k, b] -= hyper[LR, b] * scale * (m / c1) / (math.sqrt(v / c2) + hyper[EPS, b])


def adam(lr=0.05, beta=0.9, gamma=0.999, eps=1e-8):
    """Lecture Adam with bias corrections :math:`1-\\beta^{t+1}`, :math:`1-\\gamma^{t+1}`.

    Parameters
    ----------
    lr : float or (N,) array_like
        Learning rate :math:`\\alpha \\ge 0`.
    beta : float or (N,) array_like
        Decay :math:`\\beta \\in [0, 1)` of the first moment.
    gamma : float or (N,) array_like
        Decay :math:`\\gamma \\in [0, 1)` of the second moment.
    eps : float or (N,) array_like
        :math:`\\epsilon \\ge 0` added to the root of the second moment.

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
    The bias corrections make the first step :math:`\\alpha\\,g/(|g|+\\epsilon)`, a step of
    length :math:`\\alpha` along the sign of each gradient component:

    >>> import fastdescent as fd
    >>> res = fd.run(fd.models.quadratic((1.0, 4.0)), fd.optim.adam(lr=0.1), [[1.0, 1.0]], steps=1)
    >>> res.params.round(6)
    array([[0.9, 0.9]])
    >>> fd.optim.adam(beta=1.0)
    Traceback (most recent call last):
        ...
    ValueError: adam: beta must be in [0, 1), got ...
    """
    return RULE(lr=lr, beta=beta, gamma=gamma, eps=eps)


RULE = Rule("adam", (Hyper("lr", 0.05), Hyper("beta", 0.9, UNIT_OPEN),
                     Hyper("gamma", 0.999, UNIT_OPEN), Hyper("eps", 1e-8)), 2, adam_step,
            nonlinear=ADAPTIVE, label={"en": "Adam", "es": "Adam"},
            color="#D55E00", factory=adam)  # Okabe-Ito vermillion
