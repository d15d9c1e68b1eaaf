"""An optimizer as one self-describing record (:class:`Rule`) and its instances (:class:`Optimizer`).

A :class:`Rule` says everything every consumer needs: its name, its hyperparameters (name,
default, valid range, whether it may vary per trajectory), the number of state arrays, the
njit step kernel (signature :data:`~fastdescent.contract.UPDATE`), optionally the kernel of
the point where the gradient is taken (:data:`~fastdescent.contract.LOOKAHEAD`) or a line
search (:data:`~fastdescent.contract.SEARCH`), what it is on a quadratic (a linear map, with
or without a closed-form stable interval, or why not), and how figures show it (display name,
colour). Factories, the command line, experiment files, plots, stability theory and the engine
all read the record; the engine knows nothing about particular rules.

Calling a rule builds an :class:`Optimizer`: the rule plus validated hyperparameters, each a
scalar or one value per trajectory (a sweep over them needs no recompilation)::

    opt = fd.optim.get_rule("adam")(lr=np.array([0.01, 0.05]))   # = fd.optim.adam(lr=...)

Per-group learning rates: for a model that declares parameter groups (a network's ``input`` and
``output`` layer, ``Model.groups``), the hyperparameter ``lr`` of any
rule with a step kernel may be a dict, one value (a scalar or per-trajectory array) per group::

    opt = fd.optim.adam(lr={"input": 1e-3, "output": np.geomspace(1e-4, 1, 8)})

The engine then applies the rule's step to each group's rows with that group's ``lr``
(:func:`fastdescent.engine.compiled.rule_kernels`); this is exact for a *separable* rule, one
whose step of a parameter reads only that parameter's gradient and state (every built-in rule;
a rule that couples parameters declares ``separable=False`` and takes one ``lr``). A scalar
``lr`` leaves the run bit for bit as it was.

Built-in rules live one per file in :mod:`fastdescent.optim.rules`; a user defines one in a
script the same way (README, "Your own optimizer") and may :func:`~fastdescent.optim.register`
it to make it known by name.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Callable

import numpy as np

__all__ = ["Spec", "Hyper", "Rule", "Optimizer", "NONNEG", "POSITIVE", "UNIT_OPEN", "UNIT_CLOSED",
           "OPEN_UNIT", "BOOL", "ITER"]

_INF = math.inf


@dataclass(frozen=True)
class Spec:
    """Valid range of one hyperparameter: ``lo <= v < hi`` (inclusiveness by flags).

    Attributes
    ----------
    lo, hi : float
        The bounds.
    lo_closed, hi_closed : bool
        Whether each bound belongs to the range.
    integer : bool
        Only integers.
    boolean : bool
        Only 0 or 1.

    Examples
    --------
    >>> import numpy as np
    >>> from fastdescent.optim import UNIT_OPEN, Spec
    >>> UNIT_OPEN.text()
    'in [0, 1)'
    >>> UNIT_OPEN.ok(np.array([0.0, 0.5, 1.0, np.nan]))
    array([ True,  True, False, False])
    >>> Spec(1.0, integer=True).text()
    'an integer >= 1'
    """

    lo: float = 0.0
    hi: float = _INF
    lo_closed: bool = True
    hi_closed: bool = False
    integer: bool = False
    boolean: bool = False

    def text(self) -> str:
        if self.boolean:
            return "a boolean (0/1)"
        if self.integer:
            return f"an integer >= {int(self.lo)}"
        lb = "[" if self.lo_closed else "("
        rb = "]" if self.hi_closed else ")"
        return f"in {lb}{self.lo:g}, {self.hi:g}{rb}"

    def ok(self, v: np.ndarray) -> np.ndarray:
        good = np.isfinite(v)
        good &= (v >= self.lo) if self.lo_closed else (v > self.lo)
        good &= (v <= self.hi) if self.hi_closed else (v < self.hi)
        if self.integer or self.boolean:
            good &= v == np.round(v)
        if self.boolean:
            good &= (v == 0) | (v == 1)
        return good


NONNEG = Spec()  #: [0, inf)
POSITIVE = Spec(lo_closed=False)  #: (0, inf)
UNIT_OPEN = Spec(0.0, 1.0)  #: [0, 1)
UNIT_CLOSED = Spec(0.0, 1.0, hi_closed=True)  #: [0, 1]
OPEN_UNIT = Spec(0.0, 1.0, lo_closed=False)  #: (0, 1)
BOOL = Spec(boolean=True)  #: 0 or 1
ITER = Spec(1.0, integer=True)  #: an integer >= 1


@dataclass(frozen=True)
class Hyper:
    """One hyperparameter: its name, default, valid range and whether each trajectory may
    have its own value (``per_trajectory=False``: a scalar, the same for a whole run).

    Examples
    --------
    A momentum coefficient in :math:`[0, 1)`, default 0.9; a rule validates values against the
    range:

    >>> from fastdescent.optim import UNIT_OPEN, Hyper
    >>> h = Hyper("beta", 0.9, UNIT_OPEN, doc="momentum")
    >>> h.name, h.default, h.spec.text()
    ('beta', 0.9, 'in [0, 1)')
    """

    name: str
    default: float
    spec: Spec = NONNEG
    per_trajectory: bool = True
    doc: str = ""


@dataclass(frozen=True, eq=False)
class Rule:
    """An update rule: one record read by every consumer (see the module docstring).

    Attributes
    ----------
    name : str
        Registry name (``"adam"``).
    hyper : tuple of Hyper
        Hyperparameters, in the order of the rows of the kernels' ``hyper`` (H, B) block. The
        first is the one the learning-rate schedule multiplies.
    n_state : int
        State arrays (each the size of the parameters), all zero at ``t = 0``.
    step : njit function or None
        ``step(phi, g, state, hyper, t, scale)`` (:data:`~fastdescent.contract.UPDATE`). Use
        ``@njit(error_model="numpy")``: a division by zero gives inf/nan (data: the trajectory
        diverges) rather than an exception in a compiled thread.
    lookahead : njit function or None
        ``lookahead(phi, state, hyper, scale, out)``: the point where the gradient of the step
        is taken; None: at ``phi``.
    search : njit function or None
        A line search (:data:`~fastdescent.contract.SEARCH`) instead of ``step``.
    linear : bool
        The step is a linear map of ``(phi, state)`` on a quadratic: the stability analysis
        builds its iteration matrix from the kernels.
    stable_interval : callable or None
        ``stable_interval(hyper, lam) -> (interval, lam_eff)``: the closed-form stable range
        ``(lo, hi)`` of :math:`a = \\alpha\\lambda_{eff}` on :math:`\\tfrac12\\lambda\\phi^2`
        (None: no learning rate is stable), and the effective curvature.
    nonlinear : str
        For a rule that is not linear on quadratics: why it has no stability threshold.
    label : dict
        Display name per language (``{"en": ..., "es": ...}``).
    color : str
        Its fixed colour in figures (hex).
    check : callable or None
        ``check(hyper)`` raises ValueError for combinations the ranges cannot express.
    factory : callable or None
        The public factory (keyword defaults and docstring), if it has one.
    separable : bool
        The step of each parameter reads only that parameter's gradient, state and the
        hyperparameters (not other parameters): ``lr`` may then be given per parameter group.

    Raises
    ------
    ValueError
        If the name is not an identifier, hyperparameter names repeat, neither or both of
        ``step`` and ``search`` are given, a kernel lacks ``error_model="numpy"`` or
        ``n_state`` is negative.
    TypeError
        If ``hyper`` is not a non-empty sequence of :class:`Hyper` or a kernel is not an njit
        function.

    Examples
    --------
    Sign descent, :math:`\\phi \\leftarrow \\phi - \\alpha\\operatorname{sign}(g)`, as a rule of its
    own: one njit step kernel over the (P, B) block of parameters and one hyperparameter.

    >>> import numpy as np
    >>> from numba import njit
    >>> import fastdescent as fd
    >>> @njit(error_model="numpy")
    ... def sign_step(phi, g, state, hyper, t, scale):
    ...     for k in range(phi.shape[0]):
    ...         for b in range(phi.shape[1]):
    ...             phi[k, b] -= hyper[0, b] * scale * np.sign(g[k, b])
    >>> sign_gd = fd.optim.Rule("sign_gd", (fd.optim.Hyper("lr", 0.1),), 0, sign_step)
    >>> sign_gd
    <Rule sign_gd(lr)>
    >>> res = fd.run(fd.models.quadratic((1.0, 4.0)), sign_gd(lr=0.25), [[1.0, -1.0]], steps=2)
    >>> res.params
    array([[ 0.5, -0.5]])
    >>> sign_gd(lr=-1.0)
    Traceback (most recent call last):
        ...
    ValueError: sign_gd: lr must be in [0, inf), got ...
    """

    name: str
    hyper: tuple = ()
    n_state: int = 0
    step: Any = None
    lookahead: Any = None
    search: Any = None
    linear: bool = False
    stable_interval: Callable | None = None
    nonlinear: str = ""
    label: dict = field(default_factory=dict)
    color: str = "#555555"
    check: Callable | None = None
    factory: Callable | None = None
    separable: bool = True

    def __post_init__(self):
        if not self.name.isidentifier():
            raise ValueError(f"a rule name must be an identifier, got {self.name!r}")
        hy = tuple(self.hyper)
        if not hy or not all(isinstance(h, Hyper) for h in hy):
            raise TypeError(f"{self.name}: hyper must be a non-empty sequence of Hyper")
        object.__setattr__(self, "hyper", hy)
        names = [h.name for h in hy]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.name}: hyperparameter names repeat: {names}")
        if (self.step is None) == (self.search is None):
            raise ValueError(f"{self.name}: give exactly one of step= or search=")
        for role, fn in (("step", self.step), ("lookahead", self.lookahead),
                         ("search", self.search)):
            if fn is None:
                continue
            if not (hasattr(fn, "py_func") and hasattr(fn, "compile")):
                raise TypeError(f"{self.name}: {role} must be a numba.njit function, got "
                                f"{type(fn).__name__}")
            if fn.targetoptions.get("error_model") != "numpy":
                raise ValueError(f"{self.name}: decorate the {role} kernel with "
                                 f"@njit(error_model='numpy') (a division by zero must give "
                                 f"inf/nan, not an exception inside a compiled thread)")
        if int(self.n_state) < 0:
            raise ValueError(f"{self.name}: n_state must be >= 0, got {self.n_state}")
        if not self.label:
            object.__setattr__(self, "label", {"en": self.name, "es": self.name})

    # ----------------------------------------------------------------------- facts
    @property
    def hyper_names(self) -> tuple[str, ...]:
        return tuple(h.name for h in self.hyper)

    @property
    def defaults(self) -> dict:
        return {h.name: h.default for h in self.hyper}

    @property
    def uses_line_search(self) -> bool:
        return self.search is not None

    def derive(self, **changes) -> "Rule":
        """A new rule from this one with some fields replaced (``defaults={...}`` changes
        hyperparameter defaults)."""
        defaults = changes.pop("defaults", {})
        hy = changes.pop("hyper", self.hyper)
        unknown = set(defaults) - {h.name for h in hy}
        if unknown:
            raise ValueError(f"{self.name} has no hyperparameter {sorted(unknown)[0]!r}")
        hy = tuple(replace(h, default=defaults.get(h.name, h.default)) for h in hy)
        changes.setdefault("factory", None)
        return replace(self, hyper=hy, **changes)

    def __call__(self, **hyper) -> "Optimizer":
        """An :class:`Optimizer` of this rule (defaults for the hyperparameters not given;
        each value a scalar or a 1-D array of per-trajectory values)."""
        unknown = set(hyper) - set(self.hyper_names)
        if unknown:
            raise TypeError(f"{self.name}() got an unexpected hyperparameter "
                            f"{sorted(unknown)[0]!r}; its hyperparameters are "
                            f"{', '.join(self.hyper_names)}")
        return Optimizer(self, self.validate({**self.defaults, **hyper}))

    def validate(self, hyper: dict) -> dict:
        """``hyper`` (every hyperparameter) as floats / float arrays, checked against the
        ranges; ValueError naming the first bad value otherwise."""
        clean = {}
        for h in self.hyper:
            v = hyper[h.name]
            if isinstance(v, dict):
                clean[h.name] = self._validate_groups(h, v)
                continue
            if isinstance(v, (bool, np.bool_)):
                v = float(v)
            try:
                arr = np.asarray(v, dtype=np.float64)
            except (TypeError, ValueError):
                raise TypeError(f"{h.name} must be a number or a 1-D array of numbers, "
                                f"got {type(v).__name__}") from None
            if arr.ndim > 1 or arr.size == 0:
                raise ValueError(f"{h.name} must be a scalar or a non-empty 1-D array, "
                                 f"got shape {arr.shape}")
            if arr.ndim == 1 and not h.per_trajectory:
                raise ValueError(f"{self.name}: {h.name} must be one value for the whole run "
                                 f"(it cannot vary per trajectory)")
            bad = ~h.spec.ok(arr)
            if np.any(bad):
                first = arr.ravel()[np.argmax(bad.ravel())]
                raise ValueError(f"{self.name}: {h.name} must be {h.spec.text()}, got {first!r}")
            clean[h.name] = float(arr) if arr.ndim == 0 else arr.copy()
        if self.check is not None:
            grouped = {k: v for k, v in clean.items() if isinstance(v, dict)}
            if not grouped:
                self.check(clean)
            for name, per in grouped.items():  # each group's value with the others
                for v in per.values():
                    self.check({**clean, name: v})
        return clean

    def _validate_groups(self, h: Hyper, per: dict) -> dict:
        """``per`` (group name -> value) of hyperparameter ``h``, each value validated."""
        if h.name != "lr" or self.step is None:
            what = (f"only lr may be given per group, not {h.name}" if h.name != "lr" else
                    "it has a line search, whose step is not lr times a direction")
            raise ValueError(f"{self.name}: {h.name} cannot be given per parameter group "
                             f"({what})")
        if not self.separable:
            raise ValueError(f"{self.name}: lr cannot be given per parameter group: the rule "
                             f"couples parameters (separable=False)")
        if not per:
            raise ValueError(f"{self.name}: {h.name} per group must name at least one group")
        out = {}
        for g, v in per.items():
            if not isinstance(g, str):
                raise TypeError(f"{self.name}: the groups of {h.name} must be named by strings,"
                                f" got {g!r}")
            one = Rule.validate(replace(self, check=None, hyper=(replace(h, name=f"{h.name}"
                                                                          f"[{g!r}]"),)),
                                {f"{h.name}[{g!r}]": v})
            out[g] = one[f"{h.name}[{g!r}]"]
        return out

    def __repr__(self) -> str:
        return f"<Rule {self.name}({', '.join(self.hyper_names)})>"


@dataclass(frozen=True, eq=False)
class Optimizer:
    """An update rule with its hyperparameters (each a scalar or a per-trajectory array).

    Attributes
    ----------
    rule : Rule
        The record (:mod:`fastdescent.optim.record`).
    hyper : dict
        Hyperparameter name -> float or 1-D array (one value per trajectory).

    Examples
    --------
    >>> import fastdescent as fd
    >>> opt = fd.optim.adam(lr=[0.01, 0.1])
    >>> opt
    adam(lr=<2 values>, beta=0.9, gamma=0.999, eps=1e-08)
    >>> opt.name, opt.n_state, opt.hyper_names
    ('adam', 2, ('lr', 'beta', 'gamma', 'eps'))
    >>> opt.replace(lr=0.05).hyper["lr"]
    0.05
    >>> opt.hyper_matrix(2)
    array([[1.00e-02, 1.00e-01],
           [9.00e-01, 9.00e-01],
           [9.99e-01, 9.99e-01],
           [1.00e-08, 1.00e-08]])
    """

    rule: Rule
    hyper: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.rule.name

    @property
    def hyper_names(self) -> tuple[str, ...]:
        return self.rule.hyper_names

    @property
    def n_state(self) -> int:
        """Number of state arrays (each the size of the parameters)."""
        return int(self.rule.n_state)

    @property
    def uses_line_search(self) -> bool:
        return self.rule.uses_line_search

    @property
    def groups(self) -> tuple[str, ...] | None:
        """The parameter groups given their own ``lr`` (None: one ``lr`` for every
        parameter)."""
        lr = self.hyper.get("lr")
        return tuple(lr) if isinstance(lr, dict) else None

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={_short(v)}" for k, v in self.hyper.items())
        return f"{self.name}({args})"

    def describe(self) -> dict:
        def plain(v):
            if isinstance(v, dict):
                return {g: plain(x) for g, x in v.items()}
            return np.asarray(v).tolist()

        return {"name": self.name, "hyper": {k: plain(v) for k, v in self.hyper.items()}}

    def replace(self, **changes) -> "Optimizer":
        """A copy with some hyperparameters replaced (validated). A per-group ``lr`` is
        updated group by group: ``replace(lr={"output": 0.5})`` keeps the other groups'."""
        unknown = set(changes) - set(self.hyper_names)
        if unknown:
            raise ValueError(f"{self.name} has no hyperparameter {sorted(unknown)[0]!r}; "
                             f"its hyperparameters are {', '.join(self.hyper_names)}")
        old = self.hyper.get("lr")
        if isinstance(changes.get("lr"), dict) and isinstance(old, dict):
            changes["lr"] = {**old, **changes["lr"]}
        return Optimizer(self.rule, self.rule.validate({**self.hyper, **changes}))

    def hyper_matrix(self, n: int, groups=None) -> np.ndarray:
        """The (H, n) matrix of per-trajectory hyperparameters (scalars broadcast).

        With a per-group ``lr``, ``groups`` (the model's group names, in parameter order) must
        be the groups it names; the matrix then has ``H + len(groups)`` rows: the rule's
        (its ``lr`` row holds the first group's values) and one ``lr`` row per group.
        """
        names = self.hyper_names
        rows = [self.hyper[k] for k in names]
        if self.groups is not None:
            per = self.hyper["lr"]
            if not groups:
                raise ValueError(f"lr is given per parameter group ({', '.join(per)}) but the "
                                 f"model declares no parameter groups")
            if set(per) != set(groups):
                raise ValueError(f"lr per group must name exactly the model's groups "
                                 f"({', '.join(groups)}), got {', '.join(per)}")
            glr = [per[g] for g in groups]
            rows = [glr[0] if k == "lr" else v for k, v in zip(names, rows)] + glr
            names = names + tuple(f"lr[{g!r}]" for g in groups)
        H = np.empty((len(rows), n))
        for i, (name, v) in enumerate(zip(names, rows)):
            v = np.asarray(v, dtype=np.float64)
            if v.ndim == 0:
                H[i] = v
            elif v.shape == (n,):
                H[i] = v
            else:
                raise ValueError(f"hyperparameter {name} has {v.size} values but there are {n} "
                                 f"trajectories (give a scalar or one value per trajectory)")
        return H


def _short(v):
    a = np.asarray(v)
    return f"{float(a):g}" if a.ndim == 0 else f"<{a.size} values>"
