"""Hyperparameters: the final loss against the learning rate for each update rule, from
fastdescent.sweep (one sweep per rule, the learning rate as a sweep axis).

(a) the lecture's linear regression from (1.6, -0.5), STEPS_LINEAR steps: excess loss L - L*;
    too small a learning rate is slow, too large diverges (crosses), each rule has its window;
(b) the Gabor model from N_STARTS Latin-hypercube starts, STEPS_GABOR steps: median final loss
    over the starts (the learning rate also decides which minimum is reached).
"""
from __future__ import annotations

import functools

import numpy as np

import fastdescent as fd
from fastdescent import plotting as fp
from fastdescent.plotting import style as S
from fastdescent.plotting.i18n import optimizer_label, t

from ._common import cli, make_main, panel_title

FIG_ID = "hyperparameters"
RULES = (  # optimizer name, fixed hyperparameters
    ("gd", {}),
    ("momentum", {"beta": 0.9}),
    ("nesterov", {"beta": 0.9}),
    ("adam", {"beta": 0.9, "gamma": 0.99}),
)
LRS = (1e-4, 1.0, 25)  # geomspace(lo, hi, n); quick: 7 values
LINEAR_START = (1.6, -0.5)
STEPS_LINEAR = 100
STEPS_GABOR = 200
N_STARTS = 256  # quick: 16
START_SEED = 0


@functools.lru_cache(maxsize=2)
def data(quick: bool = False) -> dict:
    lrs = np.geomspace(LRS[0], LRS[1], 7 if quick else LRS[2])
    lin, gab = fd.models.linear_regression_1d(), fd.models.gabor()
    starts = fd.latin_hypercube(gab, 16 if quick else N_STARTS, seed=START_SEED)
    out = {"lr": lrs, "linear": {}, "linear_diverged": {}, "gabor": {}, "n_starts": len(starts)}
    best = lin.minima[0].loss
    for name, hyper in RULES:
        opt = fd.optim.get_optimizer(name, **hyper)
        ds = fd.sweep(lin, opt, np.array([LINEAR_START]), STEPS_LINEAR, lr=lrs)
        loss = ds["loss"].values.reshape(len(lrs))
        div = ds["status"].values.reshape(len(lrs)) == fd.engine.status.DIVERGED
        out["linear"][name] = np.where(div, np.nan, np.maximum(loss - best, 1e-16))
        out["linear_diverged"][name] = div
        ds = fd.sweep(gab, opt, starts, STEPS_GABOR, lr=lrs)
        L = ds["loss"].transpose("lr", ...).values.reshape(len(lrs), -1)
        out["gabor"][name] = np.nanmedian(L, axis=1)
    return out


def draw(d: dict, lang: str = "en"):
    fig, (ax1, ax2) = fp.figure(1, 2, size=(13.5, 5.0))
    lrs = d["lr"]
    for j, (name, _) in enumerate(RULES):
        c = S.optimizer_color(name)
        lab = optimizer_label(name, lang)
        ax1.plot(lrs, d["linear"][name], "-o", color=c, ms=4, label=lab)
        div = d["linear_diverged"][name]
        if div.any():
            ax1.plot(lrs[div], np.full(div.sum(), 1e3 * 4.0 ** j), "x", color=c, ms=8, mew=2)
        ax2.plot(lrs, d["gabor"][name], "-o", color=c, ms=4, label=lab)
    ax1.plot([], [], "x", color="0.3", ms=8, mew=2, label=t("diverged", lang))
    for ax in (ax1, ax2):
        ax.set_xscale("log")
        ax.set_xlabel(t("learning_rate", lang))
    ax1.set_yscale("log")
    ax1.set_ylabel(t("excess_loss", lang))
    ax1.legend(loc="lower left", fontsize=10)
    panel_title(ax1, 0, t("hyper_linear_title", lang, n=STEPS_LINEAR))
    ax2.set_ylabel(t("final_loss_median", lang, n=d["n_starts"]))
    ax2.legend(loc="lower left", fontsize=10)
    panel_title(ax2, 1, t("hyper_gabor_title", lang, n=STEPS_GABOR))
    return fig


main = make_main(FIG_ID, data, draw)

if __name__ == "__main__":
    raise SystemExit(cli(FIG_ID, main))
