"""Models from formulas: a per-example loss written as a symbolic expression.

:func:`formula` turns a loss such as ::

    fd.models.formula("(sin(p0 + 0.06*p1*x) * exp(-(p0 + 0.06*p1*x)**2/32) - y)**2",
                      params=["p0", "p1"], x=x, y=y)

into a :class:`~fastdescent.models.base.Model` with the same kernels a hand-written model has
(:func:`~fastdescent.models.base.custom_model`'s contract): the gradient and the Hessian are
derived symbolically with SymPy, common subexpressions are shared (``sympy.cse``), and the
three kernels are written as plain Python source into a module file in the on-disk cache, so
that ``cache=True`` and the engine's generated drivers work exactly as for a built-in model.
``sin``, ``cos`` and ``exp`` become :mod:`fastdescent.fastmath`'s vectorizable functions (one
``fast_sincos`` per distinct argument), so the loop over trajectories vectorizes; other
functions are ``math``'s.

Symbols
-------
parameters
    ``params=["a", "b"]`` (scalars) or ``"w[3]"`` (a vector ``w[0], w[1], w[2]``).
data
    ``x=`` / ``y=`` arrays: a 1-D array is the symbol ``x`` (``y``); a 2-D array of ``d``
    columns is ``x[0] .. x[d-1]``. Or ``data={"age": a, "height": h}``: named columns.
constants
    ``consts={"a": 1.0, "b": 100.0}``: named numbers read at run time (the generated code does
    not depend on their values, so changing them reuses the compiled kernels).
``pi``, ``E``
    the numbers.

Functions
---------
``sin cos exp`` (fastmath), ``log sqrt tan tanh sinh cosh atan asin acos erf`` (``math``),
``Sum(term, (j, lo, hi))`` (a sum over a small fixed range, expanded: inclusive bounds,
``j`` usable as an index ``w[j]``, ``x[j]``, also in arithmetic ``W[2*k + j]``), and
numerically stable helpers:

``logsumexp(z0, z1, ...)`` or ``logsumexp(term, (k, lo, hi))``
    :math:`m + \\log\\sum_k e^{z_k - m}`, :math:`m = \\max_k z_k`; derivative
    :math:`\\mathrm{softmax}_k = e^{z_k - \\mathrm{lse}}`. Softmax cross-entropy with the
    class index in ``y``: ``logsumexp(z(k), (k, 0, K-1)) - Sum(KroneckerDelta(y, k)*z(k),
    (k, 0, K-1))``.
``softplus(z)``
    :math:`\\log(1 + e^z) = \\max(z, 0) + \\log(1 + e^{-|z|})`; derivative ``sigmoid(z)``.
``sigmoid(z)``
    :math:`1/(1+e^{-z})`, evaluated without overflow for either sign.
``KroneckerDelta(a, b)``
    1 if ``a == b`` else 0 (pick the label's logit: ``Sum(KroneckerDelta(y, k)*z, ...)``);
    only of data and constants.

Non-differentiable functions are allowed with a documented subgradient: ``Abs(u)`` (``abs``)
has derivative ``sign(u)`` (0 at 0); ``sign``, ``Heaviside`` have derivative 0 (almost
everywhere; the Dirac part is dropped); ``Max``/``Min`` (``max``/``min``) take the derivative
of the larger (smaller) argument, the mean of both at a tie (``Heaviside(0) = 1/2``).
``^`` is read as ``**``.

Accuracy and range: ``sin``/``cos`` are exact to 1 ulp for ``|u| <= 2**20`` and NaN beyond
(:data:`fastdescent.fastmath.FAST_TRIG_MAX`: a trajectory that gets there is marked diverged);
``exp`` is within 1 ulp everywhere.

Errors (``ValueError``, raised before anything is compiled): a formula that does not parse or
uses other syntax than arithmetic, calls and indexing; an unknown symbol or function; a
parameter that does not appear in the loss; an index out of range (data columns, parameter
vectors); ``x`` and ``y`` of different lengths; a parameter inside ``KroneckerDelta``.

Caching: the generated module ``fd_formula_<key>.py`` lives in
``fastdescent.engine.compiled.cache_dir() / "formulas"``, ``<key>`` a hash of the formula, the
symbol layout, fastdescent's version and this generator; a second process (or a second
call) with the same formula imports it without running SymPy and loads the compiled kernels
from Numba's cache. ``model.source`` holds the generated source.

Hand-written kernels (:func:`~fastdescent.models.base.custom_model`) remain the way for
models with loops over a large dimension or scratch memory.
"""
from __future__ import annotations

import ast
import hashlib
import importlib.abc
import importlib.util
import math
import os
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from .base import Model, as_data, custom_model

__all__ = ["formula", "FormulaModel", "FUNCTIONS", "EXAMPLES"]

#: Formula examples shown by ``fastdescent list models`` (loss, params, data).
EXAMPLES = (
    ("Gabor (1-D data x, y)",
     "(sin(p0 + 0.06*p1*x) * exp(-(p0 + 0.06*p1*x)**2/32) - y)**2", "p0, p1"),
    ("logistic regression (data columns x0, x1, label y)",
     "softplus(w1*x0 + w2*x1 + b) - y*(w1*x0 + w2*x1 + b)", "w1, w2, b"),
    ("Rosenbrock (no data, consts a, b)", "(a - u)**2 + b*(v - u**2)**2", "u, v"),
)

