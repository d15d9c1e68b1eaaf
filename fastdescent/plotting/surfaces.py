"""Loss surfaces, optimization paths and critical points in parameter space.

All functions take ``ax=None`` (a new house-style figure is made) and return the Axes.
Surfaces use the layout of :meth:`Model.loss_on_grid`: axes ``(a0, a1)`` of parameters 0 and 1
(``fixed`` gives the others), values shaped ``(len(a1), len(a0))``.
"""
from __future__ import annotations

from typing import Sequence

import matplotlib as mpl
import numpy as np
from matplotlib import patheffects
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D

from . import style as S
from .i18n import check_lang, kind_label, number, optimizer_label, param_label, t

__all__ = ["loss_surface", "loss_surface_3d", "trajectory", "trajectories", "mark_attractors",
           "mark_points"]

_HALO = [patheffects.withStroke(linewidth=2.5, foreground="white")]


# ------------------------------------------------------------------------------------- helpers
def _axes(ax, projection=None):
    if ax is None:
        return S.new_axes(projection)
    if projection == "3d" and getattr(ax, "name", "") != "3d":
        raise ValueError("this plot needs a 3-D Axes: create it with "
                         "fastdescent.plotting.figure(projection='3d') or pass ax=None")
    return ax


def _legend_extra(ax) -> list:
    if not hasattr(ax, "_fd_legend_extra"):
        ax._fd_legend_extra = []
    return ax._fd_legend_extra


def update_legend(ax, extra: Sequence = (), **kwargs):
    """Redraw ``ax``'s legend: its labelled artists plus proxy handles ``extra`` (kept for
    later calls, so several plotting functions can share one legend).

    Parameters
    ----------
    ax : Axes
    extra : sequence of Artist
        Proxy handles with labels, added to the legend and remembered.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.legend`.

    Returns
    -------
    matplotlib.legend.Legend or None
        None when nothing has a label.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from matplotlib.lines import Line2D
    >>> from fastdescent import plotting as fp
    >>> fig, ax = fp.figure()
    >>> _ = ax.plot([0, 1], [0, 1], label="path")
    >>> _ = fp.update_legend(ax, [Line2D([], [], color="k", ls="--", label="theory")])
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['path', 'theory']
    >>> plt.close(fig)
    """
    store = _legend_extra(ax)
    labels_seen = {h.get_label() for h in store}
    for h in extra:
        if h.get_label() not in labels_seen:
            store.append(h)
            labels_seen.add(h.get_label())
    handles, _ = ax.get_legend_handles_labels()
    handles = handles + [h for h in store if h.get_label() not in
                         {x.get_label() for x in handles}]
    if handles:
        _place_legend(ax, handles, **kwargs)
    return ax.get_legend()


