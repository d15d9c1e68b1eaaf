"""The lecture's first slides: four problem types, each fitted with fastdescent.run (Adam) --
univariate regression (a cubic, least squares), multivariate regression (2 inputs, 2 outputs),
binary classification (logistic, binary cross-entropy) and multiclass classification (softmax,
cross-entropy) on the models' seeded data sets. Top: the fitted model; bottom: the loss
(summed over the examples) during training.
"""
from __future__ import annotations

import functools

import matplotlib as mpl
import numpy as np

import fastdescent as fd
from fastdescent import plotting as fp
from fastdescent.plotting import style as S
from fastdescent.plotting.i18n import t

from ._common import cli, make_main, panel_title

FIG_ID = "problems"
PROBLEMS = ("univariate_regression", "multivariate_regression", "binary_classification",
            "multiclass_classification")
LR, BETA, GAMMA = 0.1, 0.9, 0.99  # Adam
STEPS = 300  # quick: 60


@functools.lru_cache(maxsize=2)
def data(quick: bool = False) -> dict:
    out = []
    steps = 60 if quick else STEPS
    for name in PROBLEMS:
        m = fd.models.get_model(name)
        res = fd.run(m, fd.optim.adam(lr=LR, beta=BETA, gamma=GAMMA), np.zeros(m.n_params),
                     steps, record_every=1)
        out.append({"name": name, "model": m, "params": res.params[0],
                    "loss": float(res.loss[0]), "loss_path": res.loss_path[0],
                    "steps": res.record_steps,
                    "known_minimum": m.minima[0].loss if m.minima else None})
    return {"panels": out}


def draw(d: dict, lang: str = "en"):
    panels = d["panels"]
    fig, axs = fp.figure(2, 4, size=(17.0, 7.6), gridspec_kw={"height_ratios": [1.6, 1.0]})
    color = S.optimizer_color("adam")
    for k, p in enumerate(panels):
        ax, axl = axs[0, k], axs[1, k]
        fp.model_fit(p["model"], p["params"], ax, lang=lang, color=color,
                     label=t("fitted_model", lang))
        handles, labels = ax.get_legend_handles_labels()
        extra = getattr(ax, "_fd_legend_extra", [])
        handles += [h for h in extra if h.get_label() not in labels]
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2,
                  fontsize=9.5)
        panel_title(ax, k, t(p["name"], lang))
        axl.plot(p["steps"], p["loss_path"], color=color, label=fp.optimizer_label("adam", lang))
        if p["known_minimum"] is not None:
            axl.axhline(p["known_minimum"], color="black", ls="--", lw=1,
                        label=t("minimum_loss", lang))
        axl.set_yscale("log")
        axl.yaxis.set_major_locator(mpl.ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
        axl.yaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
        axl.yaxis.set_minor_formatter(mpl.ticker.NullFormatter())
        axl.set_xlabel(t("step", lang))
        axl.set_ylabel(t("loss", lang))
        axl.set_title(t("final_loss_value", lang, v=p["loss"]), fontsize=11, loc="left")
        axl.legend(fontsize=9, loc="upper right")
    return fig


main = make_main(FIG_ID, data, draw)

if __name__ == "__main__":
    raise SystemExit(cli(FIG_ID, main))
