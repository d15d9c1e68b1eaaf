"""Labels of fastdescent figures in English (``lang="en"``) and Spanish (``lang="es"``).

:func:`t` looks a key up in :data:`TABLE` (every axis label, title and legend string the
plotting package writes); :func:`param_label` names a model's parameter axis, with the
lecture's names where the model has them (Gabor: offset / frequency; the 1-D linear regression:
intercept / slope) and the parameter in mathematical notation otherwise (``phi0`` ->
:math:`\\phi_0`); :func:`optimizer_label` names an optimizer.

Some entries are format strings (``t("attractor_k", "es", k=2)`` -> ``"Atractor 2"``).
"""
from __future__ import annotations

import re

__all__ = ["LANGS", "TABLE", "t", "check_lang", "param_label", "math_name", "optimizer_label",
           "kind_label", "MODEL_PARAM_KEYS"]

#: Supported languages.
LANGS = ("en", "es")

#: key -> {lang: text}. Every key has every language of :data:`LANGS`.
TABLE: dict[str, dict[str, str]] = {
    # quantities
    "loss": {"en": "Loss", "es": "Pérdida"},
    "loss_symbol": {"en": "$L$", "es": "$L$"},
    "log_loss": {"en": "Loss (log scale)", "es": "Pérdida (escala log.)"},
    "step": {"en": "Step", "es": "Paso"},
    "steps": {"en": "Steps", "es": "Pasos"},
    "steps_to_converge": {"en": "Steps to converge", "es": "Pasos hasta converger"},
    "learning_rate": {"en": "Learning rate, $\\alpha$", "es": "Tasa de aprendizaje, $\\alpha$"},
    "momentum": {"en": "Momentum, $\\beta$", "es": "Momento, $\\beta$"},
    "parameter": {"en": "Parameter", "es": "Parámetro"},
    "offset": {"en": "Offset", "es": "Desplazamiento"},
    "frequency": {"en": "Frequency", "es": "Frecuencia"},
    "intercept": {"en": "Intercept", "es": "Ordenada en el origen"},
    "slope": {"en": "Slope", "es": "Pendiente"},
    "second_derivative": {"en": "Second derivative, $L''$", "es": "Segunda derivada, $L''$"},
    "n_trajectories": {"en": "Number of trajectories", "es": "Número de trayectorias"},
    "fraction": {"en": "Fraction", "es": "Fracción"},
    # status
    "status": {"en": "Status", "es": "Estado"},
    "converged": {"en": "Converged", "es": "Converge"},
    "diverged": {"en": "Diverged", "es": "Diverge"},
    "not_converged": {"en": "Not converged", "es": "No converge"},
    "not_run": {"en": "Not run", "es": "No ejecutada"},
    "n_converged": {"en": "{n}/{total} converged", "es": "{n}/{total} convergen"},
    # critical points and basins
    "minimum": {"en": "Minimum", "es": "Mínimo"},
    "global_minimum": {"en": "Global minimum", "es": "Mínimo global"},
    "local_minimum": {"en": "Local minimum", "es": "Mínimo local"},
    "saddle_point": {"en": "Saddle point", "es": "Punto de silla"},
    "maximum": {"en": "Maximum", "es": "Máximo"},
    "degenerate": {"en": "Degenerate point", "es": "Punto degenerado"},
    "unknown": {"en": "Critical point", "es": "Punto crítico"},
    "attractor": {"en": "Attractor", "es": "Atractor"},
    "attractor_k": {"en": "Attractor {k}", "es": "Atractor {k}"},
    "basin_of_attraction": {"en": "Basin of attraction", "es": "Cuenca de atracción"},
    "basins_of_attraction": {"en": "Basins of attraction", "es": "Cuencas de atracción"},
    # curvature regions
    "curvature": {"en": "Curvature", "es": "Curvatura"},
    "convex": {"en": "Convex", "es": "Convexa"},
    "concave": {"en": "Concave", "es": "Cóncava"},
    "saddle_region": {"en": "Saddle", "es": "Silla"},
    "degenerate_region": {"en": "Degenerate", "es": "Degenerada"},
    "convex_1d": {"en": "Convex ($L''>0$)", "es": "Convexa ($L''>0$)"},
    "concave_1d": {"en": "Concave ($L''<0$)", "es": "Cóncava ($L''<0$)"},
    # curves and trajectories
    "trajectory": {"en": "Trajectory", "es": "Trayectoria"},
    "trajectories": {"en": "Trajectories", "es": "Trayectorias"},
    "start": {"en": "Start", "es": "Inicio"},
    "end": {"en": "End", "es": "Final"},
    "median": {"en": "Median", "es": "Mediana"},
    "quantile_band": {"en": "Quantiles {lo:g}–{hi:g}", "es": "Cuantiles {lo:g}–{hi:g}"},
    "theory": {"en": "Analytic boundary", "es": "Frontera analítica"},
    "loss_surface": {"en": "Loss surface", "es": "Superficie de pérdida"},
    # model fits
    "data": {"en": "Data", "es": "Datos"},
    "model": {"en": "Model", "es": "Modelo"},
    "prediction": {"en": "Prediction", "es": "Predicción"},
    "input": {"en": "Input, $x$", "es": "Entrada, $x$"},
    "input_k": {"en": "Input, $x_{k}$", "es": "Entrada, $x_{k}$"},
    "output": {"en": "Output, $y$", "es": "Salida, $y$"},
    "observed": {"en": "Observed, $y$", "es": "Observado, $y$"},
    "predicted": {"en": "Predicted, $f(x)$", "es": "Predicho, $f(x)$"},
    "class_k": {"en": "Class {k}", "es": "Clase {k}"},
    "probability": {"en": "Probability of class 1", "es": "Probabilidad de la clase 1"},
    "decision_boundary": {"en": "Decision boundary", "es": "Frontera de decisión"},
    "output_k": {"en": "Output {k}", "es": "Salida {k}"},
    # optimizers: each registered rule's record carries its display names (optimizer_label);
    # here only names figures use that are not registry names
    "opt_sgd": {"en": "SGD", "es": "SGD"},
    # lecture figures (experiments/lecture)
    "vary_offset": {"en": "Different offsets, {fixed}", "es": "Distintos desplazamientos, {fixed}"},
    "vary_frequency": {"en": "Different frequencies, {fixed}",
                       "es": "Distintas frecuencias, {fixed}"},
    "initial_model": {"en": "Initial model", "es": "Modelo inicial"},
    "fitted_model": {"en": "Fitted model", "es": "Modelo ajustado"},
    "gd_line_search_path": {"en": "Gradient descent with line search, {n} steps",
                            "es": "Descenso de gradiente con búsqueda lineal, {n} pasos"},
    "step_k": {"en": "Step {k}", "es": "Paso {k}"},
    "step_k_final": {"en": "Step {k} (last)", "es": "Paso {k} (último)"},
    "fitted_lines": {"en": "Model of each iterate", "es": "Modelo de cada iteración"},
    "parameter_phi": {"en": "Parameter, $\\phi$", "es": "Parámetro, $\\phi$"},
    "bracket_initial": {"en": "Initial bracket", "es": "Intervalo inicial"},
    "bracket_round": {"en": "Round {k}", "es": "Ronda {k}"},
    "bracket_rule_1": {"en": "$L(a)$ lowest: b, c, d halfway to a",
                       "es": "$L(a)$ mínima: b, c, d a mitad de camino hacia a"},
    "bracket_rule_2": {"en": "$L(b) < L(c)$: d $\\leftarrow$ c",
                       "es": "$L(b) < L(c)$: d $\\leftarrow$ c"},
    "bracket_rule_3": {"en": "$L(b) \\geq L(c)$: a $\\leftarrow$ b",
                       "es": "$L(b) \\geq L(c)$: a $\\leftarrow$ b"},
    "bracket_result": {"en": "After {n} rounds: $\\phi$ = {x:.4f}\n(global minimum at {m:.4f})",
                       "es": "Tras {n} rondas: $\\phi$ = {x:.4f}\n(mínimo global en {m:.4f})"},
    "convex_title": {"en": "Convex", "es": "Convexo"},
    "non_convex_title": {"en": "Non-convex", "es": "No convexo"},
    "d2_positive": {"en": "$L'' > 0$ everywhere: convex",
                    "es": "$L'' > 0$ en todas partes: convexo"},
    "d2_changes_sign": {"en": "$L''$ changes sign: non-convex",
                        "es": "$L''$ cambia de signo: no convexo"},
    "steps_back": {"en": "Steps back, $k$", "es": "Pasos hacia atrás, $k$"},
    "gradient_weight": {"en": "Weight of $g_{t-k}$: $(1-\\beta)\\beta^k$",
                        "es": "Peso de $g_{t-k}$: $(1-\\beta)\\beta^k$"},
    "momentum_weights_title": {"en": "Weights of the past gradients",
                               "es": "Pesos de los gradientes pasados"},
    "engine_buffer": {"en": "fastdescent, constant gradient",
                      "es": "fastdescent, gradiente constante"},
    "step_t": {"en": "Step, $t$", "es": "Paso, $t$"},
    "sum_of_weights": {"en": "Sum of the weights", "es": "Suma de los pesos"},
    "momentum_sum_title": {"en": "The weights sum to $1-\\beta^t$",
                           "es": "Los pesos suman $1-\\beta^t$"},
    "after_steps": {"en": "After {n} steps", "es": "Tras {n} pasos"},
    "share_global": {"en": "{p:.0f}% of {n} seeds end at the global minimum",
                     "es": "{p:.0f}% de {n} semillas acaban en el mínimo global"},
    "start_and_final_loss": {"en": "Start: final loss", "es": "Inicio: pérdida final"},
    "gd_line_search_title": {"en": "Gradient descent, line search (M = {m:g})",
                             "es": "Descenso de gradiente, búsqueda lineal (M = {m:g})"},
    "sgd_title": {"en": "SGD, $\\alpha$ = {lr:g}, batch {b}, {n} steps",
                  "es": "SGD, $\\alpha$ = {lr:g}, lote {b}, {n} pasos"},
    "full_batch_loss": {"en": "Full-batch loss and the SGD steps",
                        "es": "Pérdida total y los pasos de SGD"},
    "minibatch_step": {"en": "Step {k}: minibatch {{{ex}}}", "es": "Paso {k}: minilote {{{ex}}}"},
    "sgd_momentum_title": {"en": "SGD with momentum, $\\alpha$ = {lr:g}, $\\beta$ = {beta:g}",
                           "es": "SGD con momento, $\\alpha$ = {lr:g}, $\\beta$ = {beta:g}"},
    "sgd_plain_title": {"en": "SGD, $\\alpha$ = {lr:g}", "es": "SGD, $\\alpha$ = {lr:g}"},
    "run_summary": {"en": "Batch {b}, {n} steps: final {loss}\n{p:.0f}% of {s} seeds end at the global minimum",
                    "es": "Lote {b}, {n} pasos: {loss} final\n{p:.0f}% de {s} semillas acaban en el mínimo global"},
    "momentum_part": {"en": "Momentum part, $-\\alpha\\beta m_{t-1}$",
                      "es": "Parte del momento, $-\\alpha\\beta m_{t-1}$"},
    "grad_at_point": {"en": "Gradient part at the point", "es": "Parte del gradiente en el punto"},
    "grad_at_lookahead": {"en": "Gradient part at the look-ahead point",
                          "es": "Parte del gradiente en el punto anticipado"},
    "lookahead_point": {"en": "Look-ahead point", "es": "Punto anticipado"},
    "step_taken": {"en": "Step taken", "es": "Paso dado"},
    "one_step": {"en": "one step", "es": "un paso"},
    "both_paths": {"en": "{n} steps, $\\alpha$ = {a:g}, $\\beta$ = {b:g}",
                   "es": "{n} pasos, $\\alpha$ = {a:g}, $\\beta$ = {b:g}"},
    "univariate_regression": {"en": "Univariate regression", "es": "Regresión univariante"},
    "multivariate_regression": {"en": "Multivariate regression",
                                "es": "Regresión multivariante"},
    "binary_classification": {"en": "Binary classification", "es": "Clasificación binaria"},
    "multiclass_classification": {"en": "Multiclass classification",
                                  "es": "Clasificación multiclase"},
    "minimum_loss": {"en": "Minimum of the loss", "es": "Mínimo de la pérdida"},
    "final_loss_value": {"en": "Final loss {v:.3g}", "es": "Pérdida final {v:.3g}"},
    "schedule_constant": {"en": "Constant", "es": "Constante"},
    "schedule_step": {"en": "Step decay (x0.5 every 50)", "es": "Escalonada (x0.5 cada 50)"},
    "schedule_exponential": {"en": "Exponential ($0.98^t$)", "es": "Exponencial ($0.98^t$)"},
    "schedule_inverse_time": {"en": "Inverse time ($1/(1+0.05t)$)",
                              "es": "Inversa del tiempo ($1/(1+0.05t)$)"},
    "schedule_cosine": {"en": "Cosine", "es": "Coseno"},
    "lr_factor": {"en": "Learning-rate factor, $s(t)$",
                  "es": "Factor de la tasa de aprendizaje, $s(t)$"},
    "schedules_title": {"en": "Schedules: $\\alpha_t = \\alpha\\, s(t)$",
                        "es": "Programaciones: $\\alpha_t = \\alpha\\, s(t)$"},
    "excess_loss": {"en": "Excess loss, $L - L^*$", "es": "Exceso de pérdida, $L - L^*$"},
    "sgd_schedules_title": {"en": "SGD on linear regression, $\\alpha$ = {lr:g}, batch {b}, {n} seeds",
                            "es": "SGD en regresión lineal, $\\alpha$ = {lr:g}, lote {b}, {n} semillas"},
    "final_loss_median": {"en": "Final loss (median of {n} starts)",
                          "es": "Pérdida final (mediana de {n} inicios)"},
    "hyper_linear_title": {"en": "Linear regression, {n} steps",
                           "es": "Regresión lineal, {n} pasos"},
    "hyper_gabor_title": {"en": "Gabor model, {n} steps", "es": "Modelo de Gabor, {n} pasos"},
    "last_step_length": {"en": "last step: $|\\Delta\\phi|$ = {v:.2g}",
                         "es": "último paso: $|\\Delta\\phi|$ = {v:.2g}"},
    # end of lecture figures
    # research studies (experiments/research)
    "research_sgd_batch": {"en": "SGD (batch {b})", "es": "SGD (lote {b})"},
    "research_global_share": {"en": "{p:.1f}% at the global minimum",
                              "es": "{p:.1f}% en el mínimo global"},
    "research_other": {"en": "Other", "es": "Otros"},
    "research_minimum_loss": {"en": "Loss at the attractor (* global minimum)",
                              "es": "Pérdida en el atractor (* mínimo global)"},
    "research_basin_fraction": {"en": "Fraction of converged starts",
                                "es": "Fracción de inicios que convergen"},
    "research_global_fraction": {"en": "Starts reaching the global minimum",
                                 "es": "Inicios que llegan al mínimo global"},
    "research_gabor": {"en": "Gabor model", "es": "Modelo de Gabor"},
    "research_quadratic": {"en": "Quadratic, $\\lambda$ = {l1:g}, {l2:g}",
                           "es": "Cuadrática, $\\lambda$ = {l1:g}, {l2:g}"},
    "research_measured": {"en": "Measured boundary", "es": "Frontera medida"},
    "research_local_theory": {"en": "Local theory at the global minimum",
                              "es": "Teoría local en el mínimo global"},
    "research_median_loss": {"en": "Median final loss", "es": "Pérdida final mediana"},
    "research_trainable": {"en": "Trainable", "es": "Entrenable"},
    "research_box_size": {"en": "Box size, $s$", "es": "Tamaño de caja, $s$"},
    "research_box_count": {"en": "Boxes on the boundary, $N(s)$",
                           "es": "Cajas en la frontera, $N(s)$"},
    "research_fit_dim": {"en": "Fit, $D$ = {d:.3f}", "es": "Ajuste, $D$ = {d:.3f}"},
    "research_lr_layer": {"en": "Learning rate of layer {k}, $\\alpha_{k}$",
                          "es": "Tasa de aprendizaje de la capa {k}, $\\alpha_{k}$"},
    "research_zoom": {"en": "Zoom {k}", "es": "Ampliación {k}"},
    "research_start": {"en": "Start, $\\phi_0$ = {p:g}", "es": "Inicio, $\\phi_0$ = {p:g}"},
    "research_at_global": {"en": "At the global minimum", "es": "En el mínimo global"},
    "research_elsewhere": {"en": "Near it, not converged", "es": "Cerca, sin converger"},
    "research_escaped": {"en": "Left the global minimum", "es": "Abandona el mínimo global"},
    "research_steps_to_diverge": {"en": "Steps before diverging",
                                  "es": "Pasos antes de diverger"},
}

