"""Crash-safe files: atomic outputs, advisory locks, self-verifying chunks, validated loads.

Every file fastdescent writes follows one of these rules, so that a kill (SIGKILL, Ctrl-C,
a machine crash), a full disk or a second process never leaves wrong data behind:

* **Atomic files** (:func:`atomic_file`): the content goes to a temporary file beside the
  target, named ``.NAME.HOST-PID.TOKEN.tmp`` (unique per writer, so concurrent writers never
  collide), is flushed to disk (``fsync``), then renamed over the target. ``rename`` is
  atomic: readers see the old file or the new one, never a part. Temporaries of writers that
  died are removed by the next writer (:func:`remove_stale_temporaries`). Files are created
  with mode ``0666`` minus the umask, like any other program's.
* **Zarr outputs** (:func:`save_dataset`) are directories, which cannot be replaced by one
  rename: the new dataset is written beside the old one, then the old one is renamed to
  ``.NAME.old`` and the new one into place. A kill between the two renames leaves
  ``.NAME.old`` alone; the next reader or writer renames it back (:func:`recover_switch`),
  so the output is the old complete dataset or the new complete one.
* **Locks** (:class:`FileLock`): an OS advisory lock (``fcntl.flock``, POSIX) per chunk
  store and per output. The kernel drops the lock when its process dies, so a stale lock of
  a dead process is taken over without any clean-up.
* **Chunks** (:func:`write_chunk`, :func:`read_chunk`): each chunk file of a store records
  its chunk number, index range, the sweep's fingerprint and a BLAKE2b checksum of its
  arrays; a chunk that does not verify is moved to ``quarantine/`` and recomputed.
* **Loads** (:func:`load_dataset`) check the format version, the required variables and
  dimensions and, for zarr, that every chunk of every array is present.
"""
from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import json
import os
import re
import secrets
import shutil
import socket
import time
import warnings
from pathlib import Path

import numpy as np

try:
    import fcntl
except ImportError:  # not POSIX (Windows): locks are not taken there
    fcntl = None

__all__ = ["InUseError", "DatasetError", "ChunkError", "StoreRepairWarning", "FORMAT_VERSION",
           "STORE_FORMAT", "atomic_file", "remove_stale_temporaries", "save_dataset",
           "recover_switch", "FileLock", "write_chunk", "read_chunk", "load_dataset", "validate"]

#: Version of the on-disk dataset layout (attribute ``fastdescent_format``). A reader refuses
#: a larger number; files without it but with ``fastdescent_version`` are format 1.
FORMAT_VERSION = 1
#: Version of the chunk-store layout (``manifest.json``'s ``format``).
STORE_FORMAT = 2
#: Variables every saved sweep holds, and the dims they end with.
REQUIRED = {"params": ("param",), "loss": (), "status": (), "steps": ()}
OPTIONAL = {"path": ("record", "param"), "loss_path": ("record",)}

_HOST = re.sub(r"[^A-Za-z0-9_-]", "_", socket.gethostname())[:40] or "host"
_TMP = re.compile(r"^\.(?P<name>.+)\.(?P<host>[A-Za-z0-9_-]+)-(?P<pid>\d+)\.[0-9a-f]+\.tmp$")


class InUseError(RuntimeError):
    """A chunk store or output is locked by another live process.

    Examples
    --------
    >>> import os, tempfile
    >>> from fastdescent.engine.storage import FileLock, InUseError
    >>> path = os.path.join(tempfile.mkdtemp(), "store.lock")
    >>> with FileLock(path, "chunk store"):
    ...     try:
    ...         FileLock(path, "chunk store").acquire()
    ...     except InUseError as exc:
    ...         print(exc.pid == os.getpid())
    True
    """

    def __init__(self, what: str, path, pid):
        who = f"pid {pid}" if pid else "another process"
        super().__init__(f"{what} {str(path)!r} in use by {who}: wait for it to finish, or "
                         f"use another path")
        self.path, self.pid = Path(path), pid


