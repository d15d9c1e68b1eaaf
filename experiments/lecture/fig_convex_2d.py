"""Slide "Convexidad en dimensiones superiores": a convex and a non-convex 2-D loss with the
Hessian test shaded.

Point: in two or more dimensions the convexity test is that the Hessian
:math:`H = \\nabla^2 L` (the matrix of second derivatives) is positive definite everywhere --
both eigenvalues :math:`\\lambda_1, \\lambda_2 > 0`, i.e. :math:`\\det H > 0` and
:math:`\\mathrm{tr}\\, H > 0` -- as for the lecture's linear regression, while the Gabor model's
Hessian is indefinite (:math:`\\det H < 0`, saddle-shaped) or negative definite in large
regions, which is where its saddle points and extra minima come from.

(a) The lecture's linear regression (figure 6.1, intercept x slope on [0, 2] x [-1, 1]): its
Hessian is constant, :math:`H = 2\\sum_i (1, x_i)^T (1, x_i)`, so the whole plane is one
positive-definite region. (b) The Gabor model (figure 6.4, offset x frequency on
[-10, 10] x [2.5, 22.5]). Both shadings come from :func:`fastdescent.analysis.convexity_map`
(the models' exact Hessians, eigenvalues by ``eigvalsh`` on an ``N_GRID`` x ``N_GRID`` grid);
the black curves are :math:`\\det H = 0`, the boundaries between regions. Critical points of
the Gabor loss are found by damped Newton iterations on the gradient from an
``NEWTON_GRID`` x ``NEWTON_GRID`` grid of starts, clustered and classified by the Hessian
(:func:`fastdescent.analysis.find_attractors`); the eigenvalues written on the figure are
those at the global minimum and at the lowest saddle point.

Region colours are those of ``convex`` (:data:`fig_convex.CURVATURE_COLORS`), never optimizer
colours: yellow positive definite (convex), light grey indefinite (saddle), Tol rose negative
definite (concave).
"""
from __future__ import annotations

import functools

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

import fastdescent as fd
from fastdescent import plotting as fp
from fastdescent.analysis import (CONCAVE, CONVEX, DEGENERATE, SADDLE, box_widths,
                                  convexity_map, find_attractors)
from fastdescent.plotting import style as S
from fastdescent.plotting.i18n import Texts, kind_label, number, param_label

from ._common import cli, make_main, panel_title
from .fig_convex import CURVATURE_COLORS

#: This figure, as the registry reads it (``experiments.lecture.REGISTRY``): id, file-name
#: slug, titles and place in the lecture.
FIGURE = dict(id="convex-2d", slug="hessian", order=120,
              en='Convexity in higher dimensions: the Hessian test on a convex and a non-convex loss',
              es='Convexidad en dimensiones superiores: la prueba del hessiano en una pérdida convexa y una no convexa')
FIG_ID = FIGURE["id"]
MODELS = ("linear_regression_1d", "gabor")
N_GRID = 301  # Hessians per axis of each map (quick: 81)
N_CONTOURS = 10  # loss contour lines per panel
NEWTON_GRID = 40  # starts per axis of the search for critical points (quick: 16)
NEWTON_ITERS = 60
NEWTON_MAX_STEP = 1.0  # damping: at most this far per Newton step (each coordinate)
NEWTON_TOL = 1e-8  # |grad L| below which a Newton point is a critical point
CLUSTER_TOL = 1e-3  # clustering resolution, fraction of the box width
REGION_ALPHA = 0.55  # blend of the region colours with white (as in ``convex``)

#: analysis region code -> (colour key of CURVATURE_COLORS, text key)
REGIONS = {CONVEX: ("convex", "pd"), SADDLE: ("saddle", "indef"), CONCAVE: ("concave", "nd")}

