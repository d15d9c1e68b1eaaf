"""Convexity slide ("Problemas convexos"): three 1-D losses -- non-convex with several minima,
convex, non-convex with a flat region -- and the second-derivative test.

Point: a loss is convex when its second derivative is positive everywhere
(:math:`L''(\\phi) > 0`); then it has one minimum and gradient descent cannot get stuck, while
a non-convex loss has places where :math:`L'' < 0` (other minima) or a flat region where
:math:`L' \\approx 0` and :math:`L'' \\approx 0` (the gradient vanishes although no minimum is there).

Top row: each loss with its minima (from the models) over its curvature regions; bottom row:
:math:`L''` itself (:func:`fastdescent.analysis.second_derivative`, the models' exact
Hessians). Every sample point is classified, with :math:`\\eta'' = ` ``FLAT_RTOL`` x
:math:`\\max|L''|` and :math:`\\eta' = ` ``FLAT_RTOL`` x :math:`\\max|L'|` over the panel, as

* flat: :math:`|L'| \\le \\eta'` and :math:`|L''| \\le \\eta''` (hatched grey);
* convex: :math:`L'' > 0` otherwise; concave: :math:`L'' \\le 0` otherwise,

so the whole plateau of (c) is one flat region; the flat point marked on it (◆) is the middle
of the widest flat region. The region colours (:data:`CURVATURE_COLORS`, shared with
``convex-2d``) are not optimizer colours: yellow = positive curvature (convex), Tol rose =
negative curvature (concave), light grey = indefinite (2-D saddle regions), hatched grey = flat.
"""
from __future__ import annotations

import functools

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

import fastdescent as fd
from fastdescent import plotting as fp
from fastdescent.analysis import second_derivative
from fastdescent.plotting import style as S
from fastdescent.plotting.i18n import Texts

from ._common import cli, make_main, panel_title

#: This figure, as the registry reads it (``experiments.lecture.REGISTRY``): id, file-name
#: slug, titles and place in the lecture.
FIGURE = dict(id="convex", slug="1d", order=110,
              en='Convex and non-convex 1-D losses',
              es='Pérdidas 1-D convexas y no convexas')
FIG_ID = FIGURE["id"]
MODELS = ("multimodal_1d", "convex_1d", "plateau_1d")  # the slide's order
N_POINTS = 2001  # samples of phi per panel (quick: 401)
FLAT_RTOL = 1e-3  # |L'| and |L''| below this fraction of their panel maximum count as zero

#: Curvature regions -> colour, for this figure and ``convex-2d`` (no optimizer hue): positive
#: (convex), negative (concave), indefinite (2-D saddle regions), flat (hatched).
CURVATURE_COLORS = {"convex": "#F0E442", "concave": "#CC6677", "saddle": "#D9D9D9",
                    "flat": "#FFFFFF"}
#: Hatch and its colour of flat regions.
FLAT_HATCH, FLAT_HATCH_COLOR = "///", "0.45"
#: Opacity of the region shading under the loss curves.
REGION_ALPHA = 0.4

T = Texts({
    "convex_title": {"en": "Convex", "es": "Convexo"},
    "non_convex_title": {"en": "Non-convex", "es": "No convexo"},
    "minima_title": {"en": "Non-convex: {n} minima", "es": "No convexo: {n} mínimos"},
    "flat_title": {"en": "Non-convex: a flat region", "es": "No convexo: una región plana"},
    "d2_positive": {"en": "$L'' > 0$ everywhere: convex",
                    "es": "$L'' > 0$ en todas partes: convexo"},
    "d2_changes_sign": {"en": "$L''$ changes sign: non-convex",
                        "es": "$L''$ cambia de signo: no convexo"},
    "region_convex": {"en": "$L'' > 0$ (convex)", "es": "$L'' > 0$ (convexa)"},
    "region_concave": {"en": "$L'' < 0$ (concave)", "es": "$L'' < 0$ (cóncava)"},
    "region_flat": {"en": "Flat: $L' \\approx 0$, $L'' \\approx 0$",
                    "es": "Plana: $L' \\approx 0$, $L'' \\approx 0$"},
    "flat_point": {"en": "Flat point (not a minimum)", "es": "Punto plano (no es mínimo)"},
    "flat_note": {"en": "$L' = 0$, no minimum", "es": "$L' = 0$, sin mínimo"},
    "param": {"en": "Parameter, $\\phi$", "es": "Parámetro, $\\phi$"},
})


