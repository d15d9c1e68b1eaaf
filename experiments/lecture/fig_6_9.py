"""Figure 6.9: four update rules on the lecture's Adam demo
L = 1 - exp(-2 phi1^2) exp(-(phi0 - 0.7)^2 / 8) (curvature 4 across, 1/4 along the valley).

Point: on a loss much steeper in one direction than in the other, gradient descent is either
slow (small alpha) or oscillates (large alpha); normalized gradients move at the same speed in
every direction but never settle (they bounce around the minimum); Adam normalizes and
smooths the steps with momentum, so it reaches the minimum.

All from (-0.7, -0.9), STEPS steps, with fastdescent.run and the notebook's settings:

(a) gradient descent, alpha 0.05: safe across the valley but slow along it;
(b) gradient descent, alpha 1.0: fast along the valley but oscillating across it (phi1 flips
    sign every step);
(c) normalized gradients, alpha 0.05, eps 1e-20 (as the notebook): steps of alpha in every
    coordinate, so it reaches the minimum's neighbourhood and then jumps back and forth across
    it, a 2-cycle whose loss alternates between ~5e-3 and ~0 (which of the two the last step
    lands on depends only on whether the step count is even or odd);
(d) Adam, alpha 0.05, beta 0.9, gamma 0.99: converges to the minimum (0.7, 0).

Panel (e) gives the loss of each rule against the step as the mean over two consecutive steps,
(L(phi_{t-1}) + L(phi_t)) / 2, so that a 2-cycle shows as its average, not as its lower
point; its legend reports each rule's loss averaged over the last LAST_K steps (an even number:
whole 2-cycles).
"""
from __future__ import annotations

import functools

import numpy as np

import fastdescent as fd
from fastdescent import plotting as fp
from fastdescent.plotting import style as S
from fastdescent.plotting.i18n import Texts, number, optimizer_label

from ._common import cli, halo_trajectory, make_main, panel_title

#: This figure, as the registry reads it (``experiments.lecture.REGISTRY``): id, file-name
#: slug, titles and place in the lecture.
FIGURE = dict(id="6.9", slug="adam", order=90,
              en='Gradient descent, normalized gradients and Adam on an anisotropic loss',
              es='Descenso de gradiente, gradientes normalizados y Adam en una pérdida anisótropa')
FIG_ID = FIGURE["id"]
START = (-0.7, -0.9)
STEPS = 100
LAST_K = 10  # the reported loss: mean over the last LAST_K steps (whole 2-cycles)
RUNS = (  # key, optimizer name, hyperparameters
    ("gd_small", "gd", {"lr": 0.05}),
    ("gd_large", "gd", {"lr": 1.0}),
    ("normalized", "normalized", {"lr": 0.05, "eps": 1e-20}),
    ("adam", "adam", {"lr": 0.05, "beta": 0.9, "gamma": 0.99, "eps": 1e-8}),
)

T = Texts({
    "f69_settings": {
        "en": "$L = 1 - \\exp(-2\\phi_1^2)\\, \\exp(-(\\phi_0 - 0.7)^2/8)$, start {p}, {n} steps",
        "es": "$L = 1 - \\exp(-2\\phi_1^2)\\, \\exp(-(\\phi_0 - 0{{,}}7)^2/8)$, inicio {p}, "
              "{n} pasos"},
    "f69_loss_axis": {"en": "Loss, mean of steps $t-1$ and $t$",
                      "es": "Pérdida, media de los pasos $t-1$ y $t$"},
    "f69_curves": {"en": "Loss against step", "es": "Pérdida por paso"},
    "f69_last": {"en": "Mean $L$ over the last {k} steps",
                 "es": "$L$ media en los últimos {k} pasos"},
})


def point(p, lang: str) -> str:
    """``(-0.7, -0.9)``; in Spanish ``(-0,7; -0,9)`` (the comma is the decimal mark)."""
    sep = "; " if lang == "es" else ", "
    return "(" + sep.join(number(float(v), lang, "g") for v in p) + ")"


def pair_mean(loss_path) -> np.ndarray:
    """(L_{t-1} + L_t) / 2 for t = 1 .. T: the loss with every 2-cycle averaged out."""
    lp = np.asarray(loss_path, dtype=float)
    return 0.5 * (lp[..., 1:] + lp[..., :-1])