T = Texts({
    "suptitle": {"en": "Convexity test in 2-D: the Hessian $H = \\nabla^2 L$ must be "
                       "positive definite everywhere",
                 "es": "Prueba de convexidad en 2-D: el hessiano $H = \\nabla^2 L$ debe ser "
                       "definido positivo en todas partes"},
    "title_lin": {"en": "Linear regression: convex loss",
                  "es": "Regresión lineal: pérdida convexa"},
    "title_gabor": {"en": "Gabor model: non-convex loss",
                    "es": "Modelo de Gabor: pérdida no convexa"},
    "pd": {"en": "Positive definite: $\\lambda_1, \\lambda_2 > 0$ ($\\det H > 0$, "
                 "tr $H > 0$): convex",
           "es": "Definido positivo: $\\lambda_1, \\lambda_2 > 0$ ($\\det H > 0$, "
                 "tr $H > 0$): convexa"},
    "indef": {"en": "Indefinite: $\\lambda_1 < 0 < \\lambda_2$ ($\\det H < 0$): saddle",
              "es": "Indefinido: $\\lambda_1 < 0 < \\lambda_2$ ($\\det H < 0$): silla"},
    "nd": {"en": "Negative definite: $\\lambda_1, \\lambda_2 < 0$ ($\\det H > 0$, "
                 "tr $H < 0$): concave",
           "es": "Definido negativo: $\\lambda_1, \\lambda_2 < 0$ ($\\det H > 0$, "
                 "tr $H < 0$): cóncava"},
    "det_zero": {"en": "$\\det H = 0$", "es": "$\\det H = 0$"},
    "contours": {"en": "Loss contours", "es": "Curvas de nivel de la pérdida"},
    "same_everywhere": {"en": "$H$ is the same everywhere:", "es": "$H$ es igual en todas partes:"},
    "eigs": {"en": "$\\lambda_1$ = {l1}, $\\lambda_2$ = {l2}",
             "es": "$\\lambda_1$ = {l1}, $\\lambda_2$ = {l2}"},
    "det_value": {"en": "$\\det H$ = {det} > 0", "es": "$\\det H$ = {det} > 0"},
    "eig_at": {"en": "{m}: $\\lambda_1$ = {l1}, $\\lambda_2$ = {l2}",
               "es": "{m}: $\\lambda_1$ = {l1}, $\\lambda_2$ = {l2}"},
    "share": {"en": "Positive definite on {p:.0f}% of the box",
              "es": "Definido positivo en el {p:.0f} % de la caja"},
})


def critical_points(model, n: int):
    """Every critical point of ``model`` in its box: damped Newton iterations
    :math:`\\phi \\leftarrow \\phi - H^{-1}\\nabla L` (each coordinate moves at most
    ``NEWTON_MAX_STEP``) from an n x n grid, the points with :math:`|\\nabla L| <`
    ``NEWTON_TOL`` clustered and classified by the Hessian. Returns an Attractors."""
    pts = np.array(fd.grid(model, n).points, dtype=float)
    for _ in range(NEWTON_ITERS):
        _, g = model.loss_grad_many(pts)
        H = model.hessian_many(pts)
        ok = np.abs(np.linalg.det(H)) > 1e-12
        step = np.zeros_like(pts)
        step[ok] = np.linalg.solve(H[ok], g[ok][..., None])[..., 0]
        scale = np.max(np.abs(step), axis=1, keepdims=True) / NEWTON_MAX_STEP
        pts = pts - step / np.maximum(1.0, scale)
    _, g = model.loss_grad_many(pts)
    box = np.asarray(model.box)
    inside = np.all((pts >= box[:, 0]) & (pts <= box[:, 1]), axis=1)
    status = np.where((np.linalg.norm(g, axis=1) < NEWTON_TOL) & inside, 1, 0).astype(np.int8)
    att, _ = find_attractors(pts, status, scale=box_widths(model), tol=CLUSTER_TOL,
                             hessian=model.hessian, loss=model.loss)
    return att


