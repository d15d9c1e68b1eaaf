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

Run: ``python -m experiments.research lr_momentum [--quick]``.
"""
from __future__ import annotations

import math

import numpy as np

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
def _figure(d, lang):
    from matplotlib.patches import Patch

    from fastdescent.plotting import figure, hyper_map, t
    from fastdescent.plotting.style import STATUS_COLORS

    fig, axs = figure(2, 3, size=(17.0, 9.0))
    for row, name in enumerate(("quadratic", "gabor")):
        c = d[name]
        mb = c["boundary"]
        th = np.asarray(mb["theory"].values, float)
        betas = np.asarray(mb["beta"].values, float)
        meas = np.asarray(mb["boundary"].values, float)
        theory = (th, betas)
        title = t("research_quadratic", lang, l1=EIGENVALUES[0], l2=EIGENVALUES[1]) \
            if name == "quadratic" else t("research_gabor", lang)
        ax = axs[row, 0]
        hyper_map(c["majority"], ax=ax, kind="status", theory=theory, lang=lang,
                  legend=False)
        ax.plot(meas, betas, "o", ms=3.5, mfc="white", mec="black", mew=0.8,
                label=t("research_measured", lang))
        handles, _ = ax.get_legend_handles_labels()
        maj = np.asarray(c["majority"].values)
        names = {1: t("research_at_global", lang), 0: t("research_elsewhere", lang),
                 2: t("research_escaped", lang)} if name == "gabor" else {
            1: t("converged", lang), 0: t("not_converged", lang), 2: t("diverged", lang)}
        handles += [Patch(facecolor=STATUS_COLORS[k], edgecolor="black", lw=0.5,
                          label=names[k]) for k in (1, 0, 2) if np.any(maj == k)]
        ax.legend(handles=handles, fontsize="x-small", loc="lower left")
        ax.set_title(f"{title}: {t('status', lang)}", fontsize=12)
        ax = axs[row, 1]
        hyper_map(c["hm"]["median_loss"], ax=ax, kind="loss", theory=theory, legend=False,
                  lang=lang)
        ax.set_title(f"{title}: {t('research_median_loss', lang)}", fontsize=12)
        ax = axs[row, 2]
        lo = np.asarray(mb["lower"].values, float)
        ax.plot(betas, th, "--", color="black",
                label=t("theory" if name == "quadratic" else "research_local_theory", lang))
        err = np.vstack([np.nan_to_num(meas - lo), np.zeros_like(meas)])
        ax.errorbar(betas, meas, yerr=err, fmt="o", ms=3.5, color="C3", capsize=0, lw=1,
                    label=t("research_measured", lang))
        ax.set_yscale("log")
        ax.set_xlabel(t("momentum", lang))
        ax.set_ylabel(t("learning_rate", lang))
        ax.legend(fontsize="small")
        ax.set_title(title, fontsize=12)
    return fig


def main(lang: str = "en", quick: bool = False, outdir="figures", data_=None) -> list:
    """Write ``outdir/<lang>/lr_momentum-maps`` (PNG + PDF) and
    ``outdir/lr_momentum-summary.json``; returns the written paths."""
    from ._common import check_lang, save_figure, write_summary

    check_lang(lang)
    d = data_ if data_ is not None else data(quick)
    paths = save_figure(_figure(d, lang), outdir, lang, ID, "maps")
    paths.append(write_summary(outdir, ID, d["summary"]))
    return paths
