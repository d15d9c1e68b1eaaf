"""Optimizers: update rules as records with njit step kernels, minibatch streams, learning-rate
schedules.

An optimizer is a :class:`Rule` record (one file per built-in in :mod:`.rules`) held in one
registry (:mod:`.registry`); its factories (``gd``, ``adam``, ``lion``, ...) build
:class:`Optimizer` instances. Define your own with :class:`Rule` and :class:`Hyper` (README,
"Your own optimizer").
"""
from . import batches, line_searches, pieces, rules, schedules
from .factories import *  # noqa: F401,F403
from .factories import __all__ as _factory_names
from .schedules import Schedule, named_schedules

__all__ = [*_factory_names, "Schedule", "named_schedules", "schedules", "batches", "rules",
           "line_searches", "pieces"]
