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
    narrower and centred on a boundary cell of the previous one by the rule of
    :func:`~experiments.research._common.zoom_window` (of the windows centred on a boundary
    cell that hold between a quarter and three quarters of trainable cells, the one nearest
    the previous window's centre): the boundary keeps its structure at every scale.

Part 2 - a two-layer network with one learning rate per layer (after Sohl-Dickstein 2024)
    :func:`fastdescent.models.two_layer_net` (``WIDTH`` tanh units, its default data),
    full-batch gradient descent on the mean squared error, learning rate :math:`\\alpha_1` for
    the first layer (:math:`W_1, b_1`) and :math:`\\alpha_2` for the second (:math:`W_2, b_2`),
    over a log grid of :math:`(\\alpha_1, \\alpha_2)`, all from the same initial weights; then
    two zooms (3 levels), each ``ZOOM_2D`` times narrower per axis (in log learning rate),
    centred on a boundary cell by the same rule. Trainable = not diverged in ``NET_STEPS``
    steps. The boundary dimension of each level comes
    from :func:`fastdescent.analysis.boundary_dimension` (between 1, a smooth curve, and 2).

    *Two learning rates by reparameterization.* This study predates per-group learning rates
    (``lr={"input": ..., "output": ...}``, used by the ``sd_table`` study) and keeps its own,
    equivalent construction. We reparameterize the first layer:
    :math:`W_1 = sU`, :math:`b_1 = sc` with a frozen scale :math:`s` stored as an extra
    parameter whose gradient is zero (:func:`scaled_net_example`). Gradient descent on
    :math:`(U, c)` with learning rate :math:`\\alpha` changes :math:`W_1` by
    :math:`s\\,\\Delta U = -\\alpha s^2\\,\\partial L/\\partial W_1`, exactly gradient descent on
    :math:`W_1` with :math:`\\alpha_1 = s^2\\alpha`. So each trajectory runs with
    ``lr`` :math:`= \\alpha_2` and starts at :math:`(W_1/s, b_1/s, W_2, b_2, s)` with
    :math:`s = \\sqrt{\\alpha_1/\\alpha_2}`: the whole 2-D map is one :func:`fastdescent.run`
    with per-trajectory learning rates, and every trajectory has the same initial network.

Figures (:func:`draw`)
    ``cosine`` - point: *the trainable learning rates above 1 form a fractal dust whose
    interleaving looks the same in every 10x zoom* (0 < D < 1). ``network`` - point: *the
    trainable / divergent boundary over the two layers' learning rates is smooth only at the
    coarsest scale and rough (D > 1) in the zooms*. As in the published fractal-trainability
    figures, each cell is shaded by how fast it trained or diverged: trainable cells by the
    final loss (1-D) or final / initial loss (network) in the loss colormap, diverged cells
    by the steps before diverging in a grey ramp (light = fast); the zoom windows are framed
    and joined to the next frame by connector lines, and the box-counting fits share the
    figure. Zoom levels are told apart by markers and greys, not by colours.

Run: ``python -m experiments.research fractal_lr [--quick]``.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from fastdescent.models.network import net_example_scaled, net_loss_scaled
from fastdescent.plotting.i18n import Texts
from fastdescent.plotting.style import styled

from ._common import LINE_CHARS, wrap

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
def _next_window(lo, hi, outcome, factor):
    """The next zoom window of ``[lo, hi]`` (one axis per row of ``lo``/``hi``, each sampled at
    ``outcome.shape`` equally spaced points), ``factor`` times narrower per axis, centred on
    the boundary cell chosen by :func:`~experiments.research._common.zoom_window` (the window
    whose trainable share is closest to one half), shifted to stay inside ``[lo, hi]``.
    Returns ``(windows, centre)``: ``[(lo, hi), ...]`` per axis and the chosen cell's
    coordinates."""
    from ._common import zoom_window

    shape = outcome.shape
    width = tuple(max(2, int(round(n / factor))) for n in shape)
    starts, cell = zoom_window(outcome, width)
    out, centre = [], []
    for a, z, n, s0, w, c in zip(lo, hi, shape, starts, width, cell):
        dx = (z - a) / (n - 1)
        mid = a + dx * (s0 + (w - 1) / 2)
        half = 0.5 * (z - a) / factor
        start = min(max(mid - half, a), z - 2 * half)
        out.append((start, start + 2 * half))
        centre.append(a + dx * c)
    return out, tuple(centre)


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
            (win,), centre = _next_window([lo], [hi], trainable, ZOOM_1D)
            levels.append({"window": (lo, hi), "lrs": lrs, "trainable": trainable,
                           "steps": res.steps, "loss": res.loss, "box": bc,
                           "next_centre": centre[0]})
            lo, hi = win
    return {"model": model, "levels": levels, "seconds": tm.seconds, "n": n,
            "loss0": float(model.loss([PHI0]))}


# ------------------------------------------------------------------------------ part 2
def part2(quick: bool) -> dict:
    from fastdescent.analysis import boundary_dimension
    from fastdescent.engine import status as S

    from ._common import Timer

    model = scaled_net(WIDTH)
    w0 = initial_weights(model)
    n = N_NET_QUICK if quick else N_NET
    e1, e2 = tuple(np.log10(LR1_RANGE)), tuple(np.log10(LR2_RANGE))
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
            (n1, n2), centre = _next_window([e1[0], e2[0]], [e1[1], e2[1]], trainable, ZOOM_2D)
            levels.append({"lr1": a1, "lr2": a2, "trainable": trainable, "loss": loss,
                           "steps": res.steps.reshape(n, n), "dimension": bd,
                           "log_window": (e1, e2), "next_centre": centre})
            e1, e2 = tuple(n1), tuple(n2)
    loss0 = model.loss(net_starts(model, w0, [1.0], [1.0])[0]) / model.n_examples
    return {"model": model, "w0": w0, "levels": levels, "seconds": tm.seconds, "n": n,
            "loss0": float(loss0)}


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
                               "sizes": lv["box"]["sizes"], "counts": lv["box"]["counts"],
                               "next_centre": lv["next_centre"]}
                              for lv in p1["levels"]]},
        "net": {"width": WIDTH, "steps": NET_STEPS, "grid": p2["n"], "seconds": p2["seconds"],
                "initial_loss": p2["loss0"],
                "levels": [{"log10_lr1": lv["log_window"][0], "log10_lr2": lv["log_window"][1],
                            "trainable": float(lv["trainable"].mean()),
                            "dimension": lv["dimension"].dimension,
                            "r2": lv["dimension"].fit.r2,
                            "sizes": lv["dimension"].sizes, "counts": lv["dimension"].counts,
                            "next_centre_log10": lv["next_centre"]}
                           for lv in p2["levels"]]},
    }
    out = {"cosine": p1, "net": p2, "summary": summary, "quick": key}
    _CACHE[key] = out
    return out


