"""Study ``basins``: which minimum of the Gabor loss do GD, SGD, momentum and Adam reach?

The lecture says that SGD and momentum "find better solutions" than plain gradient descent.
Here that claim is measured: every optimizer starts from every point of a fine grid over the
Gabor model's box (offset x frequency), and each start is labelled by the minimum it ends in.

Method
------
1. Run each optimizer for ``STEPS`` steps from every grid point (``TOL`` stops early).
2. *Polish*: continue every trajectory that did not diverge with plain gradient descent
   (``POLISH_LR``, up to ``POLISH_STEPS`` steps, tolerance ``TOL``). SGD never meets a
   gradient tolerance (its steps are noisy) and Adam oscillates at a scale of its step size, so
   "where did it end" must mean "in which basin of the gradient flow did it stop"; the polish
   answers that the same way for every optimizer and moves no converged point.
3. Cluster the polished end points of all four optimizers together into one set of attractors
   (sorted by loss: the global minimum has the lowest loss), then label each optimizer's
   starts with :func:`fastdescent.analysis.attractors` using that shared ``reference``, so an
   attractor has the same index and colour in every panel.
4. :func:`fastdescent.analysis.basin_summary` gives basin fractions with binomial standard
   errors, basin entropy :math:`S_b`, boundary basin entropy :math:`S_{bb}`, the uncertainty
   exponent and the box-counting dimension of the basin boundaries.

SGD uses minibatches of ``SGD_BATCH`` of the 30 examples and the summed loss of the batch
(the lecture's convention); its learning rate is ``LR * 30 / SGD_BATCH`` so that its expected
step equals the full-batch step of GD.

Figures (:func:`draw`)
----------------------
``maps`` - point: *each optimizer's starts split into the same basins; SGD's labels are
speckled (its final minimum depends on the minibatches), the others' boundaries smooth*.
``fractions`` - point: *only SGD reaches the global minimum clearly more often than gradient
descent* (momentum and Adam within a fraction of a point). One quantity, one definition:
every percentage is a share of **all** grid starts (not of the converged ones), with its
binomial standard error; the difference to GD uses the paired standard error over the same
starts. Minima are numbered by loss (1 = global) and coloured by that rank along the loss
colormap (dark = low loss); bars keep the optimizers' own colours, so no colour means both
an optimizer and a minimum.

Run: ``python -m experiments.research basins [--quick]``.
"""
from __future__ import annotations

import numpy as np

from fastdescent.plotting.i18n import Texts
from fastdescent.plotting.style import styled

from ._common import LINE_CHARS, wrap

ID = "basins"
TITLE = "Basins of attraction of the Gabor loss: GD, SGD, momentum, Adam"

# ------------------------------------------------------------------------------ constants
GRID = 1024                # starts per axis (full resolution)
GRID_QUICK = 64            # starts per axis (quick mode)
STEPS = 1000               # optimizer steps
TOL = 1e-5                 # gradient-norm tolerance (early stop and polish)
POLISH_LR = 0.05           # gradient-descent polish of the end points
POLISH_STEPS = 4000
LR = 0.05                  # GD, momentum and Adam learning rate
BETA = 0.9                 # momentum coefficient (lecture momentum and Adam's beta)
SGD_BATCH = 5
SEED = 0                   # minibatch streams of SGD
CLUSTER_TOL = 1e-3         # attractor clustering tolerance (fraction of the box width)
ENTROPY_BOX = 5            # box side (cells) of the basin entropy
OPTIMIZERS = ("gd", "sgd", "momentum", "adam")

_CACHE: dict = {}


def _optimizer(name: str, n_examples: int):
    import fastdescent as fd

    if name == "gd":
        return fd.optim.gd(lr=LR), None
    if name == "sgd":
        return fd.optim.gd(lr=LR * n_examples / SGD_BATCH), SGD_BATCH
    if name == "momentum":
        return fd.optim.momentum(lr=LR, beta=BETA), None
    if name == "adam":
        return fd.optim.adam(lr=LR, beta=BETA), None
    raise ValueError(name)


