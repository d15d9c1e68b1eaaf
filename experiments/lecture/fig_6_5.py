"""Point: full-batch gradient descent runs into the minimum of the valley it starts in, while the
noise of stochastic gradient descent lets it escape from the wrong valley and still reach the
global minimum (book Figure 6.5).

Figure 6.5: gradient descent with line search vs stochastic gradient descent on the Gabor
loss, from the same three starting points (fastdescent.run).

(a) Gradient descent with the lecture's line search (M = 2.0, the book's value) from starts
1-3, none of which lies in the global minimum's valley: each path ends in a local minimum (start
1 leaves the book's box and ends on the plateau at phi0 > 10; the figure says so rather than
widening the axis). The starts (the lecture's (3.5, 6.5) and two more) all lie outside the
global minimum's valley, unlike two of the book's, so that every start contrasts gradient
descent (never reaches it) with SGD (reaches it in a share of the seeds). (b)-(d) SGD with the book's settings (alpha = 0.8, minibatches of 5 of the
30 points drawn without replacement, sum of the minibatch losses, 120 steps = 20 epochs) from
each start: N_SEEDS minibatch streams per start. The drawn path of a start is the seed whose
final loss is closest to the median final loss of its ensemble (ties: the smallest seed), and
the final points of every seed are shown as dots. (e) the share of runs that end at the global
minimum: GD from each start, and SGD over the N_SEEDS seeds. A run "ends at the global minimum"
when gradient descent with line search from its final point (POLISH_STEPS steps) converges to
the global minimum (to within BASIN_TOL in each coordinate): with a constant learning rate SGD
keeps moving about the minimum it is in, so its final loss alone does not say which valley it
ended in.

Colours: the line-search and SGD colours of the house style (bluish green, indigo) mean those
optimizers; starting points are numbered white markers.
"""
from __future__ import annotations

import functools

import numpy as np

import fastdescent as fd
from fastdescent import plotting as fp
from fastdescent.plotting import style as S
from fastdescent.plotting.i18n import Texts, number

from ._common import cli, make_main, panel_title, trimmed

#: This figure, as the registry reads it (``experiments.lecture.REGISTRY``): id, file-name
#: slug, titles and place in the lecture.
FIGURE = dict(id="6.5", slug="gd-vs-sgd", order=50,
              en='Gradient descent with line search vs stochastic gradient descent',
              es='Descenso de gradiente con búsqueda lineal frente a descenso de gradiente estocástico')
FIG_ID = FIGURE["id"]
STARTS = ((3.5, 6.5), (-1.5, 6.5), (2.0, 10.0))
MAX_DIST = 2.0  # line search (book value for the Gabor model)
GD_STEPS = 100
TOL = 1e-6
LR = 0.8  # SGD, the book's settings
BATCH = 5
SGD_STEPS = 120  # 20 epochs of 6 minibatches
N_SEEDS = 200  # minibatch streams per start (quick mode: QUICK_SEEDS)
QUICK_SEEDS = 60
POLISH_STEPS = 200  # line-search steps from a final point to find the minimum it lies at
BASIN_TOL = 0.05  # |polished - global minimum| below this in each coordinate: global minimum
GLOBAL_GUESS = (0.0, 16.0)  # the global minimum is polished from here (figure 6.4 finds it)
XLIM = (-10.0, 10.0)  # the book's box
YLIM = (2.5, 22.5)

