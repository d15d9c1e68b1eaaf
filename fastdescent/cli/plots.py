"""Figures from a saved sweep Dataset: ``basins``, ``convergence``, ``hyper``.

Who draws: ``fastdescent.plotting.plot_dataset(ds, kind) -> Figure`` when that exists; else the
package's building blocks (``basin_map``, ``hyper_map``, ``convergence_bands``) fed from the
Dataset here; else (no package, or a case they do not cover) the minimal matplotlib versions
below, with a note on stderr.
"""
from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import numpy as np

from .errors import UsageError

_NOTED = False


def _note(msg):
    global _NOTED
    if not _NOTED:
        print(f"fastdescent: note: {msg}", file=sys.stderr)
        _NOTED = True


def _plotting_module():
    from .commands import _import_optional

    try:
        return _import_optional("fastdescent.plotting")
    except Exception as exc:  # noqa: BLE001 - a broken optional module must not stop the CLI
        _note(f"fastdescent.plotting failed to import ({type(exc).__name__}: {exc}); using "
              f"the CLI's minimal built-in plots")
        return None


_BLOCKS = {"basins": "basin_map", "hyper": "hyper_map", "convergence": "convergence_bands"}


def make_plot(ds, kind: str, out: Path) -> Path:
    """Draw figure ``kind`` of ``ds`` and save it atomically to ``out``."""
    import matplotlib

    if "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out)
    mod = _plotting_module()
    fig = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if mod is not None and callable(getattr(mod, "plot_dataset", None)):
            fig = mod.plot_dataset(ds, kind)
        elif mod is not None and callable(getattr(mod, _BLOCKS[kind], None)):
            try:
                fig = PACKAGE[kind](mod, ds)
            except UsageError:
                raise
            except Exception as exc:  # noqa: BLE001 - fall back to the minimal plot
                print(f"fastdescent: warning: fastdescent.plotting could not draw {kind!r} "
                      f"({type(exc).__name__}: {' '.join(str(exc).split())}); using the "
                      f"built-in plot", file=sys.stderr)
        else:
            _note("fastdescent.plotting is not available; using the CLI's minimal built-in "
                  "plots")
        if fig is None:
            fig = BUILTIN[kind](ds)
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
    try:
        from ..analysis.basins import find_attractors

        _, labels = find_attractors(endpoints, status, scale=scale, tol=1e-3)
        return np.asarray(labels)
    except ImportError:
        labels = np.where(status == 2, -1, -2).astype(np.int64)
        ok = status == 1
        keys = np.round(endpoints[ok] / (1e-3 * scale)).astype(np.int64)
        _, inv = np.unique(keys, axis=0, return_inverse=True)
        labels[ok] = inv.ravel()
        return labels


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
    if np.any(status == 1):
        labels = _labels(np.where(finite[:, None], ends, 0.0), status, scale)
    return keep, fixed, labels, status, loss, starts


def plot_basins(ds):
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    keep, fixed, labels, status, loss, starts = _basin_data(ds)
    P = ds.sizes["param"]
    fig, ax = plt.subplots(figsize=(6, 5))
    converged = labels is not None
    if converged:
        K = int(labels.max()) + 1 if labels.max() >= 0 else 0
        base = plt.get_cmap("tab20" if K > 10 else "tab10")
        colors = ["0.8", "black"] + [base(k % base.N) for k in range(max(K, 1))]
        cmap = ListedColormap(colors)
        values = labels + 2  # -2 (not converged) -> 0, -1 (diverged) -> 1, attractor k -> k+2
        vmin, vmax = -0.5, len(colors) - 0.5
        label = f"{K} attractor(s); grey: not converged, black: diverged"
    else:
        values = np.log10(np.abs(loss) + 1e-300)
        cmap, vmin, vmax = "viridis", None, None
        label = "log10 final loss (no trajectory converged: set tol for basins)"
    if "init" in keep:
        ax.scatter(starts[:, 0], starts[:, 1] if P > 1 else np.zeros(len(starts)), c=values,
                   cmap=cmap, vmin=vmin, vmax=vmax, s=12)
        ax.set_xlabel(str(ds["param"].values[0]))
        if P > 1:
            ax.set_ylabel(str(ds["param"].values[1]))
    elif len(keep) == 2:
        x, y = (np.asarray(ds[d].values, float) for d in keep)
        im = ax.pcolormesh(x, y, values.reshape(len(x), len(y)).T, cmap=cmap, vmin=vmin,
                           vmax=vmax, shading="nearest")
        ax.set_xlabel(keep[0])
        ax.set_ylabel(keep[1])
        if not converged:
            fig.colorbar(im, ax=ax)
    else:
        x = np.asarray(ds[keep[0]].values, float)
        ax.pcolormesh(x, [0, 1], np.vstack([values, values]), cmap=cmap, vmin=vmin, vmax=vmax,
                      shading="nearest")
        ax.set_yticks([])
        ax.set_xlabel(keep[0])
    ax.set_title(f"basins: {_title(ds)}" + (f"\n({fixed})" if fixed else ""), fontsize=10)
    fig.text(0.01, 0.01, label, fontsize=8)
    return fig