def _polished(model, res):
    """The run ``res`` continued by gradient descent: a Result of the polished end points,
    diverged trajectories kept diverged."""
    import fastdescent as fd
    from fastdescent.engine import status as S

    ok = res.status != S.DIVERGED
    params = res.params.copy()
    loss = res.loss.copy()
    status = res.status.copy()
    steps = res.steps.copy()
    if ok.any():
        pol = fd.run(model, fd.optim.gd(lr=POLISH_LR), res.params[ok], POLISH_STEPS, tol=TOL,
                     progress=False)
        params[ok], loss[ok], status[ok] = pol.params, pol.loss, pol.status
        steps[ok] += pol.steps
    return fd.Result(params, loss, status, steps, model=model, optimizer=res.optimizer,
                     settings=res.settings)


def data(quick: bool = False) -> dict:
    """Run the study (cached per process). Returns a dict with ``axes`` (phi0, phi1),
    ``reference`` (shared Attractors), ``global_index``, and per optimizer in ``runs``:
    ``labels`` (n0, n1), ``summary`` (BasinSummary), ``global_fraction`` and its stderr,
    ``seconds``; ``summary`` holds the numbers as plain floats."""
    key = bool(quick)
    if key in _CACHE:
        return _CACHE[key]
    import fastdescent as fd
    from fastdescent.analysis import basin_summary, box_widths, find_attractors

    from ._common import Timer

    model = fd.models.gabor()
    n = GRID_QUICK if quick else GRID
    grid = fd.grid(model, n)
    pts = grid.points
    polished = {}
    seconds = {}
    for name in OPTIMIZERS:
        opt, bs = _optimizer(name, model.n_examples)
        with Timer() as tm:
            res = fd.run(model, opt, pts, STEPS, batch_size=bs, seed=SEED, tol=TOL,
                         progress=False)
            polished[name] = _polished(model, res)
        seconds[name] = tm.seconds
    # one shared set of attractors, sorted by loss
    allp = np.concatenate([polished[k].params for k in OPTIMIZERS])
    alls = np.concatenate([polished[k].status for k in OPTIMIZERS]).astype(np.int64)
    alls[alls == -1] = 0
    reference, _ = find_attractors(allp, alls, scale=box_widths(model), tol=CLUSTER_TOL,
                                   hessian=model.hessian, loss=model.loss)
    mins = [i for i, k in enumerate(reference.kinds) if k == "minimum"]
    g_idx = int(min(mins, key=lambda i: reference.losses[i]))
    runs = {}
    summary = {"grid": n, "steps": STEPS, "polish_steps": POLISH_STEPS, "lr": LR,
               "sgd_lr": LR * model.n_examples / SGD_BATCH, "sgd_batch": SGD_BATCH,
               "beta": BETA, "global_minimum": {"params": reference.locations[g_idx].tolist(),
                                                "loss": float(reference.losses[g_idx])},
               "n_attractors": len(reference), "optimizers": {}}
    for name in OPTIMIZERS:
        # (single-linkage clusters of one run are pieces of the pooled clusters, so they match
        # the reference; an unmatched piece would be appended after the reference's indices)
        bs = basin_summary(polished[name], model, tol=CLUSTER_TOL, reference=reference,
                           box=ENTROPY_BOX, shape=grid.shape)
        lab = np.asarray(bs.labels).reshape(grid.shape)
        N = lab.size
        fg = float(np.count_nonzero(lab == g_idx)) / N
        fr = bs.fractions
        runs[name] = {"labels": lab, "summary": bs, "global_fraction": fg,
                      "global_stderr": float(np.sqrt(fg * (1 - fg) / N)), "seconds": seconds[name]}
        order = np.argsort(-fr.fractions)[:5]
        summary["optimizers"][name] = {
            "global_fraction": fg, "global_stderr": runs[name]["global_stderr"],
            "global_fraction_of_converged": float(fr.fractions[g_idx]),
            "converged": fr.n_converged / N, "diverged": fr.diverged,
            "not_converged": fr.not_converged,
            "fractions": fr.fractions.tolist(), "stderr": fr.stderr.tolist(),
            "top_basins": [{"attractor": int(k), "loss": float(reference.losses[k]),
                            "fraction": float(fr.fractions[k]),
                            "stderr": float(fr.stderr[k])} for k in order],
            "basin_entropy": bs.entropy, "boundary_basin_entropy": bs.boundary_entropy,
            "uncertainty_exponent": bs.alpha,
            "boundary_dimension": bs.dimension.dimension if bs.dimension else float("nan"),
            "seconds": seconds[name]}
    # a run whose cluster did not match the reference has extra attractors after the
    # reference's: use the longest list and pad every run's fractions to it
    widest = max((runs[k]["summary"].attractors for k in OPTIMIZERS), key=len)
    K = len(widest)
    for name in OPTIMIZERS:
        fr = runs[name]["summary"].fractions
        runs[name]["fractions"] = np.pad(fr.fractions, (0, K - fr.fractions.size))
        runs[name]["stderr"] = np.pad(fr.stderr, (0, K - fr.stderr.size))
        runs[name]["n_converged"] = fr.n_converged
    reference = widest
    summary["n_attractors"] = K
    summary["attractor_losses"] = reference.losses.tolist()
    summary["attractor_kinds"] = list(reference.kinds)
    out = {"model": model, "axes": tuple(grid.axes.values()), "reference": reference,
           "global_index": g_idx, "runs": runs, "summary": summary, "quick": key}
    _CACHE[key] = out
    return out


