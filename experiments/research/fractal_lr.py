"""Study ``fractal_lr``: the boundary between trainable and divergent learning rates is fractal.

Part 1 - the 1-D cosine-perturbed quadratic (after Liu 2024)
    :math:`L(\\phi) = \\phi^2 + \\delta\\cos(2\\pi\\phi/\\lambda)`
    (:func:`fastdescent.models.cosine_quadratic`), gradient descent from one start ``PHI0`` for
    ``STEPS`` steps at ``N_LR`` learning rates (:math:`10^6`; quick: :math:`10^4`). For
    :math:`\\alpha < 1` the quadratic part contracts and every run stays bounded; above, it
    expands by :math:`|1-2\\alpha| > 1` and only the bounded cosine force can hold the iterate,
    so trainable and divergent learning rates interleave. A learning rate is *trainable* when
    the run stays bounded (:math:`|\\phi| \\le` ``BOUND`` for all ``STEPS`` steps). The boundary
    set (grid cells whose outcome differs from the next cell's) is box-counted in 1-D: the
    number :math:`N(s)` of boxes of :math:`s` cells that hold a boundary cell, and
    :math:`D = d\\log N/d\\log(1/s)` (between 0 for isolated points and 1 for a set that fills
    the line). The same is repeated on ``ZOOMS_1D`` nested windows, each ``ZOOM_1D`` times
    narrower, centred on a boundary point of the previous one: the boundary keeps its
    structure at every scale.

Part 2 - a two-layer network with one learning rate per layer (after Sohl-Dickstein 2024)
    :func:`fastdescent.models.two_layer_net` (``WIDTH`` tanh units, its default data),
    full-batch gradient descent on the mean squared error, learning rate :math:`\\alpha_1` for
    the first layer (:math:`W_1, b_1`) and :math:`\\alpha_2` for the second (:math:`W_2, b_2`),
    over a log grid of :math:`(\\alpha_1, \\alpha_2)`, all from the same initial weights; then
    two zooms (3 levels), each ``ZOOM_2D`` times narrower per axis, centred on a boundary cell.
    Trainable = not diverged in ``NET_STEPS`` steps. The boundary dimension of each level comes
    from :func:`fastdescent.analysis.boundary_dimension` (between 1, a smooth curve, and 2).

    *Two learning rates with a one-learning-rate engine.* fastdescent's optimizers take one
    (per-trajectory) scalar learning rate. We reparameterize the first layer:
    :math:`W_1 = sU`, :math:`b_1 = sc` with a frozen scale :math:`s` stored as an extra
    parameter whose gradient is zero (:func:`scaled_net_example`). Gradient descent on
    :math:`(U, c)` with learning rate :math:`\\alpha` changes :math:`W_1` by
    :math:`s\\,\\Delta U = -\\alpha s^2\\,\\partial L/\\partial W_1`, exactly gradient descent on
    :math:`W_1` with :math:`\\alpha_1 = s^2\\alpha`. So each trajectory runs with
    ``lr`` :math:`= \\alpha_2` and starts at :math:`(W_1/s, b_1/s, W_2, b_2, s)` with
    :math:`s = \\sqrt{\\alpha_1/\\alpha_2}`: the whole 2-D map is one :func:`fastdescent.run`
    with per-trajectory learning rates, and every trajectory has the same initial network.

Run: ``python -m experiments.research fractal_lr [--quick]``.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from fastdescent.models.network import net_example_scaled, net_loss_scaled

ID = "fractal_lr"
TITLE = "Fractal learning-rate boundaries"

# ------------------------------------------------------------------------------ constants
# part 1: cosine-perturbed quadratic
DELTA = 0.1                # cosine amplitude
PERIOD = 0.5               # cosine period (the model's lam)
PHI0 = 1.0                 # the start
LR_RANGE = (0.95, 1.30)    # learning rates of the first (widest) window
N_LR = 1_000_000           # learning rates per window (full)
N_LR_QUICK = 10_000
ZOOMS_1D = 3               # windows: the full range and two zooms
ZOOM_1D = 10.0             # each zoom is this many times narrower
STEPS = 1000
BOUND = 1e6                # |phi| beyond this = diverged
# part 2: two-layer network, one learning rate per layer
WIDTH = 8
NET_SEED = 0               # initial weights
NET_STEPS = 500
NET_BOUND = 1e6
LR1_RANGE = (1e-1, 1e4)    # first-layer learning rates of level 0 (log grid)
LR2_RANGE = (1e-1, 1e1)    # second-layer learning rates of level 0 (log grid)
N_NET = 256                # grid points per axis and level (full)
N_NET_QUICK = 64
ZOOMS_2D = 3
ZOOM_2D = 6.0              # each zoom is this many times narrower per axis (in log lr)

_CACHE: dict = {}


# ------------------------------------------------------------------------------ the network
@njit(cache=True, inline="always")
def _scale(phi, b, c):
    """The frozen scale ``s``: the parameter after the network's own (U, c, W2, b2)."""
    H = int(c[1])
    dout = int(c[2])
    return phi[H * int(c[0]) + H + dout * H + dout, b]