@functools.lru_cache(maxsize=2)
def data(quick: bool = False) -> dict:
    n = 81 if quick else N_GRID
    out = []
    for name in MODELS:
        m = fd.models.get_model(name)
        ds = convexity_map(m, n=n)
        a0, a1 = (ds[dim].values for dim in ds["region"].dims)
        loss = m.loss_on_grid((a0, a1))  # (len(a1), len(a0))
        # the map's variables are (a0, a1) ("ij"); transpose to the plotting layout (a1, a0)
        p = {"name": name, "model": m, "a0": a0, "a1": a1, "loss": loss,
             "region": ds["region"].values.T, "det": ds["det"].values.T,
             "trace": ds["trace"].values.T, "eigmin": ds["eigmin"].values.T,
             "eigmax": ds["eigmax"].values.T}
        if m.minima:  # known (closed-form) minima
            pts = [(np.asarray(k.params, float), "minimum", k.loss) for k in m.minima]
        else:
            att = critical_points(m, 16 if quick else NEWTON_GRID)
            pts = [(att.locations[k], att.kinds[k], float(att.losses[k]))
                   for k in range(len(att))]
        mins = sorted([q for q in pts if q[1] == "minimum"], key=lambda q: q[2])
        saddles = sorted([q for q in pts if q[1] == "saddle"], key=lambda q: q[2])
        maxima = [q for q in pts if q[1] == "maximum"]
        points = ([(q[0], "global_minimum", q[2]) for q in mins[:1]]
                  + [(q[0], "local_minimum", q[2]) for q in mins[1:]]
                  + [(q[0], "saddle", q[2]) for q in saddles]
                  + [(q[0], "maximum", q[2]) for q in maxima])
        p["points"] = points
        p["eig_min"] = np.linalg.eigvalsh(m.hessian(mins[0][0])) if mins else None
        p["eig_saddle"] = np.linalg.eigvalsh(m.hessian(saddles[0][0])) if saddles else None
        p["share_convex"] = float(np.mean(p["region"] == CONVEX))
        out.append(p)
    return {"panels": out, "n": n}


def _num(v, lang):
    return number(float(v), lang, ".3g" if abs(v) < 100 else ".0f")


def text_box(ax, lines, loc):
    """One line per Text in a framed box at ``loc`` of ``ax`` (like a legend's ``loc``)."""
    from matplotlib.offsetbox import AnchoredOffsetbox, TextArea, VPacker

    pack = VPacker(children=[TextArea(s) for s in lines], align="left", pad=0, sep=3)
    box = AnchoredOffsetbox(loc, child=pack, pad=0.35, borderpad=0.6, frameon=True)
    box.patch.set(boxstyle="round,pad=0.2", facecolor="white", edgecolor="0.5", alpha=0.8)
    box.set_zorder(6)
    ax.add_artist(box)
    return box