# ------------------------------------------------------------------------------ figures
N_SHOWN = 11               # minima with their own number and colour (the rest: "other")

#: This study's own strings (the shared vocabulary comes from i18n.TABLE).
T = Texts({
    "maps_title": {
        "en": "Which minimum does each start reach? Colour: the minimum it ends in "
              "(numbered by loss; 1 = global minimum)",
        "es": "¿A qué mínimo llega cada inicio? Color: el mínimo en el que termina "
              "(numerados por pérdida; 1 = mínimo global)"},
    "fractions_title": {
        "en": "Only SGD reaches the global minimum (1) clearly more often than gradient descent",
        "es": "Solo SGD llega al mínimo global (1) claramente más a menudo que el descenso de "
              "gradiente"},
    "settings": {
        "en": "Gabor model (30 data points), {n} × {n} starts on [{x0:g}, {x1:g}] × "
              "[{y0:g}, {y1:g}], {steps} steps; learning rate $\\alpha$ = {lr:g} (SGD: "
              "$\\alpha$ = {slr:g}, batch {b}), $\\beta$ = {beta:g} (momentum, Adam); then "
              "gradient descent to $\\|\\nabla L\\| < 10^{{-5}}$ names the minimum. "
              "Percentages: share of all {N} starts.",
        "es": "Modelo de Gabor (30 datos), {n} × {n} inicios en [{x0:g}, {x1:g}] × "
              "[{y0:g}, {y1:g}], {steps} pasos; tasa de aprendizaje $\\alpha$ = {lr:g} (SGD: "
              "$\\alpha$ = {slr:g}, lote {b}), $\\beta$ = {beta:g} (momentum, Adam); después, "
              "descenso de gradiente hasta $\\|\\nabla L\\| < 10^{{-5}}$ identifica el mínimo. "
              "Porcentajes: proporción de los {N} inicios."},
    "panel": {"en": "{name}: {p:.1f} % reach 1", "es": "{name}: {p:.1f} % llegan a 1"},
    "sgd_batch": {"en": "SGD (batch {b})", "es": "SGD (lote {b})"},
    "minimum_k": {"en": "{k}: $L$ = {loss:.3g}", "es": "{k}: $L$ = {loss:.3g}"},
    "global_k": {"en": "{k}: $L$ = {loss:.3g} (global)", "es": "{k}: $L$ = {loss:.3g} (global)"},
    "other": {"en": "Other minima", "es": "Otros mínimos"},
    "other_short": {"en": "Other", "es": "Otros"},
    "not_converged_short": {"en": "Not\nconv.", "es": "No\nconv."},
    "diverged_short": {"en": "Div.", "es": "Div."},
    "legend_title": {"en": "Minimum reached", "es": "Mínimo alcanzado"},
    "share_axis": {"en": "Share of all starts (%)", "es": "Proporción de los inicios (%)"},
    "minimum_axis": {"en": "Minimum (number; loss $L$ there)",
                     "es": "Mínimo (número; pérdida $L$ en él)"},
    "diff_axis": {"en": "Share at the global minimum\nminus gradient descent's (points)",
                  "es": "Proporción en el mínimo global\nmenos la del descenso de gradiente "
                        "(puntos)"},
    "errors": {"en": "Other: the remaining minima; not conv.: not converged after the polish. "
                     "Error bars: ± 1 standard error (binomial; right: paired over the same "
                     "starts).",
               "es": "Otros: los demás mínimos; no conv.: no converge tras el pulido. Barras "
                     "de error: ± 1 error típico (binomial; derecha: pareado sobre los mismos "
                     "inicios)."},
})


