"""Learning-rate schedules: a factor :math:`s(t)` that multiplies the learning rate at step t.

A schedule is a kind id and three floats, evaluated by the njit function :func:`factor`; a run
hands the engine the factor of every step (:meth:`Schedule.factors`), so the engine itself
contains no schedule code. Every schedule can be combined with a linear
warm-up: :math:`s(t) \\leftarrow s(t)\\,\\min(1, (t+1)/w)`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

CONSTANT, STEP, EXPONENTIAL, INVERSE_TIME, COSINE = 0, 1, 2, 3, 4
_NAMES = {CONSTANT: "constant", STEP: "step", EXPONENTIAL: "exponential",
          INVERSE_TIME: "inverse_time", COSINE: "cosine"}


@njit(cache=True)
def factor(kind, p0, p1, warmup, t):
    """:math:`s(t)` for schedule ``kind`` with parameters ``p0, p1`` (see the factories).

    Parameters
    ----------
    kind : int
        The schedule's code (``Schedule.kind``).
    p0, p1, warmup : float
        Its parameters (``Schedule.p0``, ``p1``, ``warmup``).
    t : int
        The step, from 0.

    Returns
    -------
    float

    Examples
    --------
    >>> from fastdescent.optim.schedules import factor, step_decay
    >>> s = step_decay(10, 0.5)
    >>> [factor(s.kind, s.p0, s.p1, s.warmup, t) for t in (0, 9, 10, 25)]
    [1.0, 1.0, 0.5, 0.25]
    """
    if kind == STEP:
        s = p1 ** (t // int(p0))
    elif kind == EXPONENTIAL:
        s = p0 ** t
    elif kind == INVERSE_TIME:
        s = 1.0 / (1.0 + p0 * t)
    elif kind == COSINE:
        tt = min(float(t), p0)
        s = p1 + (1.0 - p1) * 0.5 * (1.0 + math.cos(math.pi * tt / p0))
    else:
        s = 1.0
    if warmup > 0.0:
        s *= min(1.0, (t + 1.0) / warmup)
    return s


@njit(cache=True)
def fill_factors(kind, p0, p1, warmup, out):
    """``out[t] = factor(kind, p0, p1, warmup, t)`` for every step ``t``.

    Parameters
    ----------
    kind : int
    p0, p1, warmup : float
        As in :func:`factor`.
    out : ndarray of float64
        Receives one factor per step.

    Examples
    --------
    >>> import numpy as np
    >>> from fastdescent.optim.schedules import exponential, fill_factors
    >>> s = exponential(0.5)
    >>> out = np.empty(4)
    >>> fill_factors(s.kind, s.p0, s.p1, s.warmup, out)
    >>> out
    array([1.   , 0.5  , 0.25 , 0.125])
    """
    for t in range(out.shape[0]):
        out[t] = factor(kind, p0, p1, warmup, t)


@dataclass(frozen=True)
class Schedule:
    """A learning-rate schedule (use the factories below).

    Examples
    --------
    Cosine annealing over 100 steps: the factor multiplies the rule's learning rate.

    >>> import numpy as np
    >>> import fastdescent as fd
    >>> s = fd.optim.schedules.cosine(100)
    >>> s.name, s([0, 50, 100])
    ('cosine', array([1. , 0.5, 0. ]))
    >>> fd.optim.schedules.warmup(4)([0, 1, 2, 3, 10])
    array([0.25, 0.5 , 0.75, 1.  , 1.  ])
    >>> res = fd.run(fd.models.quadratic((1.0,)), fd.optim.gd(lr=0.5), [[1.0]], steps=2,
    ...              schedule=fd.optim.schedules.step_decay(1, 0.5))
    >>> res.params   # 1 - 0.5 * 1 = 0.5, then 0.5 - 0.25 * 0.5
    array([[0.375]])
    """

    kind: int
    p0: float = 0.0
    p1: float = 0.0
    warmup: float = 0.0

    @property
    def name(self) -> str:
        return _NAMES[self.kind]

    def __call__(self, t) -> np.ndarray:
        """Factor at step(s) ``t`` (vectorised in Python, for plots and tests)."""
        t = np.atleast_1d(np.asarray(t, dtype=np.int64))
        return np.array([factor(self.kind, self.p0, self.p1, self.warmup, int(k)) for k in t])

    def factors(self, steps: int) -> np.ndarray:
        """The factor of each of ``steps`` steps, as the engine reads it: the engine holds the
        last value beyond the array, so the constant schedule is the single value 1.0."""
        if self.kind == CONSTANT and self.warmup == 0.0:
            return np.ones(1)
        out = np.empty(int(steps))
        fill_factors(self.kind, float(self.p0), float(self.p1), float(self.warmup), out)
        return out

    def with_warmup(self, steps: int) -> "Schedule":
        """The same schedule preceded by a linear warm-up over ``steps`` steps."""
        return Schedule(self.kind, self.p0, self.p1, float(_positive_int(steps, "steps")))

    def describe(self) -> dict:
        return {"name": self.name, "p0": self.p0, "p1": self.p1, "warmup": self.warmup}


def _positive_int(v, name):
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {v!r}")
    return int(v)


def _unit(v, name, lo_open=True):
    v = float(v)
    if not (0.0 < v <= 1.0) if lo_open else not (0.0 <= v <= 1.0):
        raise ValueError(f"{name} must be in (0, 1], got {v!r}")
    return v


def constant() -> Schedule:
    """:math:`s(t) = 1`.

    Returns
    -------
    Schedule

    Examples
    --------
    >>> from fastdescent.optim.schedules import constant
    >>> constant()([0, 100]), constant().factors(1000)
    (array([1., 1.]), array([1.]))
    """
    return Schedule(CONSTANT)


def step_decay(every: int, factor: float = 0.5) -> Schedule:
    """:math:`s(t) = \\gamma^{\\lfloor t / M\\rfloor}`: multiply by ``factor`` every ``every`` steps.

    Raises
    ------
    ValueError
        If ``every`` is not an integer >= 1 or ``factor`` is not in (0, 1].

    Parameters
    ----------
    every : int
        :math:`M`, steps between reductions.
    factor : float
        :math:`\\gamma \\in (0, 1]`.

    Returns
    -------
    Schedule

    Examples
    --------
    >>> from fastdescent.optim.schedules import step_decay
    >>> step_decay(2, 0.1)([0, 1, 2, 3, 4])
    array([1.  , 1.  , 0.1 , 0.1 , 0.01])
    >>> step_decay(0)
    Traceback (most recent call last):
        ...
    ValueError: every must be an integer >= 1, got 0
    """
    return Schedule(STEP, float(_positive_int(every, "every")), _unit(factor, "factor"))


def exponential(gamma: float) -> Schedule:
    """:math:`s(t) = \\gamma^t`.

    Raises
    ------
    ValueError
        If ``gamma`` is not in (0, 1].

    Parameters
    ----------
    gamma : float
        :math:`\\gamma \\in (0, 1]`.

    Returns
    -------
    Schedule

    Examples
    --------
    >>> from fastdescent.optim.schedules import exponential
    >>> exponential(0.9)([0, 1, 2]).round(6)
    array([1.  , 0.9 , 0.81])
    """
    return Schedule(EXPONENTIAL, _unit(gamma, "gamma"))


def inverse_time(decay: float) -> Schedule:
    """:math:`s(t) = 1 / (1 + k t)` (the classic 1/t decay).

    Raises
    ------
    ValueError
        If ``decay`` is negative or not finite.

    Parameters
    ----------
    decay : float
        :math:`k \\ge 0`.

    Returns
    -------
    Schedule

    Examples
    --------
    >>> from fastdescent.optim.schedules import inverse_time
    >>> inverse_time(0.5)([0, 2, 6])
    array([1.  , 0.5 , 0.25])
    """
    decay = float(decay)
    if not (decay >= 0 and np.isfinite(decay)):
        raise ValueError(f"decay must be a finite number >= 0, got {decay!r}")
    return Schedule(INVERSE_TIME, decay)


def cosine(total_steps: int, final: float = 0.0) -> Schedule:
    """:math:`s(t) = f + (1-f)\\,\\tfrac12(1 + \\cos(\\pi \\min(t, T)/T))` (cosine annealing).

    Raises
    ------
    ValueError
        If ``total_steps`` is not an integer >= 1 or ``final`` is not in [0, 1].

    Parameters
    ----------
    total_steps : int
        :math:`T`.
    final : float
        :math:`f \\in [0, 1]`, the last factor.

    Returns
    -------
    Schedule

    Examples
    --------
    Half way the factor is the mean of 1 and ``final``; after ``total_steps`` it stays at
    ``final``:

    >>> from fastdescent.optim.schedules import cosine
    >>> cosine(100, final=0.1)([0, 50, 100, 200]).round(12)
    array([1.  , 0.55, 0.1 , 0.1 ])
    """
    final = float(final)
    if not 0.0 <= final <= 1.0:
        raise ValueError(f"final must be in [0, 1], got {final!r}")
    return Schedule(COSINE, float(_positive_int(total_steps, "total_steps")), final)


def warmup(steps: int, then: Schedule | None = None) -> Schedule:
    """Linear warm-up :math:`\\min(1, (t+1)/w)` over ``steps`` steps, then ``then`` (constant).

    Raises
    ------
    ValueError
        If ``steps`` is not an integer >= 1.

    Parameters
    ----------
    steps : int
        :math:`w`.
    then : Schedule, optional
        The schedule after the warm-up (default constant).

    Returns
    -------
    Schedule

    Examples
    --------
    >>> from fastdescent.optim.schedules import exponential, warmup
    >>> warmup(4)([0, 1, 3, 10])
    array([0.25, 0.5 , 1.  , 1.  ])
    >>> warmup(2, exponential(0.5))([0, 1, 2, 3])
    array([0.5  , 0.5  , 0.25 , 0.125])
    """
    return (then or constant()).with_warmup(steps)


named_schedules = {"constant": constant, "step": step_decay, "exponential": exponential,
                   "inverse_time": inverse_time, "cosine": cosine, "warmup": warmup}


def as_schedule(s) -> Schedule:
    """Accept None, a Schedule, or a registered name (``"constant"``).

    Raises
    ------
    ValueError
        If a name is unknown or needs parameters.
    TypeError
        If ``s`` is neither None, a name nor a Schedule.

    Parameters
    ----------
    s : None, str or Schedule

    Returns
    -------
    Schedule

    Examples
    --------
    >>> from fastdescent.optim.schedules import as_schedule, cosine
    >>> as_schedule(None).name, as_schedule("constant").name, as_schedule(cosine(10)).name
    ('constant', 'constant', 'cosine')
    >>> as_schedule("cosine")
    Traceback (most recent call last):
        ...
    ValueError: schedule 'cosine' needs parameters: use fastdescent.optim.schedules.cosine(...)
    """
    if s is None:
        return constant()
    if isinstance(s, Schedule):
        return s
    if isinstance(s, str):
        if s != "constant":
            if s in named_schedules:
                raise ValueError(f"schedule {s!r} needs parameters: use "
                                 f"fastdescent.optim.schedules.{named_schedules[s].__name__}(...)")
            raise ValueError(f"unknown schedule {s!r}; valid schedules: "
                             f"{', '.join(named_schedules)}")
        return constant()
    raise TypeError(f"schedule must be None, a name or a Schedule, got {type(s).__name__}")
