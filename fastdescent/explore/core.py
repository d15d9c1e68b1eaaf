r"""The explorer's engine: every view is an experiment document, computed by the package's engine.

Nothing here needs a browser or Bokeh. A view (``TrajectoryView``, ``BasinView``,
``HyperView``) is built from the explorer's ``Settings`` as the parsed TOML of an
experiment file (``view.doc``), validated by the same ``fastdescent.cli.experiment.from_dict``
that ``fastdescent run`` uses and computed by the same sweep plan
(``fastdescent.engine.sweeps.SweepPlan``), in chunks, so that

* ``view.toml()`` written to a file and run with ``fastdescent run`` gives exactly (bit for
  bit) the arrays the view shows, since a sweep's results do not depend on its chunking;
* a computation can stop between two chunks when a newer request replaces it
  (``steps`` is a generator: one chunk per ``next``).

The catalogue (models, optimizers, hyperparameter sliders) is read from the registries:
``fastdescent.models.named_models`` (the models with two parameters, whose loss is a
surface) and ``fastdescent.optim.registry.all_rules`` (every registered rule, its
hyperparameters with their defaults and valid ranges).

Basin labels. The end points of the trajectories that converged
(:math:`\|\nabla L\| < \mathrm{tol}` within ``steps`` steps, status 1) are clustered into
attractors by single linkage at ``CLUSTER_TOL`` of the box width
(``fastdescent.analysis.find_attractors``). A trajectory that ran out of steps is
labelled with the attractor nearest to its end point when that lies within ``NEAR`` of
the box width in every coordinate (it is still on its way in), and "not converged" (``-2``)
otherwise; diverged trajectories are ``-1``. The basin entropy :math:`S_b` and boundary entropy
:math:`S_{bb}` (boxes of 5 cells) and the box-counting dimension :math:`D` of the basin
boundaries come from ``fastdescent.analysis``. The map and its legend colour the basins with
``fastdescent.plotting.style.basin_colors``: beyond 12 attractors the 12 largest basins keep
distinct palette colours and all smaller ones share one colour, "other attractors".
"""
from __future__ import annotations

import math
import os
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

__all__ = ["Settings", "Slider", "TrajectoryView", "BasinView", "HyperView", "surface_models",
           "optimizers", "sliders", "trajectory", "basins", "hypermap", "surface", "steps",
           "compute", "to_toml", "MAX_TRAJECTORIES", "MAX_GRID", "CLUSTER_TOL", "NEAR",
           "ExploreError", "label_ends"]

#: Largest number of trajectories one view may ask for (a 1024 x 1024 grid).
MAX_TRAJECTORIES = 1 << 20
#: Largest grid side of a basin or hyperparameter map.
MAX_GRID = 1024
#: Clustering resolution of the attractors (fraction of the box width).
CLUSTER_TOL = 1e-3
#: An unconverged end point this close to an attractor (fraction of the box width, in every
#: coordinate) is labelled with it.
NEAR = 2e-2
#: Trajectories per chunk: the granularity at which a newer request interrupts an older one.
CHUNK = 1024
#: Seeds of the SGD ensemble drawn from one clicked start.
SGD_SEEDS = 5


class ExploreError(ValueError):
    """A request the explorer cannot compute (shown as a message, never a crash).

    The message is one line that names the value refused and the valid range; the page
    shows it in place of the view. A subclass of ``ValueError``.

    Examples
    --------
    >>> from fastdescent.explore import core
    >>> try:
    ...     core.basins(core.Settings("himmelblau"), n=1)
    ... except core.ExploreError as exc:
    ...     print(exc)
    grid must be an integer >= 2, got 1
    >>> issubclass(core.ExploreError, ValueError)
    True
    """


# ------------------------------------------------------------------------------- catalogue
_MODELS: dict = {}


def surface_models() -> tuple[str, ...]:
    """Registry names of the models with two parameters (those with a loss surface).

    Examples
    --------
    >>> from fastdescent.explore.core import surface_models
    >>> "gabor" in surface_models() and "rosenbrock" in surface_models()
    True
    """
    if not _MODELS:
        from ..models import named_models

        for name, factory in named_models.items():
            try:
                m = factory()
            except TypeError:  # a factory that needs arguments (data, sizes)
                continue
            if m.n_params == 2:
                _MODELS[name] = m
    return tuple(_MODELS)


def model(name: str):
    """The model ``name`` of ``surface_models`` (built once)."""
    if name not in surface_models():
        raise ExploreError(f"unknown model {name!r}; the explorer shows the two-parameter "
                           f"models: {', '.join(surface_models())} (or a formula)")
    return _MODELS[name]


#: ``Settings.model`` of a model given as a formula (``Settings.formula``)
FORMULA = "formula"
_FORMULA_MODELS: dict = {}
_NOT_SYMBOLS = {"pi", "E"}