#: Functions a formula may call (name -> what it computes).
FUNCTIONS = {
    "sin": "fastmath sine", "cos": "fastmath cosine", "exp": "fastmath exponential",
    "log": "math.log", "sqrt": "math.sqrt", "tan": "math.tan", "tanh": "math.tanh",
    "sinh": "math.sinh", "cosh": "math.cosh", "atan": "math.atan", "asin": "math.asin",
    "acos": "math.acos", "erf": "math.erf",
    "logsumexp": "stable log-sum-exp of its arguments", "softplus": "stable log(1+e^z)",
    "sigmoid": "stable 1/(1+e^-z)", "Sum": "Sum(term, (j, lo, hi)), expanded",
    "KroneckerDelta": "1 if a == b else 0 (data and constants only)",
    "Abs": "|u|, subgradient sign(u)", "abs": "= Abs", "sign": "sign, derivative 0",
    "Heaviside": "step (1/2 at 0), derivative 0", "Max": "largest argument", "max": "= Max",
    "Min": "smallest argument", "min": "= Min",
}

_GENERATOR = "3"  # bump when the generated code changes meaning


# ----------------------------------------------------------------------------- the model
@dataclass(frozen=True, eq=False)
class FormulaModel(Model):
    """A :class:`~fastdescent.models.base.Model` built by :func:`formula`.

    Extra attributes: ``formula`` (the loss as given), ``source`` (the generated kernels'
    Python source) and ``path`` (the generated module's file, or "" when the cache folder is
    not writable).

    Examples
    --------
    >>> import fastdescent as fd
    >>> m = fd.models.formula("(w - 3)**2 + u**4", ["w", "u"])
    >>> isinstance(m, fd.models.FormulaModel), m.formula
    (True, '(w - 3)**2 + u**4')
    >>> m.grad([0.0, 1.0]), m.hessian_is_exact
    (array([-6.,  4.]), True)
    """

    formula: str = ""
    source: str = ""
    path: str = ""
    spec: dict = field(default_factory=dict, repr=False)

    def __reduce__(self):
        # travels as its formula (to a Dask worker, a process pool): the receiving process
        # rebuilds it, generating the kernels' module there if its cache does not have it
        return _rebuild, (self.spec, self.box, self.minima, self.name)


def _rebuild(spec, box, minima, name):
    return formula(**spec, box=box, minima=minima, name=name)


def formula(loss, params: Sequence[str], *, x=None, y=None,
            data: Mapping[str, object] | None = None, consts: Mapping[str, float] | None = None,
            box=None, minima=(), hessian: bool = True, name: str = "formula") -> FormulaModel:
    """A model whose per-example loss is the formula ``loss`` (see the module docstring).

    Parameters
    ----------
    loss : str or sympy.Expr
        The loss of one example, :math:`\\ell(\\phi; x_i, y_i)`; the model's loss is its sum
        over the examples (no data: the formula itself). A SymPy expression uses symbols
        named like the parameters, data columns and constants.
    params : sequence of str
        Parameter names in order; ``"w[3]"`` declares a vector of 3 (names ``w[0]`` ...).
    x, y : array_like, optional
        Data, ``(N,)`` (symbol ``x``) or ``(N, d)`` (symbols ``x[0]`` ...).
    data : mapping of str to array_like, optional
        Named 1-D data columns (instead of ``x``/``y``), e.g. read from a CSV with a header.
    consts : mapping of str to float, optional
        Named constants, passed to the kernels at run time.
    box : sequence of (lo, hi), optional
        Plotting / grid box; default ``(-1, 1)`` per parameter.
    minima : sequence of KnownPoint, optional
        Known critical points.
    hessian : bool
        Derive the exact Hessian (default); False leaves Hessians to finite differences.
    name : str
        The model's name.

    Returns
    -------
    FormulaModel
        ``model.source`` shows the generated kernels.

    Raises
    ------
    ValueError
        If the formula does not parse, uses an unknown symbol or function, or the parameters
        or data are inconsistent.

    Examples
    --------
    Least squares of a line as a formula: the gradient and Hessian are derived symbolically.

    >>> import fastdescent as fd
    >>> m = fd.models.formula("(a + b*x - y)**2", ["a", "b"], x=[0, 1, 2], y=[1, 3, 5])
    >>> m.loss([1.0, 2.0]), m.grad([0.0, 0.0]), m.hessian([0.0, 0.0])
    (0.0, array([-18., -26.]), array([[ 6.,  6.],
           [ 6., 10.]]))
    >>> fd.models.formula("(a + b*x - z)**2", ["a", "b"], x=[0, 1], y=[1, 2])
    Traceback (most recent call last):
        ...
    ValueError: formula '(a + b*x - z)**2': unknown symbol 'z'; known: a, b, x, y ...
    """
    if not isinstance(params, str):
        try:
            params = list(params)
        except TypeError:
            raise ValueError("params must be a list of parameter names") from None
    layout = _Layout.build(params, x, y, data, consts)
    if isinstance(loss, str):
        text = loss.strip()
        if not text:
            raise ValueError("loss is an empty formula")
    else:
        text = _sympy_text(loss)
    key_src = "\n".join([_GENERATOR, _self_hash(), text, repr(layout.key()), str(bool(hessian))])
    key = hashlib.sha1(key_src.encode()).hexdigest()[:16]
    modname = f"fd_formula_{key}"
    mod = sys.modules.get(modname)
    if mod is None:
        path = _formula_dir() / f"{modname}.py"
        if path.exists():  # generated before from the same formula and layout: no SymPy
            mod = _import_file(modname, path)
        else:
            expr = _parse(loss, layout)  # every check happens here, before any compile
            src = _generate(expr, layout, text, bool(hessian), key)
            mod = _load_source(modname, src)
    model = custom_model(mod.example, mod.example_loss, param_names=layout.param_names,
                         x=layout.X, y=layout.Y, consts=layout.c,
                         example_hessian=mod.example_hessian if hessian else None,
                         box=box, minima=minima, name=name)
    settings = {"formula": text, "params": list(layout.param_names),
                "data": list(layout.data_names), "consts": dict(layout.const_values),
                "kernel": modname}
    fields = {f: getattr(model, f) for f in Model.__dataclass_fields__}
    fields.update(settings=settings, description=f"formula model: {text}")
    path = getattr(mod, "__file__", None) or ""
    source = Path(path).read_text() if path else mod.SOURCE
    spec = {"loss": loss, "params": params, "x": x, "y": y, "data": data, "consts": consts, "hessian": hessian}
    return FormulaModel(**fields, formula=text, source=source, path=str(path), spec=spec)


