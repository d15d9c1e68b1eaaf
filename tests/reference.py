"""Plain-NumPy reference loops of every update rule, one trajectory at a time.

Written directly from the formulas - the lecture's (Prince, *Understanding Deep Learning*,
chapter 6) for ``gd``, ``momentum``, ``nesterov``, ``normalized``, ``adam`` and the bracketing
line search, the factories' docstring for ``armijo``, PyTorch's documented algorithms /
single-tensor CPU code (``torch.optim.SGD``, ``Adam``, ``AdamW``, ``RMSprop``, ``Adagrad``) for
the torch-compatible rules, and the Lion paper's algorithm (Chen et al. 2023) for ``lion``.
Every built-in rule needs a loop here (``test_every_rule_has_a_reference_loop`` fails
otherwise). Nothing here imports the update rules or the engine: the only library pieces used
are the model's loss/gradient (``model.grad``, ``model.subset(batch).grad`` - or any callable
given as ``grad=``), the minibatch stream (:func:`fastdescent.optim.batches.batches`) and the
schedule's value (``Schedule.__call__``).

Every loop returns the whole path, shape ``(steps + 1, P)``: the start and the point after each
update, i.e. what ``fastdescent.run(..., record_every=1).path[i]`` holds.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np

from fastdescent.optim.batches import batches as batch_stream


# ----------------------------------------------------------------------------- step context
@dataclass
class Step:
    """What one step may use: the loss/gradient of the step's examples and the schedule factor."""

    t: int
    scale: float
    batch: np.ndarray | None
    _model: object
    _grad: Callable | None = None
    _loss: Callable | None = None

    def grad(self, phi) -> np.ndarray:
        if self._grad is not None:
            return np.asarray(self._grad(phi, self.batch), dtype=float)
        return self._model.grad(phi)

    def loss(self, phi) -> float:
        if self._loss is not None:
            return float(self._loss(phi, self.batch))
        return self._model.loss(phi)

    def loss_and_grad(self, phi):
        """Loss and gradient from one evaluation (the value the gradient kernel returns)."""
        if self._grad is not None:
            return self.loss(phi), self.grad(phi)
        L, G = self._model.loss_grad_many(np.asarray(phi, dtype=float)[None, :])
        return float(L[0]), G[0]


def steps_of(model, steps, *, batch_size=None, seed=0, index=0, schedule=None, grad=None,
             loss=None, batches=None) -> Iterator[Step]:
    """The ``steps`` step contexts of one trajectory.

    Minibatches (``batch_size`` < N): the examples of step t are
    ``batches(seed, index, N, batch_size, steps)[t]``, or ``batches[t]`` when a sequence is
    given; the step's loss is the **sum** over them (``model.subset(batch)``).
    ``grad(phi, batch)`` / ``loss(phi, batch)`` override the model's kernels (``batch`` is None
    for the full batch).
    """
    N = model.n_examples
    use = batch_size is not None and batch_size < N
    if batches is not None:
        bl = [np.asarray(b, dtype=np.int64) for b in batches[:steps]]
    else:
        bl = batch_stream(seed, index, N, batch_size, steps) if use else [None] * steps
    for t in range(steps):
        scale = 1.0 if schedule is None else float(schedule(t)[0])
        sub = model if bl[t] is None else model.subset(bl[t])
        yield Step(t, scale, bl[t], sub, grad, loss)


def _lerp(a, b, w):
    """PyTorch's CPU ``torch.lerp`` (two formulas chosen by |w| < 0.5)."""
    if abs(w) < 0.5:
        return a + w * (b - a)
    return b - (b - a) * (1.0 - w)


def _path(phi0):
    phi = np.array(phi0, dtype=float)
    return phi, [phi.copy()]


# ----------------------------------------------------------------------------- lecture rules
def gd(phi0, ctx, lr):
    """phi <- phi - alpha g."""
    phi, path = _path(phi0)
    for s in ctx:
        phi = phi - lr * s.scale * s.grad(phi)
        path.append(phi.copy())
    return np.array(path)


def momentum(phi0, ctx, lr, beta):
    """m <- beta m + (1 - beta) g ; phi <- phi - alpha m ; m starts at 0."""
    phi, path = _path(phi0)
    m = np.zeros_like(phi)
    for s in ctx:
        m = beta * m + (1 - beta) * s.grad(phi)
        phi = phi - lr * s.scale * m
        path.append(phi.copy())
    return np.array(path)


def nesterov(phi0, ctx, lr, beta):
    """As momentum, with g taken at the look-ahead point phi - alpha beta m."""
    phi, path = _path(phi0)
    m = np.zeros_like(phi)
    for s in ctx:
        alpha = lr * s.scale
        g = s.grad(phi - alpha * beta * m)
        m = beta * m + (1 - beta) * g
        phi = phi - alpha * m
        path.append(phi.copy())
    return np.array(path)


def normalized(phi0, ctx, lr, eps):
    """phi <- phi - alpha g / (sqrt(g^2) + eps), elementwise."""
    phi, path = _path(phi0)
    for s in ctx:
        g = s.grad(phi)
        phi = phi - lr * s.scale * g / (np.sqrt(g ** 2) + eps)
        path.append(phi.copy())
    return np.array(path)


