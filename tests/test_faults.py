"""Fault injection: kills, corrupt chunks, concurrent writers, a full disk, foreign files.

Every case asserts the storage contract of :mod:`fastdescent.engine.storage`: after any fault
the stored result is bitwise the clean result, the previous output, or a clear error, never
wrong data. Writers run in forked children (the parent has compiled the engine already, so a
child starts in milliseconds) and are killed by their pid with SIGKILL, either

* at a *crash point*: the k-th call of an I/O primitive (``os.replace``, ``os.rename``,
  ``os.fsync``, ``os.unlink``, ``os.write``, ``shutil.rmtree``), enumerated over all the
  calls a clean run makes (sampled where there are many), or
* at a *random time* drawn from a seeded generator over the duration of a clean run.

The assertions hold for whatever instant a kill lands on, so the tests are deterministic.
"""
from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import sys
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pytest

import fastdescent as fd
from fastdescent.cli import main
from fastdescent.engine import storage
from fastdescent.engine import sweeps as sweep_mod
from fastdescent.engine.memory import MemoryLimitError, parse_memory
from fastdescent.engine.storage import DatasetError, InUseError, StoreRepairWarning
from fastdescent.models import gabor
from fastdescent.optim import adam

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")

GABOR = gabor()
CHUNK = 16
N_KILLS = 20  # random-time kills per scenario
PRIMITIVES = ((os, "replace"), (os, "rename"), (os, "fsync"), (os, "unlink"), (os, "write"),
              (shutil, "rmtree"))


def sweep_args(lr=(0.01, 0.1)):
    return (GABOR, adam(), fd.grid(GABOR, 8), 30), dict(lr=list(lr), record_every=10,
                                                         chunk_size=CHUNK, threads=1)


def run_sweep(store=None, lr=(0.01, 0.1)):
    args, kw = sweep_args(lr)
    return fd.sweep(*args, store=store, **kw)


def same(a, b) -> bool:
    """Bitwise equality of two datasets (values, dtypes, coords, attrs)."""
    if not a.identical(b):
        return False
    return all(a[v].values.tobytes() == b[v].values.tobytes() for v in b.variables)


