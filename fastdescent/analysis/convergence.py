r"""Convergence statistics of engine output: loss bands, steps to tolerance, success rates.

Every function takes a :class:`~fastdescent.Result` or a :func:`fastdescent.sweep` Dataset
and pools all its trajectories (select a slice of a Dataset first, e.g. ``ds.sel(lr=0.1)``,
to look at one setting).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..engine import status as S
from ..models.base import Model
from .attractors import _source, attractors, box_widths

__all__ = ["loss_bands", "steps_distribution", "StepsDistribution", "fraction_at_global_min",
           "GlobalMinFraction", "compare_optimizers"]


# ====================================================================================== bands
def loss_bands(result_or_ds, quantiles=(0.1, 0.25, 0.5, 0.75, 0.9), *, include: str = "all"):
    r"""Quantiles of the loss over trajectories at every recorded step.

    With :math:`L_n(t_r)` the loss of trajectory :math:`n` at record :math:`r` (step
    :math:`t_r = r\,k` for ``record_every=k``, the last record being the final point), band
    :math:`q` is the empirical :math:`q`-quantile over :math:`n` (linear interpolation, NaN
    ignored). A trajectory that stopped early repeats its final loss in later records, so
    the bands describe the population at each step. A diverged trajectory holds the loss
    of its last finite point.

    Parameters
    ----------
    result_or_ds : Result or xarray.Dataset
        Run with ``record_every=k`` (paths recorded).
    quantiles : sequence of float in [0, 1]
    include : {"all", "converged", "not_diverged"}
        Which trajectories enter the quantiles.

    Returns
    -------
    xarray.Dataset
        ``loss`` (quantile, step), ``mean`` (step; mean of the finite values) and ``n`` (the
        number of trajectories used); coordinate ``step`` holds the step numbers.

    Raises
    ------
    ValueError
        If no loss paths were recorded, a quantile is outside [0, 1] or ``include`` is unknown.

    Examples
    --------
    >>> import fastdescent as fd
    >>> from fastdescent.analysis import loss_bands
    >>> m = fd.models.quadratic((1.0, 4.0))
    >>> res = fd.run(m, fd.optim.gd(lr=0.1), fd.random_starts(m, 50, seed=1), steps=40,
    ...              record_every=20)
    >>> bands = loss_bands(res, quantiles=(0.1, 0.5, 0.9))
    >>> bands["step"].values, bands["loss"].sel(quantile=0.5).values.round(5)
    (array([ 0, 20, 40]), array([7.2505e-01, 1.7600e-03, 3.0000e-05]))
    """
    import xarray as xr

    src = _source(result_or_ds)
    q = np.asarray(quantiles, dtype=float).reshape(-1)
    if q.size == 0 or not np.all((q >= 0) & (q <= 1)):
        raise ValueError(f"quantiles must be numbers in [0, 1], got {quantiles!r}")
    if src.result is not None:
        lp, steps = src.result.loss_path, src.result.record_steps
    else:
        ds = src.dataset
        if "loss_path" not in ds:
            lp = steps = None
        else:
            lp = ds["loss_path"].transpose(*src.dims, "record").values.reshape(src.n, -1)
            steps = np.asarray(ds["record"].values)
    if lp is None:
        raise ValueError("no loss paths were recorded: run or sweep with record_every=k")
    sel = _include(src.status, include)
    lp = np.asarray(lp, dtype=float)[sel]
    n = int(lp.shape[0])
    if n:
        bands = np.nanquantile(lp, q, axis=0)
        fin = np.where(np.isfinite(lp), lp, np.nan)
        with np.errstate(all="ignore"):
            mean = np.nanmean(fin, axis=0) if np.any(np.isfinite(fin)) else \
                np.full(lp.shape[1], np.nan)
    else:
        bands = np.full((q.size, lp.shape[1]), np.nan)
        mean = np.full(lp.shape[1], np.nan)
    return xr.Dataset({"loss": (("quantile", "step"), bands), "mean": (("step",), mean),
                       "n": ((), n)}, coords={"quantile": q, "step": steps},
                      attrs={"include": include})


def _include(status, include: str) -> np.ndarray:
    if include == "all":
        return status != S.NOT_RUN
    if include == "converged":
        return status == S.CONVERGED
    if include == "not_diverged":
        return (status == S.CONVERGED) | (status == S.MAX_STEPS)
    raise ValueError(f"include must be 'all', 'converged' or 'not_diverged', got {include!r}")


# ====================================================================================== steps
@dataclass(frozen=True, eq=False)
class StepsDistribution:
    r"""Result of :func:`steps_distribution`.

    Attributes
    ----------
    steps : ndarray of int64
        Sorted steps to tolerance :math:`s_{(1)} \le \dots \le s_{(n_c)}` of the converged
        trajectories.
    ecdf : ndarray
        :math:`F(s_{(i)}) = i/n_c`: empirical CDF among the converged.
    success : ndarray
        :math:`i/n`: fraction of *all* trajectories converged within :math:`s_{(i)}` steps.
    counts, edges : ndarray
        Histogram of ``steps`` (``numpy.histogram``).
    n_converged, n_total : int
    median, mean : float
        Of ``steps`` (NaN if none converged).

    Examples
    --------
    >>> import fastdescent as fd
    >>> from fastdescent.analysis import steps_distribution
    >>> m = fd.models.quadratic((1.0,))
    >>> res = fd.run(m, fd.optim.gd(lr=0.5), [[1.0], [2.0], [4.0], [8.0]], steps=100, tol=1e-6)
    >>> d = steps_distribution(res)
    >>> d.steps, d.ecdf, d.median
    (array([20, 21, 22, 23]), array([0.25, 0.5 , 0.75, 1.  ]), 21.5)
    """

    steps: np.ndarray
    ecdf: np.ndarray
    success: np.ndarray
    counts: np.ndarray
    edges: np.ndarray
    n_converged: int
    n_total: int
    median: float
    mean: float


def steps_distribution(result_or_ds, bins="auto") -> StepsDistribution:
    """Distribution of the number of steps the converged trajectories needed.

    Parameters
    ----------
    result_or_ds : Result or xarray.Dataset
        Run with ``tol=`` (otherwise nothing converges except at the very end).
    bins : int, sequence or str
        Passed to ``numpy.histogram``.

    Returns
    -------
    StepsDistribution

    Examples
    --------
    On :math:`\\tfrac12\\phi^2` with :math:`\\alpha = 0.5` the gradient halves each step, so a start
    twice as far needs one step more to reach the tolerance:

    >>> import fastdescent as fd
    >>> from fastdescent.analysis import steps_distribution
    >>> m = fd.models.quadratic((1.0,))
    >>> res = fd.run(m, fd.optim.gd(lr=0.5), [[1.0], [2.0], [4.0], [8.0]], steps=100, tol=1e-6)
    >>> steps_distribution(res).steps
    array([20, 21, 22, 23])
    """
    src = _source(result_or_ds)
    ran = src.status != S.NOT_RUN
    s = np.sort(np.asarray(src.steps[src.status == S.CONVERGED], dtype=np.int64))
    n_c, n = int(s.size), int(ran.sum())
    if n_c:
        counts, edges = np.histogram(s, bins=bins)
        med, mean = float(np.median(s)), float(np.mean(s))
    else:
        counts, edges = np.zeros(0, dtype=np.int64), np.zeros(0)
        med = mean = math.nan
    i = np.arange(1, n_c + 1)
    return StepsDistribution(s, i / n_c if n_c else np.zeros(0), i / n if n else np.zeros(0),
                             counts, edges, n_c, n, med, mean)


# ====================================================================================== global min
@dataclass(frozen=True, eq=False)
class GlobalMinFraction:
    r"""Result of :func:`fraction_at_global_min`.

    Attributes
    ----------
    fraction, stderr : float
        Share :math:`p` of all trajectories that end within the tolerance of a global minimum,
        and :math:`\sqrt{p(1-p)/n}`.
    n_at_min, n_total : int
    locations : ndarray (G, P)
        The global minima used (several when they tie, e.g. Himmelblau's four).
    loss : float
        Their loss.
    source : str
        ``'known'`` (the model's catalogued minima), ``'found'`` (the best attractor of this
        run) or ``'known+found'``.

    Examples
    --------
    >>> import fastdescent as fd
    >>> from fastdescent.analysis import fraction_at_global_min
    >>> m = fd.models.himmelblau()
    >>> res = fd.run(m, fd.optim.gd(lr=0.01), fd.grid(m, 6).points, steps=2000, tol=1e-6)
    >>> g = fraction_at_global_min(res)
    >>> g.fraction, g.n_at_min, g.n_total, len(g.locations), g.source
    (1.0, 36, 36, 4, 'known')
    """

    fraction: float
    stderr: float
    n_at_min: int
    n_total: int
    locations: np.ndarray
    loss: float
    source: str


def fraction_at_global_min(result_or_ds, model: Model | None = None, tol: float = 1e-3, *,
                           loss_rtol: float = 1e-6) -> GlobalMinFraction:
    r"""Fraction of all starts that end at a global minimum.

    Candidates are the model's known minima (``model.minima`` of kind ``'minimum'``) and the
    attractors of kind ``'minimum'`` found in this run (:func:`attractors`); the global ones
    are those with :math:`L \le L^* + \mathrm{loss\_rtol}\max(1, |L^*|)`, :math:`L^*` the
    lowest candidate loss. A trajectory counts when it did not diverge and its final point is
    within :math:`\max_k |\phi_k - \phi^*_k| / w_k \le \mathrm{tol}` of one of them
    (:math:`w_k` the model's box widths). The fraction is over *all* trajectories (diverged
    and stuck ones count as failures).

    Parameters
    ----------
    result_or_ds : Result or xarray.Dataset
    model : Model, optional
        Default ``Result.model``; required for a Dataset.
    tol : float
        Relative distance tolerance (also the clustering tolerance of the attractors).
    loss_rtol : float
        Relative loss tolerance for ties between minima.

    Returns
    -------
    GlobalMinFraction

    Raises
    ------
    ValueError
        If ``tol`` is not a finite positive number or the model is missing.

    Examples
    --------
    A 1-D loss with three minima: 9 of 21 evenly spaced starts reach the global one at 0.5.

    >>> import numpy as np
    >>> import fastdescent as fd
    >>> from fastdescent.analysis import fraction_at_global_min
    >>> m = fd.models.multimodal_1d()
    >>> res = fd.run(m, fd.optim.gd(lr=0.001), np.linspace(0, 1, 21)[:, None], steps=5000,
    ...              tol=1e-6)
    >>> g = fraction_at_global_min(res)
    >>> g.n_at_min, g.n_total, round(g.fraction, 4), round(g.stderr, 4), g.locations, g.source
    (9, 21, 0.4286, 0.108, array([[0.5]]), 'known')
    """
    src = _source(result_or_ds, model, need_model=True)
    m = src.model
    if not (isinstance(tol, (int, float)) and tol > 0 and math.isfinite(tol)):
        raise ValueError(f"tol must be a finite number > 0, got {tol!r}")
    known = [p for p in m.minima if p.kind == "minimum"]
    att, _ = attractors(result_or_ds, m, tol=tol)
    w = box_widths(m)
    found = [i for i, k in enumerate(att.kinds) if k == "minimum" and np.isfinite(att.losses[i])
             and not any(np.max(np.abs(att.locations[i] - np.asarray(p.params, float)) / w)
                         <= tol for p in known)]  # found again: keep the catalogued point
    locs = [np.asarray(p.params, float) for p in known] + [att.locations[i] for i in found]
    losses = np.array([p.loss for p in known] + [att.losses[i] for i in found], dtype=float)
    origin = ["known"] * len(known) + ["found"] * len(found)
    if not locs:
        raise ValueError(f"no minimum to compare with: model {m.name!r} has no known minima "
                         f"and no trajectory converged to one")
    best = float(np.min(losses))
    glob = losses <= best + loss_rtol * max(1.0, abs(best))
    G = np.array([l for l, g in zip(locs, glob) if g])
    src_kinds = sorted({o for o, g in zip(origin, glob) if g}, reverse=True)
    ok = src.status != S.DIVERGED
    ran = src.status != S.NOT_RUN
    x = src.params
    d = np.full(src.n, np.inf)
    fin = ok & np.all(np.isfinite(x), axis=1)
    for g in G:  # a handful of minima
        d[fin] = np.minimum(d[fin], np.max(np.abs(x[fin] - g) / w, axis=1))
    hit = fin & ran & (d <= tol)
    n = int(ran.sum())
    k = int(hit.sum())
    p = k / n if n else math.nan
    se = math.sqrt(p * (1 - p) / n) if n else math.nan
    return GlobalMinFraction(p, se, k, n, G, best, "+".join(src_kinds))


# ====================================================================================== compare
def compare_optimizers(runs: dict, model: Model | None = None, *, tol: float = 1e-3):
    r"""A comparison table of several runs of the same problem.

    Parameters
    ----------
    runs : dict
        ``{name: Result or Dataset}``, one entry per optimizer (or setting).
    model : Model, optional
        Needed for Datasets (Results carry theirs).
    tol : float
        Tolerance of :func:`fraction_at_global_min`.

    Returns
    -------
    xarray.Dataset
        Dim ``optimizer`` (the dict's keys) with ``n``, ``converged``, ``diverged``,
        ``stuck`` (fractions of the trajectories), ``global_min`` (and ``global_min_se``,
        see :func:`fraction_at_global_min`), ``n_attractors``, ``median_steps`` (converged
        only), ``median_loss`` and ``best_loss`` (non-diverged trajectories).

    Raises
    ------
    TypeError
        If ``runs`` is not a non-empty dict.
    ValueError
        If a Dataset comes without its model.

    Examples
    --------
    >>> import fastdescent as fd
    >>> from fastdescent.analysis import compare_optimizers
    >>> m = fd.models.himmelblau()
    >>> starts = fd.grid(m, 6).points
    >>> runs = {name: fd.run(m, fd.optim.get_optimizer(name, lr=0.01), starts, steps=2000,
    ...                      tol=1e-6) for name in ("gd", "momentum")}
    >>> table = compare_optimizers(runs)
    >>> table["converged"].values, table["n_attractors"].values
    (array([1., 1.]), array([4, 4]))
    """
    import xarray as xr

    if not isinstance(runs, dict) or not runs:
        raise TypeError("runs must be a non-empty dict {name: Result or Dataset}")
    cols = {k: [] for k in ("n", "converged", "diverged", "stuck", "global_min",
                            "global_min_se", "n_attractors", "median_steps", "median_loss",
                            "best_loss")}
    names = []
    for name, r in runs.items():
        src = _source(r, model, need_model=True)
        ran = src.status != S.NOT_RUN
        n = int(ran.sum())
        st = src.status[ran]
        conv = st == S.CONVERGED
        nd = (st != S.DIVERGED)
        gm = fraction_at_global_min(r, src.model, tol)
        att, _ = attractors(r, src.model, tol=tol)
        lossv = src.loss[ran][nd]
        lossv = lossv[np.isfinite(lossv)]
        cols["n"].append(n)
        cols["converged"].append(conv.mean() if n else math.nan)
        cols["diverged"].append((st == S.DIVERGED).mean() if n else math.nan)
        cols["stuck"].append((st == S.MAX_STEPS).mean() if n else math.nan)
        cols["global_min"].append(gm.fraction)
        cols["global_min_se"].append(gm.stderr)
        cols["n_attractors"].append(int(np.sum(att.counts > 0)))
        cols["median_steps"].append(float(np.median(src.steps[ran][conv])) if conv.any()
                                    else math.nan)
        cols["median_loss"].append(float(np.median(lossv)) if lossv.size else math.nan)
        cols["best_loss"].append(float(np.min(lossv)) if lossv.size else math.nan)
        names.append(str(name))
    return xr.Dataset({k: (("optimizer",), np.asarray(v)) for k, v in cols.items()},
                      coords={"optimizer": names})
