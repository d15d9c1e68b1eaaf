"""Figure 6.1: linear regression f(x) = phi0 + phi1 x on the lecture's 12 points.

Gradient descent with the lecture's bracketing line search (max_dist 0.1) from (1.6, -0.5),
run by fastdescent.run: (a) the loss surface in 3-D with the path, (b) its contours with the
numbered iterates, (c) the data with the lines of the first iterates and the last one.
"""
from __future__ import annotations

import functools

import matplotlib as mpl
import numpy as np

import fastdescent as fd
from fastdescent import plotting as fp
from fastdescent.plotting import style as S
from fastdescent.plotting.i18n import t
from fastdescent.plotting.predict import predict

from ._common import cli, halo_trajectory, make_main, panel_title, trimmed

FIG_ID = "6.1"
START = (1.6, -0.5)
MAX_DIST = 0.1  # the book's value for linear regression
LS_TOL, LS_ITER = 1e-5, 15
STEPS = 300
TOL = 1e-7  # stop when |grad L| < TOL
BOX = ((0.0, 2.0), (-1.0, 1.0))  # intercept x slope
N_LINES = 5  # iterates 0..N_LINES-1 drawn as lines in panel c (plus the last one)
X_RANGE = (0.0, 2.0)


@functools.lru_cache(maxsize=2)
def data(quick: bool = False) -> dict:
    model = fd.models.linear_regression_1d()
    opt = fd.optim.line_search(max_dist=MAX_DIST, tol=LS_TOL, max_iter=LS_ITER)
    res = fd.run(model, opt, START, STEPS, tol=TOL, record_every=1)
    path = trimmed(res.path[0])
    n = 40 if quick else 120
    axes = (np.linspace(*BOX[0], n), np.linspace(*BOX[1], n))
    return {"model": model, "path": path, "loss_path": model.loss_many(path),
            "final": res.params[0], "status": int(res.status[0]), "steps": int(res.steps[0]),
            "least_squares": np.array(model.minima[0].params), "axes": axes,
            "surface": model.loss_on_grid(axes)}


def _step_colors(k: int):
    base = S.optimizer_color("line_search")
    return [S.lighten(base, a) for a in np.linspace(0.65, 0.0, k)]


def draw(d: dict, lang: str = "en"):
    import matplotlib.pyplot as plt

    model, path, axes = d["model"], d["path"], d["axes"]
    color = S.optimizer_color("line_search")
    fig = plt.figure(figsize=(16.0, 5.0), layout="constrained")
    with S.use_style():
        gs = fig.add_gridspec(1, 3, width_ratios=[1.15, 1.0, 0.9])
        ax3 = fig.add_subplot(gs[0], projection="3d")
        ax2 = fig.add_subplot(gs[1])
        ax1 = fig.add_subplot(gs[2])
    # (a) 3-D surface with the path
    fp.loss_surface_3d(model, ax3, axes=axes, lang=lang, alpha=0.8, elev=28, azim=-125)
    fp.trajectory(path, ax3, z=d["loss_path"], color=S.OKABE_ITO["vermillion"], markersize=3.5)
    for axis in (ax3.xaxis, ax3.yaxis, ax3.zaxis):
        axis.set_major_locator(mpl.ticker.MaxNLocator(4))
    ax3.tick_params(labelsize=9, pad=1)
    ax3.set_xlabel(ax3.get_xlabel(), fontsize=10.5, labelpad=6)
    ax3.set_ylabel(ax3.get_ylabel(), fontsize=10.5, labelpad=6)
    ax3.set_zlabel(t("loss", lang), fontsize=10.5, labelpad=2)
    ax3.set_box_aspect(None, zoom=0.85)
    panel_title(ax3, 0, t("loss_surface", lang))
    # (b) contours with the numbered iterates
    fp.loss_surface(model, ax2, axes=axes, levels=20, log=True, lang=lang)
    halo_trajectory(ax2, path, color=S.OKABE_ITO["vermillion"], numbered=True, markersize=4,
                    min_sep=0.07, linewidth=1.6)
    for txt in ax2.texts:
        txt.set_color("black")
    fp.mark_points([d["least_squares"]], ["minimum"], ax=ax2, legend=False)
    panel_title(ax2, 1, t("gd_line_search_path", lang, n=len(path) - 1))
    # (c) the data and the lines of the iterates
    x = np.linspace(*X_RANGE, 200)
    show = list(range(min(N_LINES, len(path))))
    cols = _step_colors(len(show))
    for c, k in zip(cols, show):
        ax1.plot(x, predict(model, path[k], x), color=c, lw=1.8,
                 label=t("step_k", lang, k=k))
    ax1.plot(x, predict(model, path[-1], x), color=color, lw=2.6,
             label=t("step_k_final", lang, k=len(path) - 1))
    ax1.scatter(model.X[:, 0], model.Y[:, 0], s=30, color="black", zorder=3,
                label=t("data", lang))
    ax1.set_xlim(*X_RANGE)
    ax1.set_ylim(0, 2.5)
    ax1.set_xlabel(t("input", lang))
    ax1.set_ylabel(t("output", lang))
    ax1.legend(loc="upper left", fontsize=9.5, ncol=3, columnspacing=1.0, handlelength=1.5)
    panel_title(ax1, 2, t("fitted_lines", lang))
    return fig


main = make_main(FIG_ID, data, draw)

if __name__ == "__main__":
    raise SystemExit(cli(FIG_ID, main))