#: Models whose parameters have lecture names: model name -> one TABLE key per parameter.
MODEL_PARAM_KEYS = {
    "gabor": ("offset", "frequency"),
    "linear_regression_1d": ("intercept", "slope"),
}

_KIND_KEYS = {"minimum": "minimum", "global_minimum": "global_minimum",
              "local_minimum": "local_minimum", "saddle": "saddle_point",
              "maximum": "maximum", "degenerate": "degenerate", "unknown": "unknown"}

_GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
          "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi",
          "psi", "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Phi",
          "Psi", "Omega"}


def check_lang(lang) -> str:
    """Return ``lang`` if supported, else raise ValueError."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")
    return lang


def t(key: str, lang: str = "en", **fmt) -> str:
    """The text of ``key`` in ``lang`` (``"en"`` or ``"es"``), formatted with ``fmt``.

    Raises
    ------
    ValueError
        Unknown language.
    KeyError
        Unknown key.
    """
    check_lang(lang)
    if key not in TABLE:
        raise KeyError(f"no translation for {key!r}")
    text = TABLE[key][lang]
    return text.format(**fmt) if fmt else text


def math_name(name: str) -> str:
    """A parameter name in mathematical notation: ``phi0`` -> ``$\\phi_{0}$``,
    ``w0_1`` -> ``$w0_{1}$``, ``beta`` -> ``$\\beta$``; other names are returned as text."""
    name = str(name)
    m = re.fullmatch(r"([A-Za-z]+)(\d*)(?:_(\w+))?", name)
    if not m:
        return name.replace("_", " ")
    base, digits, sub = m.groups()
    if base in _GREEK:
        base = "\\" + base
    if sub is None:
        return f"${base}_{{{digits}}}$" if digits else f"${base}$"
    return f"${base}{digits}_{{{sub}}}$"


def param_label(model, k, lang: str = "en") -> str:
    """Axis label of parameter ``k`` (index or name) of ``model`` (a Model or its name).

    Lecture models get their names and symbol (``"Frecuencia, $\\phi_{1}$"``); others the
    symbol only. ``model`` may also be None (then ``k`` must be an index: ``$\\phi_{k}$``).
    """
    check_lang(lang)
    if model is None:
        return math_name(f"phi{int(k)}")
    name = model if isinstance(model, str) else model.name
    names = None if isinstance(model, str) else tuple(model.param_names)
    if isinstance(k, str):
        if names is None or k not in names:
            return math_name(k)
        k = names.index(k)
    k = int(k)
    symbol = math_name(names[k]) if names is not None else math_name(f"phi{k}")
    keys = MODEL_PARAM_KEYS.get(name)
    if keys is not None and k < len(keys):
        return f"{t(keys[k], lang)}, {symbol}"
    return symbol


def optimizer_label(name, lang: str = "en") -> str:
    """Display name of an optimizer (a registry name, a Rule or an Optimizer): the ``label``
    of its record in the optimizer registry; the name itself for an unknown one."""
    from ..optim.registry import all_rules

    check_lang(lang)
    key = str(getattr(name, "name", name))
    for rule in all_rules():
        if rule.name == key:
            return rule.label.get(lang) or rule.label.get("en") or key
    return t("opt_" + key, lang) if "opt_" + key in TABLE else key


def kind_label(kind: str, lang: str = "en") -> str:
    """Display name of a critical-point kind (``"saddle"`` -> ``"Saddle point"``)."""
    if kind not in _KIND_KEYS:
        raise KeyError(f"unknown kind {kind!r}; known: {', '.join(_KIND_KEYS)}")
    return t(_KIND_KEYS[kind], lang)
