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
    files and plots; returns it. A name already registered needs ``replace=True``.

    Parameters
    ----------
    rule : Rule
        The record to register.
    replace : bool
        Replace a different rule registered under the same name.

    Returns
    -------
    Rule
        ``rule``.

    Raises
    ------
    TypeError
        If ``rule`` is not a :class:`~fastdescent.optim.Rule`.
    ValueError
        If another rule has the name and ``replace`` is false.

    Examples
    --------
    A rule derived from gradient descent with its own name and default learning rate:

    >>> import fastdescent as fd
    >>> slow_gd = fd.optim.get_rule("gd").derive(name="slow_gd", defaults={"lr": 0.01})
    >>> fd.optim.register(slow_gd, replace=True)
    <Rule slow_gd(lr)>
    >>> fd.optim.get_optimizer("slow_gd")
    slow_gd(lr=0.01)
    >>> fd.optim.register(slow_gd.derive(name="slow_gd"))
    Traceback (most recent call last):
        ...
    ValueError: an optimizer named 'slow_gd' is already registered (pass replace=True ...
    """
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
    """The rules defined in :mod:`fastdescent.optim.rules`.

    Returns
    -------
    tuple of Rule

    Examples
    --------
    >>> import fastdescent as fd
    >>> print(*[rule.name for rule in fd.optim.builtin_rules()])
    adagrad adam adamw armijo gd line_search lion momentum nesterov normalized rmsprop torch_adam
    torch_sgd
    """
    _builtins()
    return tuple(_BUILTIN.values())


def get_rule(name: str) -> Rule:
    """The registered rule called ``name``; ValueError listing the valid names otherwise.

    Raises
    ------
    ValueError
        If no rule is registered as ``name``.

    Parameters
    ----------
    name : str
        A registered name.

    Returns
    -------
    Rule

    Examples
    --------
    >>> import fastdescent as fd
    >>> rule = fd.optim.get_rule("momentum")
    >>> rule.hyper_names, rule.defaults, rule.n_state
    (('lr', 'beta'), {'lr': 0.1, 'beta': 0.9}, 1)
    >>> fd.optim.get_rule("sgdx")
    Traceback (most recent call last):
        ...
    ValueError: unknown optimizer 'sgdx'; valid optimizers: adagrad, adam, adamw, armijo, gd, ...
    """
    _builtins()
    if name not in _RULES:
        raise ValueError(f"unknown optimizer {name!r}; valid optimizers: {', '.join(_RULES)}")
    return _RULES[name]


def all_rules() -> tuple[Rule, ...]:
    """Every registered rule, built-ins first (in registry order).

    Returns
    -------
    tuple of Rule

    Examples
    --------
    >>> import fastdescent as fd
    >>> names = [rule.name for rule in fd.optim.all_rules()]
    >>> names[:3], "lion" in names
    (['adagrad', 'adam', 'adamw'], True)
    """
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
    """Build a registered optimizer by name (``get_optimizer("adam", lr=0.05)``).

    Parameters
    ----------
    name : str
        A registered rule's name.
    **kwargs
        Its hyperparameters (defaults for the others).

    Returns
    -------
    Optimizer

    Raises
    ------
    ValueError
        If ``name`` is not registered or a hyperparameter is out of range.
    TypeError
        If a keyword is not a hyperparameter of the rule.

    Examples
    --------
    >>> import fastdescent as fd
    >>> fd.optim.get_optimizer("adam", lr=0.05)
    adam(lr=0.05, beta=0.9, gamma=0.999, eps=1e-08)
    >>> fd.optim.get_optimizer("adam", alpha=0.05)
    Traceback (most recent call last):
        ...
    TypeError: adam() got an unexpected keyword argument 'alpha'
    """
    return named_optimizers[get_rule(name).name](**kwargs)