# ------------------------------------------------------------------------------ figures
#: This study's own strings (the shared vocabulary comes from i18n.TABLE).
T = Texts({
    "cosine_title": {
        "en": "The trainable learning rates of gradient descent form a fractal dust: "
              "each 10× zoom shows the same interleaving",
        "es": "Las tasas de aprendizaje entrenables del descenso de gradiente forman un polvo "
              "fractal: cada ampliación ×10 muestra la misma alternancia"},
    "cosine_settings": {
        "en": "Gradient descent on $L(\\phi) = \\phi^2 + \\delta\\cos(2\\pi\\phi/\\lambda)$, "
              "$\\delta$ = {d:g}, $\\lambda$ = {p:g}, from $\\phi_0$ = {x0:g}, {steps} steps, "
              "{n} learning rates $\\alpha$ per frame",
        "es": "Descenso de gradiente en $L(\\phi) = \\phi^2 + \\delta\\cos(2\\pi\\phi/\\lambda)$, "
              "$\\delta$ = {d:g}, $\\lambda$ = {p:g}, desde $\\phi_0$ = {x0:g}, {steps} pasos, "
              "{n} tasas de aprendizaje $\\alpha$ por marco"},
    "cosine_caption": {
        "en": "Trainable: $|\\phi_t| \\leq 10^6$ for all {steps} steps. $D$: box-counting "
              "dimension of the set of boundary cells, $N(s) \\propto s^{{-D}}$ (0: isolated "
              "points, 1: fills the line). Each frame is the framed window of the previous one.",
        "es": "Entrenable: $|\\phi_t| \\leq 10^6$ en los {steps} pasos. $D$: dimensión de conteo "
              "de cajas de las celdas de frontera, $N(s) \\propto s^{{-D}}$ (0: puntos aislados, "
              "1: llena la recta). Cada marco es la ventana recuadrada del anterior."},
    "net_title": {
        "en": "Trainability of a two-layer network over the two layers' learning rates: "
              "the boundary stays rough at every zoom",
        "es": "Entrenabilidad de una red de dos capas según la tasa de aprendizaje de cada "
              "capa: la frontera sigue rugosa en cada ampliación"},
    "net_settings": {
        "en": "{h} tanh units fitted to 24 points of $\\sin 2x$ (mean squared error); full-batch "
              "gradient descent, {steps} steps, same initial weights; {n} × {n} grid per frame",
        "es": "{h} unidades tanh ajustadas a 24 puntos de $\\sin 2x$ (error cuadrático medio); "
              "descenso de gradiente con todo el lote, {steps} pasos, mismos pesos iniciales; "
              "{n} × {n} por marco"},
    "net_caption": {
        "en": "$\\alpha_1$, $\\alpha_2$: learning rates of layers 1 and 2. Trainable: "
              "$|\\phi_t| \\leq 10^6$ for all {steps} steps. $D$: box-counting dimension of the "
              "boundary, $N(s) \\propto s^{{-D}}$ (1: smooth curve, 2: fills the plane).",
        "es": "$\\alpha_1$, $\\alpha_2$: tasas de aprendizaje de las capas 1 y 2. Entrenable: "
              "$|\\phi_t| \\leq 10^6$ en los {steps} pasos. $D$: dimensión de conteo de cajas "
              "de la frontera, $N(s) \\propto s^{{-D}}$ (1: curva suave, 2: llena el plano)."},
    "zoom": {"en": "Zoom {k}: $D$ = {d:.2f}", "es": "Ampliación {k}: $D$ = {d:.2f}"},
    "zoom_short": {"en": "Zoom {k}", "es": "Ampliación {k}"},
    "zoom_d": {"en": "$D$ = {d:.2f}", "es": "$D$ = {d:.2f}"},
    "fit_dim": {"en": "{k}: $D$ = {d:.2f}", "es": "{k}: $D$ = {d:.2f}"},
    "zooms": {"en": "Zoom", "es": "Ampliación"},
    "box_size": {"en": "Box size, $s$ (cells)", "es": "Caja, $s$ (celdas)"},
    "box_count": {"en": "Boxes holding boundary cells, $N(s)$",
                  "es": "Cajas con celdas de frontera, $N(s)$"},
    "final_loss_1d": {"en": "Trainable: final loss $L(\\phi_T)$",
                      "es": "Entrenable: pérdida final $L(\\phi_T)$"},
    "loss_ratio": {"en": "Trainable: final / initial loss, $L_T/L_0$",
                   "es": "Entrenable: pérdida final / inicial, $L_T/L_0$"},
    "div_steps": {"en": "Diverged: steps before diverging",
                  "es": "Diverge: pasos antes de diverger"},
    "steps_to_diverge": {"en": "Steps before diverging", "es": "Pasos antes de diverger"},
    "lr_layer": {"en": "$\\alpha_{k}$ (layer {k})", "es": "$\\alpha_{k}$ (capa {k})"},
})

