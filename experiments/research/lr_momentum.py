"""Study ``lr_momentum``: learning rate x momentum maps, measured against linear stability.

Lecture momentum (:math:`m \\leftarrow \\beta m + (1-\\beta) g`, :math:`\\phi \\leftarrow \\phi -
\\alpha m`) is swept over a grid of learning rates :math:`\\alpha` (log scale) and momentum
coefficients :math:`\\beta`, from several seeded random starts, on two losses:

* an ill-conditioned quadratic :math:`\\tfrac12\\phi^T A\\phi` with eigenvalues ``EIGENVALUES``
  (rotated by ``ROTATION``): linear theory is exact there. Momentum is stable iff
  :math:`\\alpha < 2(1+\\beta)/((1-\\beta)\\lambda_{max})`
  (:func:`fastdescent.analysis.stability_threshold`);
* the Gabor loss, from starts around its global minimum (inside its basin), where the same
  formula with :math:`\\lambda_{max}` of the Hessian at the global minimum is only a *local*
  prediction: the stability of that minimum. The Gabor loss is bounded and flat far away, so
  hardly anything runs off to infinity; the failure that matters is *leaving the global
  minimum*: ending outside the window of the starts (thrown into another basin, or beyond
  :math:`|\\phi_k| >` ``GABOR_BOUND``). Starts still inside the window count as successes,
  converged or not.

For each :math:`\\beta` the *measured boundary* is the smallest swept learning rate at which at
least ``LEVEL`` of the starts fail - diverge on the quadratic, leave the global minimum on
the Gabor loss (:func:`fastdescent.analysis.measured_boundary`); the true boundary lies between it
and the grid value below it (one grid step: the "resolution").

Figures (:func:`draw`), one per loss
    ``quadratic`` - point: *momentum converges up to the analytic boundary
    :math:`\\alpha < 2(1+\\beta)/((1-\\beta)\\lambda_{max})` and diverges above it*;
    ``gabor`` - point: *with* :math:`\\lambda_{max}` *of the global minimum the same formula is
    only a local guide: the minimum survives above it for small* :math:`\\beta` *and is lost
    below it for large* :math:`\\beta`. Each shows the majority outcome per cell (converged
    cells shaded by the median steps to converge, in the steps colormap; greys for not
    converged and diverged / left), the analytic and measured boundaries, and the measured
    boundary against the formula with its grid resolution.

Run: ``python -m experiments.research lr_momentum [--quick]``.
"""
from __future__ import annotations

import math

import numpy as np

from fastdescent.plotting.i18n import Texts
from fastdescent.plotting.style import styled

from ._common import LINE_CHARS, wrap

ID = "lr_momentum"
TITLE = "Learning rate x momentum maps with the analytic stability boundary"

# ------------------------------------------------------------------------------ constants
EIGENVALUES = (1.0, 100.0)   # quadratic curvatures (condition number 100)
ROTATION = math.pi / 6       # rotation of the quadratic's eigenbasis (radians)
QUAD_BOX = ((-1.0, 1.0), (-1.0, 1.0))
QUAD_LR = (1e-3, 10.0)       # log-spaced learning-rate range
GABOR_LR = (1e-3, 100.0)
BETA_MAX = 0.99              # betas are linspace(0, BETA_MAX, n)
N_LR, N_BETA, N_STARTS = 160, 80, 32              # full resolution
N_LR_QUICK, N_BETA_QUICK, N_STARTS_QUICK = 48, 16, 8
STEPS = 1000
TOL = 1e-6                   # quadratic gradient tolerance
GABOR_TOL = 1e-5
GABOR_BOUND = 200.0          # |phi_k| beyond this counts as escaped (diverged) on Gabor
GABOR_START_HALF = (1.0, 2.0)  # Gabor starts: global minimum +- these (inside its basin)
GLOBAL_TOL = 1e-3            # "at the global minimum": within this fraction of the box
LEVEL = 0.5                  # diverged fraction that defines the measured boundary
SEED = 0                     # random starting points

_CACHE: dict = {}


def _sweep(model, lrs, betas, starts, tol, bound):
    import fastdescent as fd

    return fd.sweep(model, fd.optim.momentum(), starts, STEPS, lr=lrs, beta=betas, tol=tol,
                    bound=bound, progress=False)


def _majority(hm):
    """Most common outcome per (lr, beta) as an engine status code (0 stuck, 1 converged,
    2 diverged)."""
    import xarray as xr

    stack = xr.concat([hm["stuck"], hm["converged"], hm["diverged"]], dim="code")
    return stack.fillna(-1).argmax("code")