# ----------------------------------------------------------------------------- symbols
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_VEC = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\[(\d+)\]$")
_RESERVED = {"pi", "E", *FUNCTIONS}


@dataclass
class _Layout:
    """Where every name of the formula lives: params -> phi rows, data -> X/Y columns,
    constants -> c entries. ``scalars`` and ``vectors`` map user names to internal names."""

    param_names: tuple
    scalars: dict       # user name -> internal name ("p_0", "x_1", "y_0", "c_2")
    vectors: dict       # user name -> list of internal names (w[3], x with 2 columns)
    X: np.ndarray | None
    Y: np.ndarray | None
    c: np.ndarray
    const_values: dict
    data_names: tuple
    has_data: bool
    n_params: int
    params_internal: tuple

    def key(self):
        return (self.param_names, tuple(sorted(self.scalars.items())),
                tuple(sorted((k, tuple(v)) for k, v in self.vectors.items())))

    @staticmethod
    def build(params, x, y, data, consts) -> "_Layout":
        if isinstance(params, str):
            params = [p.strip() for p in params.split(",") if p.strip()]
        try:
            params = list(params)
        except TypeError:
            raise ValueError("params must be a list of parameter names") from None
        if not params:
            raise ValueError("params must name at least one parameter")
        scalars, vectors, pnames, taken = {}, {}, [], set()

        def claim(nm, what):
            if not isinstance(nm, str) or not _NAME.match(nm):
                raise ValueError(f"{what} name {nm!r} is not a valid name (letters, digits, _)")
            if nm in _RESERVED:
                raise ValueError(f"{what} name {nm!r} is reserved (a function or constant)")
            if nm in taken:
                raise ValueError(f"name {nm!r} is used twice (parameters, data, constants)")
            taken.add(nm)

        k = 0
        for p in params:
            m = _VEC.match(p.strip()) if isinstance(p, str) else None
            if m:
                nm, n = m.group(1), int(m.group(2))
                claim(nm, "parameter")
                if n < 1:
                    raise ValueError(f"parameter vector {p!r} must have a length >= 1")
                vectors[nm] = [f"p_{k + j}" for j in range(n)]
                pnames += [f"{nm}[{j}]" for j in range(n)]
                k += n
            else:
                claim(p, "parameter")
                scalars[p] = f"p_{k}"
                pnames.append(p)
                k += 1
        if data is not None and (x is not None or y is not None):
            raise ValueError("give data= (named columns) or x= and y=, not both")
        X = Y = None
        data_names = []
        if data is not None:
            if not isinstance(data, Mapping) or not data:
                raise ValueError("data must be a non-empty mapping of column name -> values")
            cols = []
            for j, (nm, v) in enumerate(data.items()):
                claim(nm, "data column")
                arr = as_data(v, f"data[{nm!r}]")
                if arr.shape[1] != 1:
                    raise ValueError(f"data[{nm!r}] must be 1-D (one column), got "
                                     f"{arr.shape[1]} columns")
                if cols and arr.shape[0] != cols[0].shape[0]:
                    raise ValueError(f"data columns must have the same length: "
                                     f"{data_names[0]!r} has {cols[0].shape[0]} values, "
                                     f"{nm!r} has {arr.shape[0]}")
                cols.append(arr)
                data_names.append(nm)
                scalars[nm] = f"x_{j}"
            X = np.ascontiguousarray(np.hstack(cols))
            Y = np.zeros((X.shape[0], 0))
        elif x is not None or y is not None:
            if x is None or y is None:
                raise ValueError("give both x and y, or neither (or named columns in data=)")
            X, Y = as_data(x, "x"), as_data(y, "y")
            if X.shape[0] != Y.shape[0]:
                raise ValueError(f"x and y must have the same number of examples, got "
                                 f"{X.shape[0]} and {Y.shape[0]}")
            for nm, arr, tag in (("x", X, "x"), ("y", Y, "y")):
                claim(nm, "data")
                vectors[nm] = [f"{tag}_{j}" for j in range(arr.shape[1])]
                if arr.shape[1] == 1:  # one column: also the plain symbol
                    scalars[nm] = f"{tag}_0"
                data_names.append(nm)
        cvals = {}
        if consts:
            if not isinstance(consts, Mapping):
                raise ValueError("consts must be a mapping of name -> number")
            for j, (nm, v) in enumerate(consts.items()):
                claim(nm, "constant")
                try:
                    fv = float(v)
                except (TypeError, ValueError):
                    raise ValueError(f"constant {nm!r} must be a number, got {v!r}") from None
                if not math.isfinite(fv):
                    raise ValueError(f"constant {nm!r} must be finite, got {fv}")
                scalars[nm] = f"c_{j}"
                cvals[nm] = fv
        c = np.array(list(cvals.values()), dtype=np.float64)
        return _Layout(tuple(pnames), scalars, vectors, X, Y, c, cvals, tuple(data_names),
                       X is not None, k, tuple(f"p_{j}" for j in range(k)))

    def describe(self) -> str:
        parts = [f"{nm}[0..{len(v) - 1}]" for nm, v in self.vectors.items()
                 if nm not in self.scalars]
        return ", ".join(parts + list(self.scalars))