#: Colour map of the diverged cells: light grey for fast divergence, dark grey for slow (the
#: slow ones lie along the boundary, where they meet the bright, slowly trained cells).
DIVERGED_CMAP_COLORS = ("#E6E6E6", "#262626")
#: Markers of the zoom levels in the box-counting panel (greys: zoom, not colour, is the key).
LEVEL_STYLE = (("o", "#000000"), ("s", "#555555"), ("^", "#999999"))


#: Colour range of the final loss of the trainable learning rates (1-D; log scale, clipped):
#: the minimum's basin is at ~4e-3, the 2-cycle of most trainable rates above 1 at ~0.39.
COSINE_LOSS_RANGE = (1e-3, 1e3)
#: Colour range of final / initial loss of the trainable networks (log scale, clipped): below
#: 1 the network learned, above 1 it stayed bounded without learning.
NET_RATIO_RANGE = (1e-3, 1e1)


def _diverged_cmap():
    import matplotlib as mpl

    return mpl.colors.LinearSegmentedColormap.from_list("fd_diverge_steps",
                                                        list(DIVERGED_CMAP_COLORS))


def _speed_rgba(trainable, value, steps, vnorm, snorm):
    """RGBA of every cell: trainable cells coloured by ``value`` (loss colormap, ``vnorm``),
    diverged cells by the steps before diverging (grey ramp, ``snorm``)."""
    import matplotlib as mpl

    from fastdescent.plotting.style import LOSS_CMAP

    rgba = np.empty(trainable.shape + (4,))
    rgba[trainable] = mpl.colormaps[LOSS_CMAP](vnorm(value[trainable]))
    rgba[~trainable] = _diverged_cmap()(snorm(steps[~trainable]))
    return rgba


