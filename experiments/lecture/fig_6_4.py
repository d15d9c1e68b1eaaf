"""Point: the Gabor loss is not convex: besides the global minimum (L = 0.646, the model follows
the data) it has local minima, where the model fits the data poorly, and saddle points (book
Figure 6.4). The insets show the model at the global minimum, the two deepest local minima and
the saddle, with their location and loss; the letters b-e mark those points on panel a.

Figure 6.4: the Gabor loss surface (offset [-10, 10] x frequency [2.5, 22.5]) with its
global minimum, local minima and a saddle point.

All critical points are found by fastdescent:

* minima: a sweep of gradient descent with line search (fastdescent.sweep) from a grid of
  starting points, run until |grad L| < TOL, clustered and classified by the Hessian with
  fastdescent.analysis.attractors;
* critical points of every kind: damped Newton iterations on the gradient (the model's exact
  gradient and Hessian) from a grid, clustered and classified the same way
  (fastdescent.analysis.find_attractors); the minima among them must agree with the sweep's;
* the saddle shown is the mountain pass of the global minimum: the lowest saddle whose two
  descent directions (the Hessian's negative eigenvector) lead, by fastdescent.run, to the
  global minimum on one side and to another minimum on the other.

Model curves are black and the data grey (they are neither optimizers nor critical points).
"""
from __future__ import annotations

import functools

import numpy as np

import fastdescent as fd
from fastdescent import plotting as fp
from fastdescent.analysis import attractors, box_widths, find_attractors
from fastdescent.plotting import style as S
from fastdescent.plotting.i18n import Texts, kind_label, number
from fastdescent.plotting.predict import predict

from ._common import cli, make_main, panel_title

#: This figure, as the registry reads it (``experiments.lecture.REGISTRY``): id, file-name
#: slug, titles and place in the lecture.
FIGURE = dict(id="6.4", slug="gabor-minima", order=40,
              en='Gabor loss surface: global minimum, local minima and a saddle point',
              es='Superficie de pérdida de Gabor: mínimo global, mínimos locales y punto de silla')
FIG_ID = FIGURE["id"]
MAX_DIST = 2.0  # line search (book value for the Gabor model)
SWEEP_GRID = 32  # starting points per axis of the sweep (quick: 14)
SWEEP_STEPS = 400
TOL = 1e-6  # gradient-norm tolerance of the sweep
CLUSTER_TOL = 1e-3  # clustering resolution, fraction of the box width
NEWTON_GRID = 40  # starting points per axis of the Newton search (quick: 16)
NEWTON_ITERS = 60
NEWTON_MAX_STEP = 1.0  # damping: at most this far per Newton step (each coordinate)
NEWTON_TOL = 1e-8  # |grad L| below which a Newton point is a critical point
PASS_EPS = 0.05  # offset from the saddle along its negative eigenvector
PASS_STEPS = 400

T = Texts({
    "surface_title": {"en": "Gabor loss: minima and a saddle point",
                      "es": "Pérdida de Gabor: mínimos y punto de silla"},
})


def in_box(model, pts) -> np.ndarray:
    b = np.asarray(model.box)
    pts = np.atleast_2d(pts)
    return np.all((pts >= b[:, 0]) & (pts <= b[:, 1]), axis=1)


def newton_critical_points(model, starts, iters=NEWTON_ITERS, max_step=NEWTON_MAX_STEP):
    """Damped Newton iterations phi <- phi - H^-1 grad from every start, vectorised over the
    starts with the model's gradient and Hessian; returns (points, |grad L| at them)."""
    pts = np.array(starts, dtype=float)
    for _ in range(iters):
        _, g = model.loss_grad_many(pts)
        H = model.hessian_many(pts)
        ok = np.abs(np.linalg.det(H)) > 1e-12
        step = np.zeros_like(pts)
        step[ok] = np.linalg.solve(H[ok], g[ok][..., None])[..., 0]
        scale = np.max(np.abs(step), axis=1, keepdims=True) / max_step
        pts = pts - step / np.maximum(1.0, scale)
    _, g = model.loss_grad_many(pts)
    return pts, np.linalg.norm(g, axis=1)


