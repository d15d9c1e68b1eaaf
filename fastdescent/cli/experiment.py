"""Experiment files: a TOML document (or the ``sweep`` command's flags) -> a validated
:class:`Experiment`, checked in full before anything runs or is written.

Format (every table but ``[start]``'s choice and ``[output]`` is optional where noted)::

    title = "Adam on the Gabor model"        # optional, free text
    description = "..."                       # optional

    [model]
    name = "gabor"                # a registered model (``fastdescent list models``)
    # ... its factory's arguments (e.g. width = 4 for two_layer_net)
    data = "points.csv"           # optional: columns x,y (or x0,x1,..,y0,..) replace the data;
                                  # relative to the experiment file's directory
    # or a model given by its per-example loss (fastdescent.models.formula), no Python:
    # formula = "(sin(p0 + 0.06*p1*x) * exp(-(p0 + 0.06*p1*x)**2/32) - y)**2"
    # params = ["p0", "p1"]       # names (or "w[3]" for a vector of 3)
    # data = "points.csv"         # optional: every header column is a symbol (x, y, ...)
    # consts = {a = 1.0}          # optional: named constants
    # box = [[-10, 10], [2.5, 22.5]]; name = "my_model"   # optional

    [optimizer]
    name = "adam"                 # a registered optimizer (``fastdescent list optimizers``)
    lr = "1e-3:1:16:log"          # a hyperparameter as a list or a range string
    beta = [0.0, 0.9]             #   start:stop:num[:log|lin] is a sweep axis;
    eps = 1e-8                    #   a number just sets it
    # lr per parameter group (models with groups, e.g. shallow_net): one axis lr_<group> each
    # lr = {input = "1e-3:1e6:64:log", output = "1e-3:1e6:64:log"}

    [start]                       # exactly one of grid / points / random / lhs
    grid = 64                     # or [Nx, Ny], one per varied parameter
    box = [[-10, 10], [2.5, 22.5]]  # optional (default: the model's box)
    params = ["phi0", "phi1"]     # optional: grid over these only ...
    fixed = [0.0, 0.0, ...]       # ... the others at these values
    # points = [[0.6, -0.2], [1.0, 5.0]]
    # random = 1000 / lhs = 1000, seed = 0

    [run]
    steps = 500                   # required
    seed = 0                      # minibatch stream key
    seeds = 4                     # optional: a seed axis (a count or a list)
    tol = 1e-6                    # optional: stop when |grad| < tol
    batch_size = 8                # optional: minibatches (data models)
    schedule = {name = "cosine", total_steps = 500}   # or "constant"
    record_every = 10             # optional: record paths (for convergence plots)
    reduction = "sum"             # or "mean"
    bound = 1e8
    criterion = "not_diverged"    # or "loss_ratio", or {name = "loss_ratio", k = 20,
                                  # threshold = 1.0}: what counts as trainable
    dtype = "float64"             # or "float32": about twice the speed, float32 results

    [output]
    path = "out.nc"               # .nc or .zarr; relative to the current directory
    store = "out.nc.store"        # chunk store for --resume (default: <path>.store)
    plots = ["basins", "convergence", "hyper"]   # PNGs next to path: <stem>-<kind>.png
    chunk_size = 4096             # optional: trajectories per stored chunk
"""
from __future__ import annotations

import csv
import difflib
import inspect
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import UsageError, suggest

TOP_KEYS = ("title", "description", "model", "optimizer", "start", "run", "output")
TABLES = ("model", "optimizer", "start", "run", "output")
START_KEYS = ("grid", "points", "random", "lhs", "box", "params", "fixed", "seed")
START_MODES = ("grid", "points", "random", "lhs")
RUN_KEYS = ("steps", "seed", "seeds", "tol", "batch_size", "schedule", "record_every",
            "reduction", "bound", "criterion", "dtype")
DTYPE_NAMES = ("float64", "float32")
OUTPUT_KEYS = ("path", "store", "plots", "chunk_size")
PLOT_KINDS = ("basins", "convergence", "hyper")
RANGE_HELP = "start:stop:num[:log|lin], e.g. '1e-3:1:64:log' or '0:0.9:4'"

# --quick caps (smoke tests)
QUICK_STEPS = 20
QUICK_GRID = 8
QUICK_POINTS = 32
QUICK_AXIS = 3
QUICK_SEEDS = 2


