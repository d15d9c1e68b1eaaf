"""Compiled engines, generated from source files and cached on disk.

The model- and optimizer-independent :mod:`fastdescent.engine.worker` (compiled once per
machine), and per model a copy of :mod:`fastdescent.engine._template` (its block kernels and
evaluation helpers). The optimizers' step kernels are ordinary cached njit functions
(:mod:`fastdescent.optim.rules`, :mod:`fastdescent.optim.line_searches`). The worker receives
all of them as first-class functions (:func:`pointer`).


Numba cannot cache a function that receives njit functions as arguments or is built in a
closure (numba issues 6251/6264): such drivers recompile in every new process. Instead, for
each model we write a copy of :mod:`fastdescent.engine._template` whose one ``MODEL-KERNELS``
line imports that model's kernels, import it as a module, and let ``cache=True`` do the rest.
The generated file's name contains a hash of fastdescent's own sources and of the kernels'
module, so editing either never reuses a stale cache.

Kernels that cannot be imported back (defined in ``__main__``, a notebook or a closure) get the
same template executed in a fresh namespace, without on-disk caching.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import subprocess
import sys
import tempfile
import threading
import time
import types
from pathlib import Path

from numba.core.types.function_type import WrapperAddressProtocol

from ..models.base import importable_name

_TEMPLATE = Path(__file__).with_name("_template.py")
_MARK = "# MODEL-KERNELS"
_LOCK = threading.Lock()
_MODULES: dict = {}
_PKG_HASH: str | None = None


def cache_dir() -> Path:
    """Where generated engines live: ``$FASTDESCENT_CACHE_DIR`` or ``~/.cache/fastdescent``."""
    root = os.environ.get("FASTDESCENT_CACHE_DIR")
    if root:
        return Path(root)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "fastdescent"


def _package_hash() -> str:
    global _PKG_HASH
    if _PKG_HASH is None:
        root = Path(__file__).resolve().parents[1]
        h = hashlib.sha1()
        for sub in ("engine", "optim", "models"):
            for f in sorted((root / sub).glob("*.py")):
                h.update(f.name.encode())
                h.update(f.read_bytes())
        h.update((root / "fastmath.py").read_bytes())  # inlined into model kernels
        import numba

        h.update(numba.__version__.encode())
        _PKG_HASH = h.hexdigest()[:12]
    return _PKG_HASH


def _source_with(import_line: str) -> str:
    lines = _TEMPLATE.read_text().splitlines(keepends=True)
    out = [import_line + "\n" if _MARK in ln else ln for ln in lines]
    return "".join(out)


def worker() -> types.ModuleType:
    """The model-independent worker module (generated under a name that hashes fastdescent's
    sources, so an edit to any of them never reuses a stale on-disk cache). Waits for a
    helper process first, if one is building (see :func:`run_kernels`)."""
    mod = _MODULES.get("worker")
    if mod is None:
        with _LOCK:
            mod = _MODULES.get("worker")
            if mod is None:
                _finish_helper("worker")
                src = Path(__file__).with_name("worker.py").read_text()
                mod = _import_generated(f"fd_worker_{_package_hash()}", src)
                _MODULES["worker"] = mod
                _mark_worker_built()
    return mod


# ---------------------------------------------------------- two processes on a first run
# The worker is the largest compile of a first run (2.5-3.5 s here) and does not depend
# on the model or the optimizer. On a machine that has not built it yet, a helper process
# compiles the run's kernels (the model's block kernels, the rule, the placeholders) into the
# on-disk cache while this process builds the worker; this process then loads the kernels
# from the cache. ``precompile`` does the converse (the helper builds the worker). A marker
# file records that the worker was built for this fastdescent version, CPU and cache; with
# it, or if the helper cannot run or fails, everything is compiled here as before. Results
# are the same either way: only where the compiling happens changes.
_BUILD: dict = {}


def _worker_marker() -> Path:
    import llvmlite.binding as llvm

    key = "|".join((_package_hash(), llvm.get_host_cpu_name(),
                    os.environ.get("NUMBA_CPU_NAME", ""), os.environ.get("NUMBA_CPU_FEATURES", ""),
                    os.environ.get("NUMBA_CACHE_DIR", ""), sys.version))
    tag = hashlib.sha1(key.encode()).hexdigest()[:12]
    return cache_dir() / "engines" / f"fd_worker_{_package_hash()}.{tag}.built"


def _mark_worker_built() -> None:
    try:
        marker = _worker_marker()
        if not marker.exists():
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.touch()
    except OSError:
        pass


def _first_run() -> bool:
    """True when this process is about to build the worker for the first time on this
    machine and a helper process may take part (``FASTDESCENT_BACKGROUND_BUILD=0``: never)."""
    if ("worker" in _MODULES or _BUILD.get("proc") is not None or not sys.executable
            or getattr(sys, "frozen", False)
            or os.environ.get("FASTDESCENT_BACKGROUND_BUILD", "1") == "0"):
        return False
    try:
        return not _worker_marker().exists()
    except OSError:
        return False


def _start_helper(code: str, what: str) -> bool:
    """Run ``code`` (building ``what``: "worker" or "kernels") in a helper Python process
    that sees this process's ``sys.path`` (and only it: ``-P``, so a ``fastdescent`` folder
    in the working directory cannot shadow the one this process imported)."""
    paths = [p or os.getcwd() for p in sys.path]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(paths))
    try:
        _BUILD["proc"] = subprocess.Popen(
            [sys.executable, "-P", "-c", code], env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except (OSError, ValueError):
        return False
    _BUILD["what"] = what
    return True


def _finish_helper(what: str) -> None:
    """Wait for the helper if it is building ``what``."""
    proc = _BUILD.get("proc")
    if proc is not None and _BUILD.get("what") == what:
        try:
            proc.wait()
        finally:
            _BUILD["proc"] = None  # done (or failed: what it lacks is compiled here)


def start_worker_build() -> bool:
    """Start building the worker in a helper process if this machine has not built it yet;
    True if one was started (:func:`worker` waits for it)."""
    with _LOCK:
        return _first_run() and _start_helper(
            "from fastdescent.engine.compiled import worker; worker()", "worker")


def run_kernels(model, rule: int, batches: bool, need_loss: bool) -> tuple:
    """The worker module and the kernels ``(lg, lo, update, search, permute)`` of a run,
    compiled here or loaded from the cache (on a first run, see above, a helper compiles
    the kernels while this process builds the worker)."""
    helped = False
    with _LOCK:
        if _first_run():
            gen = _generated(model.kernels)
            if gen is not None:
                path = _write_generated(*gen)
                if path is not None:
                    helped = _start_helper(
                        "from fastdescent.engine.compiled import _kernels, _import_generated; "
                        f"_kernels(_import_generated({gen[0]!r}, open({str(path)!r}).read()), "
                        f"{int(rule)}, {bool(batches)}, {bool(need_loss)})", "kernels")
    wk = worker()  # built here meanwhile
    if helped:
        with _LOCK:
            _finish_helper("kernels")
    return wk, _kernels(compiled_for(model), rule, batches, need_loss)


def _kernels(eng, rule, batches, need_loss) -> tuple:
    from ..optim.batches import permutation_kernel
    from ..optim.line_searches import search_kernel
    from ..optim.rules import update_kernel

    if batches:
        lg, lo = eng.batch_kernels(need_loss)
    else:
        lg, lo = eng.block_loss_grad, (eng.loss_kernel() if need_loss else None)
    if lo is None:
        lo = no_loss_kernel()
    return lg, lo, update_kernel(rule), search_kernel(rule), permutation_kernel(batches)


class Pointer(WrapperAddressProtocol):
    """A compiled kernel as a first-class function whose address is looked up once.

    Numba converts a dispatcher passed for a ``FunctionType`` argument on every call (a
    compile-result lookup, ~0.1 ms); the driver takes five such arguments per thread and
    chunk. Numba's wrapper address protocol lets it read the stored address instead.
    """

    def __init__(self, kernel, sig):
        cres = kernel.get_compile_result(sig)
        self.kernel = kernel  # keeps the compiled code alive
        self._sig = sig
        self._addr = cres.library.get_pointer_to_function(cres.fndesc.llvm_cfunc_wrapper_name)

    def __wrapper_address__(self) -> int:
        return self._addr

    def signature(self):
        return self._sig


_POINTERS: dict = {}


def pointer(kernel, sig) -> Pointer:
    """:class:`Pointer` to ``kernel`` compiled for ``sig`` (made once per process)."""
    key = (id(kernel), sig)
    p = _POINTERS.get(key)
    if p is None or p.kernel is not kernel:
        p = _POINTERS[key] = Pointer(kernel, sig)
    return p


def compiled_for(model) -> types.ModuleType:
    """The compiled engine module for ``model``'s kernels (generated and imported once)."""
    k = model.kernels
    key = (k.example, k.example_loss, k.example_hessian)
    mod = _MODULES.get(key)
    if mod is not None:
        return mod
    with _LOCK:
        mod = _MODULES.get(key)
        if mod is None:
            mod = _build(k)
            _MODULES[key] = mod
    return mod


