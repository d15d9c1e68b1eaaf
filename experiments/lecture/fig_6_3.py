"""Figure 6.3: the 30 Gabor data points and the model fitted to them by gradient descent with
the lecture's line search (fastdescent.run), with the starting model for comparison."""
from __future__ import annotations

import functools

import numpy as np

import fastdescent as fd
from fastdescent import plotting as fp
from fastdescent.plotting import style as S
from fastdescent.plotting.i18n import t
from fastdescent.plotting.predict import predict

from ._common import cli, loss_text, make_main, point_text

FIG_ID = "6.3"
START = (-1.5, 8.5)
MAX_DIST = 2.0  # line search, book value for the Gabor model
STEPS = 200
TOL = 1e-8
X_RANGE = (-15.0, 15.0)


@functools.lru_cache(maxsize=2)
def data(quick: bool = False) -> dict:
    model = fd.models.gabor()
    res = fd.run(model, fd.optim.line_search(max_dist=MAX_DIST), START, STEPS if not quick else 60,
                 tol=TOL)
    x = np.linspace(*X_RANGE, 601 if not quick else 151)
    fitted = res.params[0]
    return {"model": model, "x": x, "start": np.array(START), "fitted": fitted,
            "loss_start": model.loss(START), "loss_fitted": float(res.loss[0]),
            "steps": int(res.steps[0]), "status": int(res.status[0]),
            "curve_start": predict(model, START, x), "curve_fitted": predict(model, fitted, x)}


def draw(d: dict, lang: str = "en"):
    model = d["model"]
    fig, ax = fp.figure(size=(7.5, 4.2))
    ax.plot(d["x"], d["curve_start"], color=S.NOT_CONVERGED_COLOR, ls="--", lw=1.8,
            label=f"{t('initial_model', lang)} $\\phi$ = {point_text(d['start'])}, "
                  f"{loss_text(d['loss_start'], lang)}")
    ax.plot(d["x"], d["curve_fitted"], color=S.optimizer_color("line_search"),
            label=f"{t('fitted_model', lang)} $\\phi$ = {point_text(d['fitted'])}, "
                  f"{loss_text(d['loss_fitted'], lang)}")
    ax.scatter(model.X[:, 0], model.Y[:, 0], s=30, color="black", zorder=3, label=t("data", lang))
    ax.set_xlim(*X_RANGE)
    ax.set_ylim(-1.2, 1.45)
    ax.set_xlabel(t("input", lang))
    ax.set_ylabel(t("output", lang))
    ax.legend(loc="upper left", fontsize=10)
    return fig


main = make_main(FIG_ID, data, draw)

if __name__ == "__main__":
    raise SystemExit(cli(FIG_ID, main))
