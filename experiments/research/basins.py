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

Run: ``python -m experiments.research basins [--quick]``.
"""
from __future__ import annotations

import numpy as np

ID = "basins"
TITLE = "Basins of attraction of the Gabor loss: GD, SGD, momentum, Adam"

# ------------------------------------------------------------------------------ constants
GRID = 1024                # starts per axis (full resolution)
GRID_QUICK = 128           # starts per axis (quick mode)
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
N_SHOWN = 11               # attractors with their own colour (the rest share one)


def _shown(d) -> list:
    """Attractor indices drawn in their own colour: the global minimum and the largest
    basins (largest share over the optimizers), sorted by loss."""
    ref = d["reference"]
    share = np.max([d["runs"][k]["fractions"] for k in OPTIMIZERS], axis=0)
    top = [k for k in np.argsort(-share, kind="stable") if share[k] > 0][:N_SHOWN]
    if d["global_index"] not in top:
        top = [d["global_index"]] + top[:N_SHOWN - 1]
    return sorted(top, key=lambda k: ref.losses[k])


def _display(d):
    """(relabel function, display Attractors): shown attractors get 0..S-1 (by loss), the
    others the single index S ('other'); -1 / -2 stay."""
    from fastdescent.analysis import Attractors

    ref = d["reference"]
    shown = _shown(d)
    S_ = len(shown)
    lut = np.full(len(ref), S_, dtype=np.int64)
    lut[shown] = np.arange(S_)
    locs = np.vstack([ref.locations[shown], np.full((1, ref.n_params), np.nan)])
    att = Attractors(locs, np.append(ref.losses[shown], np.nan),
                     tuple(ref.kinds[k] for k in shown) + ("unknown",),
                     np.zeros(S_ + 1, dtype=np.int64))

    def relabel(lab):
        out = lab.copy()
        ok = lab >= 0
        out[ok] = lut[lab[ok]]
        return out

    return relabel, att, shown


def _basin_panels(d, lang):
    from matplotlib.patches import Patch

    from fastdescent.plotting import basin_map, figure, optimizer_label, t
    from fastdescent.plotting.i18n import kind_label
    from fastdescent.plotting.style import attractor_color

    fig, axs = figure(2, 2, size=(11.0, 9.4), sharex=True, sharey=True)
    ref = d["reference"]
    relabel, att, shown = _display(d)
    for ax, name in zip(axs.ravel(), OPTIMIZERS):
        r = d["runs"][name]
        basin_map(relabel(r["labels"]), d["axes"], att, ax=ax, model=d["model"],
                  indexing="ij", legend=False, lang=lang)
        fg = 100 * r["global_fraction"]
        label = t("research_sgd_batch", lang, b=SGD_BATCH) if name == "sgd" else \
            optimizer_label(name, lang)
        ax.set_title(f"{label}: {t('research_global_share', lang, p=fg)}", fontsize=12)
    for ax in axs[0]:
        ax.set_xlabel("")
    for ax in axs[:, 1]:
        ax.set_ylabel("")
    handles = []
    for i, k in enumerate(shown):
        kind = "global_minimum" if k == d["global_index"] else (
            "local_minimum" if ref.kinds[k] == "minimum" else ref.kinds[k])
        handles.append(Patch(facecolor=attractor_color(i), edgecolor="black", lw=0.5,
                             label=f"{kind_label(kind, lang)}, $L$ = {ref.losses[k]:.3g}"))
    if len(ref) > len(shown):
        handles.append(Patch(facecolor=attractor_color(len(shown)), edgecolor="black", lw=0.5,
                             label=t("research_other", lang)))
    for g, key in ((-2, "not_converged"), (-1, "diverged")):
        if any(np.any(d["runs"][k]["labels"] == g) for k in OPTIMIZERS):
            handles.append(Patch(facecolor=attractor_color(g), edgecolor="black", lw=0.5,
                                 label=t(key, lang)))
    fig.legend(handles=handles, loc="outside right upper", fontsize="small",
               title=t("basins_of_attraction", lang))
    return fig


def _fractions_figure(d, lang):
    from fastdescent.plotting import figure, optimizer_color, optimizer_label, t

    ref = d["reference"]
    fig, (ax, ax2) = figure(1, 2, size=(13.0, 4.6), width_ratios=(3, 1))
    show = _shown(d)
    x = np.arange(len(show) + 1)
    w = 0.8 / len(OPTIMIZERS)
    for j, name in enumerate(OPTIMIZERS):
        r = d["runs"][name]
        f = np.append(r["fractions"][show], 1.0 - r["fractions"][show].sum())
        se = np.append(r["stderr"][show], np.sqrt(f[-1] * (1 - f[-1]) / max(r["n_converged"], 1)))
        col = optimizer_color(name)
        label = t("research_sgd_batch", lang, b=SGD_BATCH) if name == "sgd" else \
            optimizer_label(name, lang)
        ax.bar(x + (j - (len(OPTIMIZERS) - 1) / 2) * w, f, w, yerr=se, color=col, label=label,
               capsize=2, error_kw={"lw": 1})
    ax.set_xticks(x, [f"{ref.losses[k]:.3g}" + ("*" if k == d["global_index"] else "")
                      for k in show] + [t("research_other", lang)])
    ax.set_xlabel(t("research_minimum_loss", lang))
    ax.set_ylabel(t("research_basin_fraction", lang))
    ax.legend(fontsize="small")
    names = list(OPTIMIZERS)
    g = [d["runs"][k]["global_fraction"] for k in names]
    gse = [d["runs"][k]["global_stderr"] for k in names]
    ax2.bar(np.arange(len(names)), g, 0.7, yerr=gse, capsize=3,
            color=[optimizer_color(k) for k in names])
    ax2.set_xticks(np.arange(len(names)), [("SGD" if k == "sgd" else optimizer_label(k, lang))
                                           for k in names], rotation=30, ha="right")
    ax2.set_ylabel(t("research_global_fraction", lang))
    for i, v in enumerate(g):
        ax2.annotate(f"{100 * v:.1f}%", (i, v), textcoords="offset points", xytext=(0, 3),
                     ha="center", fontsize="small")
    return fig


def main(lang: str = "en", quick: bool = False, outdir="figures", data_=None) -> list:
    """Write ``outdir/<lang>/basins-maps`` and ``basins-fractions`` (PNG + PDF) and
    ``outdir/basins-summary.json``; returns the written paths."""
    from ._common import check_lang, save_figure, write_summary

    check_lang(lang)
    d = data_ if data_ is not None else data(quick)
    paths = save_figure(_basin_panels(d, lang), outdir, lang, ID, "maps")
    paths += save_figure(_fractions_figure(d, lang), outdir, lang, ID, "fractions")
    paths.append(write_summary(outdir, ID, d["summary"]))
    return paths
