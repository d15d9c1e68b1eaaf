"""Figure 6.6: stochastic gradient descent step by step. Every minibatch B_t has its own loss
L_B(phi) = sum over i in B_t of (f(x_i; phi) - y_i)^2 (Model.subset), and SGD takes one plain
gradient step on it: phi_{t+1} = phi_t - alpha grad L_B(phi_t).

(a) the full-batch Gabor loss with the first steps of the run; (b)-(f) the loss of each
minibatch, with the point and the step taken on it. The run is the one of figure 6.5 from
(-1.5, 6.5) (same seed and trajectory index, so the same minibatches,
fastdescent.optim.batches.batches).
"""
from __future__ import annotations

import functools

import numpy as np

import fastdescent as fd
from fastdescent import plotting as fp
from fastdescent.optim.batches import batches
from fastdescent.plotting import style as S
from fastdescent.plotting.i18n import t

from . import fig_6_5
from ._common import cli, make_main, panel_title

FIG_ID = "6.6"
START_INDEX = 1  # fig_6_5.STARTS[1] = (-1.5, 6.5), the same stream as in figure 6.5
LR = fig_6_5.LR
BATCH = fig_6_5.BATCH
SEED = fig_6_5.SEED
N_STEPS = 5  # minibatch panels
MARGIN = 2.0  # the panels show the path's bounding box widened by this much


@functools.lru_cache(maxsize=2)
def data(quick: bool = False) -> dict:
    model = fd.models.gabor()
    start = np.array(fig_6_5.STARTS[START_INDEX])
    res = fd.run(model, fd.optim.gd(lr=LR), start, N_STEPS, batch_size=BATCH, seed=SEED,
                 index=[START_INDEX], record_every=1)
    path = res.path[0]
    idx = batches(SEED, START_INDEX, model.n_examples, BATCH, N_STEPS)
    n = 60 if quick else 160
    lo, hi = path.min(axis=0) - MARGIN, path.max(axis=0) + MARGIN
    axes = (np.linspace(lo[0], hi[0], n), np.linspace(lo[1], hi[1], n))
    return {"model": model, "path": path, "batches": idx, "axes": axes,
            "full": model.loss_on_grid(axes),
            "surfaces": [model.subset(b).loss_on_grid(axes) for b in idx],
            "batch_loss": [model.subset(b).loss(path[k]) for k, b in enumerate(idx)],
            "batch_grad": np.array([model.subset(b).grad(path[k]) for k, b in enumerate(idx)])}


def _surface(ax, axes, Z, levels=18):
    cs = ax.contourf(*axes, Z, levels=levels, cmap=S.LOSS_CMAP)
    ax.contour(*axes, Z, levels=cs.levels, colors="black", linewidths=0.4, alpha=0.35)
    return cs


def draw(d: dict, lang: str = "en"):
    model, path, axes = d["model"], d["path"], d["axes"]
    fig, axs = fp.figure(2, 3, size=(14.0, 8.6), sharex=True, sharey=True)
    axs = axs.ravel()
    color = "white"
    _surface(axs[0], axes, d["full"], levels=22)
    fp.trajectory(path, axs[0], numbered=True, color=color, markersize=4, min_sep=0.03)
    for txt in axs[0].texts:
        txt.set_color("black")
    panel_title(axs[0], 0, t("full_batch_loss", lang), fontsize=12)
    for k in range(N_STEPS):
        ax = axs[k + 1]
        _surface(ax, axes, d["surfaces"][k])
        ax.plot(path[:k + 1, 0], path[:k + 1, 1], "o-", color="white", lw=1, ms=3, alpha=0.7)
        p, q = path[k], path[k + 1]
        ax.annotate("", q, p, arrowprops=dict(arrowstyle="-|>", color=S.OKABE_ITO["vermillion"],
                                              lw=2.2, mutation_scale=16), zorder=6)
        ax.plot(*p, "o", ms=8, mfc="white", mec="black", zorder=7)
        ex = ", ".join(str(int(i)) for i in sorted(d["batches"][k]))
        panel_title(ax, k + 1, t("minibatch_step", lang, k=k, ex=ex), fontsize=11)
    for k, ax in enumerate(axs):
        ax.set_xlim(axes[0][0], axes[0][-1])
        ax.set_ylim(axes[1][0], axes[1][-1])
        if k >= 3:
            ax.set_xlabel(fp.param_label(model, 0, lang))
        if k % 3 == 0:
            ax.set_ylabel(fp.param_label(model, 1, lang))
    return fig


main = make_main(FIG_ID, data, draw)

if __name__ == "__main__":
    raise SystemExit(cli(FIG_ID, main))
