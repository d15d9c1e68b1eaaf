"""Maps over a grid: basins of attraction, hyperparameter sweeps, curvature regions.

Grid layout
-----------
A 2-D array of values over axes ``(a0, a1)`` (or ``(x, y)``) has shape ``(len(a1), len(a0))``
by default -- rows follow the second axis, the layout of :meth:`Model.loss_on_grid` and
``contourf`` (``indexing="xy"``). Arrays from :func:`fastdescent.grid` / :func:`fastdescent.sweep`
are ``(len(a0), len(a1))``: pass ``indexing="ij"``. A labelled :class:`xarray.DataArray` (a
sweep variable) needs neither: its first dim is the horizontal axis, its coordinates the axis
values and its dim names the axis labels.

Curvature codes of :func:`convexity_map` (and :func:`convexity_codes`)
------------------------------------------------------------------------
``0`` convex (every Hessian eigenvalue > 0), ``1`` concave (all < 0), ``2`` saddle (eigenvalues
of both signs), ``3`` degenerate (some eigenvalue ~ 0, none of the opposite sign).
"""
from __future__ import annotations

import matplotlib as mpl
import numpy as np
from matplotlib import patheffects
from matplotlib.patches import Patch

from . import style as S
from .i18n import TABLE, check_lang, kind_label, math_name, number, param_label, t
from .surfaces import _axes, _draw_points, _place_legend, _refined_kinds, update_legend

__all__ = ["basin_map", "hyper_map", "convexity_map", "convexity_codes", "CONVEX", "CONCAVE",
           "SADDLE", "DEGENERATE"]

#: Curvature region codes.
CONVEX, CONCAVE, SADDLE, DEGENERATE = 0, 1, 2, 3
_REGION_KEYS = {CONVEX: "convex", CONCAVE: "concave", SADDLE: "saddle_region",
                DEGENERATE: "degenerate_region"}
# common sweep dim names -> TABLE keys
_DIM_KEYS = {"lr": "learning_rate", "learning_rate": "learning_rate", "beta": "momentum",
             "momentum": "momentum", "steps": "steps"}


# ------------------------------------------------------------------------------------- helpers
def _grid_values(values, x, y, indexing: str, what: str):
    """(array shaped (len(y), len(x)) or (len(x),), x, y, dim names or None)."""
    if indexing not in ("xy", "ij"):
        raise ValueError(f"indexing must be 'xy' or 'ij', got {indexing!r}")
    if hasattr(values, "dims") and hasattr(values, "coords"):  # xarray.DataArray
        da = values
        dims = tuple(da.dims)
        if da.ndim == 2:
            d0, d1 = dims
            x = np.asarray(da[d0].values, dtype=float) if x is None else x
            y = np.asarray(da[d1].values, dtype=float) if y is None else y
            arr = np.asarray(da.transpose(d1, d0).values)
        elif da.ndim == 1:
            x = np.asarray(da[dims[0]].values, dtype=float) if x is None else x
            arr = np.asarray(da.values)
        else:
            raise ValueError(f"{what} must be 1-D or 2-D, got dims {dims}")
        indexing = "xy"
    else:
        arr = np.asarray(values)
        dims = None
    if x is None:
        raise ValueError(f"give the axis values of {what}")
    x = np.asarray(x, dtype=float).reshape(-1)
    if arr.ndim == 1:
        if arr.shape != x.shape:
            raise ValueError(f"{what} has shape {arr.shape} but x has {x.size} values")
        return arr, x, None, dims
    if arr.ndim != 2:
        raise ValueError(f"{what} must be 1-D or 2-D, got shape {arr.shape}")
    if y is None:
        raise ValueError(f"2-D {what} needs the values of both axes")
    y = np.asarray(y, dtype=float).reshape(-1)
    if indexing == "ij":
        arr = arr.T
    if arr.shape != (y.size, x.size):
        other = "ij" if indexing == "xy" else "xy"
        hint = (f"; it looks like the {other!r} layout: pass indexing={other!r}"
                if arr.T.shape == (y.size, x.size) else "")
        raise ValueError(f"{what} must have shape (len(y), len(x)) = ({y.size}, {x.size}) "
                         f"with indexing={indexing!r}, got {np.shape(values)}{hint}")
    return arr, x, y, dims


