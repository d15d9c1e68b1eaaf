"""Figure 6.7: SGD without and with momentum on the Gabor loss.

Point: momentum averages the minibatch gradients, so the path is smoother and, on average over
the minibatch draws, reaches the valley of the global minimum in fewer steps than plain SGD.

Settings are the book's: Gabor model, start (-1.5, 6.5), alpha 0.6, minibatches of 5 drawn
without replacement, 81 steps; momentum beta 0.6 (lecture form m <- beta m + (1 - beta) g,
phi <- phi - alpha m). They show the point over an ensemble: N_SEEDS minibatch streams (seeds),
each run with both rules, so that both see the same minibatch at every step. A single stream
can show the opposite (stream 0 ends lower with plain SGD), which is why the figure shows the
ensemble statistic next to one drawn pair:

* smoother -- the mean turning angle of a path, the mean over its steps of the angle between
  consecutive steps phi_{t+1} - phi_t (0 deg straight on, 180 deg straight back); stated for
  the drawn path and as the median over the seeds;
* faster -- panel (c): the full-batch loss L(phi_t) against the step t, median over the seeds
  with the band between the quartiles, for both rules; the global minimum's loss dashed.

The drawn pair is the seed whose gain from momentum, the mean over the steps of
L_SGD(phi_t) - L_momentum(phi_t), is the median gain over the seeds (the typical seed, not a
favourable one).
"""
from __future__ import annotations

import functools

import numpy as np
from matplotlib.lines import Line2D

import fastdescent as fd
from fastdescent import plotting as fp
from fastdescent.plotting import style as S
from fastdescent.plotting.i18n import Texts, number, optimizer_label

from ._common import cli, halo_trajectory, make_main, panel_title

#: This figure, as the registry reads it (``experiments.lecture.REGISTRY``): id, file-name
#: slug, titles and place in the lecture.
FIGURE = dict(id="6.7", slug="sgd-momentum", order=70,
              en='SGD without and with momentum',
              es='SGD sin y con momentum')
FIG_ID = FIGURE["id"]
START = (-1.5, 6.5)
LR = 0.6
BETA = 0.6
BATCH = 5
STEPS = 81
N_SEEDS = 200  # quick mode: N_SEEDS_QUICK
N_SEEDS_QUICK = 40
QUANTILES = (0.25, 0.5, 0.75)
XLIM = (-10.0, 10.0)
YLIM = (2.5, 22.5)
RULES = ("sgd", "momentum")

T = Texts({
    "f67_sgd": {"en": "SGD (no momentum)", "es": "SGD (sin momentum)"},
    "f67_momentum": {"en": "SGD with momentum, $\\beta$ = {b:g}",
                     "es": "SGD con momentum, $\\beta$ = {b:g}"},
    "f67_turn": {"en": "Mean turning angle: {a:.0f}°", "es": "Ángulo medio de giro: {a:.0f}°"},
    "f67_turn_median": {"en": "Median of {n} seeds: {m:.0f}°",
                        "es": "Mediana de {n} semillas: {m:.0f}°"},
    "f67_curves": {"en": "Loss against step, {n} seeds", "es": "Pérdida por paso, {n} semillas"},
    "f67_median": {"en": "{o}: median (final {v})", "es": "{o}: mediana (final {v})"},
    "f67_band": {"en": "Quartiles (25–75 %)", "es": "Cuartiles (25–75 %)"},
    "f67_global": {"en": "Global minimum, $L$ = {v}", "es": "Mínimo global, $L$ = {v}"},
    "f67_loss": {"en": "Full-batch loss, $L(\\phi_t)$", "es": "Pérdida total, $L(\\phi_t)$"},
    "f67_settings": {
        "en": "Gabor model, start {p}, $\\alpha$ = {a:g}, batch {b}, {n} steps; both rules see "
              "the same minibatches",
        "es": "Modelo de Gabor, inicio {p}, $\\alpha$ = {a:g}, lote {b}, {n} pasos; las dos "
              "reglas ven los mismos minilotes"},
    "f67_rule": {"en": "Paths drawn: seed {s}, the seed with the median gain of momentum over {m} "
                       "seeds",
                 "es": "Trayectorias: semilla {s}, la de ganancia mediana del momentum en {m} "
                       "semillas"},
})


def point(p, lang: str) -> str:
    """``(-1.5, 6.5)``; in Spanish ``(-1,5; 6,5)`` (the comma is the decimal mark)."""
    sep = "; " if lang == "es" else ", "
    return "(" + sep.join(number(float(v), lang, "g") for v in p) + ")"


def turning_angles(path) -> np.ndarray:
    """Angle (degrees, 0..180) between consecutive steps of each path, (..., T+1, 2) ->
    (..., T-1); a zero-length step gives angle 0."""
    d = np.diff(np.asarray(path, dtype=float), axis=-2)
    a, b = d[..., :-1, :], d[..., 1:, :]
    na, nb = np.linalg.norm(a, axis=-1), np.linalg.norm(b, axis=-1)
    cos = np.einsum("...i,...i->...", a, b) / np.where(na * nb > 0, na * nb, 1.0)
    return np.degrees(np.arccos(np.clip(np.where(na * nb > 0, cos, 1.0), -1.0, 1.0)))