def _sympy_text(expr) -> str:
    try:
        import sympy
    except ImportError as exc:  # pragma: no cover - a dependency
        raise ImportError("formula models need SymPy: pip install sympy") from exc
    if not isinstance(expr, sympy.Basic):
        raise ValueError(f"loss must be a formula string or a SymPy expression, got "
                         f"{type(expr).__name__}")
    return "sympy:" + sympy.srepr(expr)


# ----------------------------------------------------------------------------- parsing
_SYMPY = None


def _sp():
    """SymPy and the helper functions (imported on first use: a warm start needs neither)."""
    global _SYMPY
    if _SYMPY is not None:
        return _SYMPY
    import sympy

    class logsumexp(sympy.Function):  # noqa: N801 - a formula name
        """Stable log-sum-exp; d/dz_k = softmax_k = exp(z_k - logsumexp(z))."""

        @classmethod
        def eval(cls, *args):
            if len(args) == 0:
                raise ValueError("logsumexp needs at least one argument")
            if len(args) == 1:
                return args[0]
            return None

        def fdiff(self, argindex=1):
            return sympy.exp(self.args[argindex - 1] - self)

    class sigmoid(sympy.Function):  # noqa: N801
        nargs = 1

        def fdiff(self, argindex=1):
            s = sigmoid(self.args[0])
            return s * (1 - s)

    class softplus(sympy.Function):  # noqa: N801
        nargs = 1

        def fdiff(self, argindex=1):
            return sigmoid(self.args[0])

    ns = {
        "sin": sympy.sin, "cos": sympy.cos, "exp": sympy.exp, "log": sympy.log,
        "sqrt": sympy.sqrt, "tan": sympy.tan, "tanh": sympy.tanh, "sinh": sympy.sinh,
        "cosh": sympy.cosh, "atan": sympy.atan, "asin": sympy.asin, "acos": sympy.acos,
        "erf": sympy.erf, "Abs": sympy.Abs, "abs": sympy.Abs, "sign": sympy.sign,
        "Heaviside": sympy.Heaviside, "Max": sympy.Max, "max": sympy.Max, "Min": sympy.Min,
        "min": sympy.Min, "KroneckerDelta": sympy.KroneckerDelta,
        "logsumexp": logsumexp, "sigmoid": sigmoid, "softplus": softplus,
    }
    _SYMPY = (sympy, ns, {"logsumexp": logsumexp, "sigmoid": sigmoid, "softplus": softplus})
    return _SYMPY


class _Eval:
    """Evaluate a formula's Python AST into a SymPy expression, allowing only arithmetic,
    numbers, names, calls of the functions in :data:`FUNCTIONS` and integer indexing."""

    def __init__(self, text, layout: _Layout):
        self.text = text
        self.layout = layout
        self.sp, self.fns, _ = _sp()
        self.syms = {}
        self.bound = {}  # Sum indices -> int

    def err(self, node, msg):
        col = getattr(node, "col_offset", None)
        where = f" (at column {col + 1})" if col is not None else ""
        return ValueError(f"formula {self.text!r}: {msg}{where}")

    def sym(self, internal):
        s = self.syms.get(internal)
        if s is None:
            s = self.syms[internal] = self.sp.Symbol(internal, real=True)
        return s

    def known(self):
        lay = self.layout
        return lay.describe()

    def ev(self, node):
        sp = self.sp
        if isinstance(node, ast.Expression):
            return self.ev(node.body)
        if isinstance(node, ast.Constant):
            v = node.value
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise self.err(node, f"{v!r} is not a number")
            return sp.Integer(v) if isinstance(v, int) else sp.Float(v)
        if isinstance(node, ast.Name):
            nm = node.id
            if nm in self.bound:
                return sp.Integer(self.bound[nm])
            if nm in self.layout.scalars:
                return self.sym(self.layout.scalars[nm])
            if nm in self.layout.vectors:
                n = len(self.layout.vectors[nm])
                raise self.err(node, f"{nm!r} has {n} entries: index it, {nm}[0] .. {nm}[{n - 1}]")
            if nm == "pi":
                return sp.pi
            if nm == "E":
                return sp.E
            if nm in FUNCTIONS:
                raise self.err(node, f"{nm!r} is a function: call it, {nm}(...)")
            raise self.err(node, f"unknown symbol {nm!r}; known: {self.known()} (and pi, E)")
        if isinstance(node, ast.BinOp):
            a, b = self.ev(node.left), self.ev(node.right)
            op = type(node.op)
            if op is ast.Add:
                return a + b
            if op is ast.Sub:
                return a - b
            if op is ast.Mult:
                return a * b
            if op is ast.Div:
                return a / b
            if op in (ast.Pow, ast.BitXor):
                return a ** b
            raise self.err(node, f"operator {type(node.op).__name__} is not allowed "
                                 f"(use + - * / **)")
        if isinstance(node, ast.UnaryOp):
            a = self.ev(node.operand)
            if isinstance(node.op, ast.USub):
                return -a
            if isinstance(node.op, ast.UAdd):
                return a
            raise self.err(node, f"operator {type(node.op).__name__} is not allowed")
        if isinstance(node, ast.Subscript):
            if not isinstance(node.value, ast.Name):
                raise self.err(node, "only names can be indexed (w[0], x[j])")
            nm = node.value.id
            if nm not in self.layout.vectors:
                if nm in self.layout.scalars:
                    raise self.err(node, f"{nm!r} is a scalar, it cannot be indexed")
                raise self.err(node, f"unknown symbol {nm!r}; known: {self.known()}")
            idx = self.ev(node.slice)
            if not (idx.is_Integer):
                raise self.err(node, f"the index of {nm!r} must be an integer (a number or a "
                                     f"Sum index), got {idx}")
            vec = self.layout.vectors[nm]
            j = int(idx)
            if not 0 <= j < len(vec):
                raise self.err(node, f"index {j} out of range for {nm!r}, which has "
                                     f"{len(vec)} entries ({nm}[0] .. {nm}[{len(vec) - 1}])")
            return self.sym(vec[j])
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name):
                raise self.err(node, "only functions can be called, e.g. sin(x)")
            fn = node.func.id
            if node.keywords:
                raise self.err(node, f"{fn}() takes no keyword arguments")
            if fn == "Sum":
                return self.sp.Add(*self.terms(node, "Sum"))
            if fn == "logsumexp" and len(node.args) == 2 and isinstance(node.args[1], ast.Tuple):
                return self.fns[fn](*self.terms(node, "logsumexp"))
            if fn not in self.fns:
                known = ", ".join(sorted(FUNCTIONS))
                raise self.err(node, f"unknown function {fn!r}; known: {known}")
            args = [self.ev(a) for a in node.args]
            if fn == "KroneckerDelta":
                if len(args) != 2:
                    raise self.err(node, "KroneckerDelta takes two arguments")
                if any(s.name.startswith("p_") for a in args for s in a.free_symbols):
                    raise self.err(node, "KroneckerDelta of a parameter is not differentiable: "
                                         "use it on data and constants only")
            try:
                return self.fns[fn](*args)
            except (TypeError, ValueError) as exc:
                raise self.err(node, f"{fn}(): {exc}") from None
        if isinstance(node, ast.Compare):
            raise self.err(node, "comparisons are not allowed (use Heaviside, Max, Min)")
        raise self.err(node, f"{type(node).__name__} is not allowed in a formula")

    def terms(self, node, fn):
        """The terms of ``fn(term, (j, lo, hi))``: ``term`` at ``j = lo, ..., hi``."""
        if len(node.args) != 2 or not isinstance(node.args[1], ast.Tuple) \
                or len(node.args[1].elts) != 3 or not isinstance(node.args[1].elts[0], ast.Name):
            raise self.err(node, f"write {fn}(term, (j, lo, hi)) (bounds inclusive)")
        j = node.args[1].elts[0].id
        if j in self.layout.scalars or j in self.layout.vectors or j in self.bound:
            raise self.err(node, f"Sum index {j!r} is already a name")
        bounds = []
        for b in node.args[1].elts[1:]:
            v = self.ev(b)
            if not v.is_Integer:
                raise self.err(b, "Sum bounds must be integers")
            bounds.append(int(v))
        lo, hi = bounds
        if hi < lo:
            raise self.err(node, f"Sum bounds ({lo}, {hi}) are empty")
        if hi - lo >= 1000:
            raise self.err(node, f"{fn} over more than 1000 terms: write a hand-written kernel "
                                 "(custom_model) for large dimensions")
        terms = []
        for v in range(lo, hi + 1):
            self.bound[j] = v
            try:
                terms.append(self.ev(node.args[0]))
            finally:
                del self.bound[j]
        return terms


