"""Named optimizers: thin factories over the shared rule kernels of :mod:`.rules`.

Lecture rules (``t`` counts from 0, ``g`` is the gradient of the summed loss):

=============================  ================================================================
``gd(lr)``                     :math:`\\phi \\leftarrow \\phi - \\alpha g`
``line_search(max_dist)``      GD with the lecture's bracketing line search along :math:`-g`
``armijo(lr)``                 GD with backtracking: :math:`\\alpha \\leftarrow \\rho\\alpha` until
                               :math:`L(\\phi-\\alpha g) \\le L(\\phi) - c\\,\\alpha\\lVert g\\rVert^2`
``momentum(lr, beta)``         :math:`m \\leftarrow \\beta m + (1-\\beta) g`, :math:`\\phi \\leftarrow \\phi - \\alpha m`
``nesterov(lr, beta)``         the same with :math:`g` taken at :math:`\\phi - \\alpha\\beta m`
``normalized(lr, eps)``        :math:`\\phi \\leftarrow \\phi - \\alpha g / (\\sqrt{g^2} + \\epsilon)`
``adam(lr, beta, gamma, eps)`` :math:`m \\leftarrow \\beta m + (1-\\beta) g`,
                               :math:`v \\leftarrow \\gamma v + (1-\\gamma) g^2`,
                               :math:`\\phi \\leftarrow \\phi - \\alpha \\frac{m/(1-\\beta^{t+1})}{\\sqrt{v/(1-\\gamma^{t+1})}+\\epsilon}`
=============================  ================================================================

PyTorch-compatible rules (``torch_sgd``, ``torch_adam``, ``adamw``, ``rmsprop``, ``adagrad``)
follow ``torch.optim``'s single-tensor CPU code step for step, with its defaults.

How the lecture's rules map onto the library convention
------------------------------------------------------
* ``gd(a)`` = ``torch_sgd(lr=a)``.
* ``momentum(a, b)``: the lecture's buffer is :math:`m_t = \\beta m_{t-1} + (1-\\beta) g_t`,
  :math:`m_{-1}=0`, i.e. :math:`m_t = (1-\\beta)\\sum_{k\\le t}\\beta^k g_{t-k}`. PyTorch's
  ``torch_sgd(lr=a, momentum=b, dampening=b)`` uses the same recursion *except at the first
  step*, where the buffer is set to :math:`g_0` itself (no dampening): its buffer is
  :math:`m_t + \\beta^{t+1} g_0`, so the two differ by a transient that decays like
  :math:`\\beta^t`. With PyTorch's default ``dampening=0`` the buffer is
  :math:`\\sum_k \\beta^k g_{t-k} = m_t/(1-\\beta)` exactly, so lecture ``momentum(a, b)`` =
  ``torch_sgd(lr=a*(1-b), momentum=b)`` step for step (up to rounding).
* ``nesterov(a, b)`` evaluates the gradient at the look-ahead point; PyTorch's
  ``nesterov=True`` instead uses :math:`g_t + \\mu u_t` at the current point (Sutskever's
  reformulation in shifted variables). The iterates differ; the fixed points agree.
* ``adam(a, b, c, e)`` = ``torch_adam(lr=a, betas=(b, c), eps=e)`` up to rounding: PyTorch
  computes :math:`\\phi - \\frac{\\alpha}{1-\\beta_1^t}\\frac{m}{\\sqrt{v}/\\sqrt{1-\\beta_2^t}+\\epsilon}`
  and updates :math:`m` by ``lerp``; identical in exact arithmetic. Note the lecture's default
  ``gamma`` is PyTorch's ``beta2``.
* ``normalized`` has no PyTorch counterpart (it is sign descent smoothed by ``eps``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from . import rules as R

_INF = math.inf


@dataclass(frozen=True)
class Spec:
    """Valid range of one hyperparameter: ``lo <= v < hi`` (inclusiveness by flags)."""

    lo: float = 0.0
    hi: float = _INF
    lo_closed: bool = True
    hi_closed: bool = False
    integer: bool = False
    boolean: bool = False

    def text(self) -> str:
        if self.boolean:
            return "a boolean (0/1)"
        if self.integer:
            return f"an integer >= {int(self.lo)}"
        lb = "[" if self.lo_closed else "("
        rb = "]" if self.hi_closed else ")"
        return f"in {lb}{self.lo:g}, {self.hi:g}{rb}"

    def ok(self, v: np.ndarray) -> np.ndarray:
        good = np.isfinite(v) | ((v == _INF) & (self.hi == _INF) & False)
        good &= (v >= self.lo) if self.lo_closed else (v > self.lo)
        good &= (v <= self.hi) if self.hi_closed else (v < self.hi)
        if self.integer or self.boolean:
            good &= v == np.round(v)
        if self.boolean:
            good &= (v == 0) | (v == 1)
        return good


NONNEG = Spec()
POSITIVE = Spec(lo_closed=False)
UNIT_OPEN = Spec(0.0, 1.0)  # [0, 1)
UNIT_CLOSED = Spec(0.0, 1.0, hi_closed=True)
BOOL = Spec(boolean=True)
ITER = Spec(1.0, integer=True)

_SPECS = {
    R.GD: (NONNEG,),
    R.MOMENTUM: (NONNEG, UNIT_OPEN),
    R.NESTEROV: (NONNEG, UNIT_OPEN),
    R.NORMALIZED: (NONNEG, NONNEG),
    R.ADAM: (NONNEG, UNIT_OPEN, UNIT_OPEN, NONNEG),
    R.LINE_SEARCH: (POSITIVE, POSITIVE, ITER),
    R.ARMIJO: (POSITIVE, Spec(0.0, 1.0, lo_closed=False), Spec(0.0, 1.0, lo_closed=False),
               ITER),
    R.TORCH_SGD: (NONNEG, NONNEG, UNIT_CLOSED, BOOL, NONNEG),
    R.TORCH_ADAM: (NONNEG, UNIT_OPEN, UNIT_OPEN, NONNEG, NONNEG, BOOL),
    R.ADAMW: (NONNEG, UNIT_OPEN, UNIT_OPEN, NONNEG, NONNEG, BOOL),
    R.RMSPROP: (NONNEG, NONNEG, NONNEG, NONNEG, NONNEG, BOOL),
    R.ADAGRAD: (NONNEG, NONNEG, NONNEG, NONNEG, NONNEG),
}


@dataclass(frozen=True, eq=False)
class Optimizer:
    """An update rule with its hyperparameters (each a scalar or a per-trajectory array).

    Attributes
    ----------
    rule : int
        Rule id (see :mod:`fastdescent.optim.rules`).
    hyper : dict
        Hyperparameter name -> float or 1-D array (one value per trajectory).
    """

    rule: int
    hyper: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return R.RULES[self.rule][0]

    @property
    def hyper_names(self) -> tuple[str, ...]:
        return R.RULES[self.rule][1]

    @property
    def n_state(self) -> int:
        """Number of state arrays (each the size of the parameters)."""
        return R.RULES[self.rule][2]

    @property
    def uses_line_search(self) -> bool:
        return self.rule in (R.LINE_SEARCH, R.ARMIJO)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={_short(v)}" for k, v in self.hyper.items())
        return f"{self.name}({args})"

    def describe(self) -> dict:
        return {"name": self.name,
                "hyper": {k: (np.asarray(v).tolist()) for k, v in self.hyper.items()}}

    def replace(self, **changes) -> "Optimizer":
        """A copy with some hyperparameters replaced (validated)."""
        unknown = set(changes) - set(self.hyper_names)
        if unknown:
            raise ValueError(f"{self.name} has no hyperparameter {sorted(unknown)[0]!r}; "
                             f"its hyperparameters are {', '.join(self.hyper_names)}")
        return _make(self.rule, **{**self.hyper, **changes})

    def hyper_matrix(self, n: int) -> np.ndarray:
        """The (H, n) matrix of per-trajectory hyperparameters (scalars broadcast)."""
        H = np.empty((len(self.hyper_names), n))
        for i, name in enumerate(self.hyper_names):
            v = np.asarray(self.hyper[name], dtype=np.float64)
            if v.ndim == 0:
                H[i] = v
            elif v.shape == (n,):
                H[i] = v
            else:
                raise ValueError(f"hyperparameter {name} has {v.size} values but there are {n} "
                                 f"trajectories (give a scalar or one value per trajectory)")
        return H


def _short(v):
    a = np.asarray(v)
    return f"{float(a):g}" if a.ndim == 0 else f"<{a.size} values>"


def _make(rule: int, **hyper) -> Optimizer:
    names = R.RULES[rule][1]
    specs = _SPECS[rule]
    clean = {}
    for name, spec in zip(names, specs):
        v = hyper[name]
        if isinstance(v, (bool, np.bool_)):
            v = float(v)
        try:
            arr = np.asarray(v, dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be a number or a 1-D array of numbers, "
                            f"got {type(v).__name__}") from None
        if arr.ndim > 1 or arr.size == 0:
            raise ValueError(f"{name} must be a scalar or a non-empty 1-D array, "
                             f"got shape {arr.shape}")
        bad = ~spec.ok(arr)
        if np.any(bad):
            first = arr.ravel()[np.argmax(bad.ravel())]
            raise ValueError(f"{R.RULES[rule][0]}: {name} must be {spec.text()}, got {first!r}")
        clean[name] = float(arr) if arr.ndim == 0 else arr.copy()
    if rule == R.TORCH_SGD:
        nest = np.asarray(clean["nesterov"])
        if np.any((nest != 0) & ((np.asarray(clean["momentum"]) <= 0)
                                 | (np.asarray(clean["dampening"]) != 0))):
            raise ValueError("torch_sgd: nesterov momentum requires momentum > 0 and "
                             "dampening = 0 (as in PyTorch)")
    return Optimizer(rule, clean)


def gd(lr=0.1) -> Optimizer:
    """Gradient descent with a fixed step: :math:`\\phi \\leftarrow \\phi - \\alpha g`."""
    return _make(R.GD, lr=lr)


def line_search(max_dist=1.0, tol=1e-5, max_iter=15) -> Optimizer:
    """Gradient descent with the lecture's four-point bracketing line search along :math:`-g`.

    The step size is searched in ``[0, max_dist]`` (``max_dist`` scales the raw gradient);
    book values: ``max_dist=0.1`` (linear regression) or ``2.0`` (Gabor), ``tol=1e-5``,
    ``max_iter=15``. See :mod:`fastdescent.optim.line_searches`.
    """
    return _make(R.LINE_SEARCH, max_dist=max_dist, tol=tol, max_iter=max_iter)


def armijo(lr=1.0, c=1e-4, rho=0.5, max_iter=30) -> Optimizer:
    """Backtracking (Armijo) line search: start at ``lr``, multiply by ``rho`` until
    :math:`L(\\phi - \\alpha g) \\le L(\\phi) - c\\,\\alpha \\lVert g\\rVert^2` (at most
    ``max_iter`` trial steps, i.e. ``max_iter - 1`` reductions; the last trial step is taken if
    none satisfies it, so ``max_iter=1`` is plain gradient descent with step ``lr``)."""
    return _make(R.ARMIJO, lr=lr, c=c, rho=rho, max_iter=max_iter)


def momentum(lr=0.1, beta=0.9) -> Optimizer:
    """Lecture momentum: :math:`m \\leftarrow \\beta m + (1-\\beta) g`,
    :math:`\\phi \\leftarrow \\phi - \\alpha m` (m starts at 0)."""
    return _make(R.MOMENTUM, lr=lr, beta=beta)


def nesterov(lr=0.1, beta=0.9) -> Optimizer:
    """Lecture Nesterov momentum: as :func:`momentum` with the gradient taken at the
    look-ahead point :math:`\\phi - \\alpha\\beta m`."""
    return _make(R.NESTEROV, lr=lr, beta=beta)


def normalized(lr=0.05, eps=1e-8) -> Optimizer:
    """Normalized gradients: :math:`\\phi \\leftarrow \\phi - \\alpha g/(\\sqrt{g^2}+\\epsilon)`
    (elementwise)."""
    return _make(R.NORMALIZED, lr=lr, eps=eps)


def adam(lr=0.05, beta=0.9, gamma=0.999, eps=1e-8) -> Optimizer:
    """Lecture Adam with bias corrections :math:`1-\\beta^{t+1}`, :math:`1-\\gamma^{t+1}`."""
    return _make(R.ADAM, lr=lr, beta=beta, gamma=gamma, eps=eps)


def torch_sgd(lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
    """``torch.optim.SGD``: :math:`g \\leftarrow g + \\lambda\\phi`; buffer
    :math:`b_0 = g_0`, :math:`b_t = \\mu b_{t-1} + (1-\\tau) g_t`; Nesterov uses
    :math:`g + \\mu b`; :math:`\\phi \\leftarrow \\phi - \\gamma g`."""
    return _make(R.TORCH_SGD, lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov,
                 weight_decay=weight_decay)


def torch_adam(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False):
    """``torch.optim.Adam`` (L2 weight decay added to the gradient; AMSGrad keeps the running
    maximum of the raw second moment and bias-corrects it afterwards, as PyTorch's code does)."""
    b1, b2 = _betas(betas)
    return _make(R.TORCH_ADAM, lr=lr, beta1=b1, beta2=b2, eps=eps, weight_decay=weight_decay,
                 amsgrad=amsgrad)


def adamw(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01, amsgrad=False):
    """``torch.optim.AdamW``: decoupled decay :math:`\\phi \\leftarrow \\phi(1-\\gamma\\lambda)`
    before the Adam step."""
    b1, b2 = _betas(betas)
    return _make(R.ADAMW, lr=lr, beta1=b1, beta2=b2, eps=eps, weight_decay=weight_decay,
                 amsgrad=amsgrad)


def rmsprop(lr=1e-2, alpha=0.99, eps=1e-8, momentum=0.0, weight_decay=0.0, centered=False):
    """``torch.optim.RMSprop``: :math:`v \\leftarrow \\alpha v + (1-\\alpha)g^2`; step
    :math:`g/(\\sqrt{v}+\\epsilon)` (centered: :math:`\\sqrt{v - \\bar g^2}`), with optional
    momentum buffer."""
    return _make(R.RMSPROP, lr=lr, alpha=alpha, eps=eps, momentum=momentum,
                 weight_decay=weight_decay, centered=centered)


def adagrad(lr=1e-2, lr_decay=0.0, eps=1e-10, weight_decay=0.0, initial_accumulator_value=0.0):
    """``torch.optim.Adagrad``: :math:`s \\leftarrow s + g^2`,
    :math:`\\phi \\leftarrow \\phi - \\frac{\\gamma}{1+t\\eta}\\,g/(\\sqrt{s}+\\epsilon)`."""
    return _make(R.ADAGRAD, lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                 initial_accumulator_value=initial_accumulator_value)


def _betas(betas):
    try:
        b1, b2 = betas
    except (TypeError, ValueError):
        raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}") from None
    return b1, b2


named_optimizers = {
    "gd": gd, "line_search": line_search, "armijo": armijo, "momentum": momentum,
    "nesterov": nesterov, "normalized": normalized, "adam": adam, "torch_sgd": torch_sgd,
    "torch_adam": torch_adam, "adamw": adamw, "rmsprop": rmsprop, "adagrad": adagrad,
}


def get_optimizer(name: str, **kwargs) -> Optimizer:
    """Build a registered optimizer by name (``get_optimizer("adam", lr=0.05)``)."""
    if name not in named_optimizers:
        raise ValueError(f"unknown optimizer {name!r}; valid optimizers: "
                         f"{', '.join(named_optimizers)}")
    return named_optimizers[name](**kwargs)
