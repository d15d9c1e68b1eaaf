"""Learning-rate schedules and their effect on SGD.

Point: with a constant learning rate SGD does not converge in the traditional sense -- the
minibatch noise keeps it bouncing around the minimum -- while decreasing the learning rate over
time (a schedule :math:`\\alpha_t = \\alpha\\, s(t)`) lets it settle: every decaying schedule
ends closer to the minimum than the constant one, in the median over the minibatch orders.

(a) the factor :math:`s(t)` of each schedule (:mod:`fastdescent.optim.schedules`);
(b) SGD (:math:`\\alpha` = ``LR``, minibatches of ``BATCH`` of the 12 points drawn without
replacement, ``STEPS`` steps) on the lecture's linear regression from ``START``, ``N_SEEDS``
minibatch orders (one seed per trajectory, the same seeds for every schedule, fastdescent.run):
the median excess loss :math:`L - L^*` over the seeds after every epoch (every 12/``BATCH``
steps: within an epoch the loss swings with the minibatch, which would hide the trend);
(c) the distribution of the final excess loss over the seeds: median (dot), 25-75 % (bar) and
10-90 % (line) quantiles.

Every curve is SGD, so no optimizer colour is used: the schedules differ by line style and
shade of grey (the same in (a) and (b)). Step decay equals the constant schedule until its first
drop, and with the same seeds its path is the same: the two curves coincide until t = 50.
"""
from __future__ import annotations

import functools

import numpy as np
from matplotlib.lines import Line2D

import fastdescent as fd
from fastdescent import plotting as fp
from fastdescent.optim import schedules as sch
from fastdescent.plotting import style as S
from fastdescent.plotting.i18n import Texts, number

from ._common import cli, make_main, panel_title

#: This figure, as the registry reads it (``experiments.lecture.REGISTRY``): id, file-name
#: slug, titles and place in the lecture.
FIGURE = dict(id="schedules", slug="sgd", order=150,
              en='Learning-rate schedules and their effect on SGD',
              es='Programación de la tasa de aprendizaje y su efecto en SGD')
FIG_ID = FIGURE["id"]
START = (1.6, -0.5)
LR = 0.1
BATCH = 3
STEPS = 200
N_SEEDS = 256  # minibatch orders (quick: 16)
SCHEDULES = (  # key, schedule
    ("constant", sch.constant()),
    ("step", sch.step_decay(50, 0.5)),
    ("exponential", sch.exponential(0.98)),
    ("inverse_time", sch.inverse_time(0.05)),
    ("cosine", sch.cosine(STEPS, 0.0)),
)
#: line style and grey of each schedule (no optimizer colour: every curve is SGD)
STYLES = {"constant": ("-", "black"), "step": ((0, (6, 2.5)), "0.45"),
          "exponential": (":", "black"), "inverse_time": ("-.", "0.3"),
          "cosine": ("-", "0.68")}
QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)

T = Texts({
    "schedule_constant": {"en": "Constant, $s = 1$", "es": "Constante, $s = 1$"},
    "schedule_step": {"en": "Step decay (×0.5 every 50)", "es": "Escalonada (×0,5 cada 50)"},
    "schedule_exponential": {"en": "Exponential, $0.98^t$", "es": "Exponencial, $0{,}98^t$"},
    "schedule_inverse_time": {"en": "Inverse time, $1/(1+0.05\\,t)$",
                              "es": "Inversa del tiempo, $1/(1+0{,}05\\,t)$"},
    "schedule_cosine": {"en": "Cosine, to 0 at $t$ = 200", "es": "Coseno, a 0 en $t$ = 200"},
    "schedule_constant_short": {"en": "Constant", "es": "Constante"},
    "schedule_step_short": {"en": "Step decay", "es": "Escalonada"},
    "schedule_exponential_short": {"en": "Exponential", "es": "Exponencial"},
    "schedule_inverse_time_short": {"en": "Inverse time", "es": "Inversa del tiempo"},
    "schedule_cosine_short": {"en": "Cosine", "es": "Coseno"},
    "lr_factor": {"en": "Learning-rate factor, $s(t)$", "es": "Factor de la tasa, $s(t)$"},
    "schedules_title": {"en": "Schedules: $\\alpha_t = \\alpha\\, s(t)$",
                        "es": "Programaciones: $\\alpha_t = \\alpha\\, s(t)$"},
    "median_title": {"en": "Median over {n} seeds, per epoch",
                     "es": "Mediana de {n} semillas, por época"},
    "final_title": {"en": "Final $L - L^*$ over {n} seeds",
                    "es": "$L - L^*$ final en {n} semillas"},
    "final_axis": {"en": "Excess loss at $t$ = {n}", "es": "Exceso de pérdida en $t$ = {n}"},
    "suptitle": {"en": "SGD on the linear regression from {start}: $\\alpha$ = {lr:g}, "
                       "minibatches of {b} of the 12 points, {n} steps",
                 "es": "SGD en la regresión lineal desde {start}: $\\alpha$ = {lr:g}, "
                       "minilotes de {b} de los 12 puntos, {n} pasos"},
    "legend_title": {"en": "Every curve is SGD; the line style gives its schedule",
                     "es": "Todas las curvas son SGD; el estilo de línea indica la programación"},
    "q_median": {"en": "Median", "es": "Mediana"},
    "q_inner": {"en": "Quantiles 25–75%", "es": "Cuantiles 25–75 %"},
    "q_outer": {"en": "Quantiles 10–90%", "es": "Cuantiles 10–90 %"},
})