@dataclass(eq=False)
class Experiment:
    """A validated experiment: everything :func:`fastdescent.sweep` needs, plus outputs."""

    source: str
    model: object
    optimizer: object
    inits: object  # Grid or (M, P) array
    steps: int
    hyper: dict  # name -> float or 1-D array (sweep axis)
    options: dict  # batch_size, schedule, tol, record_every, reduction, bound, dtype
    seed: int = 0
    seeds: object = None
    path: Path | None = None
    store: Path | None = None
    plots: tuple = ()
    chunk_size: int | None = None
    title: str = ""
    notes: list = field(default_factory=list)
    max_memory: int | None = None  # bytes; None: a share of the available memory

    def plan_args(self):
        """(args, kwargs) for :func:`fastdescent.engine.make_plan` / :func:`fastdescent.sweep`."""
        kw = dict(seeds=self.seeds, seed=self.seed, **self.hyper, **self.options)
        return (self.model, self.optimizer, self.inits, self.steps), kw

    def plan(self):
        """The sweep's plan; its memory is checked against ``max_memory`` first."""
        from ..engine.sweeps import make_plan

        args, kw = self.plan_args()
        return make_plan(*args, **kw, max_memory=self.max_memory, chunk_size=self.chunk_size)


# ------------------------------------------------------------------------------ small helpers
class _Ctx:
    """Names keys in messages: ``[optimizer].lr`` for files, ``--lr`` for the command line."""

    def __init__(self, source: str, base: Path, cli: bool = False):
        self.source = source
        self.base = base
        self.cli = cli

    def key(self, table: str, key: str | None = None) -> str:
        if self.cli:
            if key is None:
                return f"--{table}"
            return f"--model-arg {key}" if table == "model" else f"--{key.replace('_', '-')}"
        return f"[{table}]" if key is None else f"[{table}].{key}"

    def error(self, msg: str) -> UsageError:
        return UsageError(f"{self.source}: {msg}")


def _check_keys(ctx: _Ctx, table: str, tbl: dict, valid, other_tables: dict | None = None):
    if not isinstance(tbl, dict):
        raise ctx.error(f"{ctx.key(table)} must be a table, got {type(tbl).__name__}")
    valid = list(valid)
    for k in tbl:
        if k in valid:
            continue
        close = difflib.get_close_matches(k, valid, n=1, cutoff=0.6)
        hint = f" (did you mean {ctx.key(table, close[0]) if ctx.cli else repr(close[0])}?)" \
            if close else ""
        if not hint and other_tables:
            for t, keys in other_tables.items():
                if t != table and k in keys:
                    hint = f" ({k!r} belongs in [{t}])"
                    break
        if ctx.cli:
            raise ctx.error(f"unknown option {ctx.key(table, k)}{hint}; valid: "
                            f"{', '.join(ctx.key(table, v) for v in valid if v != 'name')}")
        where = "at the top level" if table == "top level" else f"in [{table}]"
        raise ctx.error(f"unknown key {k!r} {where}{hint}; valid keys: {', '.join(valid)}")


def _int(ctx, where, v, lo=None):
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        else:
            raise ctx.error(f"{where} must be an integer, got {v!r}")
    if lo is not None and v < lo:
        raise ctx.error(f"{where} must be >= {lo}, got {v}")
    return int(v)


def _float(ctx, where, v):
    if isinstance(v, bool):
        raise ctx.error(f"{where} must be a number, got the boolean {str(v).lower()}")
    if isinstance(v, (int, float, np.integer, np.floating)):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            pass
    raise ctx.error(f"{where} must be a number, got {v!r}")


def parse_range(text: str):
    """``"start:stop:num[:log|lin]"`` -> 1-D array, or None when ``text`` is no range."""
    parts = [p.strip() for p in text.split(":")]
    if len(parts) not in (3, 4):
        return None
    try:
        start, stop = float(parts[0]), float(parts[1])
    except ValueError:
        return None
    if not re.fullmatch(r"\d+", parts[2]) or int(parts[2]) < 1:
        return None
    num = int(parts[2])
    kind = parts[3].lower() if len(parts) == 4 else "lin"
    if kind not in ("log", "lin") or not (np.isfinite(start) and np.isfinite(stop)):
        return None
    if kind == "log":
        if start <= 0 or stop <= 0:
            raise ValueError("a log range needs start > 0 and stop > 0")
        return np.geomspace(start, stop, num)
    return np.linspace(start, stop, num)