def _nearest(points, p, scale):
    """Index of the point of ``points`` within 5 clustering tolerances of ``p``, else -1."""
    if len(points) == 0:
        return -1
    d = np.max(np.abs(points - p) / scale, axis=1)
    k = int(np.argmin(d))
    return k if d[k] <= 5 * CLUSTER_TOL else -1


@functools.lru_cache(maxsize=2)
def data(quick: bool = False) -> dict:
    model = fd.models.gabor()
    scale = box_widths(model)
    opt = fd.optim.line_search(max_dist=MAX_DIST)
    # 1. minima: a sweep from a grid, attractors of the converged trajectories
    ds = fd.sweep(model, opt, fd.grid(model, 14 if quick else SWEEP_GRID), SWEEP_STEPS,
                  tol=TOL)
    att, labels = attractors(ds, model, tol=CLUSTER_TOL)
    keep = [k for k in range(len(att)) if att.kinds[k] == "minimum"
            and in_box(model, att.locations[k])[0]]
    minima = att.locations[keep]
    minima_loss = att.losses[keep]
    order = np.argsort(minima_loss)
    minima, minima_loss = minima[order], minima_loss[order]
    basin_counts = att.counts[keep][order]
    # 2. every critical point: Newton on the gradient from a grid
    starts = fd.grid(model, 16 if quick else NEWTON_GRID).points
    pts, gnorm = newton_critical_points(model, starts)
    status = np.where((gnorm < NEWTON_TOL) & in_box(model, pts), 1, 0).astype(np.int8)
    crit, _ = find_attractors(pts, status, scale=scale, tol=CLUSTER_TOL, hessian=model.hessian,
                              loss=model.loss)
    kinds = np.array(crit.kinds)
    saddles = crit.locations[kinds == "saddle"]
    saddle_loss = crit.losses[kinds == "saddle"]
    # 3. the mountain pass of the global minimum
    both = np.empty((2 * len(saddles), 2))
    for i, s in enumerate(saddles):
        w, v = np.linalg.eigh(model.hessian(s))
        both[2 * i] = s + PASS_EPS * v[:, 0]
        both[2 * i + 1] = s - PASS_EPS * v[:, 0]
    ends = fd.run(model, opt, both, PASS_STEPS, tol=TOL).params if len(both) else both
    # the minimum (index into `minima`) each side reaches, -1 for none of them
    reach = np.array([_nearest(minima, e, scale) for e in ends], dtype=int).reshape(-1, 2)
    to_global = np.array([0 in r for r in reach], dtype=bool)
    two = to_global & (reach.min(axis=1) >= 0) & (reach[:, 0] != reach[:, 1])
    cand = np.flatnonzero(two if two.any() else to_global if to_global.any()
                          else np.ones(len(saddles), bool))
    pass_idx = int(cand[np.argmin(saddle_loss[cand])])
    return {"model": model, "minima": minima, "minima_loss": minima_loss,
            "basin_counts": basin_counts, "n_starts": int(np.prod(ds["status"].shape)),
            "critical": crit, "saddles": saddles, "saddle_loss": saddle_loss,
            "pass": saddles[pass_idx], "pass_loss": float(saddle_loss[pass_idx]),
            "pass_reaches": reach[pass_idx], "n": 80 if quick else 220}


def featured(d):
    """The four points of the insets: (letter, kind, location, loss)."""
    pts = [("b", "global_minimum", d["minima"][0], d["minima_loss"][0])]
    for j in range(1, min(3, len(d["minima"]))):
        pts.append(("cd"[j - 1], "local_minimum", d["minima"][j], d["minima_loss"][j]))
    pts.append(("bcde"[len(pts)], "saddle", d["pass"], d["pass_loss"]))
    return pts


