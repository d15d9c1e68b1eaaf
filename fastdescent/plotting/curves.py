"""Curves: loss-versus-step bands, step histograms, model fits and 1-D losses."""
from __future__ import annotations

import matplotlib as mpl
import numpy as np
from matplotlib.collections import PolyCollection
from matplotlib.lines import Line2D

from . import predict as P
from . import style as S
from .i18n import check_lang, optimizer_label, param_label, t
from .surfaces import _axes, mark_points, trajectory, update_legend

__all__ = ["loss_quantiles", "convergence_bands", "steps_histogram", "model_fit", "line_1d"]

DEFAULT_QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)
_CLASS_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "<", ">")


def _result_color(result, color):
    from .surfaces import _default_color

    return color if color is not None else _default_color(result)


def _result_label(result, label, lang):
    if label is not None:
        return label
    opt = getattr(result, "optimizer", None)
    return optimizer_label(opt, lang) if opt is not None else None


# ------------------------------------------------------------------------------------- bands
def loss_quantiles(loss_path, q=DEFAULT_QUANTILES) -> dict:
    """Quantiles over trajectories of the loss at each recorded step.

    ``loss_path``: a Result (run with ``record_every``) or an array (N, K). NaN entries are
    ignored. Returns ``{q: (K,) array}``.

    Raises
    ------
    ValueError
        If no loss paths were recorded, the array is not 2-D, or a quantile is outside [0, 1].

    Parameters
    ----------
    loss_path : Result or array_like, shape (N, K)
        Losses of N trajectories at K records.
    q : sequence of float
        Quantiles in [0, 1].

    Returns
    -------
    dict
        ``{q: (K,) array}``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastdescent import plotting as fp
    >>> fp.loss_quantiles(np.array([[4.0, 2.0], [2.0, 1.0], [0.0, 0.0]]), q=(0.5, 1.0))
    {0.5: array([2., 1.]), 1.0: array([4., 2.])}
    """
    lp = getattr(loss_path, "loss_path", loss_path)
    if lp is None:
        raise ValueError("the Result has no loss_path: run with record_every=k")
    lp = np.asarray(lp, dtype=float)
    if lp.ndim != 2:
        raise ValueError(f"loss_path must have shape (N, K), got {lp.shape}")
    qs = np.asarray(q, dtype=float).reshape(-1)
    if np.any((qs < 0) | (qs > 1)):
        raise ValueError("quantiles must lie in [0, 1]")
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns
            vals = np.nanquantile(lp, qs, axis=0)
    return {float(k): v for k, v in zip(qs, vals)}


