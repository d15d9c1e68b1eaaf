"""Figures from a saved sweep Dataset: ``basins``, ``convergence``, ``hyper``.

The data are taken out of the Dataset here and drawn by :mod:`fastdescent.plotting` (its
figure size, fonts and colours): ``basin_map`` for basins over a 2-D grid of starts,
``hyper_map`` for the final loss over swept hyperparameters, ``convergence_bands`` for loss
paths. Cases those do not cover (starts given as a list, no recorded paths) are drawn on the
package's figure with its attractor colours.
"""
from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import numpy as np

from ..contract import CONVERGED, DIVERGED
from .errors import UsageError


def make_plot(ds, kind: str, out: Path) -> Path:
    """Draw figure ``kind`` of ``ds`` and save it atomically to ``out``."""
    import matplotlib

    if "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .. import plotting as fp

    out = Path(out)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        fig = PLOTS[kind](fp, ds)
    if not hasattr(fig, "savefig") and hasattr(fig, "figure"):
        fig = fig.figure
    from ..engine.storage import atomic_file

    fmt = (out.suffix or ".png").lstrip(".").lower()
    try:
        with atomic_file(out) as tmp:  # complete or absent; the mode honours the umask
            fig.savefig(tmp, dpi=120, bbox_inches="tight", format=fmt)
    finally:
        plt.close(fig)
    return out


# ------------------------------------------------------------------------------ dataset facts
def _param_dims(ds) -> list[str]:
    names = [str(p) for p in ds["param"].values]
    return [d for d in ds["loss"].dims if d in names]


def _hyper_dims(ds) -> list[str]:
    try:
        hyper = json.loads(ds.attrs.get("optimizer", "{}")).get("hyper", {})
    except ValueError:
        hyper = {}
    params = set(_param_dims(ds))
    return [d for d in ds["loss"].dims
            if d in hyper or (d not in params and d not in ("seed", "init"))]


def _title(ds) -> str:
    try:
        m = json.loads(ds.attrs.get("model", "{}")).get("name", "?")
        o = json.loads(ds.attrs.get("optimizer", "{}")).get("name", "?")
    except ValueError:
        m = o = "?"
    return f"{m} / {o}"


def _fixed_others(ds, keep) -> tuple:
    """Select index 0 along every dim of ``loss`` not in ``keep``; returns (sel, text)."""
    sel = {d: 0 for d in ds["loss"].dims if d not in keep}
    text = ", ".join(f"{d}={ds[d].values[0]:g}" if d in ds.coords else f"{d}[0]"
                     for d in sel)
    return sel, text


# ------------------------------------------------------------------------------ basins
def _labels(endpoints, status, scale):
    from ..analysis.basins import find_attractors

    _, labels = find_attractors(endpoints, status, scale=scale, tol=1e-3)
    return np.asarray(labels)


def _basin_data(ds):
    """(keep dims, fixed-dims text, labels or None, status, loss, starts) for a basin map."""
    pdims = _param_dims(ds)
    if pdims:
        keep = pdims[:2]
    elif "init" in ds["loss"].dims:
        keep = ["init"]
    else:
        raise UsageError("the dataset has no starting-point dims to draw basins over")
    sel, fixed = _fixed_others(ds, keep)
    sub = ds.isel(sel)
    status = np.asarray(sub["status"].transpose(*keep).values).reshape(-1)
    loss = np.asarray(sub["loss"].transpose(*keep).values, float).reshape(-1)
    ends = np.asarray(sub["params"].transpose(*keep, "param").values)
    P = ends.shape[-1]
    ends = ends.reshape(-1, P)
    starts = np.asarray(ds["init_params"].values) if "init" in keep else None
    finite = np.all(np.isfinite(ends), axis=1)
    if finite.any():
        fe = ends[finite]
        scale = np.maximum(fe.max(axis=0) - fe.min(axis=0), 1.0)
    else:
        scale = np.ones(P)
    for i, name in enumerate(str(p) for p in ds["param"].values):
        if name in keep and name in ds.coords:
            c = np.asarray(ds[name].values, float)
            scale[i] = max(float(c.max() - c.min()), 1e-12)
    labels = None
    if np.any(status == CONVERGED):
        labels = _labels(np.where(finite[:, None], ends, 0.0), status, scale)
    return keep, fixed, labels, status, loss, starts


def _geometric(v) -> bool:
    v = np.asarray(v, float)
    return bool(v.size > 1 and np.all(v > 0) and v.max() / v.min() > 20)