def _parse(loss, layout: _Layout):
    """The loss as a SymPy expression in internal symbols; every user-facing check."""
    sp = _sp()[0]
    if isinstance(loss, str):
        text = loss.strip()
        try:
            tree = ast.parse(text.replace("^", "**"), mode="eval")
        except SyntaxError as exc:
            raise ValueError(f"formula {text!r} does not parse: {exc.msg} (at column "
                             f"{exc.offset})") from None
        expr = _Eval(text, layout).ev(tree)
    else:
        expr = _from_sympy(loss, layout)
    expr = sp.sympify(expr)
    if not isinstance(expr, sp.Expr):
        raise ValueError(f"formula {str(loss)!r} is not a number-valued expression")
    free = {s.name for s in expr.free_symbols}
    missing = [nm for nm, internal in zip(layout.param_names, layout.params_internal)
               if internal not in free]
    if missing:
        raise ValueError(f"parameter{'s' if len(missing) > 1 else ''} "
                         f"{', '.join(repr(m) for m in missing)} do{'es' if len(missing) == 1 else ''} "
                         f"not appear in the loss {str(loss)!r}")
    bad = [a for a in sp.preorder_traversal(expr)
           if isinstance(a, (sp.Function, sp.core.function.Application))
           and type(a).__name__ not in _PRINTABLE]
    if bad:
        raise ValueError(f"formula {str(loss)!r}: function {type(bad[0]).__name__} is not "
                         f"supported; known: {', '.join(sorted(FUNCTIONS))}")
    if expr.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise ValueError(f"formula {str(loss)!r} contains an infinite or undefined constant")
    return expr


def _from_sympy(expr, layout: _Layout):
    sp = _sp()[0]
    expr = expr.doit() if expr.has(sp.Sum) else expr
    subs = {}
    names = dict(layout.scalars)
    for nm, vec in layout.vectors.items():
        for j, internal in enumerate(vec):
            names[f"{nm}[{j}]"] = internal
    for s in expr.free_symbols:
        key = str(s)
        if isinstance(s, sp.Indexed):
            key = f"{s.base}[{s.indices[0]}]" if len(s.indices) == 1 else key
        if key not in names:
            raise ValueError(f"unknown symbol {key!r} in the loss; known: {layout.describe()}")
        subs[s] = sp.Symbol(names[key], real=True)
    for a in expr.atoms(sp.Indexed):
        key = f"{a.base}[{a.indices[0]}]" if len(a.indices) == 1 else str(a)
        if key not in names:
            raise ValueError(f"unknown symbol {key!r} in the loss; known: {layout.describe()}")
        subs[a] = sp.Symbol(names[key], real=True)
    return expr.xreplace(subs)


# ----------------------------------------------------------------------------- code
_MATH = {"log": "math.log", "tan": "math.tan", "tanh": "math.tanh", "sinh": "math.sinh",
         "cosh": "math.cosh", "atan": "math.atan", "asin": "math.asin", "acos": "math.acos",
         "erf": "math.erf"}
