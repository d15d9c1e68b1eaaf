"""Point: gradient descent walks downhill on the least-squares loss L(phi) = sum_i (phi0 + phi1 x_i
- y_i)^2, a convex bowl with one minimum, from a poor start to the least-squares solution; each
iterate phi_t is a line through the data, and the lines approach the best fit (book Figure 6.1).

Figure 6.1: linear regression f(x) = phi0 + phi1 x on the lecture's 12 points.

Gradient descent with the lecture's bracketing line search (M = 0.1, the book's value for this
model; tolerance 1e-5, at most 15 rounds) from (1.6, -0.5), run by fastdescent.run until
|grad L| < TOL: (a) the loss surface in 3-D with the path, (b) its contours with the numbered
iterates, (c) the data with the lines of the first N_LINES iterates and the last one. The path
and the lines are in the line-search colour, lighter for earlier iterates.
"""
from __future__ import annotations

import functools

import matplotlib as mpl
import numpy as np

import fastdescent as fd
from fastdescent import plotting as fp
from fastdescent.plotting import style as S
from fastdescent.plotting.i18n import Texts, number
from fastdescent.plotting.predict import predict

from ._common import cli, halo_trajectory, make_main, panel_title, trimmed

#: This figure, as the registry reads it (``experiments.lecture.REGISTRY``): id, file-name
#: slug, titles and place in the lecture.
FIGURE = dict(id="6.1", slug="linear-regression", order=10,
              en='Linear regression: loss surface and gradient descent with line search',
              es='Regresión lineal: superficie de pérdida y descenso de gradiente con búsqueda lineal')
FIG_ID = FIGURE["id"]
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
    return [S.lighten(base, a) for a in np.linspace(0.7, 0.15, k)]


T = Texts({
    "surface_3d": {"en": "Loss surface and path", "es": "Superficie de pérdida y trayectoria"},
    "contour_title": {"en": "Contours: {n} steps to the minimum",
                      "es": "Curvas de nivel: {n} pasos al mínimo"},
    "lines_title": {"en": "Model of each iterate", "es": "Modelo de cada iteración"},
    "step_label": {"en": "step {k}", "es": "paso {k}"},
    "last_label": {"en": "step {k} (last)", "es": "paso {k} (último)"},
    "caption": {"en": "Gradient descent with line search ($M$ = {m:g}) from {p}; "
                      "★ least-squares solution {q}, $L$ = {L}.",
                "es": "Descenso de gradiente con búsqueda lineal ($M$ = {m:g}) desde {p}; "
                      "★ solución de mínimos cuadrados {q}, $L$ = {L}."},
})


def point(p, lang: str, spec: str = ".2f") -> str:
    """``(1.5, -0.5)``; in Spanish ``(1,5; -0,5)`` (the comma is the decimal mark there)."""
    sep = "; " if lang == "es" else ", "
    return "(" + sep.join(number(float(v), lang, spec) for v in np.ravel(p)) + ")"


def numbered(ax, path, min_sep=0.075):
    """Write the step number beside the iterates of ``path``, skipping a number closer than
    ``min_sep`` (fraction of the axes) to the previous written one."""
    from matplotlib import patheffects

    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    scale = np.array([x1 - x0, y1 - y0])
    last = None
    for i, p in enumerate(path):
        here = (p - [x0, y0]) / scale
        if last is not None and np.hypot(*(here - last)) < min_sep:
            continue
        last = here
        ax.annotate(str(i), p, xytext=(6, 4), textcoords="offset points", fontsize=12,
                    color="black", zorder=9,
                    path_effects=[patheffects.withStroke(linewidth=2.5, foreground="white")])


def draw(d: dict, lang: str = "en"):
    with S.use_style():
        return _draw(d, lang)


