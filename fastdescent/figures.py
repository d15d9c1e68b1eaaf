"""The lecture figures: ``fastdescent figures`` runs the figure scripts of a checkout.

The figure scripts are not part of the library: they live in the repository's ``experiments/``
folder (``experiments/lecture/fig_*.py``, ``experiments/research/*.py``), are written with the
public API of fastdescent, and are found by path, in this order:

1. the ``scripts`` argument (``fastdescent figures --scripts DIR``);
2. the environment variable ``FASTDESCENT_EXPERIMENTS``;
3. ``experiments/`` beside the installed ``fastdescent`` package (an editable install of a
   checkout, the usual way to make the lecture figures);
4. ``experiments/`` in the working directory.

The folder is imported as the package ``experiments`` (its scripts import each other
relatively), so the library itself never imports a script::

    fastdescent figures                      # every figure, es + en, into figures/
    fastdescent figures --lang es --only 6.4,6.9 --quick -o /tmp/figs
    fastdescent figures --research           # the grid studies (experiments/research)
"""
from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import sys
import time
from pathlib import Path

__all__ = ["FIGURES", "ENV_VAR", "experiments_dir", "load_experiments", "registry",
           "make_figures", "main"]

#: Environment variable naming the folder of the figure scripts.
ENV_VAR = "FASTDESCENT_EXPERIMENTS"
LANGS = ("es", "en")


def experiments_dir(scripts=None) -> Path:
    """The folder of the figure scripts (see the module docstring for the search order).

    Raises
    ------
    FileNotFoundError
        No candidate folder holds ``lecture/__init__.py``; the message lists the candidates.

    Parameters
    ----------
    scripts : path, optional
        A folder to use instead of the search.

    Returns
    -------
    Path

    Examples
    --------
    >>> from fastdescent.figures import experiments_dir
    >>> experiments_dir().name, (experiments_dir() / "lecture" / "__init__.py").is_file()
    ('experiments', True)
    >>> experiments_dir("/nonexistent")
    Traceback (most recent call last):
        ...
    FileNotFoundError: no figure scripts found (looked for lecture/__init__.py in: /nonexistent); ...
    """
    if scripts is not None:
        candidates = [Path(scripts)]
    else:
        candidates = [Path(p) for p in (os.environ.get(ENV_VAR),) if p]
        candidates += [Path(__file__).resolve().parents[1] / "experiments",
                       Path.cwd() / "experiments"]
    for c in candidates:
        if (c / "lecture" / "__init__.py").is_file():
            return c.resolve()
    tried = ", ".join(str(c) for c in candidates)
    raise FileNotFoundError(
        f"no figure scripts found (looked for lecture/__init__.py in: {tried}); the scripts "
        f"live in the experiments/ folder of the fastdescent repository: run from a checkout, "
        f"pass --scripts DIR or set {ENV_VAR}=DIR")


def load_experiments(scripts=None):
    """Import the scripts folder as the package ``experiments`` and return it.

    An ``experiments`` package that is already imported is reused when it is the same folder;
    a different one is an error (two folders cannot share the name in one process).

    Parameters
    ----------
    scripts : path, optional
        The folder of the figure scripts (default: see :func:`experiments_dir`).

    Returns
    -------
    module
        The ``experiments`` package.

    Raises
    ------
    FileNotFoundError
        If no scripts folder is found.
    RuntimeError
        If another folder is already imported as ``experiments``.

    Examples
    --------
    >>> from fastdescent.figures import load_experiments
    >>> mod = load_experiments()
    >>> mod.__name__, hasattr(mod, "__path__")
    ('experiments', True)
    """
    folder = experiments_dir(scripts)
    mod = sys.modules.get("experiments")
    if mod is not None:
        origin = Path(getattr(mod, "__file__", "") or "").resolve().parent
        if origin == folder:
            return mod
        raise RuntimeError(f"a different 'experiments' package is already imported "
                           f"({origin}); cannot load the figure scripts of {folder}")
    spec = importlib.util.spec_from_file_location(
        "experiments", folder / "__init__.py", submodule_search_locations=[str(folder)])
    mod = importlib.util.module_from_spec(spec)
    sys.modules["experiments"] = mod
    try:
        spec.loader.exec_module(mod)
    except BaseException:
        del sys.modules["experiments"]
        raise
    return mod


def registry(scripts=None) -> dict:
    """Figure id -> figure (``.id``, ``.title`` (``title["es"]``, ``str(title)`` English),
    ``.module``, ``.files``), in lecture order, read from ``experiments/lecture``.

    Parameters
    ----------
    scripts : path, optional
        The folder of the figure scripts (default: see :func:`experiments_dir`).

    Returns
    -------
    dict

    Examples
    --------
    >>> from fastdescent.figures import registry
    >>> figs = registry()
    >>> list(figs)[:4], figs["6.4"].module
    (['6.1', '6.2', '6.3', '6.4'], 'experiments.lecture.fig_6_4')
    """
    load_experiments(scripts)
    return dict(importlib.import_module("experiments.lecture").REGISTRY)


