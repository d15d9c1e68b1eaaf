"""Figure 6.7: SGD without and with momentum on the Gabor loss, from the same start
(-1.5, 6.5) with the same minibatches (same seed and trajectory index): alpha 0.6, batch 5,
81 steps; momentum beta 0.6 (m <- beta m + (1 - beta) g, phi <- phi - alpha m).

Momentum averages the minibatch gradients, so the path is smoother. Each panel also gives the
share of N_SEEDS seeds whose final point lies in the global minimum's valley.
"""
from __future__ import annotations

import functools

import numpy as np

import fastdescent as fd
from fastdescent import plotting as fp
from fastdescent.plotting import style as S
from fastdescent.plotting.i18n import t

from ._common import cli, halo_trajectory, loss_text, make_main, panel_title

FIG_ID = "6.7"
START = (-1.5, 6.5)
LR = 0.6
BETA = 0.6
BATCH = 5
STEPS = 81
SEED = 0
N_SEEDS = 200  # quick: 20
GLOBAL_LOSS = 0.8
XLIM = (-10.0, 10.0)
YLIM = (2.5, 22.5)


@functools.lru_cache(maxsize=2)
def data(quick: bool = False) -> dict:
    model = fd.models.gabor()
    opts = {"sgd": fd.optim.gd(lr=LR), "momentum": fd.optim.momentum(lr=LR, beta=BETA)}
    n = 20 if quick else N_SEEDS
    out = {"model": model, "n_seeds": n, "n": 80 if quick else 220}
    for key, opt in opts.items():
        res = fd.run(model, opt, START, STEPS, batch_size=BATCH, seed=SEED, record_every=1)
        many = fd.run(model, opt, np.tile(START, (n, 1)), STEPS, batch_size=BATCH,
                      seed=np.arange(n), index=np.zeros(n, dtype=np.int64))
        out[key] = {"path": res.path[0], "final": res.params[0], "loss": float(res.loss[0]),
                    "share": float(np.mean(many.loss < GLOBAL_LOSS))}
    return out


def draw(d: dict, lang: str = "en"):
    model = d["model"]
    fig, axs = fp.figure(1, 2, size=(13.0, 5.6), sharey=True)
    axes = (np.linspace(*XLIM, d["n"]), np.linspace(*YLIM, d["n"]))
    for k, (ax, key) in enumerate(zip(axs, ("sgd", "momentum"))):
        fp.loss_surface(model, ax, axes=axes, levels=22, colorbar=(k == 1), lang=lang)
        run = d[key]
        c = S.optimizer_color(key)
        halo_trajectory(ax, run["path"], color=c, markersize=2.5, linewidth=1.3, arrows=False)
        ax.plot(*run["path"][-1], "o", ms=9, color=c, mec="white", mew=1.5, zorder=7)
        title = (t("sgd_plain_title", lang, lr=LR) if key == "sgd"
                 else t("sgd_momentum_title", lang, lr=LR, beta=BETA))
        panel_title(ax, k, title)
        ax.text(0.03, 0.03, t("run_summary", lang, b=BATCH, n=STEPS,
                              loss=loss_text(run["loss"], lang), p=100 * run["share"],
                              s=d["n_seeds"]),
                transform=ax.transAxes, fontsize=10, va="bottom",
                bbox=dict(boxstyle="round", fc="white", ec="0.7", alpha=0.9))
        ax.set_xlim(*XLIM)
        ax.set_ylim(*YLIM)
        if k == 1:
            ax.set_ylabel("")
    return fig


main = make_main(FIG_ID, data, draw)

if __name__ == "__main__":
    raise SystemExit(cli(FIG_ID, main))
