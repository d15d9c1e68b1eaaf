"""The lecture's figures, one script per figure, all computed with fastdescent itself.

Every module ``experiments.lecture.fig_*`` has its settings as constants at the top and

* ``data(quick=False)`` -- the numbers behind the figure (cached per process), computed with
  :func:`fastdescent.run`, :func:`fastdescent.sweep`, the models and :mod:`fastdescent.analysis`;
* ``draw(d, lang="en")`` -- the matplotlib figure of those numbers, labels in ``lang``;
* ``main(lang="en", quick=False, outdir="figures")`` -- writes
  ``outdir/<lang>/<id>-<slug>.png`` and ``.pdf`` (``lang=None``: both languages) and returns
  the written paths; ``python -m experiments.lecture.fig_6_4 [--lang es] [--quick] [-o DIR]``.

Each script describes itself in a literal ``FIGURE = dict(id=..., slug=..., order=..., en=...,
es=...)``; :data:`REGISTRY` maps each figure id to its :class:`Figure` (module, file names,
titles), read from the scripts' source (:func:`scan`) without importing them, so this module
imports nothing heavy. :func:`fastdescent.figures.make_figures` runs them all.
"""
from __future__ import annotations

import ast
import importlib
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Title", "Figure", "REGISTRY", "scan", "get", "ids"]


class Title(dict):
    """A title in every language (``title["es"]``); ``str(title)`` is the English one."""

    def __str__(self) -> str:
        return self["en"]

    __format__ = lambda self, spec: format(str(self), spec)  # noqa: E731


@dataclass(frozen=True)
class Figure:
    """One lecture figure: id (``"6.4"``), file-name slug, script module and titles."""

    id: str
    slug: str
    module: str
    title: Title

    @property
    def stem(self) -> str:
        """File name without suffix: ``"6.4-gabor-minima"``."""
        return f"{self.id}-{self.slug}"

    @property
    def files(self) -> tuple[str, str]:
        """The files the figure writes into each language folder (PNG and PDF)."""
        return (f"{self.stem}.png", f"{self.stem}.pdf")

    def load(self):
        """Import the figure's script module."""
        return importlib.import_module(self.module)


def scan(folder=None, package: str = __name__) -> dict[str, Figure]:
    """The figures of the scripts ``fig_*.py`` in ``folder`` (default: this package), in
    lecture order.

    Each script describes itself with a literal ``FIGURE = dict(id=..., slug=..., order=...,
    en=..., es=...)`` (read from its source with :mod:`ast`, without importing the script), so
    adding a figure is adding one script: nothing else lists it.

    Raises
    ------
    ValueError
        A script without a literal ``FIGURE``, with missing or unknown keys, or an id or order
        that another script already has; the message names the file.
    """
    folder = Path(__file__).parent if folder is None else Path(folder)
    found: list[tuple[int, Figure]] = []
    for path in sorted(folder.glob("fig_*.py")):
        rec = _record(path)
        fig = Figure(rec["id"], rec["slug"], f"{package}.{path.stem}",
                     Title(en=rec["en"], es=rec["es"]))
        for other_order, other in found:
            if other.id == fig.id or other_order == rec["order"]:
                raise ValueError(f"{path.name}: id {fig.id!r} or order {rec['order']} is "
                                 f"already used by {other.module}")
        found.append((rec["order"], fig))
    return {f.id: f for _, f in sorted(found, key=lambda of: of[0])}


_KEYS = {"id": str, "slug": str, "order": int, "en": str, "es": str}


def _record(path: Path) -> dict:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id == "FIGURE"):
            try:
                if not (isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name)
                        and node.value.func.id == "dict" and not node.value.args):
                    raise ValueError
                rec = {kw.arg: ast.literal_eval(kw.value) for kw in node.value.keywords}
            except ValueError:
                raise ValueError(f"{path.name}: FIGURE must be a literal "
                                 f"dict(id=..., slug=..., order=..., en=..., es=...)") from None
            bad = sorted(set(rec) ^ set(_KEYS))
            wrong = [k for k, typ in _KEYS.items() if k in rec and not isinstance(rec[k], typ)]
            if bad or wrong:
                raise ValueError(f"{path.name}: FIGURE needs exactly the keys "
                                 f"{', '.join(_KEYS)} ({', '.join(bad + wrong)} missing, "
                                 f"unknown or of the wrong type)")
            return rec
    raise ValueError(f"{path.name}: no FIGURE = dict(id=..., slug=..., order=..., en=..., es=...)")


#: Figure id -> :class:`Figure`, in lecture order, read from the scripts themselves.
REGISTRY: dict[str, Figure] = scan()


def ids() -> list[str]:
    """The figure ids in lecture order."""
    return list(REGISTRY)


def get(fid: str) -> Figure:
    """The :class:`Figure` of ``fid``; ValueError naming the valid ids otherwise."""
    if fid not in REGISTRY:
        raise ValueError(f"unknown figure id {fid!r}; valid ids: {', '.join(REGISTRY)}")
    return REGISTRY[fid]
