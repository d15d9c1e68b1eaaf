"""Labels of fastdescent figures in English (``lang="en"``) and Spanish (``lang="es"``).

:func:`t` looks a key up in :data:`TABLE` (every axis label, title and legend string the
plotting package writes); :func:`param_label` names a model's parameter axis, with the
lecture's names where the model has them (Gabor: offset / frequency; the 1-D linear regression:
intercept / slope) and the parameter in mathematical notation otherwise (``phi0`` ->
:math:`\\phi_0`); :func:`optimizer_label` names an optimizer.

Some entries are format strings (``t("attractor_k", "es", k=2)`` -> ``"Atractor 2"``). Numbers
formatted into them follow the language's decimal mark: ``t("quantile_band", "es", lo=0.1,
hi=0.9)`` writes ``0,1`` and ``0,9`` (Spanish uses the decimal comma), independently of the
operating system's locale;
:func:`number` formats a single number the same way and :func:`decimal_comma` converts text.

A figure script keeps its own strings next to its code in a :class:`Texts` table, which falls
back to :data:`TABLE` for the shared vocabulary::

    T = Texts({"title": {"en": "Momentum, beta = {b:g}", "es": "Momentum, beta = {b:g}"}})
    T("title", "es", b=0.9)     # 'Momentum, beta = 0,9'
    T("loss", "es")             # 'Pérdida' (shared table)
"""
from __future__ import annotations

import re
import string