_PRINTABLE = {"sin", "cos", "exp", *_MATH, "Abs", "sign", "Heaviside", "DiracDelta", "Max",
              "Min", "KroneckerDelta", "logsumexp", "sigmoid", "softplus"}

_HELPERS = '''
@njit(cache=True, error_model="numpy", inline="always")
def _sign(u):
    return select(u > 0.0, 1.0, select(u < 0.0, -1.0, 0.0))


@njit(cache=True, error_model="numpy", inline="always")
def _step(u):
    """Heaviside step, 1/2 at 0 (the subgradient convention of Max, Min)."""
    return select(u > 0.0, 1.0, select(u < 0.0, 0.0, 0.5))


@njit(cache=True, error_model="numpy", inline="always")
def _max(a, b):
    return select(a >= b, a, b)


@njit(cache=True, error_model="numpy", inline="always")
def _min(a, b):
    return select(a <= b, a, b)


@njit(cache=True, error_model="numpy", inline="always")
def _sigmoid(z):
    """1 / (1 + e^-z) without overflow: e^-|z| <= 1."""
    e = fast_exp(-abs(z))
    return select(z >= 0.0, 1.0, e) / (1.0 + e)


@njit(cache=True, error_model="numpy", inline="always")
def _softplus(z):
    """log(1 + e^z) = max(z, 0) + log(1 + e^-|z|)."""
    return select(z > 0.0, z, 0.0) + math.log1p(fast_exp(-abs(z)))
'''


def _lse_helper(n: int) -> str:
    args = ", ".join(f"z{k}" for k in range(n))
    lines = [f'@njit(cache=True, error_model="numpy", inline="always")',
             f"def _lse{n}({args}):",
             f'    """log(sum_k e^z_k) = m + log(sum_k e^(z_k - m)), m = max_k z_k."""',
             "    m = z0"]
    lines += [f"    m = select(z{k} > m, z{k}, m)" for k in range(1, n)]
    terms = " + ".join(f"fast_exp(z{k} - m)" for k in range(n))
    lines.append(f"    return m + math.log({terms})")
    return "\n".join(lines) + "\n"


_MAX_UNROLL = 8  # integer powers up to this print as products


class _Printer:
    """SymPy expression -> Python source for a Numba kernel (internal symbol names)."""

    def __init__(self, sp, helpers):
        self.sp = sp
        self.helpers = helpers
        self.lse = set()

    def num(self, e):
        v = float(e)
        if not math.isfinite(v):
            raise ValueError(f"the derivative contains a non-finite constant {e}")
        s = repr(v)
        return f"({s})" if v < 0 else s

    def __call__(self, e) -> str:
        sp = self.sp
        if e.is_Symbol:
            return e.name
        if e.is_Number or e.is_NumberSymbol:
            return self.num(e)
        if e.is_Add:
            terms = list(e.args)
            # numbers last, reads like the formula
            terms.sort(key=lambda t: t.is_Number)
            out = self(terms[0])
            for t in terms[1:]:
                c, _ = t.as_coeff_Mul()
                if c.is_Number and c < 0:
                    out += f" - {self(-t)}"
                else:
                    out += f" + {self(t)}"
            return f"({out})"
        if e.is_Mul:
            c, rest = e.as_coeff_Mul()
            num, den = [], []
            for f in sp.Mul.make_args(rest):
                if f.is_Pow and f.exp.is_Number and f.exp < 0:
                    den.append(f.base ** (-f.exp))
                else:
                    num.append(f)
            s = "*".join(self(f) for f in num) if num else "1.0"
            if c == -1:
                s = f"-{s}"
            elif c != 1:
                s = f"{self.num(c)}*{s}"
            if den:
                d = "*".join(self(f) for f in den)
                s = f"{s}/({d})" if len(den) > 1 else f"{s}/{d}"
            return f"({s})"
        if e.is_Pow:
            b, x = e.args
            pb = self(b)
            if x.is_Integer:
                n = int(x)
                if n < 0:
                    return f"(1.0/{self(b ** (-n))})"
                if n <= _MAX_UNROLL:  # a product: vectorizes (Numba's ``**`` does not)
                    return "(" + "*".join([pb] * n) + ")"
                return f"({pb}**{n})"
            if x == sp.Rational(1, 2):
                return f"math.sqrt({pb})"
            if x == sp.Rational(-1, 2):
                return f"(1.0/math.sqrt({pb}))"
            return f"({pb}**{self(x)})"
        if isinstance(e, (sp.Function, sp.core.function.Application)):
            fn = type(e).__name__
            args = [self(a) for a in e.args]
            if fn == "exp":
                return f"fast_exp({args[0]})"
            if fn in _MATH:
                return f"{_MATH[fn]}({args[0]})"
            if fn == "Abs":
                return f"abs({args[0]})"
            if fn == "sign":
                return f"_sign({args[0]})"
            if fn == "Heaviside":
                return f"_step({args[0]})"  # H(0) = 1/2 whatever the second argument
            if fn == "DiracDelta":
                return "0.0"  # derivative of a step: zero almost everywhere
            if fn in ("Max", "Min"):
                out = args[0]
                for a in args[1:]:
                    out = f"_{fn.lower()}({out}, {a})"
                return out
            if fn == "KroneckerDelta":
                return f"select({args[0]} == {args[1]}, 1.0, 0.0)"
            if fn == "sigmoid":
                return f"_sigmoid({args[0]})"
            if fn == "softplus":
                return f"_softplus({args[0]})"
            if fn == "logsumexp":
                self.lse.add(len(args))
                return f"_lse{len(args)}({', '.join(args)})"
            if fn in ("sin", "cos"):
                raise AssertionError("sin/cos are replaced by fast_sincos results")
        raise ValueError(f"cannot generate code for {e} ({type(e).__name__})")


