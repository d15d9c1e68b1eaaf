"""A view as a slide-ready matplotlib figure (the explorer's export), in the house style.

Drawn with ``fastdescent.plotting`` (loss surface and numbered trajectories, basin map with
the attractors, hyperparameter map with the analytic boundary), labels in English or Spanish
(decimal comma in Spanish), the settings of the view written under the title.
"""
from __future__ import annotations

import math

import numpy as np

from ..plotting import i18n
from ..plotting.i18n import Texts, number, optimizer_label

__all__ = ["draw", "T", "settings_line"]

#: The explorer's own strings (the shared vocabulary comes from fastdescent.plotting.i18n).
T = Texts({
    "app_title": {"en": "fastdescent explorer", "es": "Explorador de fastdescent"},
    "surface_tab": {"en": "Surface and trajectories", "es": "Superficie y trayectorias"},
    "basins_tab": {"en": "Basins", "es": "Cuencas"},
    "hyper_tab": {"en": "Hyperparameter map", "es": "Mapa de hiperparámetros"},
    "model_select": {"en": "Model", "es": "Modelo"},
    "formula_option": {"en": "your formula (below)", "es": "tu fórmula (abajo)"},
    "formula_label": {"en": "Your formula: loss of two parameters (Enter)",
                      "es": "Tu fórmula: pérdida de dos parámetros (Intro)"},
    "formula_box_label": {"en": "Its box: x0, x1, y0, y1", "es": "Su caja: x0, x1, y0, y1"},
    "optimizer": {"en": "Optimizer", "es": "Optimizador"},
    "steps_label": {"en": "Steps", "es": "Pasos"},
    "tol_label": {"en": "Tolerance |∇L| (log₁₀)", "es": "Tolerancia |∇L| (log₁₀)"},
    "batch_label": {"en": "Minibatch size (0: full batch)",
                    "es": "Tamaño del minilote (0: lote completo)"},
    "grid_label": {"en": "Grid points per side", "es": "Puntos de la rejilla por lado"},
    "yhyper_label": {"en": "Second axis of the map", "es": "Segundo eje del mapa"},
    "export": {"en": "Export figure + TOML", "es": "Exportar figura + TOML"},
    "reset_zoom": {"en": "Whole box", "es": "Caja completa"},
    "click_hint": {"en": "Click on the surface to start a trajectory there.",
                   "es": "Haz clic en la superficie para empezar una trayectoria ahí."},
    "zoom_hint": {"en": "Drag a rectangle (box select) to recompute that window.",
                  "es": "Arrastra un rectángulo (selección) para recalcular esa ventana."},
    "surface_scale": {"en": "log₁₀(L − L_min)", "es": "log₁₀(L − L_min)"},
    "computing": {"en": "Computing…", "es": "Calculando…"},
    "preview": {"en": "coarse preview {n} × {n}", "es": "vista previa {n} × {n}"},
    "settings": {"en": "{opt}{hyper}; {steps} steps, tol {tol}",
                 "es": "{opt}{hyper}; {steps} pasos, tol {tol}"},
    "sgd_settings": {"en": "minibatch {b}, {s} seeds", "es": "minilote {b}, {s} semillas"},
    "traj_title": {"en": "Trajectory from ({x}, {y})", "es": "Trayectoria desde ({x}, {y})"},
    "traj_end": {"en": "end: L = {loss} after {steps} steps ({status})",
                 "es": "final: L = {loss} tras {steps} pasos ({status})"},
    "ensemble": {"en": "{n} seeds: final L = {mean} ± {sd}; {conv} converged, {div} diverged",
                 "es": "{n} semillas: L final = {mean} ± {sd}; {conv} convergen, {div} divergen"},
    "diverged_msg": {"en": "The trajectory diverged (|φ| > bound): lower the learning rate.",
                     "es": "La trayectoria diverge (|φ| > cota): baja la tasa de aprendizaje."},
    "basins_title": {"en": "Basins, {n} × {n} starts", "es": "Cuencas, {n} × {n} inicios"},
    "basins_stats": {"en": "{k} attractors; fractions {fr}; diverged {dv}; reached tol {cv}; "
                           "S_b = {sb}, S_bb = {sbb}; boundary dimension D = {d}",
                     "es": "{k} atractores; fracciones {fr}; divergen {dv}; alcanzan tol {cv}; "
                           "S_b = {sb}, S_bb = {sbb}; dimensión de la frontera D = {d}"},
    "hyper_title": {"en": "Outcome from ({x}, {y})", "es": "Resultado desde ({x}, {y})"},
    "hyper_stats": {"en": "{conv} converged, {div} diverged; λ_max = {lam}; boundary "
                          "dimension D = {d}",
                    "es": "{conv} convergen, {div} divergen; λ_max = {lam}; dimensión de la "
                          "frontera D = {d}"},
    "exported": {"en": "Exported: {paths}", "es": "Exportado: {paths}"},
    "error": {"en": "Cannot compute this: {msg}", "es": "No se puede calcular: {msg}"},
    "final_loss": {"en": "Final loss", "es": "Pérdida final"},
})

_STATUS = {0: "not_converged", 1: "converged", 2: "diverged", -1: "not_run"}


def _n(v, lang, spec=".3g"):
    return "–" if v is None or (isinstance(v, float) and math.isnan(v)) else number(v, lang, spec)