@functools.lru_cache(maxsize=2)
def data(quick: bool = False) -> dict:
    model = fd.models.linear_regression_1d()
    best = model.minima[0].loss
    n = 16 if quick else N_SEEDS
    steps = np.arange(STEPS + 1)
    epoch = model.n_examples // BATCH
    out = {"steps": steps, "n_seeds": n, "epoch": epoch, "factors": {}, "median": {},
           "final": {}, "final_quantiles": {}, "final_median": {}}
    for key, s in SCHEDULES:
        out["factors"][key] = s(steps)
        res = fd.run(model, fd.optim.gd(lr=LR), np.tile(START, (n, 1)), STEPS,
                     batch_size=BATCH, schedule=s, seed=np.arange(n), record_every=1)
        ex = np.maximum(res.loss_path - best, 1e-16)  # (n, STEPS + 1)
        out["median"][key] = np.median(ex, axis=0)
        final = np.maximum(res.loss - best, 1e-16)
        out["final"][key] = final
        out["final_quantiles"][key] = dict(zip(QUANTILES, np.quantile(final, QUANTILES)))
        out["final_median"][key] = float(np.median(final))
    return out


def draw(d: dict, lang: str = "en"):
    """The figure of ``data()`` with labels in ``lang``, drawn in the house style."""
    with S.use_style():
        return _draw(d, lang)


def _draw(d: dict, lang: str):
    import matplotlib as mpl

    fig, (ax1, ax2, ax3) = fp.figure(1, 3, size=(13.2, 6.2),
                                     gridspec_kw={"width_ratios": [1.0, 1.25, 1.0]})
    steps, ep = d["steps"], d["epoch"]
    keys = [k for k, _ in SCHEDULES]
    handles = []
    for key in keys:
        ls, c = STYLES[key]
        lab = T(f"schedule_{key}", lang)
        handles.append(ax1.plot(steps, d["factors"][key], ls=ls, color=c, lw=2.4,
                                label=lab)[0])
        ax2.plot(steps[::ep], d["median"][key][::ep], ls=ls, color=c, lw=2.4)
    ax1.set_xlabel(T("step_t", lang))
    ax1.set_ylabel(T("lr_factor", lang))
    ax1.set_ylim(0, 1.05)
    ax1.set_xlim(0, steps[-1])
    panel_title(ax1, 0, T("schedules_title", lang))
    ax2.set_yscale("log")
    ax2.set_xlabel(T("step_t", lang))
    ax2.set_ylabel(T("excess_loss", lang))
    ax2.set_xlim(0, steps[-1])
    panel_title(ax2, 1, T("median_title", lang, n=d["n_seeds"]))
    # (c) final excess loss: quantile bars, one row per schedule
    for i, key in enumerate(keys):
        q = d["final_quantiles"][key]
        y = len(keys) - 1 - i
        ax3.plot([q[0.1], q[0.9]], [y, y], color="black", lw=1.5, solid_capstyle="butt")
        ax3.plot([q[0.25], q[0.75]], [y, y], color="0.55", lw=11, solid_capstyle="butt")
        ax3.plot(q[0.5], y, "o", mfc="white", mec="black", mew=1.6, ms=9)
    ax3.set_xscale("log")
    ax3.set_yticks(range(len(keys)))
    ax3.set_yticklabels([T(f"schedule_{k}_short", lang) for k in reversed(keys)])
    ax3.set_ylim(-2.5, len(keys) - 0.4)  # room for the legend below the last row
    ax3.spines["left"].set_visible(False)
    ax3.tick_params(axis="y", length=0)
    ax3.set_xlabel(T("final_axis", lang, n=int(steps[-1])))
    ax3.xaxis.set_major_locator(mpl.ticker.LogLocator(numticks=6))
    panel_title(ax3, 2, T("final_title", lang, n=d["n_seeds"]))
    qh = [Line2D([], [], ls="none", marker="o", mfc="white", mec="black", mew=1.6, ms=9,
                 label=T("q_median", lang)),
          Line2D([], [], color="0.55", lw=11, solid_capstyle="butt", label=T("q_inner", lang)),
          Line2D([], [], color="black", lw=1.5, label=T("q_outer", lang))]
    ax3.legend(handles=qh, loc="lower right")
    fig.legend(handles=handles, loc="outside lower center", ncol=3, handlelength=3.2,
               title=T("legend_title", lang), alignment="left")
    start = "(" + ("; " if lang == "es" else ", ").join(number(v, lang) for v in START) + ")"
    fig.suptitle(T("suptitle", lang, start=start, lr=LR, b=BATCH, n=STEPS), fontsize=13)
    return fig


main = make_main(FIG_ID, data, draw)

if __name__ == "__main__":
    raise SystemExit(cli(FIG_ID, main))