# ------------------------------------------------------------------------------ convergence
def plot_convergence(ds):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    hyper = _hyper_dims(ds)
    if "loss_path" in ds:
        lp = ds["loss_path"]
        rec = np.asarray(ds["record"].values)
        if hyper:
            a = hyper[0]
            vals = np.asarray(ds[a].values)
            idx = np.unique(np.linspace(0, len(vals) - 1, min(len(vals), 8)).round().astype(int))
            cmap = plt.get_cmap("viridis")
            for j, i in enumerate(idx):
                y = lp.isel({a: i}).values.reshape(-1, len(rec))
                ax.plot(rec, np.nanmedian(y, axis=0), color=cmap(j / max(len(idx) - 1, 1)),
                        label=f"{a}={vals[i]:.3g}")
            ax.legend(fontsize=7, title="median over the rest", title_fontsize=7)
        else:
            y = lp.values.reshape(-1, len(rec))
            pick = np.unique(np.linspace(0, len(y) - 1, min(len(y), 100)).round().astype(int))
            ax.plot(rec, y[pick].T, color="0.6", lw=0.5, alpha=0.6)
            ax.plot(rec, np.nanmedian(y, axis=0), color="C0", lw=2, label="median")
            ax.legend(fontsize=8)
        finite = lp.values[np.isfinite(lp.values)]
        if finite.size and np.all(finite > 0):
            ax.set_yscale("log")
        ax.set_xlabel("step")
        ax.set_ylabel("loss")
    else:
        status = np.asarray(ds["status"].values).reshape(-1)
        if not np.any(status == 1):
            raise UsageError("nothing to plot: the dataset has no loss paths (set "
                             "record_every) and no trajectory converged (set tol)")
        steps = np.sort(np.asarray(ds["steps"].values).reshape(-1)[status == 1])
        frac = np.arange(1, len(steps) + 1) / status.size
        ax.step(steps, frac, where="post")
        ax.set_xlabel("step")
        ax.set_ylabel("fraction converged")
        ax.set_ylim(0, 1)
    ax.set_title(f"convergence: {_title(ds)}", fontsize=10)
    return fig


# ------------------------------------------------------------------------------ hyper
def plot_hyper(ds):
    import matplotlib.pyplot as plt

    hyper = _hyper_dims(ds)
    if not hyper:
        raise UsageError("the dataset has no hyperparameter axis (sweep a hyperparameter, "
                         "e.g. lr = \"1e-3:1:16:log\")")
    a = hyper[0]
    vals = np.asarray(ds[a].values, float)
    loss = ds["loss"].transpose(a, ...).values.reshape(len(vals), -1)
    status = ds["status"].transpose(a, ...).values.reshape(len(vals), -1)
    ok = np.where(status == 2, np.nan, loss)
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(6, 5), sharex=True)
    med = np.nanmedian(ok, axis=1)
    lo, hi = np.nanpercentile(ok, 25, axis=1), np.nanpercentile(ok, 75, axis=1)
    ax1.plot(vals, med, "o-", ms=3, label="median")
    ax1.fill_between(vals, lo, hi, alpha=0.3, label="25-75%")
    fin = ok[np.isfinite(ok)]
    if fin.size and np.all(fin > 0):
        ax1.set_yscale("log")
    ax1.set_ylabel("final loss (not diverged)")
    ax1.legend(fontsize=8)
    ax2.plot(vals, np.mean(status == 2, axis=1), "o-", ms=3, color="C3", label="diverged")
    ax2.plot(vals, np.mean(status == 1, axis=1), "o-", ms=3, color="C2", label="converged")
    ax2.set_ylim(-0.02, 1.02)
    ax2.set_ylabel("fraction")
    ax2.set_xlabel(a)
    ax2.legend(fontsize=8)
    if np.all(vals > 0) and vals.max() / vals.min() > 20:
        ax2.set_xscale("log")
    rest = [d for d in hyper[1:]]
    note = f" (pooled over {', '.join(rest)})" if rest else ""
    ax1.set_title(f"{a} sweep: {_title(ds)}{note}", fontsize=10)
    return fig


