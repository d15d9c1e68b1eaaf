"""Sweeps on a Dask cluster: ``fastdescent.sweep(..., scheduler="tcp://host:8786")``.

The sweep's trajectories are split into *tiles* (contiguous index ranges). The
:class:`~fastdescent.engine.sweeps.SweepPlan` -- small and picklable -- is sent to every worker
once (``client.scatter(plan, broadcast=True)``); each task runs ``plan.compute(lo, hi)`` on a
worker, a pure function, so

* the result is bitwise identical to the local run (every trajectory's bits depend only on
  its own inputs, never on the tile, thread or machine that ran it -- given the same
  fastdescent, Numba and NumPy versions and the same CPU type on every worker);
* a tile lost with a worker is recomputed elsewhere by Dask, and a task that raises is
  retried (``retries``);
* finished tiles stream back as they complete (``distributed.as_completed``): into the
  result and, with a ``store``, into its chunk files, so a run whose scheduler disappears
  resumes from the store on another cluster (or locally) computing only the missing chunks.

Dask is imported only here: local sweeps never need it. Install with
``pip install fastdescent[dask]``; workers need fastdescent installed too (they import the
model's kernels and build or load the compiled engine from their own cache).
"""
from __future__ import annotations

import importlib
import io
import math
import pickle
import uuid


__all__ = ["run_on_cluster", "tile_size", "ClusterError", "SchedulerLost"]

#: Target duration of one task, in seconds of one thread's work: long enough that the
#: per-task overhead (milliseconds) does not matter, short enough that a lost worker costs
#: little and the tail of a run stays balanced.
TILE_SECONDS = (2.0, 20.0)  # (shortest, longest when the sweep is big)
TILES_PER_THREAD = 4  # at least this many tiles per worker thread when the sweep is big
MAX_TILE_BYTES = 256 * 1024**2  # results of one tile held in memory at once
RETRIES = 3  # a task that raises is retried this often (lost workers are handled by Dask)
CONNECT_TIMEOUT = 30.0  # seconds to reach the scheduler
WORKER_TIMEOUT = 300.0  # seconds to wait for the first worker to join


class ClusterError(RuntimeError):
    """The Dask cluster could not run the sweep (no scheduler, no workers, lost tiles).

    Examples
    --------
    A scheduler that no worker joins within ``worker_timeout`` seconds:

    >>> import distributed
    >>> import fastdescent as fd
    >>> from fastdescent.engine.distributed import ClusterError, run_on_cluster
    >>> m = fd.models.quadratic()
    >>> plan = fd.engine.make_plan(m, fd.optim.gd(), fd.grid(m, 2), 5)
    >>> with distributed.Client(processes=False, n_workers=0, dashboard_address=None) as client:
    ...     try:
    ...         run_on_cluster(plan, plan.empty_outputs(), None, client, progress=False,
    ...                        worker_timeout=0.5)
    ...     except ClusterError as exc:
    ...         print(str(exc)[:31])
    no Dask worker joined the sched
    """


class SchedulerLost(ClusterError):
    """The connection to the scheduler was lost during a sweep; resume with a store.

    Examples
    --------
    >>> from fastdescent.engine.distributed import ClusterError, SchedulerLost
    >>> issubclass(SchedulerLost, ClusterError)
    True
    """


def _import_distributed():
    try:
        import distributed
    except ImportError as exc:
        raise ImportError(f"sweep(..., scheduler=...) runs on a Dask cluster and needs "
                          f"dask.distributed, which is not installed ({exc}): "
                          f"pip install fastdescent[dask]") from None
    return distributed


# ---------------------------------------------------------------------------------- sizing
def seconds_per_trajectory(plan) -> float:
    """Rough one-thread cost of one trajectory (measured on the registered models: about
    50 ns per step plus 25 ns per example and parameter in each step's batch)."""
    m, s = plan.model, plan.settings
    examples = s.batch_size or max(1, m.n_examples)
    return s.steps * (50e-9 + 25e-9 * examples * m.n_params)


