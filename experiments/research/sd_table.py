"""Study ``sd_table``: the table of Sohl-Dickstein (2024), "The boundary of neural network
trainability is fractal", recomputed with fastdescent.

Setup (the paper's notebook)
    :func:`fastdescent.models.shallow_net`: one hidden layer of ``WIDTH`` units, ``WIDTH``
    inputs, one output, no biases, mean-field parameterization
    :math:`f(x) = \\frac1n V\\sigma(g W_0 x/\\sqrt d)` (:math:`g = \\sqrt2` for tanh and ReLU),
    :math:`W_0, V, X, Y \\sim \\mathcal N(0, 1)`, as many examples as parameters (272; the
    identity network: ``WIDTH``, the notebook's choice; one data point: 1), mean squared error,
    gradient descent in float64 with the input layer's rate on x and the output layer's on y
    (per-group learning rates), ``STEPS`` steps. Trainable:
    :class:`~fastdescent.LossRatio` (mean of the last ``K_TAIL`` full-batch losses / initial
    loss < 1), computed by the engine. Six configurations (:data:`CONFIGS`): tanh, ReLU,
    identity, tanh with minibatches of ``MINIBATCH`` (one sequence drawn with replacement,
    shared by every cell, as the notebook's shared random key does), one data point, and tanh
    over (input-weight offset, learning rate of both layers).

Zoom sequence and dimension
    Frame 0 is the window :math:`\\log_{10}` ``WINDOW`` per axis; each next frame is
    ``ZOOM`` times narrower per axis, centred on a boundary cell of the previous frame by the
    rule of :func:`~experiments.research._common.zoom_window`. The dimension is the paper's
    estimator, :func:`fastdescent.analysis.zoom_dimension` (median local slope of the
    "spanning" box counts over every frame, bootstrap uncertainty); the package's
    :func:`~fastdescent.analysis.boundary_dimension` of each frame is reported beside it.

Where we differ from the paper, and why
    * Resolution and depth: the paper's frames are 4096 x 4096 (2048 for the zoom-out frames)
      and its zoom sequences up to ~50 frames deep, found by hand; ours are ``RES`` x ``RES``
      and ``FRAMES`` frames chosen by a fixed rule, to fit ``BUDGET`` on a 2-core machine.
      The spanning box counts start at 10 cells, so a coarse frame offers few box sizes and
      its local slopes scatter: our uncertainties are larger than the paper's spread.
    * Steps: the paper used 500 or 1000 steps per map, we use ``STEPS`` (the notebook's
      default is 100): fewer steps move the boundary towards slowly diverging rates.
    * Initialization offset: the notebook adds the offset to :math:`W_0` *at every step* (its
      ``train_step`` offsets the parameters it is given and returns the updated ones), a
      constant drift; we add it once, to the initialization, which is what the paper's text
      calls it. The offsets span the same :math:`10^{-3} \\ldots 10^{6}`.
    * Draws: the data, initialization and minibatches come from NumPy's generator, not JAX's:
      the same distributions, other samples, so the maps are other members of the same
      family.

Figures (:func:`draw`)
    ``maps`` - frame 0 of each configuration, each cell shaded by how fast it trained (final /
    initial loss, loss colormap) or diverged (steps before diverging, grey ramp), the title
    giving our D and the paper's. ``zoom`` - the tanh zoom sequence with the framed window of
    each next frame. ``table`` - our D ± uncertainty beside the paper's value per
    configuration.

Run: ``python -m experiments.research sd_table [--quick]``; for larger grids on a Dask
cluster, ``data(scheduler="tcp://...")`` runs every frame's sweep there unchanged.
"""
from __future__ import annotations

import time

import numpy as np

from fastdescent.plotting.i18n import Texts
from fastdescent.plotting.style import styled

from ._common import LINE_CHARS, wrap, zoom_window

ID = "sd_table"
TITLE = "The fractal-trainability table (Sohl-Dickstein 2024)"

