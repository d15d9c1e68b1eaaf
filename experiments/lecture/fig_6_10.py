"""Figure 6.10: the lecture's bracketing line search on the 1-D demo function
L(phi) = 1 - 0.5 exp(-(phi-0.65)^2/0.1) - 0.45 exp(-(phi-0.35)^2/0.02) on [0, 1].

Point: comparing the loss at the four points a < b < c < d of a bracket tells which part of
the bracket cannot hold the minimum; dropping it shrinks the bracket round after round around a
minimum.

Four points start at 0, 0.33, 0.66, 1 (M = 1, the book's values); each round applies one of
the three rules of :mod:`fastdescent.optim.line_searches` (the same njit code the engine's
``line_search`` runs), chosen by the losses at the bracket's points:

1. L(a) lowest of the four: b, c, d move halfway towards a;
2. else L(b) < L(c): the minimum is not in (c, d]: d <- c;
3. else (L(b) >= L(c)): the minimum is not in [a, b): a <- b;

then b, c divide the new [a, d] in thirds. Each panel shows one bracket (the initial one and
the brackets after rounds 1 and 2) and, in its title, the comparison of L at the points shown
and the rule it triggers; the band under the curve marks the bracket the rule leaves for the
next round. The line under the panels reports where the search ends (tol 1e-4, at most 10 rounds).
"""
from __future__ import annotations

import functools

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

import fastdescent as fd
from fastdescent import plotting as fp
from fastdescent.optim import line_searches as B
from fastdescent.plotting import style as S
from fastdescent.plotting.i18n import Texts, t

from ._common import cli, make_main, panel_title

#: This figure, as the registry reads it (``experiments.lecture.REGISTRY``): id, file-name
#: slug, titles and place in the lecture.
FIGURE = dict(id="6.10", slug="line-search", order=100,
              en='Bracketing line search',
              es='Búsqueda lineal por intervalos')
FIG_ID = FIGURE["id"]
MAX_DIST = 1.0  # M: the search interval is [0, M]
TOL = 1e-4  # book value for the 1-D demo
MAX_ITER = 10
N_PANELS = 3
NAMES = ("a", "b", "c", "d")
C_BRACKET = "0.85"  # the bracket shown
C_NEXT = "0.35"  # the bracket left for the next round

T = Texts({
    "f610_initial": {"en": "Initial bracket", "es": "Intervalo inicial"},
    "f610_after": {"en": "After round {k}", "es": "Tras la ronda {k}"},
    "f610_rule_1": {"en": "$L(a)$ lowest: b, c, d to a",
                    "es": "$L(a)$ mínima: b, c, d hacia a"},
    "f610_rule_2": {"en": "$L(b) < L(c)$: d $\\leftarrow$ c",
                    "es": "$L(b) < L(c)$: d $\\leftarrow$ c"},
    "f610_rule_3": {"en": "$L(b) \\geq L(c)$: a $\\leftarrow$ b",
                    "es": "$L(b) \\geq L(c)$: a $\\leftarrow$ b"},
    "f610_bracket": {"en": "Bracket $[a, d]$", "es": "Intervalo $[a, d]$"},
    "f610_next": {"en": "Next bracket", "es": "Intervalo siguiente"},
    "f610_settings": {
        "en": "$L(\\phi) = 1 - 0.5\\, \\exp(-(\\phi-0.65)^2/0.1) - 0.45\\, "
              "\\exp(-(\\phi-0.35)^2/0.02)$, searched on $[0, M]$, $M$ = {m:g}",
        "es": "$L(\\phi) = 1 - 0{{,}}5\\, \\exp(-(\\phi-0{{,}}65)^2/0{{,}}1) - 0{{,}}45\\, "
              "\\exp(-(\\phi-0{{,}}35)^2/0{{,}}02)$, búsqueda en $[0, M]$, $M$ = {m:g}"},
    "f610_result": {
        "en": "Until $|b - c|$ < {tol:g} (or {r} rounds): after {n} rounds the step is "
              "$\\phi$ = {x:.4f} (global minimum at {g:.4f})",
        "es": "Hasta $|b - c|$ < {tol:g} (o {r} rondas): tras {n} rondas el paso es "
              "$\\phi$ = {x:.4f} (mínimo global en {g:.4f})"},
})