def hyper_value(ctx: _Ctx, where: str, v):
    """A hyperparameter value: a number, a list (axis) or a string (number/range). A boolean
    (``lr = true``, ``--lr true``) is refused: it is no number, not 1.0."""
    if isinstance(v, (bool, np.bool_)):
        raise ctx.error(f"{where} must be a number, a list or a range string, got the "
                        f"boolean {str(bool(v)).lower()}")
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, (list, tuple)):
        if not v:
            raise ctx.error(f"{where}: an empty list of values")
        return np.array([hyper_value(ctx, where, x) for x in v], dtype=float)
    if isinstance(v, np.ndarray):
        if v.dtype.kind == "b":
            raise ctx.error(f"{where} must be numbers, got booleans")
        return v.astype(float)
    if isinstance(v, str):
        s = v.strip()
        if s.lower() in ("true", "false"):
            raise ctx.error(f"{where} must be a number, a list or a range string, got the "
                            f"boolean {s.lower()}")
        try:
            return float(s)
        except ValueError:
            pass
        if "," in s and ":" not in s:
            return hyper_value(ctx, where, [x for x in s.split(",") if x.strip()])
        try:
            arr = parse_range(s)
        except ValueError as exc:
            raise ctx.error(f"{where}: bad range {v!r}: {exc}") from None
        if arr is None:
            raise ctx.error(f"{where}: cannot parse {v!r} as a number or a range "
                            f"({RANGE_HELP})")
        return arr
    raise ctx.error(f"{where} must be a number, a list or a range string, got {v!r}")


def _params(fn):
    return {n: p for n, p in inspect.signature(fn).parameters.items()
            if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}


def _no_bools(ctx, where, v, fn=None, key=None):
    """Refuse a boolean where a number is expected: anywhere inside ``v``, except an
    argument ``key`` of factory ``fn`` whose default is itself a boolean (a switch)."""
    if fn is not None and key is not None:
        p = _params(fn).get(key)
        if p is not None and isinstance(p.default, bool):
            return
    if isinstance(v, (bool, np.bool_)):
        raise ctx.error(f"{where} must be a number, got the boolean {str(bool(v)).lower()}")
    if isinstance(v, (list, tuple)):
        for x in v:
            _no_bools(ctx, where, x)


def _call(ctx, what, fn, kwargs):
    try:
        return fn(**kwargs)
    except (TypeError, ValueError) as exc:
        raise ctx.error(f"{what}: {exc}") from None


def _unknown_name(ctx, kind, name, valid):
    return ctx.error(f"unknown {kind} {name!r}{suggest(name, valid)}; valid {kind}s: "
                     f"{', '.join(valid)}")


# ------------------------------------------------------------------------------ data files
def _csv_rows(path: Path, label: str) -> list:
    """The non-blank rows of a CSV file as ``(line number, cells)``; UsageError when the file
    cannot be read."""
    try:
        text = Path(path).read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read data file {label}: "
                         f"{getattr(exc, 'strerror', None) or exc}") from None
    return [(i + 1, r) for i, r in enumerate(csv.reader(io.StringIO(text)))
            if r and any(c.strip() for c in r)]


def read_xy_csv(path: Path, label: str | None = None):
    """Read a data CSV with a header: columns ``x``/``y`` (or ``x0, x1, ...``/``y0, ...``).

    Returns ``(x, y)`` (1-D when there is one column). Raises :class:`UsageError` naming the
    row and column of the first bad cell.
    """
    label = label or str(path)
    rows = _csv_rows(path, label)
    if not rows:
        raise UsageError(f"{label}: empty data file (needs a header with columns x,y)")
    header = [c.strip() for c in rows[0][1]]
    xcols = [i for i, n in enumerate(header) if re.fullmatch(r"x\d*", n)]
    ycols = [i for i, n in enumerate(header) if re.fullmatch(r"y\d*", n)]
    for axis, cols in (("x", xcols), ("y", ycols)):
        if not cols:
            raise UsageError(f"{label}: no column {axis!r} (columns: {', '.join(header)}); "
                             f"a data file needs a header with columns x,y")
    data = rows[1:]
    if not data:
        raise UsageError(f"{label}: no data rows after the header")
    out = np.empty((len(data), len(header)))
    for r, (line, row) in enumerate(data, start=1):
        if len(row) != len(header):
            raise UsageError(f"{label}: row {r} (line {line}) has {len(row)} cells, the header "
                             f"has {len(header)}")
        for c in xcols + ycols:
            cell = row[c].strip()
            try:
                v = float(cell)
            except ValueError:
                v = None
            if v is None or not np.isfinite(v):
                raise UsageError(f"{label}: row {r} (line {line}), column {header[c]!r}: "
                                 f"{cell!r} is not a finite number")
            out[r - 1, c] = v
    x, y = out[:, xcols], out[:, ycols]
    return (x[:, 0] if x.shape[1] == 1 else x), (y[:, 0] if y.shape[1] == 1 else y)