__all__ = ["LANGS", "TABLE", "t", "check_lang", "param_label", "math_name", "optimizer_label",
           "kind_label", "MODEL_PARAM_KEYS", "number", "decimal_comma", "Texts"]

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
    "momentum": {"en": "Momentum, $\\beta$", "es": "Momentum, $\\beta$"},
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
    "other_attractors": {"en": "Other attractors ({k})", "es": "Otros atractores ({k})"},
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
    "fitted_model": {"en": "Fitted model", "es": "Modelo ajustado"},
    "parameter_phi": {"en": "Parameter, $\\phi$", "es": "Parámetro, $\\phi$"},
    "step_t": {"en": "Step, $t$", "es": "Paso, $t$"},
    "excess_loss": {"en": "Excess loss, $L - L^*$", "es": "Exceso de pérdida, $L - L^*$"},
    # end of lecture figures
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
    """Return ``lang`` if supported, else raise ValueError.

    Parameters
    ----------
    lang : str

    Returns
    -------
    str

    Raises
    ------
    ValueError
        If ``lang`` is not in :data:`LANGS`.

    Examples
    --------
    >>> from fastdescent.plotting.i18n import check_lang
    >>> check_lang("es")
    'es'
    >>> check_lang("fr")
    Traceback (most recent call last):
        ...
    ValueError: unknown language 'fr'; use one of en, es
    """
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

    Parameters
    ----------
    key : str
        A key of :data:`~fastdescent.plotting.i18n.TABLE`.
    lang : {"en", "es"}
    **fmt
        Values of the text's ``{fields}`` (numbers get the language's decimal mark).

    Returns
    -------
    str

    Examples
    --------
    >>> from fastdescent import plotting as fp
    >>> fp.t("learning_rate", "en"), fp.t("learning_rate", "es")
    ('Learning rate, $\\\\alpha$', 'Tasa de aprendizaje, $\\\\alpha$')
    >>> fp.t("no such text")
    Traceback (most recent call last):
        ...
    KeyError: "no translation for 'no such text'"
    """
    check_lang(lang)
    if key not in TABLE:
        raise KeyError(f"no translation for {key!r}")
    return _render(TABLE[key][lang], lang, fmt)


# A digit, a point, a digit: the decimal point of a formatted number.
_DECIMAL_POINT = re.compile(r"(?<=\d)\.(?=\d)")
_MATH = re.compile(r"(\$[^$]*\$)")


def decimal_comma(text: str) -> str:
    """``text`` with the decimal point of every number replaced by a comma.

    Inside mathtext (``$...$``) the comma is written ``{,}``: TeX sets a bare comma as
    punctuation, with a space after it, while ``{,}`` is the ordinary decimal comma
    (``$10^{-2.5}$`` -> ``$10^{-2{,}5}$``).

    Parameters
    ----------
    text : str

    Returns
    -------
    str

    Examples
    --------
    >>> from fastdescent.plotting.i18n import decimal_comma
    >>> decimal_comma("lr = 0.25, 3 steps"), decimal_comma("$10^{-2.5}$")
    ('lr = 0,25, 3 steps', '$10^{-2{,}5}$')
    """
    parts = _MATH.split(str(text))
    return "".join(_DECIMAL_POINT.sub("{,}" if part.startswith("$") else ",", part)
                   for part in parts)


def number(value, lang: str = "en", spec: str = "g") -> str:
    """``value`` formatted with ``spec`` and the decimal mark of ``lang``.

    ``number(0.25, "es")`` -> ``"0,25"``; ``number(1234.5, "en", ".1f")`` -> ``"1234.5"``.
    Negative numbers keep the ASCII hyphen-minus (matplotlib's tick labels use the Unicode
    minus sign; both read the same at slide size).

    Parameters
    ----------
    value : float
    lang : {"en", "es"}
    spec : str
        A format specification (``".2f"``).

    Returns
    -------
    str

    Examples
    --------
    >>> from fastdescent.plotting.i18n import number
    >>> number(0.25, "es"), number(1234.5, "en", ".1f"), number(-0.5, "es", ".2f")
    ('0,25', '1234.5', '-0,50')
    """
    check_lang(lang)
    text = format(value, spec)
    return decimal_comma(text) if lang == "es" else text


class _LocalFormatter(string.Formatter):
    """``str.format`` whose numeric fields use the decimal mark of a language."""

    def __init__(self, lang: str):
        super().__init__()
        self.lang = lang

    def format_field(self, value, format_spec):
        text = super().format_field(value, format_spec)
        if self.lang == "es" and isinstance(value, (int, float)) and not isinstance(value, bool):
            return decimal_comma(text)
        if self.lang == "es" and type(value).__module__ == "numpy":
            return decimal_comma(text)
        return text


def _render(template: str, lang: str, fmt: dict) -> str:
    return _LocalFormatter(lang).format(template, **fmt) if fmt else template


class Texts:
    """A figure's own strings, ``{key: {"en": ..., "es": ...}}``, with :data:`TABLE` behind.

    Calling it is :func:`t` for these keys: ``T("title", "es", lr=0.5)``. Every key must have
    every language of :data:`LANGS` (checked when the table is made), and a key of the table
    may not shadow a shared key with a different meaning (it must not exist in :data:`TABLE`).

    Raises
    ------
    ValueError
        If a key lacks a language or shadows a key of :data:`TABLE`.

    Examples
    --------
    >>> from fastdescent.plotting.i18n import Texts
    >>> T = Texts({"title": {"en": "Step {lr}", "es": "Paso {lr}"}})
    >>> T("title", "es", lr=0.5), T("learning_rate", "es")
    ('Paso 0,5', 'Tasa de aprendizaje, $\\\\alpha$')
    """

    def __init__(self, table: dict[str, dict[str, str]]):
        for key, entry in table.items():
            missing = [lg for lg in LANGS if lg not in entry]
            if missing:
                raise ValueError(f"text {key!r} has no {', '.join(missing)} version")
            if key in TABLE:
                raise ValueError(f"text {key!r} is already a shared key of i18n.TABLE; "
                                 f"use that one or another name")
        self.table = dict(table)

    def __contains__(self, key) -> bool:
        return key in self.table or key in TABLE

    def __call__(self, key: str, lang: str = "en", **fmt) -> str:
        check_lang(lang)
        if key in self.table:
            return _render(self.table[key][lang], lang, fmt)
        return t(key, lang, **fmt)


def math_name(name: str) -> str:
    """A parameter name in mathematical notation: ``phi0`` -> ``$\\phi_{0}$``,
    ``w0_1`` -> ``$w0_{1}$``, ``beta`` -> ``$\\beta$``; other names are returned as text.

    Parameters
    ----------
    name : str

    Returns
    -------
    str

    Examples
    --------
    >>> from fastdescent.plotting.i18n import math_name
    >>> math_name("phi0"), math_name("w0_1"), math_name("beta"), math_name("bias term")
    ('$\\\\phi_{0}$', '$w0_{1}$', '$\\\\beta$', 'bias term')
    """
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

    Parameters
    ----------
    model : Model, str or None
    k : int or str
        Index or name of the parameter.
    lang : {"en", "es"}

    Returns
    -------
    str

    Examples
    --------
    >>> import fastdescent as fd
    >>> from fastdescent import plotting as fp
    >>> fp.param_label(fd.models.gabor(), 1, "es"), fp.param_label(fd.models.rosenbrock(), 0)
    ('Frecuencia, $\\\\phi_{1}$', '$\\\\phi_{0}$')
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
    of its record in the optimizer registry; the name itself for an unknown one.

    Parameters
    ----------
    name : str, Rule or Optimizer
    lang : {"en", "es"}

    Returns
    -------
    str

    Examples
    --------
    >>> from fastdescent import plotting as fp
    >>> fp.optimizer_label("gd", "es"), fp.optimizer_label("torch_sgd")
    ('Descenso de gradiente', 'SGD (PyTorch)')
    """
    from ..optim.registry import all_rules

    check_lang(lang)
    key = str(getattr(name, "name", name))
    for rule in all_rules():
        if rule.name == key:
            return rule.label.get(lang) or rule.label.get("en") or key
    return t("opt_" + key, lang) if "opt_" + key in TABLE else key


def kind_label(kind: str, lang: str = "en") -> str:
    """Display name of a critical-point kind (``"saddle"`` -> ``"Saddle point"``).

    Parameters
    ----------
    kind : str
        ``"minimum"``, ``"global_minimum"``, ``"saddle"``, ...
    lang : {"en", "es"}

    Returns
    -------
    str

    Raises
    ------
    KeyError
        If ``kind`` is unknown.

    Examples
    --------
    >>> from fastdescent.plotting.i18n import kind_label
    >>> kind_label("saddle", "es"), kind_label("minimum")
    ('Punto de silla', 'Minimum')
    """
    if kind not in _KIND_KEYS:
        raise KeyError(f"unknown kind {kind!r}; known: {', '.join(_KIND_KEYS)}")
    return t(_KIND_KEYS[kind], lang)