T = Texts({
    "gd_panel": {"en": "Gradient descent with line search",
                 "es": "Descenso de gradiente con búsqueda lineal"},
    "sgd_panel": {"en": "SGD from {k}", "es": "SGD desde {k}"},
    "sgd_share": {"en": "{p:.0f}% reach the global min.",
                  "es": "{p:.0f} % llegan al mín. global"},
    "sgd_out": {"en": "{p:.0f}% leave the box", "es": "{p:.0f} % salen del recuadro"},
    "left_box": {"en": "1 leaves the box: ends at\n$\\phi$ = {pt}, $L$ = {L}",
                 "es": "1 sale del recuadro: acaba en\n$\\phi$ = {pt}, $L$ = {L}"},
    "share_panel": {"en": "Reaching the global min.",
                    "es": "Llegan al mínimo global"},
    "share_axis": {"en": "Share (%)", "es": "Proporción (%)"},
    "start_axis": {"en": "Start", "es": "Inicio"},
    "gd_bar": {"en": "Gradient descent", "es": "Descenso de gradiente"},
    "sgd_bar": {"en": "SGD, {n} seeds", "es": "SGD, {n} semillas"},
    "caption": {
        "en": "Line search: $M$ = {m:g}, at most {g} steps. SGD: $\\alpha$ = {lr:g}, minibatches "
              "of {b} of the 30 points, {n} steps ({e} epochs), {s} seeds per start.\n"
              "Drawn SGD path: the seed with the median final loss; dots: the final points of "
              "all {s} seeds; ★ global minimum.\nA run reaches the global minimum when gradient descent from its "
              "final point converges to it.",
        "es": "Búsqueda lineal: $M$ = {m:g}, hasta {g} pasos. SGD: $\\alpha$ = {lr:g}, minilotes "
              "de {b} de los 30 puntos, {n} pasos ({e} épocas), {s} semillas por inicio.\n"
              "Trayectoria de SGD dibujada: la semilla con la pérdida final mediana; puntos: "
              "los finales de las {s} semillas; ★ mínimo global.\nUna ejecución llega al mínimo global si el "
              "descenso de gradiente desde su punto final converge a él."},
})


def point(p, lang: str, spec: str = ".1f") -> str:
    """``(1.5, -0.5)``; in Spanish ``(1,5; -0,5)`` (the comma is the decimal mark there)."""
    sep = "; " if lang == "es" else ", "
    return "(" + sep.join(number(0.0 if abs(float(v)) < 0.05 else float(v), lang, spec)
                          for v in np.ravel(p)) + ")"


def inside(points) -> np.ndarray:
    """Whether points (..., 2) lie in the book's box XLIM x YLIM."""
    p = np.asarray(points)
    return ((p[..., 0] >= XLIM[0]) & (p[..., 0] <= XLIM[1]) & (p[..., 1] >= YLIM[0])
            & (p[..., 1] <= YLIM[1]))


def median_seed(final_loss) -> int:
    """The seed (column index) whose final loss is closest to the median of ``final_loss``;
    ties go to the smallest seed."""
    L = np.asarray(final_loss, dtype=float)
    return int(np.argmin(np.abs(L - np.median(L))))


def at_global_minimum(model, params, global_min) -> np.ndarray:
    """Whether gradient descent with line search from each point of ``params`` converges to
    ``global_min`` (its basin of attraction under the full-batch method)."""
    ends = fd.run(model, fd.optim.line_search(max_dist=MAX_DIST), params, POLISH_STEPS,
                  tol=TOL, progress=False).params
    return np.all(np.abs(ends - np.asarray(global_min)) < BASIN_TOL, axis=1)