def read_columns_csv(path: Path, label: str | None = None) -> dict:
    """Read a data CSV with a header into ``{column name: values}`` (every column numeric).

    Raises :class:`UsageError` naming the row and column of the first bad cell.
    """
    label = label or str(path)
    rows = _csv_rows(path, label)
    if len(rows) < 2:
        raise UsageError(f"{label}: a data file needs a header row of column names and at "
                         f"least one row of numbers")
    header = [c.strip() for c in rows[0][1]]
    if len(set(header)) != len(header):
        raise UsageError(f"{label}: repeated column names in the header {header}")
    out = np.empty((len(rows) - 1, len(header)))
    for r, (line, row) in enumerate(rows[1:]):
        if len(row) != len(header):
            raise UsageError(f"{label}: line {line} has {len(row)} cells, the header has "
                             f"{len(header)}")
        for c, cell in enumerate(row):
            try:
                v = float(cell.strip())
            except ValueError:
                v = None
            if v is None or not np.isfinite(v):
                raise UsageError(f"{label}: line {line}, column {header[c]!r}: "
                                 f"{cell.strip()!r} is not a finite number")
            out[r, c] = v
    return {h: out[:, c].copy() for c, h in enumerate(header)}


# ------------------------------------------------------------------------------ sections
FORMULA_KEYS = ("formula", "params", "data", "consts", "box", "name", "hessian")


def build_formula_model(ctx: _Ctx, tbl: dict):
    """``[model] formula = "...", params = [...]``: a :func:`fastdescent.models.formula`
    model; ``data`` is a CSV whose header names the formula's data symbols."""
    from ..models.formula import formula

    _check_keys(ctx, "model", tbl, FORMULA_KEYS)
    _need(ctx, "model", tbl, "params")
    if not isinstance(tbl["formula"], str):
        raise ctx.error(f"{ctx.key('model', 'formula')} must be a string")
    params = tbl["params"]
    if not isinstance(params, list) or not all(isinstance(p, str) for p in params):
        raise ctx.error(f"{ctx.key('model', 'params')} must be a list of parameter names")
    args = {"loss": tbl["formula"], "params": params,
            **{k: tbl[k] for k in ("consts", "box", "name", "hessian") if k in tbl}}
    if "data" in tbl:
        if not isinstance(tbl["data"], str):
            raise ctx.error(f"{ctx.key('model', 'data')} must be a path to a CSV file")
        p = Path(tbl["data"]).expanduser()
        args["data"] = read_columns_csv(p if p.is_absolute() else ctx.base / p, tbl["data"])
    return _call(ctx, "model formula", formula, args)


def build_model(ctx: _Ctx, tbl: dict):
    from ..models import named_models

    if isinstance(tbl, dict) and "formula" in tbl:
        return build_formula_model(ctx, tbl)
    _need(ctx, "model", tbl, "name")
    name = tbl["name"]
    if name not in named_models:
        raise _unknown_name(ctx, "model", name, list(named_models))
    factory = named_models[name]
    params = _params(factory)
    _check_keys(ctx, "model", tbl, ["name", "data", *params])
    args = {k: v for k, v in tbl.items() if k not in ("name", "data")}
    for k, v in args.items():
        _no_bools(ctx, ctx.key("model", k), v, factory, k)
    if "data" in tbl:
        if "x" not in params or "y" not in params:
            raise ctx.error(f"{ctx.key('model', 'data')}: model {name!r} takes no data set")
        if "x" in args or "y" in args:
            raise ctx.error(f"give either {ctx.key('model', 'data')} or x and y, not both")
        if not isinstance(tbl["data"], str):
            raise ctx.error(f"{ctx.key('model', 'data')} must be a path to a CSV file")
        p = Path(tbl["data"]).expanduser()
        path = p if p.is_absolute() else ctx.base / p
        args["x"], args["y"] = read_xy_csv(path, tbl["data"])
    return _call(ctx, f"model {name!r}", factory, args)


