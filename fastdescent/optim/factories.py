"""Named optimizers: thin factories over the records of :mod:`fastdescent.optim.rules`.

Lecture rules (``t`` counts from 0, ``g`` is the gradient of the summed loss):

=============================  ================================================================
``gd(lr)``                     φ ← φ − α g
``line_search(max_dist)``      GD with the lecture's bracketing line search along −g
``armijo(lr)``                 GD with backtracking: α ← ρα until L(φ − αg) ≤ L(φ) − c α ‖g‖²
``momentum(lr, beta)``         m ← β m + (1−β) g,  φ ← φ − α m
``nesterov(lr, beta)``         the same with g taken at φ − αβ m
``normalized(lr, eps)``        φ ← φ − α g / (√(g²) + ε)
``adam(lr, beta, gamma, eps)`` m ← β m + (1−β) g,  v ← γ v + (1−γ) g²,
                               φ ← φ − α (m/(1−β^(t+1))) / (√(v/(1−γ^(t+1))) + ε)
=============================  ================================================================

PyTorch-compatible rules (``torch_sgd``, ``torch_adam``, ``adamw``, ``rmsprop``, ``adagrad``)
follow ``torch.optim``'s single-tensor CPU code step for step, with its defaults; ``lion``
follows the Lion paper's reference code.

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

from .record import (BOOL, ITER, NONNEG, OPEN_UNIT, POSITIVE, UNIT_CLOSED, UNIT_OPEN, Hyper,
                     Optimizer, Rule, Spec)
from .registry import (all_rules, builtin_rules, get_optimizer, get_rule, named_optimizers,
                       register)

# every built-in factory (gd, adam, lion, ...), defined next to its record
_factories = [r.name for r in builtin_rules() if r.factory is not None]
globals().update({r.name: r.factory for r in builtin_rules() if r.factory is not None})

__all__ = ["Optimizer", "Rule", "Hyper", "Spec", "NONNEG", "POSITIVE", "UNIT_OPEN",
           "UNIT_CLOSED", "OPEN_UNIT", "BOOL", "ITER", "named_optimizers", "get_optimizer",
           "get_rule", "all_rules", "builtin_rules", "register", *_factories]