@njit(cache=True, inline="always")
def scaled_net_example(phi, b, X, Y, i, c, work, grad):
    """:func:`fastdescent.models.two_layer_net`'s squared loss with the first layer
    reparameterized as :math:`W_1 = sU`, :math:`b_1 = sc`; parameters
    ``(U, c, W2, b2, s)``; the gradient of the frozen scale ``s`` (last) is zero."""
    return net_example_scaled(phi, b, X, Y, i, c, work, grad, _scale(phi, b, c))


@njit(cache=True, inline="always")
def scaled_net_loss(phi, b, X, Y, i, c, work):
    return net_loss_scaled(phi, b, X, Y, i, c, work, _scale(phi, b, c))


def scaled_net(width: int = WIDTH, x=None, y=None):
    """The reparameterized network: :func:`fastdescent.models.two_layer_net`'s architecture
    and data, parameters ``(U, c, W2, b2, s)``. With ``s = 1`` it is that model exactly."""
    from fastdescent.models import custom_model, two_layer_net

    base = two_layer_net(width, x, y)
    names = base.param_names + ("s",)
    return custom_model(scaled_net_example, scaled_net_loss, param_names=names, x=base.X,
                        y=base.Y, consts=base.consts, work_size=base.work_size,
                        box=base.box + ((0.0, 2.0),), name="scaled_two_layer_net")


def initial_weights(model) -> np.ndarray:
    """Seeded initial weights (W1, b1, W2, b2) of the network: N(0, 1) first layer (one
    input), N(0, 1/width) second layer, zero output bias."""
    din, H, dout = (int(v) for v in model.consts[:3])
    g = np.random.default_rng(NET_SEED)
    W1 = g.standard_normal(H * din) / math.sqrt(din)
    b1 = g.standard_normal(H) * 0.5
    W2 = g.standard_normal(dout * H) / math.sqrt(H)
    return np.concatenate([W1, b1, W2, np.zeros(dout)])


def net_starts(model, w0, lr1, lr2) -> np.ndarray:
    """Starting points ``(W1/s, b1/s, W2, b2, s)`` with :math:`s = \\sqrt{\\alpha_1/\\alpha_2}`
    for arrays of learning rates (one row per trajectory)."""
    din, H, _ = (int(v) for v in model.consts[:3])
    s = np.sqrt(np.asarray(lr1, float) / np.asarray(lr2, float))
    pts = np.tile(np.append(w0, 1.0), (s.size, 1))
    pts[:, : H * din + H] /= s[:, None]
    pts[:, -1] = s
    return pts


def net_trainability(model, w0, lr1, lr2, steps=NET_STEPS):
    """Status of full-batch GD (mean squared error) at each (lr1[i], lr2[i])."""
    import fastdescent as fd

    lr1 = np.asarray(lr1, float).ravel()
    lr2 = np.asarray(lr2, float).ravel()
    res = fd.run(model, fd.optim.gd(lr=lr2), net_starts(model, w0, lr1, lr2), steps,
                 reduction="mean", bound=NET_BOUND, progress=False)
    return res