BUILTIN = {"basins": plot_basins, "convergence": plot_convergence, "hyper": plot_hyper}


# ------------------------------------------------------------------------------ with the package
def _geometric(v) -> bool:
    v = np.asarray(v, float)
    return bool(v.size > 1 and np.all(v > 0) and v.max() / v.min() > 20)


def package_basins(fp, ds):
    """Basin map by ``fastdescent.plotting.basin_map`` (2-D grids with converged starts)."""
    keep, fixed, labels, *_ = _basin_data(ds)
    if labels is None or len(keep) != 2:
        return None
    x, y = (np.asarray(ds[d].values, float) for d in keep)
    fig, ax = fp.figure()
    fp.basin_map(labels.reshape(len(x), len(y)).T, axes=(x, y), ax=ax)
    ax.set_xlabel(keep[0])
    ax.set_ylabel(keep[1])
    ax.set_title(f"basins: {_title(ds)}" + (f" ({fixed})" if fixed else ""), fontsize=10)
    return fig


def package_hyper(fp, ds):
    """Median final loss over the swept hyperparameters by ``fastdescent.plotting.hyper_map``
    (a curve over one axis, a map over two), with the diverged fraction under a curve."""
    hyper = _hyper_dims(ds)
    if not hyper:
        return None
    loss = ds["loss"].where(ds["status"] != 2)
    if len(hyper) >= 2:
        a, b = hyper[:2]
        med = loss.median(dim=[d for d in loss.dims if d not in (a, b)])
        xv, yv = (np.asarray(ds[d].values, float) for d in (a, b))
        fig, ax = fp.figure()
        fp.hyper_map(np.asarray(med.transpose(b, a).values), x=xv, y=yv, ax=ax, kind="loss",
                     log_x=_geometric(xv), log_y=_geometric(yv), xlabel=a, ylabel=b)
        rest = f" (pooled over {', '.join(hyper[2:])})" if len(hyper) > 2 else ""
        ax.set_title(f"median final loss: {_title(ds)}{rest}", fontsize=10)
        return fig
    a = hyper[0]
    xv = np.asarray(ds[a].values, float)
    med = np.asarray(loss.median(dim=[d for d in loss.dims if d != a]).values)
    div = np.asarray((ds["status"] == 2).mean(dim=[d for d in loss.dims if d != a]).values)
    fig, (ax1, ax2) = fp.figure(2, 1, sharex=True)
    fp.hyper_map(med, x=xv, ax=ax1, kind="loss", log_x=_geometric(xv), xlabel=a)
    ax1.set_ylabel("median final loss")
    ax2.plot(xv, div, "o-", ms=3)
    ax2.set_ylim(-0.02, 1.02)
    ax2.set_ylabel("fraction diverged")
    ax2.set_xlabel(a)
    ax1.set_title(f"{a} sweep: {_title(ds)}", fontsize=10)
    return fig


def package_convergence(fp, ds):
    """Median loss with quantile bands by ``fastdescent.plotting.convergence_bands``, one per
    value of the first swept hyperparameter (at most 8)."""
    if "loss_path" not in ds:
        return None
    rec = np.asarray(ds["record"].values, float)
    lp = ds["loss_path"]
    fig, ax = fp.figure()
    hyper = _hyper_dims(ds)
    if hyper:
        a = hyper[0]
        vals = np.asarray(ds[a].values)
        idx = np.unique(np.linspace(0, len(vals) - 1, min(len(vals), 8)).round().astype(int))
        colors = getattr(getattr(fp, "style", None), "PALETTE", None)
        for j, i in enumerate(idx):
            y = np.asarray(lp.isel({a: i}).transpose(..., "record").values).reshape(-1, len(rec))
            fp.convergence_bands(rec, fp.loss_quantiles(y), ax, label=f"{a}={vals[i]:.3g}",
                                 color=colors[j % len(colors)] if colors else None)
    else:
        y = np.asarray(lp.transpose(..., "record").values).reshape(-1, len(rec))
        fp.convergence_bands(rec, fp.loss_quantiles(y), ax, label="median")
    ax.legend(fontsize=8)
    ax.set_title(f"convergence: {_title(ds)}", fontsize=10)
    return fig


PACKAGE = {"basins": package_basins, "convergence": package_convergence,
           "hyper": package_hyper}