@S.styled
def convergence_bands(steps, quantiles=None, ax=None, *, label=None, color=None,
                      log_y: bool = True, alpha: float = 0.2, lang: str = "en"):
    """Median loss against step with shaded quantile bands.

    Parameters
    ----------
    steps : array (K,) or Result
        Step numbers (``result.record_steps``); a Result (run with ``record_every``) gives
        steps, quantiles (``DEFAULT_QUANTILES``), colour and label at once.
    quantiles : dict {q: (K,)} or array (Q, K)
        Quantile curves. A dict draws its 0.5 entry (else its middle one) as the median line
        and shades the pairs (lowest, highest), (second lowest, second highest), ...; an
        array's rows are such curves in increasing order (the middle row of an odd Q is the
        median).
    label : str, optional
        Legend text of the median line (default: the optimizer's name, else "Median"); the
        outermost band is labelled with its quantiles when ``label`` is not given.
    log_y : bool
        Logarithmic loss axis (when the median is positive).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If no loss paths were recorded, a quantile is outside [0, 1] or the quantile curves do
        not have one value per step.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import fastdescent as fd
    >>> from fastdescent import plotting as fp
    >>> m = fd.models.quadratic((1.0, 4.0))
    >>> res = fd.run(m, fd.optim.momentum(lr=0.1), fd.random_starts(m, 40, seed=2), 60,
    ...              record_every=5)
    >>> fig, ax = fp.figure()
    >>> ax = fp.convergence_bands(res, ax=ax, label="momentum")
    >>> ax.get_yscale(), len(ax.lines), len(ax.collections)
    ('log', 1, 2)
    >>> plt.close(fig)
    """
    check_lang(lang)
    if hasattr(steps, "loss_path"):
        result = steps
        if quantiles is None:
            quantiles = loss_quantiles(result)
        steps = result.record_steps
        color = _result_color(result, color)
        label = _result_label(result, label, lang)
    if quantiles is None:
        raise ValueError("give quantiles (a dict {q: curve} or an array (Q, K))")
    x = np.asarray(steps, dtype=float).reshape(-1)
    if isinstance(quantiles, dict):
        qs = sorted(float(k) for k in quantiles)
        curves = [np.asarray(quantiles[k], dtype=float) for k in sorted(quantiles)]
        med = qs.index(0.5) if 0.5 in qs else (len(qs) // 2 if len(qs) % 2 else None)
    else:
        arr = np.asarray(quantiles, dtype=float)
        if arr.ndim == 1:
            arr = arr[None]
        if arr.ndim != 2:
            raise ValueError(f"quantiles must be a dict or an array (Q, K), got {arr.shape}")
        curves = list(arr)
        qs = None
        med = len(curves) // 2 if len(curves) % 2 else None
    for c in curves:
        if c.shape != x.shape:
            raise ValueError(f"each quantile curve must have {x.size} values (one per step)")
    ax = _axes(ax)
    color = color if color is not None else S.PALETTE[0]
    others = [i for i in range(len(curves)) if i != med]
    for j in range(len(others) // 2):
        lo, hi = others[j], others[-1 - j]
        band_label = None
        if j == 0 and label is None and qs is not None:
            band_label = t("quantile_band", lang, lo=qs[lo], hi=qs[hi])
        ax.fill_between(x, curves[lo], curves[hi], color=color, alpha=alpha, lw=0,
                        label=band_label)
    if med is not None:
        ax.plot(x, curves[med], color=color, label=label if label is not None
                else t("median", lang))
    if log_y:
        ref = curves[med] if med is not None else curves[0]
        finite = ref[np.isfinite(ref)]
        if finite.size and np.all(finite > 0):
            ax.set_yscale("log")
    ax.set_xlabel(t("step", lang))
    ax.set_ylabel(t("loss", lang))
    update_legend(ax)
    return ax


@S.styled
def steps_histogram(steps, ax=None, *, status=None, bins=30, log: bool = False,
                    density: bool = False, color=None, label=None, lang: str = "en"):
    """Histogram of the steps to converge (converged trajectories only when ``status`` is
    known; the legend says how many converged).

    ``steps`` may be a Result (its steps, status, optimizer colour and name). ``log=True``
    uses logarithmic bins and x axis. Call again on the same ``ax`` to compare optimizers.

    Parameters
    ----------
    steps : Result or array_like
        Steps per trajectory (a Result gives its status, colour and name too).
    ax : Axes, optional
        Default a new one.
    status : array_like, optional
        Status codes: only converged trajectories are counted.
    bins : int or sequence
        Histogram bins.
    log : bool
        Logarithmic bins and x axis.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If ``status`` does not have one entry per trajectory.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import fastdescent as fd
    >>> from fastdescent import plotting as fp
    >>> m = fd.models.quadratic((1.0, 4.0))
    >>> res = fd.run(m, fd.optim.gd(lr=0.2), fd.random_starts(m, 100, seed=3), 500, tol=1e-6)
    >>> fig, ax = fp.figure()
    >>> ax = fp.steps_histogram(res.steps, ax, status=res.status, bins=10)
    >>> ax.get_xlabel(), [t.get_text() for t in ax.get_legend().get_texts()]
    ('Steps to converge', ['100/100 converged'])
    >>> plt.close(fig)
    """
    check_lang(lang)
    if hasattr(steps, "steps") and hasattr(steps, "status"):
        result = steps
        steps, status = result.steps, result.status
        color = _result_color(result, color)
        label = _result_label(result, label, lang)
    s = np.asarray(steps, dtype=float).reshape(-1)
    total = s.size
    if status is not None:
        st = np.asarray(status).reshape(-1)
        if st.shape != s.shape:
            raise ValueError("status must have one entry per trajectory")
        s = s[st == 1]
        note = t("n_converged", lang, n=s.size, total=total)
        label = note if label is None else f"{label} ({note})"
    color = color if color is not None else S.PALETTE[0]
    s = s[np.isfinite(s)]
    ax = _axes(ax)
    if np.ndim(bins) == 0 and not isinstance(bins, str):
        lo, hi = (s.min(), s.max()) if s.size else (1.0, 10.0)
        if log:
            lo = max(lo, 1.0)
            bins = np.geomspace(lo, max(hi, lo * 1.01), int(bins) + 1)
        else:
            bins = np.linspace(lo, max(hi, lo + 1), int(bins) + 1)
    ax.hist(s, bins=bins, density=density, histtype="stepfilled", color=color, alpha=0.35,
            edgecolor=color, linewidth=1.5, label=label)
    if log:
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(mpl.ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_formatter(mpl.ticker.NullFormatter())
    ax.set_xlabel(t("steps_to_converge", lang))
    ax.set_ylabel(t("fraction" if density else "n_trajectories", lang))
    if label is not None:
        update_legend(ax)
    return ax


# ------------------------------------------------------------------------------------- fits
def _pad(lo, hi, frac):
    w = hi - lo if hi > lo else 1.0
    return lo - frac * w, hi + frac * w


def _class_colors(K):
    return [S.PALETTE[k % len(S.PALETTE)] for k in range(K)]


@S.styled
def model_fit(model, params, ax=None, *, data: bool = True, n: int = 400, x_range=None,
              color=None, label=None, colorbar: bool = False, lang: str = "en"):
    """The model's prediction with its data.

    * Regression with one input and one output (gabor, linear_regression_1d,
      univariate_regression, polynomial_regression, two_layer_net on 1-D data): data points
      and the curve :math:`f(x;\\phi)` over ``n`` points (``params`` (M, P) draws M curves).
    * Other regressions (several inputs or outputs): predicted against observed outputs, with
      the identity line.
    * Classification with two inputs: predicted probability of class 1 (binary) or predicted
      class regions (multiclass), the decision boundary, and the data by class.

    Predictions come from :mod:`fastdescent.plotting.predict`.

    Parameters
    ----------
    model : Model
        A data model of the lecture's families (:func:`~fastdescent.plotting.predict.family`).
    params : array_like
        The parameters to draw.
    ax : Axes, optional
        Default a new one.
    data : bool
        Draw the data points.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If ``params`` is not one parameter vector, or a classification model does not have 2
        inputs.

    Examples
    --------
    The lecture's linear regression at its least-squares minimum:

    >>> import matplotlib.pyplot as plt
    >>> import fastdescent as fd
    >>> from fastdescent import plotting as fp
    >>> m = fd.models.linear_regression_1d()
    >>> fig, ax = fp.figure()
    >>> ax = fp.model_fit(m, m.minima[0].params, ax)
    >>> len(ax.lines), len(ax.collections)
    (1, 1)
    >>> plt.close(fig)
    """
    check_lang(lang)
    kind = P.task(model)
    X, Y = model.X, model.Y
    dx, dy = X.shape[1], Y.shape[1]
    ax = _axes(ax)
    if kind == "regression" and dx == 1 and dy == 1:
        lo, hi = x_range if x_range is not None else _pad(X[:, 0].min(), X[:, 0].max(), 0.05)
        xg = np.linspace(lo, hi, int(n))
        f = np.atleast_2d(P.predict(model, params, xg))
        M = f.shape[0]
        base = color if color is not None else S.PALETTE[0]
        for m in range(M):
            c = base if (M == 1 or color is not None) else S.PALETTE[m % len(S.PALETTE)]
            lab = (label if label is not None else t("model", lang)) if m == 0 else None
            ax.plot(xg, f[m], color=c, alpha=1.0 if M <= 5 or color is None else 0.5,
                    label=lab, zorder=2)
        if data:
            ax.scatter(X[:, 0], Y[:, 0], s=28, color="black", zorder=3, label=t("data", lang))
        ax.set_xlim(lo, hi)
        ax.set_xlabel(t("input", lang))
        ax.set_ylabel(t("output", lang))
    elif kind == "regression":
        pred = P.predict(model, params)
        if pred.ndim == 1:
            pred = pred[:, None]
        if pred.ndim != 2:
            raise ValueError("give one parameter vector (P,) for a model with several "
                             "inputs or outputs")
        for d in range(dy):
            ax.scatter(Y[:, d], pred[:, d], s=24, color=S.PALETTE[d % len(S.PALETTE)],
                       marker=_CLASS_MARKERS[d % len(_CLASS_MARKERS)],
                       label=t("output_k", lang, k=d) if dy > 1 else label, zorder=3)
        lo, hi = _pad(min(Y.min(), pred.min()), max(Y.max(), pred.max()), 0.05)
        ax.plot([lo, hi], [lo, hi], ls="--", color="black", lw=1.2, zorder=2)
        ax.set_xlim(lo, hi)
        ax.set_ylim(lo, hi)
        ax.set_xlabel(t("observed", lang))
        ax.set_ylabel(t("predicted", lang))
    else:
        if dx != 2:
            raise ValueError(f"model_fit draws classification models with 2 inputs; "
                             f"{model.name!r} has {dx}")
        if np.ndim(params) != 1:
            raise ValueError("give one parameter vector (P,) for a classification model")
        (x0, x1), (y0, y1) = (_pad(X[:, 0].min(), X[:, 0].max(), 0.1),
                              _pad(X[:, 1].min(), X[:, 1].max(), 0.1))
        if x_range is not None:
            x0, x1 = x_range
        m = max(int(n) // 2, 20)
        g0, g1 = np.meshgrid(np.linspace(x0, x1, m), np.linspace(y0, y1, m))
        grid = np.column_stack([g0.ravel(), g1.ravel()])
        classes = Y[:, 0].astype(np.int64)
        K = int(model.consts[1]) if kind == "multiclass" else 2
        cc = _class_colors(K)
        if kind == "binary":
            p = P.predict(model, params, grid).reshape(g0.shape)
            cmap = mpl.colors.LinearSegmentedColormap.from_list(
                "fd_binary", [S.lighten(cc[0], 0.3), (1, 1, 1), S.lighten(cc[1], 0.3)])
            cs = ax.contourf(g0, g1, p, levels=np.linspace(0, 1, 11), cmap=cmap, alpha=0.75)
            ax.contour(g0, g1, p, levels=[0.5], colors="black", linewidths=1.5)
            if colorbar:
                ax.figure.colorbar(cs, ax=ax).set_label(t("probability", lang))
        else:
            cls = P.predict_class(model, params, grid).reshape(g0.shape)
            lut = mpl.colors.ListedColormap([S.lighten(c, 0.6) for c in cc])
            ax.contourf(g0, g1, cls, levels=np.arange(K + 1) - 0.5, cmap=lut)
            ax.contour(g0, g1, cls, levels=np.arange(K - 1) + 0.5, colors="black",
                       linewidths=1.2)
        boundary = Line2D([], [], color="black", lw=1.5, label=t("decision_boundary", lang))
        if data:
            for k in range(K):
                sel = classes == k
                if sel.any():
                    ax.scatter(X[sel, 0], X[sel, 1], s=26, color=cc[k], edgecolors="black",
                               linewidths=0.5, marker=_CLASS_MARKERS[k % len(_CLASS_MARKERS)],
                               label=t("class_k", lang, k=k), zorder=3)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_xlabel(t("input_k", lang, k=1))
        ax.set_ylabel(t("input_k", lang, k=2))
        update_legend(ax, [boundary])
        return ax
    update_legend(ax)
    return ax


# ------------------------------------------------------------------------------------- 1-D
@S.styled
def line_1d(model, ax=None, *, n: int = 1000, box=None, minima: bool = True,
            curvature: bool = True, path=None, steps=None, numbered: bool = False,
            arrows: bool = True, color="black", path_color=None, label=None,
            lang: str = "en"):
    """A 1-D loss :math:`L(\\phi)` with its minima, curvature and an optional path.

    Parameters
    ----------
    model : Model
        A one-parameter model (``convex_1d``, ``multimodal_1d``, ``line_search_demo``, ...).
    box : (lo, hi), optional
        Range of :math:`\\phi` (default ``model.box[0]``).
    minima : bool
        Mark ``model.minima`` (global ★, local ●, with their losses in the legend).
    curvature : bool
        Shade where :math:`L''>0` (convex) and :math:`L''<0` (concave), from the model's
        Hessian.
    path : array (K,) or (K, 1), optional
        Iterates :math:`\\phi_k` (``result.path[i]``), drawn on the curve at
        :math:`(\\phi_k, L(\\phi_k))` with arrows and, if ``numbered``, step numbers.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If the model does not have exactly one parameter.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import fastdescent as fd
    >>> from fastdescent import plotting as fp
    >>> fig, ax = fp.figure()
    >>> ax = fp.line_1d(fd.models.multimodal_1d(), ax, n=200)
    >>> tuple(map(float, ax.get_xlim()))
    (0.0, 1.0)
    >>> [t.get_text() for t in ax.get_legend().get_texts()][2:]
    ['Global minimum, $L$ = 0.4', 'Local minimum, $L$ = 0.647', 'Local minimum, $L$ = 0.697']
    >>> plt.close(fig)
    """
    check_lang(lang)
    if model.n_params != 1:
        raise ValueError(f"line_1d needs a 1-parameter model; {model.name!r} has "
                         f"{model.n_params} (use loss_surface)")
    lo, hi = model.box[0] if box is None else box
    x = np.linspace(float(lo), float(hi), int(n))
    L = model.loss_many(x[:, None])
    ax = _axes(ax)
    if curvature:
        H = model.hessian_many(x[:, None])[:, 0, 0]
        tol = 1e-9 * max(np.abs(H).max(), 1e-300)
        trans = ax.get_xaxis_transform()
        mid = 0.5 * (x[1:] + x[:-1])
        edges = np.concatenate([[x[0]], mid, [x[-1]]])  # sample i covers [edges[i], edges[i+1]]
        for mask, code, key in ((H > tol, 0, "convex_1d"), (H < -tol, 1, "concave_1d")):
            if not mask.any():
                continue
            change = np.flatnonzero(np.diff(mask.astype(np.int8))) + 1
            bounds = np.concatenate([[0], change, [len(mask)]])
            rects = [[(edges[a], 0), (edges[b], 0), (edges[b], 1), (edges[a], 1)]
                     for a, b in zip(bounds[:-1], bounds[1:]) if mask[a]]
            pc = PolyCollection(rects, transform=trans, facecolors=S.REGION_COLORS[code],
                                alpha=0.18, linewidths=0, label=t(key, lang), zorder=0)
            ax.add_collection(pc, autolim=False)
    ax.plot(x, L, color=color, label=label, zorder=2)
    if minima and model.minima:
        mark_points(model.minima, ax=ax, lang=lang, legend=True)
    if path is not None:
        ph = np.asarray(path, dtype=float)
        if ph.ndim == 2 and ph.shape[1] == 1:
            ph = ph[:, 0]
        if ph.ndim != 1:
            raise ValueError(f"path must have shape (K,) or (K, 1), got {np.shape(path)}")
        ok = np.isfinite(ph)
        lp = np.full(ph.shape, np.nan)
        lp[ok] = model.loss_many(ph[ok][:, None])
        trajectory(np.column_stack([ph, lp]), ax=ax, numbered=numbered, arrows=arrows,
                   steps=steps, color=path_color if path_color is not None else S.PALETTE[0])
    ax.set_xlim(float(lo), float(hi))
    ax.set_xlabel(param_label(model, 0, lang))
    ax.set_ylabel(t("loss", lang))
    update_legend(ax)
    return ax
