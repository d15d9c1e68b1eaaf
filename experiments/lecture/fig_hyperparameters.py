"""Hyperparameters: the outcome of training against the learning rate for each update rule,
from fastdescent.sweep (one sweep per rule, the learning rate as a sweep axis).

Point: the learning rate is a hyperparameter that must be chosen -- too small and training is
slow, too large and it diverges -- and each update rule has its own usable window (and, on a
non-convex loss, the learning rate also decides which minimum is reached).

(a) The lecture's linear regression from ``LINEAR_START``, ``STEPS_LINEAR`` steps: the excess
    loss :math:`L - L^*` after the last step. A run diverges when the engine flags it
    (a non-finite loss, gradient or parameter, or a parameter beyond the engine's bound);
    diverged runs have no loss point and are marked by a cross in the strip above the panel,
    one row per rule.
(b) The Gabor model from ``N_STARTS`` Latin-hypercube starts over its box (seed
    ``START_SEED``), ``STEPS_GABOR`` steps: the share of starts whose last point lies within
    ``GLOBAL_TOL`` x the box width (each coordinate) of the global minimum, and did not
    diverge. The median final loss over the starts carries no information here (most starts
    end in the same wide local minimum for every rule and rate); the share at the global
    minimum shows where each rule finds the best solution. The global minimum is the lowest
    critical point of kind "minimum" found by damped Newton iterations
    (:func:`experiments.lecture.fig_convex_2d.critical_points`). Plain gradient descent with
    the largest rates overshoots every basin and ends elsewhere without being flagged as
    diverged (the Gabor loss is bounded), so its share drops back to zero there.

Fixed hyperparameters (stated in the legend): momentum and Nesterov :math:`\\beta` = 0.9;
Adam :math:`\\beta` = 0.9, :math:`\\gamma` = 0.99.
"""
from __future__ import annotations

import functools

import numpy as np
from matplotlib.lines import Line2D

import fastdescent as fd
from fastdescent import plotting as fp
from fastdescent.analysis import box_widths
from fastdescent.plotting import style as S
from fastdescent.plotting.i18n import Texts, number, optimizer_label

from ._common import cli, make_main, panel_title
from .fig_convex_2d import critical_points, text_box

#: This figure, as the registry reads it (``experiments.lecture.REGISTRY``): id, file-name
#: slug, titles and place in the lecture.
FIGURE = dict(id="hyperparameters", slug="learning-rate", order=160,
              en='Hyperparameters: final loss against the learning rate for each rule',
              es='Hiperparámetros: pérdida final frente a la tasa de aprendizaje de cada regla')
FIG_ID = FIGURE["id"]
RULES = (  # optimizer name, fixed hyperparameters
    ("gd", {}),
    ("momentum", {"beta": 0.9}),
    ("nesterov", {"beta": 0.9}),
    ("adam", {"beta": 0.9, "gamma": 0.99}),
)
LRS = (1e-4, 1.0, 25)  # geomspace(lo, hi, n); quick: 9 values
LINEAR_START = (1.6, -0.5)
STEPS_LINEAR = 100
STEPS_GABOR = 200
N_STARTS = 256  # quick: 32
START_SEED = 0
GLOBAL_TOL = 0.01  # "at the global minimum": within this fraction of the box width
NEWTON_GRID = 40  # starts per axis of the search for the global minimum (quick: 16)

T = Texts({
    "title_linear": {"en": "Linear regression from {start}, {n} steps",
                     "es": "Regresión lineal desde {start}, {n} pasos"},
    "title_gabor": {"en": "Gabor model, {n} starts, {s} steps",
                    "es": "Modelo de Gabor, {n} inicios, {s} pasos"},
    "at_global": {"en": "Starts ending at the global minimum (%)",
                  "es": "Inicios que acaban en el mínimo global (%)"},
    "diverged_row": {"en": "Diverged", "es": "Diverge"},
    "diverged_note": {"en": "Diverged (no final loss)", "es": "Diverge (sin pérdida final)"},
    "beta": {"en": "{name}, $\\beta$ = {b:g}", "es": "{name}, $\\beta$ = {b:g}"},
    "beta_gamma": {"en": "{name}, $\\beta$ = {b:g}, $\\gamma$ = {g:g}",
                   "es": "{name}, $\\beta$ = {b:g}, $\\gamma$ = {g:g}"},
    "caption_min": {"en": "Global minimum {phi}, $L$ = {loss:.3g}",
                    "es": "Mínimo global {phi}, $L$ = {loss:.3g}"},
    "caption_tol": {"en": "reached: last point within {tol:g}% of the box width",
                    "es": "alcanzado: último punto a menos del {tol:g} % del ancho de la caja"},
    "caption_starts": {"en": "starts: Latin hypercube over the box",
                       "es": "inicios: hipercubo latino sobre la caja"},
})


def rule_label(name: str, hyper: dict, lang: str) -> str:
    """Legend label of a rule with its fixed hyperparameters."""
    base = optimizer_label(name, lang)
    if "gamma" in hyper:
        return T("beta_gamma", lang, name=base, b=hyper["beta"], g=hyper["gamma"])
    if "beta" in hyper:
        return T("beta", lang, name=base, b=hyper["beta"])
    return base