def _place_legend(ax, handles, **kwargs):
    """Legend inside the axes, or outside on the right when it has more than 6 entries."""
    if len(handles) > 6 and "loc" not in kwargs and "bbox_to_anchor" not in kwargs:
        kwargs.update(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
        if getattr(ax, "name", "") != "3d":
            kwargs.setdefault("fontsize", "small")
    kwargs.setdefault("loc", "best")
    return ax.legend(handles=handles, **kwargs)


def _grid_axes(model, axes, n):
    if model.n_params < 2:
        raise ValueError(f"model {model.name!r} has one parameter: use line_1d() for 1-D losses")
    if axes is None:
        n = int(n)
        if n < 2:
            raise ValueError(f"n must be >= 2, got {n}")
        (lo0, hi0), (lo1, hi1) = model.box[0], model.box[1]
        return np.linspace(lo0, hi0, n), np.linspace(lo1, hi1, n)
    try:
        a0, a1 = (np.asarray(a, dtype=np.float64) for a in axes)
    except (TypeError, ValueError):
        raise ValueError("axes must be a pair (a0, a1) of 1-D arrays of parameter values") \
            from None
    for name, a in (("a0", a0), ("a1", a1)):
        if a.ndim != 1 or a.size < 2 or not np.all(np.isfinite(a)):
            raise ValueError(f"axes[{name}] must be a finite 1-D array of >= 2 values")
    return a0, a1


def _label_params(ax, model, lang, params=(0, 1)):
    ax.set_xlabel(param_label(model, params[0], lang))
    ax.set_ylabel(param_label(model, params[1], lang))


def _log_levels(Z, levels):
    finite = Z[np.isfinite(Z)]
    pos = finite[finite > 0]
    if pos.size == 0:
        raise ValueError("log=True needs positive loss values")
    zmin, zmax = pos.min(), pos.max()
    if zmax <= zmin:
        zmax = zmin * 10
    Zc = np.where(np.isfinite(Z) & (Z > 0), Z, np.where(np.isfinite(Z), zmin, np.nan))
    if np.ndim(levels) == 0:
        lv = np.geomspace(zmin, zmax, int(levels) + 1)
    else:
        lv = np.asarray(levels, dtype=float)
    return Zc, lv, mpl.colors.LogNorm(vmin=lv[0], vmax=lv[-1])


def _log_ticks(cb, vmin, vmax):
    """Readable ticks (1, 2, 5 x 10^k) on a logarithmic colour bar."""
    ticks = mpl.ticker.LogLocator(subs=(1.0, 2.0, 5.0)).tick_values(vmin, vmax)
    ticks = ticks[(ticks >= vmin * (1 - 1e-9)) & (ticks <= vmax * (1 + 1e-9))]
    if ticks.size < 2:
        ticks = np.array([vmin, vmax])
    cb.set_ticks(ticks)
    cb.set_ticklabels([f"{v:.3g}" for v in ticks])
    cb.ax.minorticks_off()


# ------------------------------------------------------------------------------------- surfaces
@S.styled
def loss_surface(model, ax=None, *, axes=None, n: int = 200, levels=20, filled: bool = True,
                 lines: bool = True, log: bool = False, colorbar: bool = True, cmap=None,
                 fixed=None, lang: str = "en"):
    """Contour plot of the loss over parameters 0 and 1 (as the book's figures 6.1, 6.4).

    Parameters
    ----------
    model : Model
        A model with at least two parameters (``fixed`` sets the others).
    axes : (a0, a1), optional
        Grid values of parameters 0 and 1; default ``n`` points across ``model.box``.
    levels : int or array
        Number of contour levels or their values.
    filled : bool
        Filled contours (with thin contour ``lines`` on top) or coloured contour lines only.
    log : bool
        Logarithmic colour scale (levels geometrically spaced; zero loss is clipped to the
        smallest positive value).
    colorbar : bool
        Add a colour bar labelled with the loss.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import fastdescent as fd
    >>> from fastdescent import plotting as fp
    >>> fig, ax = fp.figure()
    >>> ax = fp.loss_surface(fd.models.gabor(), ax, n=40, lang="es")
    >>> ax.get_xlabel(), ax.get_ylabel(), tuple(map(float, ax.get_xlim()))
    ('Desplazamiento, $\\\\phi_{0}$', 'Frecuencia, $\\\\phi_{1}$', (-10.0, 10.0))
    >>> plt.close(fig)
    """
    check_lang(lang)
    a0, a1 = _grid_axes(model, axes, n)
    Z = model.loss_on_grid((a0, a1), fixed=fixed)
    ax = _axes(ax)
    cmap = cmap or S.LOSS_CMAP
    norm = None
    lv = levels
    if log:
        Z, lv, norm = _log_levels(Z, levels)
    if filled:
        cs = ax.contourf(a0, a1, Z, levels=lv, cmap=cmap, norm=norm)
        if lines:
            ax.contour(a0, a1, Z, levels=cs.levels, colors="black", linewidths=0.4, alpha=0.35,
                       norm=norm)
    else:
        cs = ax.contour(a0, a1, Z, levels=lv, cmap=cmap, norm=norm, linewidths=1.2)
    if colorbar:
        cb = ax.figure.colorbar(cs, ax=ax)
        cb.set_label(t("loss", lang))
        if log:
            _log_ticks(cb, lv[0], lv[-1])
    _label_params(ax, model, lang)
    ax.set_xlim(a0[0], a0[-1])
    ax.set_ylim(a1[0], a1[-1])
    return ax


@S.styled
def loss_surface_3d(model, ax=None, *, axes=None, n: int = 80, log: bool = False, cmap=None,
                    alpha: float = 1.0, colorbar: bool = False, fixed=None, elev=None,
                    azim=None, lang: str = "en"):
    """3-D surface of the loss over parameters 0 and 1 (``ax`` must be a 3-D Axes).

    ``log=True`` plots :math:`\\log_{10} L` (zero loss clipped to the smallest positive value).

    Parameters
    ----------
    model : Model
        The loss to draw, over parameters 0 and 1 (others at ``fixed``).
    ax : Axes, optional
        A 3-D Axes (``figure(projection="3d")``); default a new one.
    axes : (a0, a1), optional
        Grid values of the two parameters (default ``n`` points over the model's box).
    n : int
        Grid points per axis.
    log : bool
        Draw :math:`\\log_{10} L`.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import fastdescent as fd
    >>> from fastdescent import plotting as fp
    >>> fig, ax = fp.figure(projection="3d")
    >>> ax = fp.loss_surface_3d(fd.models.rosenbrock(), ax, n=20, log=True)
    >>> ax.name, len(ax.collections)
    ('3d', 1)
    >>> plt.close(fig)
    """
    check_lang(lang)
    a0, a1 = _grid_axes(model, axes, n)
    Z = model.loss_on_grid((a0, a1), fixed=fixed)
    ax = _axes(ax, "3d")
    zlabel = t("loss", lang)
    if log:
        Z, _, _ = _log_levels(Z, 2)
        Z = np.log10(Z)
        zlabel = f"$\\log_{{10}}$ {zlabel}"
    G0, G1 = np.meshgrid(a0, a1)
    surf = ax.plot_surface(G0, G1, Z, cmap=cmap or S.LOSS_CMAP, linewidth=0, antialiased=True,
                           alpha=alpha, rcount=min(len(a1), 120), ccount=min(len(a0), 120))
    if colorbar:
        cb = ax.figure.colorbar(surf, ax=ax, shrink=0.7, pad=0.1)
        cb.set_label(zlabel)
    _label_params(ax, model, lang)
    ax.set_zlabel(zlabel)
    if elev is not None or azim is not None:
        ax.view_init(elev=elev, azim=azim)
    return ax


# ------------------------------------------------------------------------------------- paths
def _trim(xy: np.ndarray, steps: np.ndarray, z=None):
    """Drop non-finite rows and the repeats of the final point after a trajectory stopped."""
    ok = np.all(np.isfinite(xy), axis=1)
    if z is not None:
        ok &= np.isfinite(z)
    xy, steps = xy[ok], steps[ok]
    z = None if z is None else z[ok]
    if len(xy) > 1:
        moved = np.any(xy[1:] != xy[:-1], axis=1)
        last = int(np.nonzero(moved)[0][-1]) + 2 if moved.any() else 1
        xy, steps = xy[:last], steps[:last]
        z = None if z is None else z[:last]
    return xy, steps, z


def _path2d(path, params) -> np.ndarray:
    p = np.asarray(path, dtype=np.float64)
    if p.ndim != 2:
        raise ValueError(f"path must have shape (K, P), got {p.shape}")
    if p.shape[1] < 2:
        raise ValueError("a path of a 1-D model: use line_1d(model, path=...) instead")
    return p[:, list(params)]


def _arrows(ax, xy, color, max_arrows, zorder):
    if len(xy) < 2:
        return None
    d = np.diff(xy, axis=0)
    idx = np.arange(len(d))
    if len(d) > max_arrows:
        idx = idx[:: int(np.ceil(len(d) / max_arrows))]
    return ax.quiver(xy[idx, 0], xy[idx, 1], d[idx, 0], d[idx, 1], angles="xy",
                     scale_units="xy", scale=1, color=color, width=0.004, headwidth=4.5,
                     headlength=6, headaxislength=5, minlength=0.5, zorder=zorder)


@S.styled
def trajectory(path, ax=None, *, numbered: bool = False, arrows: bool = True, color=None,
               label=None, steps=None, params=(0, 1), z=None, every: int = 1,
               max_arrows: int = 60, markersize: float = 4.0, linewidth=None,
               start: bool = True, min_sep: float = 0.05):
    """One optimization path ``(K, P)`` in the plane of parameters ``params``.

    Parameters
    ----------
    path : array_like (K, P)
        Recorded iterates (``result.path[i]``); non-finite rows and the repeats of the final
        point after the trajectory stopped are dropped.
    numbered : bool
        Write the step number next to every ``every``-th iterate (book figure 6.1); a number
        closer than ``min_sep`` (fraction of the axes, at the current limits) to the previous
        written one is skipped so that converging iterates stay readable.
    arrows : bool
        Arrow heads along the path (at most ``max_arrows``, evenly spaced).
    steps : array_like (K,), optional
        Step numbers of the iterates (``result.record_steps``; default ``0..K-1``).
    z : array_like (K,), optional
        Heights for a 3-D Axes (e.g. ``result.loss_path[i]``; required there).
    start : bool
        Mark the starting point with an open circle.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If ``path`` is not a (K, P) array of points with P >= 2, or ``steps`` or ``z`` do
        not have one value per point.

    Examples
    --------
    A gradient-descent path on the Gabor loss, its points numbered:

    >>> import matplotlib.pyplot as plt
    >>> import fastdescent as fd
    >>> from fastdescent import plotting as fp
    >>> m = fd.models.gabor()
    >>> res = fd.run(m, fd.optim.gd(lr=0.01), [[0.6, 15.0]], 20, record_every=5)
    >>> fig, ax = fp.figure()
    >>> ax = fp.trajectory(res.path[0], ax, numbered=True)
    >>> [t.get_text() for t in ax.texts]
    ['0', '1', '2', '3', '4']
    >>> plt.close(fig)
    """
    xy = _path2d(path, params)
    K = len(xy)
    st = np.arange(K) if steps is None else np.asarray(steps)
    if st.shape != (K,):
        raise ValueError(f"steps must have shape ({K},), got {st.shape}")
    is3d = ax is not None and getattr(ax, "name", "") == "3d"
    if is3d:
        if z is None:
            raise ValueError("a 3-D Axes needs z= (the loss along the path)")
        z = np.asarray(z, dtype=float)
        if z.shape != (K,):
            raise ValueError(f"z must have shape ({K},), got {z.shape}")
    else:
        z = None
    xy, st, z = _trim(xy, st, z)
    ax = _axes(ax)
    color = color if color is not None else S.PALETTE[0]
    lw = S.RC["lines.linewidth"] * 0.75 if linewidth is None else linewidth
    if is3d:
        ax.plot(xy[:, 0], xy[:, 1], z, "-o", color=color, lw=lw, ms=markersize, label=label,
                zorder=10)
    else:
        ax.plot(xy[:, 0], xy[:, 1], "-o", color=color, lw=lw, ms=markersize, label=label,
                zorder=3)
        if arrows:
            _arrows(ax, xy, color, max_arrows, 3)
    if start and len(xy):
        coords = (xy[0, 0], xy[0, 1]) if z is None else (xy[0, 0], xy[0, 1], z[0])
        ax.plot(*[[c] for c in coords], marker="o", ms=markersize * 2.2, mfc="white", mec=color,
                mew=1.5, ls="none", zorder=11 if is3d else 4)
    if numbered and not is3d:
        every = max(1, int(every))
        x0, x1 = ax.get_xlim()
        y0, y1 = ax.get_ylim()
        scale = np.array([abs(x1 - x0) or 1.0, abs(y1 - y0) or 1.0])
        last = None
        for i in range(0, len(xy), every):
            here = xy[i] / scale
            if last is not None and np.hypot(*(here - last)) < min_sep:
                continue  # too close to the previous number to be read
            last = here
            ax.annotate(str(int(st[i])), (xy[i, 0], xy[i, 1]), xytext=(5, 5),
                        textcoords="offset points", fontsize=9, color=color,
                        path_effects=_HALO, zorder=6)
    if label is not None:
        update_legend(ax)
    return ax


def _default_color(result):
    opt = getattr(result, "optimizer", None)
    if opt is not None:
        try:
            return S.optimizer_color(opt)
        except KeyError:
            pass
    return S.PALETTE[0]


@S.styled
def trajectories(result, ax=None, *, by: str | None = "status", labels=None, color=None,
                 label=None, params=(0, 1), max_paths: int = 2000, alpha: float = 0.7,
                 linewidth: float = 1.0, starts: bool = True, ends: bool = True,
                 arrows: bool = False, legend: bool = True, lang: str = "en"):
    """Many paths at once (one LineCollection), coloured by status or by attractor.

    Parameters
    ----------
    result : Result or array (N, K, P)
        A :class:`~fastdescent.Result` run with ``record_every`` (its ``path``), or paths.
    by : "status", "label" or None
        ``"status"``: converged paths in ``color`` (default: the optimizer's colour), the
        others in the fixed "not converged" / "diverged" colours (needs a Result);
        ``"label"``: by attractor (``labels`` from
        :func:`~fastdescent.analysis.find_attractors`, colours as in :func:`basin_map`);
        None: all in ``color``.
    label : str, optional
        Legend text (default: the optimizer's name); with ``by="status"`` each status group
        gets its own entry with its count.
    max_paths : int
        At most this many paths are drawn (evenly spaced subset).
    starts, ends : bool
        Mark starting points (open circles) and end points (dots).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If the Result has no recorded paths, ``by`` is unknown or ``labels`` do not have one
        entry per trajectory.

    Examples
    --------
    Paths coloured by status, with the legend counting each: at :math:`\\alpha = 0.55 > 2/4`
    only the start on the flat axis converges.

    >>> import matplotlib.pyplot as plt
    >>> import fastdescent as fd
    >>> from fastdescent import plotting as fp
    >>> m = fd.models.quadratic((1.0, 4.0))
    >>> res = fd.run(m, fd.optim.gd(lr=0.55), [[1.0, 0.0], [1.0, 1.0]], 200, tol=1e-6,
    ...              record_every=1)
    >>> fig, ax = fp.figure()
    >>> ax = fp.trajectories(res, ax)
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['Gradient descent: Converged (1)', 'Gradient descent: Diverged (1)']
    >>> plt.close(fig)
    """
    check_lang(lang)
    paths = getattr(result, "path", result)
    if paths is None:
        raise ValueError("the Result has no paths: run with record_every=k")
    paths = np.asarray(paths, dtype=np.float64)
    if paths.ndim != 3 or paths.shape[2] < 2:
        raise ValueError(f"paths must have shape (N, K, P) with P >= 2, got {paths.shape}")
    N = paths.shape[0]
    status = getattr(result, "status", None)
    base = color if color is not None else _default_color(result)
    opt = getattr(result, "optimizer", None)
    if label is None and opt is not None:
        label = optimizer_label(opt, lang)
    if labels is not None:
        by = "label"
    if by == "label":
        if labels is None:
            raise ValueError("by='label' needs labels= (from find_attractors)")
        groups = np.asarray(labels).astype(np.int64).reshape(-1)
        if groups.shape != (N,):
            raise ValueError(f"labels must have shape ({N},), got {groups.shape}")
        colours = {g: S.attractor_color(g) for g in np.unique(groups)}
        names = {g: (t("diverged", lang) if g == -1 else t("not_converged", lang) if g == -2
                     else t("attractor_k", lang, k=int(g))) for g in colours}
    elif by == "status":
        if status is None:
            raise ValueError("by='status' needs a Result (or use by=None)")
        groups = np.asarray(status).astype(np.int64)
        colours = {1: base, 0: S.NOT_CONVERGED_COLOR, 2: S.DIVERGED_COLOR,
                   -1: S.NOT_CONVERGED_COLOR}
        names = {1: t("converged", lang), 0: t("not_converged", lang),
                 2: t("diverged", lang), -1: t("not_run", lang)}
    elif by is None:
        groups = np.zeros(N, dtype=np.int64)
        colours, names = {0: base}, {0: label}
    else:
        raise ValueError(f"by must be 'status', 'label' or None, got {by!r}")
    sel = np.arange(N)
    if N > max_paths:
        sel = np.unique(np.linspace(0, N - 1, int(max_paths)).round().astype(np.int64))
    ax = _axes(ax)
    segs, cols, firsts, lasts = [], [], [], []
    for i in sel:
        xy, _, _ = _trim(paths[i][:, list(params)], np.arange(paths.shape[1]))
        if len(xy) == 0:
            continue
        c = colours.get(int(groups[i]), base)
        segs.append(xy)
        cols.append(c)
        firsts.append(xy[0])
        lasts.append(xy[-1])
    if segs:
        lc = LineCollection(segs, colors=cols, linewidths=linewidth, alpha=alpha, zorder=2)
        ax.add_collection(lc, autolim=True)
        if starts:
            ax.scatter(*np.array(firsts).T, s=14, facecolors="white", edgecolors=cols,
                       linewidths=0.8, zorder=3)
        if ends:
            ax.scatter(*np.array(lasts).T, s=10, c=cols, zorder=3)
        if arrows:
            for xy, c in zip(segs, cols):
                _arrows(ax, xy, c, 8, 2)
        ax.autoscale_view()
    if legend:
        proxies = []
        order = ([1, 0, 2, -1] if by == "status" else
                 sorted(colours, key=lambda g: (g < 0, g if g >= 0 else -g)))
        for g in order:
            n = int(np.sum(groups == g))
            if n == 0 or names.get(g) is None:
                continue
            text = names[g] if by is None else f"{names[g]} ({n})"
            if label and by is not None:
                text = f"{label}: {text}"
            proxies.append(Line2D([], [], color=colours[g], lw=2, label=text))
        if proxies:
            update_legend(ax, proxies)
    return ax


# ------------------------------------------------------------------------------------- points
def _refined_kinds(kinds, losses):
    """'minimum' -> 'global_minimum' (lowest loss) / 'local_minimum' when losses are known."""
    kinds = list(kinds)
    mins = [i for i, k in enumerate(kinds) if k == "minimum"]
    if mins and losses is not None and np.all(np.isfinite(losses[mins])):
        best = min(losses[i] for i in mins)
        tol = 1e-9 * max(1.0, abs(best))
        for i in mins:
            kinds[i] = "global_minimum" if losses[i] <= best + tol else "local_minimum"
    return kinds


def _draw_points(ax, xy, kinds, losses, faces, lang, legend, fmt, per_point: bool,
                 edge="black", zorder=6):
    kinds = _refined_kinds(kinds, losses)
    seen = set()
    for i, (x, y) in enumerate(xy):
        kind = kinds[i]
        marker = S.kind_marker(kind)
        lab = None
        if legend:
            name = kind_label(kind, lang)
            if per_point and losses is not None and np.isfinite(losses[i]):
                lab = f"{name}, {t('loss_symbol', lang)} = {number(losses[i], lang, fmt)}"
            elif kind not in seen:
                lab = name
            seen.add(kind)
        ax.plot([x], [y], ls="none", marker=marker, ms=S.MARKER_SIZES.get(marker, 9),
                mfc=faces[i], mec=edge, mew=1.0, label=lab, zorder=zorder)
    if legend:
        update_legend(ax)
    return ax


def _points_xy(locs, losses, params, what):
    locs = np.asarray(locs, dtype=np.float64)
    if locs.ndim == 1:
        locs = locs[:, None] if losses is not None and len(losses) == len(locs) else locs[None]
    if locs.ndim != 2:
        raise ValueError(f"{what} must have shape (M, P), got {locs.shape}")
    if locs.shape[1] == 1:
        if losses is None:
            raise ValueError(f"1-D {what} need their losses (plotted as heights)")
        return np.column_stack([locs[:, 0], losses])
    return locs[:, list(params)]


@S.styled
def mark_attractors(attractors, ax=None, *, lang: str = "en", params=(0, 1),
                    legend: bool = True, fmt: str = ".3g", colors: str | None = "attractor"):
    """Mark the attractors of :func:`~fastdescent.analysis.basins.find_attractors`.

    Marker by kind (global minimum ★ = the minimum of lowest loss, local minimum ●, saddle ✕,
    maximum ▲, degenerate ◆, unknown ■), filled with the attractor's colour (the same as its
    basin in :func:`basin_map`; ``colors=None`` gives white). One legend entry per attractor
    with its loss. 1-D attractors are drawn at ``(phi, loss)`` (over :func:`line_1d`).

    Parameters
    ----------
    attractors : Attractors
        From :func:`~fastdescent.analysis.attractors` or
        :func:`~fastdescent.analysis.basins.find_attractors`.
    ax : Axes, optional
        Default a new one.
    params : (int, int)
        The two parameters of the plane.
    legend : bool
        Name each attractor (kind and loss) in the legend.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import fastdescent as fd
    >>> from fastdescent import plotting as fp
    >>> from fastdescent.analysis import attractors
    >>> m = fd.models.himmelblau()
    >>> att, _ = attractors(fd.run(m, fd.optim.gd(lr=0.01), fd.grid(m, 4).points, 2000, tol=1e-6))
    >>> fig, ax = fp.figure()
    >>> ax = fp.mark_attractors(att, ax)
    >>> len(ax.get_legend().get_texts())
    4
    >>> plt.close(fig)
    """
    check_lang(lang)
    losses = np.asarray(attractors.losses, dtype=float)
    xy = _points_xy(attractors.locations, losses, params, "attractor locations")
    ax = _axes(ax)
    faces = ([S.attractor_color(k) for k in range(len(xy))] if colors == "attractor"
             else ["white" if colors is None else colors] * len(xy))
    return _draw_points(ax, xy, attractors.kinds, losses, faces, lang, legend, fmt, True)


@S.styled
def mark_points(points, kinds=None, ax=None, *, losses=None, model=None, lang: str = "en",
                params=(0, 1), color="white", legend: bool = True, fmt: str = ".3g"):
    """Mark critical points (e.g. ``model.minima``) with the marker of their kind.

    Parameters
    ----------
    points : array (M, P) or sequence of KnownPoint
        Locations (KnownPoints bring their kinds and losses).
    kinds : sequence of str, optional
        ``"minimum"``, ``"saddle"``, ``"maximum"``, ... (default all ``"minimum"``).
    losses : array (M,), optional
        Losses (or computed with ``model``). With losses the lowest minimum is the global one
        (★) and the others local (●), one legend entry per point showing its loss; without,
        one legend entry per kind.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If ``points`` is not (M, P), or ``losses`` or ``kinds`` do not have one entry per
        point.

    Examples
    --------
    Himmelblau's catalogued critical points, each kind with its own marker:

    >>> import matplotlib.pyplot as plt
    >>> import fastdescent as fd
    >>> from fastdescent import plotting as fp
    >>> m = fd.models.himmelblau()
    >>> fig, ax = fp.figure()
    >>> ax = fp.mark_points(m.minima, model=m, ax=ax)
    >>> sorted({t.get_text().split(",")[0] for t in ax.get_legend().get_texts()})
    ['Global minimum', 'Maximum', 'Saddle point']
    >>> plt.close(fig)
    """
    check_lang(lang)
    pts = list(points) if not isinstance(points, np.ndarray) else points
    if len(pts) and hasattr(pts[0], "params") and hasattr(pts[0], "kind"):
        if kinds is None:
            kinds = [p.kind for p in pts]
        if losses is None:
            losses = [p.loss for p in pts]
        pts = [p.params for p in pts]
    locs = np.asarray(pts, dtype=np.float64)
    if locs.size == 0:
        return _axes(ax)
    if locs.ndim == 1:
        locs = locs[:, None] if (model is not None and model.n_params == 1) else locs[None]
    if losses is None and model is not None:
        losses = model.loss_many(locs)
    losses = None if losses is None else np.asarray(losses, dtype=float).reshape(-1)
    if losses is not None and losses.shape != (len(locs),):
        raise ValueError(f"losses must have one value per point ({len(locs)})")
    kinds = ["minimum"] * len(locs) if kinds is None else [str(k) for k in kinds]
    if len(kinds) != len(locs):
        raise ValueError(f"kinds must have one entry per point ({len(locs)})")
    for k in kinds:
        S.kind_marker(k)  # validate
    xy = _points_xy(locs, losses, params, "points")
    ax = _axes(ax)
    return _draw_points(ax, xy, kinds, losses, [color] * len(xy), lang, legend, fmt,
                        losses is not None)