@functools.lru_cache(maxsize=2)
def data(quick: bool = False) -> dict:
    """Every bracket of the search (row k = after k rounds), the rule of each round, losses."""
    model = fd.models.line_search_demo()
    br = [np.array(B.initial_bracket(MAX_DIST))]
    rules = []
    rounds = 0
    while not B.bracket_done(br[-1][1], br[-1][2], TOL, rounds, MAX_ITER):
        losses = model.loss_many(br[-1][:, None])
        rules.append(int(B.bracket_rule(*losses)))
        br.append(np.array(B.bracket_update(*br[-1], *losses)))
        rounds += 1
    br = np.array(br)
    x = np.linspace(0.0, 1.0, 400 if quick else 1000)
    step = 0.5 * (br[-1][1] + br[-1][2])
    return {"model": model, "brackets": br, "rules": np.array(rules),
            "bracket_losses": model.loss_many(br.reshape(-1, 1)).reshape(br.shape),
            "x": x, "curve": model.loss_many(x[:, None]), "result": step,
            "result_loss": model.loss(np.array([step])),
            "minimum": np.array(model.minima[0].params)}


def title(d: dict, k: int, lang: str) -> str:
    """Title of panel ``k``: which bracket it shows and the rule its losses trigger."""
    head = T("f610_initial", lang) if k == 0 else T("f610_after", lang, k=k)
    rule = T(f"f610_rule_{int(d['rules'][k])}", lang)
    return f"{head}: {rule}"


def draw(d: dict, lang: str = "en"):
    """Figure 6.10 of ``data()`` with labels in ``lang`` (drawn in the house style)."""
    with S.use_style():
        return _draw(d, lang)


def _draw(d: dict, lang: str):
    fig, axs = fp.figure(1, N_PANELS, sharey=True, size=(13.0, 4.9))
    for k, ax in enumerate(axs):
        br, lo = d["brackets"][k], d["bracket_losses"][k]
        nxt = d["brackets"][k + 1]
        ax.axvspan(br[0], br[3], color=C_BRACKET, lw=0, zorder=0)
        ax.plot([nxt[0], nxt[3]], [0.29, 0.29], color=C_NEXT, lw=7, solid_capstyle="butt",
                zorder=2)
        ax.plot(d["x"], d["curve"], color="black", zorder=2)
        for j in range(4):
            ax.plot([br[j], br[j]], [0.25, lo[j]], color="black", lw=1.0, ls=":", zorder=1)
            ax.plot([br[j]], [lo[j]], "o", ms=9, color="white", mec="black", mew=1.5, zorder=3)
            ax.annotate(NAMES[j], (br[j], lo[j]), xytext=(0, 8), textcoords="offset points",
                        ha="center", va="bottom", fontsize=15, fontweight="bold", zorder=4)
        ax.set_xlim(-0.03, 1.03)
        ax.set_ylim(0.25, 1.12)
        ax.set_xticks([0, 0.5, 1])
        ax.set_xlabel(t("parameter_phi", lang))
        panel_title(ax, k, title(d, k, lang), fontsize=13)
    axs[0].set_ylabel(t("loss", lang))
    handles = [Patch(color=C_BRACKET), Line2D([], [], color=C_NEXT, lw=7,
                                              solid_capstyle="butt")]
    axs[-1].legend(handles, [T("f610_bracket", lang), T("f610_next", lang)],
                   loc="upper right")
    fig.suptitle(T("f610_settings", lang, m=MAX_DIST), fontsize=14)
    fig.supxlabel(T("f610_result", lang, tol=TOL, r=MAX_ITER, n=len(d["rules"]),
                    x=d["result"], g=d["minimum"][0]), fontsize=13)
    return fig


main = make_main(FIG_ID, data, draw)

if __name__ == "__main__":
    raise SystemExit(cli(FIG_ID, main))