# ------------------------------------------------------------------------------ part 1
def _zoom_window_1d(lo, hi, outcome, factor):
    """A window ``factor`` times narrower, centred on the boundary cell nearest the median
    boundary cell (deterministic), clipped to [lo, hi]."""
    from ._common import boundary_points_1d

    pts = boundary_points_1d(outcome)
    n = outcome.size
    lrs = np.linspace(lo, hi, n)
    centre = lrs[pts[len(pts) // 2]] if pts.size else 0.5 * (lo + hi)
    half = 0.5 * (hi - lo) / factor
    a = min(max(centre - half, lo), hi - 2 * half)
    return a, a + 2 * half


def part1(quick: bool) -> dict:
    import fastdescent as fd
    from fastdescent.engine import status as S

    from ._common import Timer, box_count_1d

    model = fd.models.cosine_quadratic(DELTA, PERIOD)
    n = N_LR_QUICK if quick else N_LR
    lo, hi = LR_RANGE
    levels = []
    with Timer() as tm:
        for k in range(ZOOMS_1D):
            lrs = np.linspace(lo, hi, n)
            res = fd.run(model, fd.optim.gd(lr=lrs), np.full((n, 1), PHI0), STEPS, bound=BOUND,
                         progress=False)
            trainable = res.status != S.DIVERGED
            bc = box_count_1d(trainable)
            levels.append({"window": (lo, hi), "lrs": lrs, "trainable": trainable,
                           "steps": res.steps, "box": bc})
            lo, hi = _zoom_window_1d(lo, hi, trainable, ZOOM_1D)
    return {"model": model, "levels": levels, "seconds": tm.seconds, "n": n}


# ------------------------------------------------------------------------------ part 2
def _zoom_window_2d(e1, e2, trainable, factor):
    """A window (in log10 lr) ``factor`` times narrower per axis, centred on the boundary cell
    closest to the centre of mass of the boundary cells (deterministic)."""
    from fastdescent.analysis import boundary_cells

    b = boundary_cells(trainable.astype(np.int64))
    i, j = np.nonzero(b)
    if i.size == 0:
        ci, cj = trainable.shape[0] // 2, trainable.shape[1] // 2
    else:
        mi, mj = i.mean(), j.mean()
        t = np.argmin((i - mi) ** 2 + (j - mj) ** 2)
        ci, cj = i[t], j[t]
    out = []
    for (a, z), c, m in ((e1, ci, trainable.shape[0]), (e2, cj, trainable.shape[1])):
        centre = a + (z - a) * c / (m - 1)
        half = 0.5 * (z - a) / factor
        lo = min(max(centre - half, a), z - 2 * half)
        out.append((lo, lo + 2 * half))
    return out


def part2(quick: bool) -> dict:
    from fastdescent.analysis import boundary_dimension
    from fastdescent.engine import status as S

    from ._common import Timer

    model = scaled_net(WIDTH)
    w0 = initial_weights(model)
    n = N_NET_QUICK if quick else N_NET
    e1, e2 = np.log10(LR1_RANGE), np.log10(LR2_RANGE)
    levels = []
    with Timer() as tm:
        for k in range(ZOOMS_2D):
            a1 = np.logspace(*e1, n)
            a2 = np.logspace(*e2, n)
            g1, g2 = np.meshgrid(a1, a2, indexing="ij")
            res = net_trainability(model, w0, g1, g2)
            trainable = (res.status != S.DIVERGED).reshape(n, n)
            loss = res.loss.reshape(n, n) / model.n_examples
            bd = boundary_dimension(trainable.astype(np.int64))
            levels.append({"lr1": a1, "lr2": a2, "trainable": trainable, "loss": loss,
                           "dimension": bd, "log_window": (tuple(e1), tuple(e2))})
            e1, e2 = _zoom_window_2d(e1, e2, trainable, ZOOM_2D)
    return {"model": model, "w0": w0, "levels": levels, "seconds": tm.seconds, "n": n}


def data(quick: bool = False) -> dict:
    """Run both parts (cached per process): ``{"cosine": part1, "net": part2, "summary"}``."""
    key = bool(quick)
    if key in _CACHE:
        return _CACHE[key]
    p1 = part1(quick)
    p2 = part2(quick)
    summary = {
        "cosine": {"delta": DELTA, "period": PERIOD, "phi0": PHI0, "steps": STEPS,
                   "n_lr": p1["n"], "seconds": p1["seconds"],
                   "levels": [{"window": lv["window"], "trainable": float(lv["trainable"].mean()),
                               "n_boundary": lv["box"]["n_boundary"],
                               "dimension": lv["box"]["dimension"], "r2": lv["box"]["r2"],
                               "sizes": lv["box"]["sizes"], "counts": lv["box"]["counts"]}
                              for lv in p1["levels"]]},
        "net": {"width": WIDTH, "steps": NET_STEPS, "grid": p2["n"], "seconds": p2["seconds"],
                "levels": [{"log10_lr1": lv["log_window"][0], "log10_lr2": lv["log_window"][1],
                            "trainable": float(lv["trainable"].mean()),
                            "dimension": lv["dimension"].dimension,
                            "r2": lv["dimension"].fit.r2,
                            "sizes": lv["dimension"].sizes, "counts": lv["dimension"].counts}
                           for lv in p2["levels"]]},
    }
    out = {"cosine": p1, "net": p2, "summary": summary, "quick": key}
    _CACHE[key] = out
    return out


# ------------------------------------------------------------------------------ figures
def _cosine_figure(p1, lang):
    import matplotlib as mpl

    from fastdescent.plotting import figure, t
    from fastdescent.plotting.style import CONVERGED_COLOR, DIVERGED_COLOR, PALETTE

    levels = p1["levels"]
    fig, axs = figure(2, len(levels) + 1, size=(5.0 * (len(levels) + 1), 7.0),
                      height_ratios=(1, 2))
    cmap = mpl.colors.ListedColormap([DIVERGED_COLOR, CONVERGED_COLOR])
    for k, lv in enumerate(levels):
        lo, hi = lv["window"]
        ax = axs[0, k]
        ax.imshow(lv["trainable"][None, :].astype(float), aspect="auto", cmap=cmap, vmin=0,
                  vmax=1, extent=(lo, hi, 0, 1), interpolation="nearest", rasterized=True)
        ax.set_yticks([])
        ax.set_title(t("research_zoom", lang, k=k) + f": $D$ = {lv['box']['dimension']:.3f}",
                     fontsize=12)
        ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(3))
        ax = axs[1, k]
        div = ~lv["trainable"]
        ax.plot(lv["lrs"][div], lv["steps"][div], ",", color=PALETTE[0], rasterized=True)
        ax.set_yscale("log")
        ax.set_xlim(lo, hi)
        ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(3))
        ax.set_xlabel(t("learning_rate", lang))
        if k == 0:
            ax.set_ylabel(t("research_steps_to_diverge", lang))
        if k + 1 < len(levels):  # mark the next window
            a, b = levels[k + 1]["window"]
            for axx in axs[:, k]:
                axx.axvspan(a, b, color="black", alpha=0.15, lw=0)
    from matplotlib.patches import Patch

    axs[0, 0].legend(handles=[Patch(color=CONVERGED_COLOR, label=t("research_trainable", lang)),
                              Patch(color=DIVERGED_COLOR, label=t("diverged", lang))],
                     fontsize="x-small", loc="lower left")
    gs = axs[0, -1].get_gridspec()
    for ax in axs[:, -1]:
        ax.remove()
    ax = fig.add_subplot(gs[:, -1])
    _box_fit_axes(ax, [(lv["box"]["sizes"], lv["box"]["counts"], lv["box"]["dimension"],
                        lv["box"]["intercept"]) for lv in levels], lang)
    return fig