def _colorbars(fig, caxes, vnorm, snorm, vlabel, lang):
    import matplotlib as mpl

    from fastdescent.plotting.style import LOSS_CMAP

    cb = fig.colorbar(mpl.cm.ScalarMappable(norm=vnorm, cmap=LOSS_CMAP), cax=caxes[0],
                      orientation="horizontal", extend="both")
    cb.set_label(vlabel)
    cb = fig.colorbar(mpl.cm.ScalarMappable(norm=snorm, cmap=_diverged_cmap()), cax=caxes[1],
                      orientation="horizontal")
    cb.set_label(T("div_steps", lang))


def _connect(fig, ax_from, ax_to, corners_from, corners_to=((0.0, 1.0), (0.0, 0.0))):
    """Lines from two points of ``ax_from`` (data coordinates) to two corners of ``ax_to``
    (axes fraction; default its left corners): the zoom's funnel."""
    from matplotlib.patches import ConnectionPatch

    for xy, xyb in zip(corners_from, corners_to):
        fig.add_artist(ConnectionPatch(xyA=xy, coordsA=ax_from.transData, xyB=xyb,
                                       coordsB=ax_to.transAxes, color="black", lw=1.0,
                                       ls="-", zorder=10, clip_on=False))


@styled
def _cosine_figure(p1, lang):
    import matplotlib as mpl
    import matplotlib.pyplot as plt

    from fastdescent.plotting import t

    levels = p1["levels"]
    K = len(levels)
    fig = plt.figure(figsize=(13.2, 7.3), layout="constrained")
    gs = fig.add_gridspec(K + 1, 2, height_ratios=(1,) * K + (0.16,), width_ratios=(2.3, 1))
    strips = [fig.add_subplot(gs[k, 0]) for k in range(K)]
    box_ax = fig.add_subplot(gs[0:K, 1])
    caxes = [fig.add_subplot(gs[K, 0]), fig.add_subplot(gs[K, 1])]
    vnorm = mpl.colors.LogNorm(*COSINE_LOSS_RANGE, clip=True)
    smax = max(int(lv["steps"][~lv["trainable"]].max(initial=2)) for lv in levels)
    snorm = mpl.colors.LogNorm(1, max(smax, 2))
    for k, lv in enumerate(levels):
        lo, hi = lv["window"]
        ax = strips[k]
        val = np.where(lv["trainable"], np.maximum(lv["loss"], COSINE_LOSS_RANGE[0]), 1.0)
        rgba = _speed_rgba(lv["trainable"], val, lv["steps"], vnorm, snorm)
        ax.imshow(rgba[None, :, :], aspect="auto", extent=(lo, hi, 0, 1),
                  interpolation="nearest", rasterized=True)
        ax.set_yticks([])
        ax.set_xlim(lo, hi)
        ax.set_ylim(0, 1)
        ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(5))
        ax.set_ylabel(T("zoom_short", lang, k=k) + "\n" + T("zoom_d", lang,
                                                             d=lv["box"]["dimension"]),
                      rotation=0, ha="right", va="center")
        if k + 1 < K:  # frame the next window and join it to the next strip
            a, b = levels[k + 1]["window"]
            ax.add_patch(mpl.patches.Rectangle((a, 0.0), b - a, 1.0, fill=False, ec="black",
                                               lw=2.0, zorder=5))
            _connect(fig, ax, strips[k + 1], [(a, 0.0), (b, 0.0)], ((0.0, 1.0), (1.0, 1.0)))
    strips[-1].set_xlabel(t("learning_rate", lang))
    _colorbars(fig, caxes, vnorm, snorm, T("final_loss_1d", lang), lang)
    _box_fit_axes(box_ax, [(lv["box"]["sizes"], lv["box"]["counts"], lv["box"]["dimension"],
                            lv["box"]["intercept"]) for lv in levels], lang)
    n = levels[0]["lrs"].size
    fig.suptitle(wrap(T("cosine_title", lang) + "\n" + T(
        "cosine_settings", lang, d=DELTA, p=PERIOD, x0=PHI0, steps=STEPS,
        n=_count(n, lang))), fontsize=13)
    fig.supxlabel(wrap(T("cosine_caption", lang, steps=STEPS), LINE_CHARS + 8), fontsize=12)
    return fig