@dataclass(frozen=True)
class Formula:
    """A two-parameter loss typed as a formula (:func:`fastdescent.models.formula`), with the
    box its surface and maps cover. ``params`` are its two symbols in alphabetical order
    (horizontal axis first)."""

    text: str
    params: tuple
    box: tuple

    def table(self) -> dict:
        """The experiment file's ``[model]`` table that builds this model."""
        return {"formula": self.text, "params": list(self.params),
                "box": [list(b) for b in self.box]}


def formula(text: str, box=((-2.0, 2.0), (-2.0, 2.0))) -> Formula:
    """A :class:`Formula` from the typed ``text`` and ``box`` ``((x0, x1), (y0, y1))``, checked:
    exactly two symbols (the parameters; no data), a finite box with ``lo < hi``. The model
    itself is built on first use (:meth:`Settings.model_obj`), off the page's thread.

    Examples
    --------
    >>> from fastdescent.explore.core import formula
    >>> f = formula("(x**2 + y - 11)**2 + (x + y**2 - 7)**2", ((-5, 5), (-5, 5)))
    >>> f.params, f.table()["box"]
    (('x', 'y'), [[-5.0, 5.0], [-5.0, 5.0]])
    >>> formula("1e-3*u**2 + exp(-v**2) + 2.5e2").params  # numbers and functions are no symbols
    ('u', 'v')
    >>> formula("a*b*c")
    Traceback (most recent call last):
    ...
    fastdescent.explore.core.ExploreError: a surface formula has exactly two symbols (its parameters), got 3: a, b, c
    """
    import re

    if not isinstance(text, str) or not text.strip():
        raise ExploreError("type a formula of two parameters, e.g. (x**2 + y - 11)**2 + "
                           "(x + y**2 - 7)**2")
    text = text.strip()
    if len(text) > 500:
        raise ExploreError(f"the formula is {len(text)} characters long; at most 500")
    names = sorted({m.group(1) for m in re.finditer(r"(?<![\w.])([A-Za-z_]\w*)\s*(\()?", text)
                    if m.group(2) is None and m.group(1) not in _NOT_SYMBOLS})
    if len(names) != 2:
        raise ExploreError(f"a surface formula has exactly two symbols (its parameters), got "
                           f"{len(names)}: {', '.join(names) or 'none'}")
    b = check_box(box)
    return Formula(text, tuple(names), b)


def check_box(box) -> tuple:
    """``box`` as ``((x0, x1), (y0, y1))`` floats, finite with ``lo < hi`` (an
    ``ExploreError`` otherwise); a string of four numbers ``"x0, x1, y0, y1"`` is accepted."""
    if isinstance(box, str):
        try:
            v = [float(t) for t in box.replace(";", ",").split(",")]
        except ValueError:
            raise ExploreError(f"box must be four numbers x0, x1, y0, y1, got {box!r}") \
                from None
        box = v
    try:
        w = np.asarray(box, dtype=float).reshape(2, 2)
    except (TypeError, ValueError):
        raise ExploreError(f"box must be four numbers x0, x1, y0, y1, got {box!r}") from None
    if not np.all(np.isfinite(w)) or np.any(w[:, 1] <= w[:, 0]):
        raise ExploreError(f"box must be finite with x0 < x1 and y0 < y1, got "
                           f"{w.ravel().tolist()}")
    return ((float(w[0, 0]), float(w[0, 1])), (float(w[1, 0]), float(w[1, 1])))


def formula_model(f: Formula):
    """The :func:`fastdescent.models.formula` model of ``f`` (built once per formula and box;
    a formula that does not parse is an ``ExploreError`` with the parser's message)."""
    m = _FORMULA_MODELS.get(f)
    if m is None:
        from ..models.formula import formula as build

        try:
            m = build(f.text, list(f.params), box=f.box)
        except (ValueError, TypeError) as exc:
            raise ExploreError(str(exc)) from None
        _FORMULA_MODELS[f] = m
    return m


def optimizers() -> tuple[str, ...]:
    """Registry names of every registered optimizer (built-ins first).

    Examples
    --------
    >>> from fastdescent.explore.core import optimizers
    >>> {"gd", "adam", "momentum"} <= set(optimizers())
    True
    """
    from ..optim.registry import all_rules

    return tuple(r.name for r in all_rules())


@dataclass(frozen=True)
class Slider:
    """A hyperparameter as a slider: its range, and whether the slider moves its logarithm.

    A log slider (``log=True``) runs over :math:`\\log_{10}` of the value between ``lo`` and
    ``hi``; a boolean is a 0/1 slider, an integer one moves in steps of 1.

    Parameters
    ----------
    name : str
        The hyperparameter's name in the rule's record (``"lr"``).
    value : float
        Its default, where the slider starts.
    lo, hi : float
        The slider's range (in the value, also for a log slider).
    log : bool
        The slider moves :math:`\\log_{10}` of the value.
    step : float
        The slider's step (in :math:`\\log_{10}` of the value for a log slider).
    kind : {"float", "int", "bool"}
        The hyperparameter's type.

    Examples
    --------
    >>> from fastdescent.explore.core import sliders
    >>> lr = sliders("gd")[0]
    >>> lr.name, lr.value, lr.lo, lr.hi, lr.log
    ('lr', 0.1, 0.0001, 10.0, True)
    """

    name: str
    value: float
    lo: float
    hi: float
    log: bool = False
    step: float = 0.0
    kind: str = "float"