def global_minimum(model) -> tuple[np.ndarray, float]:
    """The Gabor model's global minimum: gradient descent from the middle of its valley."""
    res = fd.run(model, fd.optim.gd(lr=0.01), (0.0, 16.0), 4000, tol=1e-10)
    return res.params[0], float(res.loss[0])


@functools.lru_cache(maxsize=2)
def data(quick: bool = False) -> dict:
    model = fd.models.gabor()
    n = N_SEEDS_QUICK if quick else N_SEEDS
    opts = {"sgd": fd.optim.gd(lr=LR), "momentum": fd.optim.momentum(lr=LR, beta=BETA)}
    runs = {}
    for key, opt in opts.items():
        # seed k keys the minibatch stream of trajectory k: the same batches for both rules
        res = fd.run(model, opt, np.tile(START, (n, 1)), STEPS, batch_size=BATCH,
                     seed=np.arange(n), index=np.zeros(n, dtype=np.int64), record_every=1)
        turn = turning_angles(res.path).mean(axis=1)
        runs[key] = {"paths": res.path, "loss_paths": res.loss_path, "final": res.loss,
                     "turn": turn,
                     "bands": np.quantile(res.loss_path, QUANTILES, axis=0)}
    gain = (runs["sgd"]["loss_paths"] - runs["momentum"]["loss_paths"]).mean(axis=1)
    # the seed with the median gain (nearest to it; the lower seed on a tie)
    seed = int(np.argmin(np.abs(gain - np.median(gain))))
    xmin, lmin = global_minimum(model)
    return {"model": model, "n_seeds": n, "runs": runs, "gain": gain, "seed": seed,
            "global_min": xmin, "global_loss": lmin, "n": 80 if quick else 220}


def draw(d: dict, lang: str = "en"):
    """Figure 6.7 of ``data()`` with labels in ``lang`` (drawn in the house style)."""
    with S.use_style():
        return _draw(d, lang)


def _draw(d: dict, lang: str):
    model = d["model"]
    n_seeds, seed = d["n_seeds"], d["seed"]
    fig, axs = fp.figure(1, 3, size=(13.0, 5.6), gridspec_kw={"width_ratios": [1, 1, 1.25]})
    axes = (np.linspace(*XLIM, d["n"]), np.linspace(*YLIM, d["n"]))
    for k, (ax, key) in enumerate(zip(axs[:2], RULES)):
        fp.loss_surface(model, ax, axes=axes, levels=22, colorbar=False, lang=lang)
        run = d["runs"][key]
        c = S.optimizer_color(key)
        path = run["paths"][seed]
        halo_trajectory(ax, path, color=c, markersize=2.5, linewidth=1.3, arrows=False)
        ax.plot(*path[-1], "o", ms=9, color=c, mec="white", mew=1.5, zorder=7)
        ax.plot(*d["global_min"], "*", ms=15, color="white", mec="black", mew=0.8, zorder=8)
        title = T("f67_sgd", lang) if key == "sgd" else T("f67_momentum", lang, b=BETA)
        panel_title(ax, k, title, fontsize=13)
        leg = ax.legend([Line2D([], [], color=c, marker="o", ms=4), Line2D([], [], lw=0)],
                        [T("f67_turn", lang, a=run["turn"][seed]),
                         T("f67_turn_median", lang, n=n_seeds, m=float(np.median(run["turn"])))],
                        loc="upper left", handlelength=1.2, framealpha=0.9)
        leg.set_zorder(9)
        ax.set_xlim(*XLIM)
        ax.set_ylim(*YLIM)
        ax.set_xticks([-10, -5, 0, 5, 10])
        ax.set_yticks([5, 10, 15, 20])
        if k == 1:
            ax.set_ylabel("")
            ax.set_yticklabels([])
    # (c) the ensemble: median loss and quartile band against the step
    ax = axs[2]
    steps = np.arange(STEPS + 1)
    for key in RULES:
        run = d["runs"][key]
        c = S.optimizer_color(key)
        lo, med, hi = run["bands"]
        ax.fill_between(steps, lo, hi, color=c, alpha=0.22, lw=0)
        ax.plot(steps, med, color=c, lw=2.5,
                label=T("f67_median", lang, o=optimizer_label(key, lang) if key == "momentum"
                        else "SGD", v=number(med[-1], lang, ".2f")))
    ax.fill_between([], [], [], color="0.55", alpha=0.35, lw=0, label=T("f67_band", lang))
    ax.axhline(d["global_loss"], color="black", lw=1.2, ls="--")
    ax.plot([], [], color="black", lw=1.2, ls="--", marker="*", ms=13, mfc="white", mec="black",
            label=T("f67_global", lang, v=number(d["global_loss"], lang, ".2f")))
    ax.set_xlim(0, STEPS)
    ax.set_ylim(0, None)
    ax.set_xlabel(T("step", lang))
    ax.set_ylabel(T("f67_loss", lang))
    ax.legend(loc="upper right")
    panel_title(ax, 2, T("f67_curves", lang, n=n_seeds), fontsize=13)
    fig.suptitle(T("f67_settings", lang, p=point(START, lang), a=LR, b=BATCH, n=STEPS),
                 fontsize=13)
    fig.supxlabel(T("f67_rule", lang, s=seed, m=n_seeds), fontsize=12)
    return fig


main = make_main(FIG_ID, data, draw)

if __name__ == "__main__":
    raise SystemExit(cli(FIG_ID, main))
