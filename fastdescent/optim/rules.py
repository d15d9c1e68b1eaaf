"""Update rules as in-place njit step kernels on a block of trajectories.

An update rule is an integer id, a number of state slots (arrays the size of the parameters),
a hyperparameter layout (one float per trajectory each) and a step kernel. Everything works on
``(P, B)`` blocks - one column per trajectory - so that loops over ``b`` vectorize, and every
hyperparameter is a per-trajectory value (sweeps need no recompilation).

Every kernel has the one signature ``fastdescent.engine.signatures.UPDATE``,
``kernel(phi, g, state, hyper, t, scale)``: it advances ``phi`` (P, B) and ``state``
(S, P, B) in place given the gradient ``g`` taken at the rule's evaluation point (``phi``
itself, or Nesterov's look-ahead :func:`nesterov_point`). ``t`` counts steps from 0;
``scale`` is the learning-rate schedule's factor for this step and multiplies the rule's first
hyperparameter (the learning rate). The state starts at zero; a rule whose state starts
elsewhere (Adagrad) reads its initial value at ``t = 0``.

The engine receives the kernel as a first-class function (:func:`update_kernel`), so a rule is
compiled, separately and once per machine, only when it is first used: the model-independent
worker contains no rule at all. Line-search rules (``line_search``, ``armijo``) need the loss
and live in :mod:`fastdescent.optim.line_searches`. Every kernel here calls only code in this
file, which keeps Numba's on-disk cache exact (it checks only the kernel's own file).
"""
import math

from numba import njit

# rule ids ------------------------------------------------------------------------------------
GD = 0
MOMENTUM = 1
NESTEROV = 2
NORMALIZED = 3
ADAM = 4
LINE_SEARCH = 5
ARMIJO = 6
TORCH_SGD = 7
TORCH_ADAM = 8
ADAMW = 9
RMSPROP = 10
ADAGRAD = 11

#: (name, hyperparameter names, number of state slots) per rule id
RULES = {
    GD: ("gd", ("lr",), 0),
    MOMENTUM: ("momentum", ("lr", "beta"), 1),
    NESTEROV: ("nesterov", ("lr", "beta"), 1),
    NORMALIZED: ("normalized", ("lr", "eps"), 0),
    ADAM: ("adam", ("lr", "beta", "gamma", "eps"), 2),
    LINE_SEARCH: ("line_search", ("max_dist", "tol", "max_iter"), 0),
    ARMIJO: ("armijo", ("lr", "c", "rho", "max_iter"), 0),
    TORCH_SGD: ("torch_sgd", ("lr", "momentum", "dampening", "nesterov", "weight_decay"), 1),
    TORCH_ADAM: ("torch_adam", ("lr", "beta1", "beta2", "eps", "weight_decay", "amsgrad"), 3),
    ADAMW: ("adamw", ("lr", "beta1", "beta2", "eps", "weight_decay", "amsgrad"), 3),
    RMSPROP: ("rmsprop", ("lr", "alpha", "eps", "momentum", "weight_decay", "centered"), 3),
    ADAGRAD: ("adagrad", ("lr", "lr_decay", "eps", "weight_decay", "initial_accumulator_value"),
              1),
}


@njit(cache=True, error_model="numpy")
def torch_lerp(a, b, w):
    """PyTorch's CPU ``lerp(a, b, w)``, bit for bit (two formulas, chosen by ``|w| < 0.5``)."""
    if abs(w) < 0.5:
        return a + w * (b - a)
    return b - (b - a) * (1.0 - w)


@njit(cache=True, error_model="numpy")
def nesterov_point(phi, state, hyper, scale, out):
    """Nesterov's look-ahead (lecture form) :math:`\\phi - \\alpha\\beta m`, where the
    gradient is taken (used by the engine for the rule code ``NESTEROV``)."""
    P, B = phi.shape
    for k in range(P):
        for b in range(B):
            out[k, b] = phi[k, b] - hyper[0, b] * scale * hyper[1, b] * state[0, k, b]


# ------------------------------------------------------------------------------ the kernels
@njit(cache=True, error_model="numpy")
def gd_step(phi, g, state, hyper, t, scale):
    """:math:`\\phi \\leftarrow \\phi - \\alpha g`."""
    P, B = phi.shape
    for k in range(P):
        for b in range(B):
            phi[k, b] -= hyper[0, b] * scale * g[k, b]


