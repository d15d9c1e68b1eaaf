"""Learning-rate schedules and their effect on SGD.

(a) the factor s(t) that multiplies the learning rate (fastdescent.optim.schedules);
(b) SGD (alpha 0.1, minibatches of 3 of the 12 points) on the lecture's linear regression from
(1.6, -0.5), N_SEEDS minibatch streams per schedule (fastdescent.run with one seed per
trajectory): median excess loss L - L* and its 25-75% band. With a constant learning rate the
minibatch noise keeps SGD away from the minimum ("SGD does not converge in the traditional
sense"); decreasing the learning rate over time lets it settle.
"""
from __future__ import annotations

import functools

import numpy as np

import fastdescent as fd
from fastdescent import plotting as fp
from fastdescent.optim import schedules as sch
from fastdescent.plotting import style as S
from fastdescent.plotting.i18n import t

from ._common import cli, make_main, panel_title

FIG_ID = "schedules"
START = (1.6, -0.5)
LR = 0.1
BATCH = 3
STEPS = 200
N_SEEDS = 64  # quick: 8
SCHEDULES = (  # key, schedule
    ("constant", sch.constant()),
    ("step", sch.step_decay(50, 0.5)),
    ("exponential", sch.exponential(0.98)),
    ("inverse_time", sch.inverse_time(0.05)),
    ("cosine", sch.cosine(STEPS, 0.0)),
)
QUANTILES = (0.25, 0.5, 0.75)


@functools.lru_cache(maxsize=2)
def data(quick: bool = False) -> dict:
    model = fd.models.linear_regression_1d()
    best = model.minima[0].loss
    n = 8 if quick else N_SEEDS
    steps = np.arange(STEPS + 1)
    out = {"steps": steps, "n_seeds": n, "factors": {}, "excess": {}, "final_median": {}}
    for key, s in SCHEDULES:
        out["factors"][key] = s(steps)
        res = fd.run(model, fd.optim.gd(lr=LR), np.tile(START, (n, 1)), STEPS,
                     batch_size=BATCH, schedule=s, seed=np.arange(n), record_every=1)
        ex = np.maximum(res.loss_path - best, 1e-16)
        out["excess"][key] = {q: np.quantile(ex, q, axis=0) for q in QUANTILES}
        out["final_median"][key] = float(np.median(res.loss - best))
    return out


def draw(d: dict, lang: str = "en"):
    fig, (ax1, ax2) = fp.figure(1, 2, size=(13.0, 4.8))
    for j, (key, _) in enumerate(SCHEDULES):
        c = S.PALETTE[j]
        ax1.plot(d["steps"], d["factors"][key], color=c, label=t(f"schedule_{key}", lang))
        fp.convergence_bands(d["steps"], d["excess"][key], ax2, color=c,
                             label=t(f"schedule_{key}", lang), lang=lang)
    ax1.set_xlabel(t("step_t", lang))
    ax1.set_ylabel(t("lr_factor", lang))
    ax1.set_ylim(0, 1.05)
    ax1.legend(loc="center right", fontsize=10)
    panel_title(ax1, 0, t("schedules_title", lang))
    ax2.set_yscale("log")
    ax2.set_xlabel(t("step_t", lang))
    ax2.set_ylabel(t("excess_loss", lang))
    ax2.set_xlim(0, d["steps"][-1])
    ax2.legend(loc="lower left", fontsize=9.5, ncol=2)
    panel_title(ax2, 1, t("sgd_schedules_title", lang, lr=LR, b=BATCH, n=d["n_seeds"]))
    return fig


main = make_main(FIG_ID, data, draw)

if __name__ == "__main__":
    raise SystemExit(cli(FIG_ID, main))