def _block(sp, pr, exprs, loads):
    """Lines computing ``exprs`` (sharing subexpressions), and their final expressions.

    ``sin(a)``/``cos(a)`` become the two results of one ``fast_sincos(a)``; the lines are
    ordered so that every name is assigned before it is used.
    """
    trig = sorted({t.args[0] for e in exprs for t in e.atoms(sp.sin, sp.cos)}, key=sp.default_sort_key)
    mapping, args = {}, []
    for k, a in enumerate(trig):
        sk, ck = sp.Symbol(f"sn_{k}", real=True), sp.Symbol(f"cs_{k}", real=True)
        mapping[sp.sin(a)] = sk
        mapping[sp.cos(a)] = ck
        args.append(a)
    sub = [e.xreplace(mapping) for e in exprs]
    sargs = [a.xreplace(mapping) for a in args]
    # bases of small integer powers are listed too, so that cse names them and the power
    # prints as a product of one name (Numba's ``**`` blocks the loop vectorizer)
    bases = sorted({q.base for e in sub + sargs for q in e.atoms(sp.Pow)
                    if q.exp.is_Integer and 2 <= abs(int(q.exp)) <= _MAX_UNROLL
                    and not q.base.is_Atom}, key=sp.default_sort_key)
    reps, reduced = sp.cse(sub + sargs + bases, symbols=sp.numbered_symbols("t_", real=True),
                           order="none")
    red_exprs = reduced[:len(exprs)]
    red_args = reduced[len(exprs):len(exprs) + len(sargs)]
    items = [((s,), pr(v), v.free_symbols) for s, v in reps]
    items += [((sp.Symbol(f"sn_{k}", real=True), sp.Symbol(f"cs_{k}", real=True)),
               f"fast_sincos({pr(a)})", a.free_symbols) for k, a in enumerate(red_args)]
    used = set().union(*(e.free_symbols for e in red_exprs), *(f for _, _, f in items))
    defined = {s for s in used if s.name.split("_")[0] in ("p", "x", "y", "c")}
    lines = [loads[s.name] for s in sorted(defined, key=lambda s: (s.name[0], int(s.name[2:])))]
    pending = list(items)
    while pending:
        rest = []
        for targets, code, deps in pending:
            if deps <= defined:
                lines.append(f"{', '.join(t.name for t in targets)} = {code}")
                defined |= set(targets)
            else:
                rest.append((targets, code, deps))
        if len(rest) == len(pending):
            raise AssertionError("cyclic subexpressions")  # cannot happen: cse is acyclic
        pending = rest
    return lines, [pr(e) for e in red_exprs], red_exprs


def _reverse_gradient(sp, expr, params):
    """The gradient of ``expr`` by reverse accumulation over its expression graph.

    Every node's adjoint is the sum over its parents of (parent's adjoint) x (local partial
    derivative), so the chain rule's common factor (for ``(f(z) - y)**2`` with
    ``z = p0 + 0.06*p1*x``: ``2 (f - y) f'(z)``) is formed once and multiplied by each
    ``dz/dp_k``, as a hand-written kernel does; plain symbolic differentiation distributes it
    into every component instead (more operations per example). Equal to ``sympy.diff``
    mathematically; the test suite checks both against finite differences.
    """
    from sympy.core.parameters import distribute

    pset = set(params)
    order, seen = [], set()

    def visit(e):  # post-order: children before parents; shared subtrees once
        if e in seen or e.is_Atom:
            return
        seen.add(e)
        for a in e.args:
            visit(a)
        order.append(e)

    visit(expr)
    with distribute(False):  # keep 2*(f - y) a product: its factor is shared
        return _accumulate(sp, expr, order, params, pset)


def _accumulate(sp, expr, order, params, pset):
    adj = {expr: sp.Integer(1)}
    for e in reversed(order):  # parents before children
        A = adj.get(e)
        if A is None:
            continue
        live = [i for i, a in enumerate(e.args) if a.free_symbols & pset]
        if not live:
            continue
        if e.is_Add:
            parts = {i: sp.Integer(1) for i in live}
        else:
            D = [sp.Dummy(real=True) for _ in e.args]
            f = e.func(*D)
            back = dict(zip(D, e.args))
            parts = {i: sp.diff(f, D[i]).xreplace(back) for i in live}
        for i, part in parts.items():
            a = e.args[i]
            adj[a] = adj.get(a, sp.Integer(0)) + A * part
    return [adj.get(p, sp.Integer(0)) for p in params]


