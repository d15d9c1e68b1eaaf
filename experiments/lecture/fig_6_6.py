"""Point: each SGD step follows the gradient of one minibatch's own loss, which scatters around the
full-batch gradient (it agrees with it on average), so every step is a noisy but reasonable
descent step (book Figure 6.6).

Figure 6.6: stochastic gradient descent, minibatch by minibatch, on the Gabor loss.

The run is figure 6.5's drawn SGD path from its start 2, (-1.5, 6.5): alpha = 0.8, minibatches
of 5 of the 30 points drawn without replacement (an epoch is 6 minibatches), the minibatch
stream of figure 6.5's median-rule seed for that start (same seed and trajectory index, so the
same minibatches, fastdescent.optim.batches.batches). The minibatch loss is
L_B(phi) = sum over i in B of (f(x_i; phi) - y_i)^2 (Model.subset) and the step is
phi_{t+1} = phi_t - alpha grad L_B(phi_t).

(a) the full-batch loss with the first N_STEPS steps; (b) at the start, the step
-alpha grad L_B of every one of the C(30, 5) = 142 506 possible minibatches (grey dots: where
each step would land), their mean, which is the full-batch step scaled to a minibatch,
-alpha (5/30) grad L (black arrow), and the steps of the 6 minibatches of epoch 1 (SGD-colour
arrows); (c)-(e) the loss of the minibatch used at each of the first N_STEPS steps, the point
and the step taken on it, with an inset of the data (the minibatch's points in black, the others
grey) and the model before (dashed) and after (solid) the step. Colour: the loss per data point
(L / 30 for the full batch, L_B / 5 for a minibatch), one colour bar for every panel, so the
panels compare.
"""
from __future__ import annotations

import functools
import itertools

import numpy as np

import fastdescent as fd
from fastdescent import plotting as fp
from fastdescent.optim.batches import batches
from fastdescent.plotting import style as S
from fastdescent.plotting.i18n import Texts, number
from fastdescent.plotting.predict import predict

from . import fig_6_5
from ._common import cli, make_main, panel_title

#: This figure, as the registry reads it (``experiments.lecture.REGISTRY``): id, file-name
#: slug, titles and place in the lecture.
FIGURE = dict(id="6.6", slug="sgd-minibatches", order=60,
              en='SGD: every minibatch has its own loss surface',
              es='SGD: cada minilote tiene su propia superficie de pérdida')
FIG_ID = FIGURE["id"]
START_INDEX = 1  # fig_6_5.STARTS[1] = (-1.5, 6.5): start 2 of figure 6.5, the same stream
LR = fig_6_5.LR
BATCH = fig_6_5.BATCH
N_STEPS = 3  # minibatch panels (the first three steps of epoch 1)
HALF = 2.0  # the panels show the square of half-width HALF about the first steps
LEVELS = 21  # colour levels of the per-point loss, shared by every panel

T = Texts({
    "full_panel": {"en": "Full batch, {n} SGD steps",
                   "es": "Pérdida total, {n} pasos de SGD"},
    "spread_panel": {"en": "Minibatch steps at start",
                     "es": "Pasos de minilotes en el inicio"},
    "minibatch_panel": {"en": "Minibatch {k} of epoch 1", "es": "Minilote {k} de la época 1"},
    "all_batches": {"en": "all {n} minibatches of {b}", "es": "los {n} minilotes de {b}"},
    "mean_step": {"en": "their mean = full-batch step x {b}/{n}",
                  "es": "su media = paso total x {b}/{n}"},
    "epoch_steps": {"en": "the 6 minibatches of epoch 1", "es": "los 6 minilotes de la época 1"},
    "per_point": {"en": "Loss per data point", "es": "Pérdida por punto"},
    "caption_1": {"en": "SGD: $\\alpha$ = {lr:g}, minibatches of {b} of the {n} points without "
                        "replacement,",
                  "es": "SGD: $\\alpha$ = {lr:g}, minilotes de {b} de los {n} puntos sin "
                        "reemplazo,"},
    "caption_2": {"en": "from {p}, the seed with the median final loss.",
                  "es": "desde {p}, la semilla de pérdida final mediana."},
    "caption_0": {"en": "Minibatch: {b} of the {n} points (black in the insets).",
                  "es": "Minilote: {b} de los {n} puntos (en negro en los recuadros)."},
    "caption_3": {"en": "Colour: loss per point, $L/30$ or $L_B/5$.",
                  "es": "Color: pérdida por punto, $L/30$ o $L_B/5$."},
    "caption_4": {"en": "Insets: the data and the model before",
                  "es": "Recuadros: los datos y el modelo antes"},
    "caption_5": {"en": "(dashed) and after (solid) the step.",
                  "es": "(discontinuo) y después (continuo) del paso."},
})


def per_example_grads(model, p) -> np.ndarray:
    """(N, P) gradients of the single-example losses (f(x_i; p) - y_i)^2 at ``p``."""
    return np.array([model.subset([i]).grad(p) for i in range(model.n_examples)])


