"""The lecture's first slides: four problem types, each a model fitted by minimizing a loss.

Point: every supervised problem -- univariate regression, multivariate regression, binary and
multiclass classification -- is solved the same way: choose a model and a loss over the
training examples and minimize the loss over the parameters; the fitted models follow the
data and the loss falls during training (to its known minimum where the model has one).

Each model is fitted from :math:`\\phi = 0` with Adam (``LR``, ``BETA``, ``GAMMA``, ``STEPS``
full-batch steps; fastdescent.run) on the model's seeded data set: a cubic by least squares (one
input, one output), a linear map with two inputs and two outputs by least squares, a logistic
model by binary cross-entropy, a softmax model with three classes by cross-entropy. Losses are
summed over the examples. Top row: the fitted model with its data (regressions: the fitted
curve, or predicted against observed outputs; classifications: the region of each predicted
class, shaded, and the decision boundary); bottom row: the loss during training, with the
model's known minimum (closed form or a long reference fit stored with the model) where it has
one. Training is deterministic (full batch, fixed start), so there is no ensemble to show.

Colours: the loss curves are Adam's optimizer colour; models, data, classes and regions use
black, white and greys only (classes differ by marker shape), since every other hue in the
lecture means an optimizer.
"""
from __future__ import annotations

import functools

import matplotlib as mpl
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

import fastdescent as fd
from fastdescent import plotting as fp
from fastdescent.plotting import predict as P
from fastdescent.plotting import style as S
from fastdescent.plotting.i18n import Texts

from ._common import cli, make_main, panel_title

#: This figure, as the registry reads it (``experiments.lecture.REGISTRY``): id, file-name
#: slug, titles and place in the lecture.
FIGURE = dict(id="problems", slug="four-types", order=130,
              en='Four problem types: fitted models and their losses',
              es='Cuatro tipos de problema: modelos ajustados y sus pérdidas')
FIG_ID = FIGURE["id"]
PROBLEMS = ("univariate_regression", "multivariate_regression", "binary_classification",
            "multiclass_classification")
LR, BETA, GAMMA = 0.1, 0.9, 0.99  # Adam
STEPS = 300  # quick: 60
#: class k -> (marker, face colour); region shading of class k (greys)
CLASS_STYLE = (("o", "white"), ("s", "black"), ("^", "0.6"))
CLASS_REGION = ("white", "0.72", "0.88")

T = Texts({
    "univariate_regression": {"en": "Univariate regression", "es": "Regresión univariante"},
    "multivariate_regression": {"en": "Multivariate regression",
                                "es": "Regresión multivariante"},
    "binary_classification": {"en": "Binary classification", "es": "Clasificación binaria"},
    "multiclass_classification": {"en": "Multiclass classification",
                                  "es": "Clasificación multiclase"},
    "minimum_loss": {"en": "Minimum of the loss", "es": "Mínimo de la pérdida"},
    "final_loss_value": {"en": "Final loss {v:.3g}", "es": "Pérdida final {v:.3g}"},
    "fitted_curve": {"en": "Fitted model (curve, decision boundary)",
                     "es": "Modelo ajustado (curva, frontera de decisión)"},
    "regions": {"en": "Predicted class: shade of its region",
                "es": "Clase predicha: tono de su región"},
    "identity": {"en": "Predicted = observed", "es": "Predicho = observado"},
    "suptitle": {"en": "Each model fitted with Adam ($\\alpha$ = {lr:g}, $\\beta$ = {b:g}, "
                       "$\\gamma$ = {g:g}) from $\\phi = 0$, {n} steps; loss summed over "
                       "the examples",
                 "es": "Cada modelo ajustado con Adam ($\\alpha$ = {lr:g}, $\\beta$ = {b:g}, "
                       "$\\gamma$ = {g:g}) desde $\\phi = 0$, {n} pasos; pérdida sumada sobre "
                       "los ejemplos"},
    "loss_sum": {"en": "Loss (log scale)", "es": "Pérdida (escala log.)"},
})


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
    return {"panels": out, "steps": steps}


def _scatter_classes(ax, X, classes):
    for k in range(int(classes.max()) + 1):
        sel = classes == k
        mk, fc = CLASS_STYLE[k % len(CLASS_STYLE)]
        ax.scatter(X[sel, 0], X[sel, 1], s=36, marker=mk, facecolor=fc, edgecolor="black",
                   linewidths=0.9, zorder=3)


def _pad(lo, hi, frac):
    w = hi - lo if hi > lo else 1.0
    return lo - frac * w, hi + frac * w