def settings_line(view, lang: str = "en") -> str:
    """The view's settings in one line (optimizer, hyperparameters, steps, tolerance).

    A hyperparameter map leaves out the hyperparameters on its axes; with minibatches the
    line ends with the batch size and the number of seeds.

    Parameters
    ----------
    view : TrajectoryView, BasinView or HyperView
        A view of ``fastdescent.explore.core`` (computed or not).
    lang : {"en", "es"}
        Language (decimal comma in Spanish).

    Returns
    -------
    str

    Examples
    --------
    >>> from fastdescent.explore import core
    >>> from fastdescent.explore.figures import settings_line
    >>> v = core.trajectory(core.Settings("himmelblau", "gd", {"lr": 0.01}, steps=50), (0, 0))
    >>> settings_line(v, "es")
    'Descenso de gradiente, lr = 0,01; 50 pasos, tol 1e-03'
    >>> settings_line(core.hypermap(core.Settings("quadratic", "momentum"), y="beta", n=3))
    'Momentum; 200 steps, tol 1e-03'
    """
    s = view.settings
    hv = s.hyper_values()
    skip = {getattr(view, "x", None), getattr(view, "y", None)} if view.kind == "hypermap" else set()
    hyper = ", ".join(f"{k} = {number(v, lang, '.4g')}" for k, v in hv.items() if k not in skip)
    line = T("settings", lang, opt=optimizer_label(s.optimizer, lang),
             hyper=", " + hyper if hyper else "",
             steps=s.steps, tol=number(s.tol, lang, ".0e"))
    if s.sgd():
        line += "; " + T("sgd_settings", lang, b=s.batch_size, s=view.doc["run"].get("seeds", 1))
    return line


def status_name(code: int, lang: str) -> str:
    return i18n.t(_STATUS[int(code)], lang).lower()


def draw(view, lang: str = "en"):
    """The figure of a computed view (a new matplotlib Figure in the house style).

    A trajectory view is drawn on the loss surface (log colour scale) with its steps
    numbered, a basin view as the basin map with its attractors, a hyperparameter view as
    the outcome map with the analytic boundary; the title carries the view's start or grid
    and ``settings_line``.

    Parameters
    ----------
    view : TrajectoryView, BasinView or HyperView
        A computed view (``ds`` set; a basin or hyperparameter view analysed).
    lang : {"en", "es"}
        Language of the labels.

    Returns
    -------
    matplotlib.figure.Figure
        The caller closes it (``plt.close(fig)``).

    Raises
    ------
    ValueError
        If ``lang`` is not a supported language.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from fastdescent.explore import core
    >>> from fastdescent.explore.figures import draw
    >>> v = core.trajectory(core.Settings("himmelblau", "gd", {"lr": 0.01}, steps=50), (0, 0))
    >>> v.ds = core.compute(v.doc)
    >>> fig = draw(v, "es")
    >>> print(fig.axes[0].get_title())
    Trayectoria desde (0, 0)
    Descenso de gradiente, lr = 0,01; 50 pasos, tol 1e-03
    >>> plt.close(fig)
    """
    from .. import plotting as fp

    i18n.check_lang(lang)
    s = view.settings
    m = s.model_obj()
    with fp.use_style():
        fig, ax = fp.figure(size=(8.0, 6.0))
        if view.kind == "trajectory":
            pts = view.paths
            finite = pts[np.all(np.isfinite(pts), axis=2)]
            box = np.asarray(m.box, dtype=float)
            lo = np.minimum(box[:, 0], finite.min(axis=0)) if finite.size else box[:, 0]
            hi = np.maximum(box[:, 1], finite.max(axis=0)) if finite.size else box[:, 1]
            pad = 0.02 * (hi - lo)
            lo, hi = lo - pad, hi + pad
            lo, hi = np.maximum(lo, box[:, 0] - (box[:, 1] - box[:, 0])), \
                np.minimum(hi, box[:, 1] + (box[:, 1] - box[:, 0]))
            axes = (np.linspace(lo[0], hi[0], 200), np.linspace(lo[1], hi[1], 200))
            fp.loss_surface(m, ax, axes=axes, lang=lang, log=True)
            color = fp.optimizer_color(s.optimizer)
            for k, p in enumerate(pts):
                fp.trajectory(p, ax, numbered=(k == 0), color=color,
                              label=optimizer_label(s.optimizer, lang) if k == 0 else None)
            ax.set_xlim(lo[0], hi[0])
            ax.set_ylim(lo[1], hi[1])
            title = T("traj_title", lang, x=number(view.start[0], lang, ".3g"),
                      y=number(view.start[1], lang, ".3g"))
        elif view.kind == "basins":
            a0, a1 = view.axes
            fp.basin_map(view.labels.T, axes=(a0, a1), attractors=view.attractors, ax=ax,
                         model=m, lang=lang, colors=view.colors)
            title = T("basins_title", lang, n=view.n)
        else:
            st = view.status
            if view.y is None:
                fp.hyper_map(st[:, 0], view.xs, ax=ax, kind="status", lang=lang,
                             theory=None if view.theory is None else view.theory[1][:1])
            else:
                theory = None
                if view.theory is not None:
                    ys, thr = view.theory
                    ok = np.isfinite(thr)
                    theory = (thr[ok], ys[ok])  # lr_max(y) drawn as x = lr_max, y
                fp.hyper_map(st.T, view.xs, view.ys, ax=ax, kind="status", lang=lang,
                             theory=theory if theory is not None and theory[0].size else None,
                             xlabel="learning_rate", ylabel=_hyper_label(view.y, lang))
            title = T("hyper_title", lang, x=number(view.start[0], lang, ".3g"),
                      y=number(view.start[1], lang, ".3g"))
        ax.set_title(f"{title}\n{settings_line(view, lang)}", fontsize=12)
        fp.localize(fig, lang)
    return fig


def _hyper_label(name: str, lang: str) -> str:
    if name in ("beta", "momentum"):
        return i18n.t("momentum", lang)
    return f"{name} ({i18n.math_name(name)})" if i18n.math_name(name) != name else name