def _draw(d: dict, lang: str):
    import matplotlib.pyplot as plt

    model, path, axes = d["model"], d["path"], d["axes"]
    color = S.optimizer_color("line_search")
    fig = plt.figure(figsize=(12.6, 7.0), layout="constrained")
    gs = fig.add_gridspec(2, 2, width_ratios=[1.25, 1.0])
    ax3 = fig.add_subplot(gs[:, 0], projection="3d", computed_zorder=False)
    ax2 = fig.add_subplot(gs[0, 1])
    ax1 = fig.add_subplot(gs[1, 1])
    n = len(path) - 1
    # (a) 3-D surface with the path
    fp.loss_surface_3d(model, ax3, axes=axes, lang=lang, alpha=0.75, elev=30, azim=-125)
    from matplotlib import patheffects

    ax3.plot(path[:, 0], path[:, 1], d["loss_path"], "-o", color=color, lw=2.4, ms=4,
             zorder=10, path_effects=[patheffects.Stroke(linewidth=4.5, foreground="white"),
                                      patheffects.Normal()])
    ax3.plot([path[0, 0]], [path[0, 1]], [d["loss_path"][0]], "o", ms=9, mfc="white", mec=color,
             mew=1.6, zorder=11)
    ax3.set_xticks([0, 1, 2])
    ax3.set_yticks([-1, 0, 1])
    ax3.zaxis.set_major_locator(mpl.ticker.MaxNLocator(3))
    ax3.tick_params(pad=1)
    for axis in (ax3.xaxis, ax3.yaxis, ax3.zaxis):
        axis.set_rotate_label(False)  # horizontal labels: compact, clear of the tick labels
    ax3.set_xlabel(fp.param_label(model, 0, lang), labelpad=14)
    ax3.set_ylabel(fp.param_label(model, 1, lang), labelpad=18)
    ax3.set_zlabel(T("loss", lang), labelpad=8)
    ax3.set_box_aspect(None, zoom=0.9)
    panel_title(ax3, 0, T("surface_3d", lang))
    # (b) contours with the numbered iterates
    fp.loss_surface(model, ax2, axes=axes, levels=20, log=True, colorbar=False, lang=lang)
    halo_trajectory(ax2, path, color=color, markersize=4, linewidth=2.0, arrows=False)
    ax2.plot(*d["least_squares"], marker="*", ms=16, mfc="white", mec="black", ls="none",
             zorder=8)
    ax2.set_xticks([0, 0.5, 1, 1.5, 2])
    ax2.set_yticks([-1, -0.5, 0, 0.5, 1])
    numbered(ax2, path)
    panel_title(ax2, 1, T("contour_title", lang, n=n))
    # (c) the data and the lines of the iterates
    x = np.linspace(*X_RANGE, 200)
    show = list(range(min(N_LINES, len(path))))
    for c, k in zip(_step_colors(len(show)), show):
        ax1.plot(x, predict(model, path[k], x), color=c, lw=2.0,
                 label=T("step_label", lang, k=k))
    ax1.plot(x, predict(model, path[-1], x), color=color, lw=3.0,
             label=T("last_label", lang, k=n))
    ax1.scatter(model.X[:, 0], model.Y[:, 0], s=32, color="black", zorder=3,
                label=T("data", lang))
    ax1.set_xlim(*X_RANGE)
    ax1.set_ylim(0, 3.1)  # room for the legend above the data
    ax1.set_xticks([0, 0.5, 1, 1.5, 2])
    ax1.set_yticks([0, 1, 2])
    ax1.set_xlabel(T("input", lang))
    ax1.set_ylabel(T("output", lang))
    ax1.legend(loc="upper left", ncol=3, handlelength=1.2, columnspacing=0.8,
               borderaxespad=0.2, labelspacing=0.25)
    panel_title(ax1, 2, T("lines_title", lang))
    fig.supxlabel(T("caption", lang, m=MAX_DIST, p=point(START, lang, ".1f"),
                    q=point(d["least_squares"], lang),
                    L=number(model.loss(d["least_squares"]), lang, ".3g")), fontsize=12)
    return fig


main = make_main(FIG_ID, data, draw)

if __name__ == "__main__":
    raise SystemExit(cli(FIG_ID, main))