class DatasetError(ValueError):
    """A file that is not a complete fastdescent dataset (missing parts, foreign, newer).

    Examples
    --------
    >>> import os, tempfile
    >>> import xarray as xr
    >>> from fastdescent.engine.storage import DatasetError, validate
    >>> try:
    ...     validate(xr.Dataset(), "other.nc")
    ... except DatasetError as exc:
    ...     print(exc)
    'other.nc' is not a fastdescent dataset (no fastdescent_format or ...
    """


class ChunkError(ValueError):
    """A chunk file that does not verify; ``reason`` says how.

    Examples
    --------
    A chunk whose bytes changed after it was written does not verify:

    >>> import os, tempfile
    >>> from pathlib import Path
    >>> import numpy as np
    >>> from fastdescent.engine.storage import ChunkError, read_chunk, write_chunk
    >>> path = Path(tempfile.mkdtemp()) / "chunk_0.npz"
    >>> write_chunk(path, {"loss": np.zeros(4)}, chunk=0, lo=0, hi=4, fingerprint="f")
    >>> try:
    ...     read_chunk(path, chunk=1, lo=0, hi=4, fingerprint="f",
    ...                expect={"loss": (np.dtype(float), ())})
    ... except ChunkError as exc:
    ...     print(exc.reason)
    is misplaced: it holds chunk 0 (trajectories 0..4), not chunk 1 (0..4)
    """

    def __init__(self, path, reason: str):
        super().__init__(f"{Path(path).name}: {reason}")
        self.reason = reason


class StoreRepairWarning(UserWarning):
    """A chunk of a store failed verification and was moved to ``quarantine/``.

    Examples
    --------
    >>> import warnings
    >>> from fastdescent.engine.storage import StoreRepairWarning
    >>> issubclass(StoreRepairWarning, UserWarning)
    True
    """


# ------------------------------------------------------------------------------ temporaries
def temporary_name(path: Path) -> Path:
    """A fresh temporary path beside ``path``: ``.NAME.HOST-PID.TOKEN.tmp``."""
    path = Path(path)
    return path.with_name(f".{path.name}.{_HOST}-{os.getpid()}.{secrets.token_hex(6)}.tmp")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def remove_stale_temporaries(path: Path) -> list[Path]:
    """Remove the temporaries of ``path`` left by dead writers on this host (files or zarr
    directories); a live writer's temporaries and other hosts' are kept.

    Parameters
    ----------
    path : Path
        The output whose temporaries are looked for beside it.

    Returns
    -------
    list of Path
        The removed temporaries.

    Examples
    --------
    A temporary of a writer that no longer runs (pid 2**22 + 1 is beyond Linux's pid range):

    >>> import tempfile
    >>> from pathlib import Path
    >>> from fastdescent.engine.storage import remove_stale_temporaries, temporary_name
    >>> path = Path(tempfile.mkdtemp()) / "sweep.nc"
    >>> mine = temporary_name(path)
    >>> dead = mine.with_name(mine.name.replace(f"-{__import__('os').getpid()}.", "-4194305."))
    >>> _ = mine.write_text(""), dead.write_text("")
    >>> [p.name == dead.name for p in remove_stale_temporaries(path)], mine.exists()
    ([True], True)
    """
    path = Path(path)
    gone = []
    try:
        entries = list(path.parent.iterdir())
    except OSError:
        return gone
    for p in entries:
        m = _TMP.match(p.name)
        if not m or m["name"] != path.name or m["host"] != _HOST or _pid_alive(int(m["pid"])):
            continue
        with contextlib.suppress(OSError):
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p)
            else:
                p.unlink()
            gone.append(p)
    return gone