def sliders(name: str) -> tuple[Slider, ...]:
    """One ``Slider`` per hyperparameter of the registered rule ``name``, from its record.

    A range closed within ``[0, 1]`` is a linear slider over it (up to 0.999 when 1 is
    excluded); an unbounded one (a learning rate, :math:`\\epsilon`) a log slider over three
    decades below and two above the default; integers and booleans move in unit steps.

    Examples
    --------
    >>> from fastdescent.explore.core import sliders
    >>> [(s.name, s.log) for s in sliders("momentum")]
    [('lr', True), ('beta', False)]
    """
    from ..optim.registry import get_rule

    rule = get_rule(name)
    out = []
    for h in rule.hyper:
        sp, d = h.spec, float(h.default)
        if sp.boolean:
            out.append(Slider(h.name, d, 0.0, 1.0, step=1.0, kind="bool"))
        elif sp.integer:
            out.append(Slider(h.name, d, sp.lo, max(sp.lo + 10, 4 * d), step=1.0, kind="int"))
        elif math.isfinite(sp.hi) and sp.hi <= 1.0 and sp.lo >= 0.0:
            hi = sp.hi if sp.hi_closed else min(0.999, sp.hi)
            lo = sp.lo if sp.lo_closed else sp.lo + 1e-3
            out.append(Slider(h.name, d, lo, hi, step=min(0.01, (hi - lo) / 100)))
        else:
            base = d if d > 0 else 1e-3
            lo = max(base * 1e-3, sp.lo if sp.lo > 0 else 0.0)
            hi = base * 1e2 if not math.isfinite(sp.hi) else sp.hi
            out.append(Slider(h.name, d, lo, hi, log=True, step=0.01))
    return tuple(out)


# -------------------------------------------------------------------------------- settings
@dataclass(frozen=True)
class Settings:
    """What the explorer's controls set: model, optimizer and its hyperparameters, run options.

    ``hyper`` holds the hyperparameters moved from their defaults; ``batch_size`` 0 is full
    batch (a positive value draws minibatches: SGD, with ``SGD_SEEDS`` seeds per clicked
    start); ``tol`` stops a trajectory when :math:`\\|\\nabla L\\| < \\mathrm{tol}`.

    Parameters
    ----------
    model : str
        A model of ``surface_models`` (two parameters), or ``FORMULA``.
    optimizer : str
        A registered optimizer (``optimizers``).
    hyper : dict
        Hyperparameters moved from their defaults (``{"lr": 0.01}``).
    steps : int
        Steps per trajectory, in [1, 100000].
    tol : float
        Convergence tolerance on :math:`\\|\\nabla L\\|`.
    batch_size : int
        Minibatch size; 0 is full batch.
    formula : Formula, optional
        The loss typed as a formula, with ``model`` ``FORMULA``.

    Examples
    --------
    >>> from fastdescent.explore.core import Settings
    >>> s = Settings("rosenbrock", "momentum", {"lr": 1e-3})
    >>> s.hyper_values()
    {'lr': 0.001, 'beta': 0.9}
    >>> s.with_(hyper={"beta": 0.5}).hyper_values()
    {'lr': 0.001, 'beta': 0.5}
    >>> s.with_(optimizer="adam").hyper  # another optimizer starts from its defaults
    {}
    """

    model: str = "gabor"
    optimizer: str = "gd"
    hyper: dict = field(default_factory=dict)
    steps: int = 200
    tol: float = 1e-3
    batch_size: int = 0
    formula: Formula | None = None

    def with_(self, **changes) -> "Settings":
        """A copy with some fields changed (``hyper`` entries merged into the current ones)."""
        if "hyper" in changes:
            changes["hyper"] = {**self.hyper, **changes["hyper"]}
        if "optimizer" in changes and changes["optimizer"] != self.optimizer:
            changes.setdefault("hyper", {})
        return replace(self, **changes)

    def model_obj(self):
        """The model (a formula's is built on first use: call this off the page's thread)."""
        if self.model == FORMULA:
            if self.formula is None:
                raise ExploreError("type a formula of two parameters first")
            return formula_model(self.formula)
        return model(self.model)

    @property
    def box(self) -> tuple:
        """The model's box, without building a formula's model."""
        if self.model == FORMULA and self.formula is not None:
            return self.formula.box
        return tuple(self.model_obj().box)

    @property
    def label(self) -> str:
        """The model's name in titles: its registry name, or the formula."""
        if self.model == FORMULA and self.formula is not None:
            return self.formula.text
        return self.model

    def hyper_values(self) -> dict:
        """Every hyperparameter of the optimizer: the defaults with ``hyper`` on top."""
        from ..optim.registry import get_rule

        rule = get_rule(self.optimizer)
        return {h.name: float(self.hyper.get(h.name, h.default)) for h in rule.hyper}

    def sgd(self) -> bool:
        """Minibatches are drawn (``batch_size`` > 0 on a model with data)."""
        return self.batch_size > 0 and self.model_obj().has_data