def adam(phi0, ctx, lr, beta, gamma, eps):
    """m <- beta m + (1-beta) g ; v <- gamma v + (1-gamma) g^2 ;
    phi <- phi - alpha (m / (1-beta^(t+1))) / (sqrt(v / (1-gamma^(t+1))) + eps)."""
    phi, path = _path(phi0)
    m = np.zeros_like(phi)
    v = np.zeros_like(phi)
    for s in ctx:
        g = s.grad(phi)
        m = beta * m + (1 - beta) * g
        v = gamma * v + (1 - gamma) * g ** 2
        m_hat = m / (1 - beta ** (s.t + 1))
        v_hat = v / (1 - gamma ** (s.t + 1))
        phi = phi - lr * s.scale * m_hat / (np.sqrt(v_hat) + eps)
        path.append(phi.copy())
    return np.array(path)


def bracketing(L, M, tol, max_iter, history=None):
    """The lecture's four-point bracketing search of ``L(t)`` over ``t`` in [0, M].

    Start 0, 0.33 M, 0.66 M, M (the book's values). While |b - c| > tol and fewer than
    ``max_iter`` rounds: (1) if L(a) is the lowest of the four (a tie goes to a), move b, c, d
    halfway towards a; (2) else if L(b) < L(c): d <- c and b, c at the thirds of [a, d];
    (3) else a <- b and b, c at the thirds of [a, d]. Returns (b + c) / 2. ``history`` (a list)
    receives every bracket (a, b, c, d), the initial one included.
    """
    a, b, c, d = 0.0, 0.33 * M, 0.66 * M, M
    rounds = 0
    if history is not None:
        history.append((a, b, c, d))
    while abs(b - c) > tol and rounds < max_iter:
        rounds += 1
        la, lb, lc, ld = L(a), L(b), L(c), L(d)
        if la <= min(lb, lc, ld):
            b = a + (b - a) / 2
            c = a + (c - a) / 2
            d = a + (d - a) / 2
        elif lb < lc:
            d = c
            b = a + (d - a) / 3
            c = a + 2 * (d - a) / 3
        else:
            a = b
            b = a + (d - a) / 3
            c = a + 2 * (d - a) / 3
        if history is not None:
            history.append((a, b, c, d))
    return (b + c) / 2


def line_search(phi0, ctx, max_dist, tol, max_iter, diagnostics=None):
    """Gradient descent with the bracketing search along d = -g (the raw gradient), step size
    in [0, M] with M = max_dist (times the schedule factor), on the step's loss.
    ``diagnostics`` (a list) receives ``(step size, rounds)`` of every step."""
    phi, path = _path(phi0)
    for s in ctx:
        g = s.grad(phi)
        brackets = []
        step = bracketing(lambda u, p=phi, g=g, s=s: s.loss(p - u * g), max_dist * s.scale,
                          tol, int(max_iter), brackets)
        if diagnostics is not None:
            diagnostics.append((step, len(brackets) - 1))
        phi = phi - step * g
        path.append(phi.copy())
    return np.array(path)


def armijo(phi0, ctx, lr, c, rho, max_iter, diagnostics=None):
    """Backtracking: try alpha = lr, lr rho, lr rho^2, ... (``max_iter`` trial steps at most)
    and take the first with L(phi - alpha g) <= L(phi) - c alpha |g|^2, else the last tried.
    ``diagnostics`` (a list) receives ``(step size, trial steps evaluated)`` of every step."""
    phi, path = _path(phi0)
    for s in ctx:
        L0, g = s.loss_and_grad(phi)
        gn2 = float(np.sum(g * g))
        alpha = lr * s.scale
        for k in range(int(max_iter)):
            if s.loss(phi - alpha * g) <= L0 - c * alpha * gn2 or k == max_iter - 1:
                break
            alpha = alpha * rho
        if diagnostics is not None:
            diagnostics.append((alpha, k + 1))
        phi = phi - alpha * g
        path.append(phi.copy())
    return np.array(path)


# ----------------------------------------------------------------------------- PyTorch rules
def torch_sgd(phi0, ctx, lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False,
              weight_decay=0.0):
    """torch.optim.SGD: g += wd phi; b_0 = g_0 (first step: no dampening),
    b_t = mu b_{t-1} + (1 - tau) g_t; g = g + mu b (nesterov) or b; phi -= lr g."""
    phi, path = _path(phi0)
    buf = None
    for s in ctx:
        g = s.grad(phi)
        if weight_decay != 0:
            g = g + weight_decay * phi
        if momentum != 0:
            buf = g.copy() if buf is None else buf * momentum + (1 - dampening) * g
            g = g + momentum * buf if nesterov else buf
        phi = phi + (-lr * s.scale) * g
        path.append(phi.copy())
    return np.array(path)