def __getattr__(name):
    # ``FIGURES`` is the registry of the scripts found by default, read on first use.
    if name == "FIGURES":
        try:
            return registry()
        except FileNotFoundError:
            return {}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _langs(lang) -> tuple[str, ...]:
    if lang in (None, "all", "both"):
        return LANGS
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use 'es', 'en' or None (both)")
    return (lang,)


def _ids(only, figures: dict) -> list[str]:
    if only is None:
        return list(figures)
    if isinstance(only, str):
        only = [s for s in only.split(",")]
    ids = [str(s).strip() for s in only if str(s).strip()]
    bad = [s for s in ids if s not in figures]
    if bad:
        raise ValueError(f"unknown figure id {bad[0]!r}; valid ids: {', '.join(figures)}")
    return ids


def make_figures(lang=None, only=None, quick: bool = False, outdir="figures",
                 research: bool = False, scripts=None) -> list[Path]:
    """Regenerate the lecture figures into ``outdir/es/`` and ``outdir/en/``.

    Parameters
    ----------
    lang : {"es", "en"} or None
        One language, or both (None).
    only : list of ids or "6.4,6.9", optional
        A subset of the registry (default all).
    quick : bool
        Small grids and few steps (smoke tests), seconds per figure.
    outdir : path
        Root folder; each language gets its own sub-folder.
    research : bool
        Run the grid studies instead (``experiments.research.run_studies(only, quick,
        outdir, lang)``).
    scripts : path, optional
        The folder of the figure scripts (default: see :func:`experiments_dir`).

    Returns
    -------
    list of Path
        The written files (PNG and PDF); one line per file is printed.

    Raises
    ------
    ValueError
        If ``lang`` or an id of ``only`` is unknown.
    FileNotFoundError
        If no scripts folder is found.

    Examples
    --------
    >>> import tempfile
    >>> from fastdescent.figures import make_figures
    >>> paths = make_figures("en", "momentum-weights", quick=True, outdir=tempfile.mkdtemp())
    wrote .../en/momentum-weights-expansion.png
    wrote .../en/momentum-weights-expansion.pdf
    >>> [p.name for p in paths]
    ['momentum-weights-expansion.png', 'momentum-weights-expansion.pdf']
    >>> make_figures("fr", "schedules")
    Traceback (most recent call last):
        ...
    ValueError: unknown language 'fr'; use 'es', 'en' or None (both)
    """
    if research:
        load_experiments(scripts)
        mod = importlib.import_module("experiments.research")
        return list(mod.run_studies(only, quick, outdir, lang) or [])
    langs = _langs(lang)
    figures = registry(scripts)
    ids = _ids(only, figures)
    written: list[Path] = []
    for fid in ids:
        mod = importlib.import_module(figures[fid].module)
        for lg in langs:
            for path in mod.main(lang=lg, quick=quick, outdir=outdir):
                print(f"wrote {path}", flush=True)
                written.append(Path(path))
    return written


def main(argv=None) -> int:
    """``fastdescent figures`` / ``python -m fastdescent.figures`` (both languages by
    default).

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success.

    Raises
    ------
    UsageError
        If an id of ``--only`` is unknown or no scripts folder is found.

    Examples
    --------
    ``main(["--only", "6.4", "--lang", "es"])`` writes the Spanish figure 6.4 into ``figures/es``
    (as :func:`make_figures`); the ids are checked before anything is drawn:

    >>> from fastdescent.figures import main
    >>> main(["--only", "6.99"])
    Traceback (most recent call last):
        ...
    fastdescent.cli.errors.UsageError: unknown figure id '6.99'; valid ids: 6.1, 6.2, ...
    """
    p = argparse.ArgumentParser(prog="fastdescent figures",
                                description="Regenerate the lecture figures (es + en).")
    p.add_argument("--lang", choices=LANGS, default=None, help="one language (default both)")
    p.add_argument("--only", metavar="IDS", help="comma list of figure ids, e.g. 6.4,6.9")
    p.add_argument("--quick", action="store_true", help="small grids and few steps")
    p.add_argument("--research", action="store_true", help="the grid studies instead")
    p.add_argument("--scripts", metavar="DIR", default=None,
                   help=f"folder of the figure scripts (default: ${ENV_VAR}, else the "
                        f"repository's experiments/)")
    p.add_argument("-o", "--output", metavar="DIR", default="figures",
                   help="output directory (default: figures)")
    args = p.parse_args(sys.argv[1:] if argv is None else list(argv))
    from .cli.errors import UsageError

    try:
        figures = registry(args.scripts)
        if not args.research:
            _ids(args.only, figures)
    except (ValueError, FileNotFoundError) as exc:
        raise UsageError(str(exc)) from None
    t0 = time.perf_counter()
    paths = make_figures(args.lang, args.only, args.quick, args.output, research=args.research,
                         scripts=args.scripts)
    print(f"{len(paths)} files in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