def _check_steps(steps) -> int:
    if isinstance(steps, bool) or not float(steps).is_integer() or not 1 <= steps <= 100_000:
        raise ExploreError(f"steps must be an integer in [1, 100000], got {steps!r}")
    return int(steps)


def _check_grid(n, what="grid") -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ExploreError(f"{what} must be an integer >= 2, got {n!r}")
    if n > MAX_GRID:
        raise ExploreError(f"{what} = {n} is too large: at most {MAX_GRID} points a side "
                           f"({MAX_GRID}² = {MAX_GRID ** 2:,} trajectories)")
    return int(n)


def _check_window(window, what="zoom window"):
    w = np.asarray(window, dtype=float)
    if w.shape != (2, 2) or not np.all(np.isfinite(w)):
        raise ExploreError(f"{what} must be two finite (lo, hi) pairs, got {window!r}")
    if np.any(w[:, 1] - w[:, 0] <= 1e-12 * np.maximum(1.0, np.abs(w).max(axis=1))):
        raise ExploreError(f"{what} is empty: drag a rectangle with a width and a height "
                           f"(got x {w[0, 0]:g} to {w[0, 1]:g}, y {w[1, 0]:g} to {w[1, 1]:g})")
    return [[float(w[0, 0]), float(w[0, 1])], [float(w[1, 0]), float(w[1, 1])]]


def _base_doc(s: Settings, title: str) -> dict:
    _check_steps(s.steps)
    if not (isinstance(s.tol, (int, float)) and s.tol > 0 and math.isfinite(s.tol)):
        raise ExploreError(f"tol must be a positive number, got {s.tol!r}")
    opt = {"name": s.optimizer, **s.hyper_values()}
    run = {"steps": int(s.steps), "tol": float(s.tol)}
    if s.sgd():
        run["batch_size"] = int(s.batch_size)
    mod = s.formula.table() if s.model == FORMULA and s.formula else {"name": s.model}
    return {"title": title, "model": mod, "optimizer": opt, "start": {},
            "run": run, "output": {"path": "explore.nc"}}


# ----------------------------------------------------------------------------- computation
def experiment(doc: dict):
    """The validated ``fastdescent.cli.experiment.Experiment`` of a view's document
    (``ExploreError`` with the one-line reason when it is invalid)."""
    from ..cli.errors import UsageError
    from ..cli.experiment import from_dict

    out = os.path.join(tempfile.gettempdir(), "fastdescent-explore.nc")  # never written
    try:
        return from_dict(doc, source="explorer", base=Path.cwd(), output=out)
    except (UsageError, TypeError, ValueError) as exc:
        msg = str(exc)
        raise ExploreError(msg.removeprefix("explorer: ")) from None


def steps(doc: dict, chunk: int = CHUNK):
    """Compute a view's sweep one chunk per ``next`` (a generator); returns its Dataset.

    The chunks run through ``SweepPlan.compute``,
    exactly as ``fastdescent.sweep`` (and so ``fastdescent run``) runs them.

    Parameters
    ----------
    doc : dict
        A view's experiment document (``view.doc``).
    chunk : int
        Trajectories per ``next``.

    Yields
    ------
    float
        The fraction of the trajectories computed so far. The generator returns the
        sweep's ``xarray.Dataset`` (``StopIteration.value``, or
        ``view.ds = yield from steps(view.doc)``).

    Raises
    ------
    ExploreError
        If the document is invalid or asks for more than ``MAX_TRAJECTORIES`` trajectories.

    Examples
    --------
    >>> from fastdescent.explore import core
    >>> v = core.basins(core.Settings("himmelblau", "gd", {"lr": 0.01}, steps=50), n=4)
    >>> gen = core.steps(v.doc, chunk=6)
    >>> [next(gen) for _ in range(3)]  # 16 trajectories: 6, 12, 16
    [0.375, 0.75, 1.0]
    >>> try:
    ...     next(gen)
    ... except StopIteration as stop:
    ...     ds = stop.value
    >>> ds["status"].shape
    (4, 4)
    """
    exp = experiment(doc)
    plan = exp.plan()
    if plan.size > MAX_TRAJECTORIES:
        raise ExploreError(f"{plan.size:,} trajectories is too many for a live view (at most "
                           f"{MAX_TRAJECTORIES:,}); use fastdescent run for large studies")
    out = plan.empty_outputs()
    for lo in range(0, plan.size, chunk):
        hi = min(lo + chunk, plan.size)
        res = plan.compute(lo, hi)
        for k in out:
            out[k][lo:hi] = res[k]
        yield hi / plan.size
    ds = plan.dataset(out)
    if doc.get("title"):
        ds.attrs["title"] = doc["title"]
    return ds


