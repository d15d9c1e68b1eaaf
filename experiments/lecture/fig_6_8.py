"""Figure 6.8: momentum vs Nesterov momentum on the Gabor loss.

Point: Nesterov momentum takes the gradient at the look-ahead point, where the momentum alone
would carry the parameters, so it brakes before it overshoots and reaches a minimum in fewer
steps than momentum.

Momentum (lecture form): m_t = beta m_{t-1} + (1 - beta) g(phi_t), phi_{t+1} = phi_t - alpha m_t:
the step is the momentum part -alpha beta m_{t-1} plus the gradient part
-alpha (1 - beta) g(phi_t). Nesterov takes the gradient at the look-ahead point
phi_t - alpha beta m_{t-1} instead.

Settings: alpha 0.2, beta 0.9, full batch (the book's figure is a sketch without settings).
With a small beta (0.5) the momentum part is short, the look-ahead point is close to the point
and the two rules trace the same path; with beta 0.9 the look-ahead matters:

* (c), ensemble: both rules from a GRID x GRID grid of starts over the book's box, each run
  until the full-batch gradient norm is below TOL (Nesterov tests it at its look-ahead point)
  or STEPS steps. Among the starts that both bring to the same minimum, the share where
  Nesterov needs fewer steps and the median step counts.
* (c), paths: the start of that grid whose step ratio (Nesterov / momentum) is the median
  ratio (the typical start, not a favourable one), both rules run the full STEPS steps; both
  end at the same minimum (gradient ~ 0, Hessian positive definite).
* (a), (b): one step of momentum and of Nesterov from the same state, with beta GEOM_BETA
  (with beta 0.9 the gradient part, alpha (1 - beta) g, is a tenth of the step and hardly
  visible). The state (phi_t, m_{t-1}) comes from fastdescent.run with the momentum rule from
  the start of (c) (m_{t-1} = (phi_{t-1} - phi_t) / alpha); t is the step whose look-ahead
  gradient turns most against the gradient at the point (smallest cosine), among the steps at
  least MIN_STEP as long as the longest: there Nesterov brakes.

Colours: the step taken and the paths have the optimizer's colour; the momentum part is
yellow (dashed), the gradient parts white, the look-ahead point a white diamond.
"""
from __future__ import annotations

import functools

import numpy as np
from matplotlib.lines import Line2D
from matplotlib import patheffects

import fastdescent as fd
from fastdescent import plotting as fp
from fastdescent.plotting import style as S
from fastdescent.plotting.i18n import Texts, number, optimizer_label

from ._common import cli, make_main, panel_title

#: This figure, as the registry reads it (``experiments.lecture.REGISTRY``): id, file-name
#: slug, titles and place in the lecture.
FIGURE = dict(id="6.8", slug="nesterov", order=80,
              en='Momentum vs Nesterov momentum: one step and the race to the minimum',
              es='Momentum frente a momentum de Nesterov: un paso y la carrera al mínimo')
FIG_ID = FIGURE["id"]
LR = 0.2
BETA = 0.9
STEPS = 400  # panel c paths; also the step limit of the ensemble
TOL = 1e-3  # ensemble: converged when |grad L| < TOL
GRID = 20  # ensemble starts: GRID x GRID over the Gabor box (quick: GRID_QUICK)
GRID_QUICK = 8
SAME_MIN = 1e-2  # two end points closer than this are the same minimum
GEOM_BETA = 0.5  # panels a, b: momentum and gradient parts of comparable length
MIN_STEP = 0.25  # the step shown is at least this fraction of the longest step
MARGIN = 0.06  # zoom of panels a, b around the vectors (fraction of their span, min units)
C_PART = S.OKABE_ITO["yellow"]  # the momentum part of a step
C_GRAD = "white"  # the gradient part of a step