def _edges(c: np.ndarray, log: bool = False) -> np.ndarray:
    """Cell edges around centres ``c`` (geometric midpoints on a log axis)."""
    c = np.asarray(c, dtype=float)
    if log:
        if np.any(c <= 0):
            raise ValueError("a log axis needs positive values (use log_x=False)")
        return np.exp(_edges(np.log(c)))
    if c.size == 1:
        return np.array([c[0] - 0.5, c[0] + 0.5])
    mid = 0.5 * (c[1:] + c[:-1])
    return np.concatenate([[2 * c[0] - mid[0]], mid, [2 * c[-1] - mid[-1]]])


def _axis_label(dims, i, model, lang, default):
    if model is not None:
        return param_label(model, dims[i] if dims is not None else i, lang)
    if dims is not None:
        key = _DIM_KEYS.get(dims[i], dims[i])
        return t(key, lang) if key in TABLE else math_name(dims[i])
    return default


def _label(text_or_key, lang):
    """An axis label given as a TABLE key is translated; other text is used as is."""
    if text_or_key in TABLE:
        return t(text_or_key, lang)
    return text_or_key


# ------------------------------------------------------------------------------------- basins
@S.styled
def basin_map(labels_2d, axes=None, attractors=None, steps=None, ax=None, *, model=None,
              indexing: str = "xy", shade: float = 0.65, log_steps: bool = False,
              colorbar: bool = True, mark: bool = True, legend: bool = True,
              fmt: str = ".3g", lang: str = "en", colors=None):
    """Basins of attraction: each starting point coloured by the attractor it reached.

    Parameters
    ----------
    labels_2d : array (len(a1), len(a0)) of int, or DataArray
        Attractor labels (:func:`~fastdescent.analysis.basins.find_attractors`): ``k >= 0``,
        ``-1`` diverged, ``-2`` not converged (see the module docstring for the layout).
    axes : (a0, a1)
        Starting values of parameters 0 and 1 (taken from a DataArray's coordinates).
    attractors : Attractors, optional
        Names each basin in the legend by the attractor's kind and loss, and marks the
        attractors on the map (``mark``); without it basins are "Attractor k".
    steps : array like ``labels_2d``, optional
        Steps to converge: each basin's colour fades towards white for slow starts (fast =
        saturated), over the range of the converged starts (``log_steps``: of log steps);
        ``shade`` is the lightest blend. A grey colour bar shows the scale.
    model : Model, optional
        For the axis labels (lecture names of the parameters).
    colors : sequence of str, optional
        The colour of each attractor (default: see Notes).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If the labels are not a 2-D grid of integers >= -2, or exceed the attractors given
        (or the colours given).

    Notes
    -----
    The colours are :func:`~fastdescent.plotting.style.basin_colors` of the basins' areas on
    the grid: with more than 12 attractors the 12 largest basins keep distinct palette
    colours and the smaller ones share :data:`~fastdescent.plotting.style.OTHER_ATTRACTORS_COLOR`,
    one legend entry "Other attractors (n)".

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import fastdescent as fd
    >>> from fastdescent import plotting as fp
    >>> from fastdescent.analysis import attractors
    >>> m = fd.models.himmelblau()
    >>> ds = fd.sweep(m, fd.optim.gd(lr=0.01), fd.grid(m, 16), 2000, tol=1e-6, progress=False)
    >>> att, labels = attractors(ds, m)
    >>> fig, ax = fp.figure()
    >>> ax = fp.basin_map(labels, attractors=att, steps=ds["steps"], model=m)
    >>> ax.get_xlabel(), len(ax.get_legend().get_texts())
    ('$\\\\phi_{0}$', 4)
    >>> plt.close("all")
    """
    check_lang(lang)
    a0, a1 = (None, None) if axes is None else axes
    lab, a0, a1, dims = _grid_values(labels_2d, a0, a1, indexing, "labels_2d")
    if lab.ndim != 2:
        raise ValueError("labels_2d must be 2-D")
    if not np.all(np.isfinite(lab)) or not np.all(lab == np.round(lab)):
        raise ValueError("labels_2d must hold integer labels")
    lab = lab.astype(np.int64)
    if np.any(lab < -2):
        raise ValueError("labels must be >= 0, -1 (diverged) or -2 (not converged)")
    K = len(attractors) if attractors is not None else int(max(lab.max(), -1)) + 1
    if lab.max() >= K:
        raise ValueError(f"label {lab.max()} but only {K} attractors")
    present = np.unique(lab)
    # beyond the palette's 12 colours the smaller basins share "other attractors"
    if colors is None:
        colors = S.basin_colors(np.bincount(lab[lab >= 0], minlength=K))
    elif len(colors) < K:
        raise ValueError(f"{len(colors)} colours for {K} attractors")

    def colour(g):
        return colors[g] if g >= 0 else S.attractor_color(g)

    rgb = np.empty(lab.shape + (3,))
    for g in present:
        rgb[lab == g] = mpl.colors.to_rgb(colour(g))
    norm = None
    if steps is not None:
        st, _, _, _ = _grid_values(steps, a0, a1, indexing, "steps")
        st = np.asarray(st, dtype=float)
        conv = lab >= 0
        if conv.any():
            s = st[conv]
            if log_steps:
                s = np.log10(np.maximum(s, 1.0))
            lo, hi = float(np.nanmin(s)), float(np.nanmax(s))
            frac = (s - lo) / (hi - lo) if hi > lo else np.zeros_like(s)
            frac = np.nan_to_num(frac, nan=1.0)
            a = shade * frac[:, None]
            rgb[conv] = rgb[conv] * (1.0 - a) + a
            if hi > lo:
                norm = (mpl.colors.LogNorm(10 ** lo, 10 ** hi) if log_steps
                        else mpl.colors.Normalize(lo, hi))
    ax = _axes(ax)
    ax.pcolormesh(_edges(a0), _edges(a1), rgb, shading="flat", rasterized=True)
    ax.set_xlim(_edges(a0)[[0, -1]])
    ax.set_ylim(_edges(a1)[[0, -1]])
    ax.set_xlabel(_axis_label(dims, 0, model, lang, param_label(None, 0, lang)))
    ax.set_ylabel(_axis_label(dims, 1, model, lang, param_label(None, 1, lang)))
    if norm is not None and colorbar:
        grey = "#555555"
        cmap = mpl.colors.LinearSegmentedColormap.from_list(
            "fd_steps_shade", [grey, S.lighten(grey, shade)])
        cb = ax.figure.colorbar(mpl.cm.ScalarMappable(norm=norm, cmap=cmap), ax=ax)
        cb.set_label(t("steps_to_converge", lang))
    kinds = None
    if attractors is not None:
        kinds = _refined_kinds(attractors.kinds, np.asarray(attractors.losses, float))
        if mark and attractors.n_params >= 2 and len(attractors):
            xy = np.asarray(attractors.locations)[:, :2]
            inside = ((xy[:, 0] >= min(a0[0], a0[-1])) & (xy[:, 0] <= max(a0[0], a0[-1]))
                      & (xy[:, 1] >= min(a1[0], a1[-1])) & (xy[:, 1] <= max(a1[0], a1[-1])))
            idx = np.nonzero(inside)[0]
            if idx.size:
                _draw_points(ax, xy[idx], [kinds[i] for i in idx], None,
                             [colors[i] for i in idx], lang, False, fmt, False)
    if legend:
        handles = []
        others = [g for g in present if g >= 0 and colors[g] == S.OTHER_ATTRACTORS_COLOR]
        named = [g for g in present if g >= 0 and colors[g] != S.OTHER_ATTRACTORS_COLOR]
        for g in named + ([-3] if others else []) + [g for g in (-2, -1) if g in present]:
            if g == -3:
                handles.append(Patch(facecolor=S.OTHER_ATTRACTORS_COLOR, edgecolor="black",
                                     linewidth=0.5,
                                     label=t("other_attractors", lang, k=len(others))))
                continue
            if g == -1:
                name = t("diverged", lang)
            elif g == -2:
                name = t("not_converged", lang)
            elif attractors is not None:
                name = kind_label(kinds[g], lang)
                loss = attractors.losses[g]
                if np.isfinite(loss):
                    name = f"{name}, {t('loss_symbol', lang)} = {number(loss, lang, fmt)}"
            else:
                name = t("attractor_k", lang, k=int(g))
            handles.append(Patch(facecolor=colour(g), edgecolor="black",
                                 linewidth=0.5, label=name))
        _place_legend(ax, handles, title=t("basins_of_attraction", lang), fontsize="small")
    return ax