def _count(n: int, lang: str) -> str:
    """A grid size as text: powers of ten as $10^k$, others with thousands separators."""
    k = math.log10(n)
    if abs(k - round(k)) < 1e-12 and n >= 1000:
        return f"$10^{int(round(k))}$"
    return f"{n:,}".replace(",", "\u2009")


def _box_fit_axes(ax, fits, lang):
    import matplotlib as mpl

    for k, (sizes, counts, dim, icpt) in enumerate(fits):
        marker, col = LEVEL_STYLE[k % len(LEVEL_STYLE)]
        x = 1.0 / np.asarray(sizes, float)
        ax.loglog(sizes, counts, marker, color=col, mfc="white" if k else col, mew=1.5, ms=7,
                  ls="none", label=T("fit_dim", lang, k=k, d=dim))
        if np.isfinite(dim):
            ax.loglog(sizes, np.exp(icpt) * x ** dim, "-", color=col, lw=1.5)
    all_sizes = np.concatenate([np.asarray(f[0], float) for f in fits])
    _narrow_log_ticks(ax.xaxis, np.log10(all_sizes.max() / all_sizes.min()))
    ax.set_xlabel(T("box_size", lang))
    ax.set_ylabel(T("box_count", lang))
    if all_sizes.max() / all_sizes.min() < 20:
        ticks = np.unique(all_sizes).astype(int)
        ax.xaxis.set_major_locator(mpl.ticker.FixedLocator(ticks))
        ax.xaxis.set_major_formatter(mpl.ticker.FixedFormatter([str(v) for v in ticks]))
        ax.xaxis.set_minor_locator(mpl.ticker.NullLocator())
    ax.legend(loc="lower left", title=T("zooms", lang))