def _gabor_box(phi_star):
    """Box of the Gabor starts: around the global minimum, inside its basin."""
    return ((phi_star[0] - GABOR_START_HALF[0], phi_star[0] + GABOR_START_HALF[0]),
            (phi_star[1] - GABOR_START_HALF[1], phi_star[1] + GABOR_START_HALF[1]))


def _gabor_outcome(ds, model, phi_star):
    """Outcome codes of the Gabor sweep - 1 converged at the global minimum, 0 still near it
    (inside the start window) but not converged, 2 left the window (thrown into another basin,
    or escaped) - and a copy of ``ds`` whose status is 2 (failure, what
    :func:`measured_boundary` counts) exactly for code 2."""
    from fastdescent.analysis import box_widths
    from fastdescent.engine import status as S

    off = np.abs(ds["params"] - xr_vector(ds, phi_star))
    near = (off <= xr_vector(ds, GABOR_START_HALF)).all("param") & (ds["status"] != S.DIVERGED)
    at = near & (ds["status"] == S.CONVERGED) & (
        (off / xr_vector(ds, box_widths(model))).max("param") <= GLOBAL_TOL)
    codes = xr_where(at, 1, xr_where(near, 0, 2))
    fail = ds.copy()
    fail["status"] = xr_where(near, S.CONVERGED, S.DIVERGED).astype(np.int8)
    return fail, codes


def xr_vector(ds, v):
    import xarray as xr

    return xr.DataArray(np.asarray(v, float), dims=("param",),
                        coords={"param": ds["param"].values})


def xr_where(cond, a, b):
    import xarray as xr

    return xr.where(cond, a, b)


def _majority_codes(codes):
    """Most common outcome code per (lr, beta) (pooling the starts)."""
    import xarray as xr

    other = [d for d in codes.dims if d not in ("lr", "beta")]
    counts = xr.concat([(codes == c).sum(other) for c in (0, 1, 2)], dim="code")
    return counts.argmax("code").transpose("lr", "beta")


def _boundary_summary(mb) -> dict:
    b, th, lo = (np.asarray(mb[v].values, float) for v in ("boundary", "theory", "lower"))
    ok = np.isfinite(b) & np.isfinite(th)
    within = ok & np.isfinite(lo) & (lo < th) & (th <= b)
    rel = (b[ok] - th[ok]) / th[ok]
    return {"beta": mb["beta"].values.tolist(), "measured": b.tolist(), "lower": lo.tolist(),
            "theory": th.tolist(), "monotone": np.asarray(mb["monotone"].values).tolist(),
            "n_with_boundary": int(ok.sum()), "n_theory_in_cell": int(within.sum()),
            "median_rel_error": float(np.median(rel)) if rel.size else math.nan,
            "max_abs_rel_error": float(np.max(np.abs(rel))) if rel.size else math.nan}


def data(quick: bool = False) -> dict:
    """Run the study (cached per process). Returns ``{"gabor": ..., "quadratic": ...}``, each
    with the sweep ``ds``, its ``hyper_map`` ``hm``, ``majority`` status, ``boundary`` (the
    :func:`~fastdescent.analysis.measured_boundary` Dataset with ``theory``), ``lam`` and
    ``seconds``; plus ``summary`` (plain numbers)."""
    key = bool(quick)
    if key in _CACHE:
        return _CACHE[key]
    import fastdescent as fd
    from fastdescent.analysis import hyper_map, measured_boundary

    from ._common import Timer

    n_lr, n_beta, n_st = (N_LR_QUICK, N_BETA_QUICK, N_STARTS_QUICK) if quick else (
        N_LR, N_BETA, N_STARTS)
    betas = np.linspace(0.0, BETA_MAX, n_beta)
    out = {"summary": {"steps": STEPS, "grid": [n_lr, n_beta], "starts": n_st,
                       "level": LEVEL}, "quick": key}
    quad = fd.models.quadratic(EIGENVALUES, ROTATION)
    gabor = fd.models.gabor()
    # the local curvature of the Gabor loss: largest Hessian eigenvalue at its global minimum
    g0 = fd.run(gabor, fd.optim.gd(lr=0.05), [[0.0, 16.0]], 5000, tol=1e-10, progress=False)
    lam_gabor = float(np.linalg.eigvalsh(gabor.hessian(g0.params[0]))[-1])
    cases = {
        "quadratic": (quad, QUAD_LR, fd.random_starts(quad, n_st, seed=SEED, box=QUAD_BOX),
                      TOL, 1e8, max(EIGENVALUES)),
        "gabor": (gabor, GABOR_LR, fd.random_starts(gabor, n_st, seed=SEED,
                                                     box=_gabor_box(g0.params[0])),
                  GABOR_TOL, GABOR_BOUND, lam_gabor),
    }
    for name, (model, lr_range, starts, tol, bound, lam) in cases.items():
        lrs = np.geomspace(*lr_range, n_lr)
        with Timer() as tm:
            ds = _sweep(model, lrs, betas, starts, tol, bound)
        hm = hyper_map(ds, "lr", "beta")
        if name == "gabor":
            # failure = left the global minimum (ended outside the window of the starts)
            ds_fail, codes = _gabor_outcome(ds, gabor, g0.params[0])
            hm_fail = hyper_map(ds_fail, "lr", "beta")
            mb = measured_boundary(ds_fail, "lr", "beta", level=LEVEL, lam=lam)
            majority = _majority_codes(codes)
        else:
            hm_fail = hm
            mb = measured_boundary(ds, "lr", "beta", level=LEVEL, lam=lam)
            majority = _majority(hm)
        out[name] = {"model": model, "ds": ds, "hm": hm, "majority": majority,
                     "codes": codes if name == "gabor" else None,
                     "boundary": mb, "lam": lam, "seconds": tm.seconds, "lrs": lrs,
                     "betas": betas}
        s = _boundary_summary(mb)
        s.update(lam=lam, seconds=tm.seconds, lr_range=list(lr_range),
                 lr_ratio=float(lrs[1] / lrs[0]), bound=bound,
                 converged=float(hm["converged"].mean()), diverged=float(hm["diverged"].mean()),
                 stuck=float(hm["stuck"].mean()), failed=float(hm_fail["diverged"].mean()))
        out["summary"][name] = s
    out["summary"]["gabor"]["global_minimum"] = g0.params[0].tolist()
    _CACHE[key] = out
    return out