T = Texts({
    "f68_momentum_part": {"en": "Momentum part, $-\\alpha\\beta m_{t-1}$",
                          "es": "Parte de momentum, $-\\alpha\\beta m_{t-1}$"},
    "f68_grad_here": {"en": "Gradient part at $\\phi_t$, $-\\alpha(1-\\beta)g(\\phi_t)$",
                      "es": "Parte del gradiente en $\\phi_t$, $-\\alpha(1-\\beta)g(\\phi_t)$"},
    "f68_look": {"en": "Look-ahead point, $\\phi_t-\\alpha\\beta m_{t-1}$",
                 "es": "Punto anticipado, $\\phi_t-\\alpha\\beta m_{t-1}$"},
    "f68_step": {"en": "Step taken: {o}", "es": "Paso dado: {o}"},
    "f68_one_step": {"en": "{o}: step {t}", "es": "{o}: paso {t}"},
    "f68_paths": {"en": "From {p}, the median start", "es": "Desde {p}, el inicio mediano"},
    "f68_path_label": {"en": "{o}: {n}", "es": "{o}: {n}"},
    "f68_steps_to": {"en": "Steps to $|\\nabla L|$ < {tol:g}",
                     "es": "Pasos hasta $|\\nabla L|$ < {tol:g}"},
    "f68_distance": {"en": "$|\\phi_t - \\phi^*|$", "es": "$|\\phi_t - \\phi^*|$"},
    "f68_minimum": {"en": "Minimum, $L$ = {v}", "es": "Mínimo, $L$ = {v}"},
    "f68_ensemble": {"en": "{k} grid starts", "es": "{k} inicios en rejilla"},
    "f68_share": {"en": "Converged (%)", "es": "Convergidos (%)"},
    "f68_median": {"en": "{o}: {m}", "es": "{o}: {m}"},
    "f68_median_title": {"en": "Steps (median)", "es": "Pasos (mediana)"},
    "f68_settings": {
        "en": "Gabor model, full batch, $\\alpha$ = {a:g}; (a, b) $\\beta$ = {g:g}; (c, d) "
              "$\\beta$ = {b:g}: Nesterov converges first from {p:.0f} % of the starts",
        "es": "Gabor, lote completo, $\\alpha$ = {a:g}; (a, b) $\\beta$ = {g:g}; (c, d) "
              "$\\beta$ = {b:g}: Nesterov converge antes desde el {p:.0f} % de los inicios"},
})


def point(p, lang: str, spec: str = "g") -> str:
    """``(-1.5, 6.5)``; in Spanish ``(-1,5; 6,5)`` (the comma is the decimal mark)."""
    sep = "; " if lang == "es" else ", "
    return "(" + sep.join(number(float(v), lang, spec) for v in p) + ")"


def ensemble(model, starts):
    """Both rules from every start until |grad L| < TOL or STEPS: steps, end points, and the
    mask of starts both rules bring to the same minimum."""
    out = {}
    for name in ("momentum", "nesterov"):
        opt = fd.optim.get_optimizer(name, lr=LR, beta=BETA)
        res = fd.run(model, opt, starts, STEPS, tol=TOL)
        out[name] = {"steps": res.steps.astype(int), "final": res.params,
                     "converged": res.converged}
    same = (out["momentum"]["converged"] & out["nesterov"]["converged"]
            & (np.linalg.norm(out["momentum"]["final"] - out["nesterov"]["final"], axis=1)
               < SAME_MIN))
    return out, same


@functools.lru_cache(maxsize=2)
def data(quick: bool = False) -> dict:
    model = fd.models.gabor()
    g = GRID_QUICK if quick else GRID
    (x0, x1), (y0, y1) = model.box
    # cell centres of a g x g grid over the box
    xs = x0 + (np.arange(g) + 0.5) * (x1 - x0) / g
    ys = y0 + (np.arange(g) + 0.5) * (y1 - y0) / g
    starts = np.array([(x, y) for x in xs for y in ys])
    ens, same = ensemble(model, starts)
    sm, sn = ens["momentum"]["steps"][same], ens["nesterov"]["steps"][same]
    ratio = sn / sm
    idx = np.nonzero(same)[0]
    pick = int(idx[np.argmin(np.abs(ratio - np.median(ratio)))])
    start = starts[pick]
    runs = {name: fd.run(model, fd.optim.get_optimizer(name, lr=LR, beta=BETA), start, STEPS,
                         record_every=1) for name in ("momentum", "nesterov")}
    geom = fd.run(model, fd.optim.momentum(lr=LR, beta=GEOM_BETA), start, STEPS, record_every=1)
    path = geom.path[0]
    # the step shown: the largest turn between the gradient at the point and at the
    # look-ahead point, among the steps at least MIN_STEP of the longest step
    m_all = (path[:-2] - path[1:-1]) / LR  # m_{j-1} for j = 1 .. STEPS-1
    looks = path[1:-1] - LR * GEOM_BETA * m_all
    g0, g1 = model.loss_grad_many(path[1:-1])[1], model.loss_grad_many(looks)[1]
    cos = np.einsum("ij,ij->i", g0, g1) / (np.linalg.norm(g0, axis=1)
                                          * np.linalg.norm(g1, axis=1) + 1e-300)
    length = np.linalg.norm(np.diff(path, axis=0), axis=1)[:-1]
    cos[length < MIN_STEP * length.max()] = np.inf
    k = int(np.argmin(cos)) + 1
    phi = path[k]
    m_prev = (path[k - 1] - path[k]) / LR
    look = phi - LR * GEOM_BETA * m_prev
    g_here, g_look = model.grad(phi), model.grad(look)
    b = GEOM_BETA
    return {"model": model, "t": k, "phi": phi, "m_prev": m_prev, "look": look,
            "momentum_part": -LR * b * m_prev,
            "grad_part": -LR * (1 - b) * g_here,
            "grad_part_look": -LR * (1 - b) * g_look,
            "next_momentum": phi - LR * (b * m_prev + (1 - b) * g_here),
            "next_nesterov": phi - LR * (b * m_prev + (1 - b) * g_look),
            "engine_next_momentum": path[k + 1], "history": path[:k + 1],
            "start": start, "starts": starts, "same": same,
            "ens_steps": {n: ens[n]["steps"] for n in ens},
            "conv_steps": {n: int(ens[n]["steps"][pick]) for n in ens},
            "paths": {n: runs[n].path[0] for n in runs},
            "final": {n: runs[n].params[0] for n in runs},
            "losses": {n: float(runs[n].loss[0]) for n in runs},
            "n": 80 if quick else 200}