def _shown(d) -> list:
    """Minima drawn with their own number and colour: the global minimum and the largest
    basins (largest share over the optimizers), sorted by loss."""
    ref = d["reference"]
    share = np.max([d["runs"][k]["fractions"] for k in OPTIMIZERS], axis=0)
    top = [k for k in np.argsort(-share, kind="stable") if share[k] > 0][:N_SHOWN]
    if d["global_index"] not in top:
        top = [d["global_index"]] + top[:N_SHOWN - 1]
    return sorted(top, key=lambda k: ref.losses[k])


def _colors(n_shown: int) -> list:
    """Colour of the shown minima 1..n (by loss: dark = low, as the loss colormap)."""
    import matplotlib as mpl

    from fastdescent.plotting.style import LOSS_CMAP

    return [mpl.colormaps[LOSS_CMAP](v) for v in np.linspace(0.0, 1.0, n_shown)]


#: Colours of the starts that do not end in a shown minimum.
OTHER_COLOR = "#FFFFFF"


def _category_rgb(lab, shown):
    """RGB image of a label grid: shown minima in :func:`_colors`, other minima white,
    not converged / diverged in the house greys."""
    import matplotlib as mpl

    from fastdescent.plotting.style import DIVERGED_COLOR, NOT_CONVERGED_COLOR

    rgb = np.empty(lab.shape + (3,))
    rgb[:] = mpl.colors.to_rgb(OTHER_COLOR)
    for col, k in zip(_colors(len(shown)), shown):
        rgb[lab == k] = col[:3]
    rgb[lab == -2] = mpl.colors.to_rgb(NOT_CONVERGED_COLOR)
    rgb[lab == -1] = mpl.colors.to_rgb(DIVERGED_COLOR)
    return rgb


def _name(name, lang):
    from fastdescent.plotting import optimizer_label

    if name == "sgd":
        return T("sgd_batch", lang, b=SGD_BATCH)
    if name == "momentum":
        return "Momentum"
    return optimizer_label(name, lang)


def _settings(d, lang):
    s = d["summary"]
    n = s["grid"]
    (x0, x1), (y0, y1) = d["model"].box[:2]
    return T("settings", lang, n=n, steps=STEPS, lr=LR, slr=s["sgd_lr"], b=SGD_BATCH, beta=BETA,
             N=f"{n * n:,}".replace(",", "\u2009"), x0=x0, x1=x1, y0=y0, y1=y1)


