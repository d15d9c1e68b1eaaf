"""Figure 6.5: gradient descent with line search vs stochastic gradient descent on the Gabor
loss, from the same starting points (fastdescent.run).

(a) Full-batch gradient descent with the lecture's line search (max_dist 2.0) runs into the
minimum of the valley it starts in (or off onto the plateau where the model is zero);
(b) SGD (alpha 0.8, minibatches of 5 drawn without replacement, sum of the minibatch losses)
is noisy and can climb out of a valley. One realisation is drawn (seed SEED, chosen to show
escapes); the legend gives, for each start, the share of N_SEEDS seeds whose final point lies
in the global minimum's valley (loss below GLOBAL_LOSS), so the figure does not oversell it.
"""
from __future__ import annotations

import functools

import numpy as np

import fastdescent as fd
from fastdescent import plotting as fp
from fastdescent.plotting.i18n import t

from ._common import (cli, halo_trajectory, loss_text, make_main, panel_title, point_text,
                      start_colors, trimmed)

FIG_ID = "6.5"
STARTS = ((3.5, 6.5), (-1.5, 6.5), (2.0, 10.0))
MAX_DIST = 2.0  # line search
GD_STEPS = 100
TOL = 1e-6
LR = 0.8  # SGD
BATCH = 5
SGD_STEPS = 120  # 20 epochs of 6 minibatches
SEED = 52  # the realisation drawn
N_SEEDS = 200  # realisations behind the shares in the legend (quick: 20)
GLOBAL_LOSS = 0.8  # a final loss below this is in the global minimum's valley
XLIM = (-10.0, 15.0)  # wider than the book's box: one GD path leaves it to the plateau
YLIM = (2.5, 22.5)


@functools.lru_cache(maxsize=2)
def data(quick: bool = False) -> dict:
    model = fd.models.gabor()
    starts = np.array(STARTS)
    S_ = len(starts)
    gd = fd.run(model, fd.optim.line_search(max_dist=MAX_DIST), starts, GD_STEPS, tol=TOL,
                record_every=1)
    sgd = fd.run(model, fd.optim.gd(lr=LR), starts, SGD_STEPS, batch_size=BATCH, seed=SEED,
                 record_every=1)
    n = 20 if quick else N_SEEDS
    seeds = np.repeat(np.arange(n), S_)
    many = fd.run(model, fd.optim.gd(lr=LR), np.tile(starts, (n, 1)), SGD_STEPS,
                  batch_size=BATCH, seed=seeds, index=np.tile(np.arange(S_), n))
    share = (many.loss.reshape(n, S_) < GLOBAL_LOSS).mean(axis=0)
    gd_global = gd.loss < GLOBAL_LOSS
    return {"model": model, "starts": starts,
            "gd_paths": [trimmed(p) for p in gd.path], "gd_final": gd.params,
            "gd_loss": gd.loss, "gd_global": gd_global,
            "sgd_paths": list(sgd.path), "sgd_final": sgd.params, "sgd_loss": sgd.loss,
            "sgd_share": share, "n_seeds": n, "minimum": np.array([0.0, 16.0]),
            "n": 80 if quick else 220}


def draw(d: dict, lang: str = "en"):
    model = d["model"]
    fig, axs = fp.figure(1, 2, size=(14.0, 6.0), sharey=True)
    axes = (np.linspace(*XLIM, d["n"]), np.linspace(*YLIM, d["n"]))
    cols = start_colors(len(d["starts"]))
    for k, ax in enumerate(axs):
        fp.loss_surface(model, ax, axes=axes, levels=22, colorbar=(k == 1), lang=lang)
        paths = d["gd_paths"] if k == 0 else d["sgd_paths"]
        for j, (c, p) in enumerate(zip(cols, paths)):
            if k == 0:
                lab = f"{point_text(d['starts'][j])}: {loss_text(d['gd_loss'][j], lang)}"
                halo_trajectory(ax, p, color=c, markersize=3.5, linewidth=1.8, max_arrows=25)
            else:
                lab = (f"{point_text(d['starts'][j])}: {loss_text(d['sgd_loss'][j], lang)}; "
                       f"{t('share_global', lang, p=100 * d['sgd_share'][j], n=d['n_seeds'])}")
                halo_trajectory(ax, p, color=c, markersize=0, linewidth=1.1, arrows=False)
                ax.plot(*p[0], "o", ms=8, mfc="white", mec=c, mew=1.5, zorder=7)
            ax.plot([p[-1, 0]], [p[-1, 1]], "o", ms=7, color=c, mec="white", mew=1.2, zorder=7)
            ax.plot([], [], color=c, lw=2, label=lab)
        ax.set_xlim(*XLIM)
        ax.set_ylim(*YLIM)
        if k == 1:
            ax.set_ylabel("")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), fontsize=10,
                  title=t("start_and_final_loss", lang), title_fontsize=10)
    panel_title(axs[0], 0, t("gd_line_search_title", lang, m=MAX_DIST))
    panel_title(axs[1], 1, t("sgd_title", lang, lr=LR, b=BATCH, n=SGD_STEPS))
    return fig


main = make_main(FIG_ID, data, draw)

if __name__ == "__main__":
    raise SystemExit(cli(FIG_ID, main))