def _short(name, lang):
    """Short legend name: "Momentum", "Nesterov"."""
    return "Nesterov" if name == "nesterov" else optimizer_label(name, lang)


def _arrow(ax, p, q, color, ls="-", lw=2.4, halo=True):
    arr = ax.annotate("", q, p, arrowprops=dict(arrowstyle="-|>", color=color, lw=lw, ls=ls,
                                                mutation_scale=20, shrinkA=0, shrinkB=0),
                      zorder=6)
    if halo:
        arr.arrow_patch.set_path_effects([patheffects.Stroke(linewidth=lw + 2.0,
                                                             foreground="black"),
                                          patheffects.Normal()])


def draw(d: dict, lang: str = "en"):
    """Figure 6.8 of ``data()`` with labels in ``lang`` (drawn in the house style)."""
    with S.use_style():
        return _draw(d, lang)


def _draw(d: dict, lang: str):
    model = d["model"]
    fig = fp.figure(1, 1, size=(13.0, 7.2))[0]
    fig.clear()
    gs = fig.add_gridspec(2, 3, width_ratios=[1, 1, 1.1])
    axs = [fig.add_subplot(gs[:, 0]), fig.add_subplot(gs[:, 1]), fig.add_subplot(gs[0, 2]),
           fig.add_subplot(gs[1, 2])]
    pts = np.array([d["phi"], d["look"], d["next_momentum"], d["next_nesterov"],
                    d["phi"] + d["grad_part"]])
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    span = max(hi - lo)
    half = (0.5 + MARGIN * 2) * span
    mid = 0.5 * (lo + hi)
    zoom = (np.linspace(mid[0] - half, mid[0] + half, d["n"]),
            np.linspace(mid[1] - half, mid[1] + half, d["n"]))
    c_mom, c_nes = S.optimizer_color("momentum"), S.optimizer_color("nesterov")
    tlabel = f"$\\phi_{{{d['t']}}}$"
    for k, ax in enumerate(axs[:2]):
        fp.loss_surface(model, ax, axes=zoom, levels=18, colorbar=False, lang=lang)
        h = d["history"]
        ax.plot(h[:, 0], h[:, 1], "o-", color="white", ms=4, lw=1, alpha=0.8, zorder=4)
        phi = d["phi"]
        tip = phi + d["momentum_part"]
        _arrow(ax, phi, tip, C_PART, ls="--", lw=2.2)
        if k == 0:
            _arrow(ax, phi, phi + d["grad_part"], C_GRAD)
            _arrow(ax, tip, d["next_momentum"], C_GRAD, lw=1.8)
            _arrow(ax, phi, d["next_momentum"], c_mom, lw=3.2)
            ax.plot(*d["next_momentum"], "o", ms=9, color=c_mom, mec="black", zorder=7)
        else:
            ax.plot(*d["look"], "D", ms=9, color="white", mec="black", zorder=7)
            _arrow(ax, tip, d["next_nesterov"], C_GRAD, lw=1.8)
            _arrow(ax, phi, d["next_nesterov"], c_nes, lw=3.2)
            ax.plot(*d["next_nesterov"], "o", ms=9, color=c_nes, mec="black", zorder=7)
            ax.plot(*d["next_momentum"], "o", ms=8, mfc="none", mec=c_mom, mew=2, zorder=7)
        ax.plot(*phi, "o", ms=11, mfc="white", mec="black", zorder=7)
        ax.annotate(tlabel, phi, xytext=(-30, 4), textcoords="offset points", fontsize=15,
                    color="white", fontweight="bold", zorder=8,
                    path_effects=[patheffects.withStroke(linewidth=2.5, foreground="black")])
        ax.set_xlim(zoom[0][0], zoom[0][-1])
        ax.set_ylim(zoom[1][0], zoom[1][-1])
        ax.locator_params(nbins=4)
        name = "momentum" if k == 0 else "nesterov"
        panel_title(ax, k, T("f68_one_step", lang, o=optimizer_label(name, lang), b=GEOM_BETA,
                             t=d["t"]), fontsize=13)
        if k == 1:
            ax.set_ylabel("")
    handles = [Line2D([], [], color=C_PART, ls="--", lw=2.2),
               Line2D([], [], color=C_GRAD, lw=2.2,
                      path_effects=[patheffects.Stroke(linewidth=4.2, foreground="black"),
                                    patheffects.Normal()]),
               Line2D([], [], ls="", marker="D", ms=9, color="white", mec="black"),
               Line2D([], [], color=c_mom, lw=3.2, marker="o", ms=8, mec="black"),
               Line2D([], [], color=c_nes, lw=3.2, marker="o", ms=8, mec="black")]
    labels = [T("f68_momentum_part", lang), T("f68_grad_here", lang), T("f68_look", lang),
              T("f68_step", lang, o=optimizer_label("momentum", lang)),
              T("f68_step", lang, o=optimizer_label("nesterov", lang))]
    fig.legend(handles, labels, loc="outside lower left", ncol=2)
    # (c) both rules from the same start: distance to the minimum they reach
    ax = axs[2]
    steps = np.arange(STEPS + 1)
    fmin = d["final"]["nesterov"]
    for name, c in (("momentum", c_mom), ("nesterov", c_nes)):
        dist = np.linalg.norm(d["paths"][name] - fmin, axis=1)
        ax.semilogy(steps, np.maximum(dist, 1e-12), color=c, lw=2.2,
                    label=T("f68_path_label", lang, o=_short(name, lang),
                            n=d["conv_steps"][name]))
    ax.set_xlim(0, STEPS)
    ax.set_ylim(1e-10, None)
    ax.set_ylabel(T("f68_distance", lang))
    ax.legend(loc="lower left", title=T("f68_steps_to", lang, tol=TOL))
    panel_title(ax, 2, T("f68_paths", lang, p=point(d["start"], lang, ".3g")), fontsize=13)
    # (d) the ensemble: share of the starts converged by step t
    ax = axs[3]
    same = d["same"]
    steps = np.arange(STEPS + 1)
    med = {}
    for name, c in (("momentum", c_mom), ("nesterov", c_nes)):
        k = np.sort(d["ens_steps"][name][same])
        med[name] = int(np.median(k))
        ax.plot(steps, 100 * np.searchsorted(k, steps, side="right") / len(k), color=c, lw=2.5,
                label=T("f68_median", lang, o=_short(name, lang), m=med[name]))
    ax.set_xlim(0, STEPS)
    ax.set_ylim(0, 102)
    ax.set_xlabel(T("step", lang))
    ax.set_ylabel(T("f68_share", lang))
    ax.legend(loc="lower right", title=T("f68_median_title", lang))
    panel_title(ax, 3, T("f68_ensemble", lang, k=int(same.sum())), fontsize=13)
    sm, sn = d["ens_steps"]["momentum"][same], d["ens_steps"]["nesterov"][same]
    fig.suptitle(T("f68_settings", lang, a=LR, b=BETA, g=GEOM_BETA, p=100 * np.mean(sn < sm)),
                 fontsize=13)
    return fig


main = make_main(FIG_ID, data, draw)

if __name__ == "__main__":
    raise SystemExit(cli(FIG_ID, main))