def compute(doc: dict):
    """A view's Dataset in one call (``steps`` run to the end).

    Examples
    --------
    >>> from fastdescent.explore import core
    >>> v = core.trajectory(core.Settings(optimizer="gd", hyper={"lr": 0.01}), (0.6, 15.0))
    >>> ds = core.compute(v.doc)
    >>> ds.sizes["record"]
    201
    """
    gen = steps(doc)
    while True:
        try:
            next(gen)
        except StopIteration as stop:
            return stop.value


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if math.isnan(f):
            return "nan"
        if math.isinf(f):
            return "inf" if f > 0 else "-inf"
        return repr(f)  # the shortest decimal that parses back to the same double
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, (list, tuple, np.ndarray)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def to_toml(doc: dict, header: str = "") -> str:
    """An experiment document as TOML text: floats written as the shortest decimal that
    reads back to the same double, so the file reproduces the numbers bit for bit.

    Examples
    --------
    >>> import tomllib
    >>> from fastdescent.explore.core import to_toml
    >>> doc = {"title": "t", "optimizer": {"name": "gd", "lr": 0.1 + 0.2}}
    >>> tomllib.loads(to_toml(doc))["optimizer"]["lr"] == 0.1 + 0.2
    True
    """
    lines = [f"# {h}" for h in header.splitlines()] if header else []
    for k, v in doc.items():
        if not isinstance(v, dict):
            lines.append(f"{k} = {_toml_value(v)}")
    for k, v in doc.items():
        if isinstance(v, dict):
            lines += ["", f"[{k}]"] + [f"{kk} = {_toml_value(vv)}" for kk, vv in v.items()]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------------- views
@dataclass(eq=False)
class _View:
    settings: Settings
    doc: dict
    ds: object = None

    kind = "view"

    def toml(self) -> str:
        """The experiment file of this view (``fastdescent run`` reproduces its numbers)."""
        return to_toml(self.doc, f"{self.doc.get('title', '')}\n"
                       f"fastdescent run <this file>  reproduces the numbers of this view")

    def stem(self) -> str:
        return f"{self.kind}-{self.settings.model}-{self.settings.optimizer}"

    def export(self, directory, lang: str = "en") -> list[Path]:
        """Write ``<stem>.toml`` and the figure (``<stem>.png``, ``<stem>.pdf``) into
        ``directory``; returns the paths. The TOML's output is ``<stem>.nc`` beside it."""
        from .figures import draw

        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        stem = self.stem()
        doc = {**self.doc, "output": {"path": str((d / f"{stem}.nc").resolve())}}
        toml = d / f"{stem}.toml"
        tmp = toml.with_suffix(".toml.tmp")
        tmp.write_text(to_toml(doc, f"{doc.get('title', '')}\nfastdescent run {toml.name}  "
                                    f"reproduces the numbers of this view"))
        os.replace(tmp, toml)
        from ..plotting import style

        fig = draw(self, lang)
        try:
            paths = style.save(fig, d / stem)
        finally:
            import matplotlib.pyplot as plt

            plt.close(fig)
        return [toml, *paths]


@dataclass(eq=False)
class TrajectoryView(_View):
    """Trajectories from one clicked start (one per seed with minibatches).

    Built by ``trajectory``; ``ds`` holds the computed Dataset (``compute(view.doc)``), read
    through ``paths`` (every step recorded), ``losses``, ``status``, ``steps_taken`` and
    ``ends``.

    Parameters
    ----------
    settings : Settings
        The explorer's settings.
    doc : dict
        The experiment document (one start, ``record_every = 1``).
    ds : xarray.Dataset, optional
        The computed results.
    start : (float, float)
        The clicked start.

    Examples
    --------
    >>> from fastdescent.explore import core
    >>> v = core.trajectory(core.Settings("himmelblau", "gd", {"lr": 0.01}, steps=300),
    ...                     (0.0, 0.0))
    >>> v.ds = core.compute(v.doc)
    >>> v.paths.shape, v.status.tolist(), v.steps_taken.tolist()
    ((1, 301, 2), [1], [39])
    >>> v.ends.round(3).tolist()  # Himmelblau's minimum (3, 2)
    [[3.0, 2.0]]
    """

    start: tuple = (0.0, 0.0)
    kind = "trajectory"

    @property
    def paths(self) -> np.ndarray:
        """(S, K, 2) recorded points, S = 1 or the seeds."""
        p = self.ds["path"].values
        return p.reshape(-1, p.shape[-2], p.shape[-1])

    @property
    def losses(self) -> np.ndarray:
        return self.ds["loss"].values.reshape(-1)

    @property
    def status(self) -> np.ndarray:
        return self.ds["status"].values.reshape(-1)

    @property
    def steps_taken(self) -> np.ndarray:
        return self.ds["steps"].values.reshape(-1)

    @property
    def ends(self) -> np.ndarray:
        return self.ds["params"].values.reshape(-1, 2)