@njit(cache=True, error_model="numpy")
def momentum_step(phi, g, state, hyper, t, scale):
    """Lecture momentum (and Nesterov, with ``g`` at the look-ahead point):
    :math:`m \\leftarrow \\beta m + (1-\\beta) g`, :math:`\\phi \\leftarrow \\phi - \\alpha m`."""
    P, B = phi.shape
    for k in range(P):
        for b in range(B):
            beta = hyper[1, b]
            m = beta * state[0, k, b] + (1.0 - beta) * g[k, b]
            state[0, k, b] = m
            phi[k, b] -= hyper[0, b] * scale * m


@njit(cache=True, error_model="numpy")
def normalized_step(phi, g, state, hyper, t, scale):
    """Per-coordinate normalized gradient,
    :math:`\\phi \\leftarrow \\phi - \\alpha g/(\\sqrt{g^2}+\\epsilon)`."""
    P, B = phi.shape
    for k in range(P):
        for b in range(B):
            gk = g[k, b]
            phi[k, b] -= hyper[0, b] * scale * gk / (math.sqrt(gk * gk) + hyper[1, b])


@njit(cache=True, error_model="numpy")
def adam_step(phi, g, state, hyper, t, scale):
    """Lecture Adam: moments with bias corrections :math:`1-\\beta^{t+1}` and
    :math:`1-\\gamma^{t+1}`."""
    P, B = phi.shape
    # The bias corrections are two scalar libm powers, and a loop that calls them does not
    # vectorize. When every lane of the block has the same (beta, gamma) - the usual case: no
    # sweep, or a sweep over the learning rate - they are computed once and the loop
    # vectorizes (B2 ~10 % faster; ~0.15 s more compile); per lane otherwise. Same bits.
    # The body is written out twice on purpose: sharing it through an inline helper cost
    # 0.1-0.3 s more compile, and a loop over runs of equal betas did not vectorize.
    beta = hyper[1, 0]
    gamma = hyper[2, 0]
    uniform = True
    for b in range(B):
        uniform &= (hyper[1, b] == beta) & (hyper[2, b] == gamma)
    if uniform:
        c1 = 1.0 - beta ** (t + 1)
        c2 = 1.0 - gamma ** (t + 1)
        for k in range(P):
            for b in range(B):
                gk = g[k, b]
                m = beta * state[0, k, b] + (1.0 - beta) * gk
                v = gamma * state[1, k, b] + (1.0 - gamma) * gk * gk
                state[0, k, b] = m
                state[1, k, b] = v
                phi[k, b] -= hyper[0, b] * scale * (m / c1) / (math.sqrt(v / c2) + hyper[3, b])
        return
    for b in range(B):
        beta = hyper[1, b]
        gamma = hyper[2, b]
        c1 = 1.0 - beta ** (t + 1)
        c2 = 1.0 - gamma ** (t + 1)
        for k in range(P):
            gk = g[k, b]
            m = beta * state[0, k, b] + (1.0 - beta) * gk
            v = gamma * state[1, k, b] + (1.0 - gamma) * gk * gk
            state[0, k, b] = m
            state[1, k, b] = v
            phi[k, b] -= hyper[0, b] * scale * (m / c1) / (math.sqrt(v / c2) + hyper[3, b])


@njit(cache=True, error_model="numpy")
def torch_sgd_step(phi, g, state, hyper, t, scale):
    """``torch.optim.SGD``: weight decay, momentum buffer (the gradient at ``t = 0``),
    dampening, Nesterov."""
    P, B = phi.shape
    for b in range(B):
        lr = hyper[0, b] * scale
        mu = hyper[1, b]
        damp = hyper[2, b]
        nest = hyper[3, b] != 0.0
        wd = hyper[4, b]
        for k in range(P):
            gk = g[k, b]
            if wd != 0.0:
                gk = gk + wd * phi[k, b]
            if mu != 0.0:
                if t == 0:
                    buf = gk
                else:
                    buf = state[0, k, b] * mu + gk * (1.0 - damp)
                state[0, k, b] = buf
                if nest:
                    gk = gk + mu * buf
                else:
                    gk = buf
            phi[k, b] -= lr * gk


