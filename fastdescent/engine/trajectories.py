"""``fastdescent.run``: many independent trajectories of one model and one update rule.

The thin Python layer of the engine: it validates every argument before any kernel runs,
splits the trajectories into chunks, shows progress and assembles a :class:`Result`. The
numerical work happens in the compiled driver of :mod:`fastdescent.engine.worker`.
"""
from __future__ import annotations

import math
import os
import sys
import warnings
import weakref
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numba
import numpy as np

from .. import contract as S
from ..contract import DTYPES, N_BLOCK_ARRAYS, N_VECTORS, compiled, signatures
from ..models.base import Model
from ..optim.record import Optimizer, Rule
from ..optim.registry import get_optimizer
from ..optim.schedules import Schedule, as_schedule
from .compiled import pointer, run_kernels
from .criteria import LossRatio, NotDiverged, as_criterion, loss_ratio
from .memory import MemoryLimitError, check_memory

#: trajectories per block by precision: 512 bytes of each parameter row either way (64 float64
#: or 128 float32 lanes), so a block's rows and scratch take the same room in cache; float32
#: blocks of 64 lanes leave the vector loops' overhead (loop control, per-block Adam bias
#: corrections) over half as many lanes (``benchmarks/RESULTS.md``, block size)
DEFAULT_BLOCK = {"float64": 64, "float32": 128}
DEFAULT_BOUND = 1e8


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C during :func:`run`: ``.result`` holds the finished chunks (the rest NOT_RUN).

    Examples
    --------
    What a script does with Ctrl-C during a long run (here raised by hand): the finished
    trajectories are in ``.result``, the others have status ``NOT_RUN``.

    >>> import numpy as np
    >>> import fastdescent as fd
    >>> res = fd.run(fd.models.quadratic(), fd.optim.gd(), [[1.0, 1.0]], steps=10)
    >>> try:
    ...     raise fd.engine.RunInterrupted(res)
    ... except KeyboardInterrupt as exc:
    ...     kept = exc.result
    >>> kept.counts()
    {'max_steps': 1}
    """

    def __init__(self, result):
        super().__init__("run interrupted; finished trajectories are in .result")
        self.result = result


@dataclass(eq=False)
class Result:
    """Outcome of :func:`run` for N trajectories of P parameters.

    Attributes
    ----------
    params : ndarray (N, P)
        Final parameters (for a diverged trajectory: its last finite point).
    loss : ndarray (N,)
        Full-batch loss at ``params``.
    status : ndarray (N,) int8
        :data:`~fastdescent.engine.status.CONVERGED`, ``MAX_STEPS``, ``DIVERGED`` (or
        ``NOT_RUN`` after an interruption).
    steps : ndarray (N,) int64
        Updates applied.
    path, loss_path : ndarray (N, K, P), (N, K) or None
        With ``record_every=k``: the point and its full-batch loss at steps 0, k, 2k, ... and
        the final point (entries after a trajectory stopped repeat its final point).
    loss_ratio : ndarray (N,) or None
        With ``criterion=LossRatio(k, ...)``: mean full-batch loss of the last ``k`` steps
        over the initial one (``inf`` for a diverged trajectory).
    search_step, search_rounds : ndarray (N, K) float64, (N, K) int64, or None
        With ``record_diagnostics=True`` (line-search optimizers): the step size the line
        search accepted at steps 0, k, 2k, ... (the step that leaves ``path[:, r]``) and the
        rounds it used (bracketing: rounds of the bracket rules; Armijo: trial steps
        evaluated). Records with no search (the final point, steps after a trajectory
        stopped) hold NaN and -1.

    Examples
    --------
    >>> import fastdescent as fd
    >>> m = fd.models.quadratic((1.0, 4.0))
    >>> res = fd.run(m, fd.optim.gd(lr=0.45), [[1.0, 1.0], [0.5, 0.0]], steps=100, tol=1e-8,
    ...              record_every=25)
    >>> res
    <Result 2 trajectories of quadratic with gd(lr=0.45): {'converged': 2}>
    >>> res.counts(), res.converged
    ({'converged': 2}, array([ True,  True]))
    >>> res.path.shape, res.record_steps
    ((2, 5, 2), array([  0,  25,  50,  75, 100]))
    >>> res[1].params.round(8), res[1].loss_path.round(4)
    (array([[1.e-08, 0.e+00]]), array([[0.125, 0.   , 0.   , 0.   , 0.   ]]))
    """

    params: np.ndarray
    loss: np.ndarray
    status: np.ndarray
    steps: np.ndarray
    path: np.ndarray | None = None
    loss_path: np.ndarray | None = None
    record_every: int | None = None
    model: Model | None = None
    optimizer: Optimizer | None = None
    settings: dict = field(default_factory=dict)
    search_step: np.ndarray | None = None
    search_rounds: np.ndarray | None = None
    loss_ratio: np.ndarray | None = None
    criterion: object = field(default_factory=NotDiverged)

    @property
    def trainable(self) -> np.ndarray:
        """Per trajectory: trainable by the run's criterion (``settings["criterion"]``)."""
        return self.criterion.trainable(self.status, self.loss_ratio)

    @property
    def n(self) -> int:
        return int(self.params.shape[0])

    @property
    def converged(self) -> np.ndarray:
        return self.status == S.CONVERGED

    @property
    def diverged(self) -> np.ndarray:
        return self.status == S.DIVERGED

    @property
    def record_steps(self) -> np.ndarray | None:
        """Step number of each recorded point (the last one is the final point)."""
        if self.path is None:
            return None
        K = self.path.shape[1]
        st = np.arange(K) * self.record_every
        st[-1] = self.settings.get("steps", st[-1])
        return st

    def counts(self) -> dict:
        """Number of trajectories per status name."""
        return {S.STATUS_NAMES[k]: int(np.sum(self.status == k)) for k in S.STATUS_NAMES
                if np.any(self.status == k)}

    def __repr__(self) -> str:
        opt = repr(self.optimizer) if self.optimizer is not None else "?"
        name = self.model.name if self.model is not None else "?"
        return f"<Result {self.n} trajectories of {name} with {opt}: {self.counts()}>"

    def __getitem__(self, i) -> "Result":
        sel = np.arange(self.n)[i]
        sel = np.atleast_1d(sel)
        return Result(self.params[sel], self.loss[sel], self.status[sel], self.steps[sel],
                      None if self.path is None else self.path[sel],
                      None if self.loss_path is None else self.loss_path[sel],
                      self.record_every, self.model, self.optimizer, self.settings,
                      None if self.search_step is None else self.search_step[sel],
                      None if self.search_rounds is None else self.search_rounds[sel],
                      None if self.loss_ratio is None else self.loss_ratio[sel], self.criterion)