# ------------------------------------------------------------------------------ constants
WIDTH = 16
WINDOW = (-3.0, 6.0)       # log10 range of frame 0, both axes (the notebook's default)
ZOOM = 2.0                 # each frame this many times narrower per axis (the notebook's)
K_TAIL = 20                # losses averaged by the criterion
THRESHOLD = 1.0
MINIBATCH = 16
DATA_SEED = 0
INIT_SEED = 0
BATCH_SEED = 0

RES = 48                   # cells per axis and frame (full)
FRAMES = 3
STEPS = 100                # the notebook's default
#: the full run's stated budget on the shared 2-core development machine (docs/research.md
#: has the measured time): 6 configurations x FRAMES x RES^2 trajectories x STEPS steps (4.1
#: million trajectory-steps); larger grids go to a Dask cluster (``data(scheduler=...)``)
BUDGET = "30 minutes"
RES_QUICK = 24
FRAMES_QUICK = 2
STEPS_QUICK = 30
K_TAIL_QUICK = 10

#: The paper's Table 1 (box-counting dimension of the boundary).
PAPER = {"tanh": 1.66, "relu": 1.20, "identity": 1.17, "minibatch": 1.55, "single": 1.41,
         "offset": 1.98}

#: key -> settings of each configuration
CONFIGS = {
    "tanh": {"activation": "tanh", "examples": None, "batch": None, "phase": "lr"},
    "relu": {"activation": "relu", "examples": None, "batch": None, "phase": "lr"},
    "identity": {"activation": "identity", "examples": WIDTH, "batch": None, "phase": "lr"},
    "minibatch": {"activation": "tanh", "examples": None, "batch": MINIBATCH, "phase": "lr"},
    "single": {"activation": "tanh", "examples": 1, "batch": None, "phase": "lr"},
    "offset": {"activation": "tanh", "examples": None, "batch": None, "phase": "offset"},
}

_CACHE: dict = {}


def model_for(key: str):
    """The network of configuration ``key`` and its initial parameters."""
    import fastdescent as fd

    cfg = CONFIGS[key]
    m = fd.models.shallow_net(WIDTH, WIDTH, 1, activation=cfg["activation"],
                              examples=cfg["examples"], seed=DATA_SEED)
    return m, fd.models.shallow_init(m, seed=INIT_SEED)


def shared_batches(model, steps: int) -> np.ndarray:
    """One minibatch sequence ``(steps, MINIBATCH)`` drawn with replacement, for every cell."""
    rng = np.random.default_rng([BATCH_SEED, 2])
    return rng.integers(0, model.n_examples, (steps, MINIBATCH))


def frame(key: str, window, res: int, steps: int, k: int, scheduler=None) -> dict:
    """One frame: the ``res x res`` map over ``window = ((x0, x1), (y0, y1))`` (log10) as a
    sweep (rows: y, the output layer's rate or the shared rate; columns: x, the input layer's
    rate or the offset)."""
    import fastdescent as fd

    m, p0 = model_for(key)
    cfg = CONFIGS[key]
    gx = np.logspace(*window[0], res)
    gy = np.logspace(*window[1], res)
    opts = dict(reduction="mean", bound=np.inf, criterion=fd.LossRatio(k, THRESHOLD),
                progress=False, scheduler=scheduler)
    if cfg["batch"]:
        opts["batches"] = shared_batches(m, steps)
    if cfg["phase"] == "lr":
        ds = fd.sweep(m, fd.optim.gd(), p0[None], steps, lr={"input": gx, "output": gy},
                      **opts)
        ds = ds.isel(init=0).transpose("lr_output", "lr_input", ...)
    else:
        n_in = m.groups["input"][1]
        starts = np.repeat(p0[None], res, axis=0)
        starts[:, :n_in] += gx[:, None]  # the offset of every input-layer weight
        ds = fd.sweep(m, fd.optim.gd(), starts, steps, lr=gy, **opts)
        ds = ds.transpose("lr", "init", ...)
    return {"window": tuple(tuple(float(v) for v in w) for w in window), "x": gx, "y": gy,
            "trainable": ds["trainable"].values.astype(bool),
            "ratio": ds["loss_ratio"].values, "steps": ds["steps"].values,
            "diverged": ds["status"].values == fd.engine.status.DIVERGED}


