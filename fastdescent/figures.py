"""The lecture figures: :data:`FIGURES` and :func:`make_figures` (``fastdescent figures``).

Each figure is a script of :mod:`experiments.lecture` (installed with fastdescent) that
computes its numbers with fastdescent itself and draws them in Spanish and English::

    fastdescent figures                      # every figure, es + en, into figures/
    fastdescent figures --lang es --only 6.4,6.9 --quick -o /tmp/figs
    fastdescent figures --research           # the grid studies (experiments.research)
"""
from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

__all__ = ["FIGURES", "make_figures", "main"]

try:
    from experiments.lecture import REGISTRY as _REGISTRY
except ModuleNotFoundError as _exc:  # pragma: no cover - installed without experiments/
    if _exc.name not in ("experiments", "experiments.lecture"):
        raise
    _REGISTRY = {}

#: Figure id -> figure (``.id``, ``.title`` (``title["es"]``, ``str(title)`` English),
#: ``.module``, ``.files``), in lecture order.
FIGURES: dict = dict(_REGISTRY)

LANGS = ("es", "en")


def _langs(lang) -> tuple[str, ...]:
    if lang in (None, "all", "both"):
        return LANGS
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use 'es', 'en' or None (both)")
    return (lang,)


def _ids(only) -> list[str]:
    if only is None:
        return list(FIGURES)
    if isinstance(only, str):
        only = [s for s in only.split(",")]
    ids = [str(s).strip() for s in only if str(s).strip()]
    bad = [s for s in ids if s not in FIGURES]
    if bad:
        raise ValueError(f"unknown figure id {bad[0]!r}; valid ids: {', '.join(FIGURES)}")
    return ids


def make_figures(lang=None, only=None, quick: bool = False, outdir="figures",
                 research: bool = False) -> list[Path]:
    """Regenerate the lecture figures into ``outdir/es/`` and ``outdir/en/``.

    Parameters
    ----------
    lang : {"es", "en"} or None
        One language, or both (None).
    only : list of ids or "6.4,6.9", optional
        A subset of :data:`FIGURES` (default all).
    quick : bool
        Small grids and few steps (smoke tests), seconds per figure.
    outdir : path
        Root folder; each language gets its own sub-folder.
    research : bool
        Run the grid studies instead (``experiments.research.run_studies(only, quick,
        outdir, lang)``, when that package is installed).

    Returns
    -------
    list of Path
        The written files (PNG and PDF); one line per file is printed.
    """
    if research:
        try:
            mod = importlib.import_module("experiments.research")
        except ModuleNotFoundError as exc:
            if exc.name not in ("experiments", "experiments.research"):
                raise
            raise RuntimeError("the research studies are not available (experiments.research "
                               "is not installed)") from None
        return list(mod.run_studies(only, quick, outdir, lang) or [])
    if not FIGURES:
        raise RuntimeError("no lecture figures: the package experiments.lecture is not "
                           "installed (pip install -e . from the repository)")
    langs = _langs(lang)
    ids = _ids(only)
    written: list[Path] = []
    for fid in ids:
        mod = importlib.import_module(FIGURES[fid].module)
        for lg in langs:
            for path in mod.main(lang=lg, quick=quick, outdir=outdir):
                print(f"wrote {path}", flush=True)
                written.append(Path(path))
    return written


def main(argv=None) -> int:
    """``fastdescent figures`` / ``python -m fastdescent.figures`` (both languages by
    default)."""
    p = argparse.ArgumentParser(prog="fastdescent figures",
                                description="Regenerate the lecture figures (es + en).")
    p.add_argument("--lang", choices=LANGS, default=None, help="one language (default both)")
    p.add_argument("--only", metavar="IDS", help="comma list of figure ids, e.g. 6.4,6.9")
    p.add_argument("--quick", action="store_true", help="small grids and few steps")
    p.add_argument("--research", action="store_true", help="the grid studies instead")
    p.add_argument("-o", "--output", metavar="DIR", default="figures",
                   help="output directory (default: figures)")
    args = p.parse_args(sys.argv[1:] if argv is None else list(argv))
    if not args.research:
        try:
            _ids(args.only)
        except ValueError as exc:
            from .cli.errors import UsageError

            raise UsageError(str(exc)) from None
    t0 = time.perf_counter()
    paths = make_figures(args.lang, args.only, args.quick, args.output, research=args.research)
    print(f"{len(paths)} files in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