def build_optimizer(ctx: _Ctx, tbl: dict, quick: bool):
    from ..optim.factories import named_optimizers

    _need(ctx, "optimizer", tbl, "name")
    name = tbl["name"]
    if name not in named_optimizers:
        raise _unknown_name(ctx, "optimizer", name, list(named_optimizers))
    factory = named_optimizers[name]
    params = _params(factory)
    hyper_names = factory().hyper_names
    valid = ["name", *dict.fromkeys([*hyper_names, *params])]
    _check_keys(ctx, "optimizer", tbl, valid)
    factory_args, hyper = {}, {}
    for k, v in tbl.items():
        if k == "name":
            continue
        if k == "lr" and isinstance(v, dict) and "lr" in hyper_names:  # lr per group
            per = {}
            for g, gv in v.items():
                val = hyper_value(ctx, ctx.key("optimizer", f"lr.{g}"), gv)
                if quick and np.ndim(val) == 1 and len(val) > QUICK_AXIS:
                    val = val[np.unique(np.linspace(0, len(val) - 1,
                                                    QUICK_AXIS).round().astype(int))]
                per[g] = val
            hyper[k] = per
        elif k in hyper_names:
            switch = k in params and isinstance(params[k].default, bool)
            if switch and isinstance(v, str) and v.strip().lower() in ("true", "false"):
                v = v.strip().lower() == "true"  # --nesterov true
            if switch and isinstance(v, bool):
                v = float(v)  # a switch such as nesterov: true/false is its value
            val = hyper_value(ctx, ctx.key("optimizer", k), v)
            if quick and np.ndim(val) == 1 and len(val) > QUICK_AXIS:
                val = val[np.unique(np.linspace(0, len(val) - 1, QUICK_AXIS).round().astype(int))]
            hyper[k] = val
        else:
            _no_bools(ctx, ctx.key("optimizer", k), v, factory, k)
            factory_args[k] = v
    if "betas" in factory_args and ({"beta1", "beta2"} & set(hyper)):
        raise ctx.error(f"give {ctx.key('optimizer', 'betas')} or beta1/beta2, not both")
    opt = _call(ctx, f"optimizer {name!r}", factory, factory_args)
    grouped = {k: v for k, v in hyper.items() if isinstance(v, dict)}
    for k, v in grouped.items():
        _call(ctx, ctx.key("optimizer", k), opt.replace, {k: v})  # each group's range
    hyper = {k: v for k, v in hyper.items() if not isinstance(v, dict)}
    scalars = {k: v for k, v in hyper.items() if np.ndim(v) == 0}
    if scalars:
        try:
            opt = opt.replace(**scalars)
        except (TypeError, ValueError) as exc:
            for k, v in scalars.items():  # name the culprit when one value is out of range
                _call(ctx, ctx.key("optimizer", k), opt.replace, {k: v})
            raise ctx.error(f"{ctx.key('optimizer')}: {exc}") from None
    axes = {k: v for k, v in hyper.items() if np.ndim(v) == 1}
    for k, v in axes.items():
        _call(ctx, ctx.key("optimizer", k), opt.replace, {k: v})
    axes.update(grouped)  # fd.sweep takes lr={group: value or axis}
    return opt, axes