# ------------------------------------------------------------------------------ figures
#: This study's own strings (the shared vocabulary comes from i18n.TABLE).
T = Texts({
    "quadratic_title": {
        "en": "On a quadratic, momentum converges up to the analytic stability boundary "
              "$\\alpha < 2(1+\\beta)/((1-\\beta)\\lambda_{{max}})$ and diverges above it",
        "es": "En una cuadrática, momentum converge hasta la frontera de estabilidad analítica "
              "$\\alpha < 2(1+\\beta)/((1-\\beta)\\lambda_{{max}})$ y diverge por encima"},
    "quadratic_settings": {
        "en": "Quadratic loss $L = \\frac{{1}}{{2}}(\\lambda_1 u_1^2 + \\lambda_2 u_2^2)$, "
              "$\\lambda_1$ = {l1:g}, $\\lambda_2$ = {l2:g} ($u$: coordinates along the "
              "eigenvectors, rotated by 30°); momentum $m \\leftarrow \\beta m + (1-\\beta)"
              "\\nabla L$, $\\phi \\leftarrow \\phi - \\alpha m$; {nlr} $\\alpha$ × {nb} $\\beta$, "
              "{ns} random starts in $[-1, 1]^2$ per cell, {steps} steps",
        "es": "Pérdida cuadrática $L = \\frac{{1}}{{2}}(\\lambda_1 u_1^2 + \\lambda_2 u_2^2)$, "
              "$\\lambda_1$ = {l1:g}, $\\lambda_2$ = {l2:g} ($u$: coordenadas según los "
              "autovectores, girados 30°); momentum $m \\leftarrow \\beta m + (1-\\beta)"
              "\\nabla L$, $\\phi \\leftarrow \\phi - \\alpha m$; {nlr} $\\alpha$ × {nb} $\\beta$, "
              "{ns} inicios aleatorios en $[-1, 1]^2$ por celda, {steps} pasos"},
    "quadratic_caption": {
        "en": "$\\alpha$: learning rate, $\\beta$: momentum. Cell colour: outcome of most "
              "starts; converged ($\\|\\nabla L\\| < 10^{{-6}}$) cells shaded by the median steps "
              "to converge. Measured boundary: smallest $\\alpha$ at which at least half of the "
              "starts diverge ($|\\phi_k| > 10^8$); the true boundary lies in the bar below it.",
        "es": "$\\alpha$: tasa de aprendizaje, $\\beta$: momentum. Color de la celda: resultado "
              "de la mayoría de los inicios; las celdas que convergen ($\\|\\nabla L\\| < "
              "10^{{-6}}$) se sombrean por la mediana de pasos hasta converger. Frontera medida: "
              "menor $\\alpha$ con al menos la mitad de los inicios divergentes ($|\\phi_k| > "
              "10^8$); la frontera real está en la barra bajo ella."},
    "gabor_title": {
        "en": "On the Gabor model the same formula, with $\\lambda_{{max}}$ at the global "
              "minimum, is only a local guide: the minimum survives above it for small $\\beta$ "
              "and is lost below it for large $\\beta$",
        "es": "En el modelo de Gabor la misma fórmula, con $\\lambda_{{max}}$ en el mínimo "
              "global, solo orienta localmente: el mínimo sobrevive por encima con $\\beta$ "
              "pequeño y se pierde por debajo con $\\beta$ grande"},
    "gabor_settings": {
        "en": "Gabor model (30 data points); lecture momentum; {nlr} $\\alpha$ × {nb} $\\beta$, "
              "{ns} random starts per cell in the window $\\phi^* \\pm (1, 2)$ around the global "
              "minimum $\\phi^*$, {steps} steps; $\\lambda_{{max}}$ = {lam:.2f} (Hessian at "
              "$\\phi^*$)",
        "es": "Modelo de Gabor (30 datos); momentum de clase; {nlr} $\\alpha$ × {nb} $\\beta$, "
              "{ns} inicios aleatorios por celda en la ventana $\\phi^* \\pm (1, 2)$ alrededor "
              "del mínimo global $\\phi^*$, {steps} pasos; $\\lambda_{{max}}$ = {lam:.2f} "
              "(hessiana en $\\phi^*$)"},
    "gabor_caption": {
        "en": "$\\alpha$: learning rate, $\\beta$: momentum. Cell colour: outcome of most "
              "starts; cells at the global minimum ($\\|\\nabla L\\| < 10^{{-5}}$) shaded by the "
              "median steps to converge. Left the minimum: ended outside the start window. "
              "Measured boundary: smallest $\\alpha$ at which at least half of the starts left.",
        "es": "$\\alpha$: tasa de aprendizaje, $\\beta$: momentum. Color de la celda: resultado "
              "de la mayoría de los inicios; las celdas en el mínimo global ($\\|\\nabla L\\| < "
              "10^{{-5}}$) se sombrean por la mediana de pasos hasta converger. Abandona el "
              "mínimo: termina fuera de la ventana de inicio. Frontera medida: menor $\\alpha$ "
              "con al menos la mitad de los inicios fuera."},
    "beta_axis": {"en": "Momentum, $\\beta$", "es": "Momentum, $\\beta$"},
    "measured": {"en": "Measured boundary", "es": "Frontera medida"},
    "local_theory": {"en": "Local analytic boundary", "es": "Frontera analítica local"},
    "at_global": {"en": "At the global minimum", "es": "En el mínimo global"},
    "near": {"en": "Near it, not converged", "es": "Cerca, sin converger"},
    "escaped": {"en": "Left the global minimum", "es": "Abandona el mínimo global"},
    "median_steps": {"en": "Median steps to converge", "es": "Mediana de pasos hasta converger"},
    "map_title": {"en": "Outcome over ($\\alpha$, $\\beta$)", "es": "Resultado en ($\\alpha$, $\\beta$)"},
    "boundary_title": {"en": "Stability boundary", "es": "Frontera de estabilidad"},
})


