"""Figure 6.9: four update rules on the lecture's Adam demo
L = 1 - exp(-2 phi1^2) exp(-(phi0 - 0.7)^2 / 8) (curvature 4 across, 1/4 along the valley),
all from (-0.7, -0.9) with fastdescent.run:

(a) gradient descent, alpha 0.05: safe across the valley but slow along it;
(b) gradient descent, alpha 1.0: fast along the valley but oscillating across it (phi1 flips
    sign every step);
(c) normalized gradients, alpha 0.05, eps 1e-20 (as the notebook): fixed steps of alpha in
    every coordinate, so it reaches the minimum's neighbourhood and then bounces;
(d) Adam, alpha 0.05, beta 0.9, gamma 0.99: normalized steps smoothed by momentum, converges
    to the minimum (0.7, 0).
"""
from __future__ import annotations

import functools

import numpy as np

import fastdescent as fd
from fastdescent import plotting as fp
from fastdescent.plotting import style as S
from fastdescent.plotting.i18n import optimizer_label, t

from ._common import cli, halo_trajectory, loss_text, make_main, panel_title, point_text

FIG_ID = "6.9"
START = (-0.7, -0.9)
STEPS = 100
RUNS = (  # key, optimizer name, hyperparameters
    ("gd_small", "gd", {"lr": 0.05}),
    ("gd_large", "gd", {"lr": 1.0}),
    ("normalized", "normalized", {"lr": 0.05, "eps": 1e-20}),
    ("adam", "adam", {"lr": 0.05, "beta": 0.9, "gamma": 0.99, "eps": 1e-8}),
)


@functools.lru_cache(maxsize=2)
def data(quick: bool = False) -> dict:
    model = fd.models.adam_demo()
    runs = {}
    for key, name, hyper in RUNS:
        res = fd.run(model, fd.optim.get_optimizer(name, **hyper), START, STEPS, record_every=1)
        runs[key] = {"optimizer": name, "hyper": hyper, "path": res.path[0],
                     "loss_path": res.loss_path[0], "final": res.params[0],
                     "loss": float(res.loss[0])}
    return {"model": model, "runs": runs, "minimum": np.array(model.minima[0].params),
            "n": 60 if quick else 200}


def _hyper_text(name, hyper):
    parts = [f"$\\alpha$ = {hyper['lr']:g}"]
    if name == "adam":
        parts += [f"$\\beta$ = {hyper['beta']:g}", f"$\\gamma$ = {hyper['gamma']:g}"]
    return ", ".join(parts)


def draw(d: dict, lang: str = "en"):
    model = d["model"]
    fig, axs = fp.figure(2, 2, size=(11.0, 9.0), sharex=True, sharey=True)
    levels = np.linspace(0, 1, 21)
    for k, (ax, (key, run)) in enumerate(zip(axs.ravel(), d["runs"].items())):
        fp.loss_surface(model, ax, n=d["n"], levels=levels, colorbar=False, lang=lang)
        name = run["optimizer"]
        halo_trajectory(ax, run["path"], color=S.optimizer_color(name), markersize=3.2,
                        arrows=False, linewidth=1.6)
        fp.mark_points([d["minimum"]], ["minimum"], ax=ax, legend=False)
        panel_title(ax, k, f"{optimizer_label(name, lang)}, {_hyper_text(name, run['hyper'])}",
                    fontsize=12)
        last = np.linalg.norm(run["path"][-1] - run["path"][-2])
        ax.text(0.03, 0.97, f"{t('after_steps', lang, n=STEPS)}: $\\phi$ = "
                f"{point_text(run['final'], '.2f')}, {loss_text(run['loss'], lang, '.2g')}\n"
                f"{t('last_step_length', lang, v=last)}",
                transform=ax.transAxes, fontsize=10, va="top",
                bbox=dict(boxstyle="round", fc="white", ec="0.7", alpha=0.9))
        if k % 2:
            ax.set_ylabel("")
        if k < 2:
            ax.set_xlabel("")
    cb = fig.colorbar(axs[0, 0].collections[0], ax=axs, shrink=0.6)
    cb.set_label(t("loss", lang))
    return fig


main = make_main(FIG_ID, data, draw)

if __name__ == "__main__":
    raise SystemExit(cli(FIG_ID, main))