def build_start(ctx: _Ctx, tbl: dict, model, quick: bool):
    from ..engine.grids import grid, latin_hypercube, random_starts

    _check_keys(ctx, "start", tbl, START_KEYS, _ALL_KEYS)
    modes = [m for m in START_MODES if m in tbl]
    if len(modes) != 1:
        got = "none" if not modes else " and ".join(modes)
        raise ctx.error(f"{ctx.key('start')} needs exactly one of {', '.join(START_MODES)} "
                        f"(got {got})")
    mode = modes[0]
    for k, allowed in (("box", ("grid", "random", "lhs")), ("params", ("grid",)),
                       ("fixed", ("grid",)), ("seed", ("random", "lhs"))):
        if k in tbl and mode not in allowed:
            raise ctx.error(f"{ctx.key('start', k)} applies to {' / '.join(allowed)}, "
                            f"not to {mode}")
    for k in ("box", "fixed", "points"):
        if k in tbl:
            _no_bools(ctx, ctx.key("start", k), tbl[k])
    box = tbl.get("box")
    if mode == "grid":
        n = tbl["grid"]
        ns = n if isinstance(n, list) else [n]
        ns = [_int(ctx, ctx.key("start", "grid"), k, 1) for k in ns]
        if quick:
            ns = [min(k, QUICK_GRID) for k in ns]
        params = tbl.get("params")
        if params is not None and (not isinstance(params, list)
                                   or not all(isinstance(p, str) for p in params)):
            raise ctx.error(f"{ctx.key('start', 'params')} must be a list of parameter names")
        k = len(params) if params is not None else model.n_params
        if len(ns) not in (1, k):
            raise ctx.error(f"{ctx.key('start', 'grid')} must be one size or {k} sizes "
                            f"(one per varied parameter), got {len(ns)}")
        nval = ns[0] if isinstance(n, int) or len(ns) == 1 else ns
        try:
            return grid(model, nval, box=box, params=params, fixed=tbl.get("fixed"))
        except (TypeError, ValueError) as exc:
            raise ctx.error(f"{ctx.key('start')}: {exc}") from None
    if mode == "points":
        pts = tbl["points"]
        try:
            arr = np.array(pts, dtype=float)
        except (TypeError, ValueError):
            raise ctx.error(f"{ctx.key('start', 'points')} must be a list of points "
                            f"(lists of {model.n_params} numbers)") from None
        if arr.ndim == 1:
            arr = arr[None, :]
        if arr.ndim != 2 or arr.shape[1] != model.n_params or len(arr) == 0:
            raise ctx.error(f"{ctx.key('start', 'points')}: each point needs "
                            f"{model.n_params} numbers (parameters "
                            f"{', '.join(model.param_names)}), got shape {arr.shape}")
        return arr[:QUICK_POINTS] if quick else arr
    n = _int(ctx, ctx.key("start", mode), tbl[mode], 1)
    if quick:
        n = min(n, QUICK_POINTS)
    seed = _int(ctx, ctx.key("start", "seed"), tbl.get("seed", 0), 0)
    fn = random_starts if mode == "random" else latin_hypercube
    try:
        return fn(model, n, seed=seed, box=box)
    except (TypeError, ValueError) as exc:
        raise ctx.error(f"{ctx.key('start')}: {exc}") from None


def build_schedule(ctx: _Ctx, where: str, v):
    from ..optim.schedules import named_schedules

    if isinstance(v, str):
        name, args = v, {}
    elif isinstance(v, dict):
        if "name" not in v:
            raise ctx.error(f"{where} needs a name (one of {', '.join(named_schedules)})")
        name, args = v["name"], {k: x for k, x in v.items() if k != "name"}
    else:
        raise ctx.error(f"{where} must be a name or a table {{name = ..., ...}}, got {v!r}")
    if name not in named_schedules:
        raise ctx.error(f"{where}: unknown schedule {name!r}{suggest(name, named_schedules)}; "
                        f"valid schedules: {', '.join(named_schedules)}")
    factory = named_schedules[name]
    params = _params(factory)
    for k in args:
        if k not in params:
            raise ctx.error(f"{where}: schedule {name!r} has no argument {k!r}"
                            f"{suggest(k, params)}; its arguments: {', '.join(params) or 'none'}")
    for k, x in args.items():
        if k != "then":
            _no_bools(ctx, f"{where}.{k}", x, factory, k)
    if "then" in args:
        args["then"] = build_schedule(ctx, f"{where}.then", args["then"])
    return _call(ctx, f"{where} ({name})", factory, args)