@functools.lru_cache(maxsize=2)
def data(quick: bool = False) -> dict:
    model = fd.models.gabor()
    ls = fd.optim.line_search(max_dist=MAX_DIST)
    global_min = fd.run(model, ls, GLOBAL_GUESS, POLISH_STEPS, tol=1e-9,
                        progress=False).params[0]
    starts = np.array(STARTS)
    S_ = len(starts)
    gd = fd.run(model, ls, starts, GD_STEPS, tol=TOL, record_every=1, progress=False)
    n = QUICK_SEEDS if quick else N_SEEDS
    # every (seed, start) pair: seed s of start j is lane s * S_ + j, stream (s, j)
    seeds = np.repeat(np.arange(n), S_)
    index = np.tile(np.arange(S_), n)
    many = fd.run(model, fd.optim.gd(lr=LR), np.tile(starts, (n, 1)), SGD_STEPS,
                  batch_size=BATCH, seed=seeds, index=index, progress=False)
    final_loss = many.loss.reshape(n, S_).T  # (start, seed)
    final = many.params.reshape(n, S_, 2).transpose(1, 0, 2)  # (start, seed, 2)
    sgd_global = at_global_minimum(model, many.params, global_min).reshape(n, S_).T
    drawn = np.array([median_seed(final_loss[j]) for j in range(S_)])
    sgd = fd.run(model, fd.optim.gd(lr=LR), starts, SGD_STEPS, batch_size=BATCH, seed=drawn,
                 index=np.arange(S_), record_every=1, progress=False)
    return {"model": model, "starts": starts, "global_min": global_min,
            "gd_paths": [trimmed(p) for p in gd.path], "gd_final": gd.params,
            "gd_loss": gd.loss, "gd_global": at_global_minimum(model, gd.params, global_min),
            "sgd_paths": list(sgd.path), "sgd_final": sgd.params, "sgd_loss": sgd.loss,
            "sgd_seed": drawn, "sgd_final_all": final, "sgd_loss_all": final_loss,
            "sgd_global_all": sgd_global, "sgd_share": sgd_global.mean(axis=1),
            "sgd_outside": 1.0 - inside(final).mean(axis=1),
            "n_seeds": n, "n": 80 if quick else 200}


def lines(ax, xy, texts, *, dy=15.5, coords="axes fraction", box=True, **kw):
    """Write ``texts`` one under the other from ``xy``, each line its own Text (a box behind
    each when ``box``); returns the Text artists."""
    bbox = dict(boxstyle="square,pad=0.15", fc="white", ec="none", alpha=0.85) if box else None
    return [ax.annotate(line, xy, xycoords=coords, xytext=(0, -k * dy),
                        textcoords="offset points", fontsize=12, bbox=bbox, zorder=9, **kw)
            for k, line in enumerate(texts)]


def _start_marker(ax, p, k, size=17):
    ax.plot(*p, "o", ms=size, mfc="white", mec="black", mew=1.3, zorder=8)
    ax.text(*p, str(k), ha="center", va="center", fontsize=12, fontweight="bold", zorder=9)


def _surface(ax, d, lang, colorbar):
    from matplotlib.contour import ContourSet

    axes = (np.linspace(*XLIM, d["n"]), np.linspace(*YLIM, d["n"]))
    fp.loss_surface(d["model"], ax, axes=axes, levels=20, colorbar=False, lang=lang)
    if colorbar:
        cs = next(c for c in ax.collections if isinstance(c, ContourSet))
        cb = ax.figure.colorbar(cs, cax=ax.inset_axes([1.04, 0.0, 0.045, 0.85]))
        cb.set_label(T("loss", lang))
    ax.plot(*d["global_min"], marker="*", ms=17, mfc="white", mec="black", mew=1.0, ls="none",
            zorder=7)
    ax.set_xlim(*XLIM)
    ax.set_ylim(*YLIM)
    ax.set_xticks([-10, -5, 0, 5, 10])
    ax.set_yticks([5, 10, 15, 20])
    ax.set_box_aspect(1)


def draw(d: dict, lang: str = "en"):
    with S.use_style():
        return _draw(d, lang)