# ------------------------------------------------------------------------------------- sweeps
def _theory(ax, theory, x, lang, log_x):
    if theory is None:
        return
    xlim, ylim = ax.get_xlim(), ax.get_ylim()
    kw = dict(color="black", ls="--", lw=2.0, label=t("theory", lang), zorder=5,
              path_effects=[patheffects.withStroke(linewidth=3.5, foreground="white")])
    if callable(theory):
        lo, hi = float(np.min(x)), float(np.max(x))
        xs = np.geomspace(lo, hi, 400) if log_x else np.linspace(lo, hi, 400)
        with np.errstate(all="ignore"):
            try:
                ys = np.broadcast_to(np.asarray(theory(xs), dtype=float), xs.shape)
            except Exception:  # noqa: BLE001 - a callable of scalars only
                ys = np.array([float(theory(v)) for v in xs])
        ax.plot(xs, ys, **kw)
    elif (isinstance(theory, (tuple, list)) and len(theory) == 2
          and all(np.ndim(v) == 1 for v in theory)):
        xs, ys = (np.asarray(v, dtype=float) for v in theory)
        if xs.shape != ys.shape:
            raise ValueError("theory=(xs, ys) needs arrays of the same length")
        ax.plot(xs, ys, **kw)
    else:
        vals = np.atleast_1d(np.asarray(theory, dtype=float))
        if vals.ndim != 1:
            raise ValueError("theory must be a callable, (xs, ys) arrays or x values")
        for i, v in enumerate(vals):
            ax.axvline(v, **{**kw, "label": kw["label"] if i == 0 else None})
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)