def trajectory(s: Settings, start) -> TrajectoryView:
    """The trajectory view from ``start`` (its document; ``compute(view.doc)`` runs it).

    Every step is recorded (``record_every = 1``); with minibatches, ``SGD_SEEDS`` seeds.

    Parameters
    ----------
    s : Settings
        Model, optimizer and run options.
    start : (float, float)
        The starting point.

    Returns
    -------
    TrajectoryView
        Not computed yet (``ds`` is None).

    Raises
    ------
    ExploreError
        If ``start`` is not two finite numbers, or the settings are invalid.

    Examples
    --------
    >>> from fastdescent.explore import core
    >>> v = core.trajectory(core.Settings("himmelblau", "gd", {"lr": 0.01}), (0.0, 0.0))
    >>> v.doc["start"], v.doc["run"]["record_every"], v.ds is None
    ({'points': [[0.0, 0.0]]}, 1, True)
    """
    p = np.asarray(start, dtype=float).reshape(-1)
    if p.shape != (2,) or not np.all(np.isfinite(p)):
        raise ExploreError(f"a start is two finite numbers, got {start!r}")
    doc = _base_doc(s, f"Explorer: {s.optimizer} on {s.label} from "
                       f"({p[0]:.6g}, {p[1]:.6g})")
    doc["start"] = {"points": [[float(p[0]), float(p[1])]]}
    doc["run"]["record_every"] = 1
    if s.sgd():
        doc["run"]["seeds"] = SGD_SEEDS
    return TrajectoryView(s, doc, start=(float(p[0]), float(p[1])))


@dataclass(eq=False)
class BasinView(_View):
    """The basin map over a window of starts, with its attractors and statistics.

    Built by ``basins``; after ``ds`` is computed, ``analyse`` fills ``attractors``,
    ``labels`` (``k >= 0`` attractor, ``-1`` diverged, ``-2`` not converged; see the module
    docstring), ``fractions``, ``entropy`` :math:`(S_b, S_{bb})`, ``dimension`` and
    ``converged`` (the fraction of starts that reached ``tol``).

    Parameters
    ----------
    settings : Settings
        The explorer's settings.
    doc : dict
        The experiment document (an ``n`` x ``n`` grid of starts over ``window``).
    ds : xarray.Dataset, optional
        The computed results.
    n : int
        Grid points per side.
    window : [[x0, x1], [y0, y1]]
        The window of starts.

    Examples
    --------
    >>> from fastdescent.explore import core
    >>> b = core.basins(core.Settings("himmelblau", "gd", {"lr": 0.01}, steps=300), n=8)
    >>> b.ds = core.compute(b.doc)
    >>> b = b.analyse()
    >>> len(b.attractors), b.labels.shape, b.fractions.fractions.tolist()
    (4, (8, 8), [0.25, 0.25, 0.25, 0.25])
    >>> b.converged
    1.0
    """

    n: int = 128
    window: list = None
    attractors: object = None
    labels: np.ndarray = None  # (n, n) indexed [i0, i1]
    fractions: object = None
    entropy: tuple = (math.nan, math.nan)
    dimension: float = math.nan
    converged: float = math.nan
    colors: list = None  # colour of each attractor (plotting.style.basin_colors)
    kind = "basins"

    @property
    def axes(self):
        return self.ds[self.ds["params"].dims[0]].values, self.ds[self.ds["params"].dims[1]].values

    def analyse(self, reference=None, colors=None) -> "BasinView":
        """Label the starts and compute fractions, entropies, the boundary dimension and the
        basins' colours (``colors`` of a parent view kept where possible; ``reference``: its
        attractors, which keep their labels)."""
        from ..analysis import basin_entropy, basin_fractions, boundary_dimension
        from ..plotting.style import basin_colors

        m = self.settings.model_obj()
        st = self.ds["status"].values.reshape(-1)
        pts = self.ds["params"].values.reshape(-1, 2)
        att, lab = label_ends(m, pts, st, reference)
        self.attractors = att
        self.labels = lab.reshape(self.n, self.n)
        self.fractions = basin_fractions(self.labels, len(att))
        box = 5 if self.n >= 5 else 1
        self.entropy = basin_entropy(self.labels, box)
        self.dimension = (float(boundary_dimension(self.labels).dimension)
                          if self.n >= 16 else math.nan)
        self.converged = float(np.mean(st == 1))
        self.colors = basin_colors(self.fractions.fractions, prefer=colors)
        return self


def label_ends(m, ends, status, reference=None):
    """``(attractors, labels)`` of end points ``(M, 2)`` with engine ``status`` (see the
    module docstring: converged ends clustered, unconverged ones within ``NEAR`` of an
    attractor take its label).

    Examples
    --------
    >>> import numpy as np, fastdescent as fd
    >>> from fastdescent.explore.core import label_ends
    >>> m = fd.models.himmelblau()
    >>> ends = np.array([[3.0, 2.0], [3.0, 2.0], [3.05, 2.0], [0.0, 0.0], [9e9, 0.0]])
    >>> att, lab = label_ends(m, ends, np.array([1, 1, 0, 0, 2]))
    >>> len(att), lab.tolist()
    (1, [0, 0, 0, -2, -1])
    """
    from ..analysis import box_widths, find_attractors

    status = np.asarray(status)
    ends = np.asarray(ends, dtype=float)
    w = box_widths(m)
    att, lab = find_attractors(ends, status, scale=w, tol=CLUSTER_TOL, hessian=m.hessian,
                               loss=m.loss, reference=reference)
    loc = np.asarray(att.locations, dtype=float).reshape(-1, ends.shape[1])
    todo = np.nonzero((status == 0) & np.all(np.isfinite(ends), axis=1))[0]
    if len(att) and todo.size:
        d = np.abs(ends[todo, None, :] - loc[None, :, :]) / w  # (T, K, P) scaled distances
        dmax = d.max(axis=2)
        k = np.argmin(dmax, axis=1)
        near = dmax[np.arange(todo.size), k] <= NEAR
        lab = lab.copy()
        lab[todo[near]] = k[near]
    return att, lab