def _box_fit_axes(ax, fits, lang):
    from fastdescent.plotting import t
    from fastdescent.plotting.style import PALETTE

    for k, (sizes, counts, dim, icpt) in enumerate(fits):
        col = PALETTE[k % len(PALETTE)]
        x = 1.0 / np.asarray(sizes, float)
        ax.loglog(sizes, counts, "o", color=col,
                  label=t("research_zoom", lang, k=k) + ": " + t("research_fit_dim", lang, d=dim))
        if np.isfinite(dim):
            ax.loglog(sizes, np.exp(icpt) * x ** dim, "-", color=col, lw=1.5)
    all_sizes = np.concatenate([np.asarray(f[0], float) for f in fits])
    _narrow_log_ticks(ax.xaxis, np.log10(all_sizes.max() / all_sizes.min()))
    ax.set_xlabel(t("research_box_size", lang))
    ax.set_ylabel(t("research_box_count", lang))
    ax.legend(fontsize="small")


def _net_figure(p2, lang):
    import matplotlib as mpl
    from matplotlib.patches import Patch, Rectangle

    from fastdescent.plotting import figure, t
    from fastdescent.plotting.maps import _edges
    from fastdescent.plotting.style import CONVERGED_COLOR, DIVERGED_COLOR

    levels = p2["levels"]
    fig, axs = figure(1, len(levels) + 1, size=(5.0 * (len(levels) + 1), 4.6))
    for k, lv in enumerate(levels):
        ax = axs[k]
        # trainable cells shaded by their final loss (darker = lower), diverged in grey
        loss = np.where(lv["trainable"], lv["loss"], np.nan)
        fin = loss[np.isfinite(loss)]
        lo, hi = (np.log10(max(fin.min(), 1e-12)), np.log10(max(fin.max(), 1e-12))) \
            if fin.size else (0, 1)
        shade = np.clip((np.log10(np.maximum(loss, 1e-12)) - lo) / max(hi - lo, 1e-9), 0, 1)
        rgb = np.empty(loss.shape + (3,))
        base = np.array(mpl.colors.to_rgb(CONVERGED_COLOR))
        rgb[:] = base * (1 - 0.6 * shade[..., None]) + 0.6 * shade[..., None]
        rgb[~lv["trainable"]] = mpl.colors.to_rgb(DIVERGED_COLOR)
        ax.pcolormesh(_edges(lv["lr1"], True), _edges(lv["lr2"], True),
                      np.transpose(rgb, (1, 0, 2)), shading="flat", rasterized=True)
        ax.set_xscale("log")
        ax.set_yscale("log")
        for axis, v in ((ax.xaxis, lv["lr1"]), (ax.yaxis, lv["lr2"])):
            _narrow_log_ticks(axis, np.log10(np.max(v) / np.min(v)))
        ax.set_xlabel(t("research_lr_layer", lang, k=1))
        if k == 0:
            ax.set_ylabel(t("research_lr_layer", lang, k=2))
        ax.set_title(t("research_zoom", lang, k=k) + f": $D$ = {lv['dimension'].dimension:.3f}",
                     fontsize=12)
        if k + 1 < len(levels):
            (a1, b1), (a2, b2) = levels[k + 1]["log_window"]
            ax.add_patch(Rectangle((10 ** a1, 10 ** a2), 10 ** b1 - 10 ** a1,
                                   10 ** b2 - 10 ** a2, fill=False, ec="white", lw=1.5))
    axs[0].legend(handles=[Patch(color=CONVERGED_COLOR, label=t("research_trainable", lang)),
                           Patch(color=DIVERGED_COLOR, label=t("diverged", lang))],
                  fontsize="x-small", loc="lower left")
    _box_fit_axes(axs[-1], [(lv["dimension"].sizes, lv["dimension"].counts,
                             lv["dimension"].dimension, lv["dimension"].fit.intercept)
                            for lv in levels], lang)
    return fig