def build_run(ctx: _Ctx, tbl: dict, quick: bool):
    _check_keys(ctx, "run", tbl, RUN_KEYS, _ALL_KEYS)
    _need(ctx, "run", tbl, "steps")
    steps = _int(ctx, ctx.key("run", "steps"), tbl["steps"], 1)
    if quick:
        steps = min(steps, QUICK_STEPS)
    seed = _int(ctx, ctx.key("run", "seed"), tbl.get("seed", 0), 0)
    seeds = tbl.get("seeds")
    if seeds is not None:
        if isinstance(seeds, list):
            seeds = np.array([_int(ctx, ctx.key("run", "seeds"), s, 0) for s in seeds],
                             dtype=np.int64)
            if seeds.size == 0:
                raise ctx.error(f"{ctx.key('run', 'seeds')} is an empty list")
            if quick:
                seeds = seeds[:QUICK_SEEDS]
        else:
            seeds = _int(ctx, ctx.key("run", "seeds"), seeds, 1)
            if quick:
                seeds = min(seeds, QUICK_SEEDS)
    opts = {}
    if "tol" in tbl:
        opts["tol"] = _float(ctx, ctx.key("run", "tol"), tbl["tol"])
    if "bound" in tbl:
        opts["bound"] = _float(ctx, ctx.key("run", "bound"), tbl["bound"])
    for k in ("batch_size", "record_every"):
        if k in tbl:
            opts[k] = _int(ctx, ctx.key("run", k), tbl[k], 1)
    if "reduction" in tbl:
        opts["reduction"] = tbl["reduction"]
    if "dtype" in tbl:
        if tbl["dtype"] not in DTYPE_NAMES:
            raise ctx.error(f"{ctx.key('run', 'dtype')} must be one of "
                            f"{', '.join(map(repr, DTYPE_NAMES))}, got {tbl['dtype']!r}")
        opts["dtype"] = tbl["dtype"]
    if "schedule" in tbl:
        opts["schedule"] = build_schedule(ctx, ctx.key("run", "schedule"), tbl["schedule"])
    if "criterion" in tbl:
        opts["criterion"] = build_criterion(ctx, ctx.key("run", "criterion"), tbl["criterion"],
                                            steps, quick)
    return steps, seed, seeds, opts


def build_criterion(ctx: _Ctx, where: str, v, steps: int, quick: bool = False):
    """``"not_diverged"``, ``"loss_ratio"`` or ``{name = "loss_ratio", k = .., threshold =
    ..}`` -> a criterion of :mod:`fastdescent.engine.criteria`."""
    from ..engine.criteria import LossRatio, NotDiverged, as_criterion

    if isinstance(v, str):
        if v not in ("not_diverged", "loss_ratio"):
            raise ctx.error(f"{where} must be 'not_diverged' or 'loss_ratio', got {v!r}")
        crit = NotDiverged() if v == "not_diverged" else LossRatio()
    elif isinstance(v, dict) and v.get("name") == "loss_ratio":
        extra = set(v) - {"name", "k", "threshold"}
        if extra:
            raise ctx.error(f"{where}: unknown key {sorted(extra)[0]!r} (loss_ratio takes k "
                            f"and threshold)")
        args = {"k": _int(ctx, f"{where}.k", v.get("k", 20), 1),
                "threshold": _float(ctx, f"{where}.threshold", v.get("threshold", 1.0))}
        crit = _call(ctx, where, LossRatio, args)
    else:
        raise ctx.error(f"{where} must be 'not_diverged', 'loss_ratio' or {{name = "
                        f"\"loss_ratio\", k = .., threshold = ..}}, got {v!r}")
    if quick and isinstance(crit, LossRatio) and crit.k > steps:  # --quick caps the steps
        crit = LossRatio(steps, crit.threshold)
    return _call(ctx, where, as_criterion, {"criterion": crit, "steps": steps})


def dir_writable(d: Path) -> bool:
    """Whether a file can be created in directory ``d`` (tried, not guessed: root ignores
    permission bits but not read-only file systems)."""
    import tempfile

    if not os.access(d, os.W_OK | os.X_OK):
        return False
    try:
        fd, tmp = tempfile.mkstemp(dir=d, prefix=".fastdescent-", suffix=".tmp")
    except OSError:
        return False
    os.close(fd)
    os.remove(tmp)
    return True


def check_output_path(path: Path, what: str = "output path") -> Path:
    """Refuse a path the dataset cannot be written to (exit 2, before any work)."""
    if path.suffix not in (".nc", ".zarr"):
        raise UsageError(f"{what} {str(path)!r} must end in .nc or .zarr")
    if path.suffix == ".zarr":
        try:
            import zarr  # noqa: F401
        except ImportError:
            raise UsageError(f"writing {str(path)!r} needs the zarr package (pip install zarr); "
                             f"or use a .nc path") from None
    parent = path.parent
    if not parent.is_dir():
        raise UsageError(f"cannot write {what} {str(path)!r}: directory {str(parent)!r} "
                         f"does not exist")
    if not dir_writable(parent):
        raise UsageError(f"cannot write {what} {str(path)!r}: directory {str(parent)!r} "
                         f"is not writable")
    if path.exists() and path.suffix == ".nc" and not path.is_file():
        raise UsageError(f"cannot write {what} {str(path)!r}: it exists and is not a file")
    if path.exists() and not os.access(path, os.W_OK):
        raise UsageError(f"cannot write {what} {str(path)!r}: it exists and is read-only")
    return path