def plot_basins(fp, ds):
    """Attractor of every start: ``basin_map`` over a 2-D grid of starts; otherwise (a list of
    starts, a 1-D grid, nothing converged) the starts coloured by attractor or final loss."""
    keep, fixed, labels, status, loss, starts = _basin_data(ds)
    title = f"basins: {_title(ds)}" + (f" ({fixed})" if fixed else "")
    if labels is not None and len(keep) == 2:
        x, y = (np.asarray(ds[d].values, float) for d in keep)
        fig, ax = fp.figure()
        fp.basin_map(labels.reshape(len(x), len(y)).T, axes=(x, y), ax=ax)
        ax.set_xlabel(keep[0])
        ax.set_ylabel(keep[1])
        ax.set_title(title)
        return fig
    fig, ax = fp.figure()
    if labels is not None:
        colors = [fp.attractor_color(k) for k in labels]
        note = f"{int(labels.max()) + 1 if labels.max() >= 0 else 0} attractor(s)"
        kw = dict(c=colors)
    else:
        kw = dict(c=np.log10(np.abs(loss) + 1e-300), cmap="viridis")
        note = "log10 final loss (no trajectory converged: set tol for basins)"
    P = ds.sizes["param"]
    if "init" in keep:
        pts = ax.scatter(starts[:, 0], starts[:, 1] if P > 1 else np.zeros(len(starts)), s=12,
                         **kw)
        ax.set_xlabel(str(ds["param"].values[0]))
        if P > 1:
            ax.set_ylabel(str(ds["param"].values[1]))
    elif len(keep) == 2:
        x, y = (np.asarray(ds[d].values, float) for d in keep)
        gx, gy = np.meshgrid(x, y, indexing="ij")
        pts = ax.scatter(gx.ravel(), gy.ravel(), s=12, **kw)
        ax.set_xlabel(keep[0])
        ax.set_ylabel(keep[1])
    else:
        x = np.asarray(ds[keep[0]].values, float)
        pts = ax.scatter(x, np.zeros(len(x)), s=12, **kw)
        ax.set_yticks([])
        ax.set_xlabel(keep[0])
    if labels is None:
        fig.colorbar(pts, ax=ax)
    ax.set_title(f"{title}\n{note}")
    return fig


def plot_hyper(fp, ds):
    """Median final loss over the swept hyperparameters by ``fastdescent.plotting.hyper_map``
    (a curve over one axis, a map over two), with the diverged fraction under a curve."""
    hyper = _hyper_dims(ds)
    if not hyper:
        raise UsageError("the dataset has no hyperparameter axis (sweep a hyperparameter, "
                         "e.g. lr = \"1e-3:1:16:log\")")
    loss = ds["loss"].where(ds["status"] != DIVERGED)
    if len(hyper) >= 2:
        a, b = hyper[:2]
        med = loss.median(dim=[d for d in loss.dims if d not in (a, b)])
        xv, yv = (np.asarray(ds[d].values, float) for d in (a, b))
        fig, ax = fp.figure()
        fp.hyper_map(np.asarray(med.transpose(b, a).values), x=xv, y=yv, ax=ax, kind="loss",
                     log_x=_geometric(xv), log_y=_geometric(yv), xlabel=a, ylabel=b)
        rest = f" (pooled over {', '.join(hyper[2:])})" if len(hyper) > 2 else ""
        ax.set_title(f"median final loss: {_title(ds)}{rest}")
        return fig
    a = hyper[0]
    xv = np.asarray(ds[a].values, float)
    others = [d for d in loss.dims if d != a]
    med = np.asarray(loss.median(dim=others).values)
    div = np.asarray((ds["status"] == DIVERGED).mean(dim=others).values)
    fig, (ax1, ax2) = fp.figure(2, 1, sharex=True)
    fp.hyper_map(med, x=xv, ax=ax1, kind="loss", log_x=_geometric(xv), xlabel=a)
    ax1.set_ylabel("median final loss")
    ax2.plot(xv, div, "o-", ms=3)
    ax2.set_ylim(-0.02, 1.02)
    ax2.set_ylabel("fraction diverged")
    ax2.set_xlabel(a)
    ax1.set_title(f"{a} sweep: {_title(ds)}")
    return fig


def plot_convergence(fp, ds):
    """Median loss with quantile bands by ``fastdescent.plotting.convergence_bands``, one per
    value of the first swept hyperparameter (at most 8); without recorded paths, the fraction
    of trajectories converged by each step."""
    if "loss_path" not in ds:
        status = np.asarray(ds["status"].values).reshape(-1)
        if not np.any(status == CONVERGED):
            raise UsageError("nothing to plot: the dataset has no loss paths (set "
                             "record_every) and no trajectory converged (set tol)")
        steps = np.sort(np.asarray(ds["steps"].values).reshape(-1)[status == CONVERGED])
        fig, ax = fp.figure()
        ax.step(steps, np.arange(1, len(steps) + 1) / status.size, where="post")
        ax.set_xlabel("step")
        ax.set_ylabel("fraction converged")
        ax.set_ylim(0, 1)
        ax.set_title(f"convergence: {_title(ds)}")
        return fig
    rec = np.asarray(ds["record"].values, float)
    lp = ds["loss_path"]
    fig, ax = fp.figure()
    hyper = _hyper_dims(ds)
    if hyper:
        a = hyper[0]
        vals = np.asarray(ds[a].values)
        idx = np.unique(np.linspace(0, len(vals) - 1, min(len(vals), 8)).round().astype(int))
        colors = fp.style.PALETTE
        for j, i in enumerate(idx):
            y = np.asarray(lp.isel({a: i}).transpose(..., "record").values).reshape(-1, len(rec))
            fp.convergence_bands(rec, fp.loss_quantiles(y), ax, label=f"{a}={vals[i]:.3g}",
                                 color=colors[j % len(colors)])
    else:
        y = np.asarray(lp.transpose(..., "record").values).reshape(-1, len(rec))
        fp.convergence_bands(rec, fp.loss_quantiles(y), ax, label="median")
    ax.legend()
    ax.set_title(f"convergence: {_title(ds)}")
    return fig


PLOTS = {"basins": plot_basins, "convergence": plot_convergence, "hyper": plot_hyper}