def draw_fit(ax, p, lang):
    """The fitted model of panel ``p`` with its data, in black, white and greys."""
    m, phi = p["model"], p["params"]
    X, Y = m.X, m.Y
    kind = P.task(m)
    if kind == "regression" and X.shape[1] == 1:
        lo, hi = _pad(X[:, 0].min(), X[:, 0].max(), 0.05)
        xg = np.linspace(lo, hi, 400)
        ax.scatter(X[:, 0], Y[:, 0], s=30, facecolor="0.6", edgecolor="black", lw=0.8,
                   zorder=3)
        ax.plot(xg, np.ravel(P.predict(m, phi, xg)), color="black", lw=2.4, zorder=2)
        ax.set_xlim(lo, hi)
        ax.set_xlabel(T("input", lang))
        ax.set_ylabel(T("output", lang))
    elif kind == "regression":
        pred = P.predict(m, phi)
        lo, hi = _pad(min(Y.min(), pred.min()), max(Y.max(), pred.max()), 0.05)
        ax.plot([lo, hi], [lo, hi], ls="--", color="0.4", lw=1.4, zorder=2)
        for dd in range(Y.shape[1]):
            mk, fc = CLASS_STYLE[dd]
            ax.scatter(Y[:, dd], pred[:, dd], s=30, marker=mk, facecolor=fc, edgecolor="black",
                       linewidths=0.8, zorder=3)
        ax.set_xlim(lo, hi)
        ax.set_ylim(lo, hi)
        ax.set_xlabel(T("observed", lang))
        ax.set_ylabel(T("predicted", lang))
    else:
        (x0, x1), (y0, y1) = _pad(X[:, 0].min(), X[:, 0].max(), 0.08), \
            _pad(X[:, 1].min(), X[:, 1].max(), 0.08)
        g0, g1 = np.meshgrid(np.linspace(x0, x1, 200), np.linspace(y0, y1, 200))
        grid = np.column_stack([g0.ravel(), g1.ravel()])
        classes = Y[:, 0].astype(np.int64)
        if kind == "binary":
            prob = P.predict(m, phi, grid).reshape(g0.shape)
            lut = mpl.colors.ListedColormap(list(CLASS_REGION[:2]))
            ax.contourf(g0, g1, prob, levels=[0.0, 0.5, 1.0], cmap=lut)
            ax.contour(g0, g1, prob, levels=[0.5], colors="black", linewidths=2.0)
        else:
            K = int(classes.max()) + 1
            cls = P.predict_class(m, phi, grid).reshape(g0.shape)
            lut = mpl.colors.ListedColormap([CLASS_REGION[k % 3] for k in range(K)])
            ax.contourf(g0, g1, cls, levels=np.arange(K + 1) - 0.5, cmap=lut)
            ax.contour(g0, g1, cls, levels=np.arange(K - 1) + 0.5, colors="black",
                       linewidths=2.0)
        _scatter_classes(ax, X, classes)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_xlabel(T("input_k", lang, k=1))
        ax.set_ylabel(T("input_k", lang, k=2), labelpad=1)


def draw(d: dict, lang: str = "en"):
    """The figure of ``data()`` with labels in ``lang``, drawn in the house style."""
    with S.use_style():
        return _draw(d, lang)


def _draw(d: dict, lang: str):
    panels = d["panels"]
    fig, axs = fp.figure(2, 4, size=(13.1, 7.4), gridspec_kw={"height_ratios": [1.3, 1.0]})
    color = S.optimizer_color("adam")
    for k, p in enumerate(panels):
        ax, axl = axs[0, k], axs[1, k]
        draw_fit(ax, p, lang)
        panel_title(ax, k, T(p["name"], lang))
        axl.plot(p["steps"], p["loss_path"], color=color, lw=2.4)
        if p["known_minimum"] is not None:
            axl.axhline(p["known_minimum"], color="black", ls="--", lw=1.4)
        axl.set_yscale("log")
        axl.yaxis.set_major_locator(mpl.ticker.LogLocator(subs=(1.0, 2.0, 5.0), numticks=5))
        axl.yaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
        axl.yaxis.set_minor_formatter(mpl.ticker.NullFormatter())
        axl.set_xlabel(T("step", lang))
        axl.set_title(T("final_loss_value", lang, v=p["loss"]), fontsize=13, loc="left")
    axs[1, 0].set_ylabel(T("loss_sum", lang))
    handles = [
        Line2D([], [], ls="none", marker="o", mfc="0.6", mec="black", ms=7,
               label=T("data", lang)),
        Line2D([], [], color="black", lw=2.4, label=T("fitted_curve", lang)),
        Line2D([], [], color="0.4", ls="--", lw=1.4, label=T("identity", lang)),
    ]
    handles += [Line2D([], [], ls="none", marker=mk, mfc=fc, mec="black", ms=8,
                       label=T("class_k", lang, k=k) + " / " + T("output_k", lang, k=k))
                for k, (mk, fc) in enumerate(CLASS_STYLE[:2])]
    handles += [Line2D([], [], ls="none", marker=CLASS_STYLE[2][0], mfc=CLASS_STYLE[2][1],
                       mec="black", ms=8, label=T("class_k", lang, k=2))]
    handles += [Line2D([], [], color=color, lw=2.4, label=fp.optimizer_label("adam", lang)),
                Line2D([], [], color="black", ls="--", lw=1.4, label=T("minimum_loss", lang))]
    handles.insert(3, Patch(facecolor=CLASS_REGION[1], edgecolor="black", lw=0.6,
                            label=T("regions", lang)))
    fig.legend(handles=handles, loc="outside lower center", ncol=3, handlelength=1.8,
               columnspacing=1.2)
    fig.suptitle(T("suptitle", lang, lr=LR, b=BETA, g=GAMMA, n=d["steps"]), fontsize=13)
    return fig


main = make_main(FIG_ID, data, draw)

if __name__ == "__main__":
    raise SystemExit(cli(FIG_ID, main))