@functools.lru_cache(maxsize=2)
def data(quick: bool = False) -> dict:
    lrs = np.geomspace(LRS[0], LRS[1], 9 if quick else LRS[2])
    lin, gab = fd.models.linear_regression_1d(), fd.models.gabor()
    starts = fd.latin_hypercube(gab, 32 if quick else N_STARTS, seed=START_SEED)
    att = critical_points(gab, 16 if quick else NEWTON_GRID)
    mins = [k for k in range(len(att)) if att.kinds[k] == "minimum"]
    g = min(mins, key=lambda k: att.losses[k])
    gmin, gloss = np.asarray(att.locations[g], float), float(att.losses[g])
    width = box_widths(gab)
    out = {"lr": lrs, "linear": {}, "linear_loss": {}, "linear_diverged": {}, "gabor": {},
           "gabor_diverged": {}, "n_starts": len(starts), "global_min": gmin,
           "global_loss": gloss}
    best = lin.minima[0].loss
    for name, hyper in RULES:
        opt = fd.optim.get_optimizer(name, **hyper)
        ds = fd.sweep(lin, opt, np.array([LINEAR_START]), STEPS_LINEAR, lr=lrs)
        loss = ds["loss"].values.reshape(len(lrs))
        div = ds["status"].values.reshape(len(lrs)) == fd.engine.status.DIVERGED
        out["linear_loss"][name] = loss
        out["linear"][name] = np.where(div, np.nan, np.maximum(loss - best, 1e-16))
        out["linear_diverged"][name] = div
        ds = fd.sweep(gab, opt, starts, STEPS_GABOR, lr=lrs)
        P = ds["params"].transpose("lr", "init", "param").values
        st = ds["status"].transpose("lr", "init").values
        dist = np.max(np.abs(P - gmin) / width, axis=-1)
        ok = st != fd.engine.status.DIVERGED
        out["gabor"][name] = np.mean(ok & (dist <= GLOBAL_TOL), axis=1)
        out["gabor_diverged"][name] = np.mean(~ok, axis=1)
    return out


def draw(d: dict, lang: str = "en"):
    """The figure of ``data()`` with labels in ``lang``, drawn in the house style."""
    with S.use_style():
        return _draw(d, lang)


def _draw(d: dict, lang: str):
    import matplotlib as mpl
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(13.2, 6.6), layout="constrained")
    gs = fig.add_gridspec(2, 2, height_ratios=[0.28, 1.0])
    axs = fig.add_subplot(gs[0, 0])
    ax1 = fig.add_subplot(gs[1, 0], sharex=axs)
    ax2 = fig.add_subplot(gs[:, 1])
    lrs = d["lr"]
    handles = []
    n = len(RULES)
    for j, (name, hyper) in enumerate(RULES):
        c = S.optimizer_color(name)
        lab = rule_label(name, hyper, lang)
        handles.append(ax1.plot(lrs, d["linear"][name], "-o", color=c, ms=5, label=lab)[0])
        div = d["linear_diverged"][name]
        axs.plot(lrs[div], np.full(div.sum(), n - 1 - j), "x", color=c, ms=9, mew=2.4)
        ax2.plot(lrs, 100 * d["gabor"][name], "-o", color=c, ms=5)
        if np.any(d["gabor_diverged"][name] > 0):
            ax2.plot(lrs, 100 * d["gabor_diverged"][name], ":", color=c, lw=1.6)
    # the divergence strip: one row per rule, no y scale
    axs.set_ylim(-0.7, n - 0.3)
    axs.set_yticks([])
    axs.set_ylabel(T("diverged_row", lang), rotation=0, ha="right", va="center")
    for side in ("left", "top", "right"):
        axs.spines[side].set_visible(False)
    axs.tick_params(axis="x", labelbottom=False)
    axs.set_xscale("log")
    start = "(" + ("; " if lang == "es" else ", ").join(number(v, lang)
                                                         for v in LINEAR_START) + ")"
    panel_title(axs, 0, T("title_linear", lang, start=start, n=STEPS_LINEAR))
    for ax in (ax1, ax2):
        ax.set_xscale("log")
        ax.set_xlabel(T("learning_rate", lang))
        ax.set_xlim(lrs[0] / 1.5, lrs[-1] * 1.5)
    ax1.set_yscale("log")
    ax1.set_ylabel(T("excess_loss", lang))
    ax1.yaxis.set_major_locator(mpl.ticker.LogLocator(numticks=6))
    ax2.set_ylabel(T("at_global", lang))
    ax2.set_ylim(0, max(5.0, 100 * max(np.max(v) for v in d["gabor"].values()) * 1.45))
    panel_title(ax2, 1, T("title_gabor", lang, n=d["n_starts"], s=STEPS_GABOR))
    handles.append(Line2D([], [], ls="none", marker="x", color="0.3", ms=9, mew=2.4,
                          label=T("diverged_note", lang)))
    fig.legend(handles=handles, loc="outside lower center", ncol=3)
    phi = "(" + ("; " if lang == "es" else ", ").join(number(v, lang, ".2f")
                                                       for v in d["global_min"]) + ")"
    text_box(ax2, [T("caption_min", lang, phi=phi, loss=d["global_loss"]),
                   T("caption_tol", lang, tol=100 * GLOBAL_TOL),
                   T("caption_starts", lang)], "upper left")
    return fig


main = make_main(FIG_ID, data, draw)

if __name__ == "__main__":
    raise SystemExit(cli(FIG_ID, main))