def _draw(d: dict, lang: str):
    import matplotlib.pyplot as plt
    from matplotlib import patheffects

    halo = [patheffects.Stroke(linewidth=3.6, foreground="white"), patheffects.Normal()]
    gd_col, sgd_col = S.optimizer_color("line_search"), S.optimizer_color("sgd")
    fig = plt.figure(figsize=(12.4, 6.9), layout="constrained")
    gs = fig.add_gridspec(3, 3, width_ratios=[2.35, 1.0, 1.0], height_ratios=[1, 1, 0.12])
    ax = fig.add_subplot(gs[:, 0])
    sub = [fig.add_subplot(gs[0, 1]), fig.add_subplot(gs[0, 2]), fig.add_subplot(gs[1, 1])]
    bars = fig.add_subplot(gs[1, 2])
    L = T("loss_symbol", lang)
    # (a) gradient descent with line search
    _surface(ax, d, lang, colorbar=True)
    for j, p in enumerate(d["gd_paths"]):
        ax.plot(p[:, 0], p[:, 1], "-o", color=gd_col, lw=2.4, ms=3.5, zorder=5,
                path_effects=halo)
        end = p[-1]
        inside = XLIM[0] <= end[0] <= XLIM[1] and YLIM[0] <= end[1] <= YLIM[1]
        if inside:
            ax.plot(*end, "o", ms=9, color=gd_col, mec="white", mew=1.5, zorder=6)
            ax.annotate(f"{L} = {number(d['gd_loss'][j], lang, '.2f')}", end,
                        xytext=(0, 12), textcoords="offset points",
                        ha="center", va="bottom", fontsize=12,
                        bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none", alpha=0.85),
                        zorder=9)
        else:
            note = T("left_box", lang, pt=point(end, lang),
                     L=number(d["gd_loss"][j], lang, ".2f")).split("\n")
            lines(ax, (0.98, 0.97), note, ha="right", va="top")
    for j, s in enumerate(d["starts"]):
        _start_marker(ax, s, j + 1)
    panel_title(ax, 0, T("gd_panel", lang, m=MAX_DIST))
    # (b)-(d) SGD from each start: the median-rule path and every seed's final point
    for j, axj in enumerate(sub):
        _surface(axj, d, lang, colorbar=False)
        fin = d["sgd_final_all"][j]
        axj.scatter(fin[:, 0], fin[:, 1], s=14, c="white", edgecolors="black", linewidths=0.4,
                    alpha=0.8, zorder=4)
        p = d["sgd_paths"][j]
        axj.plot(p[:, 0], p[:, 1], "-", color=sgd_col, lw=1.6, zorder=5, path_effects=halo)
        axj.plot(*p[-1], "o", ms=8, color=sgd_col, mec="white", mew=1.3, zorder=6)
        _start_marker(axj, d["starts"][j], j + 1, size=15)
        note = [T("sgd_share", lang, p=100 * d["sgd_share"][j])]
        if d["sgd_outside"][j] > 0:
            note.append(T("sgd_out", lang, p=100 * d["sgd_outside"][j]))
        lines(axj, (0.03, 0.97), note, ha="left", va="top")
        panel_title(axj, j + 1, T("sgd_panel", lang, k=j + 1))
        axj.set_xlabel("$\\phi_0$")
        axj.set_ylabel("$\\phi_1$")
    # (e) the share ending at the global minimum
    k = np.arange(1, len(d["starts"]) + 1)
    w = 0.38
    gd_share = 100 * d["gd_global"].astype(float)
    sgd_share = 100 * d["sgd_share"]
    bars.bar(k - w / 2, gd_share, w, color=gd_col, label=T("gd_bar", lang))
    bars.bar(k + w / 2, sgd_share, w, color=sgd_col, label=T("sgd_bar", lang, n=d["n_seeds"]))
    for x, v in zip(np.r_[k - w / 2, k + w / 2], np.r_[gd_share, sgd_share]):
        bars.text(x, v + 2, number(v, lang, ".0f"), ha="center", va="bottom", fontsize=12)
    bars.set_xticks(k)
    bars.set_xlim(0.4, len(k) + 0.6)
    bars.set_ylim(0, 135)
    bars.set_yticks([0, 50, 100])
    bars.set_xlabel(T("start_axis", lang))
    bars.set_ylabel(T("share_axis", lang))
    bars.legend(loc="upper left", fontsize=12, handlelength=1.2, borderaxespad=0.2)
    panel_title(bars, 4, T("share_panel", lang))
    cap = fig.add_subplot(gs[2, :])
    cap.set_axis_off()
    lines(cap, (0.0, 1.0), T("caption", lang, m=MAX_DIST, g=GD_STEPS, lr=LR, b=BATCH,
                             n=SGD_STEPS, e=SGD_STEPS * BATCH // 30,
                             s=d["n_seeds"]).split("\n"),
          dy=17, box=False, ha="left", va="top")
    return fig


main = make_main(FIG_ID, data, draw)

if __name__ == "__main__":
    raise SystemExit(cli(FIG_ID, main))
