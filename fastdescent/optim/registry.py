"""The registry of update rules: name -> :class:`~fastdescent.optim.record.Rule`.

Built from the records of :mod:`fastdescent.optim.rules` (every module there defines one
``RULE``) plus any a user :func:`register` s. Every consumer reads it: the factories
(:data:`named_optimizers`, :func:`get_optimizer`), the command line and experiment files, the
stability theory, the plots' colours and display names.
"""
from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping

from . import rules as _builtin_package
from .record import Optimizer, Rule

__all__ = ["register", "get_rule", "all_rules", "builtin_rules", "named_optimizers",
           "get_optimizer"]

_RULES: dict[str, Rule] = {}
_BUILTIN: dict[str, Rule] = {}


def register(rule: Rule, *, replace: bool = False) -> Rule:
    """Make ``rule`` known by name to :func:`get_optimizer`, the command line, experiment
    files and plots; returns it. A name already registered needs ``replace=True``."""
    if not isinstance(rule, Rule):
        raise TypeError(f"register() takes a fastdescent.optim.Rule, got {type(rule).__name__}")
    if rule.name in _RULES and _RULES[rule.name] is not rule and not replace:
        raise ValueError(f"an optimizer named {rule.name!r} is already registered "
                         f"(pass replace=True to replace it)")
    _RULES[rule.name] = rule
    return rule


def _builtins() -> None:
    """Register the record of every module of :mod:`fastdescent.optim.rules` (once)."""
    if _BUILTIN:
        return
    found = {}
    for info in sorted(pkgutil.iter_modules(_builtin_package.__path__), key=lambda m: m.name):
        mod = importlib.import_module(f"{_builtin_package.__name__}.{info.name}")
        found[mod.RULE.name] = mod.RULE
    _BUILTIN.update(found)
    for rule in found.values():
        register(rule)


def builtin_rules() -> tuple[Rule, ...]:
    """The rules defined in :mod:`fastdescent.optim.rules`."""
    _builtins()
    return tuple(_BUILTIN.values())


def get_rule(name: str) -> Rule:
    """The registered rule called ``name``; ValueError listing the valid names otherwise."""
    _builtins()
    if name not in _RULES:
        raise ValueError(f"unknown optimizer {name!r}; valid optimizers: {', '.join(_RULES)}")
    return _RULES[name]


def all_rules() -> tuple[Rule, ...]:
    """Every registered rule, built-ins first (in registry order)."""
    _builtins()
    return tuple(_RULES.values())


class _Factories(Mapping):
    """Live view name -> factory of the registry (a rule's public factory, else the rule
    itself, which is callable with keyword hyperparameters)."""

    def __getitem__(self, name):
        _builtins()
        rule = _RULES[name]
        return rule.factory if rule.factory is not None else rule

    def __iter__(self):
        _builtins()
        return iter(list(_RULES))

    def __len__(self):
        _builtins()
        return len(_RULES)

    def __repr__(self):
        return f"named_optimizers({', '.join(self)})"


#: name -> factory of every registered optimizer
named_optimizers = _Factories()


def get_optimizer(name: str, **kwargs) -> Optimizer:
    """Build a registered optimizer by name (``get_optimizer("adam", lr=0.05)``)."""
    return named_optimizers[get_rule(name).name](**kwargs)