def point(p, lang: str, spec: str = ".1f") -> str:
    """``(1.5, -0.5)``; in Spanish ``(1,5; -0,5)`` (the comma is the decimal mark there)."""
    sep = "; " if lang == "es" else ", "
    return "(" + sep.join(number(0.0 if abs(float(v)) < 0.05 else float(v), lang, spec)
                          for v in np.ravel(p)) + ")"


def draw(d: dict, lang: str = "en"):
    with S.use_style():
        return _draw(d, lang)


def _draw(d: dict, lang: str):
    import matplotlib.pyplot as plt
    from matplotlib import patheffects
    from matplotlib.contour import ContourSet
    from matplotlib.lines import Line2D

    model = d["model"]
    fig = plt.figure(figsize=(13.0, 7.0), layout="constrained")
    gs = fig.add_gridspec(2, 3, width_ratios=[2.15, 1.0, 1.0])
    ax = fig.add_subplot(gs[:, 0])
    insets = [fig.add_subplot(gs[i, 1 + j]) for i in range(2) for j in range(2)]
    fp.loss_surface(model, ax, n=d["n"], levels=22, colorbar=False, lang=lang)
    cs = next(c for c in ax.collections if isinstance(c, ContourSet))
    cb = fig.colorbar(cs, cax=ax.inset_axes([1.03, 0.0, 0.04, 1.0]))
    cb.set_label(T("loss", lang))
    ax.set_xticks([-10, -5, 0, 5, 10])
    ax.set_yticks([5, 10, 15, 20])
    ax.set_box_aspect(1)
    kinds = ["minimum"] * len(d["minima"])
    fp.mark_points(d["minima"], kinds, ax=ax, losses=d["minima_loss"], legend=False)
    fp.mark_points([d["pass"]], ["saddle"], ax=ax, legend=False)
    feats = featured(d)
    for letter, kind, p, _ in feats:
        ax.annotate(letter, p, xytext=(8, 6), textcoords="offset points", fontsize=16,
                    fontweight="bold", color="white",
                    path_effects=[patheffects.withStroke(linewidth=3, foreground="black")])
    handles = [Line2D([], [], ls="none", marker=S.kind_marker(k), mfc="white", mec="black",
                      ms=S.MARKER_SIZES[S.kind_marker(k)] * 0.8, label=kind_label(k, lang))
               for k in ("global_minimum", "local_minimum", "saddle")]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.11), ncol=3,
              handletextpad=0.3, columnspacing=1.0, borderaxespad=0.0)
    panel_title(ax, 0, T("surface_title", lang))
    x = np.linspace(-15, 15, 400)
    L = T("loss_symbol", lang)
    box = dict(boxstyle="square,pad=0.15", fc="white", ec="none", alpha=0.85)
    for k, (axi, (letter, kind, p, loss)) in enumerate(zip(insets, feats)):
        axi.scatter(model.X[:, 0], model.Y[:, 0], s=16, color="#888888", zorder=2)
        axi.plot(x, predict(model, p, x), color="black", lw=2.0, zorder=3)
        axi.set_xlim(-15, 15)
        axi.set_ylim(-1.25, 1.7)
        axi.set_xticks([-10, 0, 10])
        axi.set_yticks([-1, 0, 1])
        axi.set_title(f"{letter}) {kind_label(kind, lang)}", loc="left")
        axi.text(0.03, 0.97, f"$\\phi$ = {point(p, lang)}", transform=axi.transAxes,
                 ha="left", va="top", fontsize=12, bbox=box, zorder=5)
        axi.text(0.97, 0.03, f"{L} = {number(loss, lang, '.3g')}", transform=axi.transAxes,
                 ha="right", va="bottom", fontsize=12, bbox=box, zorder=5)
        if k >= 2:
            axi.set_xlabel(T("input", lang))
        else:
            axi.tick_params(labelbottom=False)
        if k % 2 == 0:
            axi.set_ylabel(T("output", lang))
        else:
            axi.tick_params(labelleft=False)
    return fig


main = make_main(FIG_ID, data, draw)

if __name__ == "__main__":
    raise SystemExit(cli(FIG_ID, main))