def _narrow_log_ticks(axis, decades: float) -> None:
    """On a log axis spanning less than a decade, matplotlib labels every minor tick
    (``2x10^2``, ``3x10^2``, ...) and the labels collide: use a few plain major ticks instead."""
    import matplotlib as mpl

    if decades < 1.0:
        axis.set_major_locator(mpl.ticker.MaxNLocator(4))
        axis.set_major_formatter(mpl.ticker.FormatStrFormatter("%.3g"))
        axis.set_minor_locator(mpl.ticker.NullLocator())
        axis.set_minor_formatter(mpl.ticker.NullFormatter())


def main(lang: str = "en", quick: bool = False, outdir="figures", data_=None) -> list:
    """Write ``outdir/<lang>/fractal_lr-cosine`` and ``fractal_lr-network`` (PNG + PDF) and
    ``outdir/fractal_lr-summary.json``; returns the written paths."""
    from ._common import check_lang, save_figure, write_summary

    check_lang(lang)
    d = data_ if data_ is not None else data(quick)
    paths = save_figure(_cosine_figure(d["cosine"], lang), outdir, lang, ID, "cosine")
    paths += save_figure(_net_figure(d["net"], lang), outdir, lang, ID, "network")
    paths.append(write_summary(outdir, ID, d["summary"]))
    return paths