@pytest.fixture
def tmp_path(tmp_path):
    """A directory on a tmpfs (``/dev/shm``) where there is one, else pytest's: fsync and
    metadata operations cost microseconds there, and a killed process, a lock or a file-size
    limit behave the same on any local file system."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK | os.X_OK)):
        yield tmp_path
        return
    d = Path(tempfile.mkdtemp(prefix="fastdescent-faults-", dir=shm))
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def ref():
    return run_sweep()


@pytest.fixture(scope="module")
def other():
    """A second, different dataset of the same shape (the 'previous output')."""
    return run_sweep(lr=(0.02, 0.2))


# ------------------------------------------------------------------------------ children
def fork(fn, crash=None, report=None):
    """Run ``fn()`` in a forked child; returns its pid. ``crash=(name, k)`` SIGKILLs the
    child at the k-th call of primitive ``name``; ``report`` (a path) receives the number of
    calls of each primitive as JSON when ``fn`` returns."""
    pid = os.fork()
    if pid:
        return pid
    code = 0
    try:
        import faulthandler

        faulthandler.disable()  # a writer that crashes on purpose needs no dump
        counts = {}
        for mod, name in PRIMITIVES:
            real = getattr(mod, name)

            def wrapped(*a, _real=real, _name=name, **k):
                counts[_name] = counts.get(_name, 0) + 1
                if crash is not None and crash == (_name, counts[_name]):
                    os.kill(os.getpid(), signal.SIGKILL)
                return _real(*a, **k)

            setattr(mod, name, wrapped)
        warnings.simplefilter("ignore")
        fn()
        if report is not None:
            Path(report).write_text(json.dumps(counts))
    except BaseException as exc:  # noqa: BLE001 - the child's outcome is its exit code
        code = 3 if isinstance(exc, OSError) else 1
        try:
            sys.stderr.write(f"child: {type(exc).__name__}: {exc}\n")
        except Exception:  # noqa: BLE001
            pass
    os._exit(code)


def wait(pid, allow_crash=False) -> int | str:
    """Exit code of child ``pid``, or ``"killed"`` (SIGKILL; any signal with
    ``allow_crash``)."""
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        assert allow_crash or os.WTERMSIG(status) == signal.SIGKILL, os.WTERMSIG(status)
        return "killed"
    return os.WEXITSTATUS(status)


def kill_at(pid, seconds: float):
    time.sleep(seconds)
    os.kill(pid, signal.SIGKILL)  # a zombie (already finished) ignores it
    return wait(pid)


def crash_points(fn, tmp_path, rng, per_name=6) -> list:
    """The crash points of ``fn``: every call of each primitive when it has at most
    ``per_name`` calls in a clean run, else the first, the last and a seeded sample."""
    report = tmp_path / "counts.json"
    assert wait(fork(fn, report=report)) == 0
    counts = json.loads(report.read_text())
    report.unlink()
    points = []
    for name, n in sorted(counts.items()):
        ks = range(1, n + 1) if n <= per_name else sorted(
            {1, n, *rng.choice(np.arange(2, n), per_name - 2, replace=False).tolist()})
        points += [(name, int(k)) for k in ks]
    return points


def clean_duration(fn) -> float:
    t0 = time.perf_counter()
    assert wait(fork(fn)) == 0
    return time.perf_counter() - t0


def resume_quietly(store):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StoreRepairWarning)
        return run_sweep(store)


# ------------------------------------------------------------------------------ kills: stores
def test_sigkill_at_every_crash_point_of_a_store_sweep_then_resume(ref, tmp_path):
    rng = np.random.default_rng(16)
    points = crash_points(lambda: run_sweep(tmp_path / "probe"), tmp_path, rng)
    assert len(points) >= 10
    for i, point in enumerate(points):
        store = tmp_path / f"s{i}"
        assert wait(fork(lambda: run_sweep(store), crash=point)) == "killed", point
        assert same(resume_quietly(store), ref), point
        assert not list(store.glob(".*.tmp")), point  # the resume cleared the temporaries


def test_sigkill_at_random_times_during_a_store_sweep_then_resume(ref, tmp_path, monkeypatch):
    real = sweep_mod.SweepPlan.compute

    def slow(self, lo, hi, threads=None):  # spreads the chunk writes over time
        time.sleep(0.005)
        return real(self, lo, hi, threads)

    monkeypatch.setattr(sweep_mod.SweepPlan, "compute", slow)
    T = clean_duration(lambda: run_sweep(tmp_path / "probe"))
    rng = np.random.default_rng(1616)
    outcomes = []
    for i, t in enumerate(rng.uniform(0, 1.2 * T, N_KILLS)):
        store = tmp_path / f"s{i}"
        outcomes.append(kill_at(fork(lambda: run_sweep(store)), t))
        monkeypatch.setattr(sweep_mod.SweepPlan, "compute", real)
        assert same(resume_quietly(store), ref), t
        monkeypatch.setattr(sweep_mod.SweepPlan, "compute", slow)
    assert "killed" in outcomes


# ------------------------------------------------------------------------------ kills: saves
def snapshot(path: Path):
    """Every byte of a file or directory tree (relative names -> contents), None if absent."""
    if path.is_file():
        return path.read_bytes()
    if not path.exists():
        return None
    return {str(f.relative_to(path)): f.read_bytes() for f in sorted(path.rglob("*"))
            if f.is_file()}


@pytest.mark.parametrize("suffix", [".nc", ".zarr"])
def test_sigkill_during_save_leaves_old_or_new(ref, other, tmp_path, suffix):
    """Crash points and random times of a save over a previous output: the output is, byte
    for byte, a clean save of the previous dataset or of the new one, or else (a killed
    switch) ``load`` restores one of them bitwise; the next save clears the leftovers. Each
    fault's child saves the dataset that is *not* there now."""
    path = tmp_path / f"out{suffix}"
    probe = tmp_path / f"probe{suffix}"
    rng = np.random.default_rng(7 if suffix == ".nc" else 8)
    clean = {}
    for name, ds in (("ref", ref), ("other", other)):
        fd.save(ds, probe)
        clean[name] = snapshot(probe)  # saves are byte-deterministic; load() is the fallback
    points = crash_points(lambda: fd.save(ref, probe), tmp_path, rng, per_name=3)
    T = clean_duration(lambda: fd.save(other, probe))
    faults = [("point", p) for p in points] + [("time", t) for t in
                                               rng.uniform(0, 1.2 * T, N_KILLS)]
    data = {"ref": ref, "other": other}
    fd.save(other, path)
    now = "other"
    for kind, f in faults:
        new = "ref" if now == "other" else "other"
        if kind == "point":
            rc = wait(fork(lambda: fd.save(data[new], path), crash=f))
            assert rc == "killed", f
        else:
            rc = kill_at(fork(lambda: fd.save(data[new], path)), f)
        after = snapshot(path)
        if after == clean[now]:
            continue
        if after != clean[new]:  # e.g. killed between the renames of a zarr switch
            back = fd.load(path)
            assert same(back, data[new]) or same(back, data[now]), (kind, f)
            new = new if same(back, data[new]) else now
        now = new
    fd.save(ref, path)
    left = [p.name for p in tmp_path.iterdir() if p.name.startswith(f".{path.name}")]
    assert left == [], left
    assert same(fd.load(path), ref)


