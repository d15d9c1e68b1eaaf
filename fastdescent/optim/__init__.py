"""Optimizers: update rules as njit step kernels, minibatch streams, learning-rate schedules."""
from . import batches, line_searches, rules, schedules
from .factories import (Optimizer, adagrad, adam, adamw, armijo, gd, get_optimizer, line_search,
                        momentum, named_optimizers, nesterov, normalized, rmsprop, torch_adam,
                        torch_sgd)
from .schedules import Schedule, named_schedules

__all__ = ["Optimizer", "gd", "line_search", "armijo", "momentum", "nesterov", "normalized",
           "adam", "torch_sgd", "torch_adam", "adamw", "rmsprop", "adagrad", "named_optimizers",
           "get_optimizer", "Schedule", "named_schedules", "schedules", "batches", "rules",
           "line_searches"]