def basins(s: Settings, n: int = 128, window=None) -> BasinView:
    """The basin-map view: an ``n`` x ``n`` grid of starts over ``window`` (default: the
    model's box), ``[[x0, x1], [y0, y1]]``.

    Parameters
    ----------
    s : Settings
        Model, optimizer and run options.
    n : int
        Grid points per side, in [2, ``MAX_GRID``].
    window : [[x0, x1], [y0, y1]], optional
        The window of starts (a zoom); default the model's box.

    Returns
    -------
    BasinView
        Not computed yet (``ds`` is None).

    Raises
    ------
    ExploreError
        If ``n`` is out of range or the window is empty or not finite.

    Examples
    --------
    >>> from fastdescent.explore import core
    >>> b = core.basins(core.Settings("himmelblau"), n=16, window=[[0, 5], [0, 5]])
    >>> b.doc["start"]
    {'grid': 16, 'box': [[0.0, 5.0], [0.0, 5.0]]}
    """
    n = _check_grid(n)
    m = s.model_obj()
    w = _check_window(m.box if window is None else window)
    doc = _base_doc(s, f"Explorer: basins of {s.optimizer} on {s.label}, {n} x {n} starts")
    doc["start"] = {"grid": n, "box": w}
    return BasinView(s, doc, n=n, window=w)


@dataclass(eq=False)
class HyperView(_View):
    """Outcome over a learning rate x hyperparameter grid from one start.

    Built by ``hypermap``; after ``ds`` is computed, ``analyse`` fills ``status`` and
    ``loss`` (``(len(xs), len(ys))``, one column without ``y``), the curvature ``lam``
    (:math:`\\lambda_{max}` of the Hessian at the lowest converged end point), the analytic
    stability boundary ``theory`` (``(ys, lr_max)`` where the rule's record has one: for
    gradient descent :math:`\\alpha_{max} = 2/\\lambda_{max}`) and the boundary dimension.

    Parameters
    ----------
    settings : Settings
        The explorer's settings.
    doc : dict
        The experiment document (the learning rates, and ``y``'s values, as lists).
    ds : xarray.Dataset, optional
        The computed results.
    x, y : str
        The hyperparameters on the axes (``y`` None: the learning rate alone).
    xs, ys : ndarray
        Their values.
    start : (float, float)
        The starting point.
    window : [[log10 lr0, log10 lr1], [y0, y1]]
        The window of the map.

    Examples
    --------
    >>> from fastdescent.explore import core
    >>> h = core.hypermap(core.Settings("himmelblau", "gd", steps=300), n=8)
    >>> h.ds = core.compute(h.doc)
    >>> h = h.analyse()
    >>> h.status[:, 0].tolist()  # 0 step limit, 1 converged, 2 diverged
    [0, 0, 1, 1, 2, 2, 2, 2]
    >>> float(h.theory[1][0]) == 2 / h.lam
    True
    """

    x: str = "lr"
    y: str | None = None
    xs: np.ndarray = None
    ys: np.ndarray = None
    start: tuple = (0.0, 0.0)
    window: list = None  # [[log10 lr0, log10 lr1], [y0, y1]]
    status: np.ndarray = None  # (nx, ny)
    loss: np.ndarray = None
    theory: tuple | None = None  # (ys, lr_max(ys)) or None
    lam: float = math.nan
    dimension: float = math.nan
    kind = "hypermap"

    def analyse(self) -> "HyperView":
        """Status and loss grids, the analytic boundary (where the rule's record has one, at
        the curvature :math:`\\lambda_{max}` of the lowest converged end point) and the
        box-counting dimension of the boundaries between the outcomes (converged, step
        limit, diverged)."""
        from ..analysis import boundary_dimension, stability_threshold

        st = self.ds["status"].values.reshape(len(self.xs), -1)
        lo = self.ds["loss"].values.reshape(len(self.xs), -1)
        self.status, self.loss = st, lo
        m = self.settings.model_obj()
        ok = (st == 1) & np.isfinite(lo)
        self.theory = None
        if ok.any():
            ends = self.ds["params"].values.reshape(st.shape + (2,))
            i = np.unravel_index(np.argmin(np.where(ok, lo, np.inf)), st.shape)
            eig = np.linalg.eigvalsh(m.hessian(ends[i]))
            self.lam = float(eig.max())
            hv = self.settings.hyper_values()
            hv.pop(self.x, None)
            ys = self.ys if self.y is not None else np.array([0.0])
            thr = []
            for yv in ys:
                if self.y is not None:
                    hv[self.y] = float(yv)
                try:
                    thr.append(stability_threshold(self.settings.optimizer, self.lam, **hv))
                except (TypeError, ValueError):
                    thr.append(math.nan)
            thr = np.asarray(thr, dtype=float)
            if np.any(np.isfinite(thr)):
                self.theory = (ys, thr)
        self.dimension = (float(boundary_dimension(st).dimension)
                          if min(st.shape) >= 16 and len(np.unique(st)) > 1 else math.nan)
        return self


