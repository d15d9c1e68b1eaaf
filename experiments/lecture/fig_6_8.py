"""Figure 6.8: momentum vs Nesterov momentum -- the geometry of one step on the Gabor loss.

Momentum (lecture form): m_t = beta m_{t-1} + (1 - beta) g(phi_t), phi_{t+1} = phi_t - alpha m_t:
the step is the momentum part -alpha beta m_{t-1} plus the gradient part
-alpha (1 - beta) g(phi_t), with the gradient taken at the current point.
Nesterov: the gradient is taken at the look-ahead point phi_t - alpha beta m_{t-1}, where the
momentum part alone would carry us.

The state (phi_t, m_{t-1}) comes from fastdescent.run with the momentum rule (m_{t-1} is read
off the path: phi_{t-1} - phi_t = alpha m_{t-1}); t is the first step whose look-ahead point
lies past the valley floor (the gradients at the point and at the look-ahead point differ in
direction by more than 60 degrees), where Nesterov brakes. Panel (c) runs both rules from the
same start with fastdescent.run.
"""
from __future__ import annotations

import functools

import numpy as np

import fastdescent as fd
from fastdescent import plotting as fp
from fastdescent.plotting import style as S
from fastdescent.plotting.i18n import optimizer_label, t

from ._common import cli, make_main, panel_title

FIG_ID = "6.8"
START = (-1.5, 13.0)
LR = 0.08
BETA = 0.5
STEPS = 40  # panel c
COS_MAX = 0.5  # the step shown: first t with cos(g(phi_t), g(look-ahead)) below this
MARGIN = 0.08  # zoom of panels a, b around the vectors (parameter units)


@functools.lru_cache(maxsize=2)
def data(quick: bool = False) -> dict:
    model = fd.models.gabor()
    mom = fd.run(model, fd.optim.momentum(lr=LR, beta=BETA), START, STEPS, record_every=1)
    nes = fd.run(model, fd.optim.nesterov(lr=LR, beta=BETA), START, STEPS, record_every=1)
    path = mom.path[0]
    step = None
    for k in range(1, STEPS):
        m = (path[k - 1] - path[k]) / LR
        look = path[k] - LR * BETA * m
        g0, g1 = model.grad(path[k]), model.grad(look)
        if g0 @ g1 < COS_MAX * np.linalg.norm(g0) * np.linalg.norm(g1):
            step = k
            break
    if step is None:
        raise RuntimeError("no step with a look-ahead past the valley floor; change START")
    k = step
    phi = path[k]
    m_prev = (path[k - 1] - path[k]) / LR
    look = phi - LR * BETA * m_prev
    g_here, g_look = model.grad(phi), model.grad(look)
    return {"model": model, "t": k, "phi": phi, "m_prev": m_prev, "look": look,
            "momentum_part": -LR * BETA * m_prev,
            "grad_part": -LR * (1 - BETA) * g_here,
            "grad_part_look": -LR * (1 - BETA) * g_look,
            "next_momentum": phi - LR * (BETA * m_prev + (1 - BETA) * g_here),
            "next_nesterov": phi - LR * (BETA * m_prev + (1 - BETA) * g_look),
            "engine_next_momentum": path[k + 1], "history": path[:k + 1],
            "paths": {"momentum": mom.path[0], "nesterov": nes.path[0]},
            "losses": {"momentum": float(mom.loss[0]), "nesterov": float(nes.loss[0])},
            "n": 80 if quick else 200}


def _arrow(ax, p, q, color, ls="-", lw=2.4, label=None):
    ax.annotate("", q, p, arrowprops=dict(arrowstyle="-|>", color=color, lw=lw, ls=ls,
                                          mutation_scale=18, shrinkA=0, shrinkB=0), zorder=6)
    if label is not None:
        ax.plot([], [], color=color, lw=lw, ls=ls, label=label)


def draw(d: dict, lang: str = "en"):
    model = d["model"]
    fig, axs = fp.figure(1, 3, size=(16.0, 5.4))
    pts = np.array([d["phi"], d["look"], d["next_momentum"], d["next_nesterov"],
                    d["phi"] + d["momentum_part"] + d["grad_part"]])
    lo, hi = pts.min(axis=0) - MARGIN, pts.max(axis=0) + MARGIN
    half = 0.5 * max(hi - lo) * np.array([1.0, 0.8])
    mid = 0.5 * (lo + hi)
    zoom = (np.linspace(mid[0] - half[0], mid[0] + half[0], d["n"]),
            np.linspace(mid[1] - half[1], mid[1] + half[1], d["n"]))
    c_mom, c_nes = S.optimizer_color("momentum"), S.optimizer_color("nesterov")
    c_grad = S.optimizer_color("gd")
    c_part = S.OKABE_ITO["yellow"]
    for k, ax in enumerate(axs[:2]):
        fp.loss_surface(model, ax, axes=zoom, levels=18, colorbar=False, lang=lang)
        h = d["history"]
        ax.plot(h[:, 0], h[:, 1], "o-", color="white", ms=4, lw=1, alpha=0.8, zorder=4)
        phi = d["phi"]
        tip = phi + d["momentum_part"]
        _arrow(ax, phi, tip, c_part, ls="--", lw=2.0, label=t("momentum_part", lang))
        if k == 0:
            _arrow(ax, phi, phi + d["grad_part"], c_grad, label=t("grad_at_point", lang))
            _arrow(ax, tip, d["next_momentum"], c_grad, lw=1.6)
            _arrow(ax, phi, d["next_momentum"], c_mom, lw=3.0, label=t("step_taken", lang))
            ax.plot(*d["next_momentum"], "o", ms=8, color=c_mom, mec="black", zorder=7)
        else:
            ax.plot(*d["look"], "D", ms=8, color="white", mec="black", zorder=7,
                    label=t("lookahead_point", lang))
            _arrow(ax, tip, d["next_nesterov"], c_grad, label=t("grad_at_lookahead", lang))
            _arrow(ax, phi, d["next_nesterov"], c_nes, lw=3.0, label=t("step_taken", lang))
            ax.plot(*d["next_nesterov"], "o", ms=8, color=c_nes, mec="black", zorder=7)
            ax.plot(*d["next_momentum"], "o", ms=7, mfc="none", mec=c_mom, mew=1.5, zorder=7)
        ax.plot(*phi, "o", ms=10, mfc="white", mec="black", zorder=7)
        ax.annotate(f"$\\phi_{{{d['t']}}}$", phi, xytext=(-14, -16), textcoords="offset points",
                    fontsize=13, color="white", fontweight="bold")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=10)
        name = "momentum" if k == 0 else "nesterov"
        panel_title(ax, k, f"{optimizer_label(name, lang)}: {t('one_step', lang)}")
    # (c) both rules from the same start
    ax = axs[2]
    box = (np.linspace(-2.0, 1.5, d["n"]), np.linspace(11.0, 17.0, d["n"]))
    fp.loss_surface(model, ax, axes=box, levels=22, colorbar=False, lang=lang)
    for name, c in (("momentum", c_mom), ("nesterov", c_nes)):
        fp.trajectory(d["paths"][name], ax, color=c, markersize=4, linewidth=2.0, arrows=False,
                      label=f"{optimizer_label(name, lang)}, "
                            f"$L$ = {d['losses'][name]:.3g}")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize=10)
    panel_title(ax, 2, t("both_paths", lang, n=STEPS, a=LR, b=BETA))
    return fig


main = make_main(FIG_ID, data, draw)

if __name__ == "__main__":
    raise SystemExit(cli(FIG_ID, main))