@functools.lru_cache(maxsize=2)
def data(quick: bool = False) -> dict:
    model = fd.models.adam_demo()
    runs = {}
    for key, name, hyper in RUNS:
        res = fd.run(model, fd.optim.get_optimizer(name, **hyper), START, STEPS, record_every=1)
        lp = res.loss_path[0]
        runs[key] = {"optimizer": name, "hyper": hyper, "path": res.path[0],
                     "loss_path": lp, "final": res.params[0], "loss": float(res.loss[0]),
                     "last_mean": float(lp[-LAST_K:].mean())}
    return {"model": model, "runs": runs, "minimum": np.array(model.minima[0].params),
            "n": 60 if quick else 200}


def _hyper_text(name, hyper, lang):
    parts = [f"$\\alpha$ = {number(hyper['lr'], lang)}"]
    if name == "adam":
        parts += [f"$\\beta$ = {number(hyper['beta'], lang)}",
                  f"$\\gamma$ = {number(hyper['gamma'], lang)}"]
    return ", ".join(parts)


def _legend_name(name, hyper, lang):
    if name == "gd":
        return f"{optimizer_label(name, lang)}, $\\alpha$ = {number(hyper['lr'], lang)}"
    return optimizer_label(name, lang)


def draw(d: dict, lang: str = "en"):
    """Figure 6.9 of ``data()`` with labels in ``lang`` (drawn in the house style)."""
    with S.use_style():
        return _draw(d, lang)


def _draw(d: dict, lang: str):
    model = d["model"]
    fig = fp.figure(1, 1, size=(13.0, 7.2))[0]
    fig.clear()
    gs = fig.add_gridspec(2, 3, width_ratios=[1, 1, 1.3])
    axs = [fig.add_subplot(gs[i, j]) for i in range(2) for j in range(2)]
    levels = np.linspace(0, 1, 21)
    for k, (ax, (key, run)) in enumerate(zip(axs, d["runs"].items())):
        fp.loss_surface(model, ax, n=d["n"], levels=levels, colorbar=False, lang=lang)
        name = run["optimizer"]
        halo_trajectory(ax, run["path"], color=S.optimizer_color(name), markersize=3.2,
                        arrows=False, linewidth=1.6)
        ax.plot(*d["minimum"], "*", ms=15, color="white", mec="black", zorder=8)
        panel_title(ax, k, f"{optimizer_label(name, lang)}", fontsize=13)
        ax.text(0.03, 0.96, _hyper_text(name, run["hyper"], lang), transform=ax.transAxes,
                ha="left", va="top", fontsize=12,
                bbox=dict(boxstyle="round", fc="white", ec="0.7", alpha=0.9))
        ax.set_xticks([-1, 0, 1])
        ax.set_yticks([-1, 0, 1])
        if k % 2:
            ax.set_ylabel("")
            ax.set_yticklabels([])
        if k < 2:
            ax.set_xlabel("")
            ax.set_xticklabels([])
    cb = fig.colorbar(axs[0].collections[0], ax=axs, shrink=0.7, ticks=[0, 0.5, 1])
    cb.set_label(T("loss", lang))
    # (e) the loss against the step, 2-cycles averaged
    ax = fig.add_subplot(gs[:, 2])
    steps = np.arange(1, STEPS + 1)
    for key, run in d["runs"].items():
        name = run["optimizer"]
        ls = "--" if key == "gd_large" else "-"
        ax.semilogy(steps, pair_mean(run["loss_path"]), color=S.optimizer_color(name), lw=2.2,
                    ls=ls, label=f"{_legend_name(name, run['hyper'], lang)}: "
                                 f"{number(run['last_mean'], lang, '.2g')}")
    ax.set_xlim(0, STEPS)
    ax.set_ylim(1e-7, 2.0)
    ax.set_xlabel(T("step", lang))
    ax.set_ylabel(T("f69_loss_axis", lang))
    ax.legend(loc="lower left", title=T("f69_last", lang, k=LAST_K))
    panel_title(ax, 4, T("f69_curves", lang), fontsize=13)
    fig.suptitle(T("f69_settings", lang, p=point(START, lang), n=STEPS), fontsize=14)
    return fig


main = make_main(FIG_ID, data, draw)

if __name__ == "__main__":
    raise SystemExit(cli(FIG_ID, main))