def hypermap(s: Settings, y: str | None = None, n: int = 64, window=None,
             start=None) -> HyperView:
    """The hyperparameter-map view: learning rate (log axis) x hyperparameter ``y`` (None:
    the learning rate alone), ``n`` values each, from ``start`` (default: the box centre).

    ``window`` is ``[[log10 lr0, log10 lr1], [y0, y1]]`` (default: the sliders' ranges).

    Parameters
    ----------
    s : Settings
        Model, optimizer and run options.
    y : str, optional
        The second hyperparameter (one of the optimizer's, not the learning rate).
    n : int
        Values per axis, in [2, ``MAX_GRID``].
    window : [[log10 lr0, log10 lr1], [y0, y1]], optional
        The map's window (a zoom).
    start : (float, float), optional
        The starting point.

    Returns
    -------
    HyperView
        Not computed yet (``ds`` is None).

    Raises
    ------
    ExploreError
        If ``y`` is not a second hyperparameter of the optimizer, ``n`` is out of range or
        the window is empty.

    Examples
    --------
    >>> from fastdescent.explore import core
    >>> h = core.hypermap(core.Settings("quadratic", "momentum"), y="beta", n=3,
    ...                   window=[[-3, -1], [0.0, 0.5]])
    >>> h.doc["optimizer"]
    {'name': 'momentum', 'lr': [0.001, 0.01, 0.1], 'beta': [0.0, 0.25, 0.5]}
    """
    from ..optim.registry import get_rule

    n = _check_grid(n, "map size")
    rule = get_rule(s.optimizer)
    names = rule.hyper_names
    x = names[0]
    sl = {k.name: k for k in sliders(s.optimizer)}
    if y is not None and (y not in names or y == x):
        raise ExploreError(f"{s.optimizer} has no second hyperparameter {y!r}; choose one of "
                           f"{', '.join(names[1:]) or '(none)'}")
    m = s.model_obj()
    if start is None:
        start = [0.5 * (a + b) for a, b in m.box]
    if window is None:
        xr = [math.log10(sl[x].lo), math.log10(sl[x].hi)]
        yr = [sl[y].lo, sl[y].hi] if y is not None else [0.0, 1.0]
        window = [xr, yr]
    w = _check_window(window)
    xs = 10.0 ** np.linspace(w[0][0], w[0][1], n)
    doc = _base_doc(s, f"Explorer: {s.optimizer} on {s.label}, learning rate"
                       + (f" x {y}" if y else "") + " map")
    doc["optimizer"][x] = xs.tolist()
    ys = None
    if y is not None:
        ys = np.linspace(w[1][0], w[1][1], n)
        doc["optimizer"][y] = ys.tolist()
    p = np.asarray(start, dtype=float).reshape(-1)
    doc["start"] = {"points": [[float(p[0]), float(p[1])]]}
    return HyperView(s, doc, x=x, y=y, xs=xs, ys=ys, start=(float(p[0]), float(p[1])),
                     window=w)


def surface(s: Settings, n: int = 200, window=None):
    """``(x, y, L)`` of the loss surface over ``window`` (default: the model's box),
    ``L[j, i]`` the loss at ``(x[i], y[j])``.

    Parameters
    ----------
    s : Settings
        The model is ``s.model``.
    n : int
        Points per axis.
    window : [[x0, x1], [y0, y1]], optional
        The window; default the model's box.

    Returns
    -------
    x, y : ndarray (n,)
    L : ndarray (n, n)

    Raises
    ------
    ExploreError
        If the window is empty or not finite.

    Examples
    --------
    Himmelblau's loss :math:`(x^2 + y - 11)^2 + (x + y^2 - 7)^2` is 170 at the origin:

    >>> from fastdescent.explore import core
    >>> x, y, L = core.surface(core.Settings("himmelblau"), n=5)
    >>> x.tolist(), L.shape, float(L[2, 2])
    ([-5.0, -2.5, 0.0, 2.5, 5.0], (5, 5), 170.0)
    """
    m = s.model_obj()
    w = _check_window(m.box if window is None else window)
    x = np.linspace(w[0][0], w[0][1], n)
    y = np.linspace(w[1][0], w[1][1], n)
    X, Y = np.meshgrid(x, y)
    L = m.loss_many(np.column_stack([X.ravel(), Y.ravel()])).reshape(n, n)
    return x, y, L