def _median_steps(c, name):
    """Median steps to converge per (lr, beta) over the starts that converged (at the global
    minimum, for the Gabor loss); NaN where none did."""
    from fastdescent.engine import status as S

    ds = c["ds"]
    ok = ds["status"] == S.CONVERGED
    if name == "gabor":
        ok = ok & (c["codes"] == 1)
    other = [dim for dim in ds["steps"].dims if dim not in ("lr", "beta")]
    return np.asarray(ds["steps"].where(ok).median(other).transpose("lr", "beta").values,
                      float)


@styled
def _figure(d, name, lang):
    import matplotlib as mpl
    import matplotlib.pyplot as plt
    from matplotlib import patheffects
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from fastdescent.plotting import t
    from fastdescent.plotting.maps import _edges
    from fastdescent.plotting.style import (DIVERGED_COLOR, NOT_CONVERGED_COLOR,
                                            STEPS_CMAP)

    c = d[name]
    mb = c["boundary"]
    th = np.asarray(mb["theory"].values, float)
    betas = np.asarray(mb["beta"].values, float)
    meas = np.asarray(mb["boundary"].values, float)
    lo = np.asarray(mb["lower"].values, float)
    lrs = np.asarray(c["lrs"], float)
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(13.2, 7.2), width_ratios=(1.3, 1),
                                  layout="constrained")
    maj = np.asarray(c["majority"].transpose("lr", "beta").values)
    steps = _median_steps(c, name)
    snorm = mpl.colors.LogNorm(max(np.nanmin(steps), 1.0), max(np.nanmax(steps), 2.0)) \
        if np.isfinite(steps).any() else mpl.colors.LogNorm(1, STEPS)
    rgba = np.empty(maj.shape + (4,))
    rgba[:] = mpl.colors.to_rgba(NOT_CONVERGED_COLOR)
    rgba[maj == 2] = mpl.colors.to_rgba(DIVERGED_COLOR)
    good = (maj == 1) & np.isfinite(steps)
    rgba[good] = mpl.colormaps[STEPS_CMAP](snorm(steps[good]))
    ax.pcolormesh(_edges(lrs, True), _edges(betas), np.transpose(rgba, (1, 0, 2)),
                  shading="flat", rasterized=True)
    ax.set_xscale("log")
    ax.set_xlim(_edges(lrs, True)[[0, -1]])
    ax.set_ylim(_edges(betas)[[0, -1]])
    stroke = [patheffects.withStroke(linewidth=4, foreground="white")]
    theory_label = t("theory", lang) if name == "quadratic" else T("local_theory", lang)
    ax.plot(th, betas, "--", color="black", lw=2, path_effects=stroke, zorder=5)
    ax.plot(meas, betas, "o", ms=4.5, mfc="white", mec="black", mew=0.9, zorder=6)
    ax.set_xlabel(t("learning_rate", lang))
    ax.set_ylabel(T("beta_axis", lang))
    ax.set_title(T("map_title", lang))
    cb = fig.colorbar(mpl.cm.ScalarMappable(norm=snorm, cmap=STEPS_CMAP), ax=ax, pad=0.02)
    cb.set_label(T("median_steps", lang))
    ax2.plot(betas, th, "--", color="black", lw=2, label=theory_label)
    err = np.vstack([np.nan_to_num(meas - lo), np.zeros_like(meas)])
    ax2.errorbar(betas, meas, yerr=err, fmt="o", ms=4.5, mfc="white", mec="black",
                 ecolor="black", capsize=0, lw=1, label=T("measured", lang))
    ax2.set_yscale("log")
    ax2.set_xlabel(T("beta_axis", lang))
    ax2.set_ylabel(t("learning_rate", lang))
    ax2.set_title(T("boundary_title", lang))
    ax2.legend(loc="upper left")
    names = ({1: T("at_global", lang), 0: T("near", lang), 2: T("escaped", lang)}
             if name == "gabor" else
             {1: t("converged", lang), 0: t("not_converged", lang), 2: t("diverged", lang)})
    cols = {1: mpl.colormaps[STEPS_CMAP](0.1), 0: NOT_CONVERGED_COLOR, 2: DIVERGED_COLOR}
    handles = [Line2D([], [], ls="--", color="black", lw=2, label=theory_label),
               Line2D([], [], ls="none", marker="o", ms=6, mfc="white", mec="black",
                      label=T("measured", lang))]
    handles += [Patch(facecolor=cols[k], edgecolor="black", lw=0.5, label=names[k])
                for k in (1, 0, 2) if np.any(maj == k)]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncols=2,
              frameon=False)
    s = d["summary"]
    n_lr, n_b = s["grid"]
    if name == "quadratic":
        head = T("quadratic_title", lang) + "\n" + T(
            "quadratic_settings", lang, l1=EIGENVALUES[0], l2=EIGENVALUES[1], nlr=n_lr, nb=n_b,
            ns=s["starts"], steps=STEPS)
    else:
        head = T("gabor_title", lang) + "\n" + T(
            "gabor_settings", lang, nlr=n_lr, nb=n_b, ns=s["starts"], steps=STEPS,
            lam=c["lam"])
    fig.suptitle(wrap(head), fontsize=13)
    fig.supxlabel(wrap(T(f"{name}_caption", lang), LINE_CHARS + 8), fontsize=12)
    return fig


def draw(d, lang: str = "en") -> dict:
    """The study's figures (unsaved): ``{"quadratic": Figure, "gabor": Figure}``."""
    from ._common import check_lang

    check_lang(lang)
    return {name: _figure(d, name, lang) for name in ("quadratic", "gabor")}


def main(lang: str = "en", quick: bool = False, outdir="figures", data_=None) -> list:
    """Write ``outdir/<lang>/lr_momentum-quadratic`` and ``lr_momentum-gabor`` (PNG + PDF)
    and ``outdir/lr_momentum-summary.json``; returns the written paths."""
    from ._common import save_figures, write_summary

    d = data_ if data_ is not None else data(quick)
    paths = save_figures(draw(d, lang), outdir, lang, ID)
    paths.append(write_summary(outdir, ID, d["summary"]))
    return paths