def all_minibatch_grads(model, p, b) -> np.ndarray:
    """Gradient of L_B at ``p`` for every one of the C(N, b) minibatches B of size ``b``
    (the sum of the single-example gradients of its members)."""
    g = per_example_grads(model, p)
    idx = np.array(list(itertools.combinations(range(model.n_examples), b)), dtype=np.intp)
    return g[idx].sum(axis=1)


@functools.lru_cache(maxsize=2)
def data(quick: bool = False) -> dict:
    model = fd.models.gabor()
    d5 = fig_6_5.data(quick)
    seed = int(d5["sgd_seed"][START_INDEX])
    start = np.array(fig_6_5.STARTS[START_INDEX])
    epoch = model.n_examples // BATCH
    res = fd.run(model, fd.optim.gd(lr=LR), start, N_STEPS, batch_size=BATCH, seed=seed,
                 index=[START_INDEX], record_every=1, progress=False)
    path = res.path[0]
    idx = batches(seed, START_INDEX, model.n_examples, BATCH, epoch)
    n = 70 if quick else 180
    c = (path.min(axis=0) + path.max(axis=0)) / 2
    box = np.array(model.box)
    c = np.clip(c, box[:, 0] + HALF, box[:, 1] - HALF)  # keep the window in the book's box
    axes = (np.linspace(c[0] - HALF, c[0] + HALF, n), np.linspace(c[1] - HALF, c[1] + HALF, n))
    N = model.n_examples
    grads = all_minibatch_grads(model, start, BATCH)
    return {"model": model, "seed": seed, "start": start, "path": path, "batches": idx,
            "axes": axes, "full": model.loss_on_grid(axes) / N,
            "surfaces": [model.subset(b).loss_on_grid(axes) / BATCH for b in idx[:N_STEPS]],
            "batch_loss": [model.subset(b).loss(path[k]) for k, b in enumerate(idx[:N_STEPS])],
            "batch_grad": np.array([model.subset(b).grad(path[k])
                                    for k, b in enumerate(idx[:N_STEPS])]),
            "all_steps": -LR * grads, "epoch_steps": np.array(
                [-LR * model.subset(b).grad(start) for b in idx]),
            "full_grad": model.grad(start), "mean_step": -LR * BATCH / N * model.grad(start),
            "x": np.linspace(-15, 15, 300)}


def _surface(ax, d, Z, norm, levels):
    cs = ax.contourf(*d["axes"], Z, levels=levels, cmap=S.LOSS_CMAP, norm=norm, extend="max")
    ax.contour(*d["axes"], Z, levels=levels[::2], colors="black", linewidths=0.4, alpha=0.35)
    ax.set_xlim(d["axes"][0][0], d["axes"][0][-1])
    ax.set_ylim(d["axes"][1][0], d["axes"][1][-1])
    ax.set_box_aspect(1)
    return cs


def _arrow(ax, p, q, color, lw=2.2, halo="white", z=7):
    from matplotlib import patheffects

    a = ax.annotate("", q, p, arrowprops=dict(arrowstyle="-|>", color=color, lw=lw,
                                              mutation_scale=12, shrinkA=0, shrinkB=0),
                    zorder=z)
    if halo:
        a.arrow_patch.set_path_effects([patheffects.Stroke(linewidth=lw + 2.2, foreground=halo),
                                        patheffects.Normal()])
    return a


def point(p, lang: str, spec: str = ".1f") -> str:
    """``(1.5, -0.5)``; in Spanish ``(1,5; -0,5)`` (the comma is the decimal mark there)."""
    sep = "; " if lang == "es" else ", "
    return "(" + sep.join(number(float(v), lang, spec) for v in np.ravel(p)) + ")"


def draw(d: dict, lang: str = "en"):
    with S.use_style():
        return _draw(d, lang)