def _adam_torch(phi0, ctx, lr, betas, eps, weight_decay, amsgrad, decoupled):
    b1, b2 = betas
    phi, path = _path(phi0)
    m = np.zeros_like(phi)
    v = np.zeros_like(phi)
    vmax = np.zeros_like(phi)
    for s in ctx:
        step = s.t + 1
        lr_t = lr * s.scale
        g = s.grad(phi)
        if decoupled:
            phi = phi * (1 - lr_t * weight_decay)
        elif weight_decay != 0:
            g = g + weight_decay * phi
        m = _lerp(m, g, 1 - b1)
        v = v * b2 + (1 - b2) * g * g
        step_size = lr_t / (1 - b1 ** step)
        bc2_sqrt = math.sqrt(1 - b2 ** step)
        if amsgrad:
            vmax = np.maximum(vmax, v)  # the raw second moment's running max ...
            denom = np.sqrt(vmax) / bc2_sqrt + eps  # ... bias-corrected afterwards
        else:
            denom = np.sqrt(v) / bc2_sqrt + eps
        phi = phi + (-step_size) * (m / denom)
        path.append(phi.copy())
    return np.array(path)


def torch_adam(phi0, ctx, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
               amsgrad=False):
    """torch.optim.Adam (L2 weight decay added to the gradient)."""
    return _adam_torch(phi0, ctx, lr, betas, eps, weight_decay, amsgrad, decoupled=False)


def adamw(phi0, ctx, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01, amsgrad=False):
    """torch.optim.AdamW: phi <- phi (1 - lr wd) before the Adam step (decoupled decay)."""
    return _adam_torch(phi0, ctx, lr, betas, eps, weight_decay, amsgrad, decoupled=True)


def rmsprop(phi0, ctx, lr=1e-2, alpha=0.99, eps=1e-8, momentum=0.0, weight_decay=0.0,
            centered=False):
    """torch.optim.RMSprop: v <- alpha v + (1-alpha) g^2; centered: gbar <- lerp(gbar, g, 1-alpha)
    and v - gbar^2 under the root; momentum: b <- mu b + g / (sqrt(.) + eps), phi -= lr b."""
    phi, path = _path(phi0)
    v = np.zeros_like(phi)
    gbar = np.zeros_like(phi)
    buf = np.zeros_like(phi)
    for s in ctx:
        lr_t = lr * s.scale
        g = s.grad(phi)
        if weight_decay != 0:
            g = g + weight_decay * phi
        v = v * alpha + (1 - alpha) * g * g
        if centered:
            gbar = _lerp(gbar, g, 1 - alpha)
            avg = np.sqrt(v - gbar * gbar) + eps
        else:
            avg = np.sqrt(v) + eps
        if momentum > 0:
            buf = buf * momentum + g / avg
            phi = phi + (-lr_t) * buf
        else:
            phi = phi + (-lr_t) * (g / avg)
        path.append(phi.copy())
    return np.array(path)


def adagrad(phi0, ctx, lr=1e-2, lr_decay=0.0, eps=1e-10, weight_decay=0.0,
            initial_accumulator_value=0.0):
    """torch.optim.Adagrad: clr = lr / (1 + (step-1) lr_decay); s <- s + g^2 (s starts at the
    initial accumulator value); phi -= clr g / (sqrt(s) + eps)."""
    phi, path = _path(phi0)
    acc = np.full_like(phi, initial_accumulator_value)
    for s in ctx:
        step = s.t + 1
        g = s.grad(phi)
        if weight_decay != 0:
            g = g + weight_decay * phi
        clr = lr * s.scale / (1 + (step - 1) * lr_decay)
        acc = acc + g * g
        phi = phi + (-clr) * (g / (np.sqrt(acc) + eps))
        path.append(phi.copy())
    return np.array(path)


def lion(phi0, ctx, lr=1e-4, beta1=0.9, beta2=0.99, weight_decay=0.0):
    """Lion: c = b1 m + (1-b1) g; phi <- phi (1 - lr wd) - lr sign(c); m <- b2 m + (1-b2) g."""
    phi, path = _path(phi0)
    m = np.zeros_like(phi)
    for s in ctx:
        g = s.grad(phi)
        a = lr * s.scale
        phi = phi * (1 - a * weight_decay)
        phi = phi - a * np.sign(beta1 * m + (1 - beta1) * g)
        m = beta2 * m + (1 - beta2) * g
        path.append(phi.copy())
    return np.array(path)


RULES = {f.__name__: f for f in (gd, momentum, nesterov, normalized, adam, line_search, armijo,
                                 torch_sgd, torch_adam, adamw, rmsprop, adagrad, lion)}


def reference_path(model, name, phi0, steps, *, batch_size=None, seed=0, index=0,
                   schedule=None, grad=None, loss=None, batches=None, **hyper) -> np.ndarray:
    """The path ``(steps + 1, P)`` of rule ``name`` (hyperparameters as in the factories);
    ``batches``: a given sequence of minibatches (one index array per step)."""
    ctx = steps_of(model, steps, batch_size=batch_size, seed=seed, index=index,
                   schedule=schedule, grad=grad, loss=loss, batches=batches)
    return RULES[name](phi0, ctx, **hyper)