def _runs(codes):
    """(start, stop) index pairs of runs of equal values."""
    change = np.nonzero(codes[1:] != codes[:-1])[0] + 1
    starts = np.concatenate([[0], change])
    stops = np.concatenate([change, [len(codes)]])
    return zip(starts, stops)


@S.styled
def hyper_map(values, x=None, y=None, ax=None, *, kind: str = "status", theory=None,
              log_x: bool = True, log_y: bool = False, log=None, indexing: str = "xy",
              xlabel=None, ylabel=None, colorbar: bool = True, legend: bool = True, cmap=None,
              color=None, label=None, lang: str = "en"):
    """Outcome over a hyperparameter sweep: 2-D map over (x, y) or 1-D curve over x.

    Parameters
    ----------
    values : array (len(y), len(x)) or (len(x),), or DataArray
        Status codes (``kind="status"``: 1 converged, 0 step limit, 2 diverged), final losses
        (``"loss"``; NaN/inf drawn in the "diverged" colour) or step counts (``"steps"``; NaN in
        the "not converged" colour).
    x, y : array
        Hyperparameter values (default for the labels: learning rate and momentum).
    theory : callable, (xs, ys) or x values, optional
        The analytic boundary: ``y = theory(x)`` drawn as a dashed line (on a 1-D plot, the
        predicted curve), a line through ``(xs, ys)``, or vertical lines at the given x values
        (e.g. ``2 / lambda_max``).
    log_x, log_y : bool
        Logarithmic axes (cells are then geometric around the values).
    log : bool, optional
        Logarithmic colour (2-D) or y (1-D) scale of the values; default True for ``"loss"``.
    xlabel, ylabel : str, optional
        Axis labels (a key of :data:`~fastdescent.plotting.i18n.TABLE` is translated).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If ``kind`` is unknown, the values do not match ``x``/``y``, or a log axis has values
        <= 0.

    Examples
    --------
    The share of converged trajectories over learning rates, with the theory's threshold:

    >>> import numpy as np
    >>> import matplotlib.pyplot as plt
    >>> import fastdescent as fd
    >>> from fastdescent import plotting as fp
    >>> from fastdescent.analysis import hyper_map
    >>> m = fd.models.quadratic((1.0, 4.0))
    >>> ds = fd.sweep(m, fd.optim.gd(), [[1.0, 1.0]], 200, lr=np.geomspace(0.05, 1, 12),
    ...               tol=1e-6, progress=False)
    >>> fig, ax = fp.figure()
    >>> ax = fp.hyper_map(ds["status"].isel(init=0), theory=[0.5], ax=ax)
    >>> ax.get_xscale(), ax.get_xlabel()
    ('log', 'Learning rate, $\\\\alpha$')
    >>> plt.close(fig)
    """
    check_lang(lang)
    if kind not in ("status", "loss", "steps"):
        raise ValueError(f"kind must be 'status', 'loss' or 'steps', got {kind!r}")
    vals, x, y, dims = _grid_values(values, x, y, indexing, "values")
    log = (kind == "loss") if log is None else bool(log)
    ax = _axes(ax)
    xl = _label(xlabel, lang) if xlabel is not None else _axis_label(
        dims, 0, None, lang, t("learning_rate", lang))
    ax.set_xlabel(xl)
    if log_x:
        ax.set_xscale("log")
    present_codes = []
    if vals.ndim == 2:
        ex, ey = _edges(x, log_x), _edges(y, log_y)
        if log_y:
            ax.set_yscale("log")
        yl = _label(ylabel, lang) if ylabel is not None else _axis_label(
            dims, 1, None, lang, t("momentum", lang))
        ax.set_ylabel(yl)
        if kind == "status":
            codes = np.asarray(vals).astype(np.int64)
            order = [-1, 0, 1, 2]
            lut = mpl.colors.ListedColormap([S.STATUS_COLORS[c] for c in order])
            norm = mpl.colors.BoundaryNorm([-1.5, -0.5, 0.5, 1.5, 2.5], lut.N)
            ax.pcolormesh(ex, ey, codes, cmap=lut, norm=norm, shading="flat", rasterized=True)
            present_codes = [c for c in (1, 0, 2, -1) if np.any(codes == c)]
        else:
            v = np.asarray(vals, dtype=float)
            bad = S.DIVERGED_COLOR if kind == "loss" else S.NOT_CONVERGED_COLOR
            cm = mpl.colormaps[cmap or (S.LOSS_CMAP if kind == "loss" else S.STEPS_CMAP)]
            cm = cm.with_extremes(bad=bad)
            vm = np.ma.masked_invalid(v)
            norm = None
            if log:
                pos = v[np.isfinite(v) & (v > 0)]
                if pos.size:
                    vm = np.ma.masked_where(~np.isfinite(v) | (v <= 0), v)
                    norm = mpl.colors.LogNorm(pos.min(), max(pos.max(), pos.min() * 1.0001))
            mesh = ax.pcolormesh(ex, ey, vm, cmap=cm, norm=norm, shading="flat",
                                 rasterized=True)
            if colorbar:
                cb = ax.figure.colorbar(mesh, ax=ax)
                cb.set_label(t("loss" if kind == "loss" else "steps", lang))
            if np.any(~np.isfinite(v)):
                present_codes = [2 if kind == "loss" else 0]
        ax.set_xlim(ex[[0, -1]])
        ax.set_ylim(ey[[0, -1]])
    else:
        ex = _edges(x, log_x)
        if kind == "status":
            codes = np.asarray(vals).astype(np.int64)
            for a, b in _runs(codes):
                ax.axvspan(ex[a], ex[b], color=S.STATUS_COLORS.get(int(codes[a]), "white"),
                           alpha=0.8, lw=0)
            present_codes = [c for c in (1, 0, 2, -1) if np.any(codes == c)]
            ax.set_yticks([])
            if ylabel is not None:
                ax.set_ylabel(_label(ylabel, lang))
        else:
            v = np.asarray(vals, dtype=float)
            c = color if color is not None else S.PALETTE[0]
            ax.plot(x, v, "-o", color=c, ms=4, label=label)
            badm = ~np.isfinite(v)
            if badm.any():
                bc = S.DIVERGED_COLOR if kind == "loss" else S.NOT_CONVERGED_COLOR
                ax.scatter(x[badm], np.full(badm.sum(), 0.03), marker="x", color=bc, s=30,
                           transform=ax.get_xaxis_transform(), zorder=4,
                           label=t("diverged" if kind == "loss" else "not_converged", lang))
            if log and np.any(np.isfinite(v) & (v > 0)):
                ax.set_yscale("log")
            ax.set_ylabel(_label(ylabel, lang) if ylabel is not None
                          else t("loss" if kind == "loss" else "steps", lang))
        ax.set_xlim(ex[[0, -1]])
    _theory(ax, theory, x, lang, log_x)
    if legend:
        names = {1: "converged", 0: "not_converged", 2: "diverged", -1: "not_run"}
        patches = [Patch(facecolor=S.STATUS_COLORS[c], edgecolor="black", linewidth=0.5,
                         label=t(names[c], lang)) for c in present_codes]
        update_legend(ax, patches)
    return ax


