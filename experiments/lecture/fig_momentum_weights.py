"""Momentum slides: the recursion m_t = beta m_{t-1} + (1 - beta) g_t (m_{-1} = 0) expands into
m_t = sum_k (1 - beta) beta^k g_{t-k}, a weighted sum of all past gradients whose weights sum to
1 - beta^(t+1) (-> 1 for large t).

(a) the weight (1 - beta) beta^k of the gradient k steps back, for a few beta;
(b) the sum of the weights after t steps, 1 - beta^t, for the same beta. The points of (b) are
the momentum buffer fastdescent's ``momentum`` rule builds from a constant unit gradient
(read off the engine's path on a quadratic with negligible curvature), the lines the formula.
"""
from __future__ import annotations

import functools

import numpy as np

import fastdescent as fd
from fastdescent import plotting as fp
from fastdescent.plotting import style as S
from fastdescent.plotting.i18n import t

from ._common import cli, make_main, panel_title

FIG_ID = "momentum-weights"
BETAS = (0.5, 0.8, 0.9)
K = 30  # gradients shown in (a)
T = 40  # steps shown in (b)
LR = 1.0
CURVATURE = 1e-7  # quadratic 0.5 c phi^2 started at 1/c: the gradient stays 1 (to 1e-5)


@functools.lru_cache(maxsize=2)
def data(quick: bool = False) -> dict:
    k = np.arange(K)
    tt = np.arange(1, T + 1)
    weights = {b: (1 - b) * b ** k for b in BETAS}
    sums = {b: 1 - b ** tt for b in BETAS}
    # the engine's momentum buffer: m_t = (phi_t - phi_{t+1}) / lr under a unit gradient
    model = fd.models.quadratic(eigenvalues=[CURVATURE])
    opt = fd.optim.momentum(lr=LR, beta=np.array(BETAS))
    res = fd.run(model, opt, np.full((len(BETAS), 1), 1.0 / CURVATURE), T, record_every=1)
    buf = -np.diff(res.path[:, :, 0], axis=1) / LR  # (len(BETAS), T): m_0 .. m_{T-1}
    return {"k": k, "t": tt, "weights": weights, "sums": sums,
            "engine_sums": {b: buf[i] for i, b in enumerate(BETAS)}}


def draw(d: dict, lang: str = "en"):
    fig, (ax1, ax2) = fp.figure(1, 2, size=(12.0, 4.3))
    cols = [S.PALETTE[i] for i in range(len(BETAS))]
    for c, b in zip(cols, BETAS):
        ax1.plot(d["k"], d["weights"][b], "-o", color=c, ms=4, lw=1.5,
                 label=f"$\\beta$ = {b:g}")
        ax2.plot(d["t"], d["sums"][b], color=c, lw=2, label=f"$\\beta$ = {b:g}: $1-\\beta^t$")
        ax2.plot(d["t"], d["engine_sums"][b], "o", color=c, ms=4, mfc="white", mew=1.2)
    ax1.set_xlabel(t("steps_back", lang))
    ax1.set_ylabel(t("gradient_weight", lang))
    ax1.set_xlim(-0.5, K - 0.5)
    ax1.set_ylim(0, None)
    ax1.legend(loc="upper right")
    panel_title(ax1, 0, t("momentum_weights_title", lang))
    ax2.axhline(1.0, color="black", lw=0.8, ls="--")
    ax2.plot([], [], "o", color="0.3", mfc="white", mew=1.2, label=t("engine_buffer", lang))
    ax2.set_xlabel(t("step_t", lang))
    ax2.set_ylabel(t("sum_of_weights", lang))
    ax2.set_xlim(0, T + 0.5)
    ax2.set_ylim(0, 1.08)
    ax2.legend(loc="lower right", fontsize=10)
    panel_title(ax2, 1, t("momentum_sum_title", lang))
    return fig


main = make_main(FIG_ID, data, draw)

if __name__ == "__main__":
    raise SystemExit(cli(FIG_ID, main))
