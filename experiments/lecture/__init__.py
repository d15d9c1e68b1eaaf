"""The lecture's figures, one script per figure, all computed with fastdescent itself.

Every module ``experiments.lecture.fig_*`` has its settings as constants at the top and

* ``data(quick=False)`` -- the numbers behind the figure (cached per process), computed with
  :func:`fastdescent.run`, :func:`fastdescent.sweep`, the models and :mod:`fastdescent.analysis`;
* ``draw(d, lang="en")`` -- the matplotlib figure of those numbers, labels in ``lang``;
* ``main(lang="en", quick=False, outdir="figures")`` -- writes
  ``outdir/<lang>/<id>-<slug>.png`` and ``.pdf`` (``lang=None``: both languages) and returns
  the written paths; ``python -m experiments.lecture.fig_6_4 [--lang es] [--quick] [-o DIR]``.

:data:`REGISTRY` maps each figure id to its :class:`Figure` (module, file names, titles);
:func:`fastdescent.figures.make_figures` runs them all. This module imports nothing heavy.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass

__all__ = ["Title", "Figure", "REGISTRY", "get", "ids"]


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


def _fig(fid, slug, module, en, es):
    return Figure(fid, slug, f"{__name__}.{module}", Title(en=en, es=es))


REGISTRY: dict[str, Figure] = {f.id: f for f in (
    _fig("6.1", "linear-regression", "fig_6_1",
         "Linear regression: loss surface and gradient descent with line search",
         "Regresión lineal: superficie de pérdida y descenso de gradiente con búsqueda lineal"),
    _fig("6.2", "gabor-model", "fig_6_2", "The Gabor model for several parameter values",
         "El modelo de Gabor para varios valores de los parámetros"),
    _fig("6.3", "gabor-fit", "fig_6_3", "Gabor data and a fitted model",
         "Datos de Gabor y un modelo ajustado"),
    _fig("6.4", "gabor-minima", "fig_6_4",
         "Gabor loss surface: global minimum, local minima and a saddle point",
         "Superficie de pérdida de Gabor: mínimo global, mínimos locales y punto de silla"),
    _fig("6.5", "gd-vs-sgd", "fig_6_5",
         "Gradient descent with line search vs stochastic gradient descent",
         "Descenso de gradiente con búsqueda lineal frente a descenso de gradiente estocástico"),
    _fig("6.6", "sgd-minibatches", "fig_6_6",
         "SGD: every minibatch has its own loss surface",
         "SGD: cada minilote tiene su propia superficie de pérdida"),
    _fig("6.7", "sgd-momentum", "fig_6_7", "SGD without and with momentum",
         "SGD sin y con momentum"),
    _fig("6.8", "nesterov", "fig_6_8", "Momentum vs Nesterov momentum: one step",
         "Momentum frente a momentum de Nesterov: un paso"),
    _fig("6.9", "adam", "fig_6_9",
         "Gradient descent, normalized gradients and Adam on an anisotropic loss",
         "Descenso de gradiente, gradientes normalizados y Adam en una pérdida anisótropa"),
    _fig("6.10", "line-search", "fig_6_10", "Bracketing line search",
         "Búsqueda lineal por intervalos"),
    _fig("convex", "1d", "fig_convex", "Convex and non-convex 1-D losses",
         "Pérdidas 1-D convexas y no convexas"),
    _fig("convex-2d", "hessian", "fig_convex_2d",
         "Convexity in higher dimensions: the Hessian test on a convex and a non-convex loss",
         "Convexidad en dimensiones superiores: la prueba del hessiano en una pérdida convexa "
         "y una no convexa"),
    _fig("problems", "four-types", "fig_problems",
         "Four problem types: fitted models and their losses",
         "Cuatro tipos de problema: modelos ajustados y sus pérdidas"),
    _fig("momentum-weights", "expansion", "fig_momentum_weights",
         "Momentum as a weighted sum of past gradients",
         "El momentum como suma ponderada de gradientes pasados"),
    _fig("schedules", "sgd", "fig_schedules", "Learning-rate schedules and their effect on SGD",
         "Programación de la tasa de aprendizaje y su efecto en SGD"),
    _fig("hyperparameters", "learning-rate", "fig_hyperparameters",
         "Hyperparameters: final loss against the learning rate for each rule",
         "Hiperparámetros: pérdida final frente a la tasa de aprendizaje de cada regla"),
)}


def ids() -> list[str]:
    """The figure ids in lecture order."""
    return list(REGISTRY)


def get(fid: str) -> Figure:
    """The :class:`Figure` of ``fid``; ValueError naming the valid ids otherwise."""
    if fid not in REGISTRY:
        raise ValueError(f"unknown figure id {fid!r}; valid ids: {', '.join(REGISTRY)}")
    return REGISTRY[fid]