# ------------------------------------------------------------------------------------- curvature
def convexity_codes(model, axes, *, fixed=None, rtol: float = 1e-6, atol: float = 0.0):
    """Curvature code (module docstring) of ``model``'s loss at every grid point.

    The Hessian is restricted to parameters 0 and 1 (the plane of the map; ``fixed`` gives the
    others). An eigenvalue counts as zero when ``|lambda| <= max(atol, rtol * max|lambda|)``.
    Returns an int8 array ``(len(a1), len(a0))``.

    Parameters
    ----------
    model : Model
        A model with at least two parameters.
    axes : (a0, a1)
        Grid values of parameters 0 and 1.
    fixed : array_like, optional
        Values of the other parameters.
    rtol, atol : float
        An eigenvalue counts as zero when :math:`|\\lambda| \\le \\max(atol, rtol\\max|\\lambda|)`.

    Returns
    -------
    ndarray of int8, shape (len(a1), len(a0))

    Raises
    ------
    ValueError
        If the model has fewer than 2 parameters.

    Examples
    --------
    >>> import numpy as np
    >>> import fastdescent as fd
    >>> from fastdescent import plotting as fp
    >>> fp.convexity_codes(fd.models.saddle(), (np.linspace(-1, 1, 3), np.linspace(-1, 1, 2)))
    array([[2, 2, 2],
           [2, 2, 2]], dtype=int8)
    """
    if model.n_params < 2:
        raise ValueError("convexity_codes needs a model with >= 2 parameters")
    a0, a1 = (np.asarray(a, dtype=float) for a in axes)
    g0, g1 = np.meshgrid(a0, a1)
    pts = np.zeros((g0.size, model.n_params))
    if fixed is not None:
        pts[:] = model.check_params(fixed, "fixed")
    pts[:, 0], pts[:, 1] = g0.ravel(), g1.ravel()
    H = model.hessian_many(pts)[:, :2, :2]
    ev = np.linalg.eigvalsh(H)
    tol = np.maximum(atol, rtol * np.abs(ev).max(axis=1))[:, None]
    pos = (ev > tol).sum(axis=1)
    neg = (ev < -tol).sum(axis=1)
    codes = np.full(len(pts), DEGENERATE, dtype=np.int8)
    codes[pos == 2] = CONVEX
    codes[neg == 2] = CONCAVE
    codes[(pos > 0) & (neg > 0)] = SADDLE
    return codes.reshape(g0.shape)


