"""The public names of the API reference: one list read by ``docs/conf.py`` (which generates
a page per name) and by ``tests/test_docs_examples.py`` (which checks each page's example).

A module is public when no part of its dotted name starts with ``_``; its ``__all__`` decides
which of its names are public. Importing this module has no side effects.
"""
from __future__ import annotations

import importlib
import inspect
import pkgutil


def public_all() -> dict:
    """``__all__`` of every public fastdescent module, keyed by the module's dotted name."""
    import fastdescent

    out = {}
    for info in pkgutil.walk_packages(fastdescent.__path__, "fastdescent."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        mod = importlib.import_module(info.name)
        out[info.name] = list(getattr(mod, "__all__", []))
    out["fastdescent"] = list(fastdescent.__all__)
    return out


def has_own_docstring(obj) -> bool:
    """True for the names that have a docstring of their own on their API page: functions,
    classes, exceptions and compiled functions (Numba dispatchers and intrinsics). A constant
    is described by its ``#:`` comment and its value instead."""
    if inspect.ismodule(obj):
        return False
    if inspect.isclass(obj) or inspect.isroutine(obj):
        return True
    doc = getattr(obj, "__doc__", None)
    return bool(doc) and doc != getattr(type(obj), "__doc__", None)


def documented_objects() -> dict:
    """Each object with a docstring of its own, once, keyed by the dotted name of the module
    that defines it (where ``--doctest-modules`` runs its examples) and its name there:
    ``{(module, name): (object, [every public dotted name of the object])}``."""
    out: dict = {}
    where: dict = {}
    for mod, names in public_all().items():
        m = importlib.import_module(mod)
        for name in names:
            obj = getattr(m, name, None)
            if obj is None or not has_own_docstring(obj):
                continue
            key = id(obj)
            if key not in where:
                inner = inspect.unwrap(obj) if callable(obj) else obj
                home = getattr(inner, "__module__", None) or mod
                qual = getattr(inner, "__qualname__", None) or getattr(obj, "__name__", name)
                where[key] = (home, qual)
                out[where[key]] = (obj, [])
            out[where[key]][1].append(f"{mod}.{name}")
    return out
