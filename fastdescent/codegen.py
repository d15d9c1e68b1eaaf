"""Generated, cached Numba modules: the mechanism behind every compiled engine piece.

Numba cannot cache a function that receives njit functions as arguments or is built in a
closure (numba issues 6251/6264), and ``cache=True`` checks only the cached function's own
file, not the files of the functions it calls. So each compiled piece that combines code from
several files (a model's block kernels, a rule's step kernel, the worker) is written out as a
small module whose **name hashes every source it depends on**, imported, and left to
``cache=True``: an edit of any of those sources gives a new name, hence a fresh compile, and
never a stale cache. Modules of code that cannot be imported back (defined in ``__main__``, a
notebook or a closure) are executed in a fresh namespace without on-disk caching.

This module is at the bottom of the package with :mod:`fastdescent.contract`: it imports
nothing from fastdescent.
"""
from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import sys
import tempfile
import threading
import types
from pathlib import Path

#: held while a generated module is built or imported (re-entrant: builders nest)
LOCK = threading.RLock()

#: the package's source folder
ROOT = Path(__file__).resolve().parent


def cache_dir() -> Path:
    """Where generated modules live: ``$FASTDESCENT_CACHE_DIR`` or ``~/.cache/fastdescent``.

    Returns
    -------
    Path

    Examples
    --------
    >>> import os
    >>> from fastdescent.codegen import cache_dir
    >>> os.environ["FASTDESCENT_CACHE_DIR"] = "/tmp/fd-cache"
    >>> str(cache_dir())
    '/tmp/fd-cache'
    >>> del os.environ["FASTDESCENT_CACHE_DIR"]
    """
    root = os.environ.get("FASTDESCENT_CACHE_DIR")
    if root:
        return Path(root)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "fastdescent"


def sources_hash(*files: Path) -> str:
    """Hash of the given source files' names and contents and of Numba's version.

    Parameters
    ----------
    *files : Path

    Returns
    -------
    str
        The first 12 hex digits of a SHA-1.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from fastdescent.codegen import sources_hash
    >>> f = Path(tempfile.mkdtemp()) / "kernel.py"
    >>> _ = f.write_text("x = 1\\n")
    >>> before = sources_hash(f)
    >>> _ = f.write_text("x = 2\\n")
    >>> len(before), sources_hash(f) != before
    (12, True)
    """
    import numba

    h = hashlib.sha1(numba.__version__.encode())
    for f in files:
        h.update(f.name.encode())
        h.update(Path(f).read_bytes())
    return h.hexdigest()[:12]


def importable_name(fn) -> tuple[str, str] | None:
    """``(module, qualname)`` if the njit function ``fn`` can be imported back, else None.

    Parameters
    ----------
    fn : numba dispatcher

    Returns
    -------
    (str, str) or None

    Examples
    --------
    >>> from numba import njit
    >>> from fastdescent.codegen import importable_name
    >>> from fastdescent.optim.rules.gd import gd_step
    >>> importable_name(gd_step)
    ('fastdescent.optim.rules.gd', 'gd_step')
    >>> importable_name(njit(lambda x: x)) is None
    True
    """
    py = getattr(fn, "py_func", None)
    if py is None:
        return None
    mod, qual = py.__module__, py.__qualname__
    if mod in (None, "__main__") or "<" in qual or "." in qual:
        return None
    try:
        if getattr(importlib.import_module(mod), qual, None) is not fn:
            return None
    except Exception:  # noqa: BLE001 - any import failure means "not importable"
        return None
    return mod, qual


def module_hash(base: str, fns) -> tuple[list, "hashlib._Hash"] | None:
    """``(names, hash)`` for a module importing the njit functions ``fns``: their
    :func:`importable_name` and a hash of ``base`` plus their modules' sources; None when one
    of them cannot be imported back.

    Parameters
    ----------
    base : str
        The generated module's own source (or a key of it).
    fns : sequence of numba dispatcher

    Returns
    -------
    (list of (str, str), hashlib hash) or None

    Examples
    --------
    >>> from fastdescent.codegen import module_hash
    >>> from fastdescent.optim.rules.gd import gd_step
    >>> names, h = module_hash("rule", [gd_step])
    >>> names, len(h.hexdigest())
    ([('fastdescent.optim.rules.gd', 'gd_step')], 40)
    """
    names = [importable_name(f) for f in fns]
    if any(n is None for n in names):
        return None
    h = hashlib.sha1(base.encode())
    for mod, qual in names:
        modfile = getattr(sys.modules.get(mod), "__file__", None)
        if modfile and os.path.exists(modfile):
            h.update(Path(modfile).read_bytes())
        h.update(f"{mod}.{qual}".encode())
    return names, h


def write_generated(modname: str, src: str) -> Path | None:
    """Write the generated module's file (unless it holds ``src`` already); None if the
    cache folder is not writable.

    Parameters
    ----------
    modname : str
        The module's name (its file is ``cache_dir() / f"{modname}.py"``).
    src : str
        Its source.

    Returns
    -------
    Path or None

    Examples
    --------
    >>> import os, tempfile
    >>> from unittest import mock
    >>> from fastdescent.codegen import write_generated
    >>> with mock.patch.dict(os.environ, {"FASTDESCENT_CACHE_DIR": tempfile.mkdtemp()}):
    ...     path = write_generated("fd_doc_example", "VALUE = 42\\n")
    >>> path.name, path.read_text()
    ('fd_doc_example.py', 'VALUE = 42\\n')
    """
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


def import_generated(modname: str, src: str) -> types.ModuleType:
    """Import the module ``modname`` with source ``src`` from the cache folder (written there
    first if needed); without a writable cache folder, executed in memory, uncached.

    Parameters
    ----------
    modname : str
    src : str

    Returns
    -------
    module

    Examples
    --------
    >>> import os, tempfile
    >>> from unittest import mock
    >>> from fastdescent.codegen import import_generated
    >>> with mock.patch.dict(os.environ, {"FASTDESCENT_CACHE_DIR": tempfile.mkdtemp()}):
    ...     mod = import_generated("fd_doc_example_module", "VALUE = 42\\n")
    >>> mod.VALUE, mod is import_generated("fd_doc_example_module", "VALUE = 42\\n")
    (42, True)
    """
    if modname in sys.modules:
        return sys.modules[modname]
    path = write_generated(modname, src)
    if path is None:  # read-only home: fall back to an uncached in-memory module
        mod = types.ModuleType(modname)
        exec(compile(src.replace("cache=True", "cache=False"), modname, "exec"), mod.__dict__)
        return mod
    spec = importlib.util.spec_from_file_location(modname, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[modname] = mod
    spec.loader.exec_module(mod)
    return mod


def exec_dynamic(modname: str, src: str, namespace: dict, filename: str) -> types.ModuleType:
    """Execute ``src`` (uncached) in a new module holding ``namespace``: for functions that
    cannot be imported back.

    Parameters
    ----------
    modname : str
    src : str
    namespace : dict
        Names the source uses (e.g. the user's njit functions).
    filename : str
        Shown in tracebacks.

    Returns
    -------
    module

    Examples
    --------
    >>> from fastdescent.codegen import exec_dynamic
    >>> mod = exec_dynamic("fd_doc_dynamic", "y = 2 * x\\n", {"x": 21}, "<example>")
    >>> mod.y, mod.__name__
    (42, 'fd_doc_dynamic')
    """
    mod = types.ModuleType(modname)
    mod.__dict__.update(namespace)
    exec(compile(src.replace("cache=True", "cache=False"), filename, "exec"), mod.__dict__)
    return mod