def zoom_sequence(key: str, res: int, frames: int, steps: int, k: int, scheduler=None):
    """Frames 0..frames-1, each ``ZOOM`` times narrower than the last, centred on a boundary
    cell of it (:func:`~experiments.research._common.zoom_window`)."""
    win = (WINDOW, WINDOW)
    out = []
    for _ in range(frames):
        f = frame(key, win, res, steps, k, scheduler)
        out.append(f)
        _, (cy, cx) = zoom_window(f["trainable"], max(2, int(round(res / ZOOM))))
        lx, ly = np.log10(f["x"][cx]), np.log10(f["y"][cy])
        hw = (win[0][1] - win[0][0]) / ZOOM / 2
        win = ((lx - hw, lx + hw), (ly - hw, ly + hw))
    return out


def data(quick: bool = False, scheduler=None) -> dict:
    """Every configuration's zoom sequence and dimensions (cached per process)."""
    from fastdescent.analysis import boundary_dimension, zoom_dimension

    key = bool(quick)
    if key in _CACHE and scheduler is None:
        return _CACHE[key]
    res, frames, steps, k = ((RES_QUICK, FRAMES_QUICK, STEPS_QUICK, K_TAIL_QUICK) if quick
                             else (RES, FRAMES, STEPS, K_TAIL))
    configs = {}
    for c in CONFIGS:
        t0 = time.perf_counter()
        seq = zoom_sequence(c, res, frames, steps, k, scheduler)
        zd = zoom_dimension([f["trainable"] for f in seq])
        ours = []
        for f in seq:
            try:
                ours.append(float(boundary_dimension(f["trainable"].astype(int)).dimension))
            except ValueError:
                ours.append(float("nan"))
        configs[c] = {"frames": seq, "zoom": zd, "boundary_dimension": ours,
                      "seconds": time.perf_counter() - t0}
    summary = {"res": res, "frames": frames, "steps": steps, "k": k, "threshold": THRESHOLD,
               "width": WIDTH, "window": WINDOW, "zoom": ZOOM,
               "table": {c: {"paper": PAPER[c], "dimension": v["zoom"].dimension,
                             "uncertainty": v["zoom"].uncertainty,
                             "frame_medians": v["zoom"].frame_medians.tolist(),
                             "boundary_dimension": v["boundary_dimension"],
                             "trainable": [float(f["trainable"].mean()) for f in v["frames"]],
                             "windows": [f["window"] for f in v["frames"]],
                             "seconds": v["seconds"]}
                         for c, v in configs.items()}}
    out = {"configs": configs, "summary": summary, "quick": key}
    if scheduler is None:
        _CACHE[key] = out
    return out


def table_text(d) -> str:
    """The comparison table as Markdown."""
    s = d["summary"]
    lines = [f"| configuration | paper D | our D (median ± bootstrap sd) | frame medians | "
             f"boundary_dimension (frame 0) |", "|---|---|---|---|---|"]
    for c, row in s["table"].items():
        fm = ", ".join(f"{v:.2f}" for v in row["frame_medians"])
        lines.append(f"| {c} | {row['paper']:.2f} | {row['dimension']:.2f} ± "
                     f"{row['uncertainty']:.2f} | {fm} | {row['boundary_dimension'][0]:.2f} |")
    return "\n".join(lines)