def no_loss_kernel():
    """The placeholder loss kernel (for runs that never need the loss alone)."""
    from .signatures import LOSS, compiled, no_loss

    return compiled(no_loss, LOSS)


def _rule_kernels() -> None:
    from ..optim.batches import permutation_kernel
    from ..optim.line_searches import search_kernel
    from ..optim.rules import RULES, update_kernel
    from ..optim.schedules import cosine

    for rule in RULES:
        update_kernel(rule)
        search_kernel(rule)
    permutation_kernel(True)
    permutation_kernel(False)
    cosine(2).factors(2)  # the schedules' njit evaluation
    no_loss_kernel()


def precompile(models=(), minibatch: bool = True, rules: bool = True,
               report=None) -> list[tuple[str, float]]:
    """Build (or load from the on-disk cache) the engine and the block kernels of ``models``.

    The model-independent worker is built once per machine and fastdescent version (a few
    seconds on a 2-core machine), as is each update rule's kernel (a fraction of a second)
    and each model's block kernels (one to a few seconds). Run this once after
    installing (``fastdescent compile``), e.g. in a course image or on every Dask worker, so
    that no user waits for compilation later. Results never depend on it.

    Parameters
    ----------
    models : iterable of Model
        Models whose kernels to build as well.
    minibatch : bool
        Also build the minibatch (SGD) kernels of models that have data.
    rules : bool
        Also build every update rule's and line search's kernel (each is otherwise built
        on its first use, in a fraction of a second).
    report : callable, optional
        Called as ``report(what, seconds)`` after each piece.

    Returns
    -------
    list of (str, float)
        What was built and the seconds it took (a cache hit takes well under a second).
    """
    done = []

    def step(what, fn):
        t0 = time.perf_counter()
        fn()
        done.append((what, time.perf_counter() - t0))
        if report is not None:
            report(*done[-1])

    start_worker_build()  # builds meanwhile, in a helper process, if this machine lacks it
    if rules:
        step("update rules, line searches, schedules, minibatch streams", _rule_kernels)
    for m in models:
        step(f"{m.name}: block kernels",
             lambda m=m: (compiled_for(m).block_loss_grad, compiled_for(m).loss_kernel()))
        if minibatch and m.has_data and m.n_examples > 1:
            step(f"{m.name}: minibatch kernels", lambda m=m: compiled_for(m).batch_kernels())
    step("engine (model-independent worker)", worker)
    return done