@njit(cache=True, error_model="numpy", inline="always")
def _torch_adam(phi, g, state, hyper, t, scale, decoupled):
    P, B = phi.shape
    for b in range(B):
        lr = hyper[0, b] * scale
        b1 = hyper[1, b]
        b2 = hyper[2, b]
        eps = hyper[3, b]
        wd = hyper[4, b]
        ams = hyper[5, b] != 0.0
        step = t + 1
        step_size = lr / (1.0 - b1 ** step)
        bc2_sqrt = math.sqrt(1.0 - b2 ** step)
        for k in range(P):
            gk = g[k, b]
            if decoupled:
                phi[k, b] *= 1.0 - lr * wd
            elif wd != 0.0:
                gk = gk + wd * phi[k, b]
            m = torch_lerp(state[0, k, b], gk, 1.0 - b1)
            v = state[1, k, b] * b2 + (1.0 - b2) * gk * gk
            state[0, k, b] = m
            state[1, k, b] = v
            if ams:
                vmax = max(state[2, k, b], v)
                state[2, k, b] = vmax
                denom = math.sqrt(vmax) / bc2_sqrt + eps
            else:
                denom = math.sqrt(v) / bc2_sqrt + eps
            phi[k, b] += -step_size * (m / denom)


@njit(cache=True, error_model="numpy")
def torch_adam_step(phi, g, state, hyper, t, scale):
    """``torch.optim.Adam`` (L2 weight decay added to the gradient; AMSGrad)."""
    _torch_adam(phi, g, state, hyper, t, scale, False)


@njit(cache=True, error_model="numpy")
def adamw_step(phi, g, state, hyper, t, scale):
    """``torch.optim.AdamW``: decoupled weight decay,
    :math:`\\phi \\leftarrow (1-\\alpha\\lambda)\\phi` before the Adam step."""
    _torch_adam(phi, g, state, hyper, t, scale, True)


@njit(cache=True, error_model="numpy")
def rmsprop_step(phi, g, state, hyper, t, scale):
    """``torch.optim.RMSprop`` (momentum, centered)."""
    P, B = phi.shape
    for b in range(B):
        lr = hyper[0, b] * scale
        alpha = hyper[1, b]
        eps = hyper[2, b]
        mom = hyper[3, b]
        wd = hyper[4, b]
        centered = hyper[5, b] != 0.0
        for k in range(P):
            gk = g[k, b]
            if wd != 0.0:
                gk = gk + wd * phi[k, b]
            sq = state[0, k, b] * alpha + (1.0 - alpha) * gk * gk
            state[0, k, b] = sq
            if centered:
                ga = torch_lerp(state[2, k, b], gk, 1.0 - alpha)
                state[2, k, b] = ga
                avg = math.sqrt(sq + (-1.0) * ga * ga) + eps
            else:
                avg = math.sqrt(sq) + eps
            if mom > 0.0:
                buf = state[1, k, b] * mom + gk / avg
                state[1, k, b] = buf
                phi[k, b] += -lr * buf
            else:
                phi[k, b] += -lr * (gk / avg)


@njit(cache=True, error_model="numpy")
def adagrad_step(phi, g, state, hyper, t, scale):
    """``torch.optim.Adagrad`` (lr decay, initial accumulator value read at ``t = 0``)."""
    P, B = phi.shape
    for b in range(B):
        wd = hyper[3, b]
        clr = hyper[0, b] * scale / (1.0 + t * hyper[1, b])
        for k in range(P):
            gk = g[k, b]
            if wd != 0.0:
                gk = gk + wd * phi[k, b]
            s0 = hyper[4, b] if t == 0 else state[0, k, b]
            s = s0 + gk * gk
            state[0, k, b] = s
            phi[k, b] += -clr * (gk / (math.sqrt(s) + hyper[2, b]))


@njit(cache=True, error_model="numpy")
def no_step(phi, g, state, hyper, t, scale):
    """Placeholder the engine receives with line-search rules, which it never calls (empty:
    its compile is then the cheapest possible, ~0.1 s)."""


#: rule id -> its step kernel (line-search rules: see :mod:`fastdescent.optim.line_searches`)
KERNELS = {GD: gd_step, MOMENTUM: momentum_step, NESTEROV: momentum_step,
           NORMALIZED: normalized_step, ADAM: adam_step, TORCH_SGD: torch_sgd_step,
           TORCH_ADAM: torch_adam_step, ADAMW: adamw_step, RMSPROP: rmsprop_step,
           ADAGRAD: adagrad_step}


def update_kernel(rule: int):
    """The step kernel of ``rule`` (:func:`no_step` for a line-search rule), compiled for
    ``fastdescent.engine.signatures.UPDATE`` (or loaded from Numba's cache) on first use."""
    from fastdescent.engine.signatures import UPDATE, compiled

    return compiled(KERNELS.get(rule, no_step), UPDATE)


def apply_update(rule: int, phi, g, state, hyper, t: int, scale: float) -> None:
    """Python convenience: one step of ``rule`` on C-contiguous float64 arrays, in place."""
    update_kernel(rule)(phi, g, state, hyper, t, scale)