def build_output(ctx: _Ctx, tbl: dict, override: str | None):
    _check_keys(ctx, "output", tbl, OUTPUT_KEYS, _ALL_KEYS)
    raw = override if override is not None else tbl.get("path")
    if raw is None:
        raise ctx.error(f"missing key 'path' in {ctx.key('output')} (or give -o PATH)")
    if not isinstance(raw, str):
        raise ctx.error(f"{ctx.key('output', 'path')} must be a string")
    path = check_output_path(Path(raw).expanduser())
    store = tbl.get("store")
    store = Path(store).expanduser() if store is not None else Path(str(path) + ".store")
    plots = tbl.get("plots", [])
    if isinstance(plots, str):
        plots = [plots]
    if not isinstance(plots, list):
        raise ctx.error(f"{ctx.key('output', 'plots')} must be a list of "
                        f"{', '.join(PLOT_KINDS)}")
    for p in plots:
        if p not in PLOT_KINDS:
            raise ctx.error(f"{ctx.key('output', 'plots')}: unknown plot {p!r}"
                            f"{suggest(p, PLOT_KINDS)}; valid plots: {', '.join(PLOT_KINDS)}")
    chunk = tbl.get("chunk_size")
    if chunk is not None:
        chunk = _int(ctx, ctx.key("output", "chunk_size"), chunk, 1)
    return path, store, tuple(dict.fromkeys(plots)), chunk


_ALL_KEYS = {"start": START_KEYS, "run": RUN_KEYS, "output": OUTPUT_KEYS}


def _need(ctx, table, tbl, key):
    if key in tbl:
        return
    if ctx.cli:
        raise ctx.error(f"missing option {ctx.key(table, key)}")
    typo = difflib.get_close_matches(key, [str(k) for k in tbl], n=1, cutoff=0.6)
    hint = f" ({typo[0]!r} looks misspelled: did you mean {key!r}?)" if typo else ""
    raise ctx.error(f"missing key {key!r} in [{table}]{hint}")


# ------------------------------------------------------------------------------ entry points
def from_dict(doc: dict, *, source: str, base: Path, quick: bool = False,
              output: str | None = None, cli: bool = False, max_memory=None) -> Experiment:
    """Validate an experiment document (the parsed TOML) and build its objects."""
    ctx = _Ctx(source, base, cli)
    if not cli:
        _check_keys(ctx, "top level", doc, TOP_KEYS, _ALL_KEYS)
        for t in ("model", "optimizer", "start", "run"):
            if t not in doc:
                raise ctx.error(f"missing table [{t}]")
        for t in TABLES:
            if t in doc and not isinstance(doc[t], dict):
                raise ctx.error(f"[{t}] must be a table, got {type(doc[t]).__name__}")
    model = build_model(ctx, doc["model"])
    optimizer, axes = build_optimizer(ctx, doc["optimizer"], quick)
    inits = build_start(ctx, doc["start"], model, quick)
    steps, seed, seeds, opts = build_run(ctx, doc["run"], quick)
    path, store, plots, chunk = build_output(ctx, doc.get("output", {}), output)
    exp = Experiment(source, model, optimizer, inits, steps, axes, opts, seed, seeds, path,
                     store, plots, chunk, str(doc.get("title", "")), max_memory=max_memory)
    try:
        exp.plan()  # every argument, and the memory the sweep needs (--max-memory)
    except (TypeError, ValueError) as exc:
        raise ctx.error(str(exc)) from None
    return exp


def load_file(path: str, *, quick: bool = False, output: str | None = None,
              max_memory=None) -> Experiment:
    """Read and validate an experiment TOML file."""
    import tomllib

    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read experiment file {path!r}: "
                         f"{exc.strerror or exc}") from None
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: invalid TOML: {exc}") from None
    return from_dict(doc, source=str(path), base=p.resolve().parent, quick=quick, output=output,
                     max_memory=max_memory)