def _generate(expr, layout: _Layout, text: str, hessian: bool, key: str) -> str:
    sp, _, helpers = _sp()
    pr = _Printer(sp, helpers)
    P = layout.n_params
    psyms = [sp.Symbol(f"p_{k}", real=True) for k in range(P)]
    grads = _reverse_gradient(sp, expr, psyms)

    def loads(kind):
        out = {}
        for k in range(P):
            out[f"p_{k}"] = f"p_{k} = phi[{k}, b]" if kind == "block" else f"p_{k} = p[{k}]"
        nx = layout.X.shape[1] if layout.X is not None else 0
        ny = layout.Y.shape[1] if layout.Y is not None else 0
        for j in range(nx):
            out[f"x_{j}"] = f"x_{j} = X[i, {j}]" if kind == "block" else f"x_{j} = x[{j}]"
        for j in range(ny):
            out[f"y_{j}"] = f"y_{j} = Y[i, {j}]" if kind == "block" else f"y_{j} = y[{j}]"
        for j in range(layout.c.size):
            out[f"c_{j}"] = f"c_{j} = c[{j}]"
        return out

    ind = "    "
    # example: loss and gradient
    lines, (loss_s, *grad_s), red = _block(sp, pr, [expr, *grads], loads("block"))
    ex = [ind + ln for ln in lines]
    for k, (g, r) in enumerate(zip(grad_s, red[1:])):
        if r != 0:
            ex.append(f"{ind}grad[{k}, b] += {g}")
    ex.append(f"{ind}return {loss_s}")
    # loss only
    lines, (loss_only,), _ = _block(sp, pr, [expr], loads("block"))
    lo = [ind + ln for ln in lines] + [f"{ind}return {loss_only}"]
    # Hessian (upper triangle, mirrored)
    hs = []
    if hessian:
        pairs = [(j, k) for j in range(P) for k in range(j, P)]
        plain = [sp.diff(expr, p) for p in psyms]
        hexprs = [sp.diff(plain[j], psyms[k]) for j, k in pairs]
        lines, hsrc, hred = _block(sp, pr, hexprs, loads("point"))
        hs = [ind + ln for ln in lines]
        for (j, k), s, r in zip(pairs, hsrc, hred):
            if r == 0:
                continue
            if j == k:
                hs.append(f"{ind}H[{j}, {j}] += {s}")
            else:
                hs.append(f"{ind}h = {s}")
                hs.append(f"{ind}H[{j}, {k}] += h")
                hs.append(f"{ind}H[{k}, {j}] += h")
        if len(hs) == 0 or not any("H[" in h for h in hs):
            hs.append(f"{ind}return")
    else:
        hs = [f"{ind}return"]

    legend = [f"#   {nm:<12} -> p_{k}  (phi[{k}, b])" for k, nm in enumerate(layout.param_names)]
    for nm, internal in layout.scalars.items():
        if not internal.startswith("p_"):
            legend.append(f"#   {nm:<12} -> {internal}")
    for nm, vec in layout.vectors.items():
        if not vec[0].startswith("p_"):
            legend.append(f"#   {nm + '[j]':<12} -> {vec[0][0]}_j")
    shown = text if not text.startswith("sympy:") else str(expr)
    helpers_src = _HELPERS + "".join("\n\n" + _lse_helper(n) for n in sorted(pr.lse))
    src = f'''"""Kernels generated by fastdescent.models.formula (key {key}) for the loss

    {shown}

summed over the examples. Do not edit: the file is regenerated from the formula. The
gradient and Hessian are SymPy's derivatives with common subexpressions shared (t_k);
sn_k, cs_k are the sine and cosine of one argument (one fast_sincos).
"""
import math

from numba import njit

from fastdescent.fastmath import fast_exp, fast_sincos, select  # noqa: F401

# symbols:
{chr(10).join(legend)}
{helpers_src}

@njit(cache=True, error_model="numpy", inline="always")
def example(phi, b, X, Y, i, c, work, grad):
    """Loss of example i at lane b; adds its gradient into grad[:, b]."""
{chr(10).join(ex)}


@njit(cache=True, error_model="numpy", inline="always")
def example_loss(phi, b, X, Y, i, c, work):
    """Loss of example i at lane b."""
{chr(10).join(lo)}


@njit(cache=True, error_model="numpy")
def example_hessian(p, x, y, c, H):
    """Adds the Hessian of one example's loss at the point p into H."""
{chr(10).join(hs)}
'''
    return src


# ----------------------------------------------------------------------------- cache
_SELF_HASH: list = []


def _self_hash() -> str:
    """Hash of this generator and of fastmath (inlined into the generated kernels)."""
    if not _SELF_HASH:
        _SELF_HASH.append(_hash_sources())
    return _SELF_HASH[0]


def _hash_sources() -> str:
    from .._version import __version__

    h = hashlib.sha1(__version__.encode())
    here = Path(__file__).resolve()
    h.update(here.read_bytes())
    h.update((here.parents[1] / "fastmath.py").read_bytes())
    import numba

    h.update(numba.__version__.encode())
    return h.hexdigest()[:12]


def _formula_dir() -> Path:
    from ..codegen import cache_dir

    return cache_dir() / "formulas"


class _Finder(importlib.abc.MetaPathFinder):
    """Finds ``fd_formula_*`` modules in the cache folder, so that a generated engine (or a
    helper process, or a Dask worker sharing the cache) can import a formula's kernels by
    name."""

    def find_spec(self, fullname, path=None, target=None):
        if not fullname.startswith("fd_formula_") or "." in fullname:
            return None
        f = _formula_dir() / f"{fullname}.py"
        if not f.exists():
            return None
        return importlib.util.spec_from_file_location(fullname, f)


if not any(isinstance(f, _Finder) for f in sys.meta_path):
    sys.meta_path.append(_Finder())


def _import_file(modname: str, path: Path):
    spec = importlib.util.spec_from_file_location(modname, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[modname] = mod
    try:
        spec.loader.exec_module(mod)
    except BaseException:
        del sys.modules[modname]
        raise
    return mod


def _load_source(modname: str, src: str):
    """Write ``src`` to the cache folder (atomically) and import it; in memory, without
    Numba's on-disk cache, when the folder is not writable."""
    d = _formula_dir()
    try:
        d.mkdir(parents=True, exist_ok=True)
        path = d / f"{modname}.py"
        fd_, tmp = tempfile.mkstemp(dir=d, suffix=".tmp")
        with os.fdopen(fd_, "w") as fh:
            fh.write(src)
        os.replace(tmp, path)
    except OSError:
        import types

        mod = types.ModuleType(modname)
        mod.__dict__["__file__"] = None
        exec(compile(src.replace("cache=True", "cache=False"), modname, "exec"), mod.__dict__)
        mod.SOURCE = src
        return mod
    return _import_file(modname, path)