@S.styled
def convexity_map(region_codes_2d, axes=None, ax=None, *, model=None, indexing: str = "xy",
                  legend: bool = True, alpha: float = 1.0, lang: str = "en"):
    """Curvature regions of a loss over a grid.

    Codes: ``0`` convex, ``1`` concave, ``2`` saddle, ``3`` degenerate (see
    :func:`convexity_codes`, which computes them from the model's Hessian).

    Parameters
    ----------
    region_codes_2d : array (len(a1), len(a0)) of int, or DataArray
        Codes 0-3 (:func:`convexity_codes`).
    axes : (a0, a1), optional
        Grid values (taken from a DataArray's coordinates).
    ax : Axes, optional
        Default a new one.
    model : Model, optional
        For the axis labels.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If the codes are not a 2-D grid of 0, 1, 2 and 3.

    Examples
    --------
    >>> import numpy as np
    >>> import matplotlib.pyplot as plt
    >>> import fastdescent as fd
    >>> from fastdescent import plotting as fp
    >>> m = fd.models.rosenbrock()
    >>> axes = (np.linspace(-2, 2, 41), np.linspace(-1, 3, 41))
    >>> fig, ax = fp.figure()
    >>> ax = fp.convexity_map(fp.convexity_codes(m, axes), axes, ax, model=m)
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['Convex', 'Saddle']
    >>> plt.close(fig)
    """
    check_lang(lang)
    a0, a1 = (None, None) if axes is None else axes
    codes, a0, a1, dims = _grid_values(region_codes_2d, a0, a1, indexing, "region_codes_2d")
    if codes.ndim != 2:
        raise ValueError("region_codes_2d must be 2-D")
    codes = np.asarray(codes)
    if not np.all(np.isin(codes, (0, 1, 2, 3))):
        raise ValueError("region codes must be 0 (convex), 1 (concave), 2 (saddle) or "
                         "3 (degenerate)")
    codes = codes.astype(np.int64)
    lut = mpl.colors.ListedColormap([S.REGION_COLORS[c] for c in range(4)])
    norm = mpl.colors.BoundaryNorm([-0.5, 0.5, 1.5, 2.5, 3.5], 4)
    ax = _axes(ax)
    e0, e1 = _edges(a0), _edges(a1)
    ax.pcolormesh(e0, e1, codes, cmap=lut, norm=norm, shading="flat", alpha=alpha,
                  rasterized=True)
    ax.set_xlim(e0[[0, -1]])
    ax.set_ylim(e1[[0, -1]])
    ax.set_xlabel(_axis_label(dims, 0, model, lang, param_label(None, 0, lang)))
    ax.set_ylabel(_axis_label(dims, 1, model, lang, param_label(None, 1, lang)))
    if legend:
        handles = [Patch(facecolor=S.REGION_COLORS[c], edgecolor="black", linewidth=0.5,
                         label=t(_REGION_KEYS[c], lang)) for c in range(4) if np.any(codes == c)]
        _place_legend(ax, handles, title=t("curvature", lang), fontsize="small")
    return ax