def test_new_output_killed_mid_save_is_absent_or_complete(ref, tmp_path):
    for suffix in (".nc", ".zarr"):
        for k in (1, 2):
            path = tmp_path / f"new{k}{suffix}"
            wait(fork(lambda: fd.save(ref, path), crash=("rename" if suffix == ".zarr"
                                                          else "replace", k)))
            if path.exists():
                assert same(fd.load(path), ref)
            else:
                with pytest.raises(FileNotFoundError):
                    fd.load(path)


def test_zarr_switch_killed_between_renames_is_restored_by_the_reader(ref, other, tmp_path):
    path = tmp_path / "out.zarr"
    fd.save(other, path)
    # the first rename moves the old dataset aside, the second brings the new one in
    assert wait(fork(lambda: fd.save(ref, path), crash=("rename", 2))) == "killed"
    assert not path.exists() and (tmp_path / ".out.zarr.old").is_dir()
    assert same(fd.load(path), other)  # the previous complete dataset is back
    assert not (tmp_path / ".out.zarr.old").exists()


# ------------------------------------------------------------------------------ bad chunks
def _damage(store: Path, kind: str, tmp_path: Path) -> set[int]:
    """Apply one kind of damage to a complete store; returns the damaged chunk numbers."""
    c = lambda i: store / f"chunk-{i:06d}.npz"  # noqa: E731
    if kind == "truncated":
        data = c(2).read_bytes()
        c(2).write_bytes(data[:len(data) // 2])
        return {2}
    if kind == "zero-byte":
        c(3).write_bytes(b"")
        return {3}
    if kind == "bit-flipped":
        data = bytearray(c(1).read_bytes())
        data[len(data) // 2] ^= 0x10
        c(1).write_bytes(bytes(data))
        return {1}
    if kind == "altered-and-rezipped":  # a valid zip whose data no longer match the checksum
        with np.load(c(4)) as z:
            arrays = {k: z[k] for k in z.files}
        arrays["loss"] = arrays["loss"].copy()
        arrays["loss"][0] += 1.0
        np.savez(c(4), **arrays)
        return {4}
    if kind == "swapped":
        a, b = c(0).read_bytes(), c(5).read_bytes()
        c(0).write_bytes(b)
        c(5).write_bytes(a)
        return {0, 5}
    if kind == "copied-over":  # a valid chunk over another chunk's file
        shutil.copy(c(0), c(6))
        return {6}
    if kind == "foreign":  # a chunk of another sweep, same chunk size and number
        other_store = tmp_path / "foreign-store"
        run_sweep(other_store, lr=(0.02, 0.2))
        shutil.copy(other_store / "chunk-000007.npz", c(7))
        return {7}
    if kind == "legacy":  # written without a verification record
        with np.load(c(2)) as z:
            arrays = {k: z[k] for k in z.files if k != "__meta__"}
        np.savez(c(2), **arrays)
        return {2}
    if kind == "stray":  # an out-of-range chunk file and a dead writer's temporary
        shutil.copy(c(0), store / "chunk-000099.npz")
        (store / ".chunk-000001.npz.host-999999.abcdef.tmp").write_bytes(b"partial")
        return set()
    raise AssertionError(kind)


KINDS = ["truncated", "zero-byte", "bit-flipped", "altered-and-rezipped", "swapped",
         "copied-over", "foreign", "legacy", "stray"]


@pytest.mark.parametrize("kind", KINDS)
def test_bad_chunks_are_reported_quarantined_and_recomputed(ref, tmp_path, monkeypatch, kind):
    store = tmp_path / "store"
    run_sweep(store)
    bad = _damage(store, kind, tmp_path)
    real = sweep_mod.SweepPlan.compute
    computed = []
    monkeypatch.setattr(sweep_mod.SweepPlan, "compute", lambda self, lo, hi, threads=None:
                        computed.append(lo // CHUNK) or real(self, lo, hi, threads))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ds = run_sweep(store)
    assert same(ds, ref)
    assert sorted(computed) == sorted(bad)  # nothing else was recomputed
    msgs = [str(w.message) for w in caught if issubclass(w.category, StoreRepairWarning)]
    for i in bad:
        assert any(f"chunk-{i:06d}.npz" in m for m in msgs), (i, msgs)
        assert (store / "quarantine" / f"chunk-{i:06d}.npz").exists()  # moved, not deleted
    if kind == "stray":
        assert (store / "quarantine" / "chunk-000099.npz").exists()
        assert not list(store.glob(".*.tmp"))
    # the repaired store verifies: a second call computes nothing and warns nothing
    computed.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("error", StoreRepairWarning)
        assert same(run_sweep(store), ref)
    assert computed == []


def test_cli_resume_reports_a_corrupt_chunk_by_name(capsys, ref, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "e.toml").write_text(
        '[model]\nname = "gabor"\n[optimizer]\nname = "adam"\nlr = [0.01, 0.1]\n'
        '[start]\ngrid = 8\n[run]\nsteps = 30\nrecord_every = 10\n'
        '[output]\npath = "out.nc"\nchunk_size = 16\n')
    from fastdescent.cli.experiment import load_file

    exp = load_file("e.toml")
    store = tmp_path / "out.nc.store"
    args, kw = exp.plan_args()
    fd.sweep(*args, **kw, store=store, chunk_size=16)
    (store / "chunk-000003.npz").write_bytes(b"")
    rc = main(["run", "e.toml", "--resume", "--threads", "1"])
    _, err = capsys.readouterr()
    assert rc == 0, err
    assert "chunk-000003.npz is empty" in err and "quarantine" in err
    back = fd.load("out.nc")
    assert all(back[v].values.tobytes() == ref[v].values.tobytes() for v in ref.variables)
    assert (store / "quarantine" / "chunk-000003.npz").exists()
    rc = main(["run", "e.toml", "-o", "again.nc"])  # the kept quarantine is no obstacle
    assert rc == 0, capsys.readouterr().err


# ------------------------------------------------------------------------------ two writers
def _hold_lock(store, ready: Path):
    st = sweep_mod.Store(store, sweep_mod.make_plan(*sweep_args()[0], lr=[0.01, 0.1],
                                                    record_every=10), CHUNK)
    st.lock()
    ready.write_text("locked")
    time.sleep(60)


def test_second_sweep_on_a_store_in_use_fails_then_takes_over_a_dead_lock(capsys, ref,
                                                                           tmp_path):
    store, ready = tmp_path / "store", tmp_path / "ready"
    pid = fork(lambda: _hold_lock(store, ready))
    try:
        deadline = time.monotonic() + 30
        while not ready.exists():
            assert time.monotonic() < deadline
            time.sleep(0.005)
        with pytest.raises(InUseError, match=f"store .* in use by pid {pid}"):
            run_sweep(store)
        # the command line: exit 2 with the holder's pid, not "add --resume"
        (tmp_path / "e.toml").write_text(
            '[model]\nname = "gabor"\n[optimizer]\nname = "adam"\n[start]\ngrid = 4\n'
            f'[run]\nsteps = 5\n[output]\npath = "{tmp_path / "o.nc"}"\n'
            f'store = "{store}"\n')
        rc = main(["run", str(tmp_path / "e.toml")])
        err = capsys.readouterr().err
        assert rc == 2 and f"in use by pid {pid}" in err and "--resume" not in err, err
    finally:
        os.kill(pid, signal.SIGKILL)
        wait(pid)
    assert (store / "lock").read_text().split()[0] == str(pid)  # stale: its holder is dead
    assert same(run_sweep(store), ref)  # the dead process's lock is taken over


@pytest.mark.parametrize("suffix", [".nc", ".zarr"])
def test_concurrent_saves_to_one_output_take_turns(ref, other, tmp_path, suffix):
    path = tmp_path / f"out{suffix}"

    def saves(ds):
        for _ in range(3):
            fd.save(ds, path)

    pids = [fork(lambda: saves(ref)), fork(lambda: saves(other))]
    assert [wait(p) for p in pids] == [0, 0]  # no "Directory not empty" collision
    back = fd.load(path)
    assert same(back, ref) or same(back, other)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_reader_during_zarr_switches_sees_old_new_or_a_clear_error(ref, other, tmp_path):
    path = tmp_path / "out.zarr"
    fd.save(other, path)

    def switch():
        for i in range(8):
            fd.save(ref if i % 2 == 0 else other, path)

    pid = fork(switch)
    seen = {"ok": 0, "error": 0}
    try:
        while True:
            try:
                back = fd.load(path)
            except (DatasetError, FileNotFoundError) as exc:
                assert "being replaced" in str(exc) or "changed while" in str(exc) or \
                    "no such" in str(exc), exc
                seen["error"] += 1
            else:
                assert same(back, ref) or same(back, other)
                seen["ok"] += 1
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                pid = None
                break
    finally:
        if pid:
            os.kill(pid, signal.SIGKILL)
            wait(pid)
    assert seen["ok"] >= 1


# ------------------------------------------------------------------------------ full disk
def _limited(fn, limit: int):
    """``fn`` with files limited to ``limit`` bytes (RLIMIT_FSIZE): a write beyond fails
    with EFBIG, as on a full disk (SIGXFSZ ignored so that the write returns the error)."""
    def child():
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        fn()
    return child


@pytest.mark.parametrize("suffix", [".nc", ".zarr"])
def test_full_disk_during_save_keeps_the_previous_output(ref, other, tmp_path, monkeypatch,
                                                         suffix):
    path = tmp_path / f"out{suffix}"
    fd.save(other, path)
    # checked before writing: a clear OSError, nothing written
    rc = wait(fork(_limited(lambda: fd.save(ref, path), 4096)))
    assert rc == 3, rc
    assert same(fd.load(path), other)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    # the disk fills in the middle of the write (the estimate passed): the writer fails
    # (HDF5 may even crash the process), the previous output stays, the next save cleans up
    monkeypatch.setattr(storage, "check_space", lambda d, n: None)
    for limit in (600, 1500, 3000):  # below the largest file of either format
        rc = wait(fork(_limited(lambda: fd.save(ref, path), limit)), allow_crash=True)
        assert rc != 0, rc
        assert same(fd.load(path), other)
    monkeypatch.undo()
    fd.save(ref, path)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert same(fd.load(path), ref)


def test_full_disk_during_a_store_sweep_then_resume(ref, tmp_path):
    store = tmp_path / "store"
    rc = wait(fork(_limited(lambda: run_sweep(store), 3000)))
    assert rc in (1, 3), rc
    assert same(resume_quietly(store), ref)


def test_enospc_on_flush_keeps_the_previous_output(ref, other, tmp_path, monkeypatch):
    path = tmp_path / "out.nc"
    fd.save(other, path)

    def full(p):
        raise OSError(errno.ENOSPC, "No space left on device", str(p))

    monkeypatch.setattr(storage, "_fsync_path", full)
    with pytest.raises(OSError, match="No space"):
        fd.save(ref, path)
    monkeypatch.undo()
    assert same(fd.load(path), other)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


# ------------------------------------------------------------------------------ loading
def test_load_refuses_foreign_incomplete_and_newer_files(ref, tmp_path):
    import xarray as xr

    foreign = tmp_path / "foreign.nc"
    xr.Dataset({"t": ("x", np.arange(3.0))}).to_netcdf(foreign, engine="h5netcdf")
    with pytest.raises(DatasetError, match="not a fastdescent dataset"):
        fd.load(foreign)
    partial = ref.drop_vars("loss")
    fd.save(partial, tmp_path / "partial.nc")
    with pytest.raises(DatasetError, match="missing variable loss"):
        fd.load(tmp_path / "partial.nc")
    newer = ref.copy()
    newer.attrs["fastdescent_format"] = storage.FORMAT_VERSION + 1
    fd.save(newer, tmp_path / "newer.zarr")
    with pytest.raises(DatasetError, match="newer fastdescent"):
        fd.load(tmp_path / "newer.zarr")
    (tmp_path / "garbage.nc").write_bytes(b"not a netCDF file at all")
    with pytest.raises(DatasetError, match="cannot read"):
        fd.load(tmp_path / "garbage.nc")
    (tmp_path / "mine.zarr").mkdir()  # a directory that is no zarr dataset is not replaced
    (tmp_path / "mine.zarr" / "notes.txt").write_text("keep")
    with pytest.raises(ValueError, match="not a zarr dataset"):
        fd.save(ref, tmp_path / "mine.zarr")
    assert (tmp_path / "mine.zarr" / "notes.txt").read_text() == "keep"
    fd.save(ref, tmp_path / "z.zarr")
    shutil.rmtree(tmp_path / "z.zarr" / "loss" / "c")  # a deleted chunk folder
    with pytest.raises(DatasetError, match="incomplete: loss"):
        fd.load(tmp_path / "z.zarr")


def test_plot_of_an_incomplete_or_foreign_dataset_exits_2(capsys, ref, tmp_path):
    import xarray as xr

    fd.save(ref, tmp_path / "z.zarr")
    shutil.rmtree(tmp_path / "z.zarr" / "status" / "c")
    rc = main(["plot", str(tmp_path / "z.zarr"), "-o", str(tmp_path / "f.png")])
    err = capsys.readouterr().err
    assert rc == 2 and "incomplete" in err and not (tmp_path / "f.png").exists()
    xr.Dataset({"t": ("x", np.arange(3.0))}).to_netcdf(tmp_path / "x.nc", engine="h5netcdf")
    rc = main(["plot", str(tmp_path / "x.nc"), "-o", str(tmp_path / "f.png")])
    err = capsys.readouterr().err
    assert rc == 2 and "not a fastdescent dataset" in err and "warning" not in err, err


# ------------------------------------------------------------------------------ permissions
@pytest.mark.parametrize("umask,mode", [(0o022, 0o644), (0o027, 0o640)])
def test_outputs_honour_the_umask(capsys, ref, tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        fd.save(ref, tmp_path / "a.nc")
        fd.save(ref, tmp_path / "a.zarr")
        run_sweep(tmp_path / "store")
        assert main(["plot", str(tmp_path / "a.nc"), "--kind", "hyper", "-o",
                     str(tmp_path / "a.png")]) == 0, capsys.readouterr().err
    finally:
        os.umask(old)
    files = [tmp_path / "a.nc", tmp_path / "a.png", tmp_path / "store" / "manifest.json",
             tmp_path / "store" / "chunk-000000.npz", tmp_path / "a.zarr" / "zarr.json"]
    for f in files:
        assert f.stat().st_mode & 0o777 == mode, (f, oct(f.stat().st_mode))


# ------------------------------------------------------------------------------ memory
def test_memory_is_checked_before_the_inputs_are_copied():
    huge = np.broadcast_to(np.zeros(2), (10**9, 2))  # 16 GB if copied; no memory now
    tracemalloc.start()
    try:
        with pytest.raises(MemoryLimitError, match="record less often") as info:
            fd.run(GABOR, adam(), huge, 10, record_every=1)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 * 2**20, peak
    assert "store" not in str(info.value).split("record less often")[0]
    with pytest.raises(MemoryLimitError, match="max_memory"):
        fd.run(GABOR, adam(), np.zeros((1000, 2)), 10, record_every=1, max_memory=10**5)
    with pytest.raises(MemoryLimitError, match="the sweep needs"):
        fd.sweep(GABOR, adam(), fd.grid(GABOR, 40000), 10)  # 1.6e9 points, no allocation
    with pytest.raises(MemoryLimitError):
        fd.sweep(GABOR, adam(), huge, 10, max_memory="1MB")
    assert parse_memory("2GiB") == 2 * 2**30 and parse_memory("500MB") == 5 * 10**8
    assert 0 < parse_memory("50%") <= parse_memory(None) * 0.5 / 0.8 + 1
    for bad in (True, "lots", -1, 0, "0%", "150%"):
        with pytest.raises((TypeError, ValueError)):
            parse_memory(bad)


def test_cli_max_memory(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    base = ["sweep", "--model", "gabor", "--optimizer", "gd", "--grid", "8", "--steps", "5",
            "-o", "o.nc"]
    rc = main(base + ["--max-memory", "1KB"])
    err = capsys.readouterr().err
    assert rc == 2 and "--max-memory" in err and "GB" in err, err
    rc = main(base + ["--max-memory", "lots"])
    err = capsys.readouterr().err
    assert rc == 2 and "--max-memory" in err, err
    assert main(base + ["--max-memory", "1GiB"]) == 0
    assert not (tmp_path / "o.nc.store").exists()


# ------------------------------------------------------------------------------ booleans
def test_booleans_are_not_numbers(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    toml = ('[model]\nname = "gabor"\n[optimizer]\nname = "adam"\nlr = LR\n[start]\ngrid = 4\n'
            '[run]\nsteps = 5\n[output]\npath = "o.nc"\n')
    for lr in ("true", "[0.1, false]"):
        (tmp_path / "e.toml").write_text(toml.replace("LR", lr))
        rc = main(["run", "e.toml"])
        err = capsys.readouterr().err
        assert rc == 2 and "[optimizer].lr" in err and "boolean" in err, err
    (tmp_path / "e.toml").write_text(toml.replace("LR", "0.1").replace("steps = 5",
                                                                          "steps = 5\nbound = true"))
    rc = main(["run", "e.toml"])
    assert rc == 2 and "[run].bound" in capsys.readouterr().err
    rc = main(["sweep", "--model", "gabor", "--optimizer", "adam", "--lr", "true", "--grid", "4",
               "--steps", "5", "-o", "o.nc"])
    err = capsys.readouterr().err
    assert rc == 2 and "--lr" in err and "boolean" in err, err
    assert not (tmp_path / "o.nc").exists()
