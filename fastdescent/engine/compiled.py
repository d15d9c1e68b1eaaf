"""The engine's compiled pieces: the worker, the rules' kernels, and how a run gets them.

- :func:`worker`: the model- and optimizer-independent :mod:`fastdescent.engine.worker`,
  compiled once per machine (its generated module's name hashes only ``worker.py`` and the
  contract, so adding a model or a rule never rebuilds it);
- :func:`rule_kernels`: a rule's step and look-ahead kernels, compiled inside a generated module
  whose name hashes the rule's sources and everything it composes;
- the model's block kernels come from :func:`fastdescent.models.compiled.compiled_for`.

All are generated, imported and cached as described in :mod:`fastdescent.codegen`. The worker
receives every kernel of a run as a first-class function (:func:`pointer`).
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
import types
from pathlib import Path

from numba.core.types.function_type import WrapperAddressProtocol

from ..codegen import LOCK as _LOCK
from ..codegen import ROOT as _ROOT
from ..codegen import cache_dir, exec_dynamic, module_hash, sources_hash
from ..codegen import import_generated as _import_generated
from ..models.compiled import compiled_for
from ..models.compiled import generated as _generated
from ..codegen import write_generated as _write_generated

__all__ = ["cache_dir", "worker", "rule_kernels", "run_kernels", "compiled_for", "pointer",
           "precompile", "start_worker_build"]

_MODULES: dict = {}
_HASHES: dict = {}


def _worker_hash() -> str:
    """The worker depends on its own file and the contract only: editing a model or a rule
    never rebuilds it."""
    h = _HASHES.get("worker")
    if h is None:
        h = _HASHES["worker"] = sources_hash(_ROOT / "contract.py",
                                             _ROOT / "engine" / "worker.py")
    return h


def _optim_hash() -> str:
    """The compiled rules depend on the contract, the shared pieces and every built-in rule
    (a rule may compose another's kernel)."""
    h = _HASHES.get("optim")
    if h is None:
        h = _HASHES["optim"] = sources_hash(
            _ROOT / "contract.py", _ROOT / "fastmath.py",
            *sorted((_ROOT / "optim").glob("*.py")),
            *sorted((_ROOT / "optim" / "rules").glob("*.py")))
    return h


def worker() -> types.ModuleType:
    """The model-independent worker module (generated under a name that hashes fastdescent's
    sources, so an edit to any of them never reuses a stale on-disk cache). Waits for a
    helper process first, if one is building (see :func:`run_kernels`).

    Returns
    -------
    module

    Examples
    --------
    >>> from fastdescent.engine.compiled import worker
    >>> worker() is worker(), worker().__name__.startswith("fd_worker_")
    (True, True)
    """
    mod = _MODULES.get("worker")
    if mod is None:
        with _LOCK:
            mod = _MODULES.get("worker")
            if mod is None:
                _finish_helper("worker")
                src = Path(__file__).with_name("worker.py").read_text()
                mod = _import_generated(f"fd_worker_{_worker_hash()}", src)
                _MODULES["worker"] = mod
                _mark_worker_built()
    return mod


# ---------------------------------------------------------- two processes on a first run
# The worker is the largest compile of a first run and does not depend on the model or the
# optimizer. On a machine that has not built it yet, a helper process compiles the run's
# kernels (the model's block kernels, the rule, the placeholders) into the on-disk cache while
# this process builds the worker; this process then loads the kernels from the cache.
# ``precompile`` does the converse (the helper builds the worker). A marker file records that
# the worker was built for this worker source, CPU and cache; with it, or if the helper cannot
# run or fails, everything is compiled here. Results are the same either way: only where the
# compiling happens changes.
#
# Kept, although it is about 100 lines and its two tests are among the slowest: the first run
# on a machine is what a student meets first, and the helper lets its two largest compiles use
# two cores at once; after that first run it costs nothing. Its gain needs an idle second core
# (on a loaded machine there is none to gain): ``python benchmarks/startup.py`` measures the
# first run with and without it, and the helper should go if that shows no gain on the machines
# the package serves. FASTDESCENT_BACKGROUND_BUILD=0 turns it off.
_BUILD: dict = {}


def _worker_marker() -> Path:
    import llvmlite.binding as llvm

    key = "|".join((_worker_hash(), llvm.get_host_cpu_name(),
                    os.environ.get("NUMBA_CPU_NAME", ""), os.environ.get("NUMBA_CPU_FEATURES", ""),
                    os.environ.get("NUMBA_CACHE_DIR", ""), sys.version))
    tag = hashlib.sha1(key.encode()).hexdigest()[:12]
    return cache_dir() / "engines" / f"fd_worker_{_worker_hash()}.{tag}.built"


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
    True if one was started (:func:`worker` waits for it).

    Returns
    -------
    bool

    Examples
    --------
    On a machine whose cache already holds the worker nothing is started:

    >>> from fastdescent.engine.compiled import start_worker_build, worker
    >>> _ = worker()
    >>> start_worker_build()
    False
    """
    with _LOCK:
        return _first_run() and _start_helper(
            "from fastdescent.engine.compiled import worker; worker()", "worker")


def run_kernels(model, rule, batches: bool, need_loss: bool, groups=None,
                dtype: str = "float64") -> tuple:
    """The worker module and the kernels ``(lg, lo, update, lookahead, search, permute)`` of a
    run of ``model`` with ``rule`` (a :class:`~fastdescent.optim.record.Rule`), compiled here or
    loaded from the cache (on a first run, see above, a helper compiles the kernels while this
    process builds the worker).

    Parameters
    ----------
    model : Model
    rule : Rule
    batches : bool
        The run uses minibatches.
    need_loss : bool
        The run needs the block loss alone (line searches, recorded losses).
    groups : tuple of (int, int), optional
        The parameter ranges of a per-group ``lr`` (see :func:`rule_kernels`).
    dtype : str
        The precision of the kernels (a contract :data:`~fastdescent.contract.DTYPES` name);
        the worker's driver is compiled for it too.

    Returns
    -------
    (module, tuple)

    Examples
    --------
    >>> import fastdescent as fd
    >>> from fastdescent.engine.compiled import run_kernels
    >>> wk, kernels = run_kernels(fd.models.quadratic(), fd.optim.get_rule("gd"), False, False)
    >>> len(kernels)
    6
    """
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
                        f"{_registered_name(rule)!r}, {bool(batches)}, {bool(need_loss)}, "
                        f"dtype={dtype!r})",
                        "kernels")
    wk = worker()  # built here meanwhile
    if helped:
        with _LOCK:
            _finish_helper("kernels")
    return wk, _kernels(compiled_for(model), rule, batches, need_loss, groups, dtype)


def _registered_name(rule) -> str | None:
    """The registry name of ``rule`` if a helper process can look it up, else None."""
    from ..optim.registry import all_rules

    return rule.name if any(r is rule for r in all_rules()) else None


def _kernels(eng, rule, batches, need_loss, groups=None, dtype="float64") -> tuple:
    """``rule``: a Rule, a registered name, or None (the helper then builds the model's);
    ``groups``: the parameter ranges of a per-group ``lr`` (see :func:`rule_kernels`);
    ``dtype``: the kernels' precision."""
    from ..contract import compiled, signatures
    from ..optim.batches import permutation_kernel

    if batches:
        lg, lo = eng.batch_kernels(need_loss, dtype)
    else:
        lg = compiled(eng.block_loss_grad, signatures(dtype).loss_grad)
        lo = eng.loss_kernel(dtype) if need_loss else None
    if lo is None:
        lo = no_loss_kernel(dtype)
    if rule is None:
        return None
    if isinstance(rule, str):
        from ..optim.registry import get_rule

        rule = get_rule(rule)
    return (lg, lo, *rule_kernels(rule, groups, dtype), permutation_kernel(batches))


# ------------------------------------------------------------------------ compiled rules
_RULE_MARK = "# RULE-KERNELS"
_RULE_TEMPLATE = '''"""Step kernels of one update rule with the contract's signatures (generated by
fastdescent.engine.compiled.rule_kernels; the module name hashes the rule's sources, so an edit
of the rule or of anything it composes never reuses a stale cache)."""
from numba import njit

from fastdescent.contract import LOOKAHEAD, UPDATE
pass  # RULE-KERNELS


@njit(UPDATE, cache=True, error_model="numpy")
def update(phi, g, state, hyper, t, scale):
    rule_step(phi, g, state, hyper, t, scale)
'''
_LOOKAHEAD_TEMPLATE = '''

@njit(LOOKAHEAD, cache=True, error_model="numpy")
def lookahead(phi, state, hyper, scale, out):
    rule_lookahead(phi, state, hyper, scale, out)
'''


_GROUPED_TEMPLATE = '''

GROUPS = {groups}  # (start, stop) of each parameter group
N_RULE = {n_rule}  # the rule's own rows of hyper; row N_RULE + j: the lr of group j
LR = {lr}  # the rule's lr row


@njit(UPDATE, cache=True, error_model="numpy")
def grouped_update(phi, g, state, hyper, t, scale):
    """The rule's step on each group's rows of phi, g and state, with the group's lr in the
    rule's lr row (exact for a separable rule). Each group's state is a contiguous (S, n, B)
    piece of the flat state (the worker only ever zeroes the state, so its layout is free)."""
    P, B = phi.shape
    S = state.shape[0]
    flat = state.reshape(S * P * B)
    for j in range(len(GROUPS)):
        lo, hi = GROUPS[j]
        for b in range(B):
            hyper[LR, b] = hyper[N_RULE + j, b]
        rule_step(phi[lo:hi], g[lo:hi], flat[S * B * lo:S * B * hi].reshape((S, hi - lo, B)),
                  hyper, t, scale)
'''
_GROUPED_LOOKAHEAD_TEMPLATE = '''

@njit(LOOKAHEAD, cache=True, error_model="numpy")
def grouped_lookahead(phi, state, hyper, scale, out):
    P, B = phi.shape
    S = state.shape[0]
    flat = state.reshape(S * P * B)
    for j in range(len(GROUPS)):
        lo, hi = GROUPS[j]
        for b in range(B):
            hyper[LR, b] = hyper[N_RULE + j, b]
        rule_lookahead(phi[lo:hi], flat[S * B * lo:S * B * hi].reshape((S, hi - lo, B)),
                       hyper, scale, out[lo:hi])
'''


def rule_kernels(rule, groups=None, dtype: str = "float64") -> tuple:
    """``(update, lookahead, search)`` of ``rule`` compiled for the contract's signatures in
    precision ``dtype`` (placeholders for the roles it lacks), built on first use and cached
    on disk.

    ``groups`` (a tuple of ``(start, stop)`` parameter ranges) gives the kernels of a per-group
    ``lr``: the step (and look-ahead) is applied to each range in turn with that group's ``lr``,
    read from row ``len(rule.hyper) + j`` of ``hyper`` (:meth:`Optimizer.hyper_matrix
    <fastdescent.optim.record.Optimizer.hyper_matrix>`) and written into the rule's ``lr``
    row first.

    The step and look-ahead kernels are compiled inside a generated module whose name hashes
    their module's source and the package's optimizer sources (Numba's own cache checks only
    the cached function's file, which would miss an edit of a composed piece). A rule defined
    in ``__main__``, a notebook or a closure gets the same module without on-disk caching.

    Parameters
    ----------
    rule : Rule
    groups : tuple of (int, int), optional
    dtype : str
        ``"float64"`` or ``"float32"``.

    Returns
    -------
    (update, lookahead, search)
        Compiled Numba dispatchers.

    Examples
    --------
    >>> import fastdescent as fd
    >>> from fastdescent.engine.compiled import rule_kernels
    >>> update, lookahead, search = rule_kernels(fd.optim.get_rule("nesterov"))
    >>> update.__name__, lookahead.__name__
    ('update', 'lookahead')
    """
    from ..contract import compiled, no_lookahead, no_search, no_step, signatures

    groups = None if groups is None else tuple((int(a), int(b)) for a, b in groups)
    key = ("rule", id(rule), groups, dtype)
    got = _MODULES.get(key)
    if got is not None and got[0] is rule:
        return got[1]
    sig = signatures(dtype)
    with _LOCK:
        if groups is not None:
            mod = _rule_module(rule, groups)
            kernels = (compiled(mod.grouped_update, sig.update),
                       compiled(mod.grouped_lookahead, sig.lookahead)
                       if rule.lookahead is not None else compiled(no_lookahead, sig.lookahead),
                       compiled(no_search, sig.search))
        elif rule.search is not None:
            kernels = (compiled(no_step, sig.update), compiled(no_lookahead, sig.lookahead),
                       compiled(rule.search, sig.search))
        else:
            mod = _rule_module(rule)
            kernels = (compiled(mod.update, sig.update),
                       compiled(mod.lookahead, sig.lookahead) if rule.lookahead is not None
                       else compiled(no_lookahead, sig.lookahead),
                       compiled(no_search, sig.search))
        _MODULES[key] = (rule, kernels)
    return kernels


def _rule_module(rule, groups=None) -> types.ModuleType:
    fns = [("rule_step", rule.step)]
    src = _RULE_TEMPLATE
    if rule.lookahead is not None:
        fns.append(("rule_lookahead", rule.lookahead))
        src += _LOOKAHEAD_TEMPLATE
    if groups is not None:
        src += _GROUPED_TEMPLATE.format(groups=repr(groups), n_rule=len(rule.hyper),
                                        lr=rule.hyper_names.index("lr"))
        if rule.lookahead is not None:
            src += _GROUPED_LOOKAHEAD_TEMPLATE
    got = module_hash(_optim_hash(), [f for _, f in fns])
    if got is None:
        tag = "" if groups is None else f"_g{len(groups)}_{abs(hash(groups)):x}"
        return exec_dynamic(f"fd_rule_dynamic_{rule.name}_{id(rule):x}{tag}", src, dict(fns),
                            f"<fastdescent rule {rule.name}>")
    names, h = got
    imports = "; ".join(f"from {n[0]} import {n[1]} as {alias}"
                        for (alias, _), n in zip(fns, names))
    src = src.replace("pass  " + _RULE_MARK, imports + "  " + _RULE_MARK)
    h.update(src.encode())
    return _import_generated(f"fd_rule_{rule.name}_{h.hexdigest()[:16]}", src)


class Pointer(WrapperAddressProtocol):
    """A compiled kernel as a first-class function whose address is looked up once.

    Numba converts a dispatcher passed for a ``FunctionType`` argument on every call (a
    compile-result lookup, ~0.1 ms); the driver takes six such arguments per thread and
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
    """:class:`Pointer` to ``kernel`` compiled for ``sig`` (made once per process).

    Parameters
    ----------
    kernel : numba dispatcher
    sig : numba signature

    Returns
    -------
    Pointer

    Examples
    --------
    >>> from fastdescent.contract import UPDATE
    >>> import fastdescent as fd
    >>> from fastdescent.engine.compiled import pointer, rule_kernels
    >>> update = rule_kernels(fd.optim.get_rule("gd"))[0]
    >>> p = pointer(update, UPDATE)
    >>> p is pointer(update, UPDATE), p.__wrapper_address__() != 0
    (True, True)
    """
    key = (id(kernel), sig)
    p = _POINTERS.get(key)
    if p is None or p.kernel is not kernel:
        p = _POINTERS[key] = Pointer(kernel, sig)
    return p


def no_loss_kernel(dtype: str = "float64"):
    """The placeholder loss kernel (for runs that never need the loss alone)."""
    from ..contract import compiled, no_loss, signatures

    return compiled(no_loss, signatures(dtype).loss)


def _rule_kernels() -> None:
    from ..optim.batches import permutation_kernel
    from ..optim.registry import all_rules
    from ..optim.schedules import cosine

    for rule in all_rules():
        rule_kernels(rule)
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

    Examples
    --------
    >>> import fastdescent as fd
    >>> from fastdescent.engine.compiled import precompile
    >>> done = precompile([fd.models.quadratic()], rules=False)
    >>> [what for what, seconds in done]
    ['quadratic: block kernels', 'engine (model-independent worker)']
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
