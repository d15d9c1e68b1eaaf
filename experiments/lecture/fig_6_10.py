"""Figure 6.10: the lecture's bracketing line search on the 1-D demo function
L(phi) = 1 - 0.5 exp(-(phi-0.65)^2/0.1) - 0.45 exp(-(phi-0.35)^2/0.02) on [0, 1].

Four points a < b < c < d start at 0, 0.33, 0.66, 1 (M = 1); each round applies one of the
three rules of :mod:`fastdescent.optim.line_searches` (the same njit code the engine's
``line_search`` runs). The panels show the first three brackets and the rule that produced
each one; the text box reports where the search ends.
"""
from __future__ import annotations

import functools

import numpy as np

import fastdescent as fd
from fastdescent import plotting as fp
from fastdescent.optim import line_searches as B
from fastdescent.plotting import style as S
from fastdescent.plotting.i18n import t

from ._common import cli, make_main, panel_title

FIG_ID = "6.10"
MAX_DIST = 1.0  # M: the search interval is [0, M]
TOL = 1e-4  # book value for the 1-D demo
MAX_ITER = 10
N_PANELS = 3
NAMES = ("a", "b", "c", "d")


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


def draw(d: dict, lang: str = "en"):
    fig, axs = fp.figure(1, N_PANELS, sharey=True, size=(14.0, 4.2))
    cols = [S.PALETTE[k] for k in range(4)]
    for k, ax in enumerate(axs):
        br, lo = d["brackets"][k], d["bracket_losses"][k]
        ax.plot(d["x"], d["curve"], color="black", zorder=2)
        ax.axvspan(br[0], br[3], color=S.OKABE_ITO["sky_blue"], alpha=0.15, lw=0, zorder=0)
        for j in range(4):
            ax.plot([br[j], br[j]], [0.0, lo[j]], color=cols[j], lw=1.4, ls=":", zorder=1)
            ax.plot([br[j]], [lo[j]], "o", ms=9, color=cols[j], mec="black", mew=0.8, zorder=3)
            ax.annotate(NAMES[j], (br[j], lo[j]), xytext=(0, 9), textcoords="offset points",
                        ha="center", fontsize=13, color=cols[j], fontweight="bold")
        ax.set_xlim(-0.03, 1.03)
        ax.set_ylim(0.25, 1.12)
        ax.set_xlabel(t("parameter_phi", lang))
        if k == 0:
            title = t("bracket_initial", lang)
        else:
            title = t("bracket_round", lang, k=k) + ": " + t(f"bracket_rule_{d['rules'][k - 1]}",
                                                               lang)
        panel_title(ax, k, title, fontsize=12)
    axs[0].set_ylabel(t("loss", lang))
    note = t("bracket_result", lang, n=len(d["rules"]), x=d["result"],
             m=d["minimum"][0])
    axs[-1].text(0.97, 0.97, note, transform=axs[-1].transAxes, fontsize=10, ha="right",
                 va="top",
                 bbox=dict(boxstyle="round", fc="white", ec="0.7"))
    return fig


main = make_main(FIG_ID, data, draw)

if __name__ == "__main__":
    raise SystemExit(cli(FIG_ID, main))