def _generated(k) -> tuple[str, str] | None:
    """Module name and source of the engine for kernels ``k``; None for kernels that cannot
    be imported back (defined in ``__main__``, a notebook or a closure)."""
    names = [importable_name(f) if f is not None else None
             for f in (k.example, k.example_loss, k.example_hessian)]
    aliases = ("model_example", "model_loss", "model_hessian")
    given = [f is not None for f in (k.example, k.example_loss, k.example_hessian)]
    if not all(n is not None for n, gv in zip(names, given) if gv):
        return None
    parts = []
    srcs = hashlib.sha1(_package_hash().encode())
    for n, alias in zip(names, aliases):
        if n is None:
            parts.append(f"{alias} = None")
        else:
            parts.append(f"from {n[0]} import {n[1]} as {alias}")
            modfile = getattr(sys.modules.get(n[0]), "__file__", None)
            if modfile and os.path.exists(modfile):
                srcs.update(Path(modfile).read_bytes())
            srcs.update(f"{n[0]}.{n[1]}".encode())
    src = _source_with("; ".join(parts))
    srcs.update(src.encode())
    tag = names[0][1].replace("_example", "")
    return f"fd_engine_{tag}_{srcs.hexdigest()[:16]}", src


def _build(k) -> types.ModuleType:
    gen = _generated(k)
    if gen is not None:
        return _import_generated(*gen)
    # dynamic kernels: same template, no on-disk cache
    src = _source_with("pass").replace("cache=True", "cache=False")
    mod = types.ModuleType(f"fd_engine_dynamic_{id(k.example):x}")
    mod.__dict__.update(model_example=k.example, model_loss=k.example_loss,
                        model_hessian=k.example_hessian)
    exec(compile(src, f"<fastdescent engine for {k.example.py_func.__qualname__}>", "exec"),
         mod.__dict__)
    return mod


def _write_generated(modname: str, src: str) -> Path | None:
    """Write the generated module's file (unless it holds ``src`` already); None if the
    cache folder is not writable."""
    d = cache_dir() / "engines"
    try:
        d.mkdir(parents=True, exist_ok=True)
        path = d / f"{modname}.py"
        if not path.exists() or path.read_text() != src:
            fd, tmp = tempfile.mkstemp(dir=d, suffix=".tmp")
            with os.fdopen(fd, "w") as fh:
                fh.write(src)
            os.replace(tmp, path)
    except OSError:
        return None
    return path


def _import_generated(modname: str, src: str) -> types.ModuleType:
    if modname in sys.modules:
        return sys.modules[modname]
    path = _write_generated(modname, src)
    if path is None:  # read-only home: fall back to an uncached in-memory engine
        mod = types.ModuleType(modname)
        exec(compile(src.replace("cache=True", "cache=False"), modname, "exec"), mod.__dict__)
        return mod
    spec = importlib.util.spec_from_file_location(modname, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[modname] = mod
    spec.loader.exec_module(mod)
    return mod
