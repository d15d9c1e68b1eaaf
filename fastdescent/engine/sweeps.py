"""``fastdescent.sweep``: Cartesian products of starting points, hyperparameters and seeds,
as one labelled :class:`xarray.Dataset`, optionally streamed to a resumable on-disk store.

Trajectories are enumerated in C order over the dims ``(*hyperparameter axes, seed,
*starting-point dims)``. Each trajectory's random stream is keyed by its seed value and its
*index*: its flat position over all dims except ``seed``. So a trajectory of a sweep can be
recomputed alone with ``fastdescent.run(..., seed=s, index=[i])`` and gives the same bits.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._version import __version__
from ..models.base import Model
from ..optim.factories import Optimizer
from . import status as S
from . import storage
from .grids import Grid
from .memory import check_memory
from .trajectories import (DEFAULT_BOUND, Settings, _as_float32, auto_chunk, check_batches,
                           check_float32_tol, check_init, check_model, check_model_dtype,
                           check_optimizer, check_threads, execute, make_settings, path_bytes,
                           want_progress)

_OPTIONS = ("batch_size", "schedule", "tol", "record_every", "reduction", "bound", "block_size",
            "criterion", "dtype")
OUTPUTS = ("params", "loss", "status", "steps", "path", "loss_path")


@dataclass(eq=False)
class SweepPlan:
    """Everything needed to compute any slice ``[lo, hi)`` of a sweep's trajectories.

    A plan is small (no per-trajectory arrays) and picklable, so the same plan drives the
    local loop and remote tiles (Dask) alike; :meth:`compute` is a pure function.

    Examples
    --------
    A plan computes any slice of the sweep's trajectories; the slices agree with the whole:

    >>> import numpy as np
    >>> import fastdescent as fd
    >>> m = fd.models.quadratic((1.0, 4.0))
    >>> plan = fd.engine.make_plan(m, fd.optim.gd(), fd.grid(m, 3), 20, lr=[0.1, 0.2])
    >>> plan.dims, plan.shape, plan.size
    (('lr', 'phi0', 'phi1'), (2, 3, 3), 18)
    >>> part = plan.compute(4, 8)
    >>> whole = plan.compute(0, plan.size)
    >>> bool(np.array_equal(part["params"], whole["params"][4:8]))
    True
    """

    model: Model
    optimizer: Optimizer
    settings: Settings
    init_dims: tuple
    init_coords: dict
    grid: Grid | None
    init_points: np.ndarray | None
    axes: tuple  # ((name, values), ...)
    seeds: np.ndarray | None  # seed values, or None for one seed
    base_seed: int
    batches: np.ndarray | None = None  # a given minibatch sequence shared by every trajectory

    @property
    def dims(self) -> tuple[str, ...]:
        d = tuple(n for n, _ in self.axes)
        if self.seeds is not None:
            d += ("seed",)
        return d + tuple(self.init_dims)

    @property
    def init_shape(self) -> tuple[int, ...]:
        return self.grid.shape if self.grid is not None else (len(self.init_points),)

    @property
    def shape(self) -> tuple[int, ...]:
        s = tuple(len(v) for _, v in self.axes)
        if self.seeds is not None:
            s += (len(self.seeds),)
        return s + self.init_shape

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))

    def inputs(self, lo: int, hi: int):
        """(init, hyper, index, seed) of trajectories ``lo..hi-1``."""
        flat = np.arange(lo, hi, dtype=np.int64)
        multi = np.unravel_index(flat, self.shape)
        na = len(self.axes)
        k = na + (self.seeds is not None)
        init_multi = multi[k:]
        init_flat = np.ravel_multi_index(init_multi, self.init_shape)
        if self.grid is not None:
            init = self.grid.points_at(init_flat)
        else:
            init = self.init_points[init_flat]
        overrides = {}
        for j, (name, vals) in enumerate(self.axes):
            v = np.asarray(vals, dtype=float)[multi[j]]
            group = _group_of(name, self.optimizer)
            if group is None:
                overrides[name] = v
            else:
                overrides.setdefault("lr", {})[group] = v
        opt = self.optimizer.replace(**overrides) if overrides else self.optimizer
        hyper = opt.hyper_matrix(hi - lo, tuple(self.model.groups))
        no_seed = multi[:na] + init_multi
        no_seed_shape = self.shape[:na] + self.init_shape
        index = np.ravel_multi_index(no_seed, no_seed_shape).astype(np.int64)
        if self.seeds is not None:
            seed = self.seeds[multi[na]].astype(np.int64)
        else:
            seed = np.full(hi - lo, self.base_seed, dtype=np.int64)
        return np.ascontiguousarray(init), hyper, index, seed

    def compute(self, lo: int, hi: int, threads=None) -> dict:
        """Run trajectories ``lo..hi-1`` (a tile); returns their output arrays."""
        init, hyper, index, seed = self.inputs(lo, hi)
        return execute(self.model, self.optimizer, self.settings, init, hyper, index, seed,
                       threads, self.batches)

    def fingerprint(self) -> str:
        """Hash of everything that determines the results (model and data, rule, settings,
        starting points, axes, seeds): a store only resumes the same sweep."""
        h = hashlib.sha1()
        h.update(json.dumps(self.describe(), sort_keys=True, default=str).encode())
        for a in (self.model.X, self.model.Y, self.model.consts):
            h.update(np.ascontiguousarray(a).tobytes())
        if self.grid is not None:
            for v in self.grid.axes.values():
                h.update(np.asarray(v, float).tobytes())
            if self.grid.fixed is not None:
                h.update(self.grid.fixed.tobytes())
        else:
            h.update(self.init_points.tobytes())
        if self.batches is not None:
            h.update(self.batches.tobytes())
        for _, v in self.axes:
            h.update(np.asarray(v, float).tobytes())
        return h.hexdigest()

    def describe(self) -> dict:
        settings = self.settings.describe()
        if self.batches is not None:
            settings["batches"] = f"given, shared, batch of {self.batches.shape[2]}"
        return {"model": self.model.describe(), "optimizer": self.optimizer.describe(),
                "settings": settings, "dims": list(self.dims),
                "shape": list(self.shape), "seed": self.base_seed,
                "fastdescent_version": __version__}

    # ----------------------------------------------------------------------- assembly
    def empty_outputs(self) -> dict:
        N, P, K = self.size, self.model.n_params, self.settings.n_records
        dt = np.dtype(self.settings.dtype)
        out = {"params": np.full((N, P), np.nan, dt), "loss": np.full(N, np.nan, dt),
               "status": np.full(N, S.NOT_RUN, np.int8), "steps": np.zeros(N, np.int64)}
        if K:
            out["path"] = np.full((N, K, P), np.nan, dt)
            out["loss_path"] = np.full((N, K), np.nan, dt)
        if self.settings.criterion.tail:
            out["loss_ratio"] = np.full(N, np.nan, dt)
        return out

    def dataset(self, out: dict):
        """Assemble flat output arrays into the labelled Dataset."""
        import xarray as xr

        shape, dims = self.shape, self.dims
        P = self.model.n_params
        coords = {n: np.asarray(v) for n, v in self.axes}
        if self.seeds is not None:
            coords["seed"] = self.seeds
        coords.update(self.init_coords)
        coords["param"] = list(self.model.param_names)
        data = {
            "params": (dims + ("param",), out["params"].reshape(shape + (P,))),
            "loss": (dims, out["loss"].reshape(shape)),
            "status": (dims, out["status"].reshape(shape)),
            "steps": (dims, out["steps"].reshape(shape)),
        }
        if out.get("path") is not None:
            K = self.settings.n_records
            rec = np.arange(K) * self.settings.record_every
            rec[-1] = self.settings.steps
            coords["record"] = rec
            data["path"] = (dims + ("record", "param"), out["path"].reshape(shape + (K, P)))
            data["loss_path"] = (dims + ("record",), out["loss_path"].reshape(shape + (K,)))
        ratio = out.get("loss_ratio")
        if ratio is not None:
            data["loss_ratio"] = (dims, ratio.reshape(shape))
        crit = self.settings.criterion
        data["trainable"] = (dims, crit.trainable(out["status"], ratio).reshape(shape))
        if self.grid is None:
            data["init_params"] = (("init", "param"), self.init_points)
        attrs = {
            "model": json.dumps(self.model.describe(), default=str),
            "optimizer": json.dumps(self.optimizer.describe(), default=str),
            "settings": json.dumps(self.describe()["settings"], default=str),
            "seed": self.base_seed,
            "status_codes": json.dumps(S.NAMES),
            "fastdescent_version": __version__,
            "fastdescent_format": storage.FORMAT_VERSION,
            "fingerprint": self.fingerprint(),
        }
        ds = xr.Dataset(data, coords=coords, attrs=attrs)
        ds["status"].attrs["flag_values"] = np.array(sorted(S.NAMES), dtype=np.int8)
        ds["status"].attrs["flag_meanings"] = " ".join(S.NAMES[k] for k in sorted(S.NAMES))
        return ds


# --------------------------------------------------------------------------------- building
def make_plan(model, optimizer, inits, steps, *, seeds=None, seed=0, max_memory=None,
              chunk_size=None, **kwargs) -> SweepPlan:
    """Validate a sweep's arguments (as :func:`sweep`) and return its plan.

    The memory the sweep needs (:func:`~fastdescent.engine.memory.check_memory`) is checked
    against ``max_memory`` before the starting points are copied.

    Parameters
    ----------
    model, optimizer, inits, steps, seeds, seed, max_memory, **kwargs
        As in :func:`~fastdescent.sweep`.
    chunk_size : int, optional
        Trajectories per chunk, for the memory estimate.

    Returns
    -------
    SweepPlan

    Raises
    ------
    ValueError
        If an argument is invalid (as in :func:`~fastdescent.sweep`).
    MemoryLimitError
        If the sweep needs more memory than the cap.

    Examples
    --------
    >>> import fastdescent as fd
    >>> m = fd.models.gabor()
    >>> plan = fd.engine.make_plan(m, fd.optim.adam(), fd.grid(m, 8), 100, lr=[0.01, 0.1])
    >>> plan.dims, plan.size
    (('lr', 'phi0', 'phi1'), 128)
    >>> fd.engine.make_plan(m, fd.optim.adam(), fd.grid(m, 8), 100, alpha=[0.1])
    Traceback (most recent call last):
        ...
    ValueError: unknown sweep argument 'alpha': give a hyperparameter of adam (lr, beta, ...
    """
    model = check_model(model)
    optimizer = check_optimizer(optimizer)
    options = {k: kwargs.pop(k) for k in list(kwargs) if k in _OPTIONS}
    batches = kwargs.pop("batches", None)
    axes = []
    scalars = {}
    lr_groups = kwargs.get("lr")
    if isinstance(lr_groups, dict):  # lr per parameter group: one axis "lr_<group>" per array
        del kwargs["lr"]
        fixed = {}
        for g, v in lr_groups.items():
            arr = np.asarray(v, dtype=float)
            if arr.ndim == 0:
                fixed[g] = float(arr)
            elif arr.ndim == 1 and arr.size >= 1:
                axes.append((f"lr_{g}", arr))
                fixed[g] = float(arr[0])
            else:
                raise ValueError(f"sweep axis lr[{g!r}] must be a 1-D array of values")
        optimizer = optimizer.replace(lr=fixed)
        optimizer.hyper_matrix(1, tuple(model.groups))  # the groups are the model's
    for name, v in kwargs.items():
        if name not in optimizer.hyper_names:
            raise ValueError(
                f"unknown sweep argument {name!r}: give a hyperparameter of {optimizer.name} "
                f"({', '.join(optimizer.hyper_names)}), seeds=, or an option "
                f"({', '.join(_OPTIONS)})")
        arr = np.asarray(v, dtype=float)
        if arr.ndim == 0:
            scalars[name] = float(arr)
        elif arr.ndim == 1 and arr.size >= 1:
            axes.append((name, arr))
        else:
            raise ValueError(f"sweep axis {name} must be a 1-D array of values")
    if scalars:
        optimizer = optimizer.replace(**scalars)
    for name, arr in axes:  # validate each axis' values with the optimizer's own ranges
        group = _group_of(name, optimizer)
        optimizer.replace(**({name: arr} if group is None else {"lr": {group: arr}}))
    for name in optimizer.hyper_names:
        v = optimizer.hyper[name]
        if isinstance(v, dict):
            for g, gv in v.items():
                if np.ndim(gv) != 0 and f"lr_{g}" not in dict(axes):
                    raise ValueError(f"the optimizer's lr of group {g!r} is an array: in a "
                                     f"sweep give it as an axis (lr={{{g!r}: [...]}}) instead")
        elif np.ndim(v) != 0 and name not in dict(axes):
            raise ValueError(f"the optimizer's {name} is an array: in a sweep give it as an "
                             f"axis ({name}=[...]) instead")
    settings = make_settings(model, optimizer, steps, **options)
    if batches is not None:
        if np.ndim(batches) != 2:
            raise ValueError("batches in a sweep must be one sequence (steps, b) shared by every "
                             "trajectory")
        batches = check_batches(batches, 1, model, settings.steps, options.get("batch_size"))
    if settings.dtype == "float32":  # every value must fit float32 (clear error, no inf)
        for name in optimizer.hyper_names:
            _as_float32(np.asarray(optimizer.hyper[name], float), f"hyperparameter {name!r}")
        for name, arr in axes:
            _as_float32(arr, f"sweep axis {name!r}")
        if isinstance(inits, Grid):
            for name, v in inits.axes.items():
                _as_float32(np.asarray(v, float), f"grid axis {name!r}")
        check_model_dtype(model, settings.dtype)
        check_float32_tol(settings, model, stacklevel=4)
    n_seeds = _seed_count(seeds)
    n_inits = int(np.prod(inits.shape)) if isinstance(inits, Grid) else _n_points(inits)
    n = int(np.prod([len(a) for _, a in axes], dtype=np.int64)) * n_seeds * n_inits
    chunk = auto_chunk(n, settings.block) if chunk_size is None else max(1, int(chunk_size))
    check_memory(n, model.n_params, len(optimizer.hyper_names), settings.n_records, chunk,
                 max_memory, what="the sweep")
    if isinstance(inits, Grid):
        if inits.param_names != model.param_names:
            raise ValueError("the grid was made for a model with other parameters")
        grid, points = inits, None
        init_dims = inits.dims
        init_coords = {k: np.asarray(v) for k, v in inits.axes.items()}
    else:
        grid, points = None, check_init(inits, model, settings.dtype)
        init_dims = ("init",)
        init_coords = {"init": np.arange(len(points))}
    if seeds is None:
        seed_vals = None
    else:
        if isinstance(seeds, (int, np.integer)) and not isinstance(seeds, bool):
            if seeds < 1:
                raise ValueError(f"seeds must be >= 1, got {seeds}")
            seed_vals = int(seed) + np.arange(int(seeds), dtype=np.int64)
        else:
            seed_vals = np.asarray(seeds)
            if seed_vals.ndim != 1 or seed_vals.dtype.kind not in "iu" or np.any(seed_vals < 0):
                raise ValueError("seeds must be a count or a 1-D array of non-negative ints")
            seed_vals = seed_vals.astype(np.int64)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return SweepPlan(model, optimizer, settings, init_dims, init_coords, grid, points,
                     tuple(axes), seed_vals, int(seed), batches)


def _group_of(axis: str, optimizer: Optimizer):
    """The parameter group whose ``lr`` the sweep axis ``axis`` (``"lr_<group>"``) sets, or
    None for an axis of a plain hyperparameter."""
    groups = optimizer.groups
    if groups is None or axis in optimizer.hyper_names or not axis.startswith("lr_"):
        return None
    return axis[3:] if axis[3:] in groups else None


def _seed_count(seeds) -> int:
    if seeds is None:
        return 1
    if isinstance(seeds, (int, np.integer)) and not isinstance(seeds, bool):
        return max(int(seeds), 1)
    return max(int(np.size(seeds)), 1)


def _n_points(inits) -> int:
    """Number of starting points, read from the shape (no copy of an array's data)."""
    try:
        shape = np.shape(inits) if not isinstance(inits, np.ndarray) else inits.shape
    except (TypeError, ValueError):
        return 1  # not an array: check_init says why
    return int(shape[0]) if len(shape) == 2 else 1


# --------------------------------------------------------------------------------- the store
class Store:
    """A directory of finished chunks: ``manifest.json``, ``chunk-NNNNNN.npz``, ``lock``.

    Each chunk is written atomically (:func:`~fastdescent.engine.storage.write_chunk`) with
    a record of its chunk number, index range, the sweep's fingerprint and a checksum.
    :meth:`scan` verifies every chunk before any compute: one that is truncated, corrupt,
    misplaced or from another sweep is moved to ``quarantine/`` (with a
    :class:`~fastdescent.engine.storage.StoreRepairWarning` naming it) and recomputed, so a
    resumed sweep is bitwise the uninterrupted one. A sweep holds the store's lock
    (:meth:`lock`) while it runs: a second sweep on the same store fails at once with
    :class:`~fastdescent.engine.storage.InUseError` ("store ... in use by pid N").
    """

    def __init__(self, path, plan: SweepPlan, chunk_size: int):
        self.path = Path(path)
        self.plan = plan
        self.fingerprint = fp = plan.fingerprint()
        manifest = self.path / "manifest.json"
        self._lock = None
        self._missing = None
        if manifest.exists():
            try:
                meta = json.loads(manifest.read_text())
                chunk_size = int(meta["chunk_size"])
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"store {str(self.path)!r}: cannot read manifest.json "
                                 f"({type(exc).__name__}: {exc}); delete the store to start "
                                 f"over") from None
            if meta.get("fingerprint") != fp:
                raise ValueError(f"store {str(self.path)!r} holds a different sweep (other model, "
                                 f"optimizer, settings or grid); use a new store path")
            self.chunk_size = chunk_size
        else:
            try:
                self.path.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ValueError(f"cannot create store {str(self.path)!r}: {exc}") from None
            self.chunk_size = int(chunk_size)
            meta = {"format": storage.STORE_FORMAT, "fingerprint": fp,
                    "chunk_size": self.chunk_size, "size": plan.size, "plan": plan.describe(),
                    "created": time.strftime("%Y-%m-%dT%H:%M:%S")}
            storage.atomic_write_bytes(manifest, json.dumps(meta, indent=1).encode())
        self.n_chunks = -(-plan.size // self.chunk_size)

    def lock(self) -> storage.FileLock:
        """Take the store's lock (fails at once with InUseError when another process holds
        it); release it with ``.release()`` or use it as a context manager."""
        self._lock = storage.FileLock(self.path / "lock", "store").acquire(wait=False,
                                                                           target=self.path)
        return self._lock

    def chunk_path(self, i: int) -> Path:
        return self.path / f"chunk-{i:06d}.npz"

    def bounds(self, i: int) -> tuple[int, int]:
        lo = i * self.chunk_size
        return lo, min(lo + self.chunk_size, self.plan.size)

    def _expect(self) -> dict:
        P, K = self.plan.model.n_params, self.plan.settings.n_records
        dt = np.dtype(self.plan.settings.dtype)
        exp = {"params": (dt, (P,)), "loss": (dt, ()),
               "status": (np.int8, ()), "steps": (np.int64, ())}
        if K:
            exp.update(path=(dt, (K, P)), loss_path=(dt, (K,)))
        if self.plan.settings.criterion.tail:
            exp["loss_ratio"] = (dt, ())
        return exp

    def scan(self, out: dict | None = None) -> list[int]:
        """Verify every chunk file before any compute; returns the chunks to compute.

        A verified chunk is copied into the flat arrays ``out`` (when given); a bad one is
        quarantined. Temporaries of a killed writer (``*.tmp``: only the lock holder
        writes here) and chunk files beyond the sweep are cleared away first.
        """
        for p in self.path.glob("*.tmp"):  # pathlib globs match dotfiles too
            with contextlib.suppress(OSError):
                p.unlink()
        expect = self._expect()
        for p in sorted(self.path.glob("chunk-*.npz")):
            idx = p.name[len("chunk-"):-len(".npz")]
            if not idx.isdigit() or int(idx) >= self.n_chunks or p.name != self.chunk_path(
                    int(idx)).name:
                storage.quarantine(p, f"is not a chunk of this sweep ({self.n_chunks} chunks)")
        missing = []
        for i in range(self.n_chunks):
            p = self.chunk_path(i)
            if not p.exists():
                missing.append(i)
                continue
            lo, hi = self.bounds(i)
            try:
                arrays = storage.read_chunk(p, chunk=i, lo=lo, hi=hi,
                                            fingerprint=self.fingerprint, expect=expect)
            except storage.ChunkError as exc:
                storage.quarantine(p, exc.reason)
                missing.append(i)
                continue
            if out is not None:
                for k in out:
                    out[k][lo:hi] = arrays[k]
        self._missing = missing
        return list(missing)

    def missing(self) -> list[int]:
        """Chunks still to compute: those the last :meth:`scan` found missing or bad (a scan
        without reading the data when none ran yet)."""
        if self._missing is None:
            self.scan()
        return list(self._missing)

    def write(self, i: int, out: dict) -> None:
        lo, hi = self.bounds(i)
        storage.write_chunk(self.chunk_path(i), out, chunk=i, lo=lo, hi=hi,
                            fingerprint=self.fingerprint)

    def read_into(self, out: dict) -> None:
        """Copy every chunk (verified; a bad one raises) into the flat arrays ``out``."""
        expect = self._expect()
        for i in range(self.n_chunks):
            lo, hi = self.bounds(i)
            try:
                arrays = storage.read_chunk(self.chunk_path(i), chunk=i, lo=lo, hi=hi,
                                            fingerprint=self.fingerprint, expect=expect)
            except storage.ChunkError as exc:
                raise ValueError(f"store {str(self.path)!r}: {exc}") from None
            for k in out:
                out[k][lo:hi] = arrays[k]


# --------------------------------------------------------------------------------- public API
def sweep(model, optimizer, inits, steps, *, seeds=None, seed: int = 0, store=None,
          threads=None, progress=None, chunk_size=None, scheduler=None, max_memory=None,
          max_memory_bytes=None, **axes_and_options):
    """Run the Cartesian product of starting points, hyperparameter values and seeds.

    Parameters
    ----------
    model, optimizer :
        As in :func:`fastdescent.run`.
    inits : Grid or array_like (M, P)
        Starting points: a :func:`~fastdescent.grid` (dims named after the parameters) or a
        list (dim ``init``).
    steps : int
        Step budget per trajectory.
    **axes_and_options :
        A hyperparameter of the optimizer given as a 1-D array becomes a dim of the result
        (``lr=np.geomspace(1e-3, 1, 64)``, ``beta=[0, 0.5, 0.9]``); a scalar replaces its value.
        A per-group learning rate is a dict, each array a dim ``lr_<group>``
        (``lr={"input": np.geomspace(...), "output": np.geomspace(...)}`` on a model with
        parameter groups: dims ``lr_input`` and ``lr_output``).
        Run options: ``batch_size``, ``schedule``, ``tol``, ``record_every``, ``reduction``,
        ``bound``, ``block_size``, ``criterion``, ``dtype`` (see :func:`fastdescent.run`; with
        ``dtype="float32"`` the dataset's ``params``, ``loss`` and paths are float32), and
        ``batches``: one given minibatch sequence ``(steps, b)`` shared by every trajectory.
    seeds : int or 1-D ints, optional
        ``seeds=n`` adds a ``seed`` dim with values ``seed, seed+1, ...`` (minibatch streams).
    store : path, optional
        Directory to stream finished chunks into. Calling ``sweep`` again with the same
        arguments and store resumes, computing only the missing chunks. Every chunk is
        verified first; a bad one is quarantined and recomputed (see ``Store`` in ``fastdescent.engine.sweeps``). While
        the sweep runs it holds the store's lock: a second sweep on the same store raises
        :class:`~fastdescent.engine.storage.InUseError`.
    scheduler : str or distributed.Client, optional
        Run the tiles on a Dask cluster (see ``fastdescent.engine.distributed``); the result
        is bitwise identical to the local run.
    max_memory : int or str, optional
        Cap on the memory the sweep may use (bytes, ``"8GiB"`` or ``"50%"`` of the available
        memory; default: :data:`~fastdescent.engine.memory.DEFAULT_FRACTION` of the available
        memory), checked before any allocation. ``max_memory_bytes`` is its former name.

    Returns
    -------
    xarray.Dataset
        Data variables ``params`` (..., param), ``loss``, ``status``, ``steps``,
        ``trainable`` (by ``criterion``; with ``LossRatio`` also ``loss_ratio``) and, with
        ``record_every``, ``path`` and ``loss_path``; attributes record the model, optimizer,
        settings and package version. Save with :func:`fastdescent.save`.

    Raises
    ------
    ValueError
        If an axis is not a hyperparameter of the optimizer or an option, or a value is out of
        range (as in :func:`fastdescent.run`).
    MemoryLimitError
        If the sweep would need more memory than ``max_memory``.
    InUseError
        If another process holds the store.
    ClusterError
        With ``scheduler``: when the cluster cannot be reached or no worker joins.

    Examples
    --------
    Momentum over two learning rates and a 4 x 4 grid of starts (32 trajectories):

    >>> import fastdescent as fd
    >>> m = fd.models.gabor()
    >>> ds = fd.sweep(m, fd.optim.momentum(beta=0.9), fd.grid(m, 4), steps=50,
    ...               lr=[0.01, 0.1], progress=False)
    >>> dict(ds.sizes)
    {'lr': 2, 'phi0': 4, 'phi1': 4, 'param': 2}
    >>> list(ds.data_vars)
    ['params', 'loss', 'status', 'steps', 'trainable']
    """
    if max_memory is None:
        max_memory = max_memory_bytes
    if chunk_size is not None and (isinstance(chunk_size, bool) or int(chunk_size) < 1):
        raise ValueError(f"chunk_size must be >= 1, got {chunk_size}")
    plan = make_plan(model, optimizer, inits, steps, seeds=seeds, seed=seed,
                     max_memory=max_memory, chunk_size=chunk_size, **axes_and_options)
    threads = check_threads(threads)
    N = plan.size
    chunk = auto_chunk(N, plan.settings.block) if chunk_size is None else int(chunk_size)
    st = Store(store, plan, chunk) if store is not None else None
    lock = st.lock() if st is not None else None
    try:
        out = plan.empty_outputs()
        if scheduler is not None:
            from .distributed import run_on_cluster

            run_on_cluster(plan, out, st, scheduler, chunk_size, progress)
            return plan.dataset(out)
        _run_local(plan, out, st, chunk, threads, progress)
        return plan.dataset(out)
    finally:
        if lock is not None:
            lock.release()


def _run_local(plan, out, st, chunk, threads, progress) -> None:
    from tqdm.auto import tqdm

    N = plan.size
    todo = st.scan(out) if st is not None else list(range(-(-N // chunk)))
    size = st.chunk_size if st is not None else chunk
    with tqdm(total=N, unit="traj", disable=not want_progress(progress),
              desc=f"sweep {plan.model.name}/{plan.optimizer.name}") as bar:
        bar.update(N - sum(min((i + 1) * size, N) - i * size for i in todo))
        try:
            for i in todo:
                lo, hi = i * size, min((i + 1) * size, N)
                res = plan.compute(lo, hi, threads)
                if st is not None:
                    st.write(i, res)
                for k in out:
                    out[k][lo:hi] = res[k]
                bar.update(hi - lo)
        except KeyboardInterrupt:
            if st is not None:
                raise KeyboardInterrupt(f"sweep interrupted; finished chunks are in "
                                        f"{str(st.path)!r}: call sweep again with the same "
                                        f"arguments and store to resume") from None
            raise


def save(ds, path) -> Path:
    """Write a sweep Dataset to ``path`` (``.nc``: netCDF4 via h5netcdf; ``.zarr``: zarr).

    Atomic for both formats: at every instant ``path`` holds the previous complete dataset
    or the new complete one, whatever kills the process or fills the disk; concurrent saves
    to one path take turns (see :mod:`fastdescent.engine.storage`). Files honour the umask.

    Parameters
    ----------
    ds : xarray.Dataset
        A sweep's result.
    path : str or Path
        Ending in ``.nc`` or ``.zarr``.

    Returns
    -------
    Path

    Raises
    ------
    ValueError
        If the suffix is neither, or the folder is missing or not writable.

    Examples
    --------
    >>> import os, tempfile
    >>> import fastdescent as fd
    >>> m = fd.models.quadratic()
    >>> ds = fd.sweep(m, fd.optim.gd(), fd.grid(m, 2), steps=5, progress=False)
    >>> fd.save(ds, os.path.join(tempfile.mkdtemp(), "q.nc")).name
    'q.nc'
    >>> fd.save(ds, "q.csv")
    Traceback (most recent call last):
        ...
    ValueError: path must end in .nc or .zarr, got 'q.csv'
    """
    path = Path(path)
    if path.suffix not in (".nc", ".zarr"):
        raise ValueError(f"path must end in .nc or .zarr, got {str(path)!r}")
    if not path.parent.exists() or not os.access(path.parent, os.W_OK):
        raise ValueError(f"cannot write to {str(path.parent)!r}: directory missing or "
                         f"not writable")
    return storage.save_dataset(ds, path)


def load(path):
    """Load a saved sweep (a ``.nc`` file or a ``.zarr`` store) and validate it: format
    version, required variables and dims, every zarr chunk present; raises
    :class:`~fastdescent.engine.storage.DatasetError` (a ValueError) naming what is wrong.

    Parameters
    ----------
    path : str or Path
        A ``.nc`` file or ``.zarr`` store written by :func:`fastdescent.save`.

    Returns
    -------
    xarray.Dataset

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If ``path`` is a chunk store (resume it with ``sweep(..., store=)``).
    DatasetError
        If it is not a complete fastdescent dataset this version reads.

    Examples
    --------
    >>> import os, tempfile
    >>> import fastdescent as fd
    >>> m = fd.models.gabor()
    >>> ds = fd.sweep(m, fd.optim.gd(), fd.grid(m, 3), steps=10, lr=[0.01, 0.1],
    ...               progress=False)
    >>> path = fd.save(ds, os.path.join(tempfile.mkdtemp(), "sweep.nc"))
    >>> bool(fd.load(path)["params"].equals(ds["params"]))
    True
    """
    path = Path(path)
    if not path.exists() and not path.with_name(f".{path.name}.old").exists():
        raise FileNotFoundError(f"no such file or store: {str(path)!r}")
    if path.is_dir() and (path / "manifest.json").exists():
        raise ValueError(f"{str(path)!r} is a chunk store: call sweep(...) with store= to "
                         f"resume or finish it, then save() the Dataset")
    return storage.load_dataset(path)