def fsync_dir(d: Path) -> None:
    """Flush a directory entry (a rename) to disk; a no-op where directories can't be opened."""
    try:
        fd = os.open(d, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _fsync_path(p: Path) -> None:
    fd = os.open(p, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_file(path):
    """``with atomic_file(path) as tmp:`` write ``tmp`` (it does not exist yet); on a normal
    exit it is flushed to disk and renamed over ``path``, on an exception it is removed and
    ``path`` is untouched. The writer creates ``tmp`` itself, so its mode honours the umask.

    Parameters
    ----------
    path : str or Path
        The file to write.

    Examples
    --------
    >>> import os, tempfile
    >>> from pathlib import Path
    >>> from fastdescent.engine.storage import atomic_file
    >>> path = Path(tempfile.mkdtemp()) / "notes.txt"
    >>> with atomic_file(path) as tmp:
    ...     _ = tmp.write_text("complete")
    >>> path.read_text()
    'complete'
    >>> try:
    ...     with atomic_file(path) as tmp:
    ...         _ = tmp.write_text("half")
    ...         raise RuntimeError("killed")
    ... except RuntimeError:
    ...     pass
    >>> path.read_text(), sorted(os.listdir(path.parent))
    ('complete', ['notes.txt'])
    """
    path = Path(path)
    tmp = temporary_name(path)
    try:
        yield tmp
        _fsync_path(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)


def atomic_write_bytes(path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (mode ``0666`` minus the umask)."""
    with atomic_file(path) as tmp:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)


def check_space(directory: Path, need: int) -> None:
    """Raise ``OSError(ENOSPC)`` (or ``EFBIG`` for the process's file-size limit) when
    ``need`` bytes cannot be written in ``directory``, before anything is written: some
    writers (HDF5) crash rather than fail cleanly when the disk fills mid-write."""
    try:
        free = shutil.disk_usage(directory).free
    except OSError:
        free = None
    if free is not None and need > free:
        raise OSError(errno.ENOSPC, f"not enough free space in {str(directory)!r}: about "
                                    f"{need / 1e6:.1f} MB needed, {free / 1e6:.1f} MB free")
    try:
        import resource

        limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
    except (ImportError, OSError, ValueError):
        return
    if limit != resource.RLIM_INFINITY and need > limit:
        raise OSError(errno.EFBIG, f"the file-size limit of this process ({limit} bytes, "
                                   f"ulimit -f) is below the {need} bytes to write")


def dataset_bytes(ds) -> int:
    """Bytes a saved dataset needs at most: its arrays and attributes, plus 10 % and 1 MiB
    of format overhead."""
    attrs = sum(len(str(v)) for v in ds.attrs.values())
    return int(1.1 * (ds.nbytes + attrs)) + 2**20


# ------------------------------------------------------------------------------------ locks
class FileLock:
    """An exclusive advisory lock (``fcntl.flock``) on the file ``path``, which records the
    holder's pid. The kernel releases it when the holder exits or is killed, so a lock left
    by a dead process is simply taken. ``remove=True`` deletes the file on release; the
    acquirer then checks that the file it locked is still the one at ``path`` (an inode
    check), so deleting never lets two processes hold it.

    Examples
    --------
    >>> import os, tempfile
    >>> from fastdescent.engine.storage import FileLock
    >>> lock = FileLock(os.path.join(tempfile.mkdtemp(), "x.lock"))
    >>> with lock:
    ...     print(lock.holder() == os.getpid())
    True
    >>> lock.locked_by_other()     # released
    False
    """

    def __init__(self, path, what: str = "file", remove: bool = False):
        self.path = Path(path)
        self.what = what
        self.remove = remove
        self._fd = None

    def holder(self) -> int | None:
        """Pid recorded in the lock file (the holder while it is locked), or None."""
        try:
            text = self.path.read_text().split()
            return int(text[0]) if text else None
        except (OSError, ValueError):
            return None

    def acquire(self, wait: bool = False, *, target=None) -> "FileLock":
        """Take the lock; with ``wait=False`` raise :class:`InUseError` naming the holder's
        pid when another process holds it, with ``wait=True`` block until it is free."""
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
            if fcntl is None:
                break
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except OSError as exc:
                os.close(fd)
                if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise InUseError(self.what, target or self.path, self.holder()) from None
                raise
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)  # the file was removed by the previous holder: lock the new one
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()} {_HOST}\n".encode())
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is None:
            return
        if self.remove:
            with contextlib.suppress(OSError):
                self.path.unlink()
        if fcntl is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None

    def locked_by_other(self) -> int | None | bool:
        """False when the lock is free (nothing is taken); else the holder's pid (or None)."""
        if fcntl is None or not self.path.exists():
            return False
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except OSError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return self.holder()
        finally:
            os.close(fd)
        return False

    def __enter__(self):
        return self if self._fd is not None else self.acquire()

    def __exit__(self, *exc):
        self.release()


def output_lock(path) -> FileLock:
    """The lock of an output file or zarr directory: ``.NAME.lock`` beside it."""
    path = Path(path)
    return FileLock(path.with_name(f".{path.name}.lock"), "output", remove=True)


# ----------------------------------------------------------------------------------- chunks
def checksum(arrays: dict) -> str:
    """BLAKE2b-128 of named arrays: each name, dtype, shape and raw bytes in sorted order."""
    h = hashlib.blake2b(digest_size=16)
    for k in sorted(arrays):
        a = np.ascontiguousarray(arrays[k])
        h.update(f"{k}|{a.dtype.str}|{a.shape}|".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def write_chunk(path: Path, arrays: dict, *, chunk: int, lo: int, hi: int,
                fingerprint: str) -> None:
    """Write a chunk file (``.npz``) atomically with its verification record ``__meta__``:
    chunk number, index range ``[lo, hi)``, the sweep's fingerprint and the checksum.

    Parameters
    ----------
    path : Path
        The chunk file (``.npz``).
    arrays : dict of ndarray
        The chunk's outputs (None values are skipped).
    chunk, lo, hi : int
        Its number and trajectory range ``[lo, hi)``.
    fingerprint : str
        The sweep's fingerprint.

    Raises
    ------
    OSError
        If the disk has too little space for the chunk.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np
    >>> from fastdescent.engine.storage import read_chunk, write_chunk
    >>> path = Path(tempfile.mkdtemp()) / "chunk_3.npz"
    >>> write_chunk(path, {"loss": np.arange(4.0)}, chunk=3, lo=12, hi=16, fingerprint="abc")
    >>> read_chunk(path, chunk=3, lo=12, hi=16, fingerprint="abc",
    ...            expect={"loss": (np.dtype(float), ())})
    {'loss': array([0., 1., 2., 3.])}
    """
    arrays = {k: np.ascontiguousarray(v) for k, v in arrays.items() if v is not None}
    meta = {"chunk": int(chunk), "lo": int(lo), "hi": int(hi), "fingerprint": fingerprint,
            "checksum": checksum(arrays), "format": STORE_FORMAT}
    buf = io.BytesIO()
    np.savez(buf, __meta__=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8), **arrays)
    check_space(path.parent, buf.tell())
    atomic_write_bytes(path, buf.getvalue())


def read_chunk(path: Path, *, chunk: int, lo: int, hi: int, fingerprint: str,
               expect: dict) -> dict:
    """Read and verify a chunk file; returns its arrays or raises :class:`ChunkError`.

    ``expect`` maps each array name to its dtype and per-trajectory shape; the chunk must
    hold exactly those, for ``hi - lo`` trajectories, with a matching checksum, range,
    chunk number and fingerprint.

    Raises
    ------
    ChunkError
        If the file is unreadable, incomplete, or any of its records does not match.

    Parameters
    ----------
    path : Path
        The chunk file.
    chunk, lo, hi : int
        Its number and trajectory range.
    fingerprint : str
        The sweep's fingerprint.
    expect : dict
        Array name -> (dtype, per-trajectory shape).

    Returns
    -------
    dict of ndarray

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np
    >>> from fastdescent.engine.storage import read_chunk, write_chunk
    >>> path = Path(tempfile.mkdtemp()) / "chunk_0.npz"
    >>> write_chunk(path, {"loss": np.arange(4.0)}, chunk=0, lo=0, hi=4, fingerprint="abc")
    >>> read_chunk(path, chunk=0, lo=0, hi=4, fingerprint="abc",
    ...            expect={"loss": (np.dtype(float), ())})["loss"]
    array([0., 1., 2., 3.])
    >>> read_chunk(path, chunk=0, lo=0, hi=4, fingerprint="other sweep",
    ...            expect={"loss": (np.dtype(float), ())})
    Traceback (most recent call last):
        ...
    fastdescent.engine.storage.ChunkError: chunk_0.npz: belongs to another sweep ...
    """
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ChunkError(path, f"cannot be read ({exc.strerror or exc})") from None
    if size == 0:
        raise ChunkError(path, "is empty (zero bytes)")
    try:
        with open(path, "rb") as fh, np.load(fh, allow_pickle=False) as z:
            names = set(z.files)
            if "__meta__" not in names:
                raise ChunkError(path, "has no verification record (written by an older "
                                       "fastdescent or another program)")
            meta = json.loads(bytes(z["__meta__"]).decode())
            arrays = {k: z[k] for k in names - {"__meta__"}}
    except ChunkError:
        raise
    except Exception as exc:  # noqa: BLE001 - zip/zlib/npy/json errors: all mean corrupt
        raise ChunkError(path, f"is truncated or corrupt ({type(exc).__name__}: "
                               f"{' '.join(str(exc).split())})") from None
    if not isinstance(meta, dict):
        raise ChunkError(path, "has a malformed verification record")
    if meta.get("fingerprint") != fingerprint:
        raise ChunkError(path, "belongs to another sweep (its fingerprint differs)")
    if (meta.get("chunk"), meta.get("lo"), meta.get("hi")) != (chunk, lo, hi):
        raise ChunkError(path, f"is misplaced: it holds chunk {meta.get('chunk')} "
                               f"(trajectories {meta.get('lo')}..{meta.get('hi')}), "
                               f"not chunk {chunk} ({lo}..{hi})")
    if set(arrays) != set(expect):
        raise ChunkError(path, f"holds arrays {sorted(arrays)}, expected {sorted(expect)}")
    for k, (dtype, shape) in expect.items():
        a = arrays[k]
        if a.dtype != np.dtype(dtype) or a.shape != (hi - lo, *shape):
            raise ChunkError(path, f"array {k!r} has {a.dtype}{list(a.shape)}, expected "
                                   f"{np.dtype(dtype)}{[hi - lo, *shape]}")
    if checksum(arrays) != meta.get("checksum"):
        raise ChunkError(path, "fails its checksum (the data were altered)")
    return arrays


def quarantine(path: Path, reason: str) -> Path:
    """Move a bad chunk file into ``quarantine/`` beside it (never deleted) and warn."""
    qdir = path.parent / "quarantine"
    qdir.mkdir(exist_ok=True)
    dest = qdir / path.name
    n = 1
    while dest.exists():
        dest = qdir / f"{path.name}.{n}"
        n += 1
    os.replace(path, dest)
    warnings.warn(f"store {str(path.parent)!r}: {path.name} {reason}; moved to "
                  f"quarantine/{dest.name}, recomputing it", StoreRepairWarning, stacklevel=3)
    return dest


# ---------------------------------------------------------------------------------- datasets
def recover_switch(path: Path) -> None:
    """Finish or undo a zarr switch that a killed writer left half done (call with the
    output's lock held): ``.NAME.old`` beside a present ``NAME`` is deleted; without
    ``NAME`` it is renamed back, restoring the previous complete dataset.

    Parameters
    ----------
    path : Path
        The zarr output.

    Examples
    --------
    A writer killed between its two renames left only ``.q.zarr.old``: it is renamed back.

    >>> import tempfile
    >>> from pathlib import Path
    >>> from fastdescent.engine.storage import recover_switch
    >>> d = Path(tempfile.mkdtemp())
    >>> (d / ".q.zarr.old").mkdir()
    >>> recover_switch(d / "q.zarr")
    >>> sorted(p.name for p in d.iterdir())
    ['q.zarr']
    """
    old = path.with_name(f".{path.name}.old")
    if not old.exists():
        return
    if path.exists():
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(old, path)
        fsync_dir(path.parent)


def _fsync_tree(root: Path) -> None:
    for d, _, files in os.walk(root):
        for f in files:
            _fsync_path(Path(d) / f)
        fsync_dir(Path(d))


def save_dataset(ds, path: Path) -> Path:
    """Write ``ds`` to ``path`` (``.nc`` or ``.zarr``) so that ``path`` is at every instant
    the previous complete dataset or the new complete one (see the module docstring).
    Concurrent saves to one path take turns (the output lock); a failure (a full disk, a
    kill) leaves the previous dataset and no temporary behind.

    Parameters
    ----------
    ds : xarray.Dataset
    path : Path
        Ending in ``.nc`` or ``.zarr``.

    Returns
    -------
    Path

    Raises
    ------
    ValueError
        If ``path`` exists and is not a file (``.nc``) or not a zarr dataset (``.zarr``).
    OSError
        If the disk has too little space for the dataset (checked before writing).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import fastdescent as fd
    >>> from fastdescent.engine.storage import load_dataset, save_dataset
    >>> m = fd.models.quadratic()
    >>> ds = fd.sweep(m, fd.optim.gd(), fd.grid(m, 2), steps=5, progress=False)
    >>> path = save_dataset(ds, Path(tempfile.mkdtemp()) / "q.nc")
    >>> bool(load_dataset(path)["loss"].equals(ds["loss"]))
    True
    """
    path = Path(path)
    with output_lock(path).acquire(wait=True):
        remove_stale_temporaries(path)
        check_space(path.parent, dataset_bytes(ds))
        if path.suffix == ".nc":
            if path.exists() and not path.is_file():
                raise ValueError(f"{str(path)!r} exists and is not a file")
            with atomic_file(path) as tmp:
                ds.to_netcdf(tmp, engine="h5netcdf")
            return path
        recover_switch(path)
        if path.exists() and not (path.is_dir() and any(
                (path / f).exists() for f in ("zarr.json", ".zgroup"))):
            raise ValueError(f"{str(path)!r} exists and is not a zarr dataset: not replacing "
                             f"it (choose another path or remove it)")
        tmp = temporary_name(path)
        try:
            ds.to_zarr(tmp, mode="w-", write_empty_chunks=True)
            _fsync_tree(tmp)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        old = path.with_name(f".{path.name}.old")
        if path.exists():
            os.rename(path, old)
        os.rename(tmp, path)
        fsync_dir(path.parent)
        shutil.rmtree(old, ignore_errors=True)
    return path


def _missing_zarr_chunks(path: Path) -> list[str]:
    """Names of the zarr arrays of ``path`` with fewer stored chunks than they have."""
    import zarr

    group = zarr.open_group(str(path), mode="r")
    bad = []
    for name, arr in group.arrays():
        have = arr.nchunks_initialized
        if have != arr.nchunks:
            bad.append(f"{name} ({arr.nchunks - have} of {arr.nchunks} chunks missing)")
    return bad


def _identity(path: Path) -> tuple:
    """(inode, change time) of a directory: a switch puts another directory in its place."""
    st = path.stat()
    return st.st_ino, st.st_ctime_ns


def _load_zarr(path: Path):
    import xarray as xr

    lock = output_lock(path)
    if path.with_name(f".{path.name}.old").exists():  # a switch in progress, or killed
        try:
            lock.acquire(wait=False, target=path)
        except (InUseError, PermissionError) as exc:
            if not path.exists():
                who = f"pid {exc.pid}" if getattr(exc, "pid", None) else "another process"
                raise DatasetError(f"{str(path)!r} is being replaced by {who} right now: "
                                   f"load it again when that save has finished") from None
        else:
            try:
                recover_switch(path)
            finally:
                lock.release()
    if not path.exists():
        raise FileNotFoundError(f"no such file or store: {str(path)!r}")
    for attempt in range(5):  # a save may switch the directory while it is read: read again
        if attempt:
            time.sleep(0.05 * attempt)
        try:
            before = _identity(path)
        except FileNotFoundError:
            continue  # between the two renames of a switch
        missing, error, ds = [], None, None
        try:
            missing = _missing_zarr_chunks(path)
            if not missing:
                ds = xr.open_zarr(path).load()
        except Exception as exc:  # noqa: BLE001 - zarr/json errors on a foreign directory
            error = exc
        try:
            if _identity(path) != before:
                continue
        except FileNotFoundError:
            continue
        if missing:
            raise DatasetError(f"{str(path)!r} is incomplete: {'; '.join(missing)} (a chunk "
                               f"folder or file was deleted); save the dataset again")
        if error is not None:
            raise DatasetError(f"cannot read {str(path)!r} as a zarr dataset "
                               f"({type(error).__name__}: {' '.join(str(error).split())})")
        return ds
    raise DatasetError(f"{str(path)!r} kept changing while it was read (another process is "
                       f"saving it): load it again when that save has finished")


def load_dataset(path):
    """Load a saved sweep (``.nc`` or ``.zarr``) and validate it (:func:`validate`).

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    DatasetError
        If it is not a complete fastdescent dataset this version reads.

    Parameters
    ----------
    path : str or Path
        A ``.nc`` file or ``.zarr`` store.

    Returns
    -------
    xarray.Dataset

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import fastdescent as fd
    >>> from fastdescent.engine.storage import load_dataset
    >>> m = fd.models.quadratic()
    >>> path = fd.save(fd.sweep(m, fd.optim.gd(), fd.grid(m, 2), 5, progress=False),
    ...                Path(tempfile.mkdtemp()) / "q.nc")
    >>> load_dataset(path)["status"].shape
    (2, 2)
    >>> load_dataset(path.with_name("none.nc"))
    Traceback (most recent call last):
        ...
    FileNotFoundError: no such file or store: '...none.nc'
    """
    import xarray as xr

    path = Path(path)
    if path.suffix == ".zarr" or (path.is_dir() and not (path / "manifest.json").exists()):
        ds = _load_zarr(path)
    else:
        if not path.exists():
            raise FileNotFoundError(f"no such file or store: {str(path)!r}")
        try:
            ds = xr.load_dataset(path, engine="h5netcdf")
        except Exception as exc:  # noqa: BLE001 - h5py/netCDF errors: not a readable file
            raise DatasetError(f"cannot read {str(path)!r} as a netCDF dataset "
                               f"({type(exc).__name__}: {' '.join(str(exc).split())})") \
                from None
    validate(ds, path)
    return ds


def validate(ds, path) -> None:
    """Raise :class:`DatasetError` unless ``ds`` is a complete fastdescent dataset of a
    format this version reads: the version attributes, every required variable with the
    right dims (``params``: the trajectory dims + ``param``; ``loss``, ``status``, ``steps``:
    the trajectory dims; ``path``/``loss_path`` when present: + ``record`` [+ ``param``]).

    Parameters
    ----------
    ds : xarray.Dataset
    path : str or Path
        Where it came from, for the message.

    Raises
    ------
    DatasetError
        Naming what is missing or wrong.

    Examples
    --------
    >>> import fastdescent as fd
    >>> from fastdescent.engine.storage import validate
    >>> m = fd.models.quadratic()
    >>> ds = fd.sweep(m, fd.optim.gd(), fd.grid(m, 2), steps=5, progress=False)
    >>> validate(ds, "in memory")
    >>> validate(ds.drop_vars("steps"), "in memory")
    Traceback (most recent call last):
        ...
    fastdescent.engine.storage.DatasetError: 'in memory' is not a complete fastdescent dataset: ...
    """
    where = str(path)
    fmt = ds.attrs.get("fastdescent_format")
    if fmt is None:
        if "fastdescent_version" not in ds.attrs:
            raise DatasetError(f"{where!r} is not a fastdescent dataset (no "
                               f"fastdescent_format or fastdescent_version attribute)")
        fmt = 1
    try:
        fmt = int(fmt)
    except (TypeError, ValueError):
        raise DatasetError(f"{where!r}: unreadable fastdescent_format {fmt!r}") from None
    if fmt > FORMAT_VERSION:
        raise DatasetError(f"{where!r} was written by a newer fastdescent (dataset format "
                           f"{fmt}; this version reads up to {FORMAT_VERSION}): upgrade "
                           f"fastdescent to read it")
    missing = [v for v in REQUIRED if v not in ds.variables]
    if missing:
        raise DatasetError(f"{where!r} is not a complete fastdescent dataset: missing "
                           f"variable{'s' if len(missing) > 1 else ''} "
                           f"{', '.join(missing)} (has: {', '.join(map(str, ds.variables))})")
    traj = tuple(ds["loss"].dims)
    for v, tail in {**REQUIRED, **{k: t for k, t in OPTIONAL.items() if k in ds.variables}}.items():
        dims = tuple(ds[v].dims)
        if dims != traj + tail:
            raise DatasetError(f"{where!r}: variable {v!r} has dims {dims}, expected "
                               f"{traj + tail}")
    if "param" not in ds.coords:
        raise DatasetError(f"{where!r}: missing coordinate 'param' (the parameter names)")