def tile_size(plan, n_threads: int) -> int:
    """Default tile: about ``TILES_PER_THREAD`` tiles per worker thread, each between
    ``TILE_SECONDS`` (2 to 20) seconds of estimated one-thread work, a whole number of blocks,
    and at most ``MAX_TILE_BYTES`` of results.

    Parameters
    ----------
    plan : SweepPlan
    n_threads : int
        Worker threads of the cluster.

    Returns
    -------
    int
        Trajectories per tile.

    Examples
    --------
    A sweep of under a second of estimated work is one tile; a long one is cut into tiles of
    whole blocks, several per worker thread:

    >>> import fastdescent as fd
    >>> from fastdescent.engine.distributed import tile_size
    >>> m = fd.models.gabor()
    >>> short = fd.engine.make_plan(m, fd.optim.gd(), fd.grid(m, 64), 100)
    >>> long = fd.engine.make_plan(m, fd.optim.gd(), fd.grid(m, 256), 10000)
    >>> tile_size(short, 4), short.size, tile_size(long, 4), long.size
    (4096, 4096, 1280, 65536)
    """
    N = plan.size
    t = max(seconds_per_trajectory(plan), 1e-9)
    balanced = math.ceil(N / (TILES_PER_THREAD * max(1, n_threads)))
    shortest, longest = (max(1, int(x / t)) for x in TILE_SECONDS)
    tile = max(min(balanced, longest), shortest)
    P, K = plan.model.n_params, plan.settings.n_records
    per_traj = (P + 3) * 8 + K * (P + 1) * 8
    tile = min(tile, max(1, MAX_TILE_BYTES // per_traj))
    block = plan.settings.block
    if tile > block:
        tile = tile // block * block
    return int(max(1, min(tile, N)))


def _tiles(plan, store, chunk_size, n_threads):
    """``[(lo, hi, [(chunk, lo, hi), ...]), ...]``: the tiles to compute. With a store each
    tile is a run of consecutive *missing* chunks (one chunk when ``chunk_size`` was given),
    so any mix of local and cluster runs resumes from the same chunk files."""
    N = plan.size
    target = int(chunk_size) if chunk_size is not None else tile_size(plan, n_threads)
    if store is None:
        return [(lo, min(lo + target, N), []) for lo in range(0, N, target)]
    per = max(1, target // store.chunk_size) if chunk_size is None else 1
    tiles, run = [], []
    for i in store.missing():
        if run and (i != run[-1] + 1 or len(run) == per):
            tiles.append(run)
            run = []
        run.append(i)
    if run:
        tiles.append(run)
    out = []
    for run in tiles:
        parts = [(i, *store.bounds(i)) for i in run]
        out.append((parts[0][1], parts[-1][2], parts))
    return out


# ---------------------------------------------------------------------------------- shipping
class _Shipped:
    """The plan as it travels to the workers: njit functions that can be imported back
    (module-level kernels) are pickled *by reference*. Numba's own pickling of a dispatcher
    rebuilds a new function by value in the worker, which is not importable, so every new
    worker process would compile an uncached engine; by reference, each worker loads the
    engine that :mod:`~fastdescent.engine.compiled` cached on its machine's disk (or builds
    it once). Kernels defined in ``__main__`` or a notebook still travel by value. The
    worker keeps the wrapper, so a copy sent on to a worker that joins later travels the same
    way.
    """

    def __init__(self, plan, version=None):
        from .._version import __version__

        self.plan = plan
        self.version = version or __version__  # the client's, checked by each task

    def __reduce__(self):
        buf = io.BytesIO()
        _RefPickler(buf, protocol=pickle.HIGHEST_PROTOCOL).dump(self.plan)
        return _unship, (buf.getvalue(), self.version)


class _RefPickler(pickle.Pickler):
    def persistent_id(self, obj):
        if type(obj).__module__.startswith("numba") and hasattr(obj, "py_func"):
            from ..models.base import importable_name

            name = importable_name(obj)
            if name is not None:
                return ("fastdescent-njit", *name)
        return None


class _RefUnpickler(pickle.Unpickler):
    def persistent_load(self, pid):
        tag, mod, qual = pid
        if tag != "fastdescent-njit":
            raise pickle.UnpicklingError(f"unknown persistent id {pid!r}")
        return getattr(importlib.import_module(mod), qual)


def _unship(data: bytes, version: str) -> _Shipped:
    """Worker side of :class:`_Shipped`: the plan, with its kernels imported by name."""
    return _Shipped(_RefUnpickler(io.BytesIO(data)).load(), version)


# ---------------------------------------------------------------------------------- worker
def _compute_tile(shipped, lo: int, hi: int) -> dict:
    """The task: trajectories ``lo..hi-1`` on this worker. It uses the worker's threads,
    shared among the tiles running on the worker at that moment (a worker with
    ``--nthreads 8`` runs up to 8 tiles at once: one thread each; a last tile alone gets all
    8). The thread count never changes the bits."""
    threads = None
    try:
        from distributed import get_worker

        w = get_worker()
        threads = max(1, int(w.state.nthreads) // max(1, len(w.state.executing)))
    except Exception:  # noqa: BLE001 - outside a worker (tests, local executors)
        pass
    if isinstance(shipped, _Shipped):
        from .._version import __version__

        if shipped.version != __version__:
            raise ClusterError(f"a Dask worker runs fastdescent {__version__}, the client "
                               f"{shipped.version}: install the same version everywhere "
                               f"(results are only identical with the same code)")
        shipped = shipped.plan
    return shipped.compute(lo, hi, threads)


# ---------------------------------------------------------------------------------- client
def _address(scheduler, client=None) -> str:
    if isinstance(scheduler, str):
        return scheduler
    try:
        return str((client or scheduler).scheduler.address)
    except Exception:  # noqa: BLE001
        return repr(scheduler)


def _connect(distributed, scheduler):
    """``(client, owned)``: a Client for an address (closed afterwards) or the given one."""
    if isinstance(scheduler, str):
        try:
            client = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT,
                                        set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise ClusterError(f"cannot connect to the Dask scheduler at {scheduler!r} "
                               f"({type(exc).__name__}: {exc}); start one with `dask "
                               f"scheduler` and workers with `dask worker ADDRESS`") from None
        return client, True
    if isinstance(scheduler, distributed.Client):
        if scheduler.status not in ("running", "connecting", "newly-created"):
            raise ClusterError(f"the Dask client for {_address(scheduler)!r} is "
                               f"{scheduler.status}: connect a new one")
        return scheduler, False
    raise TypeError(f"scheduler must be an address such as 'tcp://host:8786' or a "
                    f"distributed.Client, got {type(scheduler).__name__}")


def _lost(address, store) -> SchedulerLost:
    if store is not None:
        how = (f"the finished chunks are in the store {str(store.path)!r}: call sweep again "
               f"with the same store and a new scheduler to resume (only the missing chunks "
               f"are computed; scheduler=None finishes it locally)")
    else:
        how = ("no store was given, so the finished tiles are lost: call sweep again with a "
               "new scheduler, and pass store=DIR to make a run resumable")
    return SchedulerLost(f"lost the connection to the Dask scheduler at {address!r} during "
                         f"the sweep; {how}")


def run_on_cluster(plan, out: dict, store, scheduler, chunk_size=None, progress=None, *,
                   retries: int = RETRIES, worker_timeout: float = WORKER_TIMEOUT) -> dict:
    """Compute every trajectory of ``plan`` on a Dask cluster into the flat arrays ``out``.

    Parameters
    ----------
    plan : SweepPlan
    out : dict of ndarray
        :meth:`SweepPlan.empty_outputs`, filled in place.
    store : Store or None
        Finished chunks already in the store are verified and read, not recomputed (a bad
        one is quarantined and recomputed); each tile is written to the store as soon as it
        arrives.
    scheduler : str or distributed.Client
        ``"tcp://host:8786"`` (a client is opened and closed here) or a connected Client.
    chunk_size : int, optional
        Trajectories per tile (default: :func:`tile_size`; with a store: runs of its chunks).
    progress : bool, optional
        tqdm bar, as for a local sweep.
    retries : int
        Attempts per tile beyond the first.
    worker_timeout : float
        Seconds to wait for the first worker to join.

    Returns
    -------
    dict
        A summary ``{"tiles": n, "trajectories": n, "address": str}``.

    Raises
    ------
    SchedulerLost
        When the scheduler disappears mid-run (the store keeps what finished).
    ClusterError
        When it cannot be reached or no worker joins.
    Exception
        The task's own exception when a tile fails ``retries + 1`` times.

    Examples
    --------
    An in-process Dask cluster computes the same bits as the local run:

    >>> import numpy as np
    >>> import distributed
    >>> import fastdescent as fd
    >>> from fastdescent.engine.distributed import run_on_cluster
    >>> m = fd.models.gabor()
    >>> plan = fd.engine.make_plan(m, fd.optim.gd(lr=0.01), fd.grid(m, 4), 50)
    >>> out = plan.empty_outputs()
    >>> with distributed.Client(processes=False, n_workers=1, threads_per_worker=2,
    ...                         dashboard_address=None) as client:
    ...     summary = run_on_cluster(plan, out, None, client, progress=False)
    >>> summary["trajectories"], bool(np.array_equal(out["loss"], plan.compute(0, 16)["loss"]))
    (16, True)
    """
    distributed = _import_distributed()
    from tqdm.auto import tqdm

    from .trajectories import want_progress

    if chunk_size is not None and int(chunk_size) < 1:
        raise ValueError(f"chunk_size must be >= 1, got {chunk_size}")
    N = plan.size
    if store is not None:  # what a previous run (local or cluster) already finished,
        missing = store.scan(out)  # verified (bad chunks are quarantined and recomputed)
        if not missing:
            return {"tiles": 0, "trajectories": 0, "address": _address(scheduler)}
    from distributed.comm import CommClosedError

    client, owned = _connect(distributed, scheduler)
    address = _address(scheduler, client)
    futures = []
    try:
        try:
            try:
                client.wait_for_workers(1, timeout=worker_timeout)
            except TimeoutError as exc:
                if client.status != "running":
                    raise
                raise ClusterError(f"no Dask worker joined the scheduler at {address!r} "
                                   f"within {worker_timeout:g} s ({exc}); start workers with "
                                   f"`dask worker {address}`") from None
            tiles = _tiles(plan, store, chunk_size, sum(client.nthreads().values()))
            futures.append(client.scatter(_Shipped(plan), broadcast=True, hash=False))
        except (OSError, CommClosedError, TimeoutError) as exc:
            if client.status != "running":
                raise _lost(address, store) from exc
            raise
        todo = sum(hi - lo for lo, hi, _ in tiles)
        token = uuid.uuid4().hex[:12]
        where = {}
        for lo, hi, parts in tiles:
            f = client.submit(_compute_tile, futures[0], lo, hi, retries=retries, pure=False,
                              key=f"fastdescent-tile-{lo}-{hi}-{token}")
            where[f.key] = (lo, hi, parts)
            futures.append(f)
        desc = f"sweep {plan.model.name}/{plan.optimizer.name}"
        with tqdm(total=N, unit="traj", disable=not want_progress(progress), desc=desc) as bar:
            bar.update(N - todo)
            try:
                for fut in distributed.as_completed(futures[1:], loop=client.loop):
                    lo, hi, parts = where[fut.key]
                    res = _result(fut, client, address, store)
                    for k in out:
                        out[k][lo:hi] = res[k]
                    for i, clo, chi in parts:
                        store.write(i, {k: (None if v is None else v[clo - lo:chi - lo])
                                        for k, v in res.items()})
                    fut.release()
                    bar.update(hi - lo)
            except KeyboardInterrupt:
                if store is not None:
                    raise KeyboardInterrupt(
                        f"sweep interrupted; finished chunks are in {str(store.path)!r}: call "
                        f"sweep again with the same arguments and store to resume") from None
                raise
        return {"tiles": len(tiles), "trajectories": todo, "address": address}
    finally:
        _cancel(client, futures)
        if owned:
            _close(client)


def _result(fut, client, address, store, attempts: int = 3) -> dict:
    """The tile's result; a lost scheduler becomes :class:`SchedulerLost`. A connection that
    breaks while the result travels is either the scheduler going away (the client notices
    within moments) or a transient failure (the fetch is retried)."""
    import time
    from concurrent.futures import CancelledError

    from distributed.comm import CommClosedError

    for attempt in range(attempts):
        try:
            return fut.result()
        except CancelledError as exc:
            if getattr(exc, "reason", "") == "scheduler-connection-lost" or \
                    client.status != "running":
                raise _lost(address, store) from None
            raise ClusterError(f"a tile of the sweep was cancelled on the cluster at "
                               f"{address!r} ({exc}); call sweep again to finish it") from None
        except (CommClosedError, OSError) as exc:
            deadline = time.monotonic() + 10
            while client.status == "running" and time.monotonic() < deadline:
                time.sleep(0.05)
            if client.status != "running":
                raise _lost(address, store) from exc
            if attempt == attempts - 1:
                raise


def _close(client) -> None:
    """Close a client we opened; once the scheduler is gone, without the traceback Dask logs
    when it stops trying to reconnect (the SchedulerLost error says everything)."""
    import logging

    lost = client.status != "running"
    loggers = [logging.getLogger(n) for n in ("distributed.client", "distributed.utils")]
    levels = [lg.level for lg in loggers]
    if lost:
        for lg in loggers:
            lg.setLevel(logging.CRITICAL)
    try:
        client.close(timeout=10)
    except Exception:  # noqa: BLE001 - the scheduler may be gone already
        pass
    finally:
        for lg, lv in zip(loggers, levels):
            lg.setLevel(lv)


def _cancel(client, futures) -> None:
    pending = [f for f in futures if not f.done()]
    if pending and client.status == "running":
        try:
            client.cancel(pending, force=True)
        except Exception:  # noqa: BLE001
            pass
    for f in futures:
        try:
            f.release()
        except Exception:  # noqa: BLE001
            pass