@styled
def _basin_panels(d, lang):
    import matplotlib as mpl
    import matplotlib.pyplot as plt
    from matplotlib import patheffects
    from matplotlib.patches import Patch

    from fastdescent.plotting import param_label, t
    from fastdescent.plotting.maps import _edges
    from fastdescent.plotting.style import DIVERGED_COLOR, NOT_CONVERGED_COLOR

    fig, axs = plt.subplots(2, 2, figsize=(12.8, 7.3), sharex=True, sharey=True,
                            layout="constrained")
    ref = d["reference"]
    shown = _shown(d)
    a0, a1 = d["axes"]
    for ax, name in zip(axs.ravel(), OPTIMIZERS):
        r = d["runs"][name]
        rgb = _category_rgb(r["labels"], shown)
        ax.pcolormesh(_edges(a0), _edges(a1), np.transpose(rgb, (1, 0, 2)), shading="flat",
                      rasterized=True)
        ax.set_xlim(_edges(a0)[[0, -1]])
        ax.set_ylim(_edges(a1)[[0, -1]])
        ax.set_title(T("panel", lang, name=_name(name, lang), p=100 * r["global_fraction"]))
        for i, k in enumerate(shown):
            x, y = ref.locations[k][:2]
            if not (a0[0] <= x <= a0[-1] and a1[0] <= y <= a1[-1]):
                continue
            glob = k == d["global_index"]
            ax.plot(x, y, "*" if glob else "o", ms=16 if glob else 9, mfc="white", mec="black",
                    mew=1.2, zorder=5)
            ax.annotate(str(i + 1), (x, y), xytext=(7, 4), textcoords="offset points",
                        fontsize=12, fontweight="bold", zorder=6,
                        path_effects=[patheffects.withStroke(linewidth=3, foreground="white")])
    for ax in axs[1]:
        ax.set_xlabel(param_label(d["model"], 0, lang))
    for ax in axs[:, 0]:
        ax.set_ylabel(param_label(d["model"], 1, lang))
    handles = []
    for i, (k, col) in enumerate(zip(shown, _colors(len(shown)))):
        key = "global_k" if k == d["global_index"] else "minimum_k"
        handles.append(Patch(facecolor=col, edgecolor="black", lw=0.5,
                             label=T(key, lang, k=i + 1, loss=float(ref.losses[k]))))
    if any(np.any((d["runs"][n]["labels"] >= 0) & ~np.isin(d["runs"][n]["labels"], shown))
           for n in OPTIMIZERS):
        handles.append(Patch(facecolor=OTHER_COLOR, edgecolor="black", lw=0.5,
                             label=T("other", lang)))
    for g, key, col in ((-2, "not_converged", NOT_CONVERGED_COLOR),
                        (-1, "diverged", DIVERGED_COLOR)):
        if any(np.any(d["runs"][k]["labels"] == g) for k in OPTIMIZERS):
            handles.append(Patch(facecolor=col, edgecolor="black", lw=0.5, label=t(key, lang)))
    fig.legend(handles=handles, loc="outside right center", title=T("legend_title", lang))
    fig.suptitle(wrap(T("maps_title", lang) + "\n" + _settings(d, lang)), fontsize=13)
    return fig


def _shares(d, name, shown):
    """Share of all starts (and binomial standard error) per category: the shown minima,
    other minima, not converged, diverged."""
    lab = d["runs"][name]["labels"]
    N = lab.size
    cats = [lab == k for k in shown]
    cats.append((lab >= 0) & ~np.isin(lab, shown))
    cats.append(lab == -2)
    cats.append(lab == -1)
    f = np.array([np.count_nonzero(c) / N for c in cats])
    return f, np.sqrt(f * (1 - f) / N)