# ------------------------------------------------------------------------------ figures
T = Texts({
    "maps_title": {
        "en": "Trainability of a one-hidden-layer network over its two learning rates: "
              "six configurations of the fractal-trainability paper",
        "es": "Entrenabilidad de una red de una capa oculta según sus dos tasas de aprendizaje: "
              "seis configuraciones del artículo de la frontera fractal"},
    "settings": {
        "en": "Width {w}, mean-field parameterization, full-batch gradient descent on the mean "
              "squared error, {steps} steps, {res} × {res} cells per frame; trainable: mean of "
              "the last {k} losses / initial loss < 1",
        "es": "Anchura {w}, parametrización de campo medio, descenso de gradiente de lote "
              "completo sobre el error cuadrático medio, {steps} pasos, {res} × {res} celdas por "
              "marco; entrenable: media de las últimas {k} pérdidas / pérdida inicial < 1"},
    "caption": {
        "en": "Black line: the trainability boundary (loss ratio = 1). $D$: median local slope "
              "of the box counts over {f} zoom frames (± bootstrap standard deviation); in "
              "brackets, the paper's value (4096² frames, 500 to 1000 steps, deeper zooms).",
        "es": "Línea negra: la frontera de entrenabilidad (cociente de pérdidas = 1). $D$: "
              "mediana de las pendientes locales del conteo de cajas en {f} marcos de "
              "ampliación (± desviación típica bootstrap); entre corchetes, el valor del "
              "artículo (marcos de 4096², de 500 a 1000 pasos, ampliaciones más profundas)."},
    "panel": {"en": "{name}: $D$ = {d:.2f} ± {u:.2f} [{p:.2f}]",
              "es": "{name}: $D$ = {d:.2f} ± {u:.2f} [{p:.2f}]"},
    "cfg_tanh": {"en": "tanh", "es": "tanh"},
    "cfg_relu": {"en": "ReLU", "es": "ReLU"},
    "cfg_identity": {"en": "identity", "es": "identidad"},
    "cfg_minibatch": {"en": "tanh, minibatch", "es": "tanh, minilote"},
    "cfg_single": {"en": "one data point", "es": "un solo dato"},
    "cfg_offset": {"en": "init. offset vs. rate", "es": "desplazamiento vs. tasa"},
    "lr_in": {"en": "Input layer rate", "es": "Tasa, capa de entrada"},
    "lr_out": {"en": "Output layer rate", "es": "Tasa, capa de salida"},
    "offset_x": {"en": "Input weight offset", "es": "Desplazamiento de los pesos de entrada"},
    "lr_both": {"en": "Rate (both layers)", "es": "Tasa (ambas capas)"},
    "ratio": {"en": "Not diverged: final / initial loss, $L_T/L_0$",
              "es": "No diverge: pérdida final / inicial, $L_T/L_0$"},
    "zoom_title": {
        "en": "The tanh network's trainability boundary (black line) at {f} zoom levels, each "
              "{z:g}× narrower per axis, centred on the boundary",
        "es": "La frontera de entrenabilidad de la red tanh (línea negra) en {f} niveles de "
              "ampliación, cada uno {z:g}× más estrecho por eje, centrados en la frontera"},
    "frame": {"en": "Frame {k}: $D$ = {d:.2f}", "es": "Marco {k}: $D$ = {d:.2f}"},
    "table_title": {
        "en": "Box-counting dimension of the trainability boundary: ours beside the paper's",
        "es": "Dimensión de conteo de cajas de la frontera de entrenabilidad: la nuestra junto "
              "a la del artículo"},
    "ours": {"en": "fastdescent (median ± bootstrap sd)",
             "es": "fastdescent (mediana ± d.t. bootstrap)"},
    "paper": {"en": "Sohl-Dickstein (2024), Table 1", "es": "Sohl-Dickstein (2024), tabla 1"},
    "dim": {"en": "Boundary dimension $D$", "es": "Dimensión de la frontera $D$"},
})