def classify(d1: np.ndarray, d2: np.ndarray, rtol: float = FLAT_RTOL) -> np.ndarray:
    """Region of every sample: 0 convex (L'' > 0), 1 concave (L'' <= 0), 3 flat
    (|L'| <= rtol max|L'| and |L''| <= rtol max|L''|)."""
    flat = (np.abs(d1) <= rtol * np.max(np.abs(d1))) & (np.abs(d2) <= rtol * np.max(np.abs(d2)))
    return np.where(flat, 3, np.where(d2 > 0, 0, 1)).astype(np.int8)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) index of every run of True in ``mask``."""
    m = np.concatenate([[False], mask, [False]]).astype(np.int8)
    starts = np.flatnonzero(np.diff(m) == 1)
    ends = np.flatnonzero(np.diff(m) == -1) - 1
    return list(zip(starts, ends))


@functools.lru_cache(maxsize=2)
def data(quick: bool = False) -> dict:
    out = []
    for name in MODELS:
        m = fd.models.get_model(name)
        x = np.linspace(*m.box[0], 401 if quick else N_POINTS)
        loss, grad = m.loss_grad_many(x[:, None])
        d2 = second_derivative(m, x)
        region = classify(grad[:, 0], d2)
        flat_runs = _runs(region == 3)
        flat_point = None
        if flat_runs:
            a, b = max(flat_runs, key=lambda r: r[1] - r[0])
            k = (a + b) // 2
            flat_point = (float(x[k]), float(loss[k]), float(grad[k, 0]), float(d2[k]))
        out.append({"name": name, "model": m, "x": x, "loss": loss, "d1": grad[:, 0],
                    "d2": d2, "region": region, "convex": bool(np.all(d2 > 0)),
                    "flat_runs": [(float(x[a]), float(x[b])) for a, b in flat_runs],
                    "flat_point": flat_point,
                    "n_minima": sum(1 for p in m.minima if p.kind == "minimum")})
    return {"panels": out}


def _edges(x):
    mid = 0.5 * (x[1:] + x[:-1])
    return np.concatenate([[x[0]], mid, [x[-1]]])  # sample i covers [edges[i], edges[i+1]]


def shade_regions(ax, x, region, *, alpha=REGION_ALPHA):
    """Shade the full height of ``ax`` over every run of a region (convex, concave, flat)."""
    e = _edges(x)
    trans = ax.get_xaxis_transform()
    for code, key in ((0, "convex"), (1, "concave"), (3, "flat")):
        for a, b in _runs(region == code):
            kw = dict(transform=trans, lw=0, zorder=0)
            if code == 3:
                ax.fill_between([e[a], e[b + 1]], 0, 1, facecolor="white",
                                edgecolor=FLAT_HATCH_COLOR, hatch=FLAT_HATCH, **kw)
            else:
                ax.fill_between([e[a], e[b + 1]], 0, 1, color=CURVATURE_COLORS[key],
                                alpha=alpha, **kw)


def region_handles(lang: str, flat: bool = True) -> list:
    """Legend patches of the 1-D curvature regions."""
    hs = [Patch(facecolor=S.lighten(CURVATURE_COLORS["convex"], 1 - REGION_ALPHA),
                edgecolor="0.3", lw=0.6, label=T("region_convex", lang)),
          Patch(facecolor=S.lighten(CURVATURE_COLORS["concave"], 1 - REGION_ALPHA),
                edgecolor="0.3", lw=0.6, label=T("region_concave", lang))]
    if flat:
        hs.append(Patch(facecolor="white", edgecolor=FLAT_HATCH_COLOR, hatch=FLAT_HATCH,
                        lw=0.6, label=T("region_flat", lang)))
    return hs


def draw(d: dict, lang: str = "en"):
    """The figure of ``data()`` with labels in ``lang``, drawn in the house style."""
    with S.use_style():
        return _draw(d, lang)


def _draw(d: dict, lang: str):
    import matplotlib as mpl

    panels = d["panels"]
    fig, axs = fp.figure(2, len(panels), size=(13.2, 7.1), sharex="col",
                         gridspec_kw={"height_ratios": [2.0, 1.15]})
    marker_handles = {}
    for k, p in enumerate(panels):
        ax, axh = axs[0, k], axs[1, k]
        with mpl.rc_context({"hatch.linewidth": 0.8}):
            shade_regions(ax, p["x"], p["region"])
        ax.plot(p["x"], p["loss"], color="black", lw=2.2, zorder=2)
        for mp in p["model"].minima:
            kind = "global_minimum" if mp.loss <= min(q.loss for q in p["model"].minima) \
                + 1e-12 else "local_minimum"
            mk = S.kind_marker(kind)
            h = ax.plot(mp.params[0], mp.loss, mk, ms=S.MARKER_SIZES[mk] + 2, mfc="white",
                        mec="black", mew=1.4, zorder=4, ls="none",
                        label=fd.plotting.i18n.kind_label(kind, lang))[0]
            marker_handles.setdefault(kind, h)
        if p["flat_point"] is not None:
            xf, lf = p["flat_point"][:2]
            h = ax.plot(xf, lf, "D", ms=S.MARKER_SIZES["D"] + 3, mfc="white", mec="black",
                        mew=1.4, zorder=4, ls="none", label=T("flat_point", lang))[0]
            marker_handles.setdefault("flat", h)
            ax.annotate(T("flat_note", lang), (xf, lf), xytext=(-25, -30),
                        textcoords="offset points", ha="center", va="top", fontsize=13,
                        bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none", alpha=0.9))
        lo, hi = float(np.min(p["loss"])), float(np.max(p["loss"]))
        pad = 0.08 * (hi - lo)
        ax.set_ylim(lo - pad, hi + pad)
        ax.set_xlim(p["x"][0], p["x"][-1])
        if p["convex"]:
            title = T("convex_title", lang)
        elif p["flat_point"] is not None and p["n_minima"] == 1:
            title = T("flat_title", lang)
        else:
            title = T("minima_title", lang, n=p["n_minima"])
        panel_title(ax, k, title)
        # second derivative, coloured by region
        h = p["d2"]
        with mpl.rc_context({"hatch.linewidth": 0.8}):
            shade_regions(axh, p["x"], p["region"], alpha=0.25)
        axh.axhline(0, color="black", lw=0.8)
        axh.fill_between(p["x"], 0, h, where=p["region"] == 0, color=CURVATURE_COLORS["convex"],
                         alpha=0.9, lw=0)
        axh.fill_between(p["x"], 0, h, where=p["region"] == 1,
                         color=CURVATURE_COLORS["concave"], alpha=0.9, lw=0)
        axh.plot(p["x"], h, color="black", lw=1.6)
        lim = np.max(np.abs(h)) * 1.15
        axh.set_ylim(-lim if np.min(h) < 0 else -0.15 * lim, lim)
        axh.set_xlabel(T("param", lang))
        verdict = T("d2_positive" if p["convex"] else "d2_changes_sign", lang)
        axh.set_title(verdict, fontsize=13, loc="left")
        axh.yaxis.set_major_locator(mpl.ticker.MaxNLocator(4, steps=[1, 2, 5, 10]))
        ax.yaxis.set_major_locator(mpl.ticker.MaxNLocator(5, steps=[1, 2, 5, 10]))
    axs[0, 0].set_ylabel(T("loss", lang))
    axs[1, 0].set_ylabel("$L''$")
    handles = region_handles(lang) + [marker_handles[k] for k in
                                      ("global_minimum", "local_minimum", "flat")
                                      if k in marker_handles]
    fig.legend(handles=handles, loc="outside lower center", ncol=3)
    return fig


main = make_main(FIG_ID, data, draw)

if __name__ == "__main__":
    raise SystemExit(cli(FIG_ID, main))
