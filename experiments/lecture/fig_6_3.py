"""Point: fitting the Gabor model means finding the parameters phi whose curve passes closest to
the 30 training points (least squares); gradient descent with line search from a poor start
finds the best fit, the global minimum L = 0.646 at phi = (0.0, 16.0).

Figure 6.3: the 30 Gabor data points and the model fitted to them.

The fit is run by fastdescent.run (gradient descent with the lecture's bracketing line search,
M = 2.0, the book's value for the Gabor model) from (-1.5, 8.5); the starting model is drawn
dashed for comparison. Model curves are grey (start) and the line-search colour (its result).
"""
from __future__ import annotations

import functools

import numpy as np

import fastdescent as fd
from fastdescent import plotting as fp
from fastdescent.plotting import style as S
from fastdescent.plotting.i18n import Texts, number
from fastdescent.plotting.predict import predict

from ._common import cli, make_main

#: This figure, as the registry reads it (``experiments.lecture.REGISTRY``): id, file-name
#: slug, titles and place in the lecture.
FIGURE = dict(id="6.3", slug="gabor-fit", order=30,
              en='Gabor data and a fitted model',
              es='Datos de Gabor y un modelo ajustado')
FIG_ID = FIGURE["id"]
START = (-1.5, 8.5)
MAX_DIST = 2.0  # line search, book value for the Gabor model
STEPS = 200
TOL = 1e-8
X_RANGE = (-15.0, 15.0)

T = Texts({
    "initial_model": {"en": "Start", "es": "Inicio"},
    "fit_label": {"en": "After {n} steps", "es": "Tras {n} pasos"},
    "fit_title": {"en": "Gabor model fitted to 30 points by gradient descent with line search "
                        "($M$ = {m:g})",
                  "es": "Modelo de Gabor ajustado a 30 puntos por descenso de gradiente con "
                        "búsqueda lineal ($M$ = {m:g})"},
})


def point(p, lang: str, spec: str = ".1f") -> str:
    """``(1.5, -0.5)``; in Spanish ``(1,5; -0,5)`` (the comma is the decimal mark there)."""
    sep = "; " if lang == "es" else ", "
    vals = [float(v) for v in np.ravel(p)]
    return "(" + sep.join(number(0.0 if abs(v) < 0.05 else v, lang, spec)
                          for v in vals) + ")"


@functools.lru_cache(maxsize=2)
def data(quick: bool = False) -> dict:
    model = fd.models.gabor()
    steps = STEPS if not quick else 60
    res = fd.run(model, fd.optim.line_search(max_dist=MAX_DIST), START, steps, tol=TOL)
    x = np.linspace(*X_RANGE, 601 if not quick else 151)
    fitted = res.params[0]
    return {"model": model, "x": x, "start": np.array(START), "fitted": fitted,
            "loss_start": model.loss(START), "loss_fitted": float(res.loss[0]),
            "steps": int(res.steps[0]), "status": int(res.status[0]),
            "curve_start": predict(model, START, x), "curve_fitted": predict(model, fitted, x)}


def draw(d: dict, lang: str = "en"):
    with S.use_style():
        return _draw(d, lang)


def _draw(d: dict, lang: str):
    model = d["model"]
    L = T("loss_symbol", lang)
    fig, ax = fp.figure(size=(10.0, 5.2))
    ax.plot(d["x"], d["curve_start"], color="#777777", ls="--", lw=2.0,
            label=f"{T('initial_model', lang)}: $\\phi$ = {point(d['start'], lang)}, "
                  f"{L} = {number(d['loss_start'], lang, '.3g')}")
    ax.plot(d["x"], d["curve_fitted"], color=S.optimizer_color("line_search"), lw=2.6,
            label=f"{T('fit_label', lang, n=d['steps'])}: $\\phi$ = "
                  f"{point(d['fitted'], lang)}, {L} = {number(d['loss_fitted'], lang, '.3f')}")
    ax.scatter(model.X[:, 0], model.Y[:, 0], s=36, color="black", zorder=3,
               label=T("data", lang))
    ax.set_xlim(*X_RANGE)
    ax.set_ylim(-1.2, 1.75)
    ax.set_yticks([-1.0, -0.5, 0.0, 0.5, 1.0])
    ax.set_xlabel(T("input", lang))
    ax.set_ylabel(T("output", lang))
    ax.legend(loc="upper left", ncol=1)
    ax.set_title(T("fit_title", lang, m=MAX_DIST), loc="left")
    return fig


main = make_main(FIG_ID, data, draw)

if __name__ == "__main__":
    raise SystemExit(cli(FIG_ID, main))