def _axes_labels(ax, key, lang):
    if CONFIGS[key]["phase"] == "lr":
        ax.set_xlabel(T("lr_in", lang))
        ax.set_ylabel(T("lr_out", lang))
    else:
        ax.set_xlabel(T("offset_x", lang))
        ax.set_ylabel(T("lr_both", lang))


def _shade(ax, f, vnorm, snorm):
    from fastdescent.plotting.maps import _edges

    from .fractal_lr import NET_RATIO_RANGE, _speed_rgba

    ok = ~f["diverged"]
    val = np.where(ok & np.isfinite(f["ratio"]), f["ratio"], NET_RATIO_RANGE[1])
    rgba = _speed_rgba(ok, np.maximum(val, NET_RATIO_RANGE[0]), f["steps"], vnorm, snorm)
    ax.pcolormesh(_edges(f["x"], True), _edges(f["y"], True), rgba, shading="flat",
                  rasterized=True)
    if 0 < f["trainable"].mean() < 1:  # the criterion's boundary (ratio = threshold)
        ax.contour(f["x"], f["y"], f["trainable"].astype(float), levels=[0.5], colors="black",
                   linewidths=1.2)
    ax.set_xscale("log")
    ax.set_yscale("log")


def _norms(frames):
    import matplotlib as mpl

    from .fractal_lr import NET_RATIO_RANGE

    smax = max(int(f["steps"][f["diverged"]].max(initial=2)) for f in frames)
    return mpl.colors.LogNorm(*NET_RATIO_RANGE, clip=True), mpl.colors.LogNorm(1, max(smax, 2))