def _draw_panel(ax, p, lang):
    import matplotlib as mpl

    codes = p["region"].astype(float)
    keys = [DEGENERATE, CONVEX, CONCAVE, SADDLE]
    # degenerate cells (some eigenvalue ~ 0) lie on det H = 0: drawn black like that curve
    lut = [S.lighten(CURVATURE_COLORS[REGIONS[c][0]], 1 - REGION_ALPHA) if c in REGIONS
           else (0.0, 0.0, 0.0) for c in range(max(keys) + 1)]
    cmap = mpl.colors.ListedColormap(lut)
    norm = mpl.colors.BoundaryNorm(np.arange(len(lut) + 1) - 0.5, len(lut))
    e0 = np.concatenate([[p["a0"][0]], 0.5 * (p["a0"][1:] + p["a0"][:-1]), [p["a0"][-1]]])
    e1 = np.concatenate([[p["a1"][0]], 0.5 * (p["a1"][1:] + p["a1"][:-1]), [p["a1"][-1]]])
    ax.pcolormesh(e0, e1, codes, cmap=cmap, norm=norm, shading="flat", rasterized=True)
    L = p["loss"]
    levels = np.quantile(L, np.linspace(0.02, 0.98, N_CONTOURS))
    ax.contour(p["a0"], p["a1"], L, levels=np.unique(levels), colors="0.35",
               linewidths=0.9, linestyles="-")
    det = p["det"]
    if np.nanmin(det) < 0 < np.nanmax(det):
        ax.contour(p["a0"], p["a1"], det, levels=[0.0], colors="black", linewidths=1.8)
    for loc, kind, _ in p["points"]:
        mk = S.kind_marker(kind)
        ax.plot(loc[0], loc[1], mk, ms=S.MARKER_SIZES[mk] + (3 if mk == "*" else 1),
                mfc="white" if mk != "X" else "black", mec="black", mew=1.3, ls="none",
                zorder=5)
    ax.set_xlim(e0[0], e0[-1])
    ax.set_ylim(e1[0], e1[-1])
    ax.set_xlabel(param_label(p["model"], 0, lang))
    ax.set_ylabel(param_label(p["model"], 1, lang))


def draw(d: dict, lang: str = "en"):
    """The figure of ``data()`` with labels in ``lang``, drawn in the house style."""
    with S.use_style():
        return _draw(d, lang)


def _draw(d: dict, lang: str):
    fig, axs = fp.figure(1, 2, size=(13.2, 6.9))
    kinds_shown = []
    for k, (ax, p) in enumerate(zip(axs, d["panels"])):
        _draw_panel(ax, p, lang)
        kinds_shown += [kind for _, kind, _ in p["points"] if kind not in kinds_shown]
        if p["name"] == "linear_regression_1d":
            panel_title(ax, k, T("title_lin", lang))
            l1, l2 = p["eig_min"]
            text_box(ax, [T("same_everywhere", lang),
                          T("eigs", lang, l1=_num(l1, lang), l2=_num(l2, lang)),
                          T("det_value", lang, det=_num(l1 * l2, lang))], "lower left")
        else:
            panel_title(ax, k, T("title_gabor", lang))
            lines = []
            if p["eig_min"] is not None:
                lines.append(T("eig_at", lang, m="★", l1=_num(p["eig_min"][0], lang),
                               l2=_num(p["eig_min"][1], lang)))
            if p["eig_saddle"] is not None:
                lines.append(T("eig_at", lang, m="✕", l1=_num(p["eig_saddle"][0], lang),
                               l2=_num(p["eig_saddle"][1], lang)))
            lines.append(T("share", lang, p=100 * p["share_convex"]))
            text_box(ax, lines, "upper left")
    fig.suptitle(T("suptitle", lang))
    handles = []
    for code in (CONVEX, SADDLE, CONCAVE):
        ck, tk = REGIONS[code]
        handles.append(Patch(facecolor=S.lighten(CURVATURE_COLORS[ck], 1 - REGION_ALPHA),
                             edgecolor="0.3", lw=0.6, label=T(tk, lang)))
    handles.append(Line2D([], [], color="black", lw=1.8, label=T("det_zero", lang)))
    handles.append(Line2D([], [], color="0.35", lw=0.9, label=T("contours", lang)))
    for kind in ("global_minimum", "local_minimum", "saddle", "maximum"):
        if kind in kinds_shown:
            mk = S.kind_marker(kind)
            handles.append(Line2D([], [], marker=mk, ls="none", mfc="white" if mk != "X"
                                  else "black", mec="black", mew=1.3,
                                  ms=S.MARKER_SIZES[mk] + (3 if mk == "*" else 1),
                                  label=kind_label(kind, lang)))
    fig.legend(handles=handles, loc="outside lower center", ncol=3)
    return fig


main = make_main(FIG_ID, data, draw)

if __name__ == "__main__":
    raise SystemExit(cli(FIG_ID, main))
