r"""Attractors and basins of engine output (a :class:`~fastdescent.Result` or a sweep Dataset).

:func:`attractors` clusters the final points of the converged trajectories
(:func:`~fastdescent.analysis.basins.find_attractors`), measures lengths in units of the
model's box widths :math:`w_k = hi_k - lo_k`, evaluates the loss at each attractor and
classifies it with the model's Hessian (minimum / maximum / saddle / degenerate). Labels
follow :mod:`~fastdescent.analysis.basins`: attractor index :math:`\ge 0`, ``-1`` diverged,
``-2`` not converged.

:func:`basin_summary` adds, for a 2-D grid of starting points, basin fractions with
standard errors, basin entropy :math:`S_b`, boundary basin entropy :math:`S_{bb}`, the
uncertainty exponent :math:`\alpha` and the box-counting dimension of the basin boundaries.

Sub-windows
-----------
Recomputing a sub-window of the box at higher resolution and passing ``reference=`` the
parent's :class:`~fastdescent.analysis.basins.Attractors` keeps the labels consistent: an
attractor within the clustering tolerance of a parent attractor takes the parent's index
(and location, loss, kind), new ones are numbered after the parent's. Because the tolerance
is relative to the *model's* box (not the window's), it is the same in parent and child.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from ..engine import status as S
from ..engine.trajectories import Result
from ..models.base import Model
from .basins import (Attractors, BasinFractions, BoundaryDimension, UncertaintyExponent,
                     basin_entropy, basin_fractions, boundary_dimension, find_attractors,
                     uncertainty_exponent)

__all__ = ["attractors", "basin_summary", "BasinSummary", "box_widths"]


# ====================================================================================== sources
@dataclass(eq=False)
class _Source:
    """Engine output flattened to (N, P) / (N,) arrays, plus how to reshape labels back."""

    params: np.ndarray  # (N, P)
    status: np.ndarray  # (N,) int8
    loss: np.ndarray  # (N,)
    steps: np.ndarray  # (N,)
    model: Model | None
    shape: tuple  # shape of the non-param dims (Result: (N,))
    dims: tuple | None  # Dataset dims (None for a Result)
    coords: dict | None
    dataset: object = None
    result: Result | None = None

    @property
    def n(self) -> int:
        return int(self.status.shape[0])

    def wrap(self, values: np.ndarray, name: str, attrs: dict | None = None):
        """Per-trajectory values as a DataArray shaped like the Dataset (or a plain array)."""
        v = np.asarray(values).reshape(self.shape)
        if self.dims is None:
            return v
        import xarray as xr

        return xr.DataArray(v, dims=self.dims, coords=self.coords, name=name,
                            attrs=attrs or {})


def _dataset_model_name(ds) -> str | None:
    try:
        return json.loads(ds.attrs["model"])["name"]
    except (KeyError, TypeError, ValueError):
        return None


def _source(obj, model=None, *, need_model: bool = False) -> _Source:
    """Validate ``obj`` (Result or sweep Dataset) and flatten it."""
    if model is not None and not isinstance(model, Model):
        raise TypeError(f"model must be a fastdescent Model, got {type(model).__name__}")
    if isinstance(obj, Result):
        m = model if model is not None else obj.model
        if need_model and m is None:
            raise ValueError("the Result carries no model: pass model=")
        if m is not None and obj.params.shape[1] != m.n_params:
            raise ValueError(f"the Result has {obj.params.shape[1]} parameters but model "
                             f"{m.name!r} has {m.n_params}")
        return _Source(np.asarray(obj.params, float), np.asarray(obj.status),
                       np.asarray(obj.loss, float), np.asarray(obj.steps), m,
                       (obj.n,), None, None, None, obj)
    try:
        import xarray as xr
    except ImportError:  # pragma: no cover
        xr = None
    if xr is None or not isinstance(obj, xr.Dataset):
        raise TypeError(f"expected a fastdescent Result or the xarray.Dataset of "
                        f"fastdescent.sweep, got {type(obj).__name__}")
    for v in ("params", "status", "loss", "steps"):
        if v not in obj:
            raise ValueError(f"the Dataset has no {v!r} variable: pass the Dataset returned by "
                             f"fastdescent.sweep (or fastdescent.load)")
    if need_model and model is None:
        raise ValueError("a sweep Dataset does not carry its model object: pass model= "
                         "(the model the sweep ran on)")
    st = obj["status"]
    dims = tuple(st.dims)
    P = obj.sizes["param"]
    if model is not None:
        name = _dataset_model_name(obj)
        if name is not None and name != model.name:
            raise ValueError(f"the sweep ran on model {name!r}, but model={model.name!r} was "
                             f"given")
        if P != model.n_params or ("param" in obj.coords and
                                   tuple(str(p) for p in obj["param"].values)
                                   != tuple(model.param_names)):
            raise ValueError(f"the sweep's parameters do not match model {model.name!r} "
                             f"({', '.join(model.param_names)})")
    params = obj["params"].transpose(*dims, "param").values.reshape(-1, P)
    coords = {k: obj.coords[k] for k in obj.coords if set(obj.coords[k].dims) <= set(dims)}
    return _Source(np.asarray(params, float), st.values.reshape(-1),
                   obj["loss"].transpose(*dims).values.reshape(-1).astype(float),
                   obj["steps"].transpose(*dims).values.reshape(-1), model, st.shape, dims,
                   coords, obj, None)


def box_widths(model: Model) -> np.ndarray:
    """Widths :math:`w_k = hi_k - lo_k` of the model's box, the length scale of the analysis.

    Raises
    ------
    ValueError
        If the box is degenerate (a width not finite or not positive).

    Parameters
    ----------
    model : Model

    Returns
    -------
    ndarray, shape (P,)

    Examples
    --------
    >>> import fastdescent as fd
    >>> from fastdescent.analysis import box_widths
    >>> box_widths(fd.models.gabor())
    array([20., 20.])
    """
    b = np.asarray(model.box, dtype=float)
    w = b[:, 1] - b[:, 0]
    if not np.all(np.isfinite(w) & (w > 0)):
        raise ValueError(f"model {model.name!r} has a degenerate box {model.box}")
    return w


def _engine_status(st: np.ndarray) -> np.ndarray:
    """Engine codes -> the codes of basins.find_attractors (NOT_RUN counts as not converged)."""
    st = np.asarray(st).astype(np.int64)
    bad = ~np.isin(st, (S.MAX_STEPS, S.CONVERGED, S.DIVERGED, S.NOT_RUN))
    if np.any(bad):
        raise ValueError(f"unknown status code {int(st[bad][0])} in the engine output")
    st = st.copy()
    st[st == S.NOT_RUN] = S.MAX_STEPS
    return st


# ====================================================================================== attractors
_LABEL_ATTRS = {"long_name": "attractor index (-1 diverged, -2 not converged)"}


def attractors(result_or_dataset, model: Model | None = None, *, tol: float = 1e-3,
               reference: Attractors | None = None, eig_rtol: float = 1e-6):
    r"""Attractors of a run or sweep and the label of every trajectory.

    The final points :math:`\phi^{(n)}` of the converged trajectories are clustered by
    single linkage at resolution :math:`\delta_k = \mathrm{tol}\cdot w_k`, with :math:`w_k` the
    model's box widths (see :func:`~fastdescent.analysis.basins.find_attractors`): two
    endpoints with :math:`\max_k |\phi_k - \phi'_k|/\delta_k \le 1` share an attractor, points
    of different attractors are more than :math:`\delta` apart. Each attractor gets
    :math:`L` at its representative point and a kind from the eigenvalues :math:`h_i` of the
    model's Hessian there: ``minimum`` (all :math:`h_i > \eta`), ``maximum`` (all
    :math:`< -\eta`), ``saddle`` (both signs), ``degenerate`` (some :math:`|h_i| \le \eta`),
    :math:`\eta = \mathrm{eig\_rtol}\max|h_i|`. Attractors are sorted by loss.

    A trajectory converges when :math:`\|\nabla L\| < \mathrm{tol_{run}}`, so besides minima it
    can end on a saddle (started on its stable manifold) or a maximum (started on it).

    Parameters
    ----------
    result_or_dataset : Result or xarray.Dataset
        Output of :func:`fastdescent.run` or :func:`fastdescent.sweep`. Trajectories that were
        not run (an interrupted run) count as not converged.
    model : Model, optional
        Default ``Result.model``; required for a Dataset (which records only the model's
        name, checked against ``model.name``).
    tol : float
        Relative clustering tolerance (fraction of the box width).
    reference : Attractors, optional
        A parent's attractors: matching attractors keep the parent's indices (sub-windows).
    eig_rtol : float
        Relative eigenvalue threshold of the classification.

    Returns
    -------
    attractors : Attractors
        ``locations`` (K, P), ``losses``, ``kinds``, ``counts``.
    labels : ndarray (N,) for a Result, xarray.DataArray for a Dataset
        Shaped like the Dataset's dims other than ``param`` (same coordinates).

    Raises
    ------
    ValueError
        If the model is missing (a Dataset) or does not match the Dataset's.

    Examples
    --------
    Gradient descent on Himmelblau's function from a 6 x 6 grid: the four minima are found,
    each with its basin count.

    >>> import fastdescent as fd
    >>> from fastdescent.analysis import attractors
    >>> m = fd.models.himmelblau()
    >>> res = fd.run(m, fd.optim.gd(lr=0.01), fd.grid(m, 6).points, steps=2000, tol=1e-6)
    >>> att, labels = attractors(res)
    >>> att.kinds, att.counts, att.locations.round(3)[0]
    (('minimum', 'minimum', 'minimum', 'minimum'), array([9, 9, 9, 9]), array([-3.779, -3.283]))
    """
    src = _source(result_or_dataset, model, need_model=True)
    m = src.model
    att, lab = find_attractors(src.params, _engine_status(src.status), scale=box_widths(m),
                               tol=tol, hessian=m.hessian, loss=m.loss, reference=reference,
                               eig_rtol=eig_rtol)
    return att, src.wrap(lab, "label", dict(_LABEL_ATTRS))


# ====================================================================================== summary
@dataclass(frozen=True, eq=False)
class BasinSummary:
    r"""Result of :func:`basin_summary`.

    Attributes
    ----------
    attractors : Attractors
    labels : ndarray or xarray.DataArray, 2-D
        Label grid over the two starting-point dims.
    fractions : BasinFractions
        :math:`f_k = n_k/n_c` over the converged starts (sum to 1), binomial standard errors
        :math:`\sqrt{f_k(1-f_k)/n_c}`, and the diverged / not-converged shares.
    entropy, boundary_entropy : float
        :math:`S_b` and :math:`S_{bb}` (Daza et al. 2016) with boxes of ``box`` cells.
    uncertainty : UncertaintyExponent or None
        :math:`f(\varepsilon) \propto \varepsilon^\alpha` (None for grids under 16 cells a side).
    dimension : BoundaryDimension or None
        Box-counting dimension of the basin boundaries (None for grids under 16 a side).
    box : int

    Examples
    --------
    >>> import fastdescent as fd
    >>> from fastdescent.analysis import basin_summary
    >>> m = fd.models.himmelblau()
    >>> ds = fd.sweep(m, fd.optim.gd(lr=0.01), fd.grid(m, 16), 2000, tol=1e-6, progress=False)
    >>> s = basin_summary(ds, m)
    >>> len(s.attractors), int(s.fractions.counts.sum()), s.labels.shape
    (4, 256, (16, 16))
    >>> round(s.dimension.dimension, 2), round(s.alpha, 2)
    (1.09, 0.86)
    """

    attractors: Attractors
    labels: object
    fractions: BasinFractions
    entropy: float
    boundary_entropy: float
    uncertainty: UncertaintyExponent | None
    dimension: BoundaryDimension | None
    box: int

    @property
    def alpha(self) -> float:
        """Uncertainty exponent :math:`\\alpha` (NaN when not computed)."""
        return self.uncertainty.alpha if self.uncertainty is not None else float("nan")

    def __repr__(self) -> str:
        f = np.array2string(self.fractions.fractions, precision=3)
        return (f"<BasinSummary K={len(self.attractors)} fractions={f} "
                f"S_b={self.entropy:.3g} S_bb={self.boundary_entropy:.3g} "
                f"alpha={self.alpha:.3g}>")


def basin_summary(result_or_dataset, model: Model | None = None, *, tol: float = 1e-3,
                  reference: Attractors | None = None, box: int = 5, shape=None,
                  eig_rtol: float = 1e-6) -> BasinSummary:
    r"""Basin statistics of a 2-D grid of starting points.

    Labels come from :func:`attractors`. Then, with :math:`n_k` starts in basin :math:`k` and
    :math:`n_c` converged starts, :math:`f_k = n_k/n_c` and
    :math:`\sigma_k = \sqrt{f_k(1-f_k)/n_c}`; on the label grid, the basin entropy
    :math:`S_b = \frac1N\sum_i S_i` and boundary basin entropy
    :math:`S_{bb} = \frac1{N_b}\sum_i S_i` over ``box`` x ``box`` boxes with
    :math:`S_i = -\sum_j p_{ij}\log p_{ij}`; the uncertainty exponent :math:`\alpha`
    (:math:`f(\varepsilon)\propto\varepsilon^\alpha`) and the box-counting dimension
    :math:`D` of the boundaries (a smooth boundary: :math:`\alpha = D = 1`). Diverged (-1) and
    not-converged (-2) starts count as labels of their own in the grid measures.

    Parameters
    ----------
    result_or_dataset : Result or xarray.Dataset
        A Dataset whose dims (other than ``param``; dims of size 1 are dropped) are exactly
        two starting-point dims, e.g. ``ds.isel(lr=0)`` of a sweep over ``fd.grid(model, n)``;
        or a Result of a run on a grid with ``shape=(n0, n1)`` (C order).
    model, tol, reference, eig_rtol :
        As in :func:`attractors`.
    box : int
        Box side (cells) of the entropies.
    shape : (int, int), optional
        Grid shape, for a Result only.

    Returns
    -------
    BasinSummary

    Raises
    ------
    ValueError
        If the labels do not form a 2-D grid (a Result without ``shape``, a Dataset with other
        dims).

    Examples
    --------
    A Result of a run on a grid needs its shape:

    >>> import fastdescent as fd
    >>> from fastdescent.analysis import basin_summary
    >>> m = fd.models.himmelblau()
    >>> res = fd.run(m, fd.optim.gd(lr=0.01), fd.grid(m, 6).points, steps=2000, tol=1e-6)
    >>> s = basin_summary(res, shape=(6, 6), box=3)
    >>> s.fractions.counts, s.labels.shape, s.uncertainty is None
    (array([9, 9, 9, 9]), (6, 6), True)
    >>> basin_summary(res)
    Traceback (most recent call last):
        ...
    ValueError: a Result has no grid: pass shape=(n0, n1) of the grid of starts ...
    """
    att, lab = attractors(result_or_dataset, model, tol=tol, reference=reference,
                          eig_rtol=eig_rtol)
    if isinstance(result_or_dataset, Result):
        if shape is None:
            raise ValueError("a Result has no grid: pass shape=(n0, n1) of the grid of starts "
                             "(or use the Dataset of fastdescent.sweep)")
        shp = tuple(int(s) for s in shape)
        if len(shp) != 2 or shp[0] * shp[1] != lab.size:
            raise ValueError(f"shape must be two ints with product {lab.size} (the number of "
                             f"trajectories), got {shape!r}")
        grid = lab.reshape(shp)
        labels = grid
    else:
        if shape is not None:
            raise ValueError("shape= is only for a Result; a Dataset has its own dims")
        labels = lab.squeeze(drop=True)
        if labels.ndim != 2:
            others = [d for d in lab.dims if lab.sizes[d] > 1]
            raise ValueError(f"basin_summary needs a 2-D grid of starting points; the Dataset "
                             f"varies along {others}: select one value of the other dims, "
                             f"e.g. ds.isel({others[0]}=0)")
        grid = labels.values
    fr = basin_fractions(grid, len(att))
    s_b, s_bb = basin_entropy(grid, box)
    unc = dim = None
    if min(grid.shape) >= 16:
        unc = uncertainty_exponent(grid)
        dim = boundary_dimension(grid)
    return BasinSummary(att, labels, fr, s_b, s_bb, unc, dim, int(box))