@styled
def _maps_figure(d, lang):
    import matplotlib.pyplot as plt

    from .fractal_lr import _colorbars, _narrow_log_ticks

    s = d["summary"]
    fig = plt.figure(figsize=(12.8, 7.1), layout="constrained")
    gs = fig.add_gridspec(3, 3, height_ratios=(1, 1, 0.07))
    firsts = [v["frames"][0] for v in d["configs"].values()]
    vnorm, snorm = _norms(firsts)
    for i, (c, v) in enumerate(d["configs"].items()):
        ax = fig.add_subplot(gs[i // 3, i % 3])
        f = v["frames"][0]
        _shade(ax, f, vnorm, snorm)
        for axis, g in ((ax.xaxis, f["x"]), (ax.yaxis, f["y"])):
            _narrow_log_ticks(axis, np.log10(g[-1] / g[0]))
        _axes_labels(ax, c, lang)
        row = s["table"][c]
        ax.set_title(T("panel", lang, name=T("cfg_" + c, lang), d=row["dimension"],
                       u=row["uncertainty"], p=row["paper"]), fontsize=12)
    _colorbars(fig, [fig.add_subplot(gs[2, 0:2]), fig.add_subplot(gs[2, 2])], vnorm, snorm,
               T("ratio", lang), lang)
    fig.suptitle(wrap(T("maps_title", lang) + "\n" + T("settings", lang, w=WIDTH,
                                                       steps=s["steps"], res=s["res"],
                                                       k=s["k"])), fontsize=13)
    fig.supxlabel(wrap(T("caption", lang, f=s["frames"]), LINE_CHARS + 8), fontsize=12)
    return fig


@styled
def _zoom_figure(d, lang):
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    from .fractal_lr import _colorbars, _connect, _narrow_log_ticks

    v = d["configs"]["tanh"]
    frames = v["frames"]
    K = len(frames)
    fig = plt.figure(figsize=(13.0, 5.4), layout="constrained")
    gs = fig.add_gridspec(2, K, height_ratios=(1, 0.07))
    vnorm, snorm = _norms(frames)
    axes = [fig.add_subplot(gs[0, k]) for k in range(K)]
    for k, f in enumerate(frames):
        ax = axes[k]
        _shade(ax, f, vnorm, snorm)
        for axis, g in ((ax.xaxis, f["x"]), (ax.yaxis, f["y"])):
            _narrow_log_ticks(axis, np.log10(g[-1] / g[0]))
        _axes_labels(ax, "tanh", lang)
        ax.set_title(T("frame", lang, k=k, d=float(v["zoom"].frame_medians[k])), fontsize=12)
        if k + 1 < K:
            (a1, b1), (a2, b2) = frames[k + 1]["window"]
            for ec, lw in (("black", 2.0), ("white", 0.8)):
                ax.add_patch(Rectangle((10 ** a1, 10 ** a2), 10 ** b1 - 10 ** a1,
                                       10 ** b2 - 10 ** a2, fill=False, ec=ec, lw=lw, zorder=5))
            _connect(fig, ax, axes[k + 1], [(10 ** b1, 10 ** b2), (10 ** b1, 10 ** a2)])
    _colorbars(fig, [fig.add_subplot(gs[1, 0:max(1, K - 1)]), fig.add_subplot(gs[1, K - 1])],
               vnorm, snorm, T("ratio", lang), lang)
    s = d["summary"]
    fig.suptitle(wrap(T("zoom_title", lang, f=K, z=ZOOM) + "\n" + T(
        "settings", lang, w=WIDTH, steps=s["steps"], res=s["res"], k=s["k"])), fontsize=13)
    return fig


@styled
def _table_figure(d, lang):
    import matplotlib.pyplot as plt

    s = d["summary"]["table"]
    keys = list(s)
    fig, ax = plt.subplots(figsize=(13.0, 5.2), layout="constrained")
    yy = np.arange(len(keys))[::-1]
    ours = np.array([s[c]["dimension"] for c in keys])
    unc = np.array([s[c]["uncertainty"] for c in keys])
    paper = np.array([s[c]["paper"] for c in keys])
    ax.errorbar(ours, yy + 0.12, xerr=unc, fmt="o", color="#0072B2", ms=9, capsize=5, lw=2,
                label=T("ours", lang))
    ax.plot(paper, yy - 0.12, "D", color="#D55E00", mfc="white", mew=2, ms=9, ls="none",
            label=T("paper", lang))
    ax.set_yticks(yy)
    ax.set_yticklabels([T("cfg_" + c, lang) for c in keys])
    ax.set_xlabel(T("dim", lang))
    lo = np.nanmin(np.concatenate([ours - unc, paper]))
    hi = np.nanmax(np.concatenate([ours + unc, paper]))
    ax.set_xlim(min(0.9, lo - 0.1), max(2.1, hi + 0.1))
    ax.axvline(1.0, color="0.6", lw=1, ls=":")
    ax.axvline(2.0, color="0.6", lw=1, ls=":")
    fig.legend(loc="outside lower center", ncols=2)
    sm = d["summary"]
    fig.suptitle(wrap(T("table_title", lang) + "\n" + T("settings", lang, w=WIDTH,
                                                        steps=sm["steps"], res=sm["res"],
                                                        k=sm["k"])), fontsize=13)
    return fig


def draw(d, lang: str = "en") -> dict:
    """The study's figures (unsaved): ``{"maps", "zoom", "table"}``."""
    from ._common import check_lang

    check_lang(lang)
    return {"maps": _maps_figure(d, lang), "zoom": _zoom_figure(d, lang),
            "table": _table_figure(d, lang)}


def main(lang: str = "en", quick: bool = False, outdir="figures", data_=None) -> list:
    """Write ``outdir/<lang>/sd_table-{maps,zoom,table}`` (PNG + PDF),
    ``outdir/sd_table-summary.json`` and ``outdir/sd_table-table.md``; returns the paths."""
    from pathlib import Path

    from ._common import save_figures, write_summary

    d = data_ if data_ is not None else data(quick)
    paths = save_figures(draw(d, lang), outdir, lang, ID)
    paths.append(write_summary(outdir, ID, d["summary"]))
    md = Path(outdir) / f"{ID}-table.md"
    md.write_text(table_text(d) + "\n")
    paths.append(md)
    return paths