def _paired_difference(d, name):
    """Global-minimum share of ``name`` minus GD's over the same starts, and the paired
    standard error :math:`\\mathrm{sd}(a - b)/\\sqrt{N}` of the per-start indicators."""
    g = d["global_index"]
    a = (d["runs"][name]["labels"] == g).astype(float).ravel()
    b = (d["runs"]["gd"]["labels"] == g).astype(float).ravel()
    diff = a - b
    return float(diff.mean()), float(diff.std(ddof=1) / np.sqrt(diff.size))


@styled
def _fractions_figure(d, lang):
    import matplotlib.pyplot as plt

    from fastdescent.plotting import optimizer_color, t
    from fastdescent.plotting.i18n import number

    ref = d["reference"]
    shown = _shown(d)
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(13.2, 6.6), width_ratios=(4.2, 1),
                                  layout="constrained")
    shares = {k: _shares(d, k, shown) for k in OPTIMIZERS}
    labels = [f"{i + 1}\n{number(float(ref.losses[k]), lang, '.3g')}"
              for i, k in enumerate(shown)] + [T("other_short", lang),
                                              T("not_converged_short", lang),
                                              T("diverged_short", lang)]
    keep = [j for j in range(len(labels))
            if any(shares[k][0][j] > 0 for k in OPTIMIZERS) or j < len(shown)]
    x = np.arange(len(keep))
    w = 0.8 / len(OPTIMIZERS)
    for j, name in enumerate(OPTIMIZERS):
        f, se = shares[name]
        ax.bar(x + (j - (len(OPTIMIZERS) - 1) / 2) * w, 100 * f[keep], w, yerr=100 * se[keep],
               color=optimizer_color(name), label=_name(name, lang), capsize=2,
               error_kw={"lw": 1})
    ax.set_xticks(x, [labels[j] for j in keep])
    ax.set_xlim(-0.6, len(keep) - 0.4)
    ax.set_xlabel(T("minimum_axis", lang))
    ax.set_ylabel(T("share_axis", lang))
    ax.legend(loc="upper right")
    names = [k for k in OPTIMIZERS if k != "gd"]
    diffs = [_paired_difference(d, k) for k in names]
    ax2.bar(np.arange(len(names)), [100 * v for v, _ in diffs], 0.7,
            yerr=[100 * e for _, e in diffs], capsize=3,
            color=[optimizer_color(k) for k in names])
    ax2.axhline(0.0, color="black", lw=1.0)
    ax2.set_xticks(np.arange(len(names)), ["SGD" if k == "sgd" else _name(k, lang)
                                           for k in names])
    ax2.set_ylabel(T("diff_axis", lang))
    lo, hi = ax2.get_ylim()
    ax2.set_ylim(min(lo, 0.0), hi + 0.12 * (hi - min(lo, 0.0)))
    for i, (v, e) in enumerate(diffs):
        ax2.annotate(f"{number(100 * v, lang, '+.1f')}", (i, 100 * v + 100 * e if v >= 0 else 0.0),
                     textcoords="offset points", xytext=(0, 3), ha="center", va="bottom")
    fig.suptitle(wrap(T("fractions_title", lang) + "\n" + _settings(d, lang)), fontsize=13)
    fig.supxlabel(wrap(T("errors", lang), LINE_CHARS + 8), fontsize=12)
    return fig


def draw(d, lang: str = "en") -> dict:
    """The study's figures (unsaved): ``{"maps": Figure, "fractions": Figure}``."""
    from ._common import check_lang

    check_lang(lang)
    return {"maps": _basin_panels(d, lang), "fractions": _fractions_figure(d, lang)}


def main(lang: str = "en", quick: bool = False, outdir="figures", data_=None) -> list:
    """Write ``outdir/<lang>/basins-maps`` and ``basins-fractions`` (PNG + PDF) and
    ``outdir/basins-summary.json``; returns the written paths."""
    from ._common import save_figures, write_summary

    d = data_ if data_ is not None else data(quick)
    paths = save_figures(draw(d, lang), outdir, lang, ID)
    paths.append(write_summary(outdir, ID, d["summary"]))
    return paths