def _draw(d: dict, lang: str):
    import matplotlib as mpl
    import matplotlib.pyplot as plt

    model, path = d["model"], d["path"]
    N = model.n_examples
    sgd = S.optimizer_color("sgd")
    vmax = float(np.ceil(np.percentile(np.concatenate(
        [d["full"].ravel()] + [Z.ravel() for Z in d["surfaces"]]), 99) * 10) / 10)
    levels = np.linspace(0.0, vmax, LEVELS)
    norm = mpl.colors.BoundaryNorm(levels, 256, extend="max")
    fig = plt.figure(figsize=(13.0, 7.3), layout="constrained")
    gs = fig.add_gridspec(2, 3)
    ax_full, ax_spread, ax_info = (fig.add_subplot(gs[0, k]) for k in range(3))
    mb = [fig.add_subplot(gs[1, k]) for k in range(N_STEPS)]
    # (a) the full-batch loss and the first steps
    cs = _surface(ax_full, d, d["full"], norm, levels)
    ax_full.plot(path[:, 0], path[:, 1], "-", color=sgd, lw=2.0, zorder=5)
    for k in range(N_STEPS):
        _arrow(ax_full, path[k], path[k + 1], sgd, lw=2.0)
    ax_full.plot(*path[0], "o", ms=9, mfc="white", mec="black", zorder=8)
    panel_title(ax_full, 0, T("full_panel", lang, n=N_STEPS))
    ax_full.set_xlabel(fp.param_label(model, 0, lang))
    ax_full.set_ylabel(fp.param_label(model, 1, lang))
    # (b) every minibatch's step at the start: the spread around the scaled full-batch step
    st, p0 = d["all_steps"], d["start"]
    ax_spread.scatter(p0[0] + st[:, 0], p0[1] + st[:, 1], s=2, color="#999999", alpha=0.25,
                      linewidths=0, rasterized=True, zorder=2,
                      label=T("all_batches", lang, n=f"{len(st):,}".replace(",", " "), b=BATCH))
    for k, s in enumerate(d["epoch_steps"]):
        _arrow(ax_spread, p0, p0 + s, sgd, lw=1.8, halo=None, z=5)
    ax_spread.plot([], [], color=sgd, lw=1.8, label=T("epoch_steps", lang))
    _arrow(ax_spread, p0, p0 + d["mean_step"], "black", lw=3.0, halo="white", z=8)
    ax_spread.plot([], [], color="black", lw=3.0, label=T("mean_step", lang, b=BATCH, n=N))
    ax_spread.plot(*p0, "o", ms=9, mfc="white", mec="black", zorder=9)
    lo = np.percentile(p0 + st, 0.5, axis=0)
    hi = np.percentile(p0 + st, 99.5, axis=0)
    lo, hi = np.minimum(lo, p0), np.maximum(hi, p0)
    c, r = (lo + hi) / 2, 0.62 * np.max(hi - lo)
    ax_spread.set_xlim(c[0] - r, c[0] + r)
    ax_spread.set_ylim(c[1] - 1.25 * r, c[1] + r)
    ax_spread.set_box_aspect(1)
    ax_spread.set_xlabel(fp.param_label(model, 0, lang))
    ax_spread.set_ylabel(fp.param_label(model, 1, lang))
    ax_spread.legend(loc="lower left", fontsize=12, markerscale=5, handlelength=1.4,
                     borderaxespad=0.3)
    panel_title(ax_spread, 1, T("spread_panel", lang))
    # colour bar and the settings
    ax_info.set_axis_off()
    cax = ax_info.inset_axes([0.05, 0.80, 0.9, 0.07])
    cb = fig.colorbar(cs, cax=cax, orientation="horizontal")
    cb.set_label(T("per_point", lang))
    step = 0.5 if vmax > 1.2 else 0.2
    cb.set_ticks(np.arange(0.0, vmax + 1e-9, step))
    cb.formatter = mpl.ticker.FuncFormatter(lambda v, _: number(round(v, 3), lang, "g"))
    cb.update_ticks()
    caption = [T("caption_1", lang, lr=LR, b=BATCH, n=N),
               T("caption_2", lang, p=point(d["start"], lang)),
               T("caption_0", lang, b=BATCH, n=N),
               T("caption_3", lang), T("caption_4", lang), T("caption_5", lang)]
    for k, line in enumerate(caption):
        ax_info.text(0.0, 0.52 - 0.1 * k, line, transform=ax_info.transAxes, ha="left",
                     va="top", fontsize=12)
    # (c)-(e) one minibatch each: its loss, the point, the step, the data it uses
    x = d["x"]
    for k, ax in enumerate(mb):
        _surface(ax, d, d["surfaces"][k], norm, levels)
        if k:
            ax.plot(path[:k + 1, 0], path[:k + 1, 1], "-", color="white", lw=1.2, alpha=0.8,
                    zorder=4)
        _arrow(ax, path[k], path[k + 1], sgd, lw=2.4)
        ax.plot(*path[k], "o", ms=9, mfc="white", mec="black", zorder=8)
        panel_title(ax, 2 + k, T("minibatch_panel", lang, k=k + 1))
        ax.set_xlabel(fp.param_label(model, 0, lang))
        if k == 0:
            ax.set_ylabel(fp.param_label(model, 1, lang))
        ins = ax.inset_axes([0.02, 0.66, 0.4, 0.32])
        ins.set_facecolor("white")
        used = np.zeros(N, bool)
        used[d["batches"][k]] = True
        ins.scatter(model.X[~used, 0], model.Y[~used, 0], s=7, color="#AAAAAA", zorder=2)
        ins.scatter(model.X[used, 0], model.Y[used, 0], s=22, color="black", zorder=3)
        ins.plot(x, predict(model, path[k], x), color="#555555", ls="--", lw=1.4)
        ins.plot(x, predict(model, path[k + 1], x), color="black", lw=1.6)
        ins.set_xlim(-15, 15)
        ins.set_ylim(-1.2, 1.2)
        ins.set_xticks([])
        ins.set_yticks([])
    return fig


main = make_main(FIG_ID, data, draw)

if __name__ == "__main__":
    raise SystemExit(cli(FIG_ID, main))