@styled
def _net_figure(p2, lang):
    import matplotlib as mpl
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    from fastdescent.plotting.maps import _edges

    levels = p2["levels"]
    K = len(levels)
    fig = plt.figure(figsize=(13.2, 6.6), layout="constrained")
    gs = fig.add_gridspec(2, 2 * K + 2, height_ratios=(1.0, 0.05))
    maps = [fig.add_subplot(gs[0, 2 * k:2 * k + 2]) for k in range(K)]
    box_ax = fig.add_subplot(gs[0, 2 * K:])
    caxes = [fig.add_subplot(gs[1, 0:K]), fig.add_subplot(gs[1, K:2 * K + 1])]
    ratio = [np.where(lv["trainable"], lv["loss"] / p2["loss0"], np.nan) for lv in levels]
    vnorm = mpl.colors.LogNorm(*NET_RATIO_RANGE, clip=True)
    smax = max(int(lv["steps"][~lv["trainable"]].max(initial=2)) for lv in levels)
    snorm = mpl.colors.LogNorm(1, max(smax, 2))
    for k, lv in enumerate(levels):
        ax = maps[k]
        val = np.where(np.isfinite(ratio[k]) & (ratio[k] > 0), ratio[k], NET_RATIO_RANGE[1])
        rgba = _speed_rgba(lv["trainable"], val, lv["steps"], vnorm, snorm)
        ax.pcolormesh(_edges(lv["lr1"], True), _edges(lv["lr2"], True),
                      np.transpose(rgba, (1, 0, 2)), shading="flat", rasterized=True)
        ax.set_xscale("log")
        ax.set_yscale("log")
        for axis, v in ((ax.xaxis, lv["lr1"]), (ax.yaxis, lv["lr2"])):
            _narrow_log_ticks(axis, np.log10(np.max(v) / np.min(v)))
        ax.set_xlabel(T("lr_layer", lang, k=1))
        ax.set_ylabel(T("lr_layer", lang, k=2))
        ax.set_title(T("zoom", lang, k=k, d=lv["dimension"].dimension))
        if k + 1 < K:
            (a1, b1), (a2, b2) = levels[k + 1]["log_window"]
            ax.add_patch(Rectangle((10 ** a1, 10 ** a2), 10 ** b1 - 10 ** a1,
                                   10 ** b2 - 10 ** a2, fill=False, ec="black", lw=2.0,
                                   zorder=5))
            ax.add_patch(Rectangle((10 ** a1, 10 ** a2), 10 ** b1 - 10 ** a1,
                                   10 ** b2 - 10 ** a2, fill=False, ec="white", lw=0.8,
                                   zorder=6))
            _connect(fig, ax, maps[k + 1], [(10 ** b1, 10 ** b2), (10 ** b1, 10 ** a2)])
    _colorbars(fig, caxes, vnorm, snorm, T("loss_ratio", lang), lang)
    _box_fit_axes(box_ax, [(lv["dimension"].sizes, lv["dimension"].counts,
                            lv["dimension"].dimension, lv["dimension"].fit.intercept)
                           for lv in levels], lang)
    n = levels[0]["lr1"].size
    fig.suptitle(wrap(T("net_title", lang) + "\n" + T("net_settings", lang, h=WIDTH,
                                                      steps=NET_STEPS, n=n)), fontsize=13)
    fig.supxlabel(wrap(T("net_caption", lang, steps=NET_STEPS), LINE_CHARS + 8), fontsize=12)
    return fig


def _narrow_log_ticks(axis, decades: float) -> None:
    """On a log axis spanning less than a decade, matplotlib labels every minor tick
    (``2x10^2``, ``3x10^2``, ...) and the labels collide: use a few plain major ticks instead."""
    import matplotlib as mpl

    if decades < 1.0:
        axis.set_major_locator(mpl.ticker.MaxNLocator(3))
        axis.set_major_formatter(mpl.ticker.FormatStrFormatter("%.3g"))
        axis.set_minor_locator(mpl.ticker.NullLocator())
        axis.set_minor_formatter(mpl.ticker.NullFormatter())


def draw(d, lang: str = "en") -> dict:
    """The study's figures (unsaved): ``{"cosine": Figure, "network": Figure}``."""
    from ._common import check_lang

    check_lang(lang)
    return {"cosine": _cosine_figure(d["cosine"], lang),
            "network": _net_figure(d["net"], lang)}


def main(lang: str = "en", quick: bool = False, outdir="figures", data_=None) -> list:
    """Write ``outdir/<lang>/fractal_lr-cosine`` and ``fractal_lr-network`` (PNG + PDF) and
    ``outdir/fractal_lr-summary.json``; returns the written paths."""
    from ._common import save_figures, write_summary

    d = data_ if data_ is not None else data(quick)
    paths = save_figures(draw(d, lang), outdir, lang, ID)
    paths.append(write_summary(outdir, ID, d["summary"]))
    return paths
