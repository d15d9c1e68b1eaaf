"""Momentum slides: the momentum step is a weighted sum of all past gradients.

Point: the recursion m_t = beta m_{t-1} + (1 - beta) g_t (m_{-1} = 0) expands into
m_t = sum_k (1 - beta) beta^k g_{t-k}, a weighted sum of all past gradients whose weights decay
geometrically (a larger beta remembers further back) and sum to 1 - beta^t after t steps
(-> 1 for large t).

(a) the weight (1 - beta) beta^k of the gradient k steps back, for a few beta;
(b) the sum of the weights after t steps, 1 - beta^t, for the same beta. The points of (b) are
the momentum buffer fastdescent's ``momentum`` rule builds from a constant unit gradient
(read off the engine's path on a quadratic with negligible curvature), the lines the formula.

The values of beta are told apart by black and greys, line style and marker (the palette's
hues are reserved for the optimizers).
"""
from __future__ import annotations

import functools

import numpy as np

import fastdescent as fd
from fastdescent import plotting as fp
from fastdescent.plotting import style as S
from fastdescent.plotting.i18n import Texts, number

from ._common import cli, make_main, panel_title

#: This figure, as the registry reads it (``experiments.lecture.REGISTRY``): id, file-name
#: slug, titles and place in the lecture.
FIGURE = dict(id="momentum-weights", slug="expansion", order=140,
              en='Momentum as a weighted sum of past gradients',
              es='El momentum como suma ponderada de gradientes pasados')
FIG_ID = FIGURE["id"]
BETAS = (0.5, 0.8, 0.9)
K = 30  # gradients shown in (a)
T_STEPS = 40  # steps shown in (b)
LR = 1.0
STYLES = (("black", "-", "o"), ("0.4", "--", "s"), ("0.62", ":", "^"))  # colour, line, marker
CURVATURE = 1e-7  # quadratic 0.5 c phi^2 started at 1/c: the gradient stays 1 (to 1e-5)


T = Texts({
    "mw_steps_back": {"en": "Steps back, $k$", "es": "Pasos hacia atrás, $k$"},
    "mw_weight": {"en": "Weight of $g_{t-k}$: $(1-\\beta)\\beta^k$",
                  "es": "Peso de $g_{t-k}$: $(1-\\beta)\\beta^k$"},
    "mw_weights_title": {"en": "Weights of the past gradients",
                         "es": "Pesos de los gradientes pasados"},
    "mw_engine": {"en": "fastdescent, constant gradient",
                  "es": "fastdescent, gradiente constante"},
    "mw_sum": {"en": "Sum of the weights", "es": "Suma de los pesos"},
    "mw_sum_title": {"en": "After $t$ steps the weights sum to $1-\\beta^t$",
                     "es": "Tras $t$ pasos los pesos suman $1-\\beta^t$"},
    "mw_beta": {"en": "$\\beta$ = {b}", "es": "$\\beta$ = {b}"},
})


@functools.lru_cache(maxsize=2)
def data(quick: bool = False) -> dict:
    k = np.arange(K)
    tt = np.arange(1, T_STEPS + 1)
    weights = {b: (1 - b) * b ** k for b in BETAS}
    sums = {b: 1 - b ** tt for b in BETAS}
    # the engine's momentum buffer: m_t = (phi_t - phi_{t+1}) / lr under a unit gradient
    model = fd.models.quadratic(eigenvalues=[CURVATURE])
    opt = fd.optim.momentum(lr=LR, beta=np.array(BETAS))
    res = fd.run(model, opt, np.full((len(BETAS), 1), 1.0 / CURVATURE), T_STEPS,
                 record_every=1)
    buf = -np.diff(res.path[:, :, 0], axis=1) / LR  # (len(BETAS), T_STEPS): m_0 ..
    return {"k": k, "t": tt, "weights": weights, "sums": sums,
            "engine_sums": {b: buf[i] for i, b in enumerate(BETAS)}}


def draw(d: dict, lang: str = "en"):
    """The figure of ``data()`` with labels in ``lang`` (drawn in the house style)."""
    with S.use_style():
        return _draw(d, lang)


def _draw(d: dict, lang: str):
    fig, (ax1, ax2) = fp.figure(1, 2, size=(12.0, 4.6))
    for (c, ls, mk), b in zip(STYLES, BETAS):
        label = T("mw_beta", lang, b=number(b, lang))
        ax1.plot(d["k"], d["weights"][b], color=c, ls=ls, marker=mk, ms=5, lw=2, label=label)
        ax2.plot(d["t"], d["sums"][b], color=c, ls=ls, lw=2.2, label=label)
        ax2.plot(d["t"], d["engine_sums"][b], mk, color=c, ms=5, mfc="white", mew=1.3)
    ax1.set_xlabel(T("mw_steps_back", lang))
    ax1.set_ylabel(T("mw_weight", lang))
    ax1.set_xlim(-0.5, K - 0.5)
    ax1.set_ylim(0, None)
    ax1.legend(loc="upper right")
    panel_title(ax1, 0, T("mw_weights_title", lang))
    ax2.axhline(1.0, color="black", lw=0.8, ls="--")
    ax2.plot([], [], "o", color="0.3", mfc="white", mew=1.3, label=T("mw_engine", lang))
    ax2.set_xlabel(T("step_t", lang))
    ax2.set_ylabel(T("mw_sum", lang))
    ax2.set_xlim(0, T_STEPS + 0.5)
    ax2.set_ylim(0, 1.08)
    ax2.legend(loc="lower right")
    panel_title(ax2, 1, T("mw_sum_title", lang))
    return fig


main = make_main(FIG_ID, data, draw)

if __name__ == "__main__":
    raise SystemExit(cli(FIG_ID, main))
