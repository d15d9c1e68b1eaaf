"""Update rules as in-place njit step kernels on a block of trajectories.

An update rule is an integer id, a number of state slots (arrays the size of the parameters),
a hyperparameter layout (one float per trajectory each) and a step kernel. Everything works on
``(P, B)`` blocks - one column per trajectory - so that loops over ``b`` vectorize, and every
hyperparameter is a per-trajectory value (sweeps need no recompilation).

``t`` counts steps from 0. ``scale`` is the learning-rate schedule's factor for this step; it
multiplies the rule's first hyperparameter (the learning rate).
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
def init_state(rule, state, hyper):
    """Initial optimizer state: zeros, except Adagrad's accumulator (its initial value)."""
    state[:] = 0.0
    if rule == ADAGRAD:
        for k in range(state.shape[1]):
            for b in range(state.shape[2]):
                state[0, k, b] = hyper[4, b]


@njit(cache=True, error_model="numpy")
def eval_point(rule, phi, state, hyper, scale, out):
    """Where the gradient is taken. Nesterov (lecture form): the look-ahead point
    :math:`\\phi - \\alpha\\beta m`. Returns False when it is ``phi`` itself (nothing written)."""
    if rule != NESTEROV:
        return False
    P, B = phi.shape
    for k in range(P):
        for b in range(B):
            out[k, b] = phi[k, b] - hyper[0, b] * scale * hyper[1, b] * state[0, k, b]
    return True


@njit(cache=True, error_model="numpy")
def apply_update(rule, phi, g, state, hyper, t, scale):
    """Advance ``phi`` (P, B) and ``state`` (S, P, B) in place by one step of ``rule``.

    ``g`` is the gradient at the rule's evaluation point (see :func:`eval_point`).
    Line-search rules are applied by the engine (they need the loss), not here.
    """
    P, B = phi.shape
    if rule == GD:
        for k in range(P):
            for b in range(B):
                phi[k, b] -= hyper[0, b] * scale * g[k, b]
    elif rule == MOMENTUM or rule == NESTEROV:
        # m <- beta m + (1 - beta) g ;  phi <- phi - alpha m
        for k in range(P):
            for b in range(B):
                beta = hyper[1, b]
                m = beta * state[0, k, b] + (1.0 - beta) * g[k, b]
                state[0, k, b] = m
                phi[k, b] -= hyper[0, b] * scale * m
    elif rule == NORMALIZED:
        # phi <- phi - alpha g / (sqrt(g^2) + eps)
        for k in range(P):
            for b in range(B):
                gk = g[k, b]
                phi[k, b] -= hyper[0, b] * scale * gk / (math.sqrt(gk * gk) + hyper[1, b])
    elif rule == ADAM:
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
    elif rule == TORCH_SGD:
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
    elif rule == TORCH_ADAM or rule == ADAMW:
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
                if rule == ADAMW:
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
    elif rule == RMSPROP:
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
    elif rule == ADAGRAD:
        for b in range(B):
            wd = hyper[3, b]
            clr = hyper[0, b] * scale / (1.0 + t * hyper[1, b])
            for k in range(P):
                gk = g[k, b]
                if wd != 0.0:
                    gk = gk + wd * phi[k, b]
                s = state[0, k, b] + gk * gk
                state[0, k, b] = s
                phi[k, b] += -clr * (gk / (math.sqrt(s) + hyper[2, b]))