# --------------------------------------------------------------------------------- validation
def _int(v, name, lo=None, hi=None):
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(v).__name__} {v!r}")
    v = int(v)
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        rng = f">= {lo}" if hi is None else f"in [{lo}, {hi}]"
        raise ValueError(f"{name} must be {rng}, got {v}")
    return v


def check_model(model) -> Model:
    if isinstance(model, str):
        from ..models import get_model

        return get_model(model)
    if not isinstance(model, Model):
        raise TypeError(f"model must be a fastdescent Model (e.g. fastdescent.models.gabor()), "
                        f"got {type(model).__name__}")
    return model


def check_optimizer(optimizer) -> Optimizer:
    if isinstance(optimizer, str):
        return get_optimizer(optimizer)
    if isinstance(optimizer, Rule):
        return optimizer()
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be a fastdescent Optimizer (e.g. "
                        f"fastdescent.optim.adam(lr=0.05)), got {type(optimizer).__name__}")
    return optimizer


def check_init(init, model: Model, dtype="float64") -> np.ndarray:
    """``init`` as a C-contiguous ``(N, P)`` float64 array (float32 with ``dtype="float32"``),
    or a clear error: wrong shape, NaN or infinite values, values beyond float32's range."""
    try:
        a = np.array(init, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError("init must be an array of numbers of shape (P,) or (N, P)") from None
    P = model.n_params
    if a.ndim == 1 and a.shape[0] == P:
        a = a[None, :]
    if a.ndim != 2 or a.shape[1] != P or a.shape[0] == 0:
        raise ValueError(f"init must have shape ({P},) or (N, {P}) for model {model.name!r} "
                         f"(parameters {', '.join(model.param_names)}), got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        bad = int(np.argmax(~np.all(np.isfinite(a), axis=1)))
        raise ValueError(f"init contains NaN or infinite values (first at row {bad})")
    if dtype == "float32":
        return _as_float32(a, "init")
    return np.ascontiguousarray(a)


def _as_float32(a: np.ndarray, name: str) -> np.ndarray:
    """``a`` rounded to float32, or a ValueError naming ``name`` when a value overflows."""
    with np.errstate(over="ignore"):
        b = np.ascontiguousarray(a, dtype=np.float32)
    bad = np.isfinite(a) & ~np.isfinite(b)
    if np.any(bad):
        v = float(a[bad].flat[0])
        raise ValueError(f"{name} holds {v!r}, beyond float32's range (|x| <= "
                         f"{float(np.finfo(np.float32).max):.4g}): use dtype='float64'")
    return b


def check_hyper(hyper: np.ndarray, optimizer: Optimizer, dtype: str) -> np.ndarray:
    """The ``(H, N)`` hyperparameter matrix in precision ``dtype`` (a float32 overflow is an
    error naming the hyperparameter).

    Examples
    --------
    >>> import fastdescent as fd
    >>> opt = fd.optim.gd(lr=0.1)
    >>> check_hyper(opt.hyper_matrix(2), opt, "float32").dtype
    dtype('float32')
    """
    if dtype != "float32":
        return hyper
    for h, name in enumerate(optimizer.hyper_names):
        _as_float32(hyper[h], f"hyperparameter {name!r}")
    return np.ascontiguousarray(hyper, dtype=np.float32)


def check_model_dtype(model: Model, dtype: str) -> None:
    """A ValueError naming the model's data or settings when they do not fit ``dtype``.

    Examples
    --------
    >>> import fastdescent as fd
    >>> check_model_dtype(fd.models.gabor().with_data([0.0, 1.0], [1e39, 0.0]), "float32")
    Traceback (most recent call last):
    ...
    ValueError: model 'gabor' data y holds 1e+39, beyond float32's range (|x| <= 3.403e+38): use dtype='float64'
    """
    if dtype != "float32":
        return
    for name, a in (("data x", model.X), ("data y", model.Y), ("consts", model.consts)):
        _as_float32(a, f"model {model.name!r} {name}")


@dataclass
class Settings:
    """Validated run settings shared by :func:`run`, :func:`~fastdescent.sweep` and tiles."""

    steps: int
    batch_size: int  # 0 = full batch
    schedule: Schedule
    tol: float  # 0 = no convergence test
    record_every: int  # 0 = no paths
    reduction: str
    bound: float
    block: int
    criterion: object = field(default_factory=NotDiverged)
    dtype: str = "float64"

    def describe(self) -> dict:
        d = {"steps": self.steps, "batch_size": self.batch_size or None,
             "schedule": self.schedule.describe(), "tol": self.tol or None,
             "record_every": self.record_every or None, "reduction": self.reduction,
             "bound": self.bound, "criterion": self.criterion.describe()}
        if self.dtype != "float64":  # float64 descriptions (and fingerprints) as before
            d["dtype"] = self.dtype
        return d

    @property
    def n_records(self) -> int:
        if not self.record_every:
            return 0
        return self.steps // self.record_every + 1 + (self.steps % self.record_every != 0)


def check_dtype(dtype) -> str:
    """``dtype`` as a contract precision name (``"float64"`` or ``"float32"``); accepts the
    names and NumPy's float64/float32 types, else a ValueError naming the accepted values.

    Examples
    --------
    >>> import numpy as np
    >>> check_dtype(np.float32), check_dtype("float64")
    ('float32', 'float64')
    """
    try:
        name = np.dtype(dtype).name if dtype is not None else None
    except TypeError:
        name = None
    if name not in DTYPES:
        raise ValueError(f"dtype must be one of {', '.join(map(repr, DTYPES))} (or "
                         f"numpy.float64 / numpy.float32), got {dtype!r}")
    return name


#: float32 rounding noise: a gradient norm is resolved to about ``eps32 * sqrt(N)`` times
#: the size of its per-example terms; a ``tol`` below ``F32_TOL_FACTOR * eps32 * sqrt(N)``
#: (N examples) may never be reached in float32, so :func:`check_float32_tol` warns.
F32_TOL_FACTOR = 100.0


class PrecisionWarning(UserWarning):
    """A setting asks for more than the run's precision resolves (``tol`` in float32).

    Examples
    --------
    >>> import warnings
    >>> import fastdescent as fd
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     _ = fd.run(fd.models.gabor(), fd.optim.gd(lr=0.01), [0.6, -0.2], 5, tol=1e-7,
    ...                dtype="float32", progress=False)
    >>> w[0].category.__name__
    'PrecisionWarning'
    """


def float32_tol_floor(model: Model) -> float:
    r"""The smallest ``tol`` a float32 run of ``model`` resolves reliably:
    :math:`100\,\varepsilon_{32}\sqrt{N}` (N examples; about 6.5e-5 for the 30 Gabor
    points). Below it the float32 gradient norm near a minimum is mostly rounding noise.

    Examples
    --------
    >>> import fastdescent as fd
    >>> f"{float32_tol_floor(fd.models.gabor()):.1e}"
    '6.5e-05'
    """
    return F32_TOL_FACTOR * float(np.finfo(np.float32).eps) * math.sqrt(model.n_examples)


def check_float32_tol(settings: "Settings", model: Model, stacklevel: int = 3) -> None:
    """Warn (:class:`PrecisionWarning`) when a float32 run's ``tol`` is below
    :func:`float32_tol_floor` (see its example)."""
    if settings.dtype == "float32" and 0 < settings.tol < float32_tol_floor(model):
        warnings.warn(
            f"tol={settings.tol:g} is below what float32 resolves for model {model.name!r} "
            f"(about {float32_tol_floor(model):.1e}: float32 rounding noise of the gradient "
            f"norm): trajectories may never meet it and run to the step budget; use "
            f"dtype='float64' or a larger tol", PrecisionWarning, stacklevel=stacklevel)


def make_settings(model: Model, optimizer: Optimizer, steps, batch_size=None, schedule=None,
                  tol=None, record_every=None, reduction="sum", bound=DEFAULT_BOUND,
                  block_size=None, criterion=None, dtype="float64") -> Settings:
    dtype = check_dtype(dtype)
    steps = _int(steps, "steps", 1)
    if batch_size is None:
        bs = 0
    else:
        if not model.has_data:
            raise ValueError(f"batch_size needs a model with data; {model.name!r} has none "
                             f"(use batch_size=None)")
        bs = _int(batch_size, "batch_size", 1, model.n_examples)
        if bs == model.n_examples:
            bs = 0  # a batch of everything is the full batch
    sched = as_schedule(schedule)
    if tol is None:
        tol_v = 0.0
    else:
        tol_v = float(tol)
        if not (tol_v > 0 and math.isfinite(tol_v)):
            raise ValueError(f"tol must be a finite number > 0 or None, got {tol!r}")
    rec = 0 if record_every is None else _int(record_every, "record_every", 1)
    if reduction not in ("sum", "mean"):
        raise ValueError(f"reduction must be 'sum' (the lecture's) or 'mean', got {reduction!r}")
    bound = float(bound)
    if not bound > 0:
        raise ValueError(f"bound must be > 0, got {bound!r}")
    block = (DEFAULT_BLOCK[dtype] if block_size is None
             else _int(block_size, "block_size", 1, 4096))
    return Settings(steps, bs, sched, tol_v, rec, reduction, bound, block,
                    as_criterion(criterion, steps), dtype)


def check_seed(seed, n: int) -> np.ndarray:
    s = np.asarray(seed)
    if s.dtype.kind not in "iu" or np.any(s < 0):
        raise ValueError(f"seed must be a non-negative integer (or one per trajectory), "
                         f"got {seed!r}")
    if s.ndim == 0:
        return np.full(n, int(s), dtype=np.int64)
    if s.shape != (n,):
        raise ValueError(f"seed must be a scalar or have shape ({n},), got {s.shape}")
    return s.astype(np.int64)


def check_batches(batches, n: int, model: Model, steps: int, batch_size) -> np.ndarray | None:
    """``batches`` of :func:`run` as int64 ``(1, steps, width)`` (shared) or
    ``(n, steps, width)`` (per trajectory), or None; a ValueError names what is wrong."""
    if batches is None:
        return None
    if batch_size is not None:
        raise ValueError("give either batch_size (batches drawn from the seeded streams) or "
                         "batches (a given sequence), not both")
    if not model.has_data:
        raise ValueError(f"batches needs a model with data; {model.name!r} has none")
    N = model.n_examples
    shapes = (f"(steps, batch) = ({steps}, b) shared by every trajectory or "
              f"(n_traj, steps, batch) = ({n}, {steps}, b) per trajectory, every batch of the "
              f"same size b >= 1, indices in [0, {N})")
    try:
        a = np.asarray(batches)
    except ValueError:  # ragged nested lists
        raise ValueError(f"batches must be an array of shape {shapes}; its batches differ in "
                         f"size") from None
    if a.dtype == object:
        raise ValueError(f"batches must be an array of shape {shapes}; its batches differ in "
                         f"size")
    if a.size and a.dtype.kind not in "iu":
        raise ValueError(f"batches must hold integer example indices, got dtype {a.dtype}")
    if a.ndim == 2:
        a = a[None]
    elif a.ndim != 3 or a.shape[0] != n:
        raise ValueError(f"batches must have shape {shapes}; got shape {a.shape}")
    if a.shape[1] < steps or a.shape[2] == 0:
        raise ValueError(f"batches must have shape {shapes} (rows after the first {steps} are "
                         f"not used); got shape {a.shape[-2:]} per trajectory")
    a = a[:, :steps]
    if np.any(a < 0) or np.any(a >= N):
        bad = a[(a < 0) | (a >= N)].flat[0]
        raise ValueError(f"batches: example indices must be in [0, {N}) for model "
                         f"{model.name!r}, got {int(bad)}")
    return np.ascontiguousarray(a, dtype=np.int64)


def check_diagnostics(record_diagnostics, optimizer: Optimizer, settings: Settings) -> bool:
    if not record_diagnostics:
        return False
    if not optimizer.rule.uses_line_search:
        raise ValueError(f"record_diagnostics=True needs a line-search optimizer "
                         f"(line_search, armijo), got {optimizer.name!r}")
    if not settings.record_every:
        raise ValueError("record_diagnostics=True needs record_every (it records the search "
                         "at the recorded steps)")
    return True


def check_threads(threads):
    if threads is None:
        return None
    return _int(threads, "threads", 1, 1024)


def path_bytes(n: int, settings: Settings, P: int) -> int:
    return n * settings.n_records * (P + 1) * 8


# --------------------------------------------------------------------------------- execution
def default_threads() -> int:
    """Threads used when ``threads=None``: ``$FASTDESCENT_THREADS``, else Numba's thread
    count (``$NUMBA_NUM_THREADS``, default: the number of cores)."""
    env = os.environ.get("FASTDESCENT_THREADS")
    if env:
        return max(1, int(env))
    return int(numba.config.NUMBA_NUM_THREADS)


_POOLS: dict = {}


def _pool(workers: int) -> ThreadPoolExecutor:
    pool = _POOLS.get(workers)
    if pool is None:
        pool = _POOLS[workers] = ThreadPoolExecutor(workers, thread_name_prefix="fastdescent")
    return pool


def execute(model: Model, optimizer: Optimizer, settings: Settings, init: np.ndarray,
            hyper: np.ndarray, index: np.ndarray, seed: np.ndarray, threads=None,
            batches: np.ndarray | None = None, diagnostics: bool = False) -> dict:
    """Run one chunk of trajectories through the compiled driver; returns output arrays.

    ``batches``: the chunk's given minibatches, ``(1 or n, steps, width)`` int64 (see
    :func:`check_batches`); ``diagnostics``: also return ``search_step`` and
    ``search_rounds`` (line searches, with ``record_every``).
    Pure function of its inputs: the same trajectory gives the same bits in any chunk.
    """
    n, P = init.shape
    K = settings.n_records
    dt = np.dtype(settings.dtype)
    out = {
        "params": np.empty((n, P), dt),
        "loss": np.empty(n, dt),
        "status": np.empty(n, dtype=np.int8),
        "steps": np.empty(n, dtype=np.int64),
        "path": np.empty((n, K, P), dt),
        "loss_path": np.empty((n, K), dt),
    }
    tail_k = settings.criterion.tail
    tail = np.empty((n, 2) if tail_k else (0, 2), dt)
    user = batches is not None
    if diagnostics:
        out["search_step"] = np.full((n, K), np.nan, dt)
        out["search_rounds"] = np.full((n, K), -1, dtype=np.int64)
    diag = (out["search_step"], out["search_rounds"]) if diagnostics else \
        (np.empty((0, 0), dt), np.empty((0, 0), dtype=np.int64))
    ub = batches if user else np.empty((0, 0, 0), dtype=np.int64)
    width = ub.shape[2] if user else 0
    batches = user or 0 < settings.batch_size < model.n_examples
    rule = optimizer.rule
    lookahead = rule.lookahead is not None
    # the loss alone is needed by line searches, and to record the loss at a point where
    # the gradient was not taken; other runs get a placeholder (no compile of block_loss)
    need_loss = rule.uses_line_search or ((settings.record_every > 0 or tail_k > 0)
                                          and (batches or lookahead))
    groups = (tuple(model.groups[g] for g in model.groups) if optimizer.groups is not None
              else None)
    wk, (lg, lo, update, look, search, permute) = run_kernels(model, rule, batches, need_loss,
                                                              groups, settings.dtype)
    sig = signatures(settings.dtype)
    drive = compiled(wk.drive, sig.drive)
    # blocks of at most settings.block lanes, as even as possible (the last one is padded)
    n_blocks = -(-n // settings.block)
    lanes = -(-n // n_blocks)
    workers = min(threads or default_threads(), n_blocks)
    X, Y, c = model_arrays(model, dt)
    head = (pointer(lg, sig.loss_grad), pointer(lo, sig.loss), pointer(update, sig.update),
            pointer(look, sig.lookahead), pointer(search, sig.search),
            pointer(permute, sig.permute), rule.uses_line_search, lookahead,
            np.ascontiguousarray(init, dtype=dt), np.ascontiguousarray(hyper, dtype=dt),
            np.ascontiguousarray(index, dtype=np.int64), np.ascontiguousarray(seed),
            settings.steps,
            np.ascontiguousarray(settings.schedule.factors(settings.steps), dtype=dt),
            settings.batch_size, ub, settings.reduction == "mean",
            settings.tol, settings.bound, X, Y, c, settings.record_every, tail_k)
    outs = (out["params"], out["loss"], out["status"], out["steps"], out["path"],
            out["loss_path"], *diag, tail)
    H = hyper.shape[0]
    spaces = [_workspace(lanes, P, H, optimizer.n_state, model.work_size,
                         max(model.n_examples, width) if batches else 0, dt)
              for _ in range(workers)]
    next_block = np.zeros(1, dtype=np.int64)  # shared: each thread claims the next block
    if workers <= 1:
        drive(next_block, n_blocks, *head, *spaces[0], *outs)
    else:
        pool = _pool(workers - 1)
        futures = [pool.submit(drive, next_block, n_blocks, *head, *ws, *outs)
                   for ws in spaces[1:]]
        drive(next_block, n_blocks, *head, *spaces[0], *outs)  # this thread works too
        for f in futures:
            f.result()
    if not K:
        out["path"] = out["loss_path"] = None
    if tail_k:
        out["loss_ratio"] = loss_ratio(tail)
    return out


def model_arrays(model: Model, dtype) -> tuple:
    """The model's ``X``, ``Y`` and ``consts`` in precision ``dtype`` (the model's own arrays
    for float64; float32 copies, made once per model and kept with it).

    Examples
    --------
    >>> import fastdescent as fd
    >>> X, Y, c = model_arrays(fd.models.gabor(), "float32")
    >>> X.dtype, X.shape
    (dtype('float32'), (30, 1))
    """
    dt = np.dtype(dtype)
    if dt == np.float64:
        return model.X, model.Y, model.consts
    per_model = _MODEL_ARRAYS.setdefault(model, {})
    got = per_model.get(dt.name)
    if got is None:
        got = per_model[dt.name] = tuple(np.ascontiguousarray(a, dtype=dt)
                                         for a in (model.X, model.Y, model.consts))
    return got


_MODEL_ARRAYS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _workspace(width: int, P: int, H: int, n_state: int, work_rows: int, n_perm: int,
               dt=np.float64) -> tuple:
    """One thread's arrays for one block of ``width`` lanes (see :func:`worker.drive`)."""
    return (np.empty((N_BLOCK_ARRAYS, P, width), dt), np.empty((N_VECTORS, width), dt),
            np.empty((n_state, P, width), dt), np.empty((H, width), dt),
            np.zeros((max(work_rows, 1), width), dt),
            np.zeros((width, n_perm) if n_perm else (1, 1), dtype=np.int64),
            np.empty(width, dtype=np.bool_))


def auto_chunk(n: int, block: int) -> int:
    threads = default_threads()
    target = max(block * threads * 4, min(65536, n // 20 + 1))
    return int(math.ceil(target / block) * block)


def want_progress(progress) -> bool:
    if progress is None:
        return bool(getattr(sys.stderr, "isatty", lambda: False)())
    return bool(progress)


def _check_run_memory(init, model, optimizer, settings, chunk_size, max_memory) -> None:
    """The memory check of :func:`run`, from the shape of ``init`` alone (before any copy)."""
    try:
        shape = init.shape if isinstance(init, np.ndarray) else np.shape(init)
    except (TypeError, ValueError):
        return  # not an array: check_init says why
    n = int(shape[0]) if len(shape) == 2 else 1
    chunk = auto_chunk(n, settings.block) if chunk_size is None else chunk_size
    if isinstance(chunk, (int, np.integer)) and not isinstance(chunk, bool) and chunk >= 1:
        check_memory(n, model.n_params, len(optimizer.hyper_names), settings.n_records,
                     int(chunk), max_memory)


def run(model, optimizer, init, steps, *, batch_size=None, schedule=None, seed=0, tol=None,
        record_every=None, threads=None, progress=None, reduction="sum", bound=DEFAULT_BOUND,
        index=None, chunk_size=None, block_size=None,
        max_path_bytes=None, max_memory=None, batches=None,
        record_diagnostics=False, criterion=None, dtype="float64") -> Result:
    """Run independent optimization trajectories in parallel.

    Parameters
    ----------
    model : Model or str
        The loss (``fastdescent.models.gabor()``, ...).
    optimizer : Optimizer or str
        The update rule. Every hyperparameter may be a scalar or an ``(N,)`` array of
        per-trajectory values (no recompilation).
    init : array_like, (P,) or (N, P)
        Starting points.
    steps : int
        Maximum number of updates per trajectory.
    batch_size : int, optional
        Minibatch size (SGD): batches are drawn without replacement within each epoch from
        the stream ``(seed, trajectory index, epoch)``; None = full batch (or ``batches``).
    schedule : Schedule, optional
        Learning-rate schedule (multiplies the rule's first hyperparameter).
    seed : int or (N,) ints
        Key of the minibatch streams.
    tol : float, optional
        Stop a trajectory when the norm of its full-batch gradient is below ``tol`` (checked at
        every step in full batch, at every epoch start with minibatches, and at the end).
        A rule with a look-ahead (Nesterov) tests the gradient it computed there.
    record_every : int, optional
        Record the point and its loss every ``k`` steps (plus the final point).
    threads : int, optional
        Worker threads for this call (default: ``default_threads()``, all cores).
    progress : bool, optional
        tqdm progress bar (default: on when stderr is a terminal).
    reduction : {"sum", "mean"}
        Gradient of the summed loss (the lecture's) or of the mean over the batch.
    bound : float
        A parameter with ``|phi_k| > bound`` counts as diverged.
    index : (N,) ints, optional
        Trajectory indices keying the random streams (default ``0..N-1``); lets a subset be
        recomputed bit for bit.
    max_memory : int or str, optional
        Cap on the memory the run may use (bytes, ``"8GiB"`` or ``"50%"`` of the available
        memory; default: a share of the available memory, see
        :mod:`fastdescent.engine.memory`), checked before the inputs are copied.
        ``max_path_bytes`` caps the recorded paths alone.
    batches : array_like of ints, (steps, b) or (N, steps, b), optional
        A given minibatch sequence instead of ``batch_size``: step ``t`` uses the examples
        ``batches[t]`` (shared by every trajectory) or ``batches[i, t]`` (trajectory ``i``),
        indices in ``[0, n_examples)``; every batch has the same size ``b`` (there is no
        padding), an index may repeat (sampling with replacement); rows after ``steps`` are
        not used. The gradient is the sum (or, with ``reduction="mean"``, the mean) over the
        batch, exactly as with ``batch_size``; ``seed`` is not used. With ``tol`` the
        full-batch gradient is tested at every step.
    record_diagnostics : bool
        With a line-search optimizer and ``record_every``: also record the accepted step size
        and the rounds of the search at every recorded step (``Result.search_step``,
        ``Result.search_rounds``). Off: nothing is recorded and nothing is computed for it.
    criterion : {"not_diverged", "loss_ratio"}, NotDiverged or LossRatio, optional
        When a trajectory counts as trainable (``Result.trainable``;
        :mod:`fastdescent.engine.criteria`): not diverged (default), or the loss ratio of
        Sohl-Dickstein (2024), mean of the last ``k`` full-batch losses over the initial one
        below ``threshold``, accumulated by the engine (``Result.loss_ratio``).
    dtype : {"float64", "float32"}
        Precision of the whole run: starting points, hyperparameters, the model's data,
        optimizer state, every sum and the results (``Result.params``, ``loss``, paths) are
        in this type. float32 runs about twice as many trajectories per vector instruction;
        it suits basin and stability maps at ordinary resolution, not deep zooms into
        fractal basin boundaries or tolerances near float32's resolution (a ``tol`` below
        :func:`~fastdescent.engine.trajectories.float32_tol_floor` warns). Results are
        bitwise reproducible in either precision.

    Returns
    -------
    Result
        Final parameters, loss, status and steps (and paths when recorded).

    Notes
    -----
    Results are bitwise identical whatever the thread count, ``chunk_size`` or
    ``block_size``: lanes never interact and every sum runs in a fixed order. Parallelism:
    blocks of ``block_size`` trajectories are advanced by a compiled ``nogil`` driver on
    ``threads`` Python threads (no Python work per step or per trajectory).

    Raises
    ------
    TypeError
        If ``model`` or ``optimizer`` is not a fastdescent object, or ``init`` is not numeric.
    ValueError
        If ``init`` has the wrong shape or non-finite values, or an option is out of range
        (``steps``, ``tol``, ``batch_size``, ``seed``, ``batches``, ``reduction``, ``bound``...);
        the message names it and the accepted range.
    MemoryLimitError
        If the run would need more memory than ``max_memory`` (checked before allocating).
    RunInterrupted
        On Ctrl-C; ``.result`` holds the finished chunks.

    Examples
    --------
    Gradient descent on the Gabor loss from two starts: the first stops at a local minimum
    (status 1, converged), the second reaches the global minimum (:math:`L = 0.646`) but
    not the tolerance within 500 steps (status 0).

    >>> import fastdescent as fd
    >>> res = fd.run(fd.models.gabor(), fd.optim.gd(lr=0.01), [[0.6, -0.2], [0.0, 16.0]],
    ...              steps=500, tol=1e-6, progress=False)
    >>> res.status, res.steps
    (array([1, 0], dtype=int8), array([141, 500]...))
    >>> res.loss.round(3)
    array([5.323, 0.646])
    """
    model = check_model(model)
    optimizer = check_optimizer(optimizer)
    settings = make_settings(model, optimizer, steps, batch_size, schedule, tol, record_every,
                             reduction, bound, block_size, criterion, dtype)
    _check_run_memory(init, model, optimizer, settings, chunk_size, max_memory)
    X0 = check_init(init, model, settings.dtype)
    N, P = X0.shape
    hyper = check_hyper(optimizer.hyper_matrix(N, tuple(model.groups)), optimizer,
                        settings.dtype)
    check_model_dtype(model, settings.dtype)
    check_float32_tol(settings, model)
    seeds = check_seed(seed, N)
    if index is None:
        idx = np.arange(N, dtype=np.int64)
    else:
        idx = np.asarray(index)
        if idx.shape != (N,) or idx.dtype.kind not in "iu" or np.any(idx < 0):
            raise ValueError(f"index must be ({N},) non-negative integers")
        idx = idx.astype(np.int64)
    user_batches = check_batches(batches, N, model, settings.steps, batch_size)
    diagnostics = check_diagnostics(record_diagnostics, optimizer, settings)
    threads = check_threads(threads)
    if settings.record_every and max_path_bytes is not None:
        need = path_bytes(N, settings, P)
        if need > max_path_bytes:
            raise MemoryLimitError(
                f"recording {settings.n_records} points of {N} trajectories needs "
                f"{need / 1e9:.2f} GB (> max_path_bytes = {max_path_bytes / 1e9:.2f} GB); "
                f"record less often or run fewer trajectories at once")
    chunk = (auto_chunk(N, settings.block) if chunk_size is None
             else _int(chunk_size, "chunk_size", 1))

    K = settings.n_records
    dt = np.dtype(settings.dtype)
    res = Result(np.full((N, P), np.nan, dt), np.full(N, np.nan, dt),
                 np.full(N, S.NOT_RUN, np.int8),
                 np.zeros(N, np.int64), np.full((N, K, P), np.nan, dt) if K else None,
                 np.full((N, K), np.nan, dt) if K else None, settings.record_every or None,
                 model, optimizer, settings.describe(),
                 np.full((N, K), np.nan, dt) if diagnostics else None,
                 np.full((N, K), -1, np.int64) if diagnostics else None,
                 np.full(N, np.nan, dt) if settings.criterion.tail else None,
                 settings.criterion)
    shared_batches = user_batches is not None and np.ndim(batches) == 2
    if user_batches is not None:
        res.settings["batches"] = (f"given, {'shared' if shared_batches else 'per trajectory'}"
                                   f", batch of {user_batches.shape[2]}")
    from tqdm.auto import tqdm

    with tqdm(total=N, unit="traj", disable=not want_progress(progress),
                                      desc=f"{model.name}/{optimizer.name}") as bar:
        try:
            for lo in range(0, N, chunk):
                hi = min(lo + chunk, N)
                ub = None if user_batches is None else (
                    user_batches if shared_batches else user_batches[lo:hi])
                out = execute(model, optimizer, settings, X0[lo:hi], hyper[:, lo:hi],
                              idx[lo:hi], seeds[lo:hi], threads, ub, diagnostics)
                res.params[lo:hi] = out["params"]
                res.loss[lo:hi] = out["loss"]
                res.status[lo:hi] = out["status"]
                res.steps[lo:hi] = out["steps"]
                if K:
                    res.path[lo:hi] = out["path"]
                    res.loss_path[lo:hi] = out["loss_path"]
                if settings.criterion.tail:
                    res.loss_ratio[lo:hi] = out["loss_ratio"]
                if diagnostics:
                    res.search_step[lo:hi] = out["search_step"]
                    res.search_rounds[lo:hi] = out["search_rounds"]
                bar.update(hi - lo)
        except KeyboardInterrupt:
            raise RunInterrupted(res) from None
    return res
