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
    """The public names of every public fastdescent module, keyed by its dotted name: its
    ``__all__``, or, for a module without one, the functions and classes it defines (not
    those it imports, such as ``njit``)."""
    import fastdescent

    out = {}
    for info in pkgutil.walk_packages(fastdescent.__path__, "fastdescent."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        mod = importlib.import_module(info.name)
        out[info.name] = list(getattr(mod, "__all__", None) or _defined(mod))
    out["fastdescent"] = list(fastdescent.__all__)
    return out


def _defined(mod) -> list:
    """Names of the functions and classes (compiled ones included) defined in ``mod``."""
    names = []
    for name, obj in vars(mod).items():
        if name.startswith("_") or inspect.ismodule(obj):
            continue
        inner = inspect.unwrap(obj) if callable(obj) else obj
        if (inspect.isclass(obj) or callable(obj)) and \
                getattr(inner, "__module__", None) == mod.__name__:
            names.append(name)
    return names


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


def page_modules(public: dict | None = None) -> list:
    """The modules with a page of their own: ``fastdescent`` and each of its subpackages and
    modules (the API index lists them), and recursively every submodule its package lists
    in ``__all__``."""
    import fastdescent

    public = public_all() if public is None else public
    todo = ["fastdescent"] + [f"fastdescent.{m.name}" for m in pkgutil.iter_modules(
        fastdescent.__path__) if not m.name.startswith("_")]
    pages = []
    while todo:
        mod = todo.pop(0)
        if mod in pages:
            continue
        pages.append(mod)
        todo += [f"{mod}.{n}" for n in public.get(mod, []) if f"{mod}.{n}" in public]
    return pages


def documented_objects() -> dict:
    """Each object with a docstring of its own, once, keyed by the dotted name of the module
    that defines it (where ``--doctest-modules`` runs its examples) and its name there:
    ``{(module, name): (object, [every public dotted name of the object])}``. The names are
    those of every module's ``__all__`` and those listed on the pages of the modules without
    one (:func:`page_modules`)."""
    public = public_all()
    pages = set(page_modules(public))
    out: dict = {}
    where: dict = {}
    for mod, names in public.items():
        m = importlib.import_module(mod)
        if not hasattr(m, "__all__") and mod not in pages:
            continue
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
